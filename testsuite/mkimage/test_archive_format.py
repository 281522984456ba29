"""The bytes `build` writes match docs/archive-format.md, read by an
independent decoder (archive_doc.py) and checked against llvm-readelf."""

import struct

import archive_doc as doc
from harness import mkimage


def build(tmp_path, nano_core, inputs, name="crates.archive"):
    output = tmp_path / name
    result = mkimage("build", "-o", output, "--nano-core", nano_core, *inputs)
    assert result.returncode == 0, result.stderr
    return output.read_bytes()


def test_header(tmp_path, nano_core, base_set):
    data = build(tmp_path, nano_core, base_set)
    h = doc.header(data)
    assert h["magic"] == b"THSARCH\0"
    assert h["format_version"] == 2
    assert h["header_size"] == 112
    assert h["total_size"] == len(data)
    assert h["crate_count"] == 3
    assert h["header_crc32"] == doc.crc32(data[:108])
    # Tables follow each other without gaps, each 8-aligned.
    assert h["crate_table_off"] == 112
    assert h["symbol_index_off"] == 112 + 64 * h["crate_count"]
    assert h["kexport_table_off"] == h["symbol_index_off"] + 16 * h["symbol_count"]
    assert h["program_table_off"] == h["kexport_table_off"] + 16 * h["kexport_count"]
    assert h["strtab_off"] == h["program_table_off"] + 32 * h["program_count"]
    for key in ("crate_table_off", "symbol_index_off", "kexport_table_off"):
        assert h[key] % 8 == 0
    meta_end = h["strtab_off"] + h["strtab_size"]
    assert h["meta_crc32"] == doc.crc32(data[h["crate_table_off"]:meta_end])
    strtab = data[h["strtab_off"]:meta_end]
    assert strtab[0] == 0 and strtab[-1] == 0


def test_nano_core_id_is_build_id_prefix(tmp_path, nano_core, base_set):
    data = build(tmp_path, nano_core, base_set)
    build_id = doc.readelf_build_id(nano_core)
    assert len(build_id) == 20     # --build-id=sha1
    assert doc.header(data)["nano_core_id"] == build_id[:16]


def test_crate_table_and_images(tmp_path, nano_core, base_set):
    data = build(tmp_path, nano_core, base_set)
    h = doc.header(data)
    table = doc.crates(data)
    assert [c["name"] for c in table] == ["log", "timer", "hello"]
    assert [c["version"] for c in table] == ["1.0.0", "0.3.1", "0.1.0"]
    assert table[0]["description"] == "log lines to the serial port"
    previous_end = h["strtab_off"] + h["strtab_size"]
    for entry, path in zip(table, base_set):
        assert entry["image"] == path.read_bytes()
        assert entry["elf_crc32"] == doc.crc32(entry["image"])
        assert entry["elf_off"] % 16 == 0
        assert entry["elf_off"] >= previous_end
        assert not any(data[previous_end:entry["elf_off"]]), "padding is zero"
        previous_end = entry["elf_off"] + entry["elf_size"]
        assert entry["export_count"] == len(doc.readelf_exports(path))
        assert entry["import_count"] == len(doc.readelf_imports(path))
        assert entry["flags"] == 0 and entry["alternative_of"] == ""
        assert entry["reserved"] == bytes(16)
    assert previous_end == len(data)


def test_symbol_index_sorted_hashed_complete(tmp_path, nano_core, base_set):
    data = build(tmp_path, nano_core, base_set)
    index = doc.symbol_index(data)
    keys = [(name.encode(), crate) for name, crate, *_ in index]
    assert keys == sorted(keys)
    for name, _, name_hash, reserved, _ in index:
        assert name_hash == doc.fnv1a32(name.encode())
        assert reserved == 0
    expected = sorted((name, number) for number, path in enumerate(base_set)
                      for name in doc.readelf_exports(path))
    assert sorted((name, crate) for name, crate, *_ in index) == expected
    assert ("timer_tick", 1) in [(n, c) for n, c, *_ in index]   # second source file


def test_nano_core_exports(tmp_path, nano_core, base_set):
    data = build(tmp_path, nano_core, base_set)
    table = doc.kexports(data)
    names = [name for name, _, _ in table]
    assert names == sorted(names)
    symbols = {s["name"]: s["value"] for s in doc.readelf_symbols(nano_core)}
    assert names == sorted(["_start", "memcpy", "serial_write"])  # kernel_private is hidden
    for name, reserved, address in table:
        assert reserved == 0
        assert address == symbols[name]


def test_alternative_entries(tmp_path, nano_core, good_crates):
    inputs = [good_crates["log"], good_crates["hello"], good_crates["log_v2"]]
    data = build(tmp_path, nano_core, inputs)
    table = doc.crates(data)
    assert table[2]["name"] == "log_v2"
    assert table[2]["alternative_of"] == "log"
    assert table[2]["flags"] == 1
    assert table[0]["flags"] == 0
    providers = [crate for name, crate, *_ in doc.symbol_index(data) if name == "log_write"]
    assert providers == [0, 2]      # ties ordered by crate index


def test_output_is_reproducible(tmp_path, nano_core, base_set):
    first = build(tmp_path, nano_core, base_set, "first.archive")
    second = build(tmp_path, nano_core, base_set, "second.archive")
    assert first == second


def test_strings_are_shared(tmp_path, nano_core, good_crates):
    # log and log_v2 both export log_write: the name is stored once.
    data = build(tmp_path, nano_core,
                 [good_crates["log"], good_crates["log_v2"], good_crates["hello"]])
    h = doc.header(data)
    strtab = data[h["strtab_off"]:h["strtab_off"] + h["strtab_size"]]
    assert strtab.count(b"\0log_write\0") == 1
    offsets = {struct.unpack_from("<I", data, at)[0]
               for name, _, _, _, at in doc.symbol_index(data) if name == "log_write"}
    assert len(offsets) == 1
