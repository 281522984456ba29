#!/usr/bin/python3
"""The build summary of the crate checks: UNSAFE sites per crate and the
state-spill report, printed and written as JSON.

    build_summary.py --unsafe-report R.jsonl --unsafe-json OUT --objcheck OBJCHECK
                     --nano-core ELF --spill-json OUT CRATE.o...

Exit status 1 when objcheck finds a violation (a private symbol imported,
an import nobody exports, a forbidden section), so the build stops."""
import argparse
import json
import os
import subprocess
import sys


def how_carried(crate):
    """What becomes of a crate's own .data/.bss on a swap or restart, by the
    evolution crate's rule (crates/evolution: FAMILY_save and
    FAMILY_migrate, or FAMILY_share and FAMILY_migrate for state kept on the
    heap and shared by reference; FAMILY being the crate it is an
    alternative of, or its own name). Every crate gets one of five answers,
    never 'unknown'."""
    if not crate.get("state_bytes"):
        return "none"
    family = crate.get("alternative_of") or crate["name"]
    exports = set(crate.get("exports", []))
    save, share, migrate = f"{family}_save", f"{family}_share", f"{family}_migrate"
    if share in exports and migrate in exports:
        return f"shared ({share}/{migrate}): kept where both versions reach it; the old version retired, not waited for"
    if save in exports and migrate in exports:
        return f"handed over ({save}/{migrate})"
    if save in exports:
        return f"guarded ({save} refuses to lose it)"
    return "not carried (a swap is refused; restart needs --fresh)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--unsafe-report", required=True)
    ap.add_argument("--unsafe-json", required=True)
    ap.add_argument("--objcheck", required=True)
    ap.add_argument("--nano-core", required=True)
    ap.add_argument("--spill-json", required=True)
    ap.add_argument("crates", nargs="+")
    args = ap.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    unsafe = subprocess.run([sys.executable, os.path.join(here, "unsafe_summary.py"), args.unsafe_report,
                             "--json", args.unsafe_json], capture_output=True, text=True)
    sys.stdout.write(unsafe.stdout)
    sys.stderr.write(unsafe.stderr)
    if unsafe.returncode:
        return unsafe.returncode

    proc = subprocess.run([args.objcheck, "--nano-core", args.nano_core, "--json", args.spill_json]
                          + args.crates, capture_output=True, text=True)
    if proc.returncode:
        # A violation or bad input: show all of it.
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        return proc.returncode
    # The state-spill report, one line per crate (the whole of it, with
    # imports and exports, is in the JSON file).
    with open(args.spill_json) as f:
        report = json.load(f)
    for crate in report.get("crates", []):
        crate["state_carried"] = how_carried(crate)
        symbols = ", ".join(s["name"] if isinstance(s, dict) else str(s)
                            for s in crate.get("state_symbols", []))
        scratch = crate.get("scratch_bytes", 0)
        print(f"state-spill: {crate['name']:<16} {crate['state_bytes']:>7} bytes  {crate['state_carried']}"
              + (f"  ({symbols})" if symbols else "")
              + (f"; {scratch} bytes of test scratch, not state" if scratch else ""))
    with open(args.spill_json, "w") as f:
        json.dump(report, f, indent=1)
    print(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "objcheck: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
