#!/usr/bin/python3
"""The ld.lld oracle for the runtime linker core (TAP output).

1. linker_dump loads the archive's crates with the linker core into host
   memory, relocated for kernel addresses, and dumps each section's address
   and bytes, and each crate's GOT.
2. For each loaded crate, this script writes a linker script that puts each
   of the crate's sections at the address the core chose, and its GOT where
   the core put it; every symbol the crate imports is defined at the address
   this script computes itself (from the archive index, the providers'
   symbol tables and the section addresses), section-relative like the real
   definitions, so ld.lld's GOTPCRELX relaxation sees what the core sees.
3. ld.lld-19 links the crate's object alone with that script (-O0: no
   string merging, which would move bytes), and every byte of every section
   and of the GOT is compared with the core's.

Usage: oracle.py --dump LINKER_DUMP --archive A --workdir D
                 [--mode packed|per-section]... [--require-all-types] [CRATE...]
"""
import argparse
import io
import os
import subprocess
import sys

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import thsarch  # noqa: E402

SUPPORTED_TYPES = {
    0: "NONE", 1: "64", 2: "PC32", 4: "PLT32", 9: "GOTPCREL", 10: "32",
    11: "32S", 24: "PC64", 41: "GOTPCRELX", 42: "REX_GOTPCRELX",
}

tap_count = 0
tap_failed = 0


def tap(ok, name, why=""):
    global tap_count, tap_failed
    tap_count += 1
    if ok:
        print(f"ok {tap_count} - {name}")
    else:
        tap_failed += 1
        print(f"not ok {tap_count} - {name} # {why}")
    sys.stdout.flush()


def read_layout(workdir):
    sections, gots = {}, {}
    blob = open(os.path.join(workdir, "bytes.bin"), "rb").read()
    for line in open(os.path.join(workdir, "layout.tsv")):
        kind, crate, shndx, name, vaddr, size, off = line.rstrip("\n").split("\t")
        data = blob[int(off):int(off) + int(size)]
        entry = {"name": name, "vaddr": int(vaddr, 16), "size": int(size), "data": data}
        if kind == "got":
            gots[crate] = entry
        else:
            sections[(crate, int(shndx))] = entry
    return sections, gots


def elf_of(image):
    return ELFFile(io.BytesIO(image))


def symtab(elf):
    return next(s for s in elf.iter_sections() if isinstance(s, SymbolTableSection))


def exported(sym):
    return (sym.name and sym["st_shndx"] not in ("SHN_UNDEF", "SHN_COMMON")
            and sym["st_info"]["bind"] in ("STB_GLOBAL", "STB_WEAK")
            and sym["st_other"]["visibility"] == "STV_DEFAULT")


