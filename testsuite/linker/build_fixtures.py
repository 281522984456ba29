#!/usr/bin/python3
"""Build the linker's fixture crates and archives.

Each fixture crate is compiled with the crate flags (DESIGN.md) and merged
with `ld.lld -r` into NAME.o, as a real crate is.  Then:
  fixtures.archive  every fixture crate, nano-core exports of the tests;
  push archive      beta_pushed alone (a rebuilt beta, as pushed at run time).
Usage: build_fixtures.py --src DIR --include DIR --out DIR [--archive PATH]
                         [--push-archive PATH]
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import thsarch  # noqa: E402

CRATE_FLAGS = [
    "-target", "x86_64-unknown-none-elf", "-std=gnu23", "-ffreestanding",
    "-nostdlibinc", "-mcmodel=kernel", "-mno-red-zone", "-mgeneral-regs-only",
    "-ffunction-sections", "-fdata-sections", "-fvisibility=hidden",
    "-fno-omit-frame-pointer", "-fno-common", "-fno-pic", "-fno-stack-protector",
    "-fno-asynchronous-unwind-tables", "-fsanitize=array-bounds",
    "-fsanitize-trap=array-bounds", "-Werror=unused-result", "-O2",
]

# crate -> extra flags.  alt_beta comes before beta on purpose: its index
# entries sort first, so only the ALTERNATIVE rule keeps it from providing.
CRATES = {
    "alt_beta": [], "beta": [], "alpha": [],
    "gotuse": ["-fno-direct-access-external-data"],
    "cyc_a": [], "cyc_b": [], "lonely": [], "mathlib": [],
    "needs_missing": [], "needs_private": [], "overflow32": [],
    "overflow_pc32": [], "badreloc": [], "fresh": [], "badinit": [], "chain": [],
}

# Nano-core exports the fixtures import, at higher-half addresses like the
# real nano-core's; nc_phys_base is low (R_X86_64_32 target), nc_far is
# far from the crate region (PC32 overflow).
KEXPORTS = {
    "nc_log": 0xFFFFFFFF80001000,
    "nc_counter": 0xFFFFFFFF80200000,
    "host_scale": 0xFFFFFFFF80003000,
    "nc_phys_base": 0x100000,
    "nc_far": 0x7F0000000000,
}


def build(src, include, out, name, extra):
    obj = os.path.join(out, name + ".part.o")
    final = os.path.join(out, name + ".o")
    subprocess.run(["clang-19", *CRATE_FLAGS, *extra, "-I", include, "-c",
                    os.path.join(src, name + ".c"), "-o", obj], check=True)
    subprocess.run(["ld.lld-19", "-r", obj, "-o", final], check=True)
    os.unlink(obj)
    with open(final, "rb") as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--include", required=True)
    ap.add_argument("--out", required=True, help="directory for the crate objects")
    ap.add_argument("--archive", help="archive path (default OUT/fixtures.archive)")
    ap.add_argument("--push-archive", help="also write the one-crate archive of beta_pushed")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    images = [build(args.src, args.include, args.out, n, x) for n, x in CRATES.items()]
    with open(args.archive or os.path.join(args.out, "fixtures.archive"), "wb") as f:
        f.write(thsarch.write_archive(images, KEXPORTS))
    if args.push_archive:
        pushed = build(args.src, args.include, args.out, "beta_pushed", [])
        with open(args.push_archive, "wb") as f:
            f.write(thsarch.write_archive([pushed], KEXPORTS))


if __name__ == "__main__":
    main()
