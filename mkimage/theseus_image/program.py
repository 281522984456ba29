"""User programs in the archive: static x86-64 ELF executables.

`check_program` applies the rules the kernel's user-program loader applies
(crates/program_loader/program_elf.c, docs/user-space.md), so that a program the kernel
would refuse is refused when the image is built, with the rule it broke.
"""

import re
import struct
from dataclasses import dataclass

from .errors import InputError

NAME_RE = re.compile(r"[a-z0-9_][a-z0-9_.-]{0,30}\Z")
FILE_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)?\Z")
FILE_NAME_MAX = 63
FILE_MAX = 16 << 20
FLAG_FILE = 1
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
ET_EXEC, ET_DYN = 2, 3
EM_X86_64 = 62
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
LOADS_MAX = 16  # PT_LOADs with memory that a load plan holds (theseus/user.h)
PF_X, PF_W, PF_R = 1, 2, 4
USER_TOP = 0x0000_7FFF_0000_0000   # below the user stack (docs/user-space.md)
PAGE = 4096
MAX_SIZE = 64 << 20


@dataclass
class Program:
    name: str
    data: bytes
    kind: str          # "exec", "static-pie", or "file" (a data file)
    entry: int
    loads: int
    flags: int = 0     # FLAG_FILE for a data file


def file_name_problem(name):
    if len(name) > FILE_NAME_MAX or not FILE_NAME_RE.match(name):
        return (f"file name '{name}' must be NAME or DIR/NAME of [A-Za-z0-9_.-] "
                f"(no '.', '..' or empty parts; at most {FILE_NAME_MAX} characters)")
    if name.startswith("bin/") or name == "bin":
        return f"file name '{name}': /bin holds the programs"
    return None


def check_file(raw, label, name):
    """A data file for the image (read by programs as /NAME)."""
    problem = file_name_problem(name)
    if problem:
        raise InputError(label, problem)
    if any(part in (".", "..") for part in name.split("/")):
        raise InputError(label, f"file name '{name}' has a '.' or '..' component")
    if len(raw) > FILE_MAX:
        raise InputError(label, f"data file of {len(raw)} bytes, more than {FILE_MAX >> 20} MiB")
    return Program(name, bytes(raw), "file", 0, 0, FLAG_FILE)


def program_name_problem(name):
    if not NAME_RE.match(name):
        return (f"program name '{name}' must match [a-z0-9_][a-z0-9_.-]* "
                f"(at most 31 characters)")
    return None


def check_program(raw, label, name):
    """The Program, or InputError naming the first broken rule."""
    def fail(text):
        raise InputError(label, f"not a user program: {text}")

    problem = program_name_problem(name)
    if problem:
        raise InputError(label, problem)
    if len(raw) > MAX_SIZE:
        fail(f"{len(raw)} bytes, more than the {MAX_SIZE >> 20} MiB allowed")
    if len(raw) < EHDR.size:
        fail(f"{len(raw)} bytes, smaller than an ELF header")
    (ident, e_type, machine, version, entry, phoff, _shoff, _flags, ehsize,
     phentsize, phnum, _she, _shn, _shs) = EHDR.unpack_from(raw)
    if ident[:4] != b"\x7fELF":
        fail("no ELF magic")
    if ident[4] != 2 or ident[5] != 1:
        fail("not ELFCLASS64 little-endian")
    if machine != EM_X86_64 or version != 1:
        fail(f"machine {machine} version {version}, expected x86-64 (62) version 1")
    if e_type not in (ET_EXEC, ET_DYN):
        fail(f"e_type {e_type}: only ET_EXEC (2) and static-pie ET_DYN (3) run")
    if ehsize != EHDR.size or phentsize != PHDR.size:
        fail(f"e_ehsize {ehsize} / e_phentsize {phentsize}, expected 64 / 56")
    if phnum == 0 or phnum > 64:
        fail(f"{phnum} program headers (1..64 allowed)")
    if phoff > len(raw) or phoff + phnum * PHDR.size > len(raw):
        fail("program header table outside the file")
    loads = []
    for i in range(phnum):
        (p_type, p_flags, p_offset, p_vaddr, _paddr, p_filesz, p_memsz,
         p_align) = PHDR.unpack_from(raw, phoff + i * PHDR.size)
        what = f"program header {i}"
        if p_type == PT_INTERP:
            fail(f"{what}: PT_INTERP: dynamically linked programs do not run")
        if p_type == PT_DYNAMIC and e_type == ET_EXEC:
            fail(f"{what}: PT_DYNAMIC in ET_EXEC: dynamically linked")
        if p_type != PT_LOAD:
            continue
        if p_filesz > p_memsz:
            fail(f"{what}: p_filesz 0x{p_filesz:x} > p_memsz 0x{p_memsz:x}")
        if p_offset + p_filesz > len(raw):
            fail(f"{what}: file bytes [0x{p_offset:x}, 0x{p_offset + p_filesz:x}) "
                 f"outside the file")
        if p_vaddr % PAGE != p_offset % PAGE:
            fail(f"{what}: p_vaddr and p_offset differ modulo the page size")
        base = 0x400000 if e_type == ET_DYN else 0
        if p_vaddr + base < 0x10000 or p_vaddr + p_memsz + base > USER_TOP:
            fail(f"{what}: [0x{p_vaddr:x}, 0x{p_vaddr + p_memsz:x}) is outside "
                 f"the user program area [0x10000, 0x{USER_TOP:x})")
        loads.append((p_vaddr, p_vaddr + p_memsz, p_flags))
    if not loads:
        fail("no PT_LOAD segment")
    if sum(1 for start, end, _ in loads if end > start) > LOADS_MAX:
        fail(f"more than {LOADS_MAX} PT_LOAD segments with memory (the kernel's USER_SEGMENTS_MAX)")
    loads.sort()
    for (_, end, _), (start, _, _) in zip(loads, loads[1:]):
        if start < end:
            fail("PT_LOAD segments overlap")
    if not any(start <= entry < end and flags & PF_X for start, end, flags in loads):
        fail(f"entry point 0x{entry:x} is in no executable PT_LOAD segment")
    return Program(name, bytes(raw), "exec" if e_type == ET_EXEC else "static-pie",
                   entry, len(loads))
