"""`build-crate --test` and `--bench`: boot the tree's system with the crate
added to its boot archive, and run the crate's in-kernel tests (test=NAME.*)
or benchmarks (bench=NAME.*). The nano-core's runners only look for KTEST
and KBENCH records in crates of the boot archive, so a pushed crate's tests
cannot run; this archive (OUT/image.archive) is also one `./theseus run
--initrd` boots."""

import os
import subprocess
import sys

from . import archive as archive_format
from .output import write_file

PROG = "theseus"
EXIT_OK, EXIT_PROBLEM = 0, 1
BENCH_ITERATIONS = 1000
BOOT_TIMEOUT = 120


def image_with(crate, checked, image):
    """Write OUT/image.archive: the boot archive's crates and this one."""
    path = os.path.join(crate.out, "image.archive")
    crates = [c for c in image.crates if c.name != checked.name] + [checked]
    write_file(path, archive_format.write_archive(crates, image.nano_core))
    return path


def run_tests(crate, archive, description):
    """The crate's KTESTs, through the harness the kernel suite uses."""
    harness = os.path.join(description["source_root"], "testsuite", "qemu", "run_ktests.py")
    done = subprocess.run(
        [sys.executable, harness, "--kernel", description["nano_core"], "--initrd", archive,
         "--select", f"{crate.name}.*", "--timeout", str(BOOT_TIMEOUT)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    passed = failed = 0
    for line in done.stdout.splitlines():
        passed += line.startswith("ok ")
        failed += line.startswith("not ok ")
        if not line.startswith("1.."):  # results, and why a boot died (# lines)
            print(line)
    if passed + failed == 0:
        print(f"{PROG}: build-crate: no test of {crate.name} ran: name them "
              f"KTEST(ident, \"{crate.name}.what_it_checks\") in a .c file of the crate",
              file=sys.stderr)
        return EXIT_PROBLEM
    print(f"{passed} passed, {failed} failed")
    return EXIT_OK if failed == 0 and done.returncode == 0 else EXIT_PROBLEM


def run_benchmarks(crate, archive, description):
    """The crate's KBENCHes in one benchmark-mode boot; prints each figure."""
    sys.path.insert(0, os.path.join(description["source_root"], "benchmarks"))
    import bench_lines
    from . import launch
    append = f"bench={crate.name}.* bench_iters={BENCH_ITERATIONS}"
    status, output, stderr = launch.run_boot(
        launch.qemu_command(description["nano_core"], archive, append), BOOT_TIMEOUT)
    figures = failures = 0
    for kind, payload in bench_lines.events(output):
        if kind == "RESULT":
            figures += 1
            print(f"{payload['name']}: median {payload['median']} {payload['unit']} "
                  f"(min {payload['min']}, max {payload['max']}; {payload['n']} samples"
                  f"{', batches of %s' % payload['batch'] if payload.get('batch', 1) != 1 else ''})")
        elif kind in ("FAIL", "SKIP", "MALFORMED"):
            failures += kind != "SKIP"
            print(f"{kind.lower()}: {payload}")
    if status != launch.EXIT_SUCCESS or failures:
        why = ("timed out" if status is None else launch.describe_exit(status, stderr))
        print(f"{PROG}: build-crate: the benchmark boot failed ({why}); last lines:\n"
              + "\n".join(output.splitlines()[-10:]), file=sys.stderr)
        return EXIT_PROBLEM
    if figures == 0:
        print(f"{PROG}: build-crate: no benchmark of {crate.name} reported: name them "
              f"KBENCH(ident, \"{crate.name}.what_it_times\") in a .c file of the crate",
              file=sys.stderr)
        return EXIT_PROBLEM
    from . import accel
    print(f"(accelerator {accel.choose(description['nano_core'], announce=False).accel}; "
          f"cycles of the guest's TSC, medians of {BENCH_ITERATIONS} samples)")
    return EXIT_OK


def run(crate, checked, image, description, what):
    archive = image_with(crate, checked, image)
    print(f"wrote {archive}: the boot archive with {checked.name} added")
    if what == "test":
        return run_tests(crate, archive, description)
    return run_benchmarks(crate, archive, description)
