"""Validation of one crate object and reading of the nano-core's exports.

The rules are those of docs/archive-format.md, "What mkimage validates".
Layout (ELF header, section header table, section extents, string tables,
symbol and relocation table shapes) is checked here with `struct` before
pyelftools reads anything, so that pyelftools only ever sees in-bounds
tables.  The nano-core's symbols are read through pyelftools.  Crate
symbol and relocation tables are decoded with `struct.iter_unpack` instead:
pyelftools takes 20-80 us per entry, which would dominate `build` (and
`verify`, `list`) time for a real crate set.
"""

import io
import re
import struct
from dataclasses import dataclass, field

from . import attest
from .errors import InputError

ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
SECTION_HEADER = struct.Struct("<IIQQQQIIQQ")
SYMBOL_SIZE = 24
RELA_ENTRY = struct.Struct("<QQq")

ET_REL, ET_EXEC = 1, 2
ET_NAMES = {0: "ET_NONE", 1: "ET_REL", 2: "ET_EXEC", 3: "ET_DYN", 4: "ET_CORE"}
EM_X86_64 = 62
EM_NAMES = {0: "EM_NONE", 3: "EM_386", 8: "EM_MIPS", 20: "EM_PPC",
            21: "EM_PPC64", 40: "EM_ARM", 62: "EM_X86_64", 183: "EM_AARCH64",
            243: "EM_RISCV"}

SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA = 0, 1, 2, 3, 4
SHT_NOTE, SHT_NOBITS, SHT_REL = 7, 8, 9
SHT_INIT_ARRAY, SHT_FINI_ARRAY, SHT_PREINIT_ARRAY = 14, 15, 16
SHT_SYMTAB_SHNDX = 18
SHF_ALLOC = 0x2
SHF_TLS = 0x400

SHN_UNDEF, SHN_LORESERVE, SHN_ABS, SHN_COMMON, SHN_XINDEX = \
    0, 0xff00, 0xfff1, 0xfff2, 0xffff

NT_GNU_BUILD_ID = 3
BUILD_ID_BYTES = 16

RELOCATION_NAMES = {
    0: "R_X86_64_NONE", 1: "R_X86_64_64", 2: "R_X86_64_PC32",
    3: "R_X86_64_GOT32", 4: "R_X86_64_PLT32", 5: "R_X86_64_COPY",
    6: "R_X86_64_GLOB_DAT", 7: "R_X86_64_JUMP_SLOT", 8: "R_X86_64_RELATIVE",
    9: "R_X86_64_GOTPCREL", 10: "R_X86_64_32", 11: "R_X86_64_32S",
    12: "R_X86_64_16", 13: "R_X86_64_PC16", 14: "R_X86_64_8",
    15: "R_X86_64_PC8", 16: "R_X86_64_DTPMOD64", 17: "R_X86_64_DTPOFF64",
    18: "R_X86_64_TPOFF64", 19: "R_X86_64_TLSGD", 20: "R_X86_64_TLSLD",
    21: "R_X86_64_DTPOFF32", 22: "R_X86_64_GOTTPOFF", 23: "R_X86_64_TPOFF32",
    24: "R_X86_64_PC64", 25: "R_X86_64_GOTOFF64", 26: "R_X86_64_GOTPC32",
    27: "R_X86_64_GOT64", 28: "R_X86_64_GOTPCREL64", 29: "R_X86_64_GOTPC64",
    30: "R_X86_64_GOTPLT64", 31: "R_X86_64_PLTOFF64", 32: "R_X86_64_SIZE32",
    33: "R_X86_64_SIZE64", 34: "R_X86_64_GOTPC32_TLSDESC",
    35: "R_X86_64_TLSDESC_CALL", 36: "R_X86_64_TLSDESC",
    37: "R_X86_64_IRELATIVE", 38: "R_X86_64_RELATIVE64",
    41: "R_X86_64_GOTPCRELX", 42: "R_X86_64_REX_GOTPCRELX",
    43: "R_X86_64_CODE_4_GOTPCRELX", 44: "R_X86_64_CODE_4_GOTTPOFF",
    45: "R_X86_64_CODE_4_GOTPC32_TLSDESC",
}

