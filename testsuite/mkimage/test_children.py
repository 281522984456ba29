"""A guest does not outlive the process that started it: a test runner
killed at its timeout must not leave QEMU running (theseus_image/children.py)."""

import os
import signal
import subprocess
import textwrap
import time

from harness import PYTHON, REPO

# Starts a stand-in QEMU the way the harness starts QEMU, prints its pid
# and waits to be killed.
PARENT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {mkimage!r})
    from theseus_image import launch
    guest = launch.Guest(["/bin/sh", "-c", "exec sleep 600", "qemu"])
    print(guest.proc.pid, flush=True)
    time.sleep(600)
""")


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_guest_dies_with_its_killed_parent():
    parent = subprocess.Popen([PYTHON, "-c", PARENT.format(mkimage=str(REPO / "mkimage"))],
                              stdout=subprocess.PIPE, start_new_session=True)
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child), f"guest {child} outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        try:
            os.kill(child, signal.SIGKILL)
        except (NameError, ProcessLookupError):
            pass
