"""`./theseus debug` and `./theseus console`: the system under gdb.

    boot.py debug --kernel nano_core.elf --initrd crates.archive --run-dir DIR
                  [--append ARGS] [--accel A] [--no-wait] [--gdb-args ...]
    boot.py console [--socket DIR/console.sock]

`debug` boots as `run` does, with QEMU's gdbstub on DIR/gdb.sock and the
guest stopped before its first instruction, its console on
DIR/console.sock and the push channel on DIR/push.sock; then it runs
Debian's gdb in this terminal with debug/theseus_gdb.py, which follows the
crates the runtime linker loads (docs/debugging.md). `console`, in another
terminal, is the keyboard and screen of that console. QEMU ends with gdb.
"""

import argparse
import os
import select
import signal
import socket
import subprocess
import sys
import termios
import time
import tty

from . import accel as accelerator
from . import launch
from .children import die_with_parent

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GDB_SCRIPT = os.path.join(ROOT, "debug", "theseus_gdb.py")
# The console client's way out (telnet's): Ctrl-].
CONSOLE_ESCAPE = b"\x1d"


def gdbstub_args(socket_path, wait):
    """QEMU options for a gdbstub listening on the UNIX socket `socket_path`;
    with `wait`, the guest stays stopped before its first instruction until
    gdb lets it go, so that no crate loads before gdb's breakpoints are in."""
    escaped = socket_path.replace(",", ",,")
    args = ["-chardev", f"socket,id=gdbstub,path={escaped},server=on,wait=off", "-gdb", "chardev:gdbstub"]
    return args + (["-S"] if wait else [])


def console_socket_args(socket_path):
    """The guest's console (COM1) on a UNIX socket instead of stdio."""
    escaped = socket_path.replace(",", ",,")
    return ["-chardev", f"socket,id=console,path={escaped},server=on,wait=off", "-serial", "chardev:console"]


def gdb_command(kernel, gdbstub_socket, extra=(), batch=False):
    """gdb with the nano-core's symbols and the Theseus script, connected to
    the gdbstub, with the loaded crates' symbols read: what `debug` runs
    and, with `batch`, what the tests run."""
    return ["gdb", "-q", "-nx", *(["-batch"] if batch else []), kernel, "-x", GDB_SCRIPT,
            "-ex", f"target remote {gdbstub_socket}", "-ex", "theseus sync", *extra]


def _wait_for_socket(path, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def main_debug(argv):
    ap = argparse.ArgumentParser(prog="./theseus debug",
                                 description="Boot under QEMU's gdbstub and debug with gdb (docs/debugging.md).")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd")
    ap.add_argument("--append", default="")
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--run-dir", required=True, help="where the gdb, console and push sockets go")
    ap.add_argument("--accel", choices=accelerator.REQUESTS)
    ap.add_argument("--no-wait", action="store_true",
                    help="let the guest boot at once instead of waiting for gdb's `continue`")
    ap.add_argument("gdb_args", nargs=argparse.REMAINDER,
                    help="after --: more gdb arguments, e.g. -- -ex 'break hello_main'")
    args = ap.parse_args(argv)
    for path in (args.kernel, args.initrd):
        if path and not os.path.isfile(path):
            ap.error(f"{path}: no such file (build first)")
    extra = args.gdb_args[1:] if args.gdb_args[:1] == ["--"] else args.gdb_args
    try:
        choice = accelerator.choose(args.kernel, args.accel)
    except accelerator.AccelError as error:
        sys.stderr.write(f"theseus: {error}\n")
        return 2
    os.makedirs(args.run_dir, exist_ok=True)
    gdb_socket = os.path.join(args.run_dir, "gdb.sock")
    console_socket = os.path.join(args.run_dir, "console.sock")
    for path in (gdb_socket, console_socket):
        if launch.claim_push_socket(path) is None:
            sys.stderr.write(f"theseus: {path} is in use; is another `./theseus debug` running?\n")
            return 2
    push_socket = launch.claim_push_socket(os.path.join(args.run_dir, "push.sock"))
    cmd = launch.qemu_command(args.kernel, args.initrd, args.append, args.memory, choice,
                              push_socket=push_socket,
                              extra=gdbstub_args(gdb_socket, not args.no_wait) + console_socket_args(console_socket))
    qemu = subprocess.Popen(cmd + ["-monitor", "none"], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=die_with_parent())
    try:
        if not _wait_for_socket(gdb_socket, qemu):
            stderr = qemu.stderr.read().decode(errors="replace") if qemu.poll() is not None else ""
            sys.stderr.write(f"theseus: QEMU did not start its gdbstub: "
                             f"{launch.describe_exit(qemu.returncode, stderr) if qemu.returncode is not None else 'timed out'}\n")
            return 1
        sys.stderr.write(f"theseus: the console is on {console_socket}: type `./theseus console` in another "
                         f"terminal\n")
        if not args.no_wait:
            sys.stderr.write("theseus: the guest waits before its first instruction; set breakpoints, then "
                             "`continue`\n")
        # Ctrl-C is gdb's (it stops the guest), not ours.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            return subprocess.call(gdb_command(args.kernel, gdb_socket, extra))
        finally:
            signal.signal(signal.SIGINT, previous)
    finally:
        if qemu.poll() is None:
            os.killpg(qemu.pid, signal.SIGKILL)
        qemu.wait()
        for path in (gdb_socket, console_socket, push_socket):
            if path:
                launch.release_push_socket(path)


def main_console(argv):
    ap = argparse.ArgumentParser(prog="./theseus console",
                                 description="The console of the system `./theseus debug` runs (Ctrl-] quits).")
    ap.add_argument("--socket", required=True)
    args = ap.parse_args(argv)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(args.socket)
    except OSError as error:
        sys.stderr.write(f"theseus: cannot reach the console at {args.socket}: {error.strerror or error} "
                         f"(is `./theseus debug` running?)\n")
        return 2
    interactive = sys.stdin.isatty()
    saved = termios.tcgetattr(sys.stdin.fileno()) if interactive else None
    if interactive:
        tty.setraw(sys.stdin.fileno())
        sys.stderr.write("theseus: connected; Ctrl-] quits\r\n")
    try:
        inputs = [conn, sys.stdin.fileno()]
        while True:  # until Ctrl-], the end of input, or the guest's end
            ready, _, _ = select.select(inputs, [], [])
            if conn in ready:
                data = conn.recv(65536)
                if not data:
                    break
                os.write(sys.stdout.fileno(), data)
            if sys.stdin.fileno() in ready:
                data = os.read(sys.stdin.fileno(), 4096)
                if not data or CONSOLE_ESCAPE in data:
                    break
                conn.sendall(data)
    finally:
        if saved is not None:
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
            sys.stderr.write("\n")
        conn.close()
    return 0