# The runtime linker implements exactly these; the value is how many bytes
# each one patches, used to keep every patch inside its target section.
SUPPORTED_RELOCATION_WIDTHS = {
    0: 0, 1: 8, 2: 4, 4: 4, 9: 4, 10: 4, 11: 4, 24: 8, 41: 4, 42: 4,
}

CONSTRUCTOR_SECTION_NAMES = (".init_array", ".fini_array", ".preinit_array",
                             ".ctors", ".dtors")

CRATE_INFO_SECTION = ".crate_info"
CRATE_INFO_MAGIC = b"CRATE01\0"
# (field, size) in the order of struct crate_info in kernel/include/theseus/crate.h.
CRATE_INFO_FIELDS = (("magic", 8), ("name", 32), ("version", 16),
                     ("description", 96), ("init", 48),
                     ("alternative_of", 32), ("needs", 152))
CRATE_INFO_SIZE = sum(size for _, size in CRATE_INFO_FIELDS)
assert CRATE_INFO_SIZE == 384

CRATE_NAME = re.compile(r"[a-z0-9_]+")
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
C_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")



class Problem(Exception):
    """A rule broken by the file under check; the caller adds the file name."""


def decode_name(raw):
    # surrogateescape keeps arbitrary name bytes round-trippable into the archive.
    return raw.decode("utf-8", "surrogateescape")


def encode_name(name):
    return name.encode("utf-8", "surrogateescape")


def shown(name):
    """A name safe to print in a one-line message: odd bytes escaped."""
    return "".join(chr(b) if 0x20 <= b < 0x7f and b not in b"\\'" else f"\\x{b:02x}"
                   for b in encode_name(name))


def symbol_label(index, name):
    return f"symbol '{shown(name)}'" if name else f"symbol {index} (unnamed)"


def relocation_type_name(rtype):
    name = RELOCATION_NAMES.get(rtype)
    return f"{name} ({rtype})" if name else f"{rtype}"


@dataclass
class SectionHeader:
    index: int
    name: str
    type: int
    flags: int
    offset: int
    size: int
    link: int
    info: int
    addralign: int
    entsize: int

    def label(self):
        return f"section {self.index} '{shown(self.name)}'"

    def contents(self, data):
        return data[self.offset:self.offset + self.size]


@dataclass
class CrateInfo:
    name: str
    version: str
    description: str
    init: str
    alternative_of: str
    needs: tuple


@dataclass
class CrateObject:
    """A validated crate: its bytes and what the set-wide checks need."""
    file: str
    data: bytes
    info: CrateInfo
    exports: list            # sorted names of exported symbols
    imports: list            # sorted names of undefined symbols
    hidden_globals: set      # defined global symbols that are not exported
    section_count: int       # section headers, including the null one
    alloc_section_count: int  # sections the loader maps (SHF_ALLOC)
    memory_bytes: int = 0    # bytes of those sections: what loading it takes
    signatures: object = None  # attest.Signatures, None without a record
    stamp: str = attest.MISSING  # attest.VALID/MISSING/BAD once verified
    stamp_why: str = attest.NO_STAMP

    @property
    def name(self):
        return self.info.name


@dataclass
class NanoCore:
    file: str
    exports: dict = field(default_factory=dict)   # name -> address
    build_id: bytes = bytes(BUILD_ID_BYTES)
    signatures: object = None  # attest.Signatures of its definitions, if recorded


