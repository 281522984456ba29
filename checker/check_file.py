#!/usr/bin/python3
"""Run the safe-C checker on any C file, compiled exactly as crate code.

    check_file.py --build BUILD_DIR FILE.c [more clang flags...]

The flags are those the build used for a real crate (taken from meson's
compile_commands.json): the crate flags, the plugin and its arguments, the
trusted headers and every crate's include folder. Nothing is written.

Exit status: 0 clean, 1 a safe-C rule fired, 2 the file does not compile
for another reason (or bad usage)."""

import json
import os
import re
import shlex
import subprocess
import sys

REFERENCE = os.path.join("crates", "fmt", "fmt.c")  # any crate source will do


def crate_flags(build):
    path = os.path.join(build, "compile_commands.json")
    try:
        with open(path) as f:
            entries = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"check: cannot read {path} ({e}); build first")
    for e in entries:
        if os.path.normpath(os.path.join(e["directory"], e["file"])).endswith(REFERENCE):
            args = shlex.split(e["command"])
            out, skip = [], False
            for a in args[1:]:
                if skip:
                    skip = False
                    continue
                if a in ("-o", "-MF", "-MQ", "-MT", "-c"):
                    skip = a != "-c"
                    continue
                if a in ("-MD", "-MMD") or a == e["file"] or a.startswith("-fdiagnostics-color") \
                        or a == "-fcolor-diagnostics":
                    continue
                out.append(a)
            return args[0], e["directory"], out
    sys.exit(f"check: {REFERENCE} is not in {path}; build first")


def crate_name(file):
    """The crate a file belongs to: NAME for crates/NAME/..., else a name
    of its own that no allowlist names (a file called shell.c is not the
    shell crate, and gets none of its allowed operations)."""
    parts = os.path.realpath(file).split(os.sep)
    root = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    crates = os.path.join(root, "crates").split(os.sep)
    if parts[:len(crates)] == crates and len(parts) > len(crates) + 1:
        return parts[len(crates)]
    base = re.sub(r"[^a-z0-9_]", "_", os.path.splitext(os.path.basename(file))[0].lower())
    return "adhoc_" + base


def main(argv):
    if len(argv) < 3 or argv[0] != "--build":
        print(__doc__, file=sys.stderr)
        return 2
    build, file, extra = argv[1], argv[2], argv[3:]
    if not os.path.isfile(file):
        print(f"check: {file}: no such file", file=sys.stderr)
        return 2
    compiler, directory, flags = crate_flags(build)
    # Not the crate's name, and no record in the build's UNSAFE report.
    flags = [f for f in flags if not f.startswith("-fplugin-arg-safec-crate=")
             and not f.startswith("-fplugin-arg-safec-report=")]
    flags.append(f"-fplugin-arg-safec-crate={crate_name(file)}")
    cmd = [compiler] + flags + ["-fsyntax-only", os.path.abspath(file)] + extra
    proc = subprocess.run(cmd, cwd=directory, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(proc.stderr)
    if proc.returncode == 0:
        return 0
    # A rule fired when an error line carries a rule id (the per-file
    # summary remark carries one too, but it is not an error).
    plain = re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr)
    fired = re.search(r"error: .*\[safe-c-[a-z-]+\]$", plain, re.MULTILINE)
    return 1 if fired else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
