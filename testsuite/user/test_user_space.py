"""User space under QEMU (docs/user-space.md): Debian's busybox-static,
unmodified, and the test programs of testsuite/user run in ring 3 from
the shell's `exec`; faulting programs end alone with an error status and
everything they owned is freed; system calls answer as Linux does."""

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "mkimage"))
from theseus_image import launch  # noqa: E402

KERNEL = os.environ.get("THESEUS_NANO_CORE", "")
ARCHIVE = os.environ.get("THESEUS_ARCHIVE") or None

pytestmark = pytest.mark.skipif(not os.path.isfile(KERNEL), reason="THESEUS_NANO_CORE not built")


# The first prompt is where low-priority boot tasks (the scrubber) print
# their load lines, into the echo of whatever is typed first: a sleep.
SETTLE = "sleep 200"


def console(*lines):
    code, out = launch.feed_console(launch.qemu_command(KERNEL, ARCHIVE, ""), [SETTLE, *lines])
    assert code == 0, out
    return out


def answer(out, command):
    """What the shell printed for `command` (up to the next prompt)."""
    marker = f"theseus> {command}\n"
    assert marker in out, f"no prompt for {command!r} in:\n{out}"
    return out.split(marker, 1)[1].split("theseus> ", 1)[0]


def last_answer(out, command):
    """What the shell printed for the last `command` typed."""
    marker = f"theseus> {command}\n"
    assert marker in out, f"no prompt for {command!r} in:\n{out}"
    return out.rsplit(marker, 1)[1].split("theseus> ", 1)[0]


def free_frames(text):
    return int(re.search(r"free\s+(\d+) KiB", text).group(1))


# Free memory before and after may differ by a frame or two that other
# tasks took or gave back (the timer, live_update, a reaped task); a
# process left behind would keep at least its 512 KiB stack.
FRAME_SLACK_KIB = 16


# Paths the image's tree does not have (crates/image_files).
NOT_IN_THE_TREE = ("/etc/", "/bin/", "//etc", "/etc/motd/x", "/bin/etc")


@pytest.fixture(scope="module")
def session():
    """One boot for the whole suite (TCG boots are slow)."""
    return console(
        "mem",
        "exec busybox echo hello",
        'exec busybox sh -c "echo $((6*7))"',
        "exec null_write",
        "echo alive after null_write",
        "exec kernel_pointer",
        "exec stack_overflow",
        "echo alive after stack_overflow",
        "exec syscalls",
        "exec pie_hello",
        "exec busybox cat /etc/motd",
        "exec busybox wc /etc/motd",
        "exec busybox ls /bin",
        "exec busybox ls -l /etc",
        "exec busybox ls /",
        "exec busybox ls /etc",
        "exec busybox cat /about /etc/hostname",
        *(f"exec busybox cat {path}" for path in NOT_IN_THE_TREE),
        "exec busybox cat /etc/no_such_file",
        "exec mem_limit",
        "exec busybox echo still here",
        "exec no_such_program",
        "mem",
        "exec getpid_loop",
        # The system call server is a crate reached by a named reference:
        # a fresh copy swapped in serves the next program.
        "restart process",
        "exec busybox echo after restart",
        # A fault in the server ends the program that called (SIGSYS), not
        # the system; with the repair policy the next program runs.
        "recover none",
        "inject process process_syscall",
        "exec busybox echo injected",
        "recover repair",
        "restart process",
        "exec busybox echo back again",
        "shutdown",
    )


def test_busybox_echo_hello(session):
    out = answer(session, "exec busybox echo hello")
    assert out.startswith("hello\n"), out
    assert re.search(r"exec: pid \d+ exited with status 0 \(\d+ system calls\)", out), out


def test_busybox_sh_arithmetic(session):
    out = answer(session, 'exec busybox sh -c "echo $((6*7))"')
    assert out.startswith("42\n"), out
    assert "exited with status 0" in out


def test_null_write_is_killed_alone(session):
    out = answer(session, "exec null_write")
    assert "null_write: writing through NULL" in out
    assert "still running" not in out
    assert re.search(r"killed by signal 11 \(status 139\): SIGSEGV: #PF page fault at rip 0x[0-9a-f]+, "
                     r"address 0x0 \(not present write\)", out), out
    assert answer(session, "echo alive after null_write").strip() == "alive after null_write"