def _check_elf_header(data, expected_type):
    if not data:
        raise Problem("empty file")
    if len(data) < 4 or data[:4] != b"\x7fELF":
        if len(data) < 4 and b"\x7fELF".startswith(data):
            raise Problem(f"truncated: file is {len(data)} bytes, an ELF64 "
                          f"header needs {ELF_HEADER.size}")
        raise Problem("not an ELF file (bad magic)")
    if len(data) < ELF_HEADER.size:
        raise Problem(f"truncated: file is {len(data)} bytes, an ELF64 header "
                      f"needs {ELF_HEADER.size}")
    header = ELF_HEADER.unpack_from(data)
    ident, e_type, e_machine, e_version = header[:4]
    if ident[4] != 2:
        kind = {1: "ELFCLASS32"}.get(ident[4], "invalid")
        raise Problem(f"not ELF64: EI_CLASS is {ident[4]} ({kind})")
    if ident[5] != 1:
        raise Problem(f"not little-endian: EI_DATA is {ident[5]}")
    if ident[6] != 1 or e_version != 1:
        raise Problem(f"unsupported ELF version {ident[6]}/{e_version}, expected 1")
    if e_machine != EM_X86_64:
        raise Problem(f"wrong machine {EM_NAMES.get(e_machine, 'EM_?')} "
                      f"({e_machine}), expected EM_X86_64 (62)")
    if e_type != expected_type:
        what = ("a relocatable object" if expected_type == ET_REL
                else "an executable")
        raise Problem(f"not {what}: e_type is {ET_NAMES.get(e_type, 'ET_?')} "
                      f"({e_type}), expected {ET_NAMES[expected_type]}")
    return header


def _cstring(table, offset):
    """The NUL-terminated string at offset; table must end with NUL."""
    return decode_name(table[offset:table.index(b"\0", offset)])


def _check_section_table(data, header):
    """Section headers with names, every extent and name checked."""
    (_, _, _, _, _, _, e_shoff, _, _, _, _,
     e_shentsize, e_shnum, e_shstrndx) = header
    size = len(data)
    if e_shoff == 0:
        raise Problem("no section header table (e_shoff is 0)")
    if e_shentsize != SECTION_HEADER.size:
        raise Problem(f"e_shentsize is {e_shentsize}, expected {SECTION_HEADER.size}")
    if e_shoff + SECTION_HEADER.size > size:
        raise Problem(f"section header table at 0x{e_shoff:x} lies outside "
                      f"the file ({size} bytes)")
    first = SECTION_HEADER.unpack_from(data, e_shoff)
    # Extended numbering: counts too large for the header live in section 0.
    count = e_shnum if e_shnum else first[5]
    strndx = first[6] if e_shstrndx == SHN_XINDEX else e_shstrndx
    if count == 0:
        raise Problem("no section headers (e_shnum is 0)")
    end = e_shoff + count * SECTION_HEADER.size
    if end > size:
        raise Problem(f"section header table [0x{e_shoff:x}, 0x{end:x}) "
                      f"extends past the end of the file ({size} bytes)")
    raw = [SECTION_HEADER.unpack_from(data, e_shoff + i * SECTION_HEADER.size)
           for i in range(count)]
    sections = [SectionHeader(i, "", r[1], r[2], r[4], r[5], r[6], r[7], r[8], r[9])
                for i, r in enumerate(raw)]

    def check_extent(section, label=None):
        if section.type in (SHT_NULL, SHT_NOBITS):
            return
        if section.offset > size or section.size > size - section.offset:
            raise Problem(f"{label or section.label()}: contents "
                          f"[0x{section.offset:x}, 0x{section.offset + section.size:x}) "
                          f"extend past the end of the file ({size} bytes)")

    if strndx == SHN_UNDEF or strndx >= count:
        raise Problem(f"e_shstrndx {strndx} is not a section index "
                      f"({count} sections)")
    names = sections[strndx]
    if names.type != SHT_STRTAB:
        raise Problem(f"section name table (section {strndx}) is not SHT_STRTAB")
    check_extent(names, f"section name table (section {strndx})")
    name_table = names.contents(data)
    if not name_table or name_table[-1] != 0:
        raise Problem(f"section name table (section {strndx}) does not end "
                      f"with a NUL byte")
    for section, (sh_name, *_) in zip(sections, raw):
        if sh_name >= len(name_table):
            raise Problem(f"section {section.index}: name offset 0x{sh_name:x} "
                          f"is outside the section name table "
                          f"({len(name_table)} bytes)")
        section.name = _cstring(name_table, sh_name)
    for section in sections:
        check_extent(section)
        if section.type == SHT_STRTAB and section.size:
            table = section.contents(data)
            if table[0] != 0 or table[-1] != 0:
                raise Problem(f"string table {section.label()} does not "
                              f"begin and end with a NUL byte")
    return sections


