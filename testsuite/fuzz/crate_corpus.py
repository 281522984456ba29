#!/usr/bin/python3
"""Seed corpus for fuzz_crate: every crate image of an archive, as an object
on its own (stamp trailer removed, debug sections stripped: the fuzzer
mutates what the loader reads, not DWARF).

Usage: crate_corpus.py ARCHIVE OUTDIR"""
import os
import struct
import subprocess
import sys

STAMP_MAGIC = b"THSTAMP1"
STAMP_SIZE = 64


def main():
    data = open(sys.argv[1], "rb").read()
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    count, = struct.unpack_from("<I", data, 24)
    crates, = struct.unpack_from("<Q", data, 40)
    strtab, = struct.unpack_from("<Q", data, 64)
    for i in range(count):
        entry = crates + 64 * i
        name_off, = struct.unpack_from("<I", data, entry)
        name = data[strtab + name_off:data.index(0, strtab + name_off)].decode()
        off, size = struct.unpack_from("<QQ", data, entry + 16)
        image = data[off:off + size]
        if image[-STAMP_SIZE:-STAMP_SIZE + 8] == STAMP_MAGIC:
            image = image[:-STAMP_SIZE]
        stripped = subprocess.run(["llvm-objcopy-19", "--strip-debug", "-", "-"], input=image,
                                  capture_output=True, check=True).stdout
        with open(os.path.join(out, name + ".o"), "wb") as f:
            f.write(stripped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
