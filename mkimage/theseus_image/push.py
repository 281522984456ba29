"""`push`: one crate, sent to a running kernel over its push serial line.

The wire protocol (docs/mkimage.md, "push"): over the UNIX socket that QEMU
connects to the guest's COM2, the host sends the ASCII line
`THESEUS-PUSH 1 <N>\\n` and then exactly N payload bytes, a crate archive
holding the one pushed crate and the nano-core's export table. The kernel
answers with one line, `push: ok <text>` or `push: error <text>`; every
other line it writes there is ignored, and `\\r` is dropped.
"""

import select
import socket
import subprocess
import time

from . import archive as archive_format
from . import attest
from .closure import resolve
from .errors import EnvironmentFailure, InputError

PROTOCOL_VERSION = 1
MAX_PAYLOAD = 4 * 1024 * 1024   # the kernel refuses bigger pushes
ANSWER_PREFIX = "push: "
_CHUNK = 65536


class PushFailure(Exception):
    """The exchange failed (no listener, no answer, a closed line): status 2."""


def without_debug_info(data, path):
    """The object with its DWARF sections dropped (llvm-objcopy --strip-debug):
    the kernel loads only allocated sections, and the serial line is slow
    (a crate's debug info is often more than half of it)."""
    try:
        done = subprocess.run(["llvm-objcopy-19", "--strip-debug", "-", "-"], input=data,
                              capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EnvironmentFailure(f"llvm-objcopy-19 could not run: {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(path, message[-1] if message else "llvm-objcopy-19 refused it")
    return done.stdout


def stripped_for_sending(raw, path, key):
    """What push sends of the object raw: its debug sections dropped, and,
    when raw carries a valid stamp of key (None: no key), stamped again,
    since stripping changes the stamped bytes. Only the holder of the
    build's key can do this, and only after verifying what it strips.
    Returns (bytes, stamp_was_valid)."""
    valid = key is not None and attest.verify(raw, key)[0] == attest.VALID
    body = raw[:-attest.STAMP_SIZE] if attest.has_trailer(raw) else raw
    stripped = without_debug_info(body, path)
    if valid:
        stripped += attest.make_stamp(stripped, key)
    return stripped, valid


def header(size):
    return f"THESEUS-PUSH {PROTOCOL_VERSION} {size}\n".encode("ascii")


def payload(crate, nano_core, forced=False):
    """The archive bytes to send; InputError if the kernel would refuse the size."""
    data = archive_format.write_archive([crate], nano_core, forced=forced)
    if len(data) > MAX_PAYLOAD:
        raise InputError(crate.file, (
            f"the crate archive to push is {len(data)} bytes; the kernel takes "
            f"at most {MAX_PAYLOAD} bytes (4 MiB)"))
    return data


def image_problems(crate, nano_core, image):
    """Problems of the crate set the image would hold once `crate` replaces
    its crate of the same name (or joins it), linked against `nano_core`."""
    problems = []
    if image.nano_core_id != nano_core.build_id:
        problems.append(InputError(image.file, (
            f"nano_core_id {image.nano_core_id.hex()} is not the build id of "
            f"{nano_core.file} ({nano_core.build_id.hex()})")))
    others = [entry.crate for entry in image.crates if entry.name != crate.name]
    problems += resolve(others + [crate], nano_core.exports, nano_core.signatures).problems
    return problems


def _version(text):
    return tuple(int(part) for part in text.split("."))


def downgrade_problems(crate, image, forced):
    """A lower version replacing the image's crate of the same name (or the
    crate it is an alternative of) is refused unless forced."""
    if forced:
        return []
    for target in (crate.name, crate.info.alternative_of):
        entry = next((e for e in image.crates if target and e.name == target), None)
        if entry is not None and _version(crate.info.version) < _version(entry.version):
            return [InputError(crate.file, (
                f"{crate.name} {crate.info.version} would replace {entry.name} "
                f"{entry.version}: a downgrade (use --force to allow it)"))]
    return []


def _answer(buffer):
    """(the first complete `push: ` line, `\\r` dropped, or None; the rest)."""
    while b"\n" in buffer:
        raw, _, buffer = buffer.partition(b"\n")
        line = raw.decode("utf-8", "backslashreplace").replace("\r", "")
        if line.startswith(ANSWER_PREFIX):
            return line, buffer
    return None, buffer


def _connect(path, timeout):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
    except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
        sock.close()
        raise PushFailure(f"no running system listens on {path} "
                          f"(start ./theseus run first)") from None
    except socket.timeout:
        sock.close()
        raise PushFailure(f"{path}: the connection was not accepted within "
                          f"{timeout:g} s (is another push in progress?)") from None
    except OSError as error:
        sock.close()
        raise PushFailure(f"{path}: cannot connect: "
                          f"{error.strerror or error}") from None
    sock.setblocking(False)
    return sock


def exchange(path, data, timeout):
    """Send header and payload, return the kernel's `push: ` line (prefix
    kept, `\\r` dropped). The whole exchange has `timeout` seconds. Reading
    goes on while sending, so an early refusal ends the push at once."""
    deadline = time.monotonic() + timeout
    sock = _connect(path, timeout)
    out = memoryview(header(len(data)) + data)
    sent = 0
    send_failure = None     # the line broke while sending: read what is left
    received = b""

    def progress():
        return f"{sent} of {len(out)} bytes sent"

    try:
        while True:
            line, received = _answer(received)
            if line is not None:
                return line
            left = deadline - time.monotonic()
            if left <= 0:
                unsent = (f" (only {sent} of {len(out)} bytes could be sent)"
                          if sent < len(out) else "")
                raise PushFailure(f"no answer from the kernel within "
                                  f"{timeout:g} s{unsent}")
            sending = sent < len(out) and send_failure is None
            readable, writable, _ = select.select(
                [sock], [sock] if sending else [], [], left)
            if readable:
                try:
                    chunk = sock.recv(_CHUNK)
                except (BlockingIOError, InterruptedError):
                    chunk = None
                except OSError as error:
                    raise PushFailure(
                        f"{path}: the connection failed before the kernel "
                        f"answered: {error.strerror or error} ({progress()})"
                    ) from None
                if chunk == b"":
                    # A last line may lack its newline.
                    last, received = _answer(received + b"\n")
                    if last is not None:
                        return last
                    why = (f": {send_failure.strerror or send_failure}"
                           if send_failure else "")
                    raise PushFailure(
                        f"{path}: the connection closed before the kernel "
                        f"answered{why} ({progress()})")
                if chunk:
                    received += chunk
                    continue    # an answer ends the push before more is sent
            if writable and sending:
                try:
                    sent += sock.send(out[sent:sent + _CHUNK])
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as error:
                    send_failure = error
    finally:
        sock.close()


def verdict(line):
    """('ok' or 'error', the kernel's text) for a `push: ` line."""
    rest = line[len(ANSWER_PREFIX):]
    word, _, text = rest.partition(" ")
    if word in ("ok", "error"):
        return word, text.strip()
    raise PushFailure(f"unexpected answer from the kernel: {line}")