def _find_symbol_table(sections):
    tables = [s for s in sections if s.type == SHT_SYMTAB]
    if not tables:
        raise Problem("no symbol table (SHT_SYMTAB)")
    if len(tables) > 1:
        raise Problem(f"{len(tables)} symbol tables, expected one")
    symtab = tables[0]
    label = f"symbol table ({symtab.label()})"
    if symtab.entsize != SYMBOL_SIZE:
        raise Problem(f"{label}: sh_entsize is {symtab.entsize}, expected {SYMBOL_SIZE}")
    if symtab.size % SYMBOL_SIZE or symtab.size == 0:
        raise Problem(f"{label}: size {symtab.size} is not a positive "
                      f"multiple of {SYMBOL_SIZE}")
    if not 0 < symtab.link < len(sections) or sections[symtab.link].type != SHT_STRTAB:
        raise Problem(f"{label}: sh_link {symtab.link} is not a string table")
    if sections[symtab.link].size == 0:
        raise Problem(f"{label}: its string table is empty")
    count = symtab.size // SYMBOL_SIZE
    if not 0 < symtab.info <= count:
        raise Problem(f"{label}: sh_info {symtab.info} (first non-local "
                      f"symbol) is not within 1..{count}")
    return symtab


def _section_index_table(sections, symtab, data):
    """SHT_SYMTAB_SHNDX entries, for symbols whose st_shndx is SHN_XINDEX."""
    for section in sections:
        if section.type == SHT_SYMTAB_SHNDX and section.link == symtab.index:
            needed = symtab.size // SYMBOL_SIZE * 4
            if section.size < needed:
                raise Problem(f"{section.label()}: {section.size} bytes, "
                              f"the symbol table needs {needed}")
            return struct.unpack_from(f"<{needed // 4}I", data, section.offset)
    return None


STB_LOCAL, STB_GLOBAL, STB_WEAK = 0, 1, 2
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE, STT_COMMON, STT_TLS = range(7)
STT_GNU_IFUNC = 10
STV_DEFAULT = 0
BIND_NAMES = {0: "STB_LOCAL", 1: "STB_GLOBAL", 2: "STB_WEAK", 10: "STB_GNU_UNIQUE"}
TYPE_NAMES = {0: "STT_NOTYPE", 1: "STT_OBJECT", 2: "STT_FUNC", 3: "STT_SECTION",
              4: "STT_FILE", 5: "STT_COMMON", 6: "STT_TLS", 10: "STT_GNU_IFUNC"}
EXPORTABLE_TYPES = (STT_FUNC, STT_OBJECT, STT_NOTYPE)
SYMBOL_ENTRY = struct.Struct("<IBBHQQ")


def _constant_name(names, value):
    return names.get(value, str(value))


@dataclass
class Symbol:
    index: int
    name: str
    bind: int
    type: int
    visibility: int
    shndx: int      # a real section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON
    value: int
    size: int

    @property
    def label(self):
        return symbol_label(self.index, self.name)

    @property
    def is_global(self):
        return self.bind != STB_LOCAL

    @property
    def is_defined(self):
        return self.shndx not in (SHN_UNDEF, SHN_COMMON)


def _symbol_rows(data, symtab):
    """(st_name, bind, type, visibility, st_shndx, st_value, st_size) per
    symbol, decoded with struct: fast enough for every crate of a build."""
    for st_name, st_info, st_other, st_shndx, st_value, st_size in \
            SYMBOL_ENTRY.iter_unpack(symtab.contents(data)):
        yield st_name, st_info >> 4, st_info & 0xf, st_other & 3, st_shndx, st_value, st_size


