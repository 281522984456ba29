#!/usr/bin/python3
"""The nano-core's layers, checked and drawn.

    layers.py check KERNEL_DIR BENCH_DIR
    layers.py dot KERNEL_DIR BENCH_DIR [--archive crates.archive] [-o FILE]

Every nano-core source file belongs to one layer (LAYERS, lowest first).
`check` fails, naming the file and the header, when a file includes a
header of a higher layer: the layers only call down (what a lower layer
needs from a higher one, it is handed at run time: the trap layer's
interrupt handler, the linker's environment). `dot` writes the graphviz
picture of docs/architecture.md: the layers with the include edges
between them and, with --archive, the crates with the crates they import
from (mkimage list). Tests (*_test.c) are left out: they may reach any
layer.
"""

import argparse
import json
import os
import re
import subprocess
import sys

# (layer, what it holds, files relative to kernel/ or "bench:" for
# benchmarks/kernel/; a folder name takes every file in it)
LAYERS = [
    ("lib", "support library: string, snprintf, sort, parse", ["lib"]),
    ("cpu", "x86-64 instructions, the boot path, the address-space layout",
     ["arch/x86_64/x86.h", "arch/x86_64/boot_layout.h", "arch/x86_64/boot.S"]),
    ("console", "serial console, kprintf, QEMU exit, the export table, the nano-core's symbol table",
     ["core/kernel.h", "core/serial.c", "core/kprintf.c", "core/qemu.c", "core/export.h",
      "core/kernel_symbols.c", "core/kernel_symbols.h"]),
    ("boot information", "multiboot2/PVH information, the command line",
     ["core/bootinfo.c", "core/bootinfo.h", "core/cmdline.c", "core/cmdline.h", "core/selector.c",
      "core/selector.h"]),
    ("traps", "IDT, exception entry, recovery points, the context switch",
     ["arch/x86_64/idt.c", "arch/x86_64/trap.h", "arch/x86_64/isr.S", "arch/x86_64/fault_try.S",
      "arch/x86_64/context.S", "arch/x86_64/user_entry.S"]),
    ("memory", "frames, page tables, the nano-core heap, crate memory, page primitives",
     ["core/frames.c", "core/frames.h", "core/paging.c", "core/paging.h", "core/kheap.c", "core/kheap.h",
      "core/crate_memory.c", "core/crate_memory.h", "core/memory_api.c"]),
    ("linker", "the runtime linker (portable)", ["linker"]),
    ("crate environment", "the linker's home, the debugger rendezvous, protected calls, fault reports, the stack walker, "
     "services crates register, interrupt entry",
     ["core/crate_env.c", "core/crate_env.h", "core/debug_rendezvous.c", "core/debug_rendezvous.h", "core/fault.c", "core/fault.h", "core/stack_walk.c",
      "core/stack_walk.h", "core/service_calls.c", "core/service_calls.h", "core/irq_entry.c", "core/irq_entry.h",
      "core/context.c"]),
    ("crate services", "what crates ask of the nano-core: crates, calls, faults, the swap primitive",
     ["core/crate_api.c", "core/crate_api.h", "core/crate_calls.c", "core/crate_swap.c", "core/kernel_api.c"]),
    ("user space", "address spaces, ring 3, the system call path, the user copy, building a load plan",
     ["core/user.c", "core/user_space.h"]),
    ("runners", "the test and benchmark runner, the fallback console",
     ["core/records.c", "core/records.h", "core/ktest.c", "core/fallback_console.c", "core/fallback_console.h",
      "bench:"]),
    ("main", "kmain: boot, then the entry crate", ["core/main.c"]),
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SOURCE = (".c", ".h", ".S")


def layer_of(rel):
    """Layer index of a file (relative to kernel/, or bench:NAME)."""
    for i, (_, _, members) in enumerate(LAYERS):
        for m in members:
            if rel == m or (m.endswith(":") and rel.startswith(m)) or rel.startswith(m + "/"):
                return i
    return None


def sources(kernel_dir, bench_dir):
    """(rel, path) of every non-test source of the nano-core."""
    out = []
    for top, prefix in ((kernel_dir, ""), (bench_dir, "bench:")):
        for dirpath, _, files in os.walk(top):
            for f in sorted(files):
                if not f.endswith(SOURCE) or f.endswith("_test.c"):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, top)
                if prefix:
                    out.append((prefix + rel, path))
                elif not rel.startswith("include/") and not rel.startswith("cross/"):
                    out.append((rel, path))
    return out


