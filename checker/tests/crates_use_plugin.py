#!/usr/bin/python3
"""Every crate source is compiled with the safe-C plugin (TAP).

    crates_use_plugin.py BUILD_DIR CRATES_DIR PLUGIN

Reads meson's compile_commands.json: one case per C file under CRATES_DIR,
passing when its compile command loads PLUGIN and names its crate. Fails
when the build compiles a crate without the checker, so the checker can
never be skipped silently; also fails when a crate source is missing."""

import json
import os
import shlex
import sys


def main(build, crates_dir, plugin):
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    crates_dir = os.path.realpath(crates_dir)
    plugin = os.path.realpath(plugin)
    commands = {}
    for e in entries:
        path = os.path.realpath(os.path.join(e["directory"], e["file"]))
        if path.startswith(crates_dir + os.sep):
            commands[path] = shlex.split(e["command"])
    sources = sorted(os.path.join(root, n) for root, _, names in os.walk(crates_dir)
                     for n in names if n.endswith(".c"))
    results = []
    for src in sources:
        rel = os.path.relpath(src, crates_dir)
        crate = rel.split(os.sep)[0]
        args = commands.get(os.path.realpath(src))
        if args is None:
            results.append((False, rel, "not compiled by the build (missing from crates/meson.build?)"))
            continue
        loads = any(a == "-fplugin=" + plugin for a in args)
        named = "-fplugin-arg-safec-crate=" + crate in args
        why = "" if loads and named else ("plugin not loaded" if not loads else "crate name not passed")
        results.append((loads and named, rel, why))
    for i, (ok, name, why) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name} compiled with the safe-C plugin" + (f" # {why}" if why else ""))
    print(f"1..{len(results)}")
    return 0 if results and all(r[0] for r in results) else 1


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
