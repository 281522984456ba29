"""Push a rebuilt crate into a running system over the second serial line
(docs/live-update.md), as `./theseus push` does, and see its new behaviour
without a reboot."""

import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "mkimage"))
from theseus_image import launch  # noqa: E402
from theseus_image.children import die_with_parent  # noqa: E402

KERNEL = os.environ.get("THESEUS_NANO_CORE", "")
ARCHIVE = os.environ.get("THESEUS_ARCHIVE", "")
BUILD = os.environ.get("THESEUS_BUILD_ROOT", "")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKIMAGE = os.path.join(ROOT, "mkimage", "mkimage.py")

pytestmark = pytest.mark.skipif(not (os.path.isfile(KERNEL) and os.path.isdir(BUILD)),
                                reason="THESEUS_NANO_CORE / THESEUS_BUILD_ROOT not built")


class Session(launch.Console):
    """A guest with a push socket."""

    def __init__(self, workdir):
        self.socket = os.path.join(workdir, "push.sock")
        super().__init__(launch.qemu_command(KERNEL, ARCHIVE, push_socket=self.socket))

    def spawn_and_see(self, line, text, count=1):
        """Type a spawn and wait for the task's text: the task may print
        after the prompt is back."""
        self.type(line)
        self.wait_for(text, count=count)


@pytest.fixture
def session():
    workdir = tempfile.mkdtemp(prefix="theseus-push-", dir="/tmp")  # short socket path
    s = Session(workdir)
    try:
        s.wait_for("live_update: listening on COM2")
        s.wait_for("theseus> ")
        yield s
    finally:
        s.close()
        shutil.rmtree(workdir, ignore_errors=True)


def rebuilt_crate(workdir, crate, edits):
    """crates/CRATE with `edits` ({source file: [(old, new), ...]}) applied,
    each edited file compiled with the build's own command for it (safe-C
    plugin included), the others taken as built, all merged as the build
    merges a crate."""
    with open(os.path.join(BUILD, "compile_commands.json")) as f:
        entries = [e for e in json.load(f) if f"/crates/{crate}/" in e["file"]]
    assert entries, f"no compile commands for crate {crate}"
    assert set(edits) <= {os.path.basename(e["file"]) for e in entries}
    objects = []
    for entry in entries:
        argv = shlex.split(entry["command"])
        name = os.path.basename(entry["file"])
        built = os.path.join(entry["directory"], argv[argv.index("-o") + 1])
        if name not in edits:
            objects.append(built)
            continue
        with open(os.path.join(entry["directory"], entry["file"])) as f:
            text = f.read()
        for old, new in edits[name]:
            assert text.count(old) == 1, f"{old!r} in {name}"
            text = text.replace(old, new)
        src = os.path.join(workdir, name)
        with open(src, "w") as f:
            f.write(text)
        command = []
        skip = False
        for arg in argv:
            if skip:
                skip = False
            elif arg in ("-o", "-MF", "-MQ"):
                skip = True
            elif arg == "-c" or arg == entry["file"] or arg.endswith(f"crates/{crate}/{name}"):
                pass
            elif arg.startswith("-fplugin-arg-safec-report="):
                command.append("-fplugin-arg-safec-report=" + os.path.join(workdir, "unsafe-sites.jsonl"))
            else:
                command.append(arg)
        obj = os.path.join(workdir, name + ".o")
        # The copy's own quoted includes are beside the original.
        original_dir = os.path.dirname(os.path.join(entry["directory"], entry["file"]))
        subprocess.run(command + ["-iquote", original_dir, "-c", src, "-o", obj],
                       cwd=entry["directory"], check=True)
        objects.append(obj)
    merged = os.path.join(workdir, crate + ".o")
    subprocess.run(["ld.lld-19", "-r", *objects, "-o", merged], check=True)
    return merged


def rebuilt_hello(workdir, greeting, version):
    """crates/hello with another greeting and version."""
    return rebuilt_crate(workdir, "hello", {"hello.c": [
        ('"Hello from hello 1.0.0"', f'"{greeting}"'),
        ('CRATE("hello", "1.0.0"', f'CRATE("hello", "{version}"')]})


def push(obj, sock):
    return subprocess.run(
        [sys.executable, MKIMAGE, "push", "--nano-core", KERNEL, "--image", ARCHIVE,
         "--socket", sock, "--timeout", "120", obj],
        capture_output=True, text=True, timeout=180)


