#!/usr/bin/python3
"""Compile every crate source of the repository with the safe-C plugin, as
the crate build does, and report each file: the crates must compile clean.

    compile_crates.py --clang CLANG --plugin SAFEC.so --repo ROOT --trusted-names FILE \
        -- CRATE FLAGS...
"""
import argparse
import pathlib
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--clang', required=True)
    parser.add_argument('--plugin', required=True)
    parser.add_argument('--repo', required=True)
    parser.add_argument('--trusted-names', required=True)
    parser.add_argument('flags', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    flags = [f for f in args.flags if f != '--']
    repo = pathlib.Path(args.repo).resolve()
    crates = sorted(p for p in (repo / 'crates').iterdir() if p.is_dir())
    includes = ['-I' + str(repo / 'kernel' / 'include')]
    includes += ['-I' + str(c / 'include') for c in crates if (c / 'include').is_dir()]
    failed = checked = skipped = 0
    for crate in crates:
        for source in sorted(crate.rglob('*.c')):
            checked += 1
            command = [args.clang] + flags + includes + [
                '-fplugin=' + args.plugin,
                '-fplugin-arg-safec-trusted-dir=' + str(repo / 'kernel' / 'include'),
                '-fplugin-arg-safec-crates-dir=' + str(repo / 'crates'),
                '-fplugin-arg-safec-crate=' + crate.name,
                '-fplugin-arg-safec-allowlist=' + str(repo / 'checker' / 'allowlist.txt'),
                '-fplugin-arg-safec-operations=' + str(repo / 'checker' / 'operations.txt'),
                '-fplugin-arg-safec-trusted-names=' + args.trusted_names,
                '-fplugin-arg-safec-summary=0',
                '-fsyntax-only', str(source)]
            run = subprocess.run(command, capture_output=True, text=True)
            name = source.relative_to(repo)
            if '[safe-c-' in run.stderr:
                failed += 1
                print('FAIL %s' % name)
                print(run.stderr)
            elif run.returncode != 0:
                # Not the checker's finding: the build reports it anyway.
                skipped += 1
                first = (run.stderr.strip().splitlines() or ['?'])[0]
                print('skip %s (does not compile: %s)' % (name, first))
            else:
                print('ok   %s' % name)
    print('%d crate sources, %d failed, %d did not compile' % (checked, failed, skipped))
    return 1 if failed or not checked else 0


if __name__ == '__main__':
    sys.exit(main())