def test_kernel_pointer_gets_efault(session):
    out = answer(session, "exec kernel_pointer")
    assert ("write(kernel text)=-14 write(physmap)=-14 write(unmapped)=-14 "
            "write(past the top)=-14") in out, out
    # The program exits 3 exactly when every write was refused with -EFAULT.
    assert "exited with status 3" in out, out
    assert "EXCEPTION" not in out  # no kernel fault report


def test_stack_overflow_is_killed_alone(session):
    out = answer(session, "exec stack_overflow")
    assert "stack_overflow: recursing" in out
    assert re.search(r"killed by signal 11 \(status 139\): SIGSEGV: #PF page fault .*not present write", out), out
    assert answer(session, "echo alive after stack_overflow").strip() == "alive after stack_overflow"


def test_syscall_semantics(session):
    out = answer(session, "exec syscalls")
    assert "syscalls: FAILED" not in out, out
    assert re.search(r"syscalls: \d+ ok, 0 failed", out), out
    assert "exited with status 0" in out


def test_static_pie_runs_at_the_pie_base(session):
    out = answer(session, "exec pie_hello")
    assert re.search(r"pie_hello: static-pie runs at 0x00000000004[0-9a-f]{5}\n", out), out
    assert "exited with status 0" in out


MOTD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "motd.txt")


def test_busybox_reads_files_of_the_image(session):
    text = open(MOTD).read()
    out = answer(session, "exec busybox cat /etc/motd")
    assert out.startswith(text) and "exited with status 0" in out, out
    words, size = len(text.split()), len(text.encode())
    out = answer(session, "exec busybox wc /etc/motd")
    assert re.match(rf"\s*{text.count(chr(10))}\s+{words}\s+{size} /etc/motd\n", out), out
    out = answer(session, "exec busybox cat /etc/no_such_file")
    assert "cat: can't open '/etc/no_such_file': No such file or directory" in out
    assert "exited with status 1" in out


def test_busybox_lists_the_image(session):
    listing = answer(session, "exec busybox ls /bin").split("exec: ", 1)[0].split()
    for name in ("busybox", "syscalls", "null_write", "pie_hello"):
        assert name in listing, listing
    out = answer(session, "exec busybox ls -l /etc")
    assert re.search(r"-r--r--r-- +1 0 +0 +%d .* motd\n" % os.path.getsize(MOTD), out), out
    # The root: bin, each directory once, the top-level files.
    assert answer(session, "exec busybox ls /").split("exec: ", 1)[0].split() == ["about", "bin", "etc"]
    assert answer(session, "exec busybox ls /etc").split("exec: ", 1)[0].split() == ["hostname", "motd"]
    out = answer(session, "exec busybox cat /about /etc/hostname")
    assert out.startswith("A top-level data file of the boot image.\ntheseus\n"), out
    for path in NOT_IN_THE_TREE:
        out = answer(session, f"exec busybox cat {path}")
        assert "exited with status 1" in out, (path, out)


def test_the_memory_limit_refuses_cleanly(session):
    out = answer(session, "exec mem_limit")
    assert "mem_limit: mmap(128 MiB)=-12 brk(+1 GiB) kept the break: yes mmap(8 MiB) ok" in out, out
    assert "exited with status 0" in out


def test_the_system_keeps_running_and_frees_what_processes_owned(session):
    assert answer(session, "exec busybox echo still here").startswith("still here\n")
    assert "not run: E_NOENT: no_such_program: no such program in the image" in \
        answer(session, "exec no_such_program")
    # Every frame a process took (page tables, image, stack, heap) came back.
    before = free_frames(answer(session, "mem"))
    after = free_frames(session.split("theseus> mem\n")[2])
    assert abs(after - before) <= FRAME_SLACK_KIB, (before, after)
    assert "shutting down" in session


def test_null_system_call_cost_is_reported(session):
    out = answer(session, "exec getpid_loop")
    assert re.search(r"getpid_loop: \d+ cycles per getpid", out), out
    assert "exited with status 0 (100004 system calls)" in out


def test_restarted_server_serves_the_next_program(session):
    assert "restarted process" in answer(session, "restart process")
    out = answer(session, "exec busybox echo after restart")
    assert out.startswith("after restart\n") and "exited with status 0" in out, out


