#!/usr/bin/python3
"""Write the names every trusted header declares, for the safe-C checker's
rule trusted-redeclaration (a crate may not declare them itself).

    trusted_names.py --clang CLANG --plugin SAFEC.plugin --trusted-dir DIR
        [--trusted-dir DIR...] -o OUT -- [CLANG FLAGS...]

For each trusted folder one translation unit includes every .h in it; the
plugin, with dump-trusted-names=FILE, lists what is declared there."""

import argparse
import os
import subprocess
import sys
import tempfile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clang", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--trusted-dir", action="append", required=True)
    parser.add_argument("-o", dest="out", required=True)
    parser.add_argument("flags", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    flags = [f for f in args.flags if f != "--"]
    names = {}
    # One unit per trusted folder: the folders need not compile together.
    for root in args.trusted_dir:
        headers = []
        for folder, _, files in os.walk(root):
            for name in sorted(files):
                if name.endswith(".h"):
                    headers.append(os.path.relpath(os.path.join(folder, name), root))
        if not headers:
            print(f"trusted_names: no headers under {root}", file=sys.stderr)
            return 2
        with tempfile.TemporaryDirectory() as tmp:
            unit = os.path.join(tmp, "all_trusted_headers.c")
            out = os.path.join(tmp, "names.txt")
            with open(unit, "w") as f:
                for h in sorted(headers):
                    f.write(f"#include <{h}>\n")
            cmd = [args.clang] + flags + ["-I" + d for d in args.trusted_dir] + [
                "-fplugin=" + args.plugin,
                "-fplugin-arg-safec-dump-trusted-names=" + out]
            cmd += ["-fplugin-arg-safec-trusted-dir=" + d for d in args.trusted_dir]
            cmd += ["-fsyntax-only", unit]
            run = subprocess.run(cmd, capture_output=True, text=True)
            if run.returncode != 0 or not os.path.exists(out):
                sys.stderr.write(run.stderr)
                print(f"trusted_names: the trusted headers of {root} do not compile",
                      file=sys.stderr)
                return 1
            with open(out) as f:
                for line in f:
                    if line.strip() and not line.startswith("#"):
                        name, _, header = line.strip().partition(" ")
                        names.setdefault(name, header)
    with open(args.out + ".tmp", "w") as f:
        f.write("# Names the trusted headers declare: crate code may not declare them.\n")
        for name in sorted(names):
            f.write(f"{name} {names[name]}\n")
    os.replace(args.out + ".tmp", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
