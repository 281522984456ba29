"""Push a rebuilt crate into a running system over the second serial line
(docs/live-update.md), as `./theseus push` does, and see its new behaviour
without a reboot; and see what the kernel refuses even when mkimage's own
checks are bypassed (a raw push): an object without a valid stamp, a
relocation against symbol 0, a crate over the memory limit, a downgrade."""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "mkimage"))
from theseus_image import attest, launch  # noqa: E402
from theseus_image.children import die_with_parent  # noqa: E402

KERNEL = os.environ.get("THESEUS_NANO_CORE", "")
ARCHIVE = os.environ.get("THESEUS_ARCHIVE", "")
BUILD = os.environ.get("THESEUS_BUILD_ROOT", "")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKIMAGE = os.path.join(ROOT, "mkimage", "mkimage.py")
KEY = os.path.join(BUILD, "attest.key")
OBJCHECK = os.path.join(BUILD, "checker", "objcheck")

pytestmark = pytest.mark.skipif(not (os.path.isfile(KERNEL) and os.path.isdir(BUILD)),
                                reason="THESEUS_NANO_CORE / THESEUS_BUILD_ROOT not built")


class Session(launch.Console):
    """A guest with a push socket."""

    def __init__(self, workdir, append=""):
        self.socket = os.path.join(workdir, "push.sock")
        super().__init__(launch.qemu_command(KERNEL, ARCHIVE, append=append, push_socket=self.socket))

    def spawn_and_see(self, line, text, count=1):
        """Type a spawn and wait for the task's text: the task may print
        after the prompt is back."""
        self.type(line)
        self.wait_for(text, count=count)


def open_session(append=""):
    workdir = tempfile.mkdtemp(prefix="theseus-push-", dir="/tmp")  # short socket path
    s = Session(workdir, append)
    try:
        s.wait_for("live_update: listening on COM2")
        s.wait_for("theseus> ")
        yield s
    finally:
        s.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def session():
    yield from open_session()


@pytest.fixture
def developer_session():
    """A guest booted in developer mode: unstamped crates are loaded."""
    yield from open_session("unchecked_crates")


def stamp(obj, out, *options):
    """The build's stamp step (objcheck --stamp): checks the object and
    appends its stamp."""
    subprocess.run([OBJCHECK, "--stamp", KEY, *options, "-o", out, obj], check=True)
    return out


def restamp(data):
    """Stamp crafted bytes with the build's key as they are (what a holder
    of the key could do), so that the kernel's own checks are what refuses
    them, not the stamp."""
    body = data[:-attest.STAMP_SIZE] if attest.has_trailer(data) else data
    return body + attest.make_stamp(body, attest.read_key(KEY))


def rebuilt_crate(workdir, crate, edits, stamped=True, stamp_options=()):
    """crates/CRATE with `edits` ({source file: [(old, new), ...]}) applied,
    each edited file compiled with the build's own command for it (safe-C
    plugin included), the others taken as built, all merged and (unless
    stamped=False) stamped as the build makes a crate."""
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
    merged = os.path.join(workdir, crate + ".linked.o")
    subprocess.run(["ld.lld-19", "-r", *objects, "-o", merged], check=True)
    if not stamped:
        return merged
    return stamp(merged, os.path.join(workdir, crate + ".o"), *stamp_options)


def rebuilt_hello(workdir, greeting, version, stamped=True):
    """crates/hello with another greeting and version."""
    return rebuilt_crate(workdir, "hello", {"hello.c": [
        ('"Hello from hello 1.0.0"', f'"{greeting}"'),
        ('CRATE("hello", "1.0.0"', f'CRATE("hello", "{version}"')]}, stamped=stamped)


def push(obj, sock, *options):
    return subprocess.run(
        [sys.executable, MKIMAGE, "push", "--nano-core", KERNEL, "--image", ARCHIVE,
         "--key", KEY, "--socket", sock, "--timeout", "120", *options, obj],
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


def one_crate_archive(obj, data=None, forced=False):
    """The payload mkimage push would send for obj (or for the bytes data,
    which mkimage's checks need not pass: the kernel's must refuse them)."""
    sys.path.insert(0, os.path.join(ROOT, "mkimage"))
    from theseus_image import archive as archive_format
    from theseus_image.elfcheck import CrateObject, check_crate_object, read_nano_core
    with open(obj, "rb") as f:
        crate = check_crate_object(f.read(), obj)
    if data is not None:
        crate = CrateObject(**{**crate.__dict__, "data": bytes(data)})
    with open(KERNEL, "rb") as f:
        nano_core = read_nano_core(f.read(), KERNEL)
    return archive_format.write_archive([crate], nano_core, forced=forced)


def push_raw_archive(sock, archive):
    return raw_push(sock, b"THESEUS-PUSH 1 %d\n" % len(archive) + archive)


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
    data[-100] ^= 0xFF  # inside the crate image: its stamp no longer matches
    answer = raw_push(session.socket, b"THESEUS-PUSH 1 %d\n" % len(data) + bytes(data))
    assert answer.startswith("push: error ") and "nothing changed" in answer, answer
    assert "attestation stamp does not match the object" in answer, answer

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
    """faulty keeps its run count in its own .bss and has no hooks to hand
    it over: a swap would drop it, so the push is refused and the faulty
    crate runs on."""
    session.type("load faulty")
    obj = rebuilt_crate(str(tmp_path), "faulty", {})
    result = push(obj, session.socket)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"faulty keeps \d+ bytes of state", result.stderr), result.stderr
    assert "no faulty_save/faulty_migrate carries it over" in result.stderr
    assert "nothing changed" in result.stderr
    assert "heap:" in session.type("mem")
    listing = session.type("crates")
    assert "[pushed]" not in listing


