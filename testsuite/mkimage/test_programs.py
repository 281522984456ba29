"""User programs in the archive (format version 2): packed beside the
crates, listed, verified, and malformed executables refused with the rule
they broke."""

import shutil
import struct

import pytest

import archive_doc as doc
from harness import mkimage

BUSYBOX = shutil.which("busybox") or "/bin/busybox"


def build(tmp_path, nano_core, base_set, *programs):
    output = tmp_path / "crates.archive"
    args = [a for p in programs for a in ("--program", str(p))]
    result = mkimage("build", "-o", output, "--nano-core", nano_core, *args, *base_set)
    return result, output


def test_busybox_is_packed_listed_and_verified(tmp_path, nano_core, base_set):
    result, output = build(tmp_path, nano_core, base_set, f"busybox={BUSYBOX}")
    assert result.returncode == 0, result.stderr
    data = output.read_bytes()
    h = doc.header(data)
    assert h["program_count"] == 1 and h["reserved"] == 0
    name_off, flags, elf_off, elf_size, crc, reserved = struct.unpack_from(
        "<IIQQII", data, h["program_table_off"])
    assert doc.string(data, h, name_off) == "busybox"
    assert (flags, reserved, elf_off % 16) == (0, 0, 0)
    image = open(BUSYBOX, "rb").read()
    assert data[elf_off:elf_off + elf_size] == image and crc == doc.crc32(image)
    listing = mkimage("list", output)
    assert "program busybox: " in listing.stdout and "exec" in listing.stdout
    verify = mkimage("verify", output)
    assert verify.returncode == 0 and "1 programs" in verify.stdout


def _broken(tmp_path, edit):
    data = bytearray(open(BUSYBOX, "rb").read())
    edit(data)
    path = tmp_path / "prog"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("edit,message", [
    (lambda d: d.__setitem__(slice(0, 4), b"\x7fXLF"), "no ELF magic"),
    (lambda d: struct.pack_into("<H", d, 16, 1), "e_type 1"),
    (lambda d: struct.pack_into("<H", d, 18, 3), "machine 3"),
    (lambda d: struct.pack_into("<Q", d, 32, len(d)), "program header table outside the file"),
    (lambda d: struct.pack_into("<Q", d, 24, 0x10), "entry point 0x10"),
    # program header 3 (the RW PT_LOAD): file size above its memory size
    (lambda d: struct.pack_into("<Q", d, 64 + 3 * 56 + 32, 1 << 40), "p_filesz"),
])
def test_malformed_programs_are_refused(tmp_path, nano_core, base_set, edit, message):
    result, output = build(tmp_path, nano_core, base_set, _broken(tmp_path, edit))
    assert result.returncode == 2
    assert "not a user program" in result.stderr and message in result.stderr
    assert not output.exists()


def _many_loads(count):
    """A static ET_EXEC with `count` one-page PT_LOADs, the first executable."""
    phoff, phsize = 64, 56
    head = bytearray(phoff + count * phsize)
    head[0:7] = b"\x7fELF\x02\x01\x01"
    struct.pack_into("<HHIQQQIHHHHHH", head, 16, 2, 62, 1, 0x400000, phoff, 0, 0, 64, phsize, count, 0, 0, 0)
    for i in range(count):
        struct.pack_into("<IIQQQQQQ", head, phoff + i * phsize, 1, 5 if i == 0 else 6, 0,
                         0x400000 + i * 0x1000, 0, 0 if i else len(head), 0x1000, 0x1000)
    return bytes(head)


def test_more_load_segments_than_a_load_plan_holds_are_refused(tmp_path, nano_core, base_set):
    for count, refused in ((16, False), (17, True)):
        path = tmp_path / f"loads{count}"
        path.write_bytes(_many_loads(count))
        result, _ = build(tmp_path, nano_core, base_set, str(path))
        assert (result.returncode == 2) == refused, result.stderr
        assert ("more than 16 PT_LOAD segments" in result.stderr) == refused, result.stderr


def test_dynamic_program_is_refused(tmp_path, nano_core, base_set):
    result, _ = build(tmp_path, nano_core, base_set, "/bin/true")
    assert result.returncode == 2 and "PT_INTERP" in result.stderr


def test_bad_program_name_is_refused(tmp_path, nano_core, base_set):
    result, _ = build(tmp_path, nano_core, base_set, f"Bad/Name={BUSYBOX}")
    assert result.returncode == 2 and "program name" in result.stderr


def test_data_files_are_packed_and_listed(tmp_path, nano_core, base_set):
    motd = tmp_path / "motd"
    motd.write_bytes(b"hello\n")
    output = tmp_path / "crates.archive"
    result = mkimage("build", "-o", output, "--nano-core", nano_core,
                     "--program", f"busybox={BUSYBOX}", "--file", f"busybox={motd}",
                     "--file", f"etc/motd={motd}", *base_set)
    assert result.returncode == 0, result.stderr
    data = output.read_bytes()
    h = doc.header(data)
    assert h["program_count"] == 3
    entries = [struct.unpack_from("<IIQQII", data, h["program_table_off"] + 32 * i) for i in range(3)]
    assert [(doc.string(data, h, e[0]), e[1]) for e in entries] == \
        [("busybox", 0), ("busybox", 1), ("etc/motd", 1)]
    listing = mkimage("list", output).stdout
    assert "file etc/motd: 6 bytes" in listing and "program busybox:" in listing
    assert mkimage("verify", output).returncode == 0


@pytest.mark.parametrize("name", ["../x", "a/b/c", "bin/x", "/abs", "a//b", "a/./b", "x" * 64])
def test_bad_data_file_names_are_refused(tmp_path, nano_core, base_set, name):
    data = tmp_path / "data"
    data.write_bytes(b"x")
    result = mkimage("build", "-o", tmp_path / "a.archive", "--nano-core", nano_core,
                     "--file", f"{name}={data}", *base_set)
    assert result.returncode == 2 and "file name" in result.stderr, result.stderr