def _pyelftools_symbol_rows(data, symtab):
    """The same rows read through pyelftools, which reports known constants
    by name; used for the nano-core, read once per build."""
    from elftools.elf.enums import (ENUM_ST_INFO_BIND, ENUM_ST_INFO_TYPE,
                                    ENUM_ST_SHNDX, ENUM_ST_VISIBILITY)

    def number(value, names):
        return names[value] if isinstance(value, str) else value

    section = _open_elf(data).get_section(symtab.index)
    for symbol in section.iter_symbols():
        entry = symbol.entry
        yield (entry["st_name"],
               number(entry["st_info"]["bind"], ENUM_ST_INFO_BIND),
               number(entry["st_info"]["type"], ENUM_ST_INFO_TYPE),
               number(entry["st_other"]["visibility"], ENUM_ST_VISIBILITY) & 3,
               number(entry["st_shndx"], ENUM_ST_SHNDX),
               entry["st_value"], entry["st_size"])


def _make_symbols(rows, data, sections, symtab):
    """Symbols from rows, each name and section index checked."""
    strings = sections[symtab.link].contents(data)
    xindex = _section_index_table(sections, symtab, data)
    symbols = []
    for index, (st_name, bind, stype, visibility, shndx, value, size) in enumerate(rows):
        if st_name >= len(strings):
            raise Problem(f"symbol {index}: name offset 0x{st_name:x} is "
                          f"outside its string table ({len(strings)} bytes)")
        symbol = Symbol(index, _cstring(strings, st_name), bind, stype,
                        visibility, shndx, value, size)
        if shndx == SHN_XINDEX:
            if xindex is None:
                raise Problem(f"{symbol.label} uses SHN_XINDEX but there is "
                              f"no SHT_SYMTAB_SHNDX section")
            symbol.shndx = shndx = xindex[index]
        elif shndx >= SHN_LORESERVE:
            if shndx not in (SHN_ABS, SHN_COMMON):
                raise Problem(f"{symbol.label} has unsupported reserved "
                              f"section index 0x{shndx:x}")
            symbols.append(symbol)
            continue
        if shndx >= len(sections):
            raise Problem(f"{symbol.label}: section index {shndx} is out of "
                          f"range ({len(sections)} sections)")
        symbols.append(symbol)
    return symbols


def _check_symbols(symbols, sections, first_global):
    """Symbol rules; returns (defined globals by name, undefined global names)."""
    defined_globals = {}
    undefined = set()
    for symbol in symbols[1:]:
        if symbol.bind not in (STB_LOCAL, STB_GLOBAL, STB_WEAK):
            raise Problem(f"{symbol.label} has unsupported binding "
                          f"{_constant_name(BIND_NAMES, symbol.bind)}")
        if symbol.is_global != (symbol.index >= first_global):
            raise Problem(f"{symbol.label} (index {symbol.index}): "
                          f"{'global' if symbol.is_global else 'local'} "
                          f"symbol on the wrong side of sh_info {first_global}")
        if symbol.type == STT_TLS:
            raise Problem(f"TLS {symbol.label} (thread-local storage is not supported)")
        if symbol.shndx == SHN_COMMON or symbol.type == STT_COMMON:
            raise Problem(f"COMMON {symbol.label} (compile with -fno-common)")
        if symbol.type == STT_GNU_IFUNC:
            raise Problem(f"IFUNC {symbol.label} is not supported")
        if symbol.type not in EXPORTABLE_TYPES + (STT_SECTION, STT_FILE):
            raise Problem(f"{symbol.label} has unsupported type "
                          f"{_constant_name(TYPE_NAMES, symbol.type)}")
        if 0 < symbol.shndx < len(sections) and symbol.shndx not in (SHN_ABS, SHN_COMMON):
            section = sections[symbol.shndx]
            if symbol.value > section.size or symbol.size > section.size - symbol.value:
                raise Problem(f"{symbol.label} [0x{symbol.value:x}, "
                              f"0x{symbol.value + symbol.size:x}) lies outside "
                              f"{section.label()} (0x{section.size:x} bytes)")
        if not symbol.is_global:
            continue
        name = symbol.name
        if not name:
            raise Problem(f"global symbol {symbol.index} has no name")
        if name in defined_globals or name in undefined:
            raise Problem(f"global {symbol.label} appears twice")
        if symbol.bind == STB_WEAK and symbol.is_defined:
            raise Problem(f"weak definition of {symbol.label}: another provider "
                          f"could override it")
        if symbol.is_defined:
            defined_globals[name] = symbol
        else:
            undefined.add(name)
    return defined_globals, undefined


