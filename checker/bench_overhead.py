#!/usr/bin/python3
"""Measure what the safe-C plugin adds to crate compile time.

    bench_overhead.py --plugin safec.plugin --repo ROOT [--trusted-names FILE]
                      [--reps 7] [FILE.c ...]
    bench_overhead.py --plugin safec.plugin --repo ROOT [--trusted-names FILE]
                      --instructions [FILE.c ...]

Compiles every file (default: every crates/*/**.c of the repository) to an
object with the crate flags, once without and once with the plugin, the two
alternating in each repetition so that both see the same machine state.
Prints the median total time of each and their ratio.  The plugin runs with
the build's arguments (trusted folder, crates folder, allowlists, the
trusted names of build/checker/trusted-names.txt), so its cost includes
what it makes the compile do (the verdict record, zero-initialized
locals).  A file that does not compile without the plugin is left out; one
the plugin rejects still counts (the plugin's work is done either way).

Timings on a busy machine are noisy; --instructions instead counts the
instructions of each compile under valgrind (callgrind), which repeats
exactly, and prints the per-file and median ratios.  (Valgrind cannot read
clang-19's DWARF 5, so a copy of the plugin without debug info is used.)
"""
import argparse
import os
import pathlib
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

CRATE_FLAGS = (
    '-target x86_64-unknown-none-elf -std=gnu23 -ffreestanding -nostdlibinc '
    '-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -ffunction-sections '
    '-fdata-sections -fvisibility=hidden -fno-omit-frame-pointer -fno-common '
    '-fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables '
    '-fsanitize=array-bounds -fsanitize-trap=array-bounds -fstrict-flex-arrays=3 '
    '-Werror=unused-result -O2'
).split()


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compile_all(clang, files, flags, out_dir):
    """(wall seconds, CPU seconds) to compile every file."""
    start, cpu = time.perf_counter(), children_cpu()
    for i, source in enumerate(files):
        subprocess.run([clang] + flags + ['-c', str(source), '-o',
                                          os.path.join(out_dir, '%d.o' % i)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, children_cpu() - cpu


def instructions(clang, source, flags, out_dir):
    run = subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null',
                          clang] + flags + ['-c', str(source), '-o',
                                            os.path.join(out_dir, 'ir.o')],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    match = re.search(r'Collected : (\d+)', run.stderr)
    if not match:
        sys.exit('bench_overhead: valgrind failed on %s:\n%s' % (source, run.stderr[-500:]))
    return int(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--plugin', required=True)
    parser.add_argument('--repo', required=True)
    parser.add_argument('--clang', default='clang-19')
    parser.add_argument('--trusted-names',
                        help='the build\'s trusted-names.txt (default: ROOT/build/checker/)')
    parser.add_argument('--reps', type=int, default=7)
    parser.add_argument('--instructions', action='store_true',
                        help='count instructions under valgrind instead of timing')
    parser.add_argument('files', nargs='*')
    args = parser.parse_args()
    repo = pathlib.Path(args.repo).resolve()
    includes = ['-I' + str(repo / 'kernel' / 'include')]
    includes += ['-I' + str(p) for p in sorted((repo / 'crates').glob('*/include'))]
    base = CRATE_FLAGS + includes
    plugin = [
        '-fplugin=' + os.path.abspath(args.plugin),
        '-fplugin-arg-safec-trusted-dir=' + str(repo / 'kernel' / 'include'),
        '-fplugin-arg-safec-crates-dir=' + str(repo / 'crates'),
        '-fplugin-arg-safec-allowlist=' + str(repo / 'checker' / 'allowlist.txt'),
        '-fplugin-arg-safec-operations=' + str(repo / 'checker' / 'operations.txt'),
        '-fplugin-arg-safec-trusted-names=' + (
            args.trusted_names or str(repo / 'build' / 'checker' / 'trusted-names.txt')),
        '-fplugin-arg-safec-summary=0',
    ]
    candidates = ([pathlib.Path(f) for f in args.files] if args.files
                  else sorted((repo / 'crates').rglob('*.c')))
    with tempfile.TemporaryDirectory() as out:
        files = [f for f in candidates if subprocess.run(
            [args.clang] + base + ['-c', str(f), '-o', os.path.join(out, 'probe.o')],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0]
        if not files:
            sys.exit('bench_overhead: no file compiles')
        if args.instructions:
            stripped = os.path.join(out, 'safec-nodebug.so')
            subprocess.run(['llvm-strip-19', '-g', os.path.abspath(args.plugin), '-o', stripped],
                           check=True)
            plugin[0] = '-fplugin=' + stripped
            ratios = []
            total_a = total_b = 0
            for f in files:
                a = instructions(args.clang, f, base, out)
                b = instructions(args.clang, f, base + plugin, out)
                ratios.append(b / a)
                total_a += a
                total_b += b
                print('%-40s %13d %13d  %.4f' % (f.relative_to(repo) if f.is_relative_to(repo)
                                                 else f, a, b, b / a))
            print('instructions with/without plugin: median ratio %.4f (min %.4f, max %.4f) '
                  'over %d files; all files together %.4f'
                  % (statistics.median(ratios), min(ratios), max(ratios), len(files),
                     total_b / total_a))
            return 0
        without, with_plugin = [], []
        for _ in range(args.reps):
            without.append(compile_all(args.clang, files, base, out))
            with_plugin.append(compile_all(args.clang, files, base + plugin, out))
    print('files: %d, repetitions: %d' % (len(files), args.reps))
    for index, what in ((0, 'wall'), (1, 'cpu')):
        a = statistics.median(t[index] for t in without)
        b = statistics.median(t[index] for t in with_plugin)
        ratios = [w[index] / o[index] for w, o in zip(with_plugin, without)]
        print('%-4s without plugin: median %.3f s   with plugin: median %.3f s   '
              'ratio of medians %.3f, median of per-run ratios %.3f'
              % (what, a, b, b / a, statistics.median(ratios)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
