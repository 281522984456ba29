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
