#!/usr/bin/python3
"""Run a linker fuzzer for a bounded time on a fresh seed corpus; TAP output.

Usage: run_fuzz.py FUZZER ARCHIVE WORKDIR [SECONDS] [extra libFuzzer args]
The seed corpus is rebuilt from ARCHIVE in WORKDIR/seeds: the archive and
broken variants of it (make_corpus.py) for fuzz_archive, each crate image
on its own (crate_corpus.py) for fuzz_crate. New inputs the fuzzer finds
go to WORKDIR/found; crashes to WORKDIR/. The line reports runs and
executions per second."""
import os
import re
import shutil
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))


def main():
    fuzzer, archive, workdir = sys.argv[1:4]
    seconds = sys.argv[4] if len(sys.argv) > 4 else "20"
    extra = sys.argv[5:]
    seeds = os.path.join(workdir, "seeds")
    found = os.path.join(workdir, "found")
    shutil.rmtree(seeds, ignore_errors=True)
    os.makedirs(found, exist_ok=True)
    maker = "crate_corpus.py" if "fuzz_crate" in os.path.basename(fuzzer) else "make_corpus.py"
    subprocess.run([sys.executable, os.path.join(here, maker), archive, seeds], check=True)
    cmd = [fuzzer, f"-max_total_time={seconds}", "-max_len=262144", "-timeout=10",
           "-rss_limit_mb=2048", f"-artifact_prefix={workdir}/", *extra, found, seeds]
    r = subprocess.run(cmd, capture_output=True, text=True)
    runs = re.findall(r"Done (\d+) runs in (\d+) second", r.stderr)
    ok = r.returncode == 0 and bool(runs)
    print("1..1")
    if ok:
        done, secs = int(runs[-1][0]), max(int(runs[-1][1]), 1)
        print(f"ok 1 - fuzz smoke ({os.path.basename(fuzzer)}): {done} runs in {secs} s "
              f"({done // secs} exec/s), no crash, no leak")
    else:
        tail = " | ".join(r.stderr.strip().splitlines()[-12:])
        print(f"not ok 1 - fuzz smoke # exit {r.returncode}: {tail}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
