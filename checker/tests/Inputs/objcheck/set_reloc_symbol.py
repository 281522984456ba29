#!/usr/bin/python3
"""set_reloc_symbol.py IN OUT: IN with the first relocation's symbol index
set to 0 (STN_UNDEF)."""
import struct
import sys

data = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", data, 0x28)
shnum, = struct.unpack_from("<H", data, 0x3c)
for i in range(shnum):
    sh_type, = struct.unpack_from("<I", data, shoff + 64 * i + 4)
    off, size = struct.unpack_from("<QQ", data, shoff + 64 * i + 24)
    if sh_type == 4 and size >= 24:
        info, = struct.unpack_from("<Q", data, off + 8)
        struct.pack_into("<Q", data, off + 8, info & 0xffffffff)
        break
else:
    sys.exit("no relocation to change")
open(sys.argv[2], "wb").write(data)