def test_a_rebuilt_task_crate_takes_over_while_every_task_is_inside_the_old(session, tmp_path):
    """Every switched-out task is inside the task crate, so it is never
    quiescent. It shares its table (task_share, task_migrate): the new
    version serves every call from then on, the old one is retired, and
    the tasks inside it run on there until they return out of it. The
    push receiver itself is one of them."""
    session.type("spawn hello")
    obj = rebuilt_crate(str(tmp_path), "task", {"task.c": [('CRATE("task", "1.0.0"', 'CRATE("task", "1.0.1"')]})
    result = push(obj, session.socket)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "task 1.0.1 replaced task 1.0.0 in " in result.stdout
    listing = session.type("crates")
    assert re.search(r"^task +1\.0\.1 .*\[pushed\]", listing, re.M), listing
    assert re.search(r"^task +1\.0\.0 .*\[retired: tasks still run in it\]", listing, re.M), listing
    # The new version schedules: tasks spawn, sleep, end; the tick goes on.
    before = uptime_ticks(session.type("uptime"))
    assert "Hello from hello 1.0.0" in session.type("spawn hello") + session.type("sleep 50")
    assert uptime_ticks(session.type("uptime")) >= before + 50
    tasks = session.type("tasks")
    assert re.search(r"^\d+ +idle +ready", tasks, re.M), tasks  # this version's idle task
    assert "live_update" in tasks


def test_the_push_receiver_takes_a_new_version_of_itself(session, tmp_path):
    """live_update runs the push that replaces it: its task never leaves
    the crate, so the old version is retired, its loop steps out between
    two frames (kernel_crate_caller_retired) and the task crate enters the
    new version, which listens on as the old one did: the next push is
    its, and the retired version goes."""
    obj = rebuilt_crate(str(tmp_path), "live_update",
                        {"live_update.c": [('CRATE("live_update", "1.0.0"', 'CRATE("live_update", "1.0.1"')]})
    result = push(obj, session.socket)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "live_update 1.0.1 replaced live_update 1.0.0 in " in result.stdout
    session.wait_for("live_update: the new version listens on COM2")
    hello = rebuilt_hello(str(tmp_path), "Received by the new receiver", "1.0.6")
    result = push(hello, session.socket)
    assert result.returncode == 0, result.stdout + result.stderr
    session.spawn_and_see("spawn hello", "Received by the new receiver")
    listing = session.type("crates")
    assert re.search(r"^live_update +1\.0\.1 .*\[pushed\]$", listing, re.M), listing
    assert "[retired" not in listing, listing  # the old receiver left it, and it went
    assert session.output().count("live_update: listening on COM2") == 1  # COM2 not set up again


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


# ---- what the kernel refuses (docs/safe-c.md, docs/linker.md) ----------


def relocation_section_with_entries(data):
    """(offset, size) of the first SHT_RELA section with entries."""
    import struct
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shnum, = struct.unpack_from("<H", data, 0x3c)
    for i in range(shnum):
        sh_type, = struct.unpack_from("<I", data, shoff + i * 64 + 4)
        off, size = struct.unpack_from("<QQ", data, shoff + i * 64 + 24)
        if sh_type == 4 and size >= 24:
            return off, size
    raise AssertionError("no relocation section")


def test_an_unstamped_push_is_refused_by_mkimage_and_by_the_kernel(session, tmp_path):
    session.type("run hello")
    obj = rebuilt_hello(str(tmp_path), "Never checked", "1.0.9", stamped=False)
    result = push(obj, session.socket)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refused: no attestation stamp" in result.stderr
    with open(obj, "rb") as f:
        data = f.read()
    answer = push_raw_archive(session.socket, one_crate_archive(obj, data))
    assert answer.startswith("push: error ") and "refused: no attestation stamp" in answer, answer
    assert "nothing changed" in answer, answer
    assert "Hello from hello 1.0.0" in session.type("run hello")
    assert "[pushed]" not in session.type("crates --all")


