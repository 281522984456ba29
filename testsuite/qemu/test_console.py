"""Boot the nano-core and use it as a person would: through the console,
and through the ways a boot can go wrong (faults, hangs)."""

import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import launch  # noqa: E402

KERNEL = os.environ.get("THESEUS_NANO_CORE", "")
ARCHIVE = os.environ.get("THESEUS_ARCHIVE") or None
HERE = os.path.dirname(os.path.abspath(__file__))

pytestmark = pytest.mark.skipif(not os.path.isfile(KERNEL), reason="THESEUS_NANO_CORE not built")


def console(*lines, append=""):
    return launch.feed_console(launch.qemu_command(KERNEL, ARCHIVE, append), list(lines))


def test_help_lists_commands():
    code, out = console("help")
    assert code == 0
    assert "commands:" in out
    for name in ("help", "echo", "mem", "shutdown"):
        assert f"\n  {name}" in out


def test_serial_input_is_echoed_back():
    code, out = console("echo hello from the host")
    assert code == 0
    # The line typed is echoed as typed, then the command prints it again.
    assert out.count("hello from the host") == 2


def test_backspace_edits_the_line():
    code, out = console("echo abX\x7fc")
    assert code == 0
    assert "\nabc\n" in out


def test_unknown_command_keeps_console_alive():
    code, out = console("frobnicate", "echo still here")
    assert code == 0
    assert "unknown command: frobnicate" in out
    assert "\nstill here\n" in out


def test_caught_fault_keeps_console_alive():
    code, out = console("fault", "echo after fault")
    assert code == 0
    assert "EXCEPTION 0 (#DE divide error)" in out
    assert "backtrace:" in out
    assert "\nafter fault\n" in out


def test_shutdown_ends_qemu_cleanly():
    code, out = console("shutdown", "echo never typed")
    assert code == 0
    assert "shutting down" in out
    assert "never typed" not in out


def test_mem_shows_usable_memory():
    code, out = console("mem")
    assert code == 0
    assert "usable" in out and "frames free" in out


def test_unhandled_fault_is_reported_and_fails_the_run():
    status, out, _ = launch.run_boot(
        launch.qemu_command(KERNEL, ARCHIVE, "test=fault.unhandled"), timeout=60)
    assert status == launch.EXIT_FAILURE, launch.describe_exit(status)
    assert "EXCEPTION 14 (#PF page fault)" in out
    assert "fault address (cr2)=0x0000000000000008" in out
    assert "backtrace:" in out and "#0 [<0xffffffff8" in out
    assert "KERNEL HALTED" in out


def test_hanging_kernel_is_killed_by_the_harness_timeout():
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "run_ktests.py"), "--kernel", KERNEL,
         "--select", "debug.hang", "--timeout", "5"],
        capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - start
    assert proc.returncode == 1
    assert "not ok 1 - debug.hang # timed out after 5 s" in proc.stdout
    assert elapsed < 60


def test_crashing_test_does_not_hide_the_rest():
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "run_ktests.py"), "--kernel", KERNEL,
         "--select", "fault.unhandled,frames.reuse_and_double_free", "--timeout", "60"],
        capture_output=True, text=True, timeout=300)
    # Tests run in section order: the frames test comes after the crash,
    # so it can only pass if the harness booted again past the crash.
    assert "not ok 1 - fault.unhandled # the kernel reported failure" in proc.stdout
    assert "ok 2 - frames.reuse_and_double_free" in proc.stdout
    assert proc.returncode == 1
