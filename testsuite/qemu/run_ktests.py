#!/usr/bin/python3
"""Run in-kernel tests under QEMU and report them as TAP.

The kernel speaks the line protocol in ktest_protocol.md. One boot runs
every selected test; if a boot dies (crash, reset, hang past --timeout)
the test it was running is reported as failed with the reason and the last
console lines, and the harness boots again after that test, so one broken
test never hides the others. Exit status: 0 when every test passed.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "mkimage"))
from theseus_image import argtypes, launch  # noqa: E402

LINE = re.compile(r"^KTEST (BEGIN|CRATE|RUN|PASS|FAIL|END|LIST) ?(\S*) ?(.*)$")


def parse(output):
    events = []
    for raw in output.splitlines():
        m = LINE.match(raw.strip())
        if m:
            events.append(m.groups())
    return events


def tail(output, n=25):
    return "\n".join(output.splitlines()[-n:])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd")
    ap.add_argument("--select", default="all", help="test=... selector: all, names, prefixes with *")
    ap.add_argument("--append", default="", help="more kernel command-line words")
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--timeout", type=argtypes.seconds, default=120, help="seconds per boot")
    ap.add_argument("--max-boots", type=argtypes.positive_int, default=20)
    args = ap.parse_args(argv)

    mem_mb = int(args.memory.rstrip("M"))
    base_append = f"test={args.select} expect_mem_mb={mem_mb}"
    if args.initrd:
        base_append += " expect_modules=1"
    if args.append:
        base_append += " " + args.append

    results = []  # (name, ok, message)
    state = {"expected": None, "boots": 0}

    def take(output):
        state["boots"] += 1
        running, ended = None, False
        for kind, name, rest in parse(output):
            if kind == "BEGIN" and state["expected"] is None:
                state["expected"] = int(name)
            elif kind == "CRATE" and state["boots"] == 1:
                # A crate with tests was loaded: its tests join the count.
                state["expected"] = (state["expected"] or 0) + int(rest or 0)
            elif kind == "RUN":
                running = name
            elif kind in ("PASS", "FAIL"):
                results.append((name, kind == "PASS", rest))
                running = None
            elif kind == "END":
                ended = True
        return ended, running

    def command_for(after):
        append = base_append + (f" test_after={after}" if after else "")
        return launch.qemu_command(args.kernel, args.initrd, append, args.memory)

    def died(running, why, output, stderr):
        if running is None:
            results.append(("boot", False, f"{why} before the tests finished"))
            sys.stdout.write("# " + tail(output + stderr).replace("\n", "\n# ") + "\n")
        else:
            results.append((running, False, why))
            sys.stdout.write(f"# {running}: {why}; last console lines:\n# "
                             + tail(output).replace("\n", "\n# ") + "\n")

    how = launch.boot_through_records(command_for, args.timeout, take, died, args.max_boots)
    if how == "gave up":
        results.append(("harness", False, f"gave up after {args.max_boots} boots"))
    expected = state["expected"]

    for i, (name, ok, msg) in enumerate(results, 1):
        line = f"{'ok' if ok else 'not ok'} {i} - {name}"
        if not ok and msg:
            line += f" # {msg}"
        print(line)
    if expected is not None and len(results) < expected:
        print(f"not ok {len(results) + 1} - missing # {expected - len(results)} tests never reported")
        results.append(("missing", False, ""))
    print(f"1..{len(results)}")
    return 0 if results and all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
