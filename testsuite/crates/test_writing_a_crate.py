"""Replay docs/writing-a-crate.md from an empty folder outside the tree, the
way a reader follows it: every `$` command through ./theseus, the console
lines typed at a running `./theseus run`, every file written as shown, and
every output line the page shows checked (transcript.py has the rules)."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

import transcript

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("THESEUS_BUILD_ROOT", "")
PAGE = os.path.join(ROOT, "docs", "writing-a-crate.md")
COMMAND_TIMEOUT = 300
CONSOLE_TIMEOUT = 60

pytestmark = pytest.mark.skipif(not os.path.isfile(os.path.join(BUILD, "crates.archive")),
                                reason="THESEUS_BUILD_ROOT not built")


def tree_files():
    """{path: mtime} of the source tree, the build folder and git left out."""
    files = {}
    skip = {os.path.realpath(BUILD), os.path.join(ROOT, ".git")}
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders
                         if os.path.realpath(os.path.join(folder, d)) not in skip
                         and d != "__pycache__"]
        for name in names:
            path = os.path.join(folder, name)
            files[path] = os.lstat(path).st_mtime_ns
    return files


class System:
    """`./theseus run` with its console on a pipe, as terminal 1."""

    def __init__(self, command, env):
        self.process = subprocess.Popen(
            ["bash", "-c", command], cwd=ROOT, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.output = b""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.typed_until = 0    # text() offset after the last typed line's echo

    def _read(self):
        while True:
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                return
            with self.lock:
                self.output += chunk

    def text(self, start=0):
        with self.lock:
            return self.output[start:].decode(errors="replace").replace("\r", "")

    def wait_for(self, expected, start, timeout):
        """Until the expected lines appear in order after `start`; the
        first missing line if they do not in time."""
        deadline = time.monotonic() + timeout
        while True:
            missing = transcript.unmatched(expected, self.text(start).splitlines())
            if missing is None or time.monotonic() > deadline or self.process.poll() is not None:
                return missing
            time.sleep(0.05)

    def type(self, line, expected, timeout):
        """Type a console line; the first expected line that did not follow.
        The shell echoes the line after its prompt, but what a task or the
        push receiver prints may come between the two."""
        echo = re.compile(r"(?:theseus> |\n)" + re.escape(line) + r"\n")
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            found = echo.search(self.text(), self.typed_until)
            if found:
                break
            if time.monotonic() > deadline or self.process.poll() is not None:
                return f"(the echo of {line!r})"
            time.sleep(0.05)
        self.typed_until = found.end()
        return self.wait_for(expected, self.typed_until, max(1, deadline - time.monotonic()))

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def substitute(lines, work):
    return [line.replace("$WORK", work) for line in lines]


def test_the_tutorial_replays_from_an_empty_folder_outside_the_tree():
    steps = transcript.parse(open(PAGE).read())
    # The page must still walk the acceptance path of the issue: a new crate
    # outside the tree, its build, a push into `run`, `run greet world`, and
    # a second version pushed and swapped in.
    shown = [(s.kind, s.text) for s in steps]
    for needed in [("shell", "./theseus new greet --dir $WORK"),
                   ("shell", "./theseus build-crate $WORK/greet"),
                   ("start", "./theseus run"),
                   ("shell", "./theseus push $WORK/greet"),
                   ("console", "run greet world")]:
        assert needed in shown, f"the page no longer shows {needed}"
    assert any(s.kind == "console" and s.text == "run greet world"
               and "[greet] info: Hello, world!" in s.expected for s in steps)
    assert any(s.kind == "shell" and s.text.startswith("./theseus push")
               and any("replaced greet" in line for line in s.expected) for s in steps)

    work = tempfile.mkdtemp(prefix="theseus-tutorial-")
    short = tempfile.mkdtemp(prefix="tt-", dir="/tmp")  # a UNIX socket path is short
    env = dict(os.environ, WORK=work, THESEUS_BUILD_DIR=BUILD,
               THESEUS_PUSH_SOCKET=os.path.join(short, "push.sock"))
    assert not os.listdir(work) and not work.startswith(ROOT + os.sep)
    before = tree_files()
    system = None
    try:
        for step in steps:
            where = f"docs/writing-a-crate.md:{step.line}"
            expected = substitute(step.expected, work)
            if step.kind == "check":
                with open(os.path.join(work, step.text)) as written:
                    assert written.read() == "\n".join(step.expected) + "\n", \
                        f"{where}: {step.text} is not what the page shows"
            elif step.kind in ("write", "append"):
                path = os.path.join(work, step.text)
                with open(path, "w" if step.kind == "write" else "a") as out:
                    out.write("\n".join(step.expected) + "\n")
            elif step.kind == "start":
                assert system is None, f"{where}: a second system"
                system = System(step.text, env)
                missing = system.wait_for(expected, 0, CONSOLE_TIMEOUT)
                assert missing is None, f"{where}: {missing!r} never came:\n{system.text()}"
            elif step.kind == "console":
                assert system is not None, f"{where}: no system runs"
                missing = system.type(step.text, expected, CONSOLE_TIMEOUT)
                assert missing is None, (f"{where}: after {step.text!r}, {missing!r} never "
                                         f"came:\n{system.text()[-3000:]}")
            else:
                done = subprocess.run(["bash", "-c", step.text], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, timeout=COMMAND_TIMEOUT)
                lines = done.stdout.splitlines()
                missing = transcript.unmatched(expected, lines)
                assert missing is None, f"{where}: {step.text}: {missing!r} is not in:\n{done.stdout}"
                # A command fails exactly when the page shows it failing.
                fails = any("error:" in line for line in step.expected)
                assert (done.returncode != 0) == fails, \
                    f"{where}: {step.text} exited {done.returncode}:\n{done.stdout}"
    finally:
        if system is not None:
            system.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(short, ignore_errors=True)
    assert tree_files() == before, "the tutorial wrote into the source tree"
