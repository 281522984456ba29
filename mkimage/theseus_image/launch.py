#!/usr/bin/python3
"""Boot the nano-core under QEMU: the one place that knows QEMU's options.

Used by `./theseus run`, the in-kernel test harness, the QEMU pytest suites
and the benchmarks. As a command (mkimage/boot.py):

  boot.py run --kernel nano_core.elf [--initrd crates.archive] [--append ARGS]
              [--push-socket PATH] [--accel auto|kvm|tcg]

The accelerator is accel.choose()'s: KVM only where a probe boot shows it
works (accel.py).

With --push-socket, the guest's COM2 is a QEMU socket chardev listening on
PATH (what `mkimage push` connects to) and the kernel command line gains
`spawn=live_update`, which starts the receiver; a socket another run still
listens on is left alone (the run starts without a push channel), a stale
one is removed, and ours is removed when QEMU ends.

With a terminal on standard input, QEMU gets the terminal (Ctrl-A X quits).
Otherwise standard input is fed to the kernel console one line at a time,
each after the console's prompt and as it arrives, and QEMU is ended once
input is exhausted and the kernel has answered the last line.
"""

import argparse
import os
import select
import signal
import socket
import stat
import subprocess
import sys
import time

from . import accel as accelerator
from . import argtypes
from .children import die_with_parent

# The kernel writes (code) to isa-debug-exit; QEMU exits with (code << 1) | 1.
EXIT_SUCCESS = (0x10 << 1) | 1
EXIT_FAILURE = (0x11 << 1) | 1
PROMPT = b"theseus> "
# The shell's line length (SHELL_LINE_MAX): a longer line's echo is cut
# (and the line refused), so it cannot be looked for whole.
LINE_ECHOED_WHOLE = 128


def answered(buf, line, since):
    """Has the line typed after the prompt at `since` been answered: its
    echo seen whole and a prompt after it? The shell draws a line again
    below output another task wrote into it, and so prints a prompt more;
    counting prompts alone would take that one for the answer. Lines whose
    echo is not their text (control keys, overlong) fall back to that."""
    text = line.rstrip(b"\r\n")
    if len(text) > LINE_ECHOED_WHOLE or any(c < 0x20 or c == 0x7F for c in text):
        return buf.count(PROMPT, since) > 1
    end = buf.find(PROMPT + text + b"\r\n", since)
    return end >= 0 and buf.find(PROMPT, end + len(PROMPT) + len(text)) >= 0


# The kernel command-line word that starts the push receiver task.
PUSH_SPAWN = "spawn=live_update"
# sizeof(struct sockaddr_un.sun_path) on Linux, the NUL included.
UNIX_PATH_MAX = 108


def push_serial(path):
    """QEMU options for the push line: COM2 (0x2f8, IRQ 3) on a chardev
    listening on the UNIX socket `path`, not waiting for a client. COM1 is
    the board's serial from `-serial`, so it stays the console."""
    escaped = path.replace(",", ",,")  # QEMU's escape for a comma in a value
    return ["-chardev", f"socket,id=push,path={escaped},server=on,wait=off",
            "-device", "isa-serial,chardev=push,index=1"]


def qemu_command(kernel, initrd=None, append="", memory="256M", accel=None, extra=(), iso=None,
                 push_socket=None):
    """The QEMU command line for a direct (PVH) boot of `kernel`, or, with
    `iso`, a BIOS boot of the GRUB image (kernel, initrd and append unused).
    `accel` is an accel.Choice; by default this process's decision
    (accel.choose, which probes with `kernel`, or with $THESEUS_NANO_CORE
    for an ISO). With `push_socket`, COM2 listens there and, for a direct
    boot, the command line gains `spawn=live_update` (an ISO's command line
    is its grub.cfg's)."""
    if accel is None:
        accel = accelerator.choose(kernel or os.environ.get("THESEUS_NANO_CORE"), announce=False)
    cmd = [
        "qemu-system-x86_64",
        "-machine", "q35",
        *accel.qemu_args(),
        "-m", memory,
        "-no-reboot",
        "-display", "none",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        # The hard-lockup watchdog: the nano-core restarts its countdown
        # from interrupts; 10 s without one (a loop with interrupts off)
        # brings an NMI, which unwinds that code (docs/fault-recovery.md).
        "-device", "ib700", "-action", "watchdog=inject-nmi",
    ]
    if push_socket:
        cmd += push_serial(push_socket)
        append = " ".join(word for word in (append, PUSH_SPAWN) if word)
    if iso:
        return cmd + ["-cdrom", iso, "-boot", "d"] + list(extra)
    cmd += ["-kernel", kernel]
    if initrd:
        cmd += ["-initrd", initrd]
    if append:
        cmd += ["-append", append]
    return cmd + list(extra)