def _check_relocations(data, sections, symtab):
    symbol_count = symtab.size // SYMBOL_SIZE
    for section in sections:
        if section.type == SHT_REL:
            raise Problem(f"{section.label()}: SHT_REL relocations are not "
                          f"supported, only SHT_RELA")
        if section.type != SHT_RELA:
            continue
        label = f"relocation {section.label()}"
        if section.entsize != RELA_ENTRY.size or section.size % RELA_ENTRY.size:
            raise Problem(f"{label}: sh_entsize {section.entsize} and size "
                          f"{section.size} do not describe {RELA_ENTRY.size}-byte entries")
        if section.link != symtab.index:
            raise Problem(f"{label}: sh_link {section.link} is not the symbol "
                          f"table (section {symtab.index})")
        if not 0 < section.info < len(sections):
            raise Problem(f"{label}: sh_info {section.info} is not a section index")
        target = sections[section.info]
        if target.type in (SHT_NULL, SHT_NOBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA):
            raise Problem(f"{label}: applies to {target.label()}, which "
                          f"cannot be relocated")
        if target.name == CRATE_INFO_SECTION:
            raise Problem(f"{label}: '{CRATE_INFO_SECTION}' must hold no "
                          f"pointers, but has relocations")
        for number, (offset, info, _addend) in enumerate(
                RELA_ENTRY.iter_unpack(section.contents(data))):
            rtype, symbol = info & 0xffffffff, info >> 32
            width = SUPPORTED_RELOCATION_WIDTHS.get(rtype)
            if width is None:
                raise Problem(f"unsupported relocation type "
                              f"{relocation_type_name(rtype)} in section "
                              f"'{shown(section.name)}' (entry {number}, offset 0x{offset:x})")
            if symbol >= symbol_count:
                raise Problem(f"{label}: entry {number} refers to symbol "
                              f"{symbol}, but there are {symbol_count}")
            if symbol == 0 and rtype != 0:
                raise Problem(f"{label}: entry {number} (offset 0x{offset:x}) is a "
                              f"relocation against symbol 0 (STN_UNDEF), which names "
                              f"no symbol: the field would point at address 0")
            if offset > target.size or width > target.size - offset:
                raise Problem(f"{label}: entry {number} patches [0x{offset:x}, "
                              f"0x{offset + width:x}), outside {target.label()} "
                              f"(0x{target.size:x} bytes)")


def _text_field(raw, field_name):
    end = raw.find(b"\0")
    if end < 0:
        raise Problem(f"{CRATE_INFO_SECTION}: field '{field_name}' is not "
                      f"NUL-terminated")
    if any(raw[end:]):
        raise Problem(f"{CRATE_INFO_SECTION}: field '{field_name}' has "
                      f"non-zero bytes after its terminating NUL")
    text = raw[:end]
    for byte in text:
        if not 0x20 <= byte < 0x7f:
            raise Problem(f"{CRATE_INFO_SECTION}: field '{field_name}' holds "
                          f"byte 0x{byte:02x}, not printable ASCII")
    return text.decode("ascii")


