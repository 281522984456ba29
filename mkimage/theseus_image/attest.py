"""The checker's verdict, carried by crate objects (docs/safe-c.md, "The
verdict travels with the object"): the attestation stamp and the type
signatures.

A stamp is a 64-byte trailer after the object (kernel/linker/stamp.h):
magic, version, flags, the object's size, and a keyed BLAKE2s-256 of the
object's bytes and the trailer's first 32 bytes. mkimage checks it with
the build's key and re-stamps what it changes itself (push strips debug
sections). The signatures are the `theseus_safec` section the safe-C
plugin writes (kernel/linker/signature.h): one `def` or `ref` line per
exported definition or import."""

import hashlib
import re
import struct

STAMP_MAGIC = b"THSTAMP1"
STAMP_SIZE = 64
STAMP_VERSION = 1
KEY_SIZE = 32
SIGNATURE_SECTION = "theseus_safec"

VALID, MISSING, BAD = "valid", "missing", "bad"

NO_STAMP = "no attestation stamp (the object was not stamped by a build that checked it)"

# Calls the compiler makes by itself (a struct copy becomes memcpy): no
# declaration in the source, so the importer records no signature.
COMPILER_RUNTIME = frozenset({"memcpy", "memset", "memmove", "memcmp"})

_LINE = re.compile(r"(def|ref) ([A-Za-z0-9_.$]{1,255}) ([0-9a-f]{32})((?: [A-Za-z0-9_.$:]+=[0-9a-f]{32})*)")


def read_key(path):
    """The 32-byte key in path; ValueError with a reason otherwise."""
    with open(path, "rb") as f:
        key = f.read(KEY_SIZE + 1)
    if len(key) != KEY_SIZE:
        raise ValueError(f"an attestation key is exactly {KEY_SIZE} bytes, not {len(key)}")
    return key


def _tag(key, covered, head):
    h = hashlib.blake2s(key=key, digest_size=32)
    h.update(covered)
    h.update(head)
    return h.digest()


def make_stamp(obj, key):
    """The 64-byte trailer that stamps obj (bytes without a trailer)."""
    head = STAMP_MAGIC + struct.pack("<IIQ", STAMP_VERSION, 0, len(obj)) + bytes(8)
    return head + _tag(key, obj, head)


def has_trailer(data):
    return len(data) >= STAMP_SIZE and data[-STAMP_SIZE:-STAMP_SIZE + 8] == STAMP_MAGIC


def verify(data, key):
    """(VALID|MISSING|BAD, size of the object without the trailer, reason)."""
    if not has_trailer(data):
        return MISSING, len(data), NO_STAMP
    trailer = data[-STAMP_SIZE:]
    version, flags, covered = struct.unpack_from("<IIQ", trailer, 8)
    if version != STAMP_VERSION or flags:
        return BAD, len(data), "attestation stamp of an unknown version or with unknown flags"
    if any(trailer[24:32]):
        return BAD, len(data), "attestation stamp with nonzero reserved bytes"
    if covered != len(data) - STAMP_SIZE:
        return BAD, len(data), ("attestation stamp covers another size than the object has "
                                "(truncated or extended)")
    if _tag(key, data[:-STAMP_SIZE], trailer[:32]) != trailer[32:]:
        return BAD, len(data), ("attestation stamp does not match the object (changed after "
                                "the check, or stamped by another build)")
    return VALID, covered, "stamped by this build"


class Signatures:
    """The def and ref lines of a theseus_safec record."""

    def __init__(self):
        self.defs = {}
        self.refs = {}
        self.checked_files = []   # "crate=... file=..." of each checked unit
        self.units = 0            # header lines of any kind

    @staticmethod
    def parse(text):
        """Signatures of text (bytes); ValueError on a malformed line."""
        sigs = Signatures()
        # Lines end at newline or NUL: ld -r pads between the records of a
        # crate's sources with zeros.
        for number, raw in enumerate(text.replace(b"\0", b"\n").split(b"\n"), 1):
            line = raw.decode("ascii", "replace")
            if line.startswith("safec 1 "):
                sigs.units += 1
                if line.startswith("safec 1 checked "):
                    fields = dict(part.split("=", 1) for part in line.split()[3:] if "=" in part)
                    sigs.checked_files.append((fields.get("crate", ""), fields.get("file", "")))
                continue
            if not (line.startswith("def ") or line.startswith("ref ")):
                continue
            match = _LINE.fullmatch(line)
            if not match:
                raise ValueError(f"{SIGNATURE_SECTION}: malformed line {number}")
            kind, name, digest, tags = match.groups()
            layouts = dict(t.split("=") for t in tags.split())
            (sigs.defs if kind == "def" else sigs.refs).setdefault(name, (digest, layouts))
        return sigs


def mismatch(ref, definition):
    """None when the import ref matches definition, else a reason."""
    if ref[0] != definition[0]:
        return "the declared types differ (prototype, return type or object type)"
    for tag, layout in ref[1].items():
        other = definition[1].get(tag)
        if other is not None and other != layout:
            return f"'{tag}' has another layout on each side"
    return None