def test_server_fault_ends_only_the_calling_program(session):
    out = answer(session, "exec busybox echo injected")
    assert "injected\n" not in out
    assert re.search(r"killed by signal 31 \(status 159\): SIGSYS: system call \d+: exception 3", out), out
    out = answer(session, "exec busybox echo back again")
    assert out.startswith("back again\n") and "exited with status 0" in out, out


def test_live_swap_of_the_server_under_a_running_program():
    """While count_lines writes numbered lines (one write each), the crate
    that serves write is swapped for its alternative: no line is lost or
    repeated, and the lines after the swap say the new version served.
    The program goes on until it has seen the new version for 5 lines (at
    most 600 lines, then it exits 1), so the swap need not race it."""
    out = console("spawn launcher count_lines swap", "sleep 300", "swap process process_v2", "sleep 3000",
                  "exec busybox uname -v", "shutdown")
    assert "swapped process -> process_v2" in out, out
    lines = re.findall(r"count_lines: line (\d+) \(#1 Theseus-in-C process (\d)\.0\.0\)", out)
    assert [int(n) for n, _ in lines] == list(range(1, len(lines) + 1)), out
    versions = [v for _, v in lines]
    assert "2" in versions and versions.index("2") > 0, f"the swap did not land while it ran: {versions}"
    first_v2 = versions.index("2")
    assert set(versions[:first_v2]) == {"1"} and versions[first_v2:] == ["2"] * 5, versions
    assert re.search(r"exec: pid \d+ exited with status 0 \(\d+ system calls\)", out), out
    assert answer(out, "exec busybox uname -v").startswith("#1 Theseus-in-C process 2.0.0\n")


def test_killing_the_task_of_a_running_program_frees_the_process():
    """`kill ID` of a task that is running a program (switched out in ring
    3): the task goes, and so does the process: its pages come back."""
    g = launch.Guest(launch.qemu_command(KERNEL, ARCHIVE, ""))
    try:
        def type_line(line):
            since = g.output.rfind(launch.PROMPT)
            assert g.send(line.encode() + b"\n")
            assert g.read_until(lambda buf: launch.answered(buf, line.encode(), since), 60) == "match", g.output
            return g.output.decode(errors="replace").replace("\r", "")

        assert g.read_until(lambda buf: launch.PROMPT in buf, 60) == "match", g.output
        type_line(SETTLE)
        before = free_frames(answer(type_line("mem"), "mem"))
        out = type_line("spawn launcher count_lines 1000")
        task = re.search(r"spawned task (\d+) \(launcher\)", out).group(1)
        type_line("sleep 300")
        # count_lines writes while we type: its lines may split the echo
        # of the command, so look at everything after it was typed.
        start = len(g.output.decode(errors="replace").replace("\r", ""))
        listed = type_line("ps")[start:]
        out = type_line(f"kill {task}")
        type_line("sleep 100")
        after_kill = last_answer(type_line("ps"), "ps")
        out = type_line("exec busybox echo after kill")
        out = type_line("mem")
    finally:
        g.kill()
    assert re.search(r"\n\d+ +count_lines +\d+ +\d+\n", listed), listed
    assert "count_lines" not in after_kill, after_kill
    assert re.search(r"user: count_lines \(pid \d+\) ended with its task; \d+ pages freed", out), out
    assert "after kill\nexec: pid" in out
    after = free_frames(out.rsplit("theseus> mem\n", 1)[1])
    assert abs(after - before) <= FRAME_SLACK_KIB, (before, after)


def test_programs_run_side_by_side():
    """A program on a task of its own while the shell runs others: each
    keeps its address space, FS base and SSE registers across switches."""
    out = console("spawn launcher count_lines 20", "exec syscalls", 'exec busybox sh -c "echo $((6*7))"',
                  "sleep 2000", "shutdown")
    lines = re.findall(r"count_lines: line (\d+) of 20 ", out)
    assert [int(n) for n in lines] == list(range(1, 21)), out
    # The two programs share the console: a count_lines line can land in
    # the middle of another program's line. Take them out to read the rest.
    rest = re.sub(r"count_lines: line \d+ of 20 \([^)\n]*\)\n", "", out)
    assert re.search(r"syscalls: \d+ ok, 0 failed", rest), out
    assert "\n42\n" in rest
    assert len(re.findall(r"exec: pid \d+ exited with status 0", out)) == 3, out
