"""The crate archive, format version 2: writer and checking reader.

Byte layout: docs/archive-format.md.  `write_archive` is the only writer;
`load_archive` parses an archive and checks every rule the format states,
returning the problems it found instead of stopping at the first, so that
`verify` can report them all.
"""

import struct
import zlib
from dataclasses import dataclass, field

from . import closure
from .elfcheck import check_crate_object, decode_name, encode_name, shown
from .errors import InputError
from .program import (FLAG_FILE, check_file, check_program, file_name_problem,
                      program_name_problem)

MAGIC = b"THSARCH\0"
FORMAT_VERSION = 2
HEADER = struct.Struct("<8sIIQIIIIQQQQ16sIIQII")
CRATE_ENTRY = struct.Struct("<IIIIQQIIII16s")
INDEX_ENTRY = struct.Struct("<IIII")
KEXPORT_ENTRY = struct.Struct("<IIQ")
PROGRAM_ENTRY = struct.Struct("<IIQQII")
assert (HEADER.size, CRATE_ENTRY.size, INDEX_ENTRY.size, KEXPORT_ENTRY.size,
        PROGRAM_ENTRY.size) == (112, 64, 16, 16, 32)
HEADER_CRC_SPAN = 108         # header_crc32 covers bytes 0..107
IMAGE_ALIGN = 16
FLAG_ALTERNATIVE = 1
# A pushed crate that may replace a higher version (mkimage push --force).
FLAG_FORCED = 2


def crc32(data):
    return zlib.crc32(data) & 0xffffffff


def fnv1a32(data):
    value = 0x811c9dc5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xffffffff
    return value


def align(value, boundary):
    return (value + boundary - 1) // boundary * boundary


class _StringTable:
    """NUL-terminated strings, each stored once; offset 0 is the empty string."""

    def __init__(self):
        self.blob = bytearray(b"\0")
        self.offsets = {b"": 0}

    def add(self, text):
        raw = encode_name(text)
        if raw not in self.offsets:
            self.offsets[raw] = len(self.blob)
            self.blob += raw + b"\0"
        return self.offsets[raw]


def write_archive(crates, nano_core, programs=(), forced=False):
    """The archive bytes for validated crates (in the given order) and user
    programs (program.Program, in the given order); forced marks the crates
    as allowed to replace higher versions (a forced push)."""
    strings = _StringTable()
    index = sorted(((encode_name(symbol), number, symbol)
                    for number, crate in enumerate(crates)
                    for symbol in crate.exports))
    kexports = sorted((encode_name(name), name, address)
                      for name, address in nano_core.exports.items())

    crate_table_off = HEADER.size
    symbol_index_off = crate_table_off + CRATE_ENTRY.size * len(crates)
    kexport_table_off = symbol_index_off + INDEX_ENTRY.size * len(index)
    program_table_off = kexport_table_off + KEXPORT_ENTRY.size * len(kexports)
    strtab_off = program_table_off + PROGRAM_ENTRY.size * len(programs)

    # Intern every string before laying out images: their offsets depend on
    # the string table's final size.
    crate_strings = [tuple(strings.add(text) for text in (
        crate.info.name, crate.info.version, crate.info.description,
        crate.info.alternative_of)) for crate in crates]
    index_strings = [strings.add(symbol) for _, _, symbol in index]
    kexport_strings = [strings.add(name) for _, name, _ in kexports]
    program_strings = [strings.add(program.name) for program in programs]
    meta_end = strtab_off + len(strings.blob)

    images = bytearray()
    image_offsets = []
    cursor = align(meta_end, IMAGE_ALIGN)
    for data in [crate.data for crate in crates] + [p.data for p in programs]:
        image_offsets.append(cursor)
        images += bytes(cursor - meta_end - len(images)) + data
        cursor = align(meta_end + len(images), IMAGE_ALIGN)
    total_size = meta_end + len(images)

    meta = bytearray()
    for crate, offsets, elf_off in zip(crates, crate_strings, image_offsets):
        flags = (FLAG_ALTERNATIVE if crate.info.alternative_of else 0) | \
            (FLAG_FORCED if forced else 0)
        meta += CRATE_ENTRY.pack(*offsets, elf_off, len(crate.data),
                                 crc32(crate.data), len(crate.exports),
                                 len(crate.imports), flags, bytes(16))
    for (raw, number, _), name_off in zip(index, index_strings):
        meta += INDEX_ENTRY.pack(name_off, number, fnv1a32(raw), 0)
    for (_, _, address), name_off in zip(kexports, kexport_strings):
        meta += KEXPORT_ENTRY.pack(name_off, 0, address)
    for program, name_off, elf_off in zip(programs, program_strings,
                                          image_offsets[len(crates):]):
        meta += PROGRAM_ENTRY.pack(name_off, program.flags, elf_off, len(program.data),
                                   crc32(program.data), 0)
    meta += strings.blob

    header = bytearray(HEADER.pack(
        MAGIC, FORMAT_VERSION, HEADER.size, total_size, len(crates),
        len(index), len(kexports), len(strings.blob), crate_table_off,
        symbol_index_off, kexport_table_off, strtab_off,
        nano_core.build_id, len(programs), 0, program_table_off, crc32(meta), 0))
    struct.pack_into("<I", header, HEADER_CRC_SPAN,
                     crc32(header[:HEADER_CRC_SPAN]))
    return bytes(header + meta + images)