def resolve(include, path, kernel_dir):
    """The kernel/-relative name an include refers to, or None (a trusted
    header, a crate's header: interfaces, not layers)."""
    here = os.path.join(os.path.dirname(path), include)
    for candidate in (here, os.path.join(kernel_dir, include)):
        if os.path.isfile(candidate):
            rel = os.path.relpath(os.path.realpath(candidate), os.path.realpath(kernel_dir))
            return None if rel.startswith("..") or rel.startswith("include/") else rel
    return None


def scan(kernel_dir, bench_dir):
    """(problems, edges): edges between layers as {(from, to): count}."""
    problems, edges = [], {}
    for rel, path in sources(kernel_dir, bench_dir):
        mine = layer_of(rel)
        if mine is None:
            problems.append(f"{rel}: belongs to no layer (add it to LAYERS in checker/layers.py)")
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            target = resolve(inc, path, kernel_dir)
            if target is None:
                continue
            theirs = layer_of(target)
            if theirs is None:
                problems.append(f"{rel}: includes {target}, which belongs to no layer")
            elif theirs > mine:
                problems.append(f"{rel} ({LAYERS[mine][0]}) includes {target} ({LAYERS[theirs][0]}): "
                                "a layer may only use the layers below it")
            elif theirs != mine:
                edges[(mine, theirs)] = edges.get((mine, theirs), 0) + 1
    return problems, edges


def crate_graph(archive):
    """[(crate, [needs])] from `mkimage list --json`."""
    mkimage = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mkimage", "mkimage.py")
    out = subprocess.run([sys.executable, mkimage, "list", "--json", archive], capture_output=True, text=True,
                         check=True).stdout
    return [(c["name"], c["needs"], c["alternative_of"]) for c in json.loads(out)["crates"]]


def reduced(edges):
    """The edges no longer path implies (a transitive reduction): the
    picture shows which layer uses which, without every shortcut."""
    succ = {}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)

    def reaches(a, b, skip):
        stack, seen = [n for n in succ.get(a, ()) if (a, n) != skip], set()
        while stack:
            n = stack.pop()
            if n == b:
                return True
            if n not in seen:
                seen.add(n)
                stack.extend(succ.get(n, ()))
        return False

    return sorted(e for e in edges if not reaches(e[0], e[1], e))


def dot(edges, crates):
    lines = ["digraph theseus {", "  rankdir=BT;", '  node [shape=box, fontname="Helvetica", fontsize=10];',
             '  edge [color="#666666"];', "  subgraph cluster_nano_core {",
             '    label="nano-core (kernel/): layers, each using only those below";', "    style=rounded;"]
    for i, (name, what, _) in enumerate(LAYERS):
        lines.append(f'    L{i} [label="{name}\\n{what}", style=filled, fillcolor="#e8eef7"];')
    for a, b in reduced(edges):
        lines.append(f"    L{a} -> L{b};")
    lines.append("  }")
    if crates:
        lines += ["  subgraph cluster_crates {", '    label="crates (crates/): each imports from those it points to";',
                  "    style=rounded;"]
        for name, needs, alt in crates:
            style = ', style="dashed"' if alt else ""
            lines.append(f'    "{name}" [shape=ellipse{style}];')
            for need in needs:
                lines.append(f'    "{name}" -> "{need}";')
            if alt:
                lines.append(f'    "{name}" -> "{alt}" [style=dashed, label="replaces", fontsize=8];')
        lines.append("  }")
        services = next(i for i, layer in enumerate(LAYERS) if layer[0] == "crate services")
        lines.append(f'  "shell" -> L{services} [style=dotted, label="nano-core exports", fontsize=8];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="layers.py", description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["check", "dot"])
    ap.add_argument("kernel_dir")
    ap.add_argument("bench_dir")
    ap.add_argument("--archive", help="crates.archive, for the crates' part of the picture")
    ap.add_argument("-o", "--output", help="write the dot text here (default: standard output)")
    args = ap.parse_args(argv)
    problems, edges = scan(args.kernel_dir, args.bench_dir)
    if args.command == "check":
        for p in problems:
            print(f"layers: {p}", file=sys.stderr)
        count = len(sources(args.kernel_dir, args.bench_dir))
        print(f"layers: {count} nano-core sources in {len(LAYERS)} layers, {len(problems)} problems")
        return 1 if problems else 0
    if problems:
        for p in problems:
            print(f"layers: {p}", file=sys.stderr)
        return 1
    text = dot(edges, crate_graph(args.archive) if args.archive else [])
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