def parse_crate_info(raw):
    """The fields of a 384-byte crate_info record, each checked."""
    if raw[:8] != CRATE_INFO_MAGIC:
        shown = raw[:8].rstrip(b"\0").decode("ascii", "backslashreplace")
        raise Problem(f"{CRATE_INFO_SECTION}: bad magic '{shown}', expected "
                      f"'{CRATE_INFO_MAGIC.rstrip(bytes(1)).decode()}'")
    values, offset = {}, 0
    for field_name, size in CRATE_INFO_FIELDS:
        values[field_name] = _text_field(raw[offset:offset + size], field_name)
        offset += size
    if not CRATE_NAME.fullmatch(values["name"]):
        raise Problem(f"{CRATE_INFO_SECTION}: crate name '{values['name']}' "
                      f"is not [a-z0-9_]+")
    if not VERSION.fullmatch(values["version"]):
        raise Problem(f"{CRATE_INFO_SECTION}: version '{values['version']}' "
                      f"is not MAJOR.MINOR.PATCH")
    if values["init"] and not C_IDENTIFIER.fullmatch(values["init"]):
        raise Problem(f"{CRATE_INFO_SECTION}: init '{values['init']}' is "
                      f"not a C identifier")
    alternative_of = values["alternative_of"]
    if alternative_of and not CRATE_NAME.fullmatch(alternative_of):
        raise Problem(f"{CRATE_INFO_SECTION}: alternative_of "
                      f"'{alternative_of}' is not a crate name")
    if alternative_of == values["name"]:
        raise Problem(f"{CRATE_INFO_SECTION}: crate '{alternative_of}' is "
                      f"declared an alternative of itself")
    needs = ()
    if values["needs"]:
        needs = tuple(part.strip() for part in values["needs"].split(","))
        if not all(CRATE_NAME.fullmatch(part) for part in needs):
            raise Problem(f"{CRATE_INFO_SECTION}: needs '{values['needs']}' "
                          f"is not a comma-separated list of crate names")
    return CrateInfo(values["name"], values["version"], values["description"],
                     values["init"], alternative_of, needs)


def _read_crate_info(data, sections, defined):
    records = [s for s in sections if s.name == CRATE_INFO_SECTION]
    if not records:
        raise Problem(f"no {CRATE_INFO_SECTION} section (a crate declares "
                      f"itself with one CRATE(...) line)")
    if len(records) > 1:
        raise Problem(f"{len(records)} {CRATE_INFO_SECTION} sections, expected one")
    record = records[0]
    if record.type != SHT_PROGBITS:
        raise Problem(f"{CRATE_INFO_SECTION} is not SHT_PROGBITS (type {record.type})")
    if record.size != CRATE_INFO_SIZE:
        hint = (" (more than one CRATE(...) record?)"
                if record.size % CRATE_INFO_SIZE == 0 else "")
        raise Problem(f"{CRATE_INFO_SECTION} is {record.size} bytes, expected "
                      f"{CRATE_INFO_SIZE}{hint}")
    info = parse_crate_info(record.contents(data))
    if info.init:
        symbol = defined.get(info.init)
        if symbol is None or symbol.type != STT_FUNC:
            raise Problem(f"{CRATE_INFO_SECTION}: init function '{info.init}' "
                          f"is not a function defined in this object")
    return info


def _check_forbidden_sections(sections):
    for section in sections:
        if section.flags & SHF_TLS:
            raise Problem(f"TLS {section.label()} (thread-local storage is "
                          f"not supported)")
        base = section.name
        if (section.type in (SHT_INIT_ARRAY, SHT_FINI_ARRAY, SHT_PREINIT_ARRAY)
                or any(base == n or base.startswith(n + ".")
                       for n in CONSTRUCTOR_SECTION_NAMES)):
            raise Problem(f"constructor/destructor {section.label()} is not "
                          f"supported (name an init function in CRATE(...))")


def _pyelftools_errors():
    """What pyelftools raises on data it cannot parse.  The layout checks
    should make these unreachable, but a crafted file must never become a
    traceback."""
    from elftools.common.exceptions import ELFError
    from elftools.construct.core import ConstructError
    return (ELFError, ConstructError, struct.error, ValueError, IndexError,
            KeyError, TypeError, AttributeError)


def _open_elf(data):
    # Imported here: only `build` reads the nano-core, and importing
    # pyelftools costs ~50 ms of every other command's start-up.
    from elftools.elf.elffile import ELFFile
    return ELFFile(io.BytesIO(data))


