"""Assertions on objcheck's JSON report: check_json.py REPORT CASE."""
import json
import sys

report = json.load(open(sys.argv[1]))
crates = {c['name']: c for c in report['crates']}
case = sys.argv[2]
if case == 'clean':
    assert report['ok'] is True and report['violations'] == [], report
    assert report['state_bytes_total'] == 28, report['state_bytes_total']
    alpha, beta = crates['alpha'], crates['beta']
    assert alpha['exports'] == ['alpha_public', 'alpha_bump'], alpha['exports']
    assert alpha['state_bytes'] == 28
    assert {s['name']: s['bytes'] for s in alpha['state_symbols']} == {
        'counter': 8, 'table': 16, 'alpha_bump.calls': 4}, alpha['state_symbols']
    providers = {i['symbol']: i['provider'] for i in beta['imports']}
    assert providers == {'kernel_console_write': 'nano-core', 'kernel_ticks': 'nano-core',
                         'alpha_public': 'alpha', 'optional_hook': None}, providers
    assert report['nano_core']['exports'] == 2, report['nano_core']
elif case == 'breach':
    assert report['ok'] is False
    kinds = sorted((v['crate'], v['kind'], v['name']) for v in report['violations'])
    assert kinds == [('breach', 'private-symbol', 'alpha_hidden'),
                     ('breach', 'private-symbol', 'nano_local_helper'),
                     ('orphan', 'unresolved-import', 'no_such_function')], kinds
else:
    raise SystemExit('unknown case ' + case)
print('json ok:', case)