def test_a_relocation_against_symbol_0_is_refused_by_mkimage_and_by_the_kernel(session, tmp_path):
    import struct
    session.type("run hello")
    obj = rebuilt_hello(str(tmp_path), "Jumps to zero", "1.0.9")
    with open(obj, "rb") as f:
        data = bytearray(f.read())
    off, _ = relocation_section_with_entries(data)
    info, = struct.unpack_from("<Q", data, off + 8)
    struct.pack_into("<Q", data, off + 8, info & 0xffffffff)  # symbol index 0
    crafted = os.path.join(str(tmp_path), "hello_stn_undef.o")
    with open(crafted, "wb") as f:
        f.write(restamp(bytes(data)))
    result = push(crafted, session.socket)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "relocation against symbol 0 (STN_UNDEF)" in result.stderr
    with open(crafted, "rb") as f:
        answer = push_raw_archive(session.socket, one_crate_archive(obj, f.read()))
    assert answer.startswith("push: error ") and "relocation against symbol 0 (STN_UNDEF)" in answer, answer
    assert "Hello from hello 1.0.0" in session.type("run hello")


def test_a_crate_over_the_memory_limit_is_refused_by_mkimage_and_by_the_kernel(session, tmp_path):
    session.type("run hello")
    obj = rebuilt_crate(str(tmp_path), "hello", {"hello.c": [
        ('CRATE("hello", "1.0.0"', 'CRATE_EXPORT char hoard[200u << 20];\nCRATE("hello", "1.0.9"'),
        ('"Hello from hello 1.0.0"', '"Hoarding"')]},
        # As built where no limit is configured: the stamp step applies
        # the same limit, but the loaders must not rely on it.
        stamp_options=("--crate-mem-limit", "0"))
    result = push(obj, session.socket)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "more than the per-crate limit of 16777216 bytes" in result.stderr
    answer = push_raw_archive(session.socket, one_crate_archive(obj))
    assert answer.startswith("push: error ") and "more than the per-crate limit of 16777216" in answer, answer
    assert "Hello from hello 1.0.0" in session.type("run hello")


def test_a_downgrade_is_refused_unless_forced(session, tmp_path):
    session.type("run hello")
    (tmp_path / "old").mkdir()
    old = rebuilt_hello(str(tmp_path / "old"), "An older hello", "0.9.0")
    result = push(old, session.socket)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "hello 0.9.0 would replace hello 1.0.0: a downgrade" in result.stderr
    answer = push_raw_archive(session.socket, one_crate_archive(old))
    assert answer.startswith("push: error ") and "a downgrade" in answer, answer
    assert "Hello from hello 1.0.0" in session.type("run hello")
    result = push(old, session.socket, "--force")
    assert result.returncode == 0, result.stderr
    assert "hello 0.9.0 replaced hello 1.0.0" in result.stdout
    assert "An older hello" in session.type("run hello")


def test_developer_mode_loads_an_unstamped_crate_and_says_so(developer_session, tmp_path):
    session = developer_session
    listing = session.type("crates")
    assert "developer mode: crates without a valid stamp of this build are loaded" in listing
    obj = rebuilt_hello(str(tmp_path), "Unchecked hello", "1.0.9", stamped=False)
    result = push(obj, session.socket, "--allow-unchecked")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "developer mode: packed unchecked" in result.stderr
    assert "Unchecked hello" in session.type("run hello")
    line = next(l for l in session.type("crates").splitlines() if l.startswith("hello "))
    assert line.endswith("[pushed] [UNCHECKED]"), line


def test_a_main_of_another_type_is_not_called(session, tmp_path):
    """The nano-core calls an application's main by name, as
    struct status APP_main(struct str): a pushed hello whose main takes
    (long, int *) would get the argument text's length as a pointer. Its
    type signature says so, and the call is refused."""
    obj = rebuilt_crate(str(tmp_path), "hello", {"hello.c": [
        ('#include "hello.h"', '#include <theseus/result.h>\n#include <theseus/slice.h>'),
        ('CRATE("hello", "1.0.0"', 'CRATE("hello", "1.0.1"'),
        ('CRATE_EXPORT struct status hello_main(struct str args)\n{',
         'CRATE_EXPORT struct status hello_main(long count, int *where)\n{\n'
         '\tif (where)\n\t\t*where = (int)count;\n\tstruct str args = STR_EMPTY;')]})
    # While a hello is loaded the push is a swap, and a replacement must
    # export what the old one did with the same types: refused, naming it.
    session.type("load hello")
    result = push(obj, session.socket)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "symbol hello_main: exported with another type than by hello" in result.stderr, result.stderr
    # With no hello loaded it is simply loaded, and the nano-core refuses
    # to call its main.
    assert "unloaded" in session.type("unload hello")
    result = push(obj, session.socket)
    assert result.returncode == 0, result.stderr
    answer = session.type("run hello")
    assert "a function the nano-core calls by name has another type" in answer, answer
    assert "linker_call_type_app" in answer, answer
    assert "uptime" not in answer and "up " in session.type("uptime")  # still running