def _check_crate(data):
    header = _check_elf_header(data, ET_REL)
    sections = _check_section_table(data, header)
    symtab = _find_symbol_table(sections)
    _check_forbidden_sections(sections)
    symbols = _make_symbols(_symbol_rows(data, symtab), data, sections, symtab)
    defined_globals, undefined = _check_symbols(symbols, sections, symtab.info)
    _check_relocations(data, sections, symtab)
    defined_anywhere = {s.name: s for s in symbols if s.is_defined and s.name}
    info = _read_crate_info(data, sections, defined_anywhere)
    exports = sorted((n for n, s in defined_globals.items()
                      if s.visibility == STV_DEFAULT and s.type in EXPORTABLE_TYPES),
                     key=encode_name)
    hidden = set(defined_globals) - set(exports)
    return CrateObject(
        file="", data=data, info=info, exports=exports,
        imports=sorted(undefined, key=encode_name), hidden_globals=hidden,
        section_count=len(sections),
        alloc_section_count=sum(1 for s in sections if s.flags & SHF_ALLOC),
        memory_bytes=sum(s.size for s in sections if s.flags & SHF_ALLOC),
        signatures=_read_signatures(data, sections))


def _read_signatures(data, sections):
    """The plugin's record (attest.Signatures), or None when there is none."""
    records = [s for s in sections if s.name == attest.SIGNATURE_SECTION]
    if not records:
        return None
    if len(records) > 1:
        raise Problem(f"{len(records)} {attest.SIGNATURE_SECTION} sections, expected one")
    if records[0].type != SHT_PROGBITS:
        raise Problem(f"{attest.SIGNATURE_SECTION} is not SHT_PROGBITS")
    try:
        return attest.Signatures.parse(records[0].contents(data))
    except ValueError as error:
        raise Problem(str(error)) from None


def check_crate_object(data, file):
    """Validate one crate object; InputError(file, problem) on the first problem."""
    try:
        crate = _check_crate(data)
    except Problem as problem:
        raise InputError(file, str(problem)) from None
    crate.file = file
    return crate


def _build_id(data, sections):
    """First 16 bytes of the NT_GNU_BUILD_ID note, zero-padded; zeros if none."""
    for section in sections:
        if section.type != SHT_NOTE:
            continue
        notes, pos = section.contents(data), 0
        while pos + 12 <= len(notes):
            namesz, descsz, ntype = struct.unpack_from("<III", notes, pos)
            name_at = pos + 12
            desc_at = name_at + (namesz + 3) // 4 * 4
            end = desc_at + (descsz + 3) // 4 * 4
            if desc_at + descsz > len(notes):
                break
            if ntype == NT_GNU_BUILD_ID and notes[name_at:name_at + namesz] == b"GNU\0":
                build_id = notes[desc_at:desc_at + min(descsz, BUILD_ID_BYTES)]
                return build_id.ljust(BUILD_ID_BYTES, b"\0")
            pos = end
    return bytes(BUILD_ID_BYTES)


def _read_nano_core(data, file):
    header = _check_elf_header(data, ET_EXEC)
    sections = _check_section_table(data, header)
    if not any(s.type == SHT_SYMTAB for s in sections):
        raise Problem("no symbol table (SHT_SYMTAB): the nano-core must not "
                      "be stripped, its exports come from .symtab")
    symtab = _find_symbol_table(sections)
    try:
        # list() so that pyelftools errors surface inside this try.
        rows = list(_pyelftools_symbol_rows(data, symtab))
    except _pyelftools_errors() as error:
        raise Problem(f"malformed ELF (pyelftools: {error})") from None
    symbols = _make_symbols(rows, data, sections, symtab)
    core = NanoCore(file, build_id=_build_id(data, sections),
                    signatures=_read_signatures(data, sections))
    for symbol in symbols[1:]:
        if (symbol.bind in (STB_GLOBAL, STB_WEAK) and symbol.is_defined
                and symbol.visibility == STV_DEFAULT
                and symbol.type in EXPORTABLE_TYPES and symbol.name):
            if symbol.name in core.exports:
                raise Problem(f"{symbol.label} is defined twice")
            core.exports[symbol.name] = symbol.value
    return core


def read_nano_core(data, file):
    """The nano-core's exports and build id; InputError on a malformed file."""
    try:
        return _read_nano_core(data, file)
    except Problem as problem:
        raise InputError(file, str(problem)) from None