def describe_exit(status, stderr=""):
    """A sentence for a QEMU exit status that is not a clean verdict; a
    QEMU that died on a signal or with an error of its own is quoted."""
    if status == EXIT_FAILURE:
        return "the kernel reported failure (isa-debug-exit)"
    if status == 0:
        return "QEMU exited with status 0: the guest reset (a triple fault, under -no-reboot)"
    said = accelerator.stderr_gist(stderr)
    said = f": QEMU said: {said}" if said else ""
    if status < 0:
        return f"QEMU was killed by signal {-status}{said}"
    return f"QEMU exited with status {status}{said}"


class Guest:
    """A QEMU process with its serial console on pipes."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(
            cmd + ["-serial", "stdio", "-monitor", "none"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, preexec_fn=die_with_parent())
        self.output = bytearray()
        self.echo = None  # a binary stream to copy output to as it arrives
        self.on_output = None  # called with each chunk of output as it arrives

    def read_until(self, predicate, timeout):
        """Read output until predicate(output) holds, QEMU exits or time runs out.
        Returns 'match', 'exit' or 'timeout'."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            if predicate(self.output):
                return "match"
            left = deadline - time.monotonic()
            if left <= 0:
                return "timeout"
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    self.proc.wait()
                    return "match" if predicate(self.output) else "exit"
                self.output += chunk
                if self.on_output:
                    self.on_output(bytes(chunk))
                if self.echo:
                    self.echo.write(chunk.replace(b"\r", b""))
                    self.echo.flush()

    def send(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            return True
        except BrokenPipeError:
            return False

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def wait(self, timeout):
        """Wait for QEMU to exit by itself; kill it after timeout. Returns status or None."""
        if self.read_until(lambda _: False, timeout) == "timeout":
            self.kill()
            return None
        return self.proc.wait()

    def stderr_text(self):
        try:
            return self.proc.stderr.read().decode(errors="replace")
        except ValueError:
            return ""


def run_boot(cmd, timeout, on_output=None):
    """Boot, wait for QEMU to end by itself. Returns (status or None on
    timeout, output). on_output, if given, sees the output as it comes."""
    g = Guest(cmd)
    g.on_output = on_output
    status = g.wait(timeout)
    return status, g.output.decode(errors="replace").replace("\r", ""), g.stderr_text()


def boot_through_records(command_for, timeout, take, died, max_boots=20, save=None, on_output=None):
    """Boot the kernel in test or benchmark mode until its records have all
    run, booting again after one that crashed or hung it (the command line
    of command_for(after) skips through `after`), so one broken record
    never hides the others.

    take(output) reads one boot's lines and returns (ended, running): did
    the END line come, and which record was running when the output
    stopped (None: none). died(record or None, why, output, stderr) hears
    of each boot that did not end cleanly, as it happens. save(boot, text),
    if given, keeps each boot's console. Returns "finished", "died outside
    a record" (nothing more to learn by booting again) or "gave up"
    (max_boots ran out)."""
    after = ""
    for boot in range(1, max_boots + 1):
        status, output, stderr = run_boot(command_for(after), timeout, on_output)
        if save:
            save(boot, output + stderr)
        ended, running = take(output)
        if ended and status in (EXIT_SUCCESS, EXIT_FAILURE):
            return "finished"
        why = f"timed out after {timeout:g} s" if status is None else describe_exit(status, stderr)
        died(running, why, output, stderr)
        if running is None:
            return "died outside a record"
        after = running
    return "gave up"


def feed_console(cmd, lines, boot_timeout=60, command_timeout=30, out=None):
    """Type each line after a prompt. Returns (exit code for the user, output)."""
    g = Guest(cmd)
    g.echo = out
    how = g.read_until(lambda buf: PROMPT in buf, boot_timeout)
    for line in lines:
        if how != "match":
            break
        typed = line.rstrip("\r\n").encode()
        since = max(g.output.rfind(PROMPT), 0)
        if not g.send(typed + b"\n"):
            how = "exit"
            break
        how = g.read_until(lambda buf: answered(buf, typed, since), command_timeout)
    code = 0
    if how == "match":
        g.kill()  # input done and answered: end the session
    elif how == "exit":
        status = g.proc.returncode
        if status != EXIT_SUCCESS:
            stderr = g.stderr_text()
            sys.stderr.write(f"theseus: {describe_exit(status, stderr)}\n")
            if stderr.strip():
                sys.stderr.write("theseus: QEMU's standard error:\n" + stderr)
            code = 1
    else:
        sys.stderr.write("theseus: the kernel did not answer in time; QEMU stopped\n")
        g.kill()
        code = 124
    return code, g.output.decode(errors="replace").replace("\r", "")


class Console:
    """A guest driven one console line at a time, each answer read before
    the next line is typed (what a test needs to type a task id it has
    just been told)."""

    def __init__(self, cmd):
        self.guest = Guest(cmd)

    def wait_for(self, text, timeout=60, count=1):
        """Until text has appeared `count` times in the whole session;
        AssertionError (with the output) when it does not."""
        how = self.guest.read_until(lambda buf: buf.count(text.encode()) >= count, timeout)
        assert how == "match", f"{text!r} did not appear {count}x ({how}):\n{self.output()}"

    def type(self, line, timeout=60):
        """Type line after the prompt; its answer (the output after it)."""
        since = max(self.guest.output.rfind(PROMPT), 0)
        assert self.guest.send(line.encode() + b"\n"), f"QEMU ended before {line!r}:\n{self.output()}"
        how = self.guest.read_until(lambda buf: answered(buf, line.encode(), since), timeout)
        assert how == "match", f"no prompt after {line!r} ({how}):\n{self.output()}"
        return self.output().rsplit(PROMPT.decode() + line, 1)[-1]

    def output(self):
        return self.guest.output.decode(errors="replace").replace("\r", "")

    def close(self):
        self.guest.kill()


def claim_push_socket(path):
    """`path` if this run may listen there, else None after a note on stderr:
    the directory is created, a stale socket (nothing accepts) removed; a
    socket another run listens on, or a path that is no socket, is kept."""
    def without(reason):
        sys.stderr.write(f"theseus: {reason}; starting without a push channel\n")
        return None

    if len(os.fsencode(path)) >= UNIX_PATH_MAX:
        return without(f"push socket path {path} is longer than a UNIX socket "
                       f"path may be ({UNIX_PATH_MAX - 1} bytes)")
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as error:
        return without(f"{path}: {error.strerror}")
    if not stat.S_ISSOCK(mode):
        return without(f"{path} exists and is not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(2)
        probe.connect(path)
    except ConnectionRefusedError:
        try:
            os.unlink(path)  # stale: left by a run that ended
        except FileNotFoundError:
            pass
        except OSError as error:
            return without(f"cannot remove the stale socket {path}: {error.strerror}")
        return path
    except OSError as error:
        return without(f"{path}: {error.strerror or error}")
    finally:
        probe.close()
    return without(f"another run listens on {path}")


def release_push_socket(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def main(argv=None):
    ap = argparse.ArgumentParser(prog="boot.py run", description="Boot the Theseus nano-core in QEMU.")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="boot to the console")
    r.add_argument("--kernel", required=True)
    r.add_argument("--initrd")
    r.add_argument("--append", default="")
    r.add_argument("--memory", default="256M")
    r.add_argument("--accel", choices=accelerator.REQUESTS,
                   help=f"default: ${accelerator.ENV_REQUEST}, else auto (KVM if a probe boot shows it works)")
    r.add_argument("--command-timeout", type=argtypes.seconds, default=30)
    r.add_argument("--push-socket", metavar="PATH", default="",
                   help="COM2 listens on this UNIX socket for `mkimage push` "
                        "(and the kernel starts live_update); empty: none")
    sub.add_parser("accel", help="decide the accelerator and say which (see accel.py)", add_help=False)
    sub.add_parser("debug", help="boot under gdb (debug_session.py)", add_help=False)
    sub.add_parser("console", help="the console of a debug boot (debug_session.py)", add_help=False)
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["accel"]:
        return accelerator.main(argv[1:])
    if argv[:1] in (["debug"], ["console"]):
        from . import debug_session
        return (debug_session.main_debug if argv[0] == "debug" else debug_session.main_console)(argv[1:])
    args = ap.parse_args(argv)

    for path in (args.kernel, args.initrd):
        if path and not os.path.isfile(path):
            ap.error(f"{path}: no such file (build first)")
    try:
        choice = accelerator.choose(args.kernel, args.accel)
    except accelerator.AccelError as error:
        sys.stderr.write(f"theseus: {error}\n")
        return 2
    push_socket = claim_push_socket(args.push_socket) if args.push_socket else None
    cmd = qemu_command(args.kernel, args.initrd, args.append, args.memory, choice,
                       push_socket=push_socket)
    try:
        if sys.stdin.isatty():
            # Interactive: QEMU owns the terminal; Ctrl-A X quits. Its
            # standard error stays the terminal's, so what it says is seen.
            status = subprocess.call(cmd + ["-serial", "mon:stdio"])
            if status not in (EXIT_SUCCESS, 0):
                sys.stderr.write(f"theseus: {describe_exit(status)}\n")
                return 1
            return 0
        # Lines are taken as they come, so a script can pause between them
        # (and push a crate meanwhile) while the system runs.
        lines = (line.rstrip("\n") for line in sys.stdin)
        code, _ = feed_console(cmd, lines, command_timeout=args.command_timeout,
                               out=sys.stdout.buffer)
        return code
    finally:
        if push_socket:
            release_push_socket(push_socket)
