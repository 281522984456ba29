"""Per-object validation: every rule of docs/archive-format.md "Per crate
object" gets a crafted broken object, its exact one-line message, exit
status 2, and no output file."""

import random
import re
import struct
import subprocess

import pytest

from harness import mkimage
from elfedit import Elf
from expect import assert_rejected, error, mutated


# --- file and ELF header ---------------------------------------------------

def test_empty_file(tmp_path, nano_core):
    empty = tmp_path / "empty.o"
    empty.write_bytes(b"")
    assert_rejected(tmp_path, nano_core, [empty], error(empty, "empty file"))


def test_truncated_inside_elf_header(tmp_path, nano_core, good_crates):
    cut = tmp_path / "log.o"
    cut.write_bytes(good_crates["log"].read_bytes()[:40])
    assert_rejected(tmp_path, nano_core, [cut], error(
        cut, "truncated: file is 40 bytes, an ELF64 header needs 64"))


def test_truncated_inside_section_header_table(tmp_path, nano_core, good_crates):
    stamped = good_crates["log"].read_bytes()
    data = stamped[:-64]  # the object as linked, without its stamp trailer
    assert stamped[-64:].startswith(b"THSTAMP1"), "the build stamps every crate"
    elf = Elf(data)
    shoff, shnum = elf.get("e_shoff"), elf.get("e_shnum")
    assert shoff + 64 * shnum == len(data), "ld.lld puts section headers last"
    cut = tmp_path / "log.o"
    cut.write_bytes(data[:-100])
    assert_rejected(tmp_path, nano_core, [cut], error(
        cut, f"section header table [0x{shoff:x}, 0x{shoff + 64 * shnum:x}) "
             f"extends past the end of the file ({len(data) - 100} bytes)"))


def test_not_an_elf_file(tmp_path, nano_core):
    text = tmp_path / "notes.o"
    text.write_text("this is not an object file\n")
    assert_rejected(tmp_path, nano_core, [text],
                    error(text, "not an ELF file (bad magic)"))


def test_elf32_object(tmp_path, nano_core, toolchain):
    source = tmp_path / "i386.c"
    source.write_text("int f(void) { return 1; }\n")
    obj = tmp_path / "i386.o"
    subprocess.run(["clang-19", "-target", "i386-unknown-none-elf",
                    "-ffreestanding", "-c", str(source), "-o", str(obj)],
                   check=True)
    assert_rejected(tmp_path, nano_core, [obj],
                    error(obj, "not ELF64: EI_CLASS is 1 (ELFCLASS32)"))


def test_big_endian_object(tmp_path, nano_core, good_crates):
    def big_endian(elf):
        elf.data[5] = 2
    path = mutated(tmp_path, good_crates["log"], big_endian)
    assert_rejected(tmp_path, nano_core, [path],
                    error(path, "not little-endian: EI_DATA is 2"))


def test_wrong_machine_aarch64(tmp_path, nano_core):
    source = tmp_path / "arm.c"
    source.write_text("int f(void) { return 1; }\n")
    obj = tmp_path / "arm.o"
    subprocess.run(["clang-19", "-target", "aarch64-unknown-none-elf",
                    "-ffreestanding", "-c", str(source), "-o", str(obj)],
                   check=True)
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, "wrong machine EM_AARCH64 (183), expected EM_X86_64 (62)"))


def test_wrong_machine_i386_in_elf64(tmp_path, nano_core, good_crates):
    path = mutated(tmp_path, good_crates["log"], lambda e: e.set("e_machine", 3))
    assert_rejected(tmp_path, nano_core, [path], error(
        path, "wrong machine EM_386 (3), expected EM_X86_64 (62)"))


def test_executable_instead_of_object(tmp_path, nano_core):
    # The nano-core is a real ET_EXEC made by ld.lld.
    assert_rejected(tmp_path, nano_core, [nano_core], error(
        nano_core, "not a relocatable object: e_type is ET_EXEC (2), expected ET_REL"))


def test_shared_object_type(tmp_path, nano_core, good_crates):
    path = mutated(tmp_path, good_crates["log"], lambda e: e.set("e_type", 3))
    assert_rejected(tmp_path, nano_core, [path], error(
        path, "not a relocatable object: e_type is ET_DYN (3), expected ET_REL"))


# --- sections and string tables --------------------------------------------

