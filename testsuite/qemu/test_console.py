"""Boot the nano-core and use it as a person would: through the console,
and through the ways a boot can go wrong (faults, hangs)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "mkimage"))
from theseus_image import launch  # noqa: E402

KERNEL = os.environ.get("THESEUS_NANO_CORE", "")
ARCHIVE = os.environ.get("THESEUS_ARCHIVE") or None
ISO = os.environ.get("THESEUS_ISO", "")
HERE = os.path.dirname(os.path.abspath(__file__))

pytestmark = pytest.mark.skipif(not os.path.isfile(KERNEL), reason="THESEUS_NANO_CORE not built")


# The nano-core's own console answers when the entry crate cannot start.
FALLBACK = "entry=no_such_entry_symbol"

# A line a task started at boot prints (the scrubber's load, on a loaded
# host) can land in the echo of the first command typed; a sleep typed
# first takes it, as in testsuite/user. The fallback console has neither
# boot tasks nor sleep.
SETTLE = "sleep 200"


def console(*lines, append=""):
    first = [] if append == FALLBACK else [SETTLE]
    return launch.feed_console(launch.qemu_command(KERNEL, ARCHIVE, append), first + list(lines))


def uptime_ticks(out):
    """The tick counts of the `uptime` lines in out, in order."""
    return [int(l.split(", ")[1].split()[0]) for l in out.splitlines() if l.startswith("up ")]


def test_boot_links_the_shell_on_demand():
    code, out = console("crates")
    assert code == 0
    assert "loaded shell 1.0.0 (explicit request for symbol shell_main)" in out
    assert "loaded fmt 1.0.0 (needed by shell for " in out
    assert "Theseus shell." in out
    # Only what the shell needs is loaded at boot: no application, no
    # alternative, no test crate.
    listing = out.split("theseus> crates", 1)[1]
    assert "\nshell " in listing and "\nfmt " in listing and "\ntask " in listing
    for absent in ("hello", "hello_v2", "sched_prio", "channel", "ktest_cycle_a"):
        assert f"\n{absent} " not in listing


def test_help_lists_commands():
    code, out = console("help")
    assert code == 0
    assert "shell commands:" in out
    for name in ("help", "crates", "deps", "syms", "load", "unload", "run", "swap", "tasks",
                 "spawn", "kill", "mem", "uptime", "sleep", "shutdown"):
        assert f"\n  {name}" in out


def test_core_os_tour_crates_tasks_spawn_mem_shutdown():
    # The acceptance sequence of the core-OS issue, as a user types it.
    code, out = console("crates", "tasks", "spawn hello", "mem", "shutdown")
    assert code == 0
    assert "theseus> crates\n" in out and "theseus> tasks\n" in out, out
    crates = out.split("theseus> crates", 1)[1].split("theseus> tasks", 1)[0]
    for name in ("shell", "task", "memory", "heap", "timer", "interrupts", "sched_rr"):
        assert f"\n{name} " in crates
    assert "\nhello " not in crates  # not needed until spawned
    tasks = out.split("theseus> tasks", 1)[1].split("theseus> spawn", 1)[0]
    assert "kernel" in tasks and "running" in tasks and "idle" in tasks
    # A spawned task runs beside the shell: spawn waits a moment for a short
    # program, but on a starved host its output may follow the next prompt.
    spawn = out.split("theseus> spawn hello", 1)[1]
    assert "spawned task" in spawn.split("theseus> mem", 1)[0]
    assert "loaded hello 1.0.0 (explicit request for symbol hello_main)" in spawn
    assert "[hello] info: Hello from hello 1.0.0" in spawn
    mem = out.split("theseus> mem", 1)[1]
    assert "frames:" in mem and "heap:" in mem and "pages mapped" in mem
    assert "shutting down" in out


def test_spawn_swap_spawn_shows_both_versions():
    # The swap must find hello loaded: wait for the first task's greeting,
    # which a starved host may print after the prompt.
    c = launch.Console(launch.qemu_command(KERNEL, ARCHIVE))
    try:
        c.wait_for("theseus> ")
        c.type("spawn hello")
        c.wait_for("Hello from hello 1.0.0")
        assert "swapped hello -> hello_v2" in c.type("swap hello hello_v2")
        c.type("spawn hello")
        c.wait_for("Hello from hello 2.0.0 with 0 arguments")
    finally:
        c.close()


def test_a_line_cut_by_the_end_of_its_session_is_dropped_not_run():
    """A console session that ends (a fault, a kill) while it reads a line
    takes the keys it read with it. The rest of that line must not run in
    the next session as a command of its own ("unload hello" cut after
    "un" would be "load hello"): the shell drops it up to Enter and says
    so. A line the dead session never began is left whole to the next."""
    ended = "shell: the console session ended (killed); starting a new one"

    def new_session_prompt(c, nth):
        """Until the nth new session has printed its prompt."""
        how = c.guest.read_until(
            lambda buf: buf.count(ended.encode()) >= nth and b"theseus> " in buf.rsplit(ended.encode(), 1)[1],
            60)
        assert how == "match", c.output()

    c = launch.Console(launch.qemu_command(KERNEL, ARCHIVE))
    try:
        c.wait_for("theseus> ")
        c.type(SETTLE)
        c.type("spawn faulty kill-session")  # kills the session 500 ticks on
        assert c.guest.send(b"un")  # half a line, then the session dies
        c.wait_for(ended)
        c.wait_for("the rest of it, up to Enter, is dropped")
        assert c.guest.send(b"load hello\n")
        c.wait_for('shell: dropped the rest of the cut line (10 keys): "load hello"')
        new_session_prompt(c, 1)
        out = c.type("crates")
        assert "\nhello " not in out, out  # "load hello" never ran
        # A session killed at its prompt, before a key of the next line:
        # nothing is dropped, and the line typed after it runs.
        c.type("spawn faulty kill-session")
        new_session_prompt(c, 2)
        answer = c.type("uptime")
        assert re.search(r"^up \d+\.\d+ s, ", answer, re.M), answer
        assert c.output().count("is dropped") == 1
        # Keys typed and all rubbed out leave no line open: nothing of the
        # next line is dropped.
        c.type("spawn faulty kill-session")
        assert c.guest.send(b"ab\x7f\x7f")
        new_session_prompt(c, 3)
        answer = c.type("echo kept")
        assert answer.startswith("\nkept\n"), answer
        assert c.output().count("is dropped") == 1
        assert "unknown command" not in c.output()
    finally:
        c.close()


def test_an_overlong_line_is_refused_not_run_cut_short():
    """A line longer than the shell holds would run clipped (its last
    argument cut): it is refused, and the next line runs."""
    code, out = console("echo " + "y" * 200, "echo " + "z" * 123, "echo ok")
    assert code == 0
    assert "shell: the line is too long (205 characters, at most 128): not run" in out
    assert "\n" + "y" * 123 + "\n" not in out  # the cut line never ran
    assert "\n" + "z" * 123 + "\n" in out  # 128 characters: whole, and run
    assert "\nok\n" in out


def test_a_line_written_over_by_another_task_is_drawn_again_below():
    """Another task prints while a line is half typed: the editor draws
    the prompt and what was typed again below that output, so the user
    sees the whole line, and the line runs as typed."""
    c = launch.Console(launch.qemu_command(KERNEL, ARCHIVE))
    try:
        c.wait_for("theseus> ")
        c.type(SETTLE)
        c.type("spawn faulty late")  # prints its line 500 ticks on
        assert c.guest.send(b"echo ha")
        c.wait_for("faulty ran 1 time")
        # The redraw follows the foreign line without a key typed.
        how = c.guest.read_until(lambda buf: buf.rsplit(b"faulty ran 1 time", 1)[1].count(b"theseus> echo ha") == 1, 30)
        assert how == "match", c.output()
        assert c.guest.send(b"lf\n")
        c.wait_for("\nhalf\r\n")
        # The message began a line of its own, and the line came back whole.
        assert "theseus> echo ha\n[faulty] info: faulty ran 1 time\ntheseus> echo half\nhalf\n" in c.output(), c.output()
    finally:
        c.close()


def test_a_swap_prints_its_lines_in_order_after_its_window():
    # Output is held while a swap has interrupts off, then sent in order.
    code, out = console("load hello", "swap hello hello_v2", "restart timer", "uptime")
    assert code == 0
    swap = out.split("theseus> swap hello hello_v2\n", 1)[1].split("theseus> ", 1)[0]
    assert re.fullmatch(r"linker: loaded hello_v2 2\.0\.0 \(explicit request\) text \d+ data\+bss 0 relocs \d+\n"
                        r"linker: unloaded hello\n"
                        r"swapped hello -> hello_v2 \(swapped in \d+ cycles with interrupts off\)\n", swap), swap
    restart = out.split("theseus> restart timer\n", 1)[1].split("theseus> ", 1)[0]
    assert restart.startswith("linker: loaded timer 1.0.0"), restart
    assert "linker: unloaded timer\nrestarted timer: swapped in " in restart, restart
    assert "state handed over by timer_save and timer_migrate" in restart
    # The TSC figure was handed over, not measured again in the window.
    assert "[timer] info: PIT channel 0" not in restart, restart
    assert len(uptime_ticks(out)) == 1


def test_uptime_advances_and_kill_reports_errors():
    # Two uptimes a moment apart may read the same tick; a sleep between them
    # makes the difference certain (the timer runs at 1000 Hz).
    code, out = console("uptime", "sleep 20", "uptime", "sleep x", "kill 99999", "kill 257", "kill x")
    assert code == 0
    ups = [l for l in out.splitlines() if l.startswith("up ")]
    assert len(ups) == 2
    ticks = [int(l.split(", ")[1].split()[0]) for l in ups]
    assert ticks[1] >= ticks[0] + 20
    assert "usage: sleep MS" in out
    assert "kill: no such task" in out
    assert "kill: the boot and idle tasks cannot be killed (the console session can: it is restarted)" in out
    assert "usage: kill ID" in out


def crate_refs(listing, name):
    """The refs column of `name` in a `crates` listing, or None if absent."""
    for line in listing.splitlines():
        fields = line.split()
        if fields and fields[0] == name:
            return int(fields[4])
    return None


def test_killing_a_task_inside_an_app_call_releases_the_crate(tmp_path):
    """The strong reference an application call holds on its crate lives
    on the task's stack: a kill drops it, so the crate can be unloaded.
    live_update serves COM2 until killed (the push socket gives it a COM2
    and starts one; the test starts another)."""
    workdir = tempfile.mkdtemp(prefix="theseus-kill-", dir="/tmp")  # short socket path
    c = launch.Console(launch.qemu_command(KERNEL, ARCHIVE, push_socket=os.path.join(workdir, "push.sock")))
    try:
        c.wait_for("theseus> ")
        c.type("spawn live_update")
        c.wait_for("live_update: listening on COM2", count=2)
        tasks = [int(line.split()[0]) for line in c.type("tasks").splitlines()
                 if line.split()[1:2] == ["live_update"]]
        assert len(tasks) == 2
        assert crate_refs(c.type("crates"), "live_update") == 2
        assert "crate has strong references: 2 (E_BUSY)" in c.type("unload live_update")
        assert "killed" in c.type(f"kill {tasks[0]}")
        assert crate_refs(c.type("crates"), "live_update") == 1
        assert "killed" in c.type(f"kill {tasks[1]}")
        assert crate_refs(c.type("crates"), "live_update") == 0
        assert "unloaded" in c.type("unload live_update")
        assert crate_refs(c.type("crates"), "live_update") is None
    finally:
        c.close()
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_console_session_is_supervised():
    """The shell's session is a task the entry supervises: killed, or ended
    by a fault that unwound it, it is replaced and the console answers."""
    code, out = console("tasks", "kill 256", "echo still", "tasks", append="recover=none")
    assert code == 0
    assert "kill: the boot and idle tasks cannot be killed" in out and "\nstill\n" in out
    # The session's id, read in the same boot that kills it.
    c = launch.Console(launch.qemu_command(KERNEL, ARCHIVE))
    try:
        c.wait_for("theseus> ")
        session = next(l.split()[0] for l in c.type("tasks").splitlines() if "shell_session" in l)
        c.type(f"kill {session}")
        c.wait_for("starting a new one")
        assert "\nback\n" in c.type("echo back")
        assert "timer ticks at" in c.type("uptime")
        out = c.output()
    finally:
        c.close()
    assert "shell: the console session ended (killed); starting a new one" in out
    assert out.count("Theseus shell.") == 1  # the entry itself went on


def test_run_loads_the_application_on_first_use():
    code, out = console("run hello one two", "run hello")
    assert code == 0
    first, second = out.split("theseus> run hello one two", 1)[1].split("theseus> run hello", 1)
    assert "loaded hello 1.0.0 (explicit request for symbol hello_main)" in first
    assert "[hello] info: Hello from hello 1.0.0, args: one two" in first
    assert "loaded hello" not in second
    assert "[hello] info: Hello from hello 1.0.0" in second


def test_deps_and_syms_describe_the_link_graph():
    code, out = console("load hello", "deps hello", "deps log --sections", "syms log")
    assert code == 0
    assert "  log log_line (1 relocation)" in out
    assert "log:.text.log_write -> nano_core:(export) kernel_console_write" in out
    assert "hello:.text.hello_main -> log:.text.log_line log_line" in out
    assert "log_write" in out and "0xffffffffc" in out


def test_unload_is_refused_while_used_and_then_allowed():
    code, out = console("load fmt", "unload fmt", "unload hello", "load hello",
                        "unload hello", "crates")
    assert code == 0
    assert "\nalready loaded\n" in out
    assert "unload fmt: crate fmt: " in out and "crate is depended on by crate" in out and "(E_BUSY)" in out
    assert "unload hello: not loaded" in out
    assert out.count("\nunloaded\n") == 1
    assert "\nhello " not in out.split("theseus> crates", 1)[1]


def test_swap_replaces_an_application_without_reboot():
    code, out = console("run hello a b", "swap hello hello_v2", "run hello a b", "swap hello_v2 nosuch",
                        "swap shell fmt", "crates --all")
    assert code == 0
    assert "[hello] info: Hello from hello 1.0.0, args: a b" in out
    assert "swapped hello -> hello_v2 (swapped in " in out
    assert "[hello] info: Hello from hello 2.0.0 with 2 arguments" in out
    assert "swap hello_v2: crate nosuch: no such crate in the archive (E_NOENT)" in out
    # The shell runs the command: a helper waits for it to step aside,
    # finds that fmt does not serve the shell's interface, and says so; the
    # shell starts again as it was.
    assert "swap shell: the calling context is executing in it: a helper task replaces it" in out
    assert "evolution: shell not replaced by fmt once its caller stepped aside: crate fmt: symbol shell_main: " \
        "missing from the replacement" in out
    listing = out.split("theseus> crates --all", 1)[1]
    assert re.search(r"^hello +1\.0\.0   \(in archive\)$", listing, re.M), listing
    assert re.search(r"^hello_v2 +2\.0\.0 ", listing, re.M), listing


def test_history_and_swap_counts():
    code, out = console("history", "run hello", "swap hello hello_v2", "swap hello_v2 nosuch",
                        "swap hello_v2 hello", "crates", "history")
    assert code == 0
    assert "no swaps yet" in out
    listing = out.split("theseus> crates", 1)[1].split("theseus> history", 1)[0]
    hello = [l for l in listing.splitlines() if l.startswith("hello ")][0]
    assert hello.split()[6] == "2"  # swaps column: out once, back in once
    history = out.rsplit("theseus> history", 1)[1]
    assert "1. swap hello -> hello_v2: done in " in history
    assert "2. swap hello_v2 -> nosuch: E_NOENT in " in history
    assert "3. swap hello_v2 -> hello: done in " in history


def test_state_survives_a_swap_through_the_state_store_and_migration():
    code, out = console("run counter", "run counter", "swap counter counter_v2", "run counter",
                        "swap counter_v2 counter", "run counter")
    assert code == 0
    assert "counter 1.0.0: run 1" in out and "counter 1.0.0: run 2" in out
    assert "swapped counter -> counter_v2" in out
    # The hook converted the old format; the count goes on.
    assert "counter 2.0.0: run 3 (1 since the upgrade)" in out
    # Version 1 cannot read version 2's state: its hook refuses, the swap is undone.
    assert "swap counter_v2: counter_migrate(2) failed (E_INVAL); the swap was undone" in out
    assert "counter 2.0.0: run 4 (2 since the upgrade)" in out


def test_an_injected_fault_is_contained_and_a_restart_mends_the_crate():
    # recover=none: faults only unwind, so the breakpoint stays until a restart.
    code, out = console("run hello a", "inject hello hello_main", "run hello b", "spawn hello",
                        "restart hello", "run hello c", "crates", "inject hello nosuch", "inject hello",
                        "restart nosuch", "restart shell", "echo alive", append="recover=none")
    assert code == 0
    assert "fault armed in hello: the next call of hello_main faults" in out
    # The fault is contained where the caller runs: the shell's call, a task.
    # The report names the crate, its version, the function and the offset.
    assert "run hello: hello_main faulted: exception 3 (#BP breakpoint) in crate hello 1.0.0 at hello_main+0x1" in out
    assert "[task] error: hello: hello_main faulted: exception 3" in out
    assert "Hello from hello 1.0.0, args: b" not in out
    assert "restarted hello: swapped in " in out
    assert "[hello] info: Hello from hello 1.0.0, args: c" in out
    listing = out.split("theseus> crates", 1)[1].split("theseus> inject hello nosuch", 1)[0]
    assert next(l for l in listing.splitlines() if l.startswith("hello ")).endswith("[restarted]")
    assert "inject hello: hello does not export nosuch" in out
    assert "usage: inject CRATE SYMBOL" in out
    assert "restart nosuch: not loaded" in out
    assert "restart shell: the calling context is executing in it: a helper task replaces it" in out
    assert "evolution: shell replaced by shell once its caller stepped aside: swapped in " in out
    assert "\nalive\n" in out


def test_recover_restart_restarts_a_crate_that_faulted():
    # A bounds trap is no code corruption: nothing to repair, the call
    # unwinds, and recover=restart restarts the crate (fresh .bss: the count
    # starts again).
    code, out = console("run faulty", "run faulty", "run faulty bounds", "run faulty", "spawn faulty bounds",
                        "sleep 50", "run faulty", append="recover=restart")
    assert code == 0
    assert "[faulty] info: faulty ran 2 times" in out
    assert ("run faulty: faulty_main faulted: exception 6 (#UD invalid opcode) in crate faulty 1.0.0 at "
            "faulty_main+0x") in out
    assert "; crate faulty restarted" in out
    # The policy is the recovery crate's, which says what it did.
    assert "[recover] info: crate faulty 1.0.0 faulted (exception 6) at faulty_main+0x" in out
    assert "; restarted it\n" in out
    after = out.split("theseus> run faulty bounds", 1)[1]
    assert "[faulty] info: faulty ran 1 time\n" in after
    # The same for a task: it ends with the fault, the crate is restarted.
    assert "[task] error: faulty: faulty_main faulted: exception 6 (#UD invalid opcode)" in out
    assert out.rsplit("theseus> run faulty", 1)[1].count("faulty ran 1 time") == 1
    # The restart runs on the faulted task's stack with timer ticks nesting
    # on it: that must fit (it once overflowed into a double fault).
    assert "#DF" not in out and "paused for" not in out, out


def test_without_recover_a_faulted_crate_stays_broken_until_restarted():
    code, out = console("inject hello hello_main", "run hello", "load hello", "inject hello hello_main",
                        "run hello", "run hello", append="recover=none")
    assert code == 0
    assert "crate hello restarted" not in out and "repaired" not in out
    # The policy still says what it decided: nothing but the unwinding.
    assert out.count("[recover] info: crate hello 1.0.0 faulted (exception 3) at hello_main+0x1; "
                     "the call was unwound") == 2
    assert out.count("hello_main faulted: exception 3") == 2


def test_corrupt_code_is_repaired_and_the_call_goes_on():
    """The default policy: a fault whose cause is corrupt code (here an
    injected breakpoint) has the crate's code rebuilt from its image and
    the instruction run again: the call never notices. In the core crates
    too, on interrupt and scheduler paths."""
    code, out = console("run hello a", "inject hello hello_main", "run hello b",
                        "inject fmt fmt_u64", "uptime",
                        "inject timer timer_on_irq", "sleep 100",
                        "inject pqueue pq_pop", "sleep 100",
                        "inject interrupts interrupts_dispatch", "sleep 100",
                        "inject task waitq_wake_all", "spawn hello", "sleep 50", "uptime",
                        append="scrub=0")  # no patrol: each fault is met by its call
    assert code == 0
    for where in ("hello hello_main+0x0", "fmt fmt_u64+0x0", "timer timer_on_irq+0x0", "pqueue pq_pop+0x0",
                  "interrupts interrupts_dispatch+0x0", "task waitq_wake_all+0x0"):
        assert (f"at {where}: 1 bytes of its code differed from the crate's image; repaired and resumed"
                in out), where
    assert "[hello] info: Hello from hello 1.0.0, args: b" in out
    assert "faulted" not in out
    ticks = [int(l.split()[3]) for l in out.splitlines() if l.startswith("up ") and "timer ticks" in l]
    assert len(ticks) == 2 and ticks[1] >= ticks[0] + 300, ticks


def test_restarting_the_core_crates_keeps_the_system_running():
    """memory hands its record of every mapping to the fresh instance
    (memory_save/memory_migrate through the swap's handover), so the
    stacks and slabs of running tasks stay valid; the timer hands over its
    tick count."""
    code, out = console("spawn hello", "restart memory", "mem", "spawn hello", "sleep 100", "uptime",
                        "restart timer", "sleep 50", "uptime", "restart sched_rr", "restart pqueue",
                        "sleep 20", "restart fmt", "restart log", "uptime", "history")
    assert code == 0
    assert "restarted memory: swapped in " in out
    assert "state handed over by memory_save and memory_migrate" in out
    assert "state handed over by timer_save and timer_migrate" in out
    assert out.count("[hello] info: Hello from hello 1.0.0") == 2
    mem = out.split("theseus> mem", 1)[1].split("theseus> ", 1)[0]
    assert "live" in mem and "of which stacks" in mem
    ticks = uptime_ticks(out)
    assert len(ticks) == 3 and ticks[0] >= 100 and ticks[1] >= ticks[0] + 50 and ticks[2] >= ticks[1] + 20, ticks
    for crate in ("memory", "timer", "sched_rr", "pqueue", "fmt", "log"):
        assert f"swap {crate} -> {crate} (restarted): done in " in out, crate
    assert "EXCEPTION" not in out and "KERNEL HALTED" not in out


def test_evolve_all_under_the_workload_loses_nothing():
    """Issue 16's acceptance, as far as it holds: with the self-checking
    workload running (allocations, a channel, a sleeper), `evolve all`
    replaces every crate it can and back; the workload then reports no
    message lost, duplicated or reordered, no block corrupted, refused or
    leaked, no task stuck (a missed wake-up), and time never ran back; the
    shell still answers. The crates refused are named with their reason."""
    code, out = console("run workload start", "sleep 200", "evolve all", "run workload status",
                        "run workload stop", "uptime")
    assert code == 0
    assert "[workload] info: started:" in out
    assert "[workload] info: verdict ok: 0 lost, 0 duplicated, 0 corrupt, 0 refused, 0 leaked, 0 stuck, 0 ran back" \
        in out, out[-3000:]
    ran = re.search(r"\[workload\] info: ran: (\d+) blocks, (\d+) of (\d+) messages received, (\d+) wake-ups", out)
    assert ran, out[-2000:]
    blocks, received, sent, wakeups = map(int, ran.groups())
    assert blocks > 100 and sent > 100 and received == sent and wakeups > 100, ran.group(0)
    replaced = re.search(r"evolve: (\d+) of (\d+) crates replaced and back", out)
    assert replaced and int(replaced.group(1)) >= 16, replaced and replaced.group(0)
    for crate in ("heap", "memory", "timer", "interrupts", "state_store", "fmt", "log", "sched_rr", "channel",
                  "task", "evolution", "workload"):
        assert re.search(rf"evolve {crate}: ok, ", out), crate
    # Every crate but the shell (deferred) is replaced: none refused.
    assert not re.search(r"^evolve \w+: E_", out, re.M), out
    assert "evolve shell: deferred, " in out
    assert "evolution: shell replaced by shell once its caller stepped aside: swapped in " in out
    assert re.search(r"^up \d+\.\d+ s, ", out, re.M)
    assert "EXCEPTION" not in out and "KERNEL HALTED" not in out


def test_the_shell_replaces_itself_between_two_lines():
    """`restart shell` and `swap shell shell` typed at the shell: the shell
    runs the command, so a helper task waits for it to step aside, which
    it does between lines (no line is cut: the next command typed goes
    whole to the new session); the history records it. A crate every task
    runs through (task) is not waited for: it shares its table with the
    new version and is retired until no task runs in it."""
    code, out = console("restart shell", "echo first after", "swap shell shell", "echo second after",
                        "restart --fresh task", "history", "echo alive")
    assert code == 0
    assert out.count("shell: stepping aside for a new version") == 2
    assert out.count("evolution: shell replaced by shell once its caller stepped aside: swapped in ") == 2
    assert out.count("boot: restarting the entry shell_main after a swap") == 2
    assert "\nfirst after\n" in out and "\nsecond after\n" in out
    assert "unknown command" not in out
    assert re.search(r"restarted task: swapped in \d+ cycles with interrupts off; state shared \(task_share, "
                     r"task_migrate\); the old version retired \(fresh: its own data anew\)", out), out[-1500:]
    assert "linker: retired task (tasks run on in it; it goes once none does)" in out
    assert "\nalive\n" in out
    history = out.split("theseus> history", 1)[1]
    assert "swap shell -> shell (restarted): done in " in history
    assert "swap shell -> shell: done in " in history
    assert "\nalive\n" in out


def test_the_heap_is_swapped_live_to_heap_v2_and_back():
    """The heap hands its whole record (every slab and live object) to
    heap_v2 and back while the shell and a spawned task hold objects in it;
    the version not serving refuses to start beside the one that is (its
    start would free every slab), and nothing is lost or leaked: after the
    round trip the heap holds one object more than before, the descriptor
    the first save moved out of heap 1's .bss into the heap itself."""
    code, out = console("spawn counter", "mem", "swap heap heap_v2", "load heap", "crates", "spawn hello",
                        "restart heap_v2", "swap heap_v2 heap", "load heap_v2", "mem", "spawn hello")
    assert code == 0
    assert "swapped heap -> heap_v2 (swapped in " in out
    assert "state handed over by heap_save and heap_migrate" in out
    assert "load heap: crate heap: symbol heap_init: init function failed: heap_init (E_BUSY)" in out
    assert "load heap_v2: crate heap_v2: symbol heap_init: init function failed: heap_init (E_BUSY)" in out
    listing = out.split("theseus> crates", 1)[1].split("theseus> ", 1)[0]
    assert re.search(r"^heap_v2 +2\.0\.0 ", listing, re.M), listing
    assert "restarted heap_v2: swapped in " in out
    assert "swapped heap_v2 -> heap (swapped in " in out
    assert out.count("[hello] info: Hello from hello 1.0.0") == 2
    objects = [int(n) for n in re.findall(r"^  objects +(\d+)", out, re.M)]
    assert len(objects) == 2 and objects[1] == objects[0] + 1, objects
    assert "EXCEPTION" not in out and "KERNEL HALTED" not in out


def test_the_fault_policy_is_set_from_the_shell_and_escalates():
    """`recover` shows and sets the policy; under repair (the default) a
    crate that keeps faulting with no corrupt code to blame is restarted;
    each decision is logged with the crate, version, function and offset."""
    code, out = console("recover", "recover sometimes", "run faulty", "run faulty bounds", "run faulty bounds",
                        "run faulty bounds", "recover none", "run faulty bounds", "recover")
    assert code == 0
    assert "fault policy: repair" in out
    assert "recover: no policy sometimes (repair, restart or none)" in out
    decisions = [l for l in out.splitlines() if l.startswith("[recover] info: crate faulty 1.0.0 faulted")]
    assert len(decisions) == 4, decisions
    assert all(" at faulty_main+0x" in d for d in decisions)
    assert decisions[0].endswith("the call was unwound") and decisions[1].endswith("the call was unwound")
    assert decisions[2].endswith("restarted it (it kept faulting)")
    assert "crate faulty restarted (it kept faulting)" in out
    assert decisions[3].endswith("the call was unwound")  # none: only unwind
    assert out.rstrip().endswith("fault policy: none\ntheseus>")


def test_the_scrubber_mends_code_before_it_is_called():
    """Patrol scrubbing: corrupt code is rebuilt from the crate's image
    within a period, whether or not anything calls it."""
    code, out = console("run hello a", "inject hello hello_main", "sleep 400", "run hello b", "run irqs",
                        append="scrub=100")
    assert code == 0
    assert "[scrubber] warning: 1 bytes of crate hello's code differed from its image; repaired" in out
    assert "[hello] info: Hello from hello 1.0.0, args: b" in out
    before_irqs = out.split("theseus> run irqs", 1)[0]
    assert "faulted" not in before_irqs and "resumed" not in before_irqs
    # It runs from the timer interrupt, beside the scheduler's tick.
    assert "scrubber_on_tick" in out.split("theseus> run irqs", 1)[1]


def test_a_bad_scrub_period_is_reported():
    code, out = console("echo up", append="scrub=often")
    assert code == 0
    assert "[scrubber] error: not a period in milliseconds: often" in out and "\nup\n" in out


def test_a_stack_overflow_is_an_ordinary_fault():
    """Recursion off the end of a stack (the shell's, a task's) hits the
    guard page and becomes a double fault, handled on its own stack."""
    code, out = console("run faulty recurse", "spawn faulty recurse", "sleep 50", "run faulty", "uptime")
    assert code == 0
    # Where the last frame ends against the guard page depends on how deep
    # the stack was when the recursion began: the push of the page fault's
    # frame fails (the double fault names recurse), or the page fault's
    # handler runs on the few bytes left and faults in the nano-core.
    assert re.search(r"run faulty: faulty_main faulted: exception 8 \(#DF double fault\) "
                     r"(in crate faulty 1\.0\.0 at recurse\+|in the nano-core at \w+\+)", out), out
    assert re.search(r"#\d+ \[<0x[0-9a-f]+>\] faulty 1\.0\.0 recurse\+0x", out), out
    assert "[task] error: faulty: faulty_main faulted: exception 8 (#DF double fault)" in out
    assert "[faulty] info: faulty ran 3 times" in out
    assert "KERNEL HALTED" not in out


def test_a_restart_starts_data_afresh_but_state_kept_outside_carries_on():
    code, out = console("run counter", "run counter", "restart counter", "run counter", "history")
    assert code == 0
    assert "counter 1.0.0: run 2" in out
    assert "restarted counter: swapped in " in out
    # The count lives in the state store, not in the crate: it goes on.
    assert "counter 1.0.0: run 3" in out
    assert "swap counter -> counter (restarted): done in " in out


def test_a_swap_must_keep_the_interface_of_what_it_replaces():
    """A replacement exports everything the crate it replaces exports, with
    the same types: hello and counter share nothing, so the swap is refused
    naming hello_main, and hello goes on."""
    code, out = console("run hello", "swap hello counter", "run hello", "crates")
    assert code == 0
    assert ("swap hello: crate counter: symbol hello_main: missing from the replacement; "
            "hello, which it would replace, exports it (E_NOENT)") in out
    assert out.count("Hello from hello 1.0.0") == 2
    listing = out.split("theseus> crates", 1)[1]
    assert "\nhello " in listing and "\ncounter " not in listing  # nothing left half-swapped


def test_restart_and_swap_find_the_version_that_serves_a_name():
    """After swap counter counter_v2, `restart counter` restarts counter_v2
    and `swap counter counter` goes back: the name means whatever version
    serves it now."""
    code, out = console("run counter", "swap counter counter_v2", "restart counter", "run counter",
                        "swap counter counter", "run counter", "history")
    assert code == 0
    assert "restarted counter: swapped in " in out
    assert "counter 2.0.0: run 2 (1 since the upgrade)" in out
    assert "swap counter -> counter_v2: done in " in out
    assert "swap counter_v2 -> counter_v2 (restarted): done in " in out
    # Back to version 1: counter_migrate(2) refuses version 2's format, so
    # the swap is undone and counter_v2 still serves.
    assert "swap counter: counter_migrate(2) failed (E_INVAL); the swap was undone" in out
    assert "counter 2.0.0: run 3 (2 since the upgrade)" in out


def test_a_restart_never_silently_drops_state():
    """The state store hands its entries to its next instance, so a restart
    of it keeps every crate's saved state; a crate that keeps state with no
    hook to carry it is refused unless the restart is --fresh."""
    code, out = console("run counter", "run counter", "restart state_store", "run counter",
                        "load faulty", "restart faulty", "restart --fresh faulty",
                        "load serial_input", "restart serial_input",
                        "restart --fresh", "echo alive")
    assert code == 0
    assert "restarted state_store: swapped in " in out
    assert "state handed over by state_store_save and state_store_migrate" in out
    assert "counter 1.0.0: run 3" in out  # the count survived the store's restart
    # faulty keeps a run count and nothing carries it.
    assert ("restart faulty: faulty keeps 16 bytes of state in .data/.bss and no "
            "faulty_save keeps it (restart --fresh starts it anew)") in out
    assert "restarted faulty: swapped in " in out and "its own data anew" in out
    # serial_input carries its ring and listeners.
    assert "state handed over by serial_input_save and serial_input_migrate" in out
    assert "usage: restart [--fresh] CRATE" in out
    assert "\nalive" in out


def test_evolve_all_replaces_what_it_can_and_says_why_not_for_the_rest():
    """`evolve all`: every loaded crate to its other version and back, or
    restarted with its state kept; each refusal names its reason, and the
    system goes on (the counter counts on, hello runs, ticks advance)."""
    code, out = console("run counter", "spawn hello", "uptime", "evolve all", "run counter", "spawn hello",
                        "sleep 20", "uptime", "evolve nosuch", "evolve")
    assert code == 0
    for crate in ("fmt", "log", "memory", "pqueue", "recovery", "state_store", "timer", "launcher", "interrupts",
                  "scrubber"):
        assert f"evolve {crate}: ok, swapped in " in out, crate
    # The registry of IRQ handlers goes by name to the new copy (ticks
    # advance after it, below).
    assert "state handed over by interrupts_save and interrupts_migrate" in out
    assert "evolve hello: ok, to hello_v2 and back in " in out
    assert "evolve sched_rr: ok, to sched_prio and back in " in out
    assert "state handed over by state_store_save and state_store_migrate" in out
    # Refused, each with its reason; nothing half-done.
    assert "evolve counter: E_INVAL, to counter_v2, but not back: counter_migrate(2) failed" in out
    # The heap's whole record goes to heap_v2 and back, live objects and all.
    assert "evolve heap: ok, to heap_v2 and back in " in out
    # The shell runs the command: a helper restarts it once it steps aside,
    # at its next prompt, and says so; the next commands reach the new one.
    assert "evolve shell: deferred, the calling context is executing in it: a helper task replaces it once " \
        "the caller steps aside" in out
    assert re.search(r"evolve: \d+ of \d+ crates replaced and back, 1 more once this command ends", out)
    assert "evolution: shell replaced by shell once its caller stepped aside: swapped in " in out
    # Every task is inside the task crate: it is not waited for but
    # retired, its table shared with task_v2, and again on the way back.
    assert "evolve task: ok, to task_v2 and back in " in out, out
    assert out.count("linker: retired task") >= 2, out
    assert re.search(r"evolve: \d+ of \d+ crates replaced and back", out)
    assert "counter 2.0.0: run 2 (1 since the upgrade)" in out
    assert out.count("Hello from hello 1.0.0") == 2
    ticks = uptime_ticks(out)
    assert len(ticks) == 2 and ticks[1] >= ticks[0] + 20, ticks
    assert "evolve nosuch: E_NOENT, not loaded" in out
    assert "usage: evolve all | evolve CRATE..." in out
    assert "EXCEPTION" not in out and "KERNEL HALTED" not in out


def test_the_task_crate_is_swapped_while_every_task_is_inside_it():
    """`swap task task_v2` with the workload running: every task is inside
    task, so the old version is retired, not waited for, and each task
    moves to version 2 when it next returns out of the crate; `tasks`
    shows version 2's state names. And back. The workload loses nothing."""
    code, out = console("run workload start", "sleep 100", "swap task task_v2", "tasks", "crates", "sleep 100",
                        "swap task_v2 task", "tasks", "sleep 100", "run workload stop", "kill 999999", "crates")
    assert code == 0
    assert re.search(r"swapped task -> task_v2 \(swapped in \d+ cycles with interrupts off; state shared "
                     r"\(task_share, task_migrate\); the old version retired\)", out), out
    v2_tasks = out.split("theseus> tasks", 1)[1].split("theseus> ", 1)[0]
    assert re.search(r"^\d+ +wl_allocator +(runnable|running|sleeping) ", v2_tasks, re.M), v2_tasks
    assert re.search(r"^\d+ +idle +(runnable|running) ", v2_tasks, re.M), v2_tasks  # version 2's idle task
    listing = out.split("theseus> crates", 1)[1].split("theseus> ", 1)[0]
    assert re.search(r"^task +1\.0\.0 .*\[retired: tasks still run in it\]$", listing, re.M), listing
    assert re.search(r"^task_v2 +2\.0\.0 ", listing, re.M), listing
    assert re.search(r"swapped task_v2 -> task \(swapped in \d+ cycles", out), out
    v1_tasks = out.split("theseus> tasks", 2)[2].split("theseus> ", 1)[0]
    assert re.search(r"^\d+ +idle +(ready|running) ", v1_tasks, re.M), v1_tasks
    assert "verdict ok: 0 lost, 0 duplicated, 0 corrupt, 0 refused, 0 leaked, 0 stuck, 0 ran back" in out, out
    assert "kill: no such task" in out
    assert "EXCEPTION" not in out and "KERNEL HALTED" not in out


def test_the_evolution_crate_replaces_itself_and_keeps_its_history():
    """`restart evolution` is asked of the evolution crate itself: it shares
    its state (the history) with the new version, the old one is retired
    while the caller returns through it, and the next request unloads it.
    The history goes on across both restarts."""
    code, out = console("load hello", "swap hello hello_v2", "restart evolution", "restart evolution",
                        "swap hello_v2 hello", "history", "crates")
    assert code == 0
    assert out.count("restarted evolution: swapped in ") == 2, out
    assert "state shared (evolution_share, evolution_migrate); the old version retired" in out
    assert "linker: unloaded retired evolution" in out, out
    history = out.split("theseus> history", 1)[1].split("theseus> ", 1)[0]
    lines = [l for l in history.splitlines() if re.match(r"^\d+\. ", l)]
    assert [l.split(":")[0] for l in lines] == ["1. swap hello -> hello_v2", "2. swap evolution -> evolution (restarted)",
                                                 "3. swap evolution -> evolution (restarted)",
                                                 "4. swap hello_v2 -> hello"], history
    listing = out.split("theseus> crates", 1)[1]
    assert "[retired" not in listing, listing
    assert re.search(r"^evolution +1\.0\.0 .*\[restarted\]$", listing, re.M), listing


def test_a_task_looping_in_code_the_scrubber_repaired_is_unwound():
    """A runaway loop in corrupt code: the scrubber repairs the bytes, but
    the task's registers stay wrong and it would loop on. A task
    interrupted inside the repaired function is unwound instead, and the
    report names where it was."""
    code, out = console("spawn faulty spin", "sleep 50", "inject faulty faulty_main", "sleep 1500", "tasks",
                        "run faulty")
    assert code == 0
    assert "[scrubber] warning: 1 bytes of crate faulty's code differed from its image; repaired" in out
    assert re.search(r"fault: a task was interrupted in faulty faulty_main\+0x[0-9a-f]+, code repaired since "
                     r"it may have run corrupt; its call is unwound", out), out
    assert re.search(r"\[task\] error: faulty: faulty_main faulted: exception 6 \(#UD invalid opcode\) in crate "
                     r"faulty 1.0.0 at faulty_main\+0x", out), out
    spawned = re.search(r"spawned task (\d+) \(faulty\)", out).group(1)  # ids depend on the boot's order
    tasks = out.split("theseus> tasks", 1)[1].split("theseus> ", 1)[0]
    assert re.search(rf"\n{spawned} +faulty +exited", tasks), tasks
    assert "[faulty] info: faulty ran 2 times" in out  # the crate works again


def test_a_runaway_command_is_ended_by_the_sessions_watchdog():
    """A command that keeps the processor for 10 s without ever waiting
    (what correct code fed a corrupt value can do) ends its session; the
    supervisor starts a new one, and the shell answers."""
    code, out = console("run faulty spin", "echo alive", "run faulty")
    assert code == 0
    assert ("shell: the console session ran 10 s without ever waiting (a runaway command?); "
            "ending it") in out
    assert "shell: the console session ended (killed); starting a new one" in out
    assert "\nalive" in out and "[faulty] info: faulty ran 2 times" in out


def test_a_loop_with_interrupts_off_is_ended_by_the_lockup_watchdog():
    """No tick reaches a loop with interrupts off; the ib700 watchdog's NMI
    (10 s without an interrupt) does, and the call is unwound with the
    caller's interrupts back on: the shell answers and ticks advance."""
    code, out = console("run faulty spin-irqs-off", "uptime", "sleep 100", "uptime", "run faulty")
    assert code == 0
    assert "EXCEPTION 2 (NMI)" in out and "faulty 1.0.0 faulty_main+0x" in out
    assert re.search(r"run faulty: faulty_main faulted: exception 2 \(NMI\) in crate faulty 1.0.0 at "
                     r"faulty_main\+0x", out), out
    ticks = uptime_ticks(out)
    assert len(ticks) == 2 and ticks[1] >= ticks[0] + 100, ticks
    assert "[faulty] info: faulty ran 2 times" in out


def test_bad_requests_get_errors_and_the_shell_goes_on():
    code, out = console("load nosuch", "run nosuch", "deps", "frobnicate", "echo still here")
    assert code == 0
    assert "load nosuch: crate nosuch: no such crate in the archive (E_NOENT)" in out
    assert "run nosuch: " in out and "nosuch_main" in out
    assert "usage: deps CRATE" in out
    assert "unknown command: frobnicate" in out
    assert "\nstill here\n" in out


def test_timer_interrupts_reach_their_handlers_under_the_shell():
    # With the timer loaded (at boot or by `load timer`) interrupts are on:
    # the PIT's IRQ 0 goes through the nano-core and the interrupts crate's
    # registry to each handler of line 0. The shell polls the UART and keeps
    # answering; serial_input, loaded but not started, leaves it its input.
    code, out = console("load timer", "load serial_input", "echo still typing", "run irqs")
    assert code == 0
    assert "[timer] info: PIT channel 0 at 1000 Hz" in out
    assert "\nstill typing\n" in out
    table = out.split("theseus> run irqs", 1)[1]
    row = next(line for line in table.splitlines() if line.split()[:2] == ["0", "32"])
    line, vector, taken, spurious, calls, missed, faults, state, handlers = row.split(None, 8)
    assert int(taken) > 0 and int(calls) > 0
    assert (missed, faults, state) == ("0", "0", "open")
    assert "timer_on_irq" in handlers.split(", ")
    assert "0 unrouted" in table


def test_line_editing_backspace_and_history():
    up = "\x1b[A"
    code, out = console("echo abX\x7fc", "echo second", up + up, up + "\x7f\x7fZ")
    assert code == 0
    assert "\nabc\n" in out
    # Up twice recalls "echo abc"; then up recalls that same line again
    # (the newest in history) and two backspaces and Z turn it into "echo aZ".
    assert out.count("\nabc\n") == 2
    assert "\naZ\n" in out
    assert "\nsecond\n" in out


@pytest.mark.parametrize("boot", ["direct", "iso"])
def test_keys_typed_while_the_system_boots_reach_the_shell(boot):
    """Typed into QEMU's serial port before the kernel has printed a line:
    nothing is lost (the first key was, when the UART's FIFO was reset)."""
    if boot == "iso" and not os.path.isfile(ISO):
        pytest.skip("THESEUS_ISO not built")
    cmd = launch.qemu_command(KERNEL, ARCHIVE) if boot == "direct" else launch.qemu_command(None, iso=ISO)
    g = launch.Guest(cmd)
    try:
        # Sent as QEMU starts, long before the kernel sets up its UART.
        assert g.send(b"help\necho typed ahead\nuptime\n")
        assert g.read_until(lambda buf: launch.answered(buf, b"uptime", 0), 120) == "match", g.output
    finally:
        g.kill()
    out = g.output.decode(errors="replace").replace("\r", "")
    # A boot task's line may come into a line as it is typed (the keys
    # arrive one by one); the shell then draws the line again below it.
    assert "theseus> help\nshell commands:" in out, out
    assert "theseus> echo typed ahead\ntyped ahead\n" in out, out
    assert "theseus> uptime\nup " in out, out
    assert "unknown command" not in out, out


def test_shutdown_ends_qemu_cleanly():
    code, out = console("shutdown", "echo never typed")
    assert code == 0
    assert "shutting down" in out
    assert "never typed" not in out


def test_missing_entry_falls_back_to_the_nano_core_console():
    code, out = console("help", "restart", "echo on", append=FALLBACK)
    assert code == 0
    # restart tries the entry again, and comes back to this console.
    assert out.count("cannot start the entry no_such_entry_symbol") == 2
    assert "  restart    start the entry crate again" in out and "\non\n" in out
    assert "no_such_entry_symbol" in out and "E_NOENT" in out
    assert "nano-core console commands:" in out


def test_serial_input_is_echoed_back():
    code, out = console("echo hello from the host", append=FALLBACK)
    assert code == 0
    # The line typed is echoed as typed, then the command prints it again.
    assert out.count("hello from the host") == 2


def test_caught_fault_keeps_console_alive():
    code, out = console("fault", "echo after fault", append=FALLBACK)
    assert code == 0
    assert "EXCEPTION 0 (#DE divide error)" in out
    assert "backtrace:" in out
    assert "\nafter fault\n" in out


def test_mem_shows_usable_memory():
    code, out = console("mem", append=FALLBACK)
    assert code == 0
    assert "usable" in out and "frames free" in out


@pytest.mark.skipif(not os.path.isfile(ISO), reason="THESEUS_ISO not built")
def test_grub_iso_boots_through_multiboot2_to_the_shell():
    cmd = launch.qemu_command(None, iso=ISO)
    code, out = launch.feed_console(cmd, ["run hello from grub"], boot_timeout=120)
    assert code == 0
    assert "boot: multiboot2" in out
    assert "crates: archive with" in out
    assert "[hello] info: Hello from hello 1.0.0, args: from grub" in out


def test_archive_above_the_boot_window_is_found_with_2_gib():
    # QEMU puts the initrd near the top of RAM: above 1 GiB here.
    code, out = launch.feed_console(launch.qemu_command(KERNEL, ARCHIVE, "", memory="2048M"),
                                    ["run hello from above"])
    assert code == 0
    assert "module 0: 0x000000007" in out
    assert "[hello] info: Hello from hello 1.0.0, args: from above" in out
    # RAM above the boot window is managed too, through the physmap: the
    # frames free at boot are close to 2 GiB, not 1.
    free = int(out.split("frames: ", 1)[1].split()[0])
    assert free * 4096 > (3 << 30) // 2, out.split("\n")[:4]


def test_the_shell_runs_on_memory_above_the_boot_window_with_2_gib():
    # The allocator hands out frames above 1 GiB first: everything below
    # (task stacks, heap slabs, page tables) lives in the physmap.
    code, out = launch.feed_console(launch.qemu_command(KERNEL, ARCHIVE, "", memory="2048M"),
                                    ["spawn hello", "run counter", "run counter", "swap hello hello_v2",
                                     "spawn hello", "mem", "tasks"])
    assert code == 0
    assert "[hello] info: Hello from hello 2.0.0 with 0 arguments" in out
    assert "counter 1.0.0: run 2" in out


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
