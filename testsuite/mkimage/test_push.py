"""`mkimage push` against a fake guest: a thread serving the push socket as
the kernel's receiver does (docs/mkimage.md, "push"), and the QEMU options
launch.py adds for the push line."""

import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from harness import REPO, TEST_KEY, mkimage, stamped

sys.path.insert(0, str(REPO / "mkimage"))
from theseus_image import accel, attest, launch  # noqa: E402
from theseus_image.children import die_with_parent  # noqa: E402
from theseus_image.archive import load_archive  # noqa: E402
from theseus_image.closure import resolve  # noqa: E402

NOISE = b"live_update: ready\r\n\r\nlive_update: receiving\r\n"
HEADER_LIMIT = 64


class FakeGuest:
    """Listens on `path` like QEMU's chardev for COM2 with the kernel's
    receiver behind it. `answer` is a list of byte chunks written (a moment
    apart) once the payload is in; None: never answer. With read_payload
    False the guest answers right after the header and reads nothing more."""

    def __init__(self, path, answer, read_payload=True):
        self.path = str(path)
        self.answer = answer
        self.read_payload = read_payload
        self.connections = 0
        self.pushes = []        # (header line, payload bytes)
        self.errors = []
        self.done = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.listener.settimeout(0.1)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            try:
                with conn:
                    conn.settimeout(30)
                    self._session(conn)
            except Exception as error:  # reported by the test, not lost
                self.errors.append(repr(error))
            finally:
                self.done.set()

    def _session(self, conn):
        line = b""
        while not line.endswith(b"\n"):
            byte = conn.recv(1)
            if not byte or len(line) > HEADER_LIMIT:
                raise AssertionError(f"bad header {line!r}")
            line += byte
        words = line.decode("ascii").split()
        assert words[:2] == ["THESEUS-PUSH", "1"] and len(words) == 3, line
        size = int(words[2])
        data = b""
        if self.read_payload:
            while len(data) < size:
                chunk = conn.recv(size - len(data))
                assert chunk, f"connection closed after {len(data)} of {size} bytes"
                data += chunk
        self.pushes.append((line, data))
        if self.answer is None:
            # Never answer; hold the line until the client gives up (or,
            # reading nothing, until the test ends).
            if not self.read_payload:
                self.stop.wait(30)
                return
            while conn.recv(65536):
                pass
            return
        for chunk in self.answer:
            conn.sendall(chunk)
            time.sleep(0.05)

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.listener.close()
        assert not self.errors, self.errors


@pytest.fixture
def guest(tmp_path):
    started = []

    def start(answer, read_payload=True):
        fake = FakeGuest(tmp_path / "push.sock", answer, read_payload)
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.close()


def push(nano_core, crate, socket_path, *options):
    return mkimage("push", "--nano-core", nano_core, "--socket", socket_path,
                   *options, crate)


def check_payload(data, crate_path, built_archive):
    """One crate, the object without its debug sections (stamped again with
    the key), with the nano-core's export table and build id as `build`
    writes them; sound but for link closure (a lone crate's imports
    resolve against the running system)."""
    archive, problems = load_archive(data, "push")
    assert len(archive.crates) == 1
    entry = archive.crates[0]
    assert entry.crate is not None, [str(p) for p in problems]
    lone = resolve([entry.crate], archive.kexports).problems
    assert sorted(map(str, problems)) == sorted(map(str, lone))
    image = data[entry.elf_off:entry.elf_off + entry.elf_size]
    body = crate_path.read_bytes()[:-attest.STAMP_SIZE]
    stripped = subprocess.run(["llvm-objcopy-19", "--strip-debug", "-", "-"], input=body,
                              capture_output=True, check=True).stdout
    assert image == stamped(stripped)
    assert attest.verify(image, TEST_KEY)[0] == attest.VALID
    reference, reference_problems = load_archive(built_archive.read_bytes(), "ref")
    assert reference_problems == []
    assert archive.nano_core_id == reference.nano_core_id
    assert archive.kexports == reference.kexports
    return entry.name