def test_section_offset_outside_file(tmp_path, nano_core, good_crates):
    data = good_crates["log"].read_bytes()
    index = Elf(data).section_index(".text.log_write")
    size = Elf(data).section_get(index, "sh_size")
    path = mutated(tmp_path, good_crates["log"],
                   lambda e: e.section_set(index, "sh_offset", 0x100000))
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"section {index} '.text.log_write': contents [0x100000, "
              f"0x{0x100000 + size:x}) extend past the end of the file "
              f"({len(data)} bytes)"))


def test_section_size_outside_file(tmp_path, nano_core, good_crates):
    data = good_crates["log"].read_bytes()
    index = Elf(data).section_index(".crate_info")
    offset = Elf(data).section_get(index, "sh_offset")
    path = mutated(tmp_path, good_crates["log"],
                   lambda e: e.section_set(index, "sh_size", 1 << 40))
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"section {index} '.crate_info': contents [0x{offset:x}, "
              f"0x{offset + (1 << 40):x}) extend past the end of the file "
              f"({len(data)} bytes)"))


def test_section_name_table_index_out_of_range(tmp_path, nano_core, good_crates):
    count = Elf(good_crates["log"].read_bytes()).get("e_shnum")
    path = mutated(tmp_path, good_crates["log"], lambda e: e.set("e_shstrndx", 200))
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"e_shstrndx 200 is not a section index ({count} sections)"))


def test_section_name_offset_outside_name_table(tmp_path, nano_core, good_crates):
    elf = Elf(good_crates["log"].read_bytes())
    names_size = elf.section_get(elf.get("e_shstrndx"), "sh_size")
    path = mutated(tmp_path, good_crates["log"],
                   lambda e: e.section_set(2, "sh_name", 0xffff))
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"section 2: name offset 0xffff is outside the section name "
              f"table ({names_size} bytes)"))


def test_no_section_headers(tmp_path, nano_core, good_crates):
    path = mutated(tmp_path, good_crates["log"], lambda e: e.set("e_shoff", 0))
    assert_rejected(tmp_path, nano_core, [path],
                    error(path, "no section header table (e_shoff is 0)"))


def test_string_table_without_final_nul(tmp_path, nano_core, good_crates):
    elf = Elf(good_crates["log"].read_bytes())
    index = elf.section_index(".strtab")

    def chop(e):
        e.section_set(index, "sh_size", e.section_get(index, "sh_size") - 1)
    path = mutated(tmp_path, good_crates["log"], chop)
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"string table section {index} '.strtab' does not begin and "
              f"end with a NUL byte"))


# --- symbol table ----------------------------------------------------------

def _symbol_entry_offset(elf, name):
    """File offset of the symbol table entry for `name`."""
    symtab = elf.section_index(".symtab")
    strtab = elf.section_get(symtab, "sh_link")
    strings = elf.section_get(strtab, "sh_offset")
    base = elf.section_get(symtab, "sh_offset")
    for number in range(elf.section_get(symtab, "sh_size") // 24):
        st_name = struct.unpack_from("<I", elf.data, base + 24 * number)[0]
        start = strings + st_name
        if bytes(elf.data[start:elf.data.index(0, start)]).decode() == name:
            return base + 24 * number, number
    raise KeyError(name)


def test_symbol_table_linked_to_non_string_table(tmp_path, nano_core, good_crates):
    index = Elf(good_crates["log"].read_bytes()).section_index(".symtab")
    path = mutated(tmp_path, good_crates["log"],
                   lambda e: e.section_set(index, "sh_link", 2))
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"symbol table (section {index} '.symtab'): sh_link 2 is not a "
              f"string table"))


def test_symbol_table_bad_entry_size(tmp_path, nano_core, good_crates):
    index = Elf(good_crates["log"].read_bytes()).section_index(".symtab")
    path = mutated(tmp_path, good_crates["log"],
                   lambda e: e.section_set(index, "sh_entsize", 16))
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"symbol table (section {index} '.symtab'): sh_entsize is 16, "
              f"expected 24"))


def test_no_symbol_table(tmp_path, nano_core, good_crates):
    index = Elf(good_crates["log"].read_bytes()).section_index(".symtab")
    path = mutated(tmp_path, good_crates["log"],
                   lambda e: e.section_set(index, "sh_type", 1))
    assert_rejected(tmp_path, nano_core, [path],
                    error(path, "no symbol table (SHT_SYMTAB)"))


def test_symbol_name_outside_string_table(tmp_path, nano_core, good_crates):
    elf = Elf(good_crates["log"].read_bytes())
    at, number = _symbol_entry_offset(elf, "log_count")
    strtab_size = elf.section_get(elf.section_index(".strtab"), "sh_size")

    def rename(e):
        struct.pack_into("<I", e.data, at, 0xfffff)
    path = mutated(tmp_path, good_crates["log"], rename)
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"symbol {number}: name offset 0xfffff is outside its string "
              f"table ({strtab_size} bytes)"))


