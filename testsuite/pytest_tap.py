"""pytest plugin: TAP output for meson (`protocol: 'tap'`), shared by every
pytest suite: load it with `-p pytest_tap` (testsuite/ on PYTHONPATH).

Active only when THESEUS_TAP=1.  It then replaces pytest's terminal output
with one `ok N - nodeid` / `not ok N - nodeid` line per test as each test
finishes, failure details as `#` comments, and the plan `1..N` at the end.
Tests publish measured figures with `record_property("figure", text)`;
they appear as `# figure` comments under TAP and in the terminal summary
otherwise.
"""

import os
import sys

import pytest


# How much of a failure's report is repeated on stderr.
STDERR_TAIL_LINES = 80


def _enabled():
    return os.environ.get("THESEUS_TAP") == "1"


class TapReporter:
    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def _line(self, text):
        self.stream.write(text + "\n")
        self.stream.flush()

    def _result(self, ok, name, details="", directive=""):
        self.count += 1
        self._line(f"{'ok' if ok else 'not ok'} {self.count} - {name}{directive}")
        for line in details.splitlines():
            self._line(f"# {line}")
        if not ok:
            # meson prints only a failed test's stderr (the TAP stream goes
            # to its log file): repeat the end of the failure there, so a CI
            # transcript says why, not just which.
            tail = details.splitlines()[-STDERR_TAIL_LINES:]
            sys.stderr.write(f"FAILED {name}\n" + "".join(f"  {l}\n" for l in tail))
            sys.stderr.flush()

    def pytest_collectreport(self, report):
        if report.failed:
            self._result(False, f"collect {report.nodeid or 'session'}",
                         report.longreprtext)

    def pytest_runtest_logreport(self, report):
        for key, value in report.user_properties:
            if key == "figure" and report.when == "call":
                self._line(f"# {value}")
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.skipped:
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
                self._result(True, report.nodeid, directive=f" # SKIP {reason}")
            else:
                self._result(report.passed, report.nodeid,
                             "" if report.passed else report.longreprtext)
        elif report.when == "teardown" and report.failed:
            self._result(False, f"{report.nodeid} (teardown)", report.longreprtext)

    def pytest_sessionfinish(self, session, exitstatus):
        self._line(f"1..{self.count}")


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if not _enabled():
        return
    # Runs after the terminal reporter registered itself: drop it, so that
    # stdout carries nothing but TAP.
    terminal = config.pluginmanager.getplugin("terminalreporter")
    if terminal is not None:
        config.pluginmanager.unregister(terminal)
    config.pluginmanager.register(TapReporter(sys.stdout), "tap_reporter")


def pytest_runtest_logreport(report):
    # Without TAP, remember figures for the terminal summary below.
    if _enabled() or report.when != "call":
        return
    for key, value in report.user_properties:
        if key == "figure":
            _FIGURES.append(value)


_FIGURES = []


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("figures")
        for figure in _FIGURES:
            terminalreporter.write_line(figure)
