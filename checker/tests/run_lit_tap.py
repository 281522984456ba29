#!/usr/bin/python3
"""Run the checker's lit tests and report them as TAP, one case per lit test.

    run_lit_tap.py --lit /usr/lib/llvm-19/build/utils/lit/lit.py \
        --tests checker/tests --param plugin=... --param objcheck=... [lit args]

Exit status: 0 when every test passed (or was unsupported), 1 otherwise.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lit', required=True, help='path of lit.py')
    parser.add_argument('--tests', required=True, help='lit test folder')
    parser.add_argument('--param', action='append', default=[], help='NAME=VALUE for lit')
    args, extra = parser.parse_known_args()

    with tempfile.TemporaryDirectory(prefix='safe-c-lit-') as tmp:
        xml_path = os.path.join(tmp, 'results.xml')
        command = [sys.executable, args.lit, '-v', '--xunit-xml-output', xml_path]
        for param in args.param:
            command += ['--param', param]
        command += extra + [args.tests]
        run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        try:
            cases = parse_xunit(xml_path)
        except (OSError, ET.ParseError) as error:
            cases = []
            print('# no lit results (%s)' % error)

    if not cases:
        print('1..1')
        print('not ok 1 - lit ran no tests (exit %d)' % run.returncode)
        for line in run.stdout.splitlines():
            print('# ' + line)
        return 1

    print('1..%d' % len(cases))
    failed = 0
    for number, (name, status, output) in enumerate(cases, 1):
        if status == 'fail':
            failed += 1
            print('not ok %d - %s' % (number, name))
            for line in output.splitlines():
                print('# ' + line)
        elif status == 'skip':
            print('ok %d - %s # SKIP %s' % (number, name, output.strip() or 'unsupported'))
        else:
            print('ok %d - %s' % (number, name))
    if run.returncode != 0 and failed == 0:
        print('# lit exited with %d although no test failed' % run.returncode)
        for line in run.stdout.splitlines()[-20:]:
            print('# ' + line)
        return 1
    return 1 if failed else 0


def parse_xunit(path):
    """(name, 'pass' | 'fail' | 'skip', text) for every lit test."""
    cases = []
    for case in ET.parse(path).getroot().iter('testcase'):
        name = case.get('name', '?')
        classname = case.get('classname', '')
        # lit writes classname "SUITE.folder" and name "file.c".
        folder = classname.split('.', 1)[1] if '.' in classname else ''
        full = (folder.replace('.', '/') + '/' if folder else '') + name
        failure = case.find('failure')
        if failure is None:
            failure = case.find('error')
        skipped = case.find('skipped')
        if failure is not None:
            cases.append((full, 'fail', failure.text or failure.get('message', '')))
        elif skipped is not None:
            cases.append((full, 'skip', skipped.get('message', '')))
        else:
            cases.append((full, 'pass', ''))
    return cases


if __name__ == '__main__':
    sys.exit(main())
