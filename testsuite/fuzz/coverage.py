#!/usr/bin/python3
"""Line and branch coverage of the linker core by a fuzzer's corpus.

Usage: coverage.py HARNESS WORKDIR CORPUS_DIR... [--html]

HARNESS is testsuite/fuzz/fuzz_crate.c or fuzz_archive.c. It is compiled
again with clang's source-based coverage (no sanitizers, so the figures
are about the code, not the checks), every input of the corpus
directories is run once (libFuzzer's -runs=0 over them), and llvm-cov
prints the report for kernel/linker/ and kernel/lib/util.c. WORKDIR keeps
the binary, the raw and merged profiles and, with --html, an HTML report
(WORKDIR/html/index.html). Exit status 0 when the report was made."""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LINKER = os.path.join(ROOT, "kernel", "linker")
CORE_SOURCES = sorted(glob.glob(os.path.join(LINKER, "*.c"))) + [os.path.join(ROOT, "kernel", "lib", "util.c")]
HOST_SUPPORT = [os.path.join(ROOT, "testsuite", "linker", "host_env.c")]
TOOLS = {"cc": "clang-19", "profdata": "llvm-profdata-19", "cov": "llvm-cov-19"}


def fail(message):
    print(f"coverage.py: error: {message}", file=sys.stderr)
    return 2


def main(argv):
    html = "--html" in argv
    args = [a for a in argv if a != "--html"]
    if len(args) < 3:
        return fail("usage: coverage.py HARNESS WORKDIR CORPUS_DIR... [--html]")
    harness, workdir, corpora = os.path.abspath(args[0]), os.path.abspath(args[1]), args[2:]
    if not os.path.isfile(harness):
        return fail(f"{harness}: no such harness")
    for d in corpora:
        if not os.path.isdir(d):
            return fail(f"{d}: not a corpus directory")
    os.makedirs(workdir, exist_ok=True)
    binary = os.path.join(workdir, os.path.splitext(os.path.basename(harness))[0] + "_cov")
    cflags = ["-std=gnu23", "-g", "-O1", "-fsanitize=fuzzer", "-fprofile-instr-generate", "-fcoverage-mapping",
              "-I", os.path.join(ROOT, "testsuite", "linker"), "-I", os.path.join(ROOT, "kernel"),
              "-I", os.path.join(ROOT, "kernel", "include")]
    build = subprocess.run([TOOLS["cc"], *cflags, *CORE_SOURCES, *HOST_SUPPORT, harness, "-o", binary],
                           capture_output=True, text=True)
    if build.returncode:
        sys.stderr.write(build.stderr)
        return fail("the coverage build failed")
    raw = os.path.join(workdir, "corpus.profraw")
    merged = os.path.join(workdir, "corpus.profdata")
    # -runs=0 with directories: each input once, nothing mutated.
    run = subprocess.run([binary, "-runs=0", "-max_len=1048576", *corpora],
                         env={**os.environ, "LLVM_PROFILE_FILE": raw}, capture_output=True, text=True)
    if run.returncode:
        sys.stderr.write("\n".join(run.stderr.splitlines()[-20:]) + "\n")
        return fail("running the corpus failed (a crash: see above)")
    inputs = sum(len(os.listdir(d)) for d in corpora)
    subprocess.run([TOOLS["profdata"], "merge", "-sparse", raw, "-o", merged], check=True)
    sources = [*CORE_SOURCES]
    report = subprocess.run([TOOLS["cov"], "report", binary, f"-instr-profile={merged}", *sources],
                            capture_output=True, text=True, check=True)
    print(f"coverage of the linker core by {inputs} inputs ({', '.join(corpora)}), "
          f"harness {os.path.basename(harness)}, no sanitizers:")
    print(report.stdout.replace(LINKER + "/", "kernel/linker/").replace(ROOT + "/", ""))
    if html:
        out = os.path.join(workdir, "html")
        subprocess.run([TOOLS["cov"], "show", binary, f"-instr-profile={merged}", "-format=html",
                        f"-output-dir={out}", *sources], check=True)
        print(f"HTML report: {out}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