def test_symbol_section_index_out_of_range(tmp_path, nano_core, good_crates):
    elf = Elf(good_crates["log"].read_bytes())
    at, _ = _symbol_entry_offset(elf, "log_write")

    def move(e):
        struct.pack_into("<H", e.data, at + 6, 300)
    path = mutated(tmp_path, good_crates["log"], move)
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"symbol 'log_write': section index 300 is out of range "
              f"({elf.get('e_shnum')} sections)"))


def test_symbol_outside_its_section(tmp_path, nano_core, good_crates):
    elf = Elf(good_crates["log"].read_bytes())
    at, _ = _symbol_entry_offset(elf, "log_write")
    section_size = elf.section_get(elf.section_index(".text.log_write"), "sh_size")
    symbol_size = struct.unpack_from("<Q", elf.data, at + 16)[0]

    def shift(e):
        struct.pack_into("<Q", e.data, at + 8, 0x1000)
    path = mutated(tmp_path, good_crates["log"], shift)
    index = elf.section_index(".text.log_write")
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"symbol 'log_write' [0x1000, 0x{0x1000 + symbol_size:x}) lies "
              f"outside section {index} '.text.log_write' (0x{section_size:x} bytes)"))


def test_common_symbol(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("counter", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("counter", "1.0.0", "keeps a count", "", "", "");\n'
        'CRATE_EXPORT int counter;\n'
        'CRATE_EXPORT int counter_get(void) { return counter; }\n'),
        cflags=["-fcommon"])
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, "COMMON symbol 'counter' (compile with -fno-common)"))


def test_thread_local_storage(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("tls", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("tls", "1.0.0", "uses __thread", "", "", "");\n'
        '__thread int per_thread;\n'
        'CRATE_EXPORT int tls_get(void) { return per_thread; }\n'))
    index = Elf(obj.read_bytes()).section_index(".tbss.per_thread")
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, f"TLS section {index} '.tbss.per_thread' (thread-local storage "
             f"is not supported)"))


def test_tls_symbol_without_tls_section(tmp_path, nano_core, toolchain):
    yaml = """--- !ELF
FileHeader: {Class: ELFCLASS64, Data: ELFDATA2LSB, Type: ET_REL, Machine: EM_X86_64}
Sections:
  - {Name: .data.x, Type: SHT_PROGBITS, Flags: [SHF_ALLOC, SHF_WRITE], Content: "00000000"}
Symbols:
  - {Name: sneaky, Type: STT_TLS, Section: .data.x, Binding: STB_GLOBAL, Size: 4}
"""
    obj = toolchain.yaml_object("sneaky", yaml)
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, "TLS symbol 'sneaky' (thread-local storage is not supported)"))


# --- forbidden sections ----------------------------------------------------

def test_constructor_init_array(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("ctor", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("ctor", "1.0.0", "has a constructor", "", "", "");\n'
        'void serial_write(const char *text, unsigned long length);\n'
        '__attribute__((constructor)) static void setup(void) '
        '{ serial_write("x", 1); }\n'))
    index = Elf(obj.read_bytes()).section_index(".init_array")
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, f"constructor/destructor section {index} '.init_array' is not "
             f"supported (name an init function in CRATE(...))"))


def test_ctors_section(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("ctors", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("ctors", "1.0.0", "old-style constructors", "", "", "");\n'
        '__asm__(".section .ctors,\\"aw\\"\\n.quad 0\\n.previous");\n'))
    index = Elf(obj.read_bytes()).section_index(".ctors")
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, f"constructor/destructor section {index} '.ctors' is not "
             f"supported (name an init function in CRATE(...))"))


# --- relocations -----------------------------------------------------------

def test_unsupported_relocation_from_assembly(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("narrow", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("narrow", "1.0.0", "16-bit pointer", "", "", "");\n'
        'CRATE_EXPORT void narrow_target(void) {}\n'
        '__asm__(".pushsection .data.narrow,\\"aw\\"\\n'
        '.short narrow_target\\n.popsection");\n'))
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, "unsupported relocation type R_X86_64_16 (12) in section "
             "'.rela.data.narrow' (entry 0, offset 0x0)"))


