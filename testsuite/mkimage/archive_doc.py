"""An independent reader of the crate archive, written from
docs/archive-format.md alone (not from mkimage's code), plus `reseal` to
recompute the checksums after a test edits an archive on purpose."""

import struct
import subprocess
import zlib

HEADER = "<8sIIQIIIIQQQQ16sIIQII"
HEADER_FIELDS = ("magic", "format_version", "header_size", "total_size",
                 "crate_count", "symbol_count", "kexport_count", "strtab_size",
                 "crate_table_off", "symbol_index_off", "kexport_table_off",
                 "strtab_off", "nano_core_id", "program_count", "reserved",
                 "program_table_off", "meta_crc32", "header_crc32")
CRATE = "<IIIIQQIIII16s"
CRATE_FIELDS = ("name_off", "version_off", "description_off",
                "alternative_of_off", "elf_off", "elf_size", "elf_crc32",
                "export_count", "import_count", "flags", "reserved")


def fnv1a32(data):
    value = 2166136261
    for byte in data:
        value = ((value ^ byte) * 16777619) % 2**32
    return value


def crc32(data):
    return zlib.crc32(data) & 0xffffffff


def header(data):
    return dict(zip(HEADER_FIELDS, struct.unpack_from(HEADER, data, 0)))


def string(data, h, offset):
    start = h["strtab_off"] + offset
    return data[start:data.index(b"\0", start)].decode()


def crates(data):
    h = header(data)
    result = []
    for number in range(h["crate_count"]):
        entry = dict(zip(CRATE_FIELDS, struct.unpack_from(
            CRATE, data, h["crate_table_off"] + 64 * number)))
        for key in ("name", "version", "description", "alternative_of"):
            entry[key] = string(data, h, entry[key + "_off"])
        entry["image"] = data[entry["elf_off"]:entry["elf_off"] + entry["elf_size"]]
        entry["entry_off"] = h["crate_table_off"] + 64 * number
        result.append(entry)
    return result


def symbol_index(data):
    """[(name, crate_index, name_hash, reserved, entry_offset)]"""
    h = header(data)
    result = []
    for number in range(h["symbol_count"]):
        at = h["symbol_index_off"] + 16 * number
        name_off, crate_index, name_hash, reserved = struct.unpack_from("<IIII", data, at)
        result.append((string(data, h, name_off), crate_index, name_hash, reserved, at))
    return result


def kexports(data):
    """[(name, reserved, address)]"""
    h = header(data)
    result = []
    for number in range(h["kexport_count"]):
        name_off, reserved, address = struct.unpack_from(
            "<IIQ", data, h["kexport_table_off"] + 16 * number)
        result.append((string(data, h, name_off), reserved, address))
    return result


def reseal(data):
    """The archive with meta_crc32 and header_crc32 recomputed."""
    data = bytearray(data)
    h = header(data)
    meta = data[h["crate_table_off"]:h["strtab_off"] + h["strtab_size"]]
    struct.pack_into("<I", data, 104, crc32(meta))
    struct.pack_into("<I", data, 108, crc32(data[:108]))
    return bytes(data)


def readelf_symbols(path):
    """Symbols as llvm-readelf-19 shows them: dicts of type/bind/vis/ndx/name/value."""
    output = subprocess.run(["llvm-readelf-19", "--syms", "--wide", str(path)],
                            capture_output=True, text=True, check=True).stdout
    symbols = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 7 and parts[0].rstrip(":").isdigit():
            symbols.append({"value": int(parts[1], 16), "type": parts[3],
                            "bind": parts[4], "vis": parts[5], "ndx": parts[6],
                            "name": parts[7] if len(parts) > 7 else ""})
    return symbols


def readelf_exports(path):
    """Names the format doc calls exports, per llvm-readelf."""
    return sorted(s["name"] for s in readelf_symbols(path)
                  if s["bind"] in ("GLOBAL", "WEAK") and s["vis"] == "DEFAULT"
                  and s["ndx"] not in ("UND", "COM")
                  and s["type"] in ("FUNC", "OBJECT", "NOTYPE"))


def readelf_imports(path):
    return sorted(s["name"] for s in readelf_symbols(path)
                  if s["ndx"] == "UND" and s["name"])


def readelf_build_id(path):
    output = subprocess.run(["llvm-readelf-19", "--notes", str(path)],
                            capture_output=True, text=True, check=True).stdout
    for line in output.splitlines():
        if "Build ID:" in line:
            return bytes.fromhex(line.split("Build ID:")[1].strip())
    return None
