"""The accelerator every QEMU boot of this project uses, decided once.

A /dev/kvm that exists is not a KVM that works: under nested
virtualization QEMU may abort while it sets up the vCPU ("failed to set
MSR 0x10a"), or run the guest a hundred times slower than TCG. So KVM is
used only after a probe: the real nano-core booted under KVM with
`test=none` (no crate archive: it prints its boot summary, runs no test and
leaves through isa-debug-exit with the success code) must finish within
PROBE_DEADLINE seconds. A CPU model whose MSRs the host's KVM refuses is
retried without the feature that needs the MSR before KVM is given up.

The verdict is cached beside the nano-core, keyed by what can change it
(the QEMU binary and its version, the KVM device, the nano-core's bytes),
and handed to child processes in THESEUS_ACCEL_CHOICE, so one command pays
for the probe at most once and says once which accelerator it uses.

THESEUS_ACCEL=auto|kvm|tcg (default auto) or a command's --accel asks; an
explicit `kvm` that does not work is an AccelError naming QEMU's message.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from .children import die_with_parent

ENV_REQUEST = "THESEUS_ACCEL"
ENV_CHOICE = "THESEUS_ACCEL_CHOICE"   # the decision, for child processes
ENV_DEVICE = "THESEUS_KVM_DEVICE"     # another KVM device path (the tests' stand-ins)
REQUESTS = ("auto", "kvm", "tcg")
QEMU = "qemu-system-x86_64"
KVM_DEVICE = "/dev/kvm"

# Measured on this project's TCG machines (2 cores, QEMU 7.2): the probe
# boot (QEMU start to isa-debug-exit) takes 0.18-0.20 s under TCG; on a
# working KVM host it is QEMU's start-up, about 0.1 s. A nested KVM that
# needs more than 20 s to reach the shell's prompt needs seconds for this
# boot too. 2 s is ten times the TCG boot: a loaded machine does not trip
# it, a KVM slower than TCG does.
PROBE_DEADLINE = 2.0
PROBE_APPEND = "test=none"
# isa-debug-exit: the kernel writes 0x10, QEMU exits with (0x10 << 1) | 1.
PROBE_SUCCESS = 0x21
CACHE_NAME = "accel-probe.json"
CACHE_SCHEMA = "theseus-accel/1"

# MSRs that hosts' KVMs have refused under nested virtualization, and the
# QEMU CPU feature that makes QEMU set each one. A refusal of one of these
# is retried with `-cpu host,-FEATURE`; any other refusal ends the probe.
MSR_FEATURES = {
    0x10a: "arch-capabilities",  # IA32_ARCH_CAPABILITIES
    0x122: "arch-capabilities",  # IA32_TSX_CTRL, enumerated through it
    0x48: "spec-ctrl",           # IA32_SPEC_CTRL
    0x345: "pdcm",               # IA32_PERF_CAPABILITIES
    0x6e0: "tsc-deadline",       # IA32_TSC_DEADLINE
    0x3b: "tsc-adjust",          # IA32_TSC_ADJUST
    0xe1: "waitpkg",             # IA32_UMWAIT_CONTROL
}
MAX_ATTEMPTS = 4
MSR_REFUSED = re.compile(r"failed to set MSR (0x[0-9a-fA-F]+)")


class AccelError(Exception):
    """An explicit request that cannot be met (the front door exits 2)."""


class Choice:
    """What a command boots with, and why."""

    def __init__(self, accel, cpu, requested, reason, probe=None):
        self.accel = accel          # "kvm" or "tcg"
        self.cpu = cpu              # QEMU -cpu model
        self.requested = requested  # auto, kvm or tcg
        self.reason = reason        # why, in a few words
        self.probe = probe          # the probe's record, when one ran (or was cached)

    def qemu_args(self):
        return ["-accel", self.accel, "-cpu", self.cpu]

    def line(self):
        return f"theseus: accelerator {self.accel} ({self.reason})"

    def as_json(self):
        return {"accelerator": self.accel, "cpu": self.cpu, "requested": self.requested,
                "reason": self.reason, "probe": self.probe}

    @classmethod
    def from_json(cls, doc):
        return cls(doc["accelerator"], doc["cpu"], doc["requested"], doc["reason"], doc.get("probe"))


def tcg(requested="tcg", reason="asked for"):
    return Choice("tcg", "max", requested, reason)


def requested_accel(explicit=None):
    """The request: an explicit --accel, else THESEUS_ACCEL, else auto."""
    value = explicit or os.environ.get(ENV_REQUEST) or "auto"
    if value not in REQUESTS:
        raise AccelError(f"{ENV_REQUEST}={value!r}: not one of {', '.join(REQUESTS)}")
    return value


def stderr_gist(text):
    """QEMU's own message, in one line: the first line that says what went
    wrong (an MSR refusal first), without QEMU's program-name prefix."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    pick = next((l for l in lines if MSR_REFUSED.search(l)), None) or (lines[0] if lines else "")
    pick = re.sub(r"^qemu-system-x86_64:\s*", "", pick)
    return re.sub(r"^error:\s*", "", pick)


