"""A pytest plugin that reports each test as a TAP line, so `meson test`
(protocol: 'tap') and the project's summary count every case.

Load it with `-p pytest_tap` (with testsuite/ on PYTHONPATH). Pytest's own
terminal report is sent to stderr, which meson keeps in the test log."""

import os
import sys

_results = []

# TAP must own standard output, and pytest's terminal reporter writes there:
# keep a private handle on the real stdout, then point fd 1 at stderr before
# the reporter is created (this module is loaded early, by -p).
_tap_out = os.fdopen(os.dup(1), "w")
sys.stdout.flush()
os.dup2(2, 1)


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            _results.append((report.nodeid, "skip", reason))
        elif report.failed:
            _results.append((report.nodeid, "fail", report.when))
        else:
            _results.append((report.nodeid, "ok", ""))
    elif report.when == "teardown" and report.failed:
        _results.append((report.nodeid + " (teardown)", "fail", "teardown"))


def pytest_sessionfinish(session, exitstatus):
    out = _tap_out
    for i, (name, kind, note) in enumerate(_results, 1):
        if kind == "ok":
            out.write(f"ok {i} - {name}\n")
        elif kind == "skip":
            out.write(f"ok {i} - {name} # SKIP {note}\n")
        else:
            out.write(f"not ok {i} - {name} # failed in {note}\n")
    if not _results:
        out.write("not ok 1 - no tests collected\n")
        out.write("1..1\n")
    else:
        out.write(f"1..{len(_results)}\n")
    out.flush()
