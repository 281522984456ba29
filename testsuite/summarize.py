#!/usr/bin/python3
"""Print the project's closing test line from meson's test log.

Every suite speaks TAP (meson's log does not say which protocol a test
used, so a test counts as TAP when its output has TAP lines and a plan),
and each case counts once: `N passed, N failed,
N skipped`. A test that is not TAP, or whose TAP is missing or cut short,
counts as one case with meson's verdict. Exit status 1 when anything failed."""

import json
import re
import sys

TAP = re.compile(r"^(ok|not ok)\b(.*)$")


def count(entry):
    passed = failed = skipped = 0
    lines = (entry.get("stdout") or "").splitlines()
    tap = [TAP.match(l) for l in lines]
    tap = [m for m in tap if m]
    has_plan = any(re.match(r"^1\.\.\d+", l) for l in lines)
    if not (tap and has_plan):
        verdict = entry.get("result")
        if verdict == "SKIP":
            return 0, 0, 1
        return (1, 0, 0) if verdict in ("OK", "EXPECTEDFAIL") else (0, 1, 0)
    for m in tap:
        if m.group(1) == "not ok":
            failed += 1
        elif "# SKIP" in m.group(2).upper():
            skipped += 1
        else:
            passed += 1
    if entry.get("result") not in ("OK", "SKIP") and failed == 0:
        failed += 1  # meson saw a failure (crash, timeout, bad plan) that TAP did not
    return passed, failed, skipped


def main(path):
    try:
        with open(path) as f:
            entries = [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        print(f"summarize: no test log at {path}: meson test did not run (its error is above)", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    except OSError as e:
        print(f"summarize: cannot read {path}: {e.strerror}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    totals = [0, 0, 0]
    for e in entries:
        for i, n in enumerate(count(e)):
            totals[i] += n
    line = f"{totals[0]} passed, {totals[1]} failed"
    if totals[2]:
        line += f", {totals[2]} skipped"
    print(line)
    return 1 if totals[1] or not totals[0] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs/testlog.json"))