def describe_failure(status, stderr):
    """A sentence for a probe boot that did not succeed."""
    gist = stderr_gist(stderr)
    if status is None:
        return f"the probe boot did not finish within {PROBE_DEADLINE:g} s"
    if status < 0:
        sig = -status
        what = "aborted" if sig == signal.SIGABRT else f"was killed by signal {sig}"
        return f"QEMU {what}" + (f": {gist}" if gist else "")
    if status == 0:
        return "the guest reset (a triple fault) during the probe boot"
    return f"QEMU exited with status {status}" + (f": {gist}" if gist else "")


def probe_command(qemu, kernel, cpu):
    return [qemu, "-machine", "q35", "-accel", "kvm", "-cpu", cpu, "-m", "256M", "-no-reboot",
            "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", kernel, "-append", PROBE_APPEND]


def probe_once(qemu, kernel, cpu, deadline):
    """One probe boot. Returns the attempt's record."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(probe_command(qemu, kernel, cpu), stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, start_new_session=True,
                                preexec_fn=die_with_parent())
        try:
            status = proc.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            status = None
        seconds = time.monotonic() - t0
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    record = {"cpu": cpu, "seconds": round(seconds, 3), "status": status,
              "ok": status == PROBE_SUCCESS, "stderr": stderr_gist(stderr)}
    if not record["ok"]:
        record["why"] = describe_failure(status, stderr)
        m = MSR_REFUSED.search(stderr)
        if m:
            record["msr"] = m.group(1).lower()
    return record


def probe_kvm(qemu, kernel, deadline=PROBE_DEADLINE):
    """Boot the nano-core under KVM, retrying a refused MSR without its
    feature. Returns the probe record: ok, cpu, attempts, why."""
    cpu = "host"
    attempts = []
    while len(attempts) < MAX_ATTEMPTS:
        attempt = probe_once(qemu, kernel, cpu, deadline)
        attempts.append(attempt)
        if attempt["ok"]:
            return {"ok": True, "cpu": cpu, "attempts": attempts}
        feature = MSR_FEATURES.get(int(attempt["msr"], 16)) if "msr" in attempt else None
        if not feature or f"-{feature}" in cpu.split(","):
            break
        cpu += f",-{feature}"
    return {"ok": False, "cpu": None, "attempts": attempts, "why": attempts[0]["why"]}


def file_digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(qemu_path, device, kernel):
    """What can change the verdict: the QEMU binary and version, the KVM
    device, the nano-core."""
    q = os.stat(qemu_path)
    d = os.stat(device)
    try:
        version = subprocess.run([qemu_path, "--version"], capture_output=True, text=True,
                                 timeout=10).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        version = "unknown"
    return {"qemu": os.path.realpath(qemu_path), "qemu_size": q.st_size, "qemu_mtime_ns": q.st_mtime_ns,
            "qemu_version": version, "device": device, "device_rdev": d.st_rdev, "device_ino": d.st_ino,
            "nano_core_sha256": file_digest(kernel)}


def read_cache(path, key):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("schema") != CACHE_SCHEMA or doc.get("key") != key:
        return None
    probe = doc.get("probe")
    return probe if isinstance(probe, dict) and "ok" in probe else None


def write_cache(path, key, probe):
    """Written whole or not at all (a rename), so a reader never sees half."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".accel-", dir=os.path.dirname(path) or ".")
        with os.fdopen(fd, "w") as f:
            json.dump({"schema": CACHE_SCHEMA, "key": key, "probe": probe}, f, indent=1)
        os.replace(tmp, path)
    except OSError:
        pass  # no cache: the next command probes again


