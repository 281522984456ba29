"""expect_exit.py STATUS TEXT -- COMMAND...: COMMAND exits with STATUS; unless
TEXT is empty its stderr is one line (a usage line aside) containing TEXT."""
import subprocess
import sys

status, text = int(sys.argv[1]), sys.argv[2]
command = sys.argv[sys.argv.index('--') + 1:]
run = subprocess.run(command, capture_output=True, text=True)
lines = [l for l in run.stderr.splitlines() if not l.startswith('usage:')]
ok = run.returncode == status and (not text or (len(lines) == 1 and text in lines[0]))
print('exit %d, stderr %r' % (run.returncode, run.stderr))
sys.exit(0 if ok else 1)
