"""fuzz.py OBJCHECK NANO_CORE CRATE.o WORKDIR RUNS: mutate CRATE.o and check
objcheck only ever exits with 0, 1 or 2 (mutations of the nano-core too)."""
import os
import random
import subprocess
import sys

objcheck, nano, crate, work, runs = sys.argv[1:6]
os.makedirs(work, exist_ok=True)
rng = random.Random(20240501)
sources = {'crate': open(crate, 'rb').read(), 'nano': open(nano, 'rb').read()}
crashes = 0
for i in range(int(runs)):
    which = 'nano' if i % 5 == 4 else 'crate'
    data = bytearray(sources[which])
    for _ in range(rng.randint(1, 10)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    if rng.random() < 0.2:
        data = data[:rng.randrange(len(data))]
    path = os.path.join(work, 'mutant.%s' % ('elf' if which == 'nano' else 'o'))
    with open(path, 'wb') as f:
        f.write(data)
    args = ([objcheck, '--quiet', '--nano-core', path, crate] if which == 'nano'
            else [objcheck, '--quiet', '--nano-core', nano, path])
    run = subprocess.run(args, capture_output=True)
    if run.returncode not in (0, 1, 2):
        crashes += 1
        keep = os.path.join(work, 'crash%d' % i)
        os.replace(path, keep)
        print('crash: exit %d on %s: %s' % (run.returncode, keep, run.stderr[-200:]))
print('no crashes in %s runs' % runs if not crashes else '%d crashes' % crashes)