@dataclass
class CrateEntry:
    number: int
    name: str
    version: str
    description: str
    alternative_of: str
    elf_off: int
    elf_size: int
    elf_crc32: int
    export_count: int
    import_count: int
    flags: int
    crate: object = None        # the re-validated CrateObject, when it is one


@dataclass
class ProgramEntry:
    number: int
    name: str
    elf_off: int
    elf_size: int
    elf_crc32: int
    program: object = None      # the re-validated program.Program
    flags: int = 0              # program.FLAG_FILE: a data file


@dataclass
class Archive:
    file: str
    data: bytes
    format_version: int = 0
    nano_core_id: bytes = b""
    crates: list = field(default_factory=list)
    index: list = field(default_factory=list)      # (symbol, crate number)
    kexports: dict = field(default_factory=dict)   # name -> address
    programs: list = field(default_factory=list)   # ProgramEntry
    providers: dict = field(default_factory=dict)  # see closure.Resolution


class _Loader:
    """Parses an archive, collecting every broken rule as an InputError."""

    def __init__(self, data, file):
        self.data = data
        self.file = file
        self.archive = Archive(file, data)
        self.problems = []
        self.strtab = b""

    def problem(self, text, file=None):
        self.problems.append(InputError(file or self.file, text))

    def string(self, offset, what):
        """The string at a string-table offset, or None (problem noted)."""
        table = self.strtab
        end = table.find(b"\0", offset) if offset < len(table) else -1
        if end < 0:
            self.problem(f"{what}: string offset 0x{offset:x} is outside the "
                         f"string table ({len(table)} bytes)")
            return None
        return decode_name(table[offset:end])

    def load(self):
        if not self._header():
            return self.archive, self.problems
        self._crate_table()
        self._symbol_index()
        self._kexports()
        self._programs()
        self._padding()
        self._crates_against_elf()
        return self.archive, self.problems

    def _header(self):
        data, size = self.data, len(self.data)
        if size < HEADER.size:
            self.problem(f"truncated: {size} bytes, an archive header needs "
                         f"{HEADER.size}")
            return False
        (magic, version, header_size, total_size, crate_count, symbol_count,
         kexport_count, strtab_size, crate_table_off, symbol_index_off,
         kexport_table_off, strtab_off, nano_core_id, program_count,
         header_reserved, program_table_off, meta_crc32,
         header_crc32) = HEADER.unpack_from(data)
        if magic != MAGIC:
            self.problem("not a crate archive (bad magic)")
            return False
        if version != FORMAT_VERSION:
            self.problem(f"archive format version {version}; this mkimage "
                         f"reads version {FORMAT_VERSION} only")
            return False
        self.archive.format_version = version
        self.archive.nano_core_id = nano_core_id
        computed = crc32(data[:HEADER_CRC_SPAN])
        if computed != header_crc32:
            self.problem(f"header CRC-32 is 0x{computed:08x}, the header "
                         f"records 0x{header_crc32:08x}")
        if header_size != HEADER.size:
            self.problem(f"header_size is {header_size}, expected {HEADER.size}")
            return False
        if header_reserved:
            self.problem("header reserved field (offset 92) is not zero")
        if total_size != size:
            self.problem(f"header total_size is {total_size}, but the archive "
                         f"is {size} bytes")
        self.limit = min(total_size, size)
        self.counts = (crate_count, symbol_count, kexport_count, program_count)
        expected = HEADER.size    # the crate table follows the header directly
        ok = True
        for name, offset, count, entry in (
                ("crate table", crate_table_off, crate_count, CRATE_ENTRY.size),
                ("symbol index", symbol_index_off, symbol_count, INDEX_ENTRY.size),
                ("nano-core export table", kexport_table_off, kexport_count,
                 KEXPORT_ENTRY.size),
                ("program table", program_table_off, program_count,
                 PROGRAM_ENTRY.size),
                ("string table", strtab_off, strtab_size, 1)):
            end = offset + count * entry
            if offset != expected:
                where = ("right after the header" if expected == HEADER.size
                         else "the metadata region is contiguous")
                self.problem(f"{name} at 0x{offset:x}, expected 0x{expected:x} ({where})")
                ok = False
            if end > self.limit or offset < HEADER.size:
                self.problem(f"{name} [0x{offset:x}, 0x{end:x}) lies outside "
                             f"the archive (0x{HEADER.size:x}..0x{self.limit:x})")
                return False
            expected = end
        if not ok:
            return False
        self.offsets = (crate_table_off, symbol_index_off, kexport_table_off,
                        strtab_off, program_table_off)
        self.meta_end = strtab_off + strtab_size
        computed = crc32(data[crate_table_off:self.meta_end])
        if computed != meta_crc32:
            self.problem(f"metadata CRC-32 is 0x{computed:08x}, the header "
                         f"records 0x{meta_crc32:08x}")
        self.strtab = data[strtab_off:self.meta_end]
        if not self.strtab or self.strtab[0] != 0 or self.strtab[-1] != 0:
            self.problem("string table does not begin and end with a NUL byte")
        return True

    def _crate_table(self):
        images_start = align(self.meta_end, IMAGE_ALIGN)
        for number in range(self.counts[0]):
            (name_off, version_off, description_off, alternative_off, elf_off,
             elf_size, elf_crc32, export_count, import_count, flags,
             reserved) = CRATE_ENTRY.unpack_from(
                 self.data, self.offsets[0] + number * CRATE_ENTRY.size)
            what = f"crate table entry {number}"
            texts = [self.string(off, what) for off in
                     (name_off, version_off, description_off, alternative_off)]
            name = texts[0] if texts[0] else f"#{number}"
            entry = CrateEntry(number, name, *(t or "" for t in texts[1:]),
                               elf_off, elf_size, elf_crc32, export_count,
                               import_count, flags)
            self.archive.crates.append(entry)
            what = f"crate '{shown(name)}'"
            if any(reserved):
                self.problem(f"{what}: reserved bytes are not zero")
            if flags & ~(FLAG_ALTERNATIVE | FLAG_FORCED):
                self.problem(f"{what}: unknown flags 0x{flags:x}")
            if bool(flags & FLAG_ALTERNATIVE) != bool(entry.alternative_of):
                self.problem(f"{what}: ALTERNATIVE flag "
                             f"{'set' if flags & FLAG_ALTERNATIVE else 'clear'} "
                             f"but alternative_of is '{entry.alternative_of}'")
            if elf_off % IMAGE_ALIGN:
                self.problem(f"{what}: ELF image at 0x{elf_off:x} is not "
                             f"{IMAGE_ALIGN}-aligned")
            if elf_off < images_start or elf_off + elf_size > self.limit:
                self.problem(f"{what}: ELF image [0x{elf_off:x}, "
                             f"0x{elf_off + elf_size:x}) lies outside the image "
                             f"area [0x{images_start:x}, 0x{self.limit:x})")
                continue
            computed = crc32(self.data[elf_off:elf_off + elf_size])
            if computed != elf_crc32:
                self.problem(f"{what}: ELF image CRC-32 is 0x{computed:08x}, "
                             f"the crate table records 0x{elf_crc32:08x}")
        placed = sorted((c.elf_off, c.elf_off + c.elf_size, c.name)
                        for c in self.archive.crates)
        for (_, end, first), (start, _, second) in zip(placed, placed[1:]):
            if start < end:
                self.problem(f"ELF images of crates '{shown(first)}' and "
                             f"'{shown(second)}' overlap")

    def _symbol_index(self):
        previous = None
        crate_count = self.counts[0]
        for number in range(self.counts[1]):
            name_off, crate_number, name_hash, reserved = INDEX_ENTRY.unpack_from(
                self.data, self.offsets[1] + number * INDEX_ENTRY.size)
            what = f"symbol index entry {number}"
            name = self.string(name_off, what)
            if name is None:
                continue
            what = f"{what} ('{shown(name)}')"
            raw = encode_name(name)
            if crate_number >= crate_count:
                self.problem(f"{what}: crate index {crate_number} is out of "
                             f"range ({crate_count} crates)")
            if name_hash != fnv1a32(raw):
                self.problem(f"{what}: name_hash 0x{name_hash:08x}, expected "
                             f"0x{fnv1a32(raw):08x}")
            if reserved:
                self.problem(f"{what}: reserved field is not zero")
            key = (raw, crate_number)
            if previous is not None and key <= previous:
                self.problem(f"{what}: out of order (the index is sorted by "
                             f"name, then crate index, without repeats)")
            previous = key
            self.archive.index.append((name, crate_number))

    def _kexports(self):
        previous = None
        for number in range(self.counts[2]):
            name_off, reserved, address = KEXPORT_ENTRY.unpack_from(
                self.data, self.offsets[2] + number * KEXPORT_ENTRY.size)
            what = f"nano-core export entry {number}"
            name = self.string(name_off, what)
            if name is None:
                continue
            if reserved:
                self.problem(f"{what} ('{shown(name)}'): reserved field is not zero")
            raw = encode_name(name)
            if previous is not None and raw <= previous:
                self.problem(f"{what} ('{shown(name)}'): out of order (sorted by "
                             f"name, without repeats)")
            previous = raw
            self.archive.kexports[name] = address

    def _programs(self):
        images_start = align(self.meta_end, IMAGE_ALIGN)
        names = set()
        for number in range(self.counts[3]):
            (name_off, flags, elf_off, elf_size, elf_crc32,
             reserved) = PROGRAM_ENTRY.unpack_from(
                 self.data, self.offsets[4] + number * PROGRAM_ENTRY.size)
            name = self.string(name_off, f"program table entry {number}")
            entry = ProgramEntry(number, name or f"#{number}", elf_off,
                                 elf_size, elf_crc32, flags=flags)
            self.archive.programs.append(entry)
            what = f"program '{shown(entry.name)}'"
            if name is not None:
                problem = (file_name_problem(name) if flags & FLAG_FILE
                           else program_name_problem(name))
                if problem:
                    self.problem(f"{what}: {problem}")
                if (flags & FLAG_FILE, name) in names:
                    self.problem(f"{what}: appears twice in the program table")
                names.add((flags & FLAG_FILE, name))
            if flags & ~FLAG_FILE or reserved:
                self.problem(f"{what}: unknown flags 0x{flags:x} or reserved field not zero")
            if elf_off % IMAGE_ALIGN:
                self.problem(f"{what}: ELF image at 0x{elf_off:x} is not "
                             f"{IMAGE_ALIGN}-aligned")
            if elf_off < images_start or elf_off + elf_size > self.limit:
                self.problem(f"{what}: ELF image [0x{elf_off:x}, "
                             f"0x{elf_off + elf_size:x}) lies outside the image "
                             f"area [0x{images_start:x}, 0x{self.limit:x})")
                continue
            image = self.data[elf_off:elf_off + elf_size]
            computed = crc32(image)
            if computed != elf_crc32:
                self.problem(f"{what}: ELF image CRC-32 is 0x{computed:08x}, "
                             f"the program table records 0x{elf_crc32:08x}")
            try:
                check = check_file if flags & FLAG_FILE else check_program
                entry.program = check(
                    image, f"{self.file}({shown(entry.name)})", entry.name)
            except InputError as error:
                self.problems.append(error)
        placed = sorted([(c.elf_off, c.elf_off + c.elf_size, c.name)
                         for c in self.archive.crates] +
                        [(p.elf_off, p.elf_off + p.elf_size, p.name)
                         for p in self.archive.programs])
        for (_, end, first), (start, _, second) in zip(placed, placed[1:]):
            if start < end and any(second == p.name for p in self.archive.programs):
                self.problem(f"ELF images of '{shown(first)}' and "
                             f"'{shown(second)}' overlap")

    def _padding(self):
        """Bytes after the metadata that belong to no image must be zero."""
        cursor = self.meta_end
        for start, end in sorted((c.elf_off, c.elf_off + c.elf_size)
                                 for c in self.archive.crates + self.archive.programs
                                 if c.elf_off + c.elf_size <= self.limit):
            if start > cursor and any(self.data[cursor:start]):
                self.problem(f"padding [0x{cursor:x}, 0x{start:x}) is not zero")
            cursor = max(cursor, end)
        if cursor < self.limit and any(self.data[cursor:self.limit]):
            self.problem(f"bytes [0x{cursor:x}, 0x{self.limit:x}) after the "
                         f"last image are not zero")

    def _crates_against_elf(self):
        """Re-validate every image and hold the tables to what the ELFs say."""
        index_by_crate = {}
        for name, number in self.archive.index:
            index_by_crate.setdefault(number, set()).add(name)
        for entry in self.archive.crates:
            if entry.elf_off + entry.elf_size > self.limit:
                continue
            label = f"{self.file}({shown(entry.name)})"
            try:
                crate = check_crate_object(
                    self.data[entry.elf_off:entry.elf_off + entry.elf_size], label)
            except InputError as error:
                self.problems.append(error)
                continue
            entry.crate = crate
            what = f"crate '{shown(entry.name)}'"
            info = crate.info
            for field_name, recorded in (
                    ("name", entry.name), ("version", entry.version),
                    ("description", entry.description),
                    ("alternative_of", entry.alternative_of)):
                actual = getattr(info, field_name)
                if actual != recorded:
                    self.problem(f"{what}: crate table {field_name} "
                                 f"'{shown(recorded)}' differs from the ELF's "
                                 f".crate_info '{shown(actual)}'")
            indexed = index_by_crate.get(entry.number, set())
            for symbol in sorted(set(crate.exports) - indexed):
                self.problem(f"{what}: exported symbol '{shown(symbol)}' is missing "
                             f"from the symbol index")
            for symbol in sorted(indexed - set(crate.exports)):
                self.problem(f"{what}: symbol index names '{shown(symbol)}', which "
                             f"the crate does not export")
            if entry.export_count != len(indexed):
                self.problem(f"{what}: export_count {entry.export_count}, but "
                             f"the symbol index has {len(indexed)} entries for it")
            if entry.import_count != len(crate.imports):
                self.problem(f"{what}: import_count {entry.import_count}, but "
                             f"the ELF has {len(crate.imports)} undefined symbols")
        crates = [entry.crate for entry in self.archive.crates if entry.crate]
        if len(crates) == len(self.archive.crates):
            resolution = closure.resolve(crates, self.archive.kexports)
            self.problems.extend(resolution.problems)
            self.archive.providers = resolution.providers


def load_archive(data, file):
    """(Archive, problems): every broken rule found, one InputError each."""
    return _Loader(data, file).load()
