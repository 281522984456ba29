#!/usr/bin/python3
"""Seed corpus for fuzz_archive: a valid archive and broken variants.

Usage: make_corpus.py ARCHIVE OUTDIR
Broken variants: truncations, a flipped byte in each table and in each
crate image, bad counts and offsets, an unknown version.  Most variants
keep valid CRCs (recomputed here) so they reach the deeper checks."""
import os
import struct
import sys
import zlib


def fix(a: bytearray):
    """Recompute crate, metadata and header CRCs (as the harness does)."""
    count, = struct.unpack_from("<I", a, 24)
    coff, = struct.unpack_from("<Q", a, 40)
    stroff, = struct.unpack_from("<Q", a, 64)
    strsize, = struct.unpack_from("<I", a, 36)
    for i in range(count):
        e = coff + 64 * i
        if e + 64 > len(a):
            break
        off, size = struct.unpack_from("<QQ", a, e + 16)
        if off + size <= len(a):
            struct.pack_into("<I", a, e + 32, zlib.crc32(a[off:off + size]))
    if coff <= stroff + strsize <= len(a):
        struct.pack_into("<I", a, 104, zlib.crc32(a[coff:stroff + strsize]))
    struct.pack_into("<I", a, 108, zlib.crc32(a[:108]))
    return a


def main():
    data = open(sys.argv[1], "rb").read()
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    seeds = {"valid": data}
    for n in (0, 50, 96, 200, len(data) // 2, len(data) - 1):
        seeds[f"truncated_{n}"] = data[:n]
    bad_version = bytearray(data)
    bad_version[8] = 2
    seeds["version2"] = bytes(fix(bad_version))
    bad_crc = bytearray(data)
    bad_crc[100] ^= 0xFF
    seeds["bad_meta_crc"] = bytes(bad_crc)
    for name, off, value in (("huge_crate_count", 24, 0xFFFFFFFF),
                             ("huge_symbol_count", 28, 0x7FFFFFFF),
                             ("strtab_size_zero", 36, 0)):
        v = bytearray(data)
        struct.pack_into("<I", v, off, value)
        seeds[name] = bytes(fix(v))
    count, = struct.unpack_from("<I", data, 24)
    coff, = struct.unpack_from("<Q", data, 40)
    for i in range(count):
        e = coff + 64 * i
        off, size = struct.unpack_from("<QQ", data, e + 16)
        # Flip bytes inside the ELF header, section headers and symbols.
        for where in (4, 18, 40, 60, size // 3, size // 2, size - 40):
            v = bytearray(data)
            v[off + where] ^= 0x5A
            seeds[f"crate{i}_flip{where}"] = bytes(fix(v))
        v = bytearray(data)
        struct.pack_into("<Q", v, e + 24, size + 4096)
        seeds[f"crate{i}_oversize"] = bytes(fix(v))
    for name, blob in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