def decide(kernel, requested="auto", cache=None, device=None, qemu=QEMU, deadline=PROBE_DEADLINE):
    """The decision itself (no environment hand-over, no message)."""
    if requested == "tcg":
        return tcg("tcg", f"asked for by {ENV_REQUEST}=tcg or --accel tcg")
    device = device or os.environ.get(ENV_DEVICE) or KVM_DEVICE

    def no_kvm(reason, probe=None):
        if requested == "kvm":
            raise AccelError(f"KVM was asked for, but {reason}")
        return Choice("tcg", "max", requested, reason, probe)

    if not os.path.exists(device):
        return no_kvm(f"no {device}")
    if not os.access(device, os.R_OK | os.W_OK):
        return no_kvm(f"{device} is not readable and writable by this user")
    qemu_path = shutil.which(qemu)
    if not qemu_path:
        raise AccelError(f"{qemu} is not installed (Debian package qemu-system-x86)")
    if not kernel or not os.path.isfile(kernel):
        raise AccelError(f"cannot probe KVM: no nano-core at {kernel} (build first)")
    cache = cache or os.path.join(os.path.dirname(os.path.abspath(kernel)), CACHE_NAME)
    key = cache_key(qemu_path, device, kernel)
    probe = read_cache(cache, key)
    cached = probe is not None
    if not cached:
        probe = probe_kvm(qemu_path, kernel, deadline)
        write_cache(cache, key, probe)
    probe = dict(probe, cached=cached)
    if not probe["ok"]:
        return no_kvm(f"KVM present but unusable: {probe['why']}", probe)
    took = probe["attempts"][-1]["seconds"]
    reason = f"KVM works: the probe boot took {took:g} s"
    if len(probe["attempts"]) > 1:
        reason += f" with -cpu {probe['cpu']} after {probe['attempts'][0]['why']}"
    return Choice("kvm", probe["cpu"], requested, reason + (", cached" if cached else ""), probe)


def choose(kernel, requested=None, announce=True, **options):
    """The one decision every boot uses. A decision handed down by a parent
    process (THESEUS_ACCEL_CHOICE) for the same request is taken as it is;
    otherwise decide, say so on stderr once (announce), and hand it down."""
    requested = requested_accel(requested)
    inherited = os.environ.get(ENV_CHOICE)
    if inherited:
        try:
            choice = Choice.from_json(json.loads(inherited))
            if choice.requested == requested:
                return choice
        except (ValueError, KeyError, TypeError):
            pass  # not ours to trust: decide afresh
    choice = decide(kernel, requested, **options)
    os.environ[ENV_CHOICE] = json.dumps(choice.as_json())
    if announce:
        print(choice.line(), file=sys.stderr, flush=True)
    return choice


def main(argv=None):
    """`boot.py accel`: decide and print the one line; with --shell, print
    an `export` line for the front door to evaluate, so that every process
    of the command inherits the decision."""
    import argparse
    import shlex

    ap = argparse.ArgumentParser(prog="boot.py accel", description="Decide the QEMU accelerator.")
    ap.add_argument("--kernel", required=True, help="the nano-core the probe boots")
    ap.add_argument("--accel", choices=REQUESTS, help=f"default: ${ENV_REQUEST} or auto")
    ap.add_argument("--shell", action="store_true", help="print `export THESEUS_ACCEL_CHOICE=...`")
    ap.add_argument("--json", action="store_true", help="print the decision as JSON")
    args = ap.parse_args(argv)
    try:
        choice = choose(args.kernel, args.accel)
    except AccelError as error:
        print(f"theseus: {error}", file=sys.stderr)
        return 2
    if args.shell:
        print(f"export {ENV_CHOICE}={shlex.quote(json.dumps(choice.as_json()))}")
    elif args.json:
        print(json.dumps(choice.as_json(), indent=1))
    return 0
