#!/usr/bin/python3
"""Total the UNSAFE sites per crate from the safe-C plugin's JSON-lines report.

    unsafe_summary.py REPORT.jsonl [--json OUT.json]

The plugin appends one record per compiled file (plugin argument
report=FILE).  A file compiled again appends a newer record, so only the
last record of each file counts.  A site counts for the crate whose file
spells it, once, however many files include that file.
"""
import argparse
import json
import sys


def summarize(lines):
    last_by_file = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
            last_by_file[record['file']] = record
        except (ValueError, KeyError, TypeError) as error:
            raise SystemExit('unsafe_summary: line %d: bad record (%s)' % (number, error))
    crates = {}

    def entry(name):
        return crates.setdefault(name or '?', {
            'files': 0, 'violations': 0, 'sites': {}, 'allowlisted': False})

    for record in last_by_file.values():
        crate = entry(record.get('crate'))
        crate['files'] += 1
        crate['violations'] += record.get('violations', 0)
        crate['allowlisted'] = crate['allowlisted'] or record.get('allowlisted', False)
        for site in record.get('sites', []):
            # A site in another crate's header is that crate's.
            owner = entry(site.get('crate') or record.get('crate'))
            owner['sites'][(site['file'], site['line'], site['column'])] = site
    result = []
    for name in sorted(crates):
        c = crates[name]
        sites = sorted(c['sites'].values(), key=lambda s: (s['file'], s['line'], s['column']))
        result.append({'crate': name, 'files': c['files'], 'unsafe_sites': len(sites),
                       'violations': c['violations'], 'allowlisted': c['allowlisted'],
                       'sites': sites})
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('report')
    parser.add_argument('--json', metavar='OUT', help='also write the totals as JSON')
    args = parser.parse_args()
    try:
        with open(args.report, encoding='utf-8') as f:
            totals = summarize(f)
    except FileNotFoundError:
        totals = []  # nothing compiled with the plugin yet: no sites
    total = 0
    for crate in totals:
        total += crate['unsafe_sites']
        print('unsafe sites: %-20s %3d  (%d files%s)' % (
            crate['crate'], crate['unsafe_sites'], crate['files'],
            ', allowlisted' if crate['allowlisted'] else ''))
        for site in crate['sites']:
            print('    %s:%d:%d: %s' % (site['file'], site['line'], site['column'], site['reason']))
    print('unsafe sites: total %d in %d crates' % (total, len(totals)))
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump({'crates': totals, 'total': total}, f, indent=2)
            f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
