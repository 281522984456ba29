"""Round trips (build -> list -> extract -> verify) and what verify, list
and extract do with archives damaged after the fact."""

import json
import random
import re
import struct

import pytest

import archive_doc as doc
from elfedit import Elf
from harness import mkimage


def list_line(path, name, version, exports, imports):
    size = path.stat().st_size
    sections = Elf(path.read_bytes()).get("e_shnum")
    return (f"{name} {version}: {size} bytes, {sections} sections; "
            f"exports: {' '.join(exports)}; imports: {' '.join(imports)}")


def test_list(built_archive, good_crates):
    result = mkimage("list", built_archive)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        list_line(good_crates["log"], "log", "1.0.0",
                  ["log_count", "log_write"], ["serial_write"]),
        list_line(good_crates["timer"], "timer", "0.3.1",
                  ["timer_message", "timer_tick", "timer_ticks_since_boot"],
                  ["log_write", "memcpy"]),
        list_line(good_crates["hello"], "hello", "0.1.0",
                  ["hello_main"], ["log_write"]),
    ]


def test_list_json(built_archive, good_crates, nano_core):
    result = mkimage("list", "--json", built_archive)
    assert result.returncode == 0
    listing = json.loads(result.stdout)
    assert listing["format_version"] == 2
    assert listing["nano_core_id"] == doc.readelf_build_id(nano_core)[:16].hex()
    log = listing["crates"][0]
    assert log["name"] == "log" and log["init"] == "log_init"
    assert log["size"] == good_crates["log"].stat().st_size
    assert log["exports"] == ["log_count", "log_write"]
    assert listing["crates"][2]["needs"] == ["log"]
    assert set(listing["nano_core_exports"]) == {"_start", "memcpy", "serial_write"}


@pytest.mark.parametrize("name", ["log", "timer", "hello"])
def test_extract_is_byte_identical(tmp_path, built_archive, good_crates, name):
    output = tmp_path / f"extracted-{name}.o"
    result = mkimage("extract", built_archive, name, "-o", output)
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == good_crates[name].read_bytes()


def test_extract_default_name_and_stdout(tmp_path, built_archive, good_crates):
    workdir = tmp_path / "work"
    workdir.mkdir()
    assert mkimage("extract", built_archive, "timer", cwd=workdir).returncode == 0
    assert (workdir / "timer.o").read_bytes() == good_crates["timer"].read_bytes()
    piped = mkimage("extract", built_archive, "hello", "-o", "-", text=False)
    assert piped.returncode == 0
    assert piped.stdout == good_crates["hello"].read_bytes()


def test_extract_unknown_crate(tmp_path, built_archive):
    result = mkimage("extract", built_archive, "nope", "-o", tmp_path / "nope.o")
    assert result.returncode == 2
    assert result.stderr == (f"mkimage: error: {built_archive}: no crate named "
                             f"'nope' (crates: log, timer, hello)\n")
    assert not (tmp_path / "nope.o").exists()


def test_verify_good_archive(built_archive):
    result = mkimage("verify", built_archive)
    assert result.returncode == 0
    assert result.stdout == (f"{built_archive}: OK: 3 crates, 6 exported "
                             f"symbols, 3 nano-core exports\n")
    assert result.stderr == ""


def test_full_round_trip_rebuild(tmp_path, built_archive, nano_core):
    """Objects extracted from an archive build the same archive again."""
    extracted = []
    for name in ("log", "timer", "hello"):
        path = tmp_path / f"{name}.o"
        assert mkimage("extract", built_archive, name, "-o", path).returncode == 0
        extracted.append(path)
    rebuilt = tmp_path / "rebuilt.archive"
    result = mkimage("build", "-o", rebuilt, "--nano-core", nano_core, *extracted)
    assert result.returncode == 0, result.stderr
    assert rebuilt.read_bytes() == built_archive.read_bytes()


def test_verify_against_matching_nano_core(built_archive, nano_core):
    result = mkimage("verify", "--nano-core", nano_core, built_archive)
    assert result.returncode == 0, result.stderr


def test_verify_against_other_nano_core(tmp_path, built_archive, nano_core):
    other = tmp_path / "other.elf"
    elf = bytearray(nano_core.read_bytes())
    build_id = doc.readelf_build_id(nano_core)
    at = bytes(elf).index(build_id)
    elf[at] ^= 0xff
    other.write_bytes(elf)
    result = mkimage("verify", "--nano-core", other, built_archive)
    assert result.returncode == 2
    changed = bytes([build_id[0] ^ 0xff]) + build_id[1:16]
    assert result.stderr == (
        f"mkimage: error: {built_archive}: nano_core_id {build_id[:16].hex()} "
        f"is not the build id of {other} ({changed.hex()})\n")


