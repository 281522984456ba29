#!/usr/bin/python3
"""Run fuzz_archive for a bounded time on a fresh seed corpus; TAP output.

Usage: run_fuzz.py FUZZER ARCHIVE WORKDIR [SECONDS] [extra libFuzzer args]
The seed corpus (make_corpus.py) is rebuilt from ARCHIVE in WORKDIR/seeds;
new inputs the fuzzer finds go to WORKDIR/found; crashes to WORKDIR/."""
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
    subprocess.run([sys.executable, os.path.join(here, "make_corpus.py"), archive, seeds],
                   check=True)
    cmd = [fuzzer, f"-max_total_time={seconds}", "-max_len=262144", "-timeout=10",
           "-rss_limit_mb=2048", f"-artifact_prefix={workdir}/", *extra, found, seeds]
    r = subprocess.run(cmd, capture_output=True, text=True)
    runs = re.findall(r"Done (\d+) runs", r.stderr)
    ok = r.returncode == 0 and bool(runs)
    print("1..1")
    if ok:
        print(f"ok 1 - fuzz smoke: {runs[-1]} runs in {seconds} s, no crash, no leak")
    else:
        tail = " | ".join(r.stderr.strip().splitlines()[-12:])
        print(f"not ok 1 - fuzz smoke # exit {r.returncode}: {tail}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
