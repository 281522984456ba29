"""Byte-level edits of ELF64 little-endian objects, for crafting broken inputs.

Independent of mkimage's own reader on purpose: the tests must not share
the code they test.
"""

import struct

ELF_HEADER_FIELDS = {  # name: (offset, struct format)
    "e_type": (16, "<H"), "e_machine": (18, "<H"), "e_shoff": (40, "<Q"),
    "e_shentsize": (58, "<H"), "e_shnum": (60, "<H"), "e_shstrndx": (62, "<H"),
}
SECTION_FIELDS = {
    "sh_name": (0, "<I"), "sh_type": (4, "<I"), "sh_flags": (8, "<Q"),
    "sh_offset": (24, "<Q"), "sh_size": (32, "<Q"), "sh_link": (40, "<I"),
    "sh_info": (44, "<I"), "sh_entsize": (56, "<Q"),
}


class Elf:
    def __init__(self, data):
        self.data = bytearray(data)

    def get(self, field):
        offset, fmt = ELF_HEADER_FIELDS[field]
        return struct.unpack_from(fmt, self.data, offset)[0]

    def set(self, field, value):
        offset, fmt = ELF_HEADER_FIELDS[field]
        struct.pack_into(fmt, self.data, offset, value)

    def _header_offset(self, index):
        return self.get("e_shoff") + 64 * index

    def section_get(self, index, field):
        offset, fmt = SECTION_FIELDS[field]
        return struct.unpack_from(fmt, self.data, self._header_offset(index) + offset)[0]

    def section_set(self, index, field, value):
        offset, fmt = SECTION_FIELDS[field]
        struct.pack_into(fmt, self.data, self._header_offset(index) + offset, value)

    def section_names(self):
        names = self.section_get(self.get("e_shstrndx"), "sh_offset")
        result = []
        for index in range(self.get("e_shnum")):
            start = names + self.section_get(index, "sh_name")
            result.append(bytes(self.data[start:self.data.index(0, start)]).decode())
        return result

    def section_index(self, name):
        return self.section_names().index(name)

    def section_index_where(self, predicate):
        """First section index whose name satisfies predicate."""
        return next(i for i, n in enumerate(self.section_names()) if predicate(n))

    def contents_offset(self, name):
        return self.section_get(self.section_index(name), "sh_offset")

    def set_relocation_type(self, section_name, entry, rtype):
        """Give relocation `entry` of SHT_RELA section `section_name` a new type."""
        at = self.contents_offset(section_name) + 24 * entry + 8
        info = struct.unpack_from("<Q", self.data, at)[0]
        struct.pack_into("<Q", self.data, at, (info & ~0xffffffff) | rtype)

    def bytes(self):
        return bytes(self.data)