def test_unsupported_relocation_tls_type(tmp_path, nano_core, good_crates):
    path = mutated(tmp_path, good_crates["log"],
                   lambda e: e.set_relocation_type(".rela.text.log_write", 1, 23))
    offset = struct.unpack_from("<Q", good_crates["log"].read_bytes(),
                                Elf(good_crates["log"].read_bytes())
                                .contents_offset(".rela.text.log_write") + 24)[0]
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"unsupported relocation type R_X86_64_TPOFF32 (23) in section "
              f"'.rela.text.log_write' (entry 1, offset 0x{offset:x})"))


def test_unknown_relocation_number(tmp_path, nano_core, good_crates):
    path = mutated(tmp_path, good_crates["log"],
                   lambda e: e.set_relocation_type(".rela.text.log_count", 0, 200))
    assert_rejected(tmp_path, nano_core, [path], re.compile(
        re.escape(error(path, "unsupported relocation type 200 in section "
                              "'.rela.text.log_count' (entry 0, offset ")) + r"0x[0-9a-f]+\)"))


def test_rel_section_without_addends(tmp_path, nano_core, toolchain):
    yaml = """--- !ELF
FileHeader: {Class: ELFCLASS64, Data: ELFDATA2LSB, Type: ET_REL, Machine: EM_X86_64}
Sections:
  - {Name: .text, Type: SHT_PROGBITS, Flags: [SHF_ALLOC, SHF_EXECINSTR], Content: "e800000000c3"}
  - Name: .rel.text
    Type: SHT_REL
    Info: .text
    Relocations:
      - {Offset: 1, Symbol: serial_write, Type: R_X86_64_PC32}
Symbols:
  - {Name: serial_write, Binding: STB_GLOBAL}
"""
    obj = toolchain.yaml_object("rel", yaml)
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, "section 2 '.rel.text': SHT_REL relocations are not supported, "
             "only SHT_RELA"))


def test_relocation_outside_target_section(tmp_path, nano_core, good_crates):
    elf = Elf(good_crates["log"].read_bytes())
    rela = elf.section_index(".rela.text.log_count")
    target = elf.section_index(".text.log_count")
    target_size = elf.section_get(target, "sh_size")

    def move(e):
        struct.pack_into("<Q", e.data, e.contents_offset(".rela.text.log_count"), 0x1000)
    path = mutated(tmp_path, good_crates["log"], move)
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"relocation section {rela} '.rela.text.log_count': entry 0 "
              f"patches [0x1000, 0x1004), outside section {target} "
              f"'.text.log_count' (0x{target_size:x} bytes)"))


def test_relocation_symbol_out_of_range(tmp_path, nano_core, good_crates):
    elf = Elf(good_crates["log"].read_bytes())
    rela = elf.section_index(".rela.text.log_count")
    symbols = elf.section_get(elf.section_index(".symtab"), "sh_size") // 24

    def point_away(e):
        at = e.contents_offset(".rela.text.log_count") + 8
        info = struct.unpack_from("<Q", e.data, at)[0]
        struct.pack_into("<Q", e.data, at, (info & 0xffffffff) | (5000 << 32))
    path = mutated(tmp_path, good_crates["log"], point_away)
    assert_rejected(tmp_path, nano_core, [path], error(
        path, f"relocation section {rela} '.rela.text.log_count': entry 0 "
              f"refers to symbol 5000, but there are {symbols}"))


# --- .crate_info -------------------------------------------------------------

def test_missing_crate_info(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("anonymous", source=(
        '#include <theseus/crate.h>\n'
        'CRATE_EXPORT int anonymous_value(void) { return 7; }\n'))
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, "no .crate_info section (a crate declares itself with one "
             "CRATE(...) line)"))


def test_two_crate_records(tmp_path, nano_core, toolchain, good_crates):
    # ld.lld -r concatenates the two records into one 768-byte section.
    obj = toolchain.crate("twice", files=["log.c", "hello.c"])
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, ".crate_info is 768 bytes, expected 384 (more than one "
             "CRATE(...) record?)"))


def test_crate_info_bad_magic(tmp_path, nano_core, good_crates):
    def corrupt(e):
        e.data[e.contents_offset(".crate_info")] = ord("X")
    path = mutated(tmp_path, good_crates["log"], corrupt)
    assert_rejected(tmp_path, nano_core, [path], error(
        path, ".crate_info: bad magic 'XRATE01', expected 'CRATE01'"))


def test_crate_info_name_not_terminated(tmp_path, nano_core, toolchain):
    name = "a" * 32     # fills char name[32]: C drops the NUL
    obj = toolchain.crate("long", source=(
        '#include <theseus/crate.h>\n'
        f'CRATE("{name}", "1.0.0", "name too long", "", "", "");\n'))
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, ".crate_info: field 'name' is not NUL-terminated"))