def test_kernel_takes_the_crate(tmp_path, guest, nano_core, good_crates, built_archive):
    answer = b"push: ok hello 0.1.0 replaced hello 0.1.0 in 812 us\r\n"
    fake = guest([NOISE, answer[:9], answer[9:]])
    result = push(nano_core, good_crates["hello"], fake.path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "push: ok hello 0.1.0 replaced hello 0.1.0 in 812 us\n"
    assert fake.connections == 1
    (line, data), = fake.pushes
    assert line == f"THESEUS-PUSH 1 {len(data)}\n".encode()
    assert check_payload(data, good_crates["hello"], built_archive) == "hello"


def test_push_checked_against_the_image(tmp_path, guest, nano_core, good_crates,
                                        built_archive):
    fake = guest([b"push: ok log 1.0.0 replaced log 1.0.0 in 90 us\n"])
    result = push(nano_core, good_crates["log"], fake.path, "--image", built_archive)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "push: ok log 1.0.0 replaced log 1.0.0 in 90 us\n"
    assert check_payload(fake.pushes[0][1], good_crates["log"], built_archive) == "log"


def test_kernel_refuses(guest, nano_core, good_crates):
    fake = guest([NOISE, b"push: error hello: symbol 'log_write' is not loaded\r\n"])
    result = push(nano_core, good_crates["hello"], fake.path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == ("mkimage: error: the kernel refused the crate: "
                             "hello: symbol 'log_write' is not loaded\n")


def test_early_refusal_stops_the_upload(tmp_path, guest, toolchain, nano_core):
    # The kernel may refuse on the header alone and read no further.
    big = toolchain.crate("big", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("big", "1.0.0", "three MiB of data", "", "", "");\n'
        'CRATE_EXPORT const unsigned char big_blob[3 << 20] = { 1 };\n'))
    fake = guest([b"push: error payload of 3146000 bytes: no memory\n"],
                 read_payload=False)
    started = time.monotonic()
    result = push(nano_core, big, fake.path, "--timeout", "20")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("mkimage: error: the kernel refused the crate: "
                                    "payload of ")
    assert time.monotonic() - started < 10


def test_no_running_system(tmp_path, nano_core, good_crates):
    missing = tmp_path / "push.sock"
    result = push(nano_core, good_crates["hello"], missing)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (f"mkimage: error: no running system listens on "
                             f"{missing} (start ./theseus run first)\n")


def test_stale_socket_is_no_running_system(tmp_path, nano_core, good_crates):
    stale = tmp_path / "push.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(stale))
    listener.close()          # the file stays; nothing listens
    result = push(nano_core, good_crates["hello"], stale)
    assert result.returncode == 2
    assert result.stderr == (f"mkimage: error: no running system listens on "
                             f"{stale} (start ./theseus run first)\n")


def test_no_answer_within_the_timeout(guest, nano_core, good_crates):
    fake = guest(None)
    started = time.monotonic()
    result = push(nano_core, good_crates["hello"], fake.path, "--timeout", "1")
    elapsed = time.monotonic() - started
    assert result.returncode == 2
    assert result.stderr == "mkimage: error: no answer from the kernel within 1 s\n"
    assert 1 <= elapsed < 10
    assert len(fake.pushes) == 1


def test_receiver_not_reading(guest, toolchain, nano_core):
    # Nothing takes the bytes (the receiver task is not running): the
    # upload stalls and the timeout says how far it got.
    big = toolchain.crate("big", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("big", "1.0.0", "three MiB of data", "", "", "");\n'
        'CRATE_EXPORT const unsigned char big_blob[3 << 20] = { 1 };\n'))
    fake = guest(None, read_payload=False)
    result = push(nano_core, big, fake.path, "--timeout", "0.5")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "mkimage: error: no answer from the kernel within 0.5 s (only ")
    assert result.stderr.endswith(" bytes could be sent)\n")


def test_connection_closed_without_answer(guest, nano_core, good_crates):
    fake = guest([NOISE])     # then the guest hangs up
    result = push(nano_core, good_crates["hello"], fake.path)
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"mkimage: error: {fake.path}: the connection closed before the kernel answered")


def test_unexpected_answer(guest, nano_core, good_crates):
    fake = guest([b"push: maybe\n"])
    result = push(nano_core, good_crates["hello"], fake.path)
    assert result.returncode == 2
    assert result.stderr == ("mkimage: error: unexpected answer from the kernel: "
                             "push: maybe\n")