class Oracle:
    def __init__(self, archive, layout, gots, workdir):
        self.archive = archive
        self.layout = layout
        self.gots = gots
        self.workdir = workdir
        self.by_name = {c["name"]: c for c in archive.crates}
        self.elves = {c["name"]: elf_of(c["image"]) for c in archive.crates}

    def import_address(self, name):
        """(kind, value): ('kernel', addr) | ('crate', (crate, shndx, off)) |
        ('abs', addr) | ('weak', None) for a symbol to import."""
        if name in self.archive.kexports:
            return ("kernel", self.archive.kexports[name])
        ci = self.archive.provider(name)
        if ci is None:
            return ("weak", None)
        provider = self.archive.crates[ci]["name"]
        for sym in symtab(self.elves[provider]).iter_symbols():
            if sym.name == name and exported(sym):
                if sym["st_shndx"] == "SHN_ABS":
                    return ("abs", sym["st_value"])
                return ("crate", (provider, sym["st_shndx"], sym["st_value"]))
        raise RuntimeError(f"index names {provider} for {name}, which does not export it")

    def script(self, crate):
        elf = self.elves[crate]
        lines = ["SECTIONS {"]
        placed = {}
        names = {}
        for idx, sec in enumerate(elf.iter_sections()):
            if not sec["sh_flags"] & 2 or sec["sh_size"] == 0:
                continue
            if sec.name in names:
                raise RuntimeError(f"{crate}: two sections named {sec.name}: the script "
                                   "cannot tell them apart")
            names[sec.name] = idx
            where = self.layout[(crate, idx)]
            placed[idx] = where
            lines.append(f"  .s{idx} 0x{where['vaddr']:x} : {{ KEEP(*({sec.name})) }}")
        if crate in self.gots:
            lines.append(f"  .got 0x{self.gots[crate]['vaddr']:x} : {{ *(.got) }}")
        defs, foreign, kernel = [], {}, {}
        for sym in symtab(elf).iter_symbols():
            if not sym.name or sym["st_shndx"] != "SHN_UNDEF":
                continue
            kind, value = self.import_address(sym.name)
            if kind == "kernel" and value >= 0xFFFFFFFF80000000:
                kernel[sym.name] = value
            elif kind in ("kernel", "abs"):
                defs.append(f"{sym.name} = 0x{value:x};")
            elif kind == "crate":
                provider, shndx, off = value
                where = self.layout[(provider, shndx)]
                out = f".ext_{provider}_{shndx}"
                foreign[out] = where
                defs.append(f"{sym.name} = ADDR({out}) + 0x{off:x};")
        for out, where in foreign.items():
            lines.append(f"  {out} 0x{where['vaddr']:x} (NOLOAD) : "
                         f"{{ . += 0x{max(where['size'], 1):x}; }}")
        if kernel:
            base = min(kernel.values())
            span = max(kernel.values()) - base + 1
            lines.append(f"  .nanocore 0x{base:x} (NOLOAD) : {{ . += 0x{span:x}; }}")
            for name, addr in kernel.items():
                defs.append(f"{name} = ADDR(.nanocore) + 0x{addr - base:x};")
        lines.append("}")
        return "\n".join(lines + defs) + "\n", placed

    def check(self, crate, tag):
        obj = os.path.join(self.workdir, crate + ".o")
        with open(obj, "wb") as f:
            f.write(self.by_name[crate]["image"])
        text, placed = self.script(crate)
        lds = os.path.join(self.workdir, crate + ".ld")
        out = os.path.join(self.workdir, crate + ".elf")
        with open(lds, "w") as f:
            f.write(text)
        r = subprocess.run(["ld.lld-19", "-O0", "--no-gc-sections", "-e", "0", "-static",
                            "--build-id=none", "-z", "norelro", "-T", lds, obj, "-o", out],
                           capture_output=True, text=True)
        if r.returncode:
            return tap(False, f"{tag} oracle {crate}", "ld.lld: " + r.stderr.strip()
                       .replace("\n", " | "))
        linked = ELFFile(open(out, "rb"))
        bad, compared = [], 0
        expected = {f".s{idx}": where for idx, where in placed.items()}
        if crate in self.gots:
            expected[".got"] = self.gots[crate]
        for sec in linked.iter_sections():
            if not sec["sh_flags"] & 2 or sec["sh_size"] == 0:
                continue
            if sec.name.startswith(".ext_") or sec.name == ".nanocore":
                continue
            want = expected.pop(sec.name, None)
            if want is None:
                bad.append(f"ld.lld made {sec.name} the core did not")
                continue
            got = b"\0" * sec["sh_size"] if sec["sh_type"] == "SHT_NOBITS" else sec.data()
            if sec["sh_addr"] != want["vaddr"] or got != want["data"]:
                diff = next((i for i in range(min(len(got), len(want["data"])))
                             if got[i] != want["data"][i]), min(len(got), len(want["data"])))
                bad.append(f"{want['name']} differs at +0x{diff:x} "
                           f"(ld.lld {got[diff:diff + 8].hex()} core "
                           f"{want['data'][diff:diff + 8].hex()})")
            compared += len(got)
        for name in expected:
            bad.append(f"ld.lld has no {name}")
        tap(not bad, f"{tag} oracle {crate}: {compared} bytes identical", "; ".join(bad))


def reloc_types(elf):
    types = set()
    for sec in elf.iter_sections():
        if sec["sh_type"] == "SHT_RELA":
            target = elf.get_section(sec["sh_info"])
            if target["sh_flags"] & 2:
                types.update(r["r_info_type"] for r in sec.iter_relocations())
    return types


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--archive", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--mode", action="append", choices=["packed", "per-section"])
    ap.add_argument("--require-all-types", action="store_true")
    ap.add_argument("crates", nargs="*")
    args = ap.parse_args()
    archive = thsarch.Archive(open(args.archive, "rb").read())
    seen_types = set()
    for mode in args.mode or ["packed"]:
        workdir = os.path.join(args.workdir, mode)
        os.makedirs(workdir, exist_ok=True)
        cmd = [args.dump, args.archive, workdir]
        if mode == "per-section":
            cmd.append("--per-section")
        r = subprocess.run(cmd + args.crates, capture_output=True, text=True)
        if r.returncode:
            tap(False, f"{mode} linker_dump", r.stderr.strip().replace("\n", " | "))
            continue
        layout, gots = read_layout(workdir)
        oracle = Oracle(archive, layout, gots, workdir)
        for crate in sorted({c for c, _ in layout}):
            try:
                oracle.check(crate, mode)
            except Exception as e:  # noqa: BLE001 - report, keep going
                tap(False, f"{mode} oracle {crate}", str(e))
            seen_types |= reloc_types(oracle.elves[crate])
    if args.require_all_types:
        missing = sorted(set(SUPPORTED_TYPES) - seen_types)
        tap(not missing, "every supported relocation type exercised: " +
            " ".join(SUPPORTED_TYPES[t] for t in sorted(seen_types & set(SUPPORTED_TYPES))),
            "missing: " + " ".join(SUPPORTED_TYPES[t] for t in missing))
    print(f"1..{tap_count}")
    return 1 if tap_failed else 0


if __name__ == "__main__":
    sys.exit(main())