# --- damage after the fact ---------------------------------------------------

def damaged(tmp_path, archive, edit, reseal=False):
    data = bytearray(archive.read_bytes())
    edit(data)
    if reseal:
        data = bytearray(doc.reseal(data))
    path = tmp_path / "damaged.archive"
    path.write_bytes(data)
    return path


def crc_line(path, what, table):
    return re.compile(re.escape(f"mkimage: error: {path}: {what} CRC-32 is 0x")
                      + r"[0-9a-f]{8}" + re.escape(f", {table} records 0x")
                      + r"[0-9a-f]{8}")


def test_verify_detects_flipped_byte_in_crate_image(tmp_path, built_archive):
    timer = doc.crates(built_archive.read_bytes())[1]

    def flip(data):
        data[timer["elf_off"] + timer["elf_size"] // 2] ^= 0x01
    path = damaged(tmp_path, built_archive, flip)
    result = mkimage("verify", path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert crc_line(path, "crate 'timer': ELF image", "the crate table").fullmatch(lines[0])
    assert result.stdout == ""


def test_verify_detects_flipped_byte_in_metadata(tmp_path, built_archive):
    h = doc.header(built_archive.read_bytes())

    def flip(data):
        data[h["strtab_off"] + 1] ^= 0x20     # first letter of the first string
    path = damaged(tmp_path, built_archive, flip)
    result = mkimage("verify", path)
    assert result.returncode == 2
    assert crc_line(path, "metadata", "the header").fullmatch(
        result.stderr.splitlines()[0])


def test_verify_detects_flipped_byte_in_header(tmp_path, built_archive):
    def flip(data):
        data[72] ^= 0x80      # inside nano_core_id
    path = damaged(tmp_path, built_archive, flip)
    result = mkimage("verify", path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert crc_line(path, "header", "the header").fullmatch(result.stderr.splitlines()[0])


def test_verify_detects_truncation(tmp_path, built_archive):
    size = built_archive.stat().st_size
    path = tmp_path / "short.archive"
    path.write_bytes(built_archive.read_bytes()[:-10])
    result = mkimage("verify", path)
    assert result.returncode == 2
    assert (f"mkimage: error: {path}: header total_size is {size}, but the "
            f"archive is {size - 10} bytes") in result.stderr.splitlines()


def test_verify_detects_unknown_version(tmp_path, built_archive):
    path = damaged(tmp_path, built_archive,
                   lambda data: struct.pack_into("<I", data, 8, 3), reseal=True)
    result = mkimage("verify", path)
    assert result.returncode == 2
    assert result.stderr == (f"mkimage: error: {path}: archive format version 3; "
                             f"this mkimage reads version 2 only\n")


def test_verify_checks_structure_not_only_checksums(tmp_path, built_archive):
    """Swap two symbol index entries and recompute every CRC: only the
    structural check can notice."""
    index = doc.symbol_index(built_archive.read_bytes())

    def swap(data):
        first, second = index[0][4], index[1][4]
        a, b = bytes(data[first:first + 16]), bytes(data[second:second + 16])
        data[first:first + 16], data[second:second + 16] = b, a
    path = damaged(tmp_path, built_archive, swap, reseal=True)
    result = mkimage("verify", path)
    assert result.returncode == 2
    assert result.stderr == (f"mkimage: error: {path}: symbol index entry 1 "
                             f"('{index[0][0]}'): out of order (the index is "
                             f"sorted by name, then crate index, without repeats)\n")


def test_verify_checks_index_points_at_real_exports(tmp_path, built_archive):
    data = built_archive.read_bytes()
    index = doc.symbol_index(data)
    hello_main = next(entry for entry in index if entry[0] == "hello_main")

    def misdirect(buffer):     # claim crate 0 (log) exports hello_main
        struct.pack_into("<I", buffer, hello_main[4] + 4, 0)
    path = damaged(tmp_path, built_archive, misdirect, reseal=True)
    result = mkimage("verify", path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"mkimage: error: {path}: crate 'log': symbol index names 'hello_main', "
        f"which the crate does not export",
        f"mkimage: error: {path}: crate 'log': export_count 2, but the symbol "
        f"index has 3 entries for it",
        f"mkimage: error: {path}: crate 'hello': exported symbol 'hello_main' "
        f"is missing from the symbol index",
        f"mkimage: error: {path}: crate 'hello': export_count 1, but the symbol "
        f"index has 0 entries for it",
    ]


def test_verify_checks_crate_offsets(tmp_path, built_archive):
    data = built_archive.read_bytes()
    hello = doc.crates(data)[2]
    beyond = (len(data) + 15) // 16 * 16

    def push_out(buffer):
        struct.pack_into("<Q", buffer, hello["entry_off"] + 16, beyond)
    path = damaged(tmp_path, built_archive, push_out, reseal=True)
    result = mkimage("verify", path)
    assert result.returncode == 2
    first_image = doc.crates(data)[0]["elf_off"]
    assert result.stderr.splitlines()[0] == (
        f"mkimage: error: {path}: crate 'hello': ELF image [0x{beyond:x}, "
        f"0x{beyond + hello['elf_size']:x}) lies outside the image area "
        f"[0x{first_image:x}, 0x{len(data):x})")


def test_verify_revalidates_crate_elf(tmp_path, built_archive):
    """A damaged ELF whose CRC was recomputed is still caught by the ELF checks."""
    data = built_archive.read_bytes()
    log = doc.crates(data)[0]

    def break_machine(buffer):
        struct.pack_into("<H", buffer, log["elf_off"] + 18, 3)
        image = bytes(buffer[log["elf_off"]:log["elf_off"] + log["elf_size"]])
        struct.pack_into("<I", buffer, log["entry_off"] + 32, doc.crc32(image))
    path = damaged(tmp_path, built_archive, break_machine, reseal=True)
    result = mkimage("verify", path)
    assert result.returncode == 2
    assert result.stderr == (f"mkimage: error: {path}(log): wrong machine "
                             f"EM_386 (3), expected EM_X86_64 (62)\n")


@pytest.mark.parametrize("command", [["list"], ["graph"], ["extract", "_", "log"]])
def test_readers_refuse_damaged_archive(tmp_path, built_archive, command):
    h = doc.header(built_archive.read_bytes())

    def flip(data):
        data[h["strtab_off"] + 1] ^= 0x20
    path = damaged(tmp_path, built_archive, flip)
    args = [command[0], path, *command[2:]]
    result = mkimage(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert crc_line(path, "metadata", "the header").fullmatch(result.stderr.splitlines()[0])
    assert result.stdout == ""
    assert not (tmp_path / "log.o").exists()


def test_not_an_archive(tmp_path):
    path = tmp_path / "random.bin"
    path.write_bytes(b"\x00" * 40000)
    for command in ("list", "verify", "graph"):
        result = mkimage(command, path)
        assert result.returncode == 2
        assert result.stderr == (f"mkimage: error: {path}: not a crate archive "
                                 f"or an ISO 9660 boot image\n")


def test_truncated_header(tmp_path, built_archive):
    path = tmp_path / "tiny.archive"
    path.write_bytes(built_archive.read_bytes()[:50])
    result = mkimage("verify", path)
    assert result.returncode == 2
    assert result.stderr == (f"mkimage: error: {path}: truncated: 50 bytes, an "
                             f"archive header needs 112\n")


def test_random_archive_damage_never_crashes(tmp_path, built_archive):
    """Damage anywhere gives one-line errors and exit 2, never a traceback."""
    rng = random.Random(7)
    data = built_archive.read_bytes()
    for number in range(40):
        mutant = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            mutant[rng.randrange(len(mutant))] = rng.randrange(256)
        if number % 2:
            mutant = bytearray(doc.reseal(mutant)) if len(mutant) >= 112 else mutant
        path = tmp_path / f"mutant{number}.archive"
        path.write_bytes(mutant)
        result = mkimage("verify", path)
        assert result.returncode in (0, 2)
        for line in result.stderr.splitlines():
            assert line.startswith(f"mkimage: error: {path}"), line
            assert "internal error" not in line


def test_verify_checks_table_placement(tmp_path, built_archive):
    h = doc.header(built_archive.read_bytes())
    moved = h["kexport_table_off"] + 8

    def move(data):
        struct.pack_into("<Q", data, 56, moved)
    path = damaged(tmp_path, built_archive, move, reseal=True)
    result = mkimage("verify", path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"mkimage: error: {path}: nano-core export table at 0x{moved:x}, expected "
        f"0x{moved - 8:x} (the metadata region is contiguous)")