def test_not_a_crate_is_not_sent(tmp_path, guest, nano_core):
    fake = guest([b"push: ok\n"])
    bogus = tmp_path / "bogus.o"
    bogus.write_bytes(b"not an ELF file at all\n")
    result = push(nano_core, bogus, fake.path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"mkimage: error: {bogus}: ")
    assert len(result.stderr.splitlines()) == 1
    assert fake.connections == 0


def test_missing_file_is_not_sent(tmp_path, guest, nano_core):
    fake = guest([b"push: ok\n"])
    missing = tmp_path / "missing.o"
    result = push(nano_core, missing, fake.path)
    assert result.returncode == 2
    assert result.stderr == f"mkimage: error: {missing}: No such file or directory\n"
    assert fake.connections == 0


def test_bad_nano_core_is_not_sent(tmp_path, guest, good_crates):
    fake = guest([b"push: ok\n"])
    missing = tmp_path / "nano_core.elf"
    result = push(missing, good_crates["hello"], fake.path)
    assert result.returncode == 2
    assert result.stderr == f"mkimage: error: {missing}: No such file or directory\n"
    assert fake.connections == 0


def test_unsatisfied_import_in_the_image(tmp_path, guest, toolchain, nano_core,
                                         built_archive):
    user = toolchain.crate("user", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("user", "1.0.0", "calls something nobody has", "", "", "");\n'
        'void log_write(const char *text);\n'
        'void missing_function(void);\n'
        'CRATE_EXPORT void user_main(void) { log_write("x"); missing_function(); }\n'))
    fake = guest([b"push: ok\n"])
    result = push(nano_core, user, fake.path, "--image", built_archive)
    assert result.returncode == 2
    assert result.stderr == (
        f"mkimage: error: {user}: undefined symbol 'missing_function' of crate "
        f"'user' is exported by no crate and not by the nano-core\n")
    assert fake.connections == 0


def test_image_dependents_must_still_link(tmp_path, guest, toolchain, nano_core,
                                          built_archive):
    # A new log without log_write would leave hello and timer unlinked.
    log = toolchain.crate("log", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("log", "1.0.0", "lost its export", "", "", "");\n'
        'CRATE_EXPORT unsigned long log_count(void) { return 0; }\n'))
    fake = guest([b"push: ok\n"])
    result = push(nano_core, log, fake.path, "--image", built_archive)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"mkimage: error: {built_archive}({name}): undefined symbol 'log_write' "
        f"of crate '{name}' is exported by no crate and not by the nano-core"
        for name in ("timer", "hello")]
    assert fake.connections == 0


def test_image_of_another_nano_core(tmp_path, guest, nano_core, good_crates,
                                    built_archive):
    other = tmp_path / "other_nano_core.elf"
    data = bytearray(nano_core.read_bytes())
    build_id = data.find(b"GNU\0") + 4     # the NT_GNU_BUILD_ID note's bytes
    data[build_id] ^= 0xff
    other.write_bytes(data)
    fake = guest([b"push: ok\n"])
    result = push(other, good_crates["hello"], fake.path, "--image", built_archive)
    assert result.returncode == 2
    line, = result.stderr.splitlines()
    assert line.startswith(f"mkimage: error: {built_archive}: nano_core_id ")
    assert line.endswith(f" is not the build id of {other} "
                         f"({data[build_id:build_id + 16].hex()})")
    assert fake.connections == 0


def test_too_big_is_not_sent(guest, toolchain, nano_core):
    huge = toolchain.crate("huge", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("huge", "1.0.0", "five MiB of data", "", "", "");\n'
        'CRATE_EXPORT const unsigned char huge_blob[5 << 20] = { 1 };\n'))
    fake = guest([b"push: ok\n"])
    result = push(nano_core, huge, fake.path)
    assert result.returncode == 2
    line, = result.stderr.splitlines()
    assert line.startswith(f"mkimage: error: {huge}: the crate archive to push is ")
    assert line.endswith("bytes; the kernel takes at most 4194304 bytes (4 MiB)")
    assert fake.connections == 0