def test_crate_info_bad_name(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("badname", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("Bad-Name", "1.0.0", "capitals and dash", "", "", "");\n'))
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, ".crate_info: crate name 'Bad-Name' is not [a-z0-9_]+"))


def test_crate_info_bad_version(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("badversion", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("badversion", "1.0", "two-part version", "", "", "");\n'))
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, ".crate_info: version '1.0' is not MAJOR.MINOR.PATCH"))


def test_crate_info_init_not_defined(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("noinit", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("noinit", "1.0.0", "names a missing init", "noinit_start", "", "");\n'))
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, ".crate_info: init function 'noinit_start' is not a function "
             "defined in this object"))


def test_crate_info_wrong_size(tmp_path, nano_core, toolchain):
    obj = toolchain.crate("short", source=(
        '__asm__(".section .crate_info,\\"a\\"\\n.asciz \\"CRATE01\\"\\n.previous");\n'))
    assert_rejected(tmp_path, nano_core, [obj], error(
        obj, ".crate_info is 8 bytes, expected 384"))


# --- several inputs, the nano-core -------------------------------------------

def test_every_bad_input_is_reported(tmp_path, nano_core, good_crates):
    first = tmp_path / "first.o"
    first.write_bytes(b"")
    second = mutated(tmp_path, good_crates["log"],
                     lambda e: e.set("e_machine", 3), name="second.o")
    assert_rejected(tmp_path, nano_core, [first, good_crates["hello"], second],
                    error(first, "empty file"),
                    error(second, "wrong machine EM_386 (3), expected EM_X86_64 (62)"))


def test_missing_input_file(tmp_path, nano_core, good_crates):
    missing = tmp_path / "missing.o"
    assert_rejected(tmp_path, nano_core, [good_crates["log"], missing],
                    error(missing, "No such file or directory"))


def test_stripped_nano_core(tmp_path, nano_core, good_crates):
    stripped = tmp_path / "stripped.elf"
    subprocess.run(["llvm-strip-19", "-o", str(stripped), str(nano_core)], check=True)
    assert_rejected(tmp_path, stripped, [good_crates["log"]], error(
        stripped, "no symbol table (SHT_SYMTAB): the nano-core must not be "
                  "stripped, its exports come from .symtab"))


def test_crate_object_given_as_nano_core(tmp_path, good_crates):
    log = good_crates["log"]
    assert_rejected(tmp_path, log, [good_crates["hello"]], error(
        log, "not an executable: e_type is ET_REL (1), expected ET_EXEC"))


@pytest.mark.parametrize("length", [0, 1, 4, 16, 63, 64, 65, 200, 1000, 2000])
def test_prefix_of_good_object_never_crashes(tmp_path, nano_core, good_crates, length):
    """Every truncation gets a one-line error and exit 2, never a traceback."""
    cut = tmp_path / "cut.o"
    cut.write_bytes(good_crates["timer"].read_bytes()[:length])
    result = mkimage("build", "-o", tmp_path / "x.archive", "--nano-core",
                     nano_core, cut)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mkimage: error: {cut}: ")
    assert not (tmp_path / "x.archive").exists()


def test_random_corruption_never_crashes(tmp_path, nano_core, good_crates):
    """300 copies of a good object with a few random bytes changed, in one
    build: every line is a `FILE: problem` error, never a traceback."""
    source = good_crates["timer"].read_bytes()
    rng = random.Random(20240601)
    inputs = []
    for number in range(300):
        data = bytearray(source)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"mutant{number:03d}.o"
        path.write_bytes(data)
        inputs.append(path)
    result = mkimage("build", "-o", tmp_path / "x.archive", "--nano-core",
                     nano_core, *inputs)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines, "300 mutants are also 300 crates named 'timer'"
    for line in lines:
        assert re.match(rf"mkimage: error: {re.escape(str(tmp_path))}/mutant\d{{3}}\.o: \S", line), line
        assert "internal error" not in line
    assert not (tmp_path / "x.archive").exists()


def test_nano_core_with_bad_symbol_section(tmp_path, nano_core, good_crates):
    # The nano-core's symbols go through pyelftools: still a one-line error.
    elf = Elf(nano_core.read_bytes())
    at, _ = _symbol_entry_offset(elf, "memcpy")

    def move(e):
        struct.pack_into("<H", e.data, at + 6, 300)
    broken = mutated(tmp_path, nano_core, move)
    assert_rejected(tmp_path, broken, [good_crates["log"]], error(
        broken, f"symbol 'memcpy': section index 300 is out of range "
                f"({elf.get('e_shnum')} sections)"))
