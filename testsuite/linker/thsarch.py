"""Minimal writer and reader of the crate archive, format version 2
(docs/archive-format.md), for the linker's host tests.

The real writer is mkimage; this one exists so the tests build fixture
archives without it.  It follows the document and nothing else, and it does
NOT validate link closure: negative fixtures need archives mkimage refuses.
"""
import struct
import zlib

from elftools.elf.elffile import ELFFile

MAGIC = b"THSARCH\0"
VERSION = 2
HEADER = 112
FLAG_ALTERNATIVE = 1


def fnv1a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def _text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode()


def crate_facts(image: bytes):
    """Name, version, description, alternative_of, exports, import count."""
    import io
    elf = ELFFile(io.BytesIO(image))
    info = elf.get_section_by_name(".crate_info").data()
    name, version = _text(info[8:40]), _text(info[40:56])
    description, alt = _text(info[56:152]), _text(info[200:232])
    exports, imports = [], 0
    for sym in elf.get_section_by_name(".symtab").iter_symbols():
        if not sym.name:
            continue
        shndx = sym["st_shndx"]
        if shndx == "SHN_UNDEF":
            imports += 1
            continue
        if (sym["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK")
                and sym["st_other"]["visibility"] == "STV_DEFAULT"
                and shndx != "SHN_COMMON"
                and sym["st_info"]["type"] in ("STT_FUNC", "STT_OBJECT", "STT_NOTYPE")):
            exports.append(sym.name)
    return name, version, description, alt, exports, imports


def write_archive(images, kexports, nano_core_id=b"\0" * 16) -> bytes:
    """images: list of ELF bytes; kexports: dict name -> address."""
    strtab = bytearray(b"\0")
    offsets = {}

    def s(text):
        if text not in offsets:
            offsets[text] = len(strtab)
            strtab.extend(text.encode() + b"\0")
        return offsets[text]

    facts = [crate_facts(img) for img in images]
    index = []
    for ci, (name, _v, _d, _a, exports, _i) in enumerate(facts):
        for e in exports:
            index.append((e.encode(), ci, e))
    index.sort(key=lambda t: (t[0], t[1]))
    kx = sorted(kexports.items(), key=lambda t: t[0].encode())

    crate_off = HEADER
    symbol_off = crate_off + 64 * len(images)
    kexport_off = symbol_off + 16 * len(index)
    program_off = kexport_off + 16 * len(kx)   # no programs
    strtab_off = program_off
    # Strings first, so their offsets are known before the tables are packed.
    crate_strs = [(s(n), s(v), s(d), s(a)) for (n, v, d, a, _e, _i) in facts]
    sym_strs = [s(name) for (_b, _c, name) in index]
    k_strs = [s(name) for name, _addr in kx]

    pos = strtab_off + len(strtab)
    pos = (pos + 15) & ~15
    elf_offs = []
    for img in images:
        elf_offs.append(pos)
        pos = (pos + len(img) + 15) & ~15
    total = pos

    meta = bytearray()
    for ci, img in enumerate(images):
        n, v, d, a = crate_strs[ci]
        flags = FLAG_ALTERNATIVE if facts[ci][3] else 0
        meta += struct.pack("<IIIIQQIIII16s", n, v, d, a, elf_offs[ci], len(img),
                            zlib.crc32(img), len(facts[ci][4]), facts[ci][5], flags,
                            b"\0" * 16)
    for (raw, ci, _name), off in zip(index, sym_strs):
        meta += struct.pack("<IIII", off, ci, fnv1a(raw), 0)
    for (_name, addr), off in zip(kx, k_strs):
        meta += struct.pack("<IIQ", off, 0, addr)
    meta += strtab

    head = struct.pack("<8sIIQIIIIQQQQ16s", MAGIC, VERSION, HEADER, total,
                       len(images), len(index), len(kx), len(strtab),
                       crate_off, symbol_off, kexport_off, strtab_off,
                       nano_core_id) + struct.pack("<IIQI", 0, 0, program_off,
                                                   zlib.crc32(meta))
    head += struct.pack("<I", zlib.crc32(head))
    out = bytearray(total)
    out[0:HEADER] = head
    out[crate_off:crate_off + len(meta)] = meta
    for off, img in zip(elf_offs, images):
        out[off:off + len(img)] = img
    return bytes(out)


class Archive:
    """Reader: enough for the oracle (crates, provider lookup, kexports)."""

    def __init__(self, data: bytes):
        assert data[:8] == MAGIC, "not a crate archive"
        (_m, version, _hs, total, ncrates, nsyms, nk, strsize, coff, soff, koff,
         stroff) = struct.unpack_from("<8sIIQIIIIQQQQ", data, 0)
        assert version == VERSION
        self.data = data
        strtab = data[stroff:stroff + strsize]

        def string(off):
            return strtab[off:strtab.index(b"\0", off)].decode()

        self.crates = []
        for i in range(ncrates):
            (n, v, d, a, eoff, esize, _crc, _ne, _ni, flags) = struct.unpack_from(
                "<IIIIQQIIII", data, coff + 64 * i)
            self.crates.append({
                "name": string(n), "version": string(v), "alternative_of": string(a),
                "flags": flags, "image": data[eoff:eoff + esize]})
        self.index = []
        for i in range(nsyms):
            n, ci, _h, _r = struct.unpack_from("<IIII", data, soff + 16 * i)
            self.index.append((string(n), ci))
        self.kexports = {}
        for i in range(nk):
            n, _r, addr = struct.unpack_from("<IIQ", data, koff + 16 * i)
            self.kexports[string(n)] = addr

    def provider(self, symbol):
        """Default provider for imports: first non-ALTERNATIVE exporter."""
        for name, ci in self.index:
            if name == symbol and not self.crates[ci]["flags"] & FLAG_ALTERNATIVE:
                return ci
        return None