def test_socket_is_required(nano_core, good_crates):
    result = mkimage("push", "--nano-core", nano_core, good_crates["hello"])
    assert result.returncode == 2
    assert result.stderr.startswith("usage: mkimage push ")
    assert result.stderr.splitlines()[-1] == (
        "mkimage: error: the following arguments are required: --socket")


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "inf"])
def test_bad_timeout(tmp_path, nano_core, good_crates, value):
    result = push(nano_core, good_crates["hello"], tmp_path / "s", f"--timeout={value}")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"mkimage: error: argument --timeout: invalid timeout '{value}' "
        f"(seconds, more than 0)")


def test_help():
    result = mkimage("push", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: mkimage push ")


# launch.py: the push line in QEMU's command line.

def test_qemu_command_push_socket():
    cmd = launch.qemu_command("k.elf", "c.archive", "console=x", accel=accel.tcg(),
                              push_socket="/tmp/run,1/push.sock")
    at = cmd.index("-chardev")
    assert cmd[at:at + 4] == [
        "-chardev", "socket,id=push,path=/tmp/run,,1/push.sock,server=on,wait=off",
        "-device", "isa-serial,chardev=push,index=1"]
    assert cmd[cmd.index("-append") + 1] == "console=x spawn=live_update"
    assert "-serial" not in cmd    # COM1 stays whatever the caller's -serial is

    bare = launch.qemu_command("k.elf", accel=accel.tcg(), push_socket="/p.sock")
    assert bare[bare.index("-append") + 1] == "spawn=live_update"
    plain = launch.qemu_command("k.elf", "c.archive", "console=x", accel=accel.tcg())
    assert "-chardev" not in plain and "isa-serial" not in " ".join(plain)
    assert plain[plain.index("-append") + 1] == "console=x"


@pytest.mark.skipif(not any(os.access(os.path.join(d, "qemu-system-x86_64"), os.X_OK)
                            for d in os.environ.get("PATH", "").split(os.pathsep)),
                    reason="qemu-system-x86_64 not installed")
def test_qemu_puts_the_push_line_on_com2(tmp_path):
    """QEMU takes the options: COM2 at 0x2f8, IRQ 3; COM1 stays at 0x3f8 for
    -serial; the socket listens (checked with the machine paused)."""
    empty = tmp_path / "empty.iso"
    empty.write_bytes(b"")
    sock = tmp_path / "push.sock"
    cmd = launch.qemu_command(None, iso=str(empty), accel=accel.tcg(), push_socket=str(sock))
    qemu = subprocess.Popen(cmd + ["-S", "-serial", "null", "-monitor", "stdio"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, preexec_fn=die_with_parent())
    try:
        # The file appears at bind(), a moment before QEMU listens: retry
        # a refused connection until the deadline.
        deadline = time.monotonic() + 20
        while True:
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(str(sock))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            finally:
                probe.close()
        output, _ = qemu.communicate(b"info qtree\nquit\n", timeout=20)
    finally:
        if qemu.poll() is None:
            qemu.kill()
            qemu.wait()
    serials = [block for block in output.decode().split("dev: ")[1:]
               if block.startswith("isa-serial")]
    described = sorted(" ".join(line.strip() for line in block.splitlines()[1:4])
                       for block in serials)
    assert described == ["index = 0 (0x0) iobase = 1016 (0x3f8) irq = 4 (0x4)",
                         "index = 1 (0x1) iobase = 760 (0x2f8) irq = 3 (0x3)"]


def test_claim_push_socket(tmp_path, capsys):
    path = tmp_path / "run" / "push.sock"
    assert launch.claim_push_socket(str(path)) == str(path)
    assert path.parent.is_dir()             # the directory is made

    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()
    assert launch.claim_push_socket(str(path)) == str(path)
    assert not path.exists()                # a stale socket is removed

    live = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    live.bind(str(path))
    live.listen(1)
    try:
        assert launch.claim_push_socket(str(path)) is None
    finally:
        live.close()
    assert path.exists()                    # another run's socket stays
    assert capsys.readouterr().err == (
        f"theseus: another run listens on {path}; starting without a push channel\n")

    path.unlink()
    path.write_text("mine")
    assert launch.claim_push_socket(str(path)) is None
    assert path.read_text() == "mine"
    assert capsys.readouterr().err == (
        f"theseus: {path} exists and is not a socket; starting without a push channel\n")