def test_push_a_rebuilt_crate_and_see_the_new_behaviour(session, tmp_path):
    session.spawn_and_see("spawn hello", "Hello from hello 1.0.0")
    obj = rebuilt_hello(str(tmp_path), "Greetings from a pushed hello", "1.0.1")

    result = push(obj, session.socket)
    assert result.returncode == 0, result.stderr
    assert "hello 1.0.1 replaced hello 1.0.0 in " in result.stdout

    session.spawn_and_see("spawn hello", "Greetings from a pushed hello")
    listing = session.type("crates")
    line = next(l for l in listing.splitlines() if l.startswith("hello "))
    assert line.split()[1] == "1.0.1" and line.endswith("[pushed]")
    assert "swap hello -> hello (pushed): done in " in session.type("history")

    # Back to the boot archive's version, by name; the pushed copy goes.
    assert "swapped hello -> hello" in session.type("swap hello hello")
    session.spawn_and_see("spawn hello", "Hello from hello 1.0.0", count=2)
    assert "[pushed]" not in session.type("crates --all")


def test_a_second_push_replaces_the_first(session, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = rebuilt_hello(str(tmp_path / "a"), "First push", "1.1.0")
    second = rebuilt_hello(str(tmp_path / "b"), "Second push", "1.2.0")
    session.type("run hello")
    assert push(first, session.socket).returncode == 0
    result = push(second, session.socket)
    assert result.returncode == 0, result.stderr
    assert "hello 1.2.0 replaced hello 1.1.0" in result.stdout
    assert "Second push" in session.type("run hello")
    listing = session.type("crates --all")
    pushed = [l for l in listing.splitlines() if "pushed" in l]
    assert len(pushed) == 1, listing  # the first pushed copy was forgotten


def test_a_push_of_a_crate_not_running_loads_it(session, tmp_path):
    obj = rebuilt_hello(str(tmp_path), "Loaded by a push", "1.0.2")
    result = push(obj, session.socket)
    assert result.returncode == 0, result.stderr
    assert "hello 1.0.2 was not running; loaded in " in result.stdout
    assert "Loaded by a push" in session.type("run hello")


def one_crate_archive(obj):
    """The payload mkimage push sends for obj."""
    sys.path.insert(0, os.path.join(ROOT, "mkimage"))
    from theseus_image import archive as archive_format
    from theseus_image.elfcheck import check_crate_object, read_nano_core
    with open(obj, "rb") as f:
        crate = check_crate_object(f.read(), obj)
    with open(KERNEL, "rb") as f:
        nano_core = read_nano_core(f.read(), KERNEL)
    return archive_format.write_archive([crate], nano_core)


def raw_push(sock, data, timeout=60):
    """Send bytes as they are and return the kernel's push: line."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock)
        s.sendall(data)
        s.settimeout(timeout)
        answer = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer += s.recv(4096)
            for line in answer.replace(b"\r", b"").split(b"\n")[:-1]:
                if line.startswith(b"push: "):
                    return line.decode()
    raise AssertionError(f"no answer: {answer!r}")


def test_broken_pushes_are_refused_and_the_old_crate_keeps_running(session, tmp_path):
    session.type("run hello")
    obj = rebuilt_hello(str(tmp_path), "Never seen", "9.0.0")
    data = bytearray(one_crate_archive(obj))
    data[-1] ^= 0xFF  # inside the crate image: its CRC no longer matches
    answer = raw_push(session.socket, b"THESEUS-PUSH 1 %d\n" % len(data) + bytes(data))
    assert answer.startswith("push: error ") and "nothing changed" in answer, answer
    assert "CRC" in answer, answer

    answer = raw_push(session.socket, b"GET / HTTP/1.0\n")
    assert answer.startswith("push: error not a push header"), answer

    answer = raw_push(session.socket, b"THESEUS-PUSH 1 999999999\n")
    assert answer.startswith("push: error image size out of range"), answer

    assert "Hello from hello 1.0.0" in session.type("run hello")
    assert "[pushed]" not in session.type("crates --all")


def test_push_a_rebuilt_shell_which_steps_aside_and_restarts(session, tmp_path):
    """The shell never leaves its read loop by itself: it steps aside when a
    swap waits for it, and the nano-core starts the new version."""
    obj = rebuilt_crate(str(tmp_path), "shell", {"shell.c": [
        ('"Theseus shell. Type help for the commands.\\n"',
         '"Theseus shell, pushed edition. Type help for the commands.\\n"'),
        ('CRATE("shell", "1.0.0"', 'CRATE("shell", "1.0.1"')]})
    result = push(obj, session.socket)
    assert result.returncode == 0, result.stderr
    assert "shell 1.0.1 replaced shell 1.0.0 in " in result.stdout
    session.wait_for("Theseus shell, pushed edition.")
    # The new shell's own prompt (the old one's are earlier in the output).
    how = session.guest.read_until(
        lambda buf: launch.PROMPT in buf.split(b"pushed edition.", 1)[-1], 60)
    assert how == "match", session.output()
    out = session.output()
    assert "shell: stepping aside for a new version" in out
    assert "boot: restarting the entry shell_main after a swap" in out
    # The new shell finds the push receiver running and does not start another.
    assert out.count("live_update: listening on COM2") == 1
    listing = session.type("crates")
    line = next(l for l in listing.splitlines() if l.startswith("shell "))
    assert line.split()[1] == "1.0.1" and line.endswith("[pushed]")
    assert "Hello from hello 1.0.0" in session.type("run hello")


def test_a_script_pushes_between_the_lines_it_feeds_to_launch_run(tmp_path):
    """boot.py run (what ./theseus run runs) takes piped lines as they come,
    so a script can push a crate between two of them."""
    workdir = tempfile.mkdtemp(prefix="theseus-push-", dir="/tmp")
    sock = os.path.join(workdir, "push.sock")
    obj = rebuilt_hello(str(tmp_path), "Pushed between two lines", "1.0.4")
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "mkimage", "boot.py"), "run", "--kernel", KERNEL,
         "--initrd", ARCHIVE, "--push-socket", sock],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=die_with_parent())
    try:
        proc.stdin.write(b"spawn hello\n")
        proc.stdin.flush()
        out = b""
        deadline = time.monotonic() + 60
        while b"Hello from hello 1.0.0" not in out or b"listening on COM2" not in out:
            assert time.monotonic() < deadline, out.decode(errors="replace")
            chunk = os.read(proc.stdout.fileno(), 65536)
            assert chunk, out.decode(errors="replace")
            out += chunk
        result = push(obj, sock)
        assert result.returncode == 0, result.stderr
        rest, _ = proc.communicate(input=b"spawn hello\n", timeout=60)
        out += rest
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text
    assert "Pushed between two lines" in text
    assert not os.path.exists(sock)  # boot.py run removes its socket


def test_a_crate_with_state_of_its_own_is_refused_without_a_migration_hook(session, tmp_path):
    """heap keeps its registry in its own .bss and has no hooks to hand it
    over: a swap would drop it, so the push is refused and heap runs on."""
    obj = rebuilt_crate(str(tmp_path), "heap", {})
    result = push(obj, session.socket)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "heap keeps 4512 bytes of state" in result.stderr
    assert "no heap_save/heap_migrate carries it over" in result.stderr
    assert "nothing changed" in result.stderr
    assert "heap:" in session.type("mem")
    listing = session.type("crates")
    assert "[pushed]" not in listing


def uptime_ticks(text):
    """The tick count of the last `uptime` answer in text."""
    line = [l for l in text.splitlines() if l.startswith("up ")][-1]
    return int(line.split(", ")[1].split()[0])


def test_a_rebuilt_timer_takes_over_the_tick_count(session, tmp_path):
    """timer keeps its state in its own .bss, and hands it over: timer_save
    in the version going out, timer_migrate in the one coming in. The tick
    count goes on across the push, and across a restart, which runs the
    same hooks."""
    session.type("sleep 200")
    before = uptime_ticks(session.type("uptime"))
    assert before >= 200
    obj = rebuilt_crate(str(tmp_path), "timer", {"timer.c": [
        ('CRATE("timer", "1.0.0"', 'CRATE("timer", "1.0.1"')]})
    result = push(obj, session.socket)
    assert result.returncode == 0, result.stderr
    assert "timer 1.0.1 replaced timer 1.0.0 in " in result.stdout
    after = uptime_ticks(session.type("uptime"))
    assert after >= before, (before, after)
    session.type("sleep 50")
    assert uptime_ticks(session.type("uptime")) >= after + 50  # still ticking
    # A restart hands the tick count over like a swap: time never runs back.
    assert "state handed over by timer_save and timer_migrate" in session.type("restart timer")
    assert uptime_ticks(session.type("uptime")) >= after + 50
