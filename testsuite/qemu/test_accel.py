"""The accelerator decision (mkimage/theseus_image/accel.py), against
stand-in QEMU binaries put first on PATH and a stand-in KVM device: one
that aborts as a nested KVM does, one that hangs, one that succeeds, one
that fails only for a given -cpu model. Two of them pass every non-probe
boot to the real QEMU under TCG, so `boot.py run` (what `./theseus run`
runs) is shown reaching the prompt on a host whose KVM is broken."""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "mkimage"))
from theseus_image import accel  # noqa: E402

BOOT_PY = os.path.join(ROOT, "mkimage", "boot.py")
KERNEL = os.environ.get("THESEUS_NANO_CORE", "")
ARCHIVE = os.environ.get("THESEUS_ARCHIVE", "")
REAL_QEMU = shutil.which("qemu-system-x86_64")
MSR_ABORT = ("qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n"
             "qemu-system-x86_64: ../target/i386/kvm/kvm.c:3080: kvm_buf_set_msrs: "
             "Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.\n")

ABORT = f"""printf '%s' "{MSR_ABORT.replace('`', chr(92) + '`')}" >&2; ulimit -c 0; kill -ABRT $$"""
# What each stand-in does under -accel kvm ($CPU is the -cpu model): fail
# as a broken KVM does, or fall through when KVM works for this boot.
BEHAVIOUR = {
    "abort": ABORT,
    "hang": "exec sleep 60",
    "success": ":",
    "abort_unless_cpu_without_arch_capabilities":
        f'case "$CPU" in *-arch-capabilities*) ;; *) {ABORT} ;; esac',
    "no_module": """echo "Could not access KVM kernel module: No such file or directory" >&2
        echo "qemu-system-x86_64: -accel kvm: failed to initialize kvm: No such file or directory" >&2
        exit 1""",
}


def stand_in(tmp_path, behaviour, version="QEMU emulator version 7.2.0 (stand-in)", tcg_to_real=False):
    """A directory holding a qemu-system-x86_64 that logs each call's
    arguments (one line each) to calls.log and behaves as asked under
    -accel kvm. A probe boot that gets through exits with the success
    code; with tcg_to_real, any other boot that gets through runs the real
    QEMU under TCG (-accel tcg -cpu max), else it exits with that code."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    log = tmp_path / "calls.log"
    passed = "exit 33"
    if tcg_to_real:
        passed = f"""args=(); skip=
for a in "$@"; do
    case "$skip" in accel) args+=(tcg); skip=; continue ;; cpu) args+=(max); skip=; continue ;; esac
    case "$a" in -accel) skip=accel ;; -cpu) skip=cpu ;; esac
    args+=("$a")
done
exec {REAL_QEMU} "${{args[@]}}"
"""
    script = f"""#!/bin/bash
if [ "$1" = --version ]; then echo "{version}"; exit 0; fi
echo "$*" >> {log}
echo $$ > {tmp_path}/pid
ACCEL=; CPU=; PROBE=0; prev=
for a in "$@"; do
    case "$prev" in -accel) ACCEL=$a ;; -cpu) CPU=$a ;; -append) [ "$a" = "{accel.PROBE_APPEND}" ] && PROBE=1 ;; esac
    prev=$a
done
if [ "$ACCEL" = kvm ]; then
{BEHAVIOUR[behaviour]}
fi
[ $PROBE = 1 ] && exit 33
{passed}
"""
    qemu = bindir / "qemu-system-x86_64"
    qemu.write_text(script)
    qemu.chmod(0o755)
    return bindir, log


def calls(log):
    return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def host(tmp_path, monkeypatch):
    """A clean environment: no decision inherited, no request, a stand-in
    KVM device (a file this user may read and write), a nano-core file."""
    for name in (accel.ENV_CHOICE, accel.ENV_REQUEST, accel.ENV_DEVICE):
        monkeypatch.delenv(name, raising=False)
    device = tmp_path / "kvm"
    device.write_bytes(b"")
    kernel = tmp_path / "nano_core.elf"
    kernel.write_bytes(b"\x7fELF stand-in nano-core")

    class Host:
        def __init__(self):
            self.device, self.kernel, self.tmp = str(device), str(kernel), tmp_path

        def qemu(self, behaviour, **kw):
            bindir, log = stand_in(tmp_path, behaviour, **kw)
            monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
            return log

        def decide(self, requested="auto", **kw):
            kw.setdefault("device", self.device)
            kw.setdefault("cache", str(tmp_path / "accel-probe.json"))
            return accel.decide(self.kernel, requested, **kw)

    return Host()


def test_no_kvm_device_means_tcg_without_starting_qemu(host):
    log = host.qemu("success")
    choice = host.decide(device=str(host.tmp / "no-such-kvm"))
    assert (choice.accel, choice.cpu) == ("tcg", "max")
    assert choice.line() == f"theseus: accelerator tcg (no {host.tmp / 'no-such-kvm'})"
    assert calls(log) == []


def test_a_probe_that_exits_with_the_success_code_means_kvm(host):
    log = host.qemu("success")
    choice = host.decide()
    assert (choice.accel, choice.cpu) == ("kvm", "host")
    assert choice.qemu_args() == ["-accel", "kvm", "-cpu", "host"]
    assert choice.line().startswith("theseus: accelerator kvm (KVM works: the probe boot took ")
    probe, = calls(log)
    # The probe boots the real nano-core with the least work: no archive,
    # `test=none`, out through isa-debug-exit.
    assert f"-kernel {host.kernel} -append test=none" in probe
    assert "-initrd" not in probe and "isa-debug-exit" in probe


def test_an_msr_abort_is_retried_without_the_feature_then_tcg(host):
    log = host.qemu("abort")
    choice = host.decide()
    assert choice.accel == "tcg"
    assert choice.line() == ("theseus: accelerator tcg (KVM present but unusable: QEMU aborted: "
                             "failed to set MSR 0x10a to 0x69)")
    first, retry = calls(log)
    assert "-cpu host " in first
    assert "-cpu host,-arch-capabilities " in retry


def test_a_cpu_model_the_host_refuses_is_dropped_for_one_it_takes(host):
    log = host.qemu("abort_unless_cpu_without_arch_capabilities")
    choice = host.decide()
    assert (choice.accel, choice.cpu) == ("kvm", "host,-arch-capabilities")
    assert "-cpu host,-arch-capabilities after QEMU aborted: failed to set MSR 0x10a" in choice.line()
    assert len(calls(log)) == 2
    assert [a["ok"] for a in choice.probe["attempts"]] == [False, True]


def test_a_hanging_probe_is_killed_at_the_deadline(host):
    log = host.qemu("hang")
    t0 = time.monotonic()
    choice = host.decide(deadline=0.5)
    assert time.monotonic() - t0 < 5
    assert choice.accel == "tcg"
    assert choice.line() == ("theseus: accelerator tcg (KVM present but unusable: "
                             "the probe boot did not finish within 2 s)".replace("2 s", f"{accel.PROBE_DEADLINE:g} s"))
    assert len(calls(log)) == 1  # a hang is not an MSR refusal: no retry
    pid = int((host.tmp / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_qemu_that_cannot_open_kvm_is_quoted(host):
    host.qemu("no_module")
    choice = host.decide()
    assert choice.accel == "tcg"
    assert choice.reason == ("KVM present but unusable: QEMU exited with status 1: "
                             "Could not access KVM kernel module: No such file or directory")


def test_the_verdict_is_cached_by_qemu_device_and_nano_core(host):
    log = host.qemu("success")
    assert host.decide().accel == "kvm"
    again = host.decide()
    assert again.accel == "kvm" and again.probe["cached"] and again.reason.endswith(", cached")
    assert len(calls(log)) == 1
    # Another nano-core: probed again.
    with open(host.kernel, "ab") as f:
        f.write(b"rebuilt")
    assert not host.decide().probe["cached"]
    assert len(calls(log)) == 2
    # Another QEMU version (here: the same path, a broken KVM under it).
    host.qemu("abort", version="QEMU emulator version 8.0.0 (stand-in)")
    assert host.decide().accel == "tcg"
    assert len(calls(log)) == 4
    # A half-written or foreign cache is ignored, not trusted.
    (host.tmp / "accel-probe.json").write_text('{"schema": "theseus-accel/1", "key": 1')
    assert host.decide().accel == "tcg"
    assert len(calls(log)) == 6


def test_tcg_asked_for_never_starts_qemu(host):
    log = host.qemu("success")
    choice = host.decide("tcg")
    assert (choice.accel, choice.cpu) == ("tcg", "max")
    assert calls(log) == []


def test_kvm_asked_for_that_does_not_work_is_an_error_with_qemus_message(host):
    host.qemu("abort")
    with pytest.raises(accel.AccelError, match="failed to set MSR 0x10a to 0x69"):
        host.decide("kvm")


def run_boot_py(*args, env_extra=None, input_text=None, timeout=120):
    env = {k: v for k, v in os.environ.items()
           if k not in (accel.ENV_CHOICE, accel.ENV_REQUEST, accel.ENV_DEVICE)}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, BOOT_PY, *args], env=env, input=input_text,
                          capture_output=True, text=True, timeout=timeout)


def test_kvm_asked_for_on_a_host_without_kvm_exits_2(host, tmp_path):
    result = run_boot_py("accel", "--kernel", host.kernel, "--accel", "kvm",
                         env_extra={accel.ENV_DEVICE: str(tmp_path / "absent")})
    assert result.returncode == 2
    assert result.stderr == f"theseus: KVM was asked for, but no {tmp_path / 'absent'}\n"
    by_env = run_boot_py("accel", "--kernel", host.kernel,
                         env_extra={accel.ENV_DEVICE: str(tmp_path / "absent"), accel.ENV_REQUEST: "kvm"})
    assert (by_env.returncode, by_env.stderr) == (2, result.stderr)


def test_a_bad_request_is_refused(host):
    result = run_boot_py("accel", "--kernel", host.kernel, env_extra={accel.ENV_REQUEST: "hvf"})
    assert result.returncode == 2
    assert result.stderr == "theseus: THESEUS_ACCEL='hvf': not one of auto, kvm, tcg\n"


def test_the_decision_is_said_once_and_handed_down(host):
    log = host.qemu("success")
    env = {accel.ENV_DEVICE: host.device, "PATH": os.environ["PATH"]}
    top = run_boot_py("accel", "--kernel", host.kernel, "--shell", env_extra=env)
    assert top.returncode == 0, top.stderr
    assert top.stderr.startswith("theseus: accelerator kvm (KVM works")
    assert top.stdout.startswith(f"export {accel.ENV_CHOICE}=")
    handed = json.loads(top.stdout.split("=", 1)[1].strip().strip("'"))
    child = run_boot_py("accel", "--kernel", host.kernel, "--json",
                        env_extra=dict(env, **{accel.ENV_CHOICE: json.dumps(handed)}))
    assert child.returncode == 0 and child.stderr == ""  # said once, by the top
    assert json.loads(child.stdout)["accelerator"] == "kvm"
    assert len(calls(log)) == 1


needs_image = pytest.mark.skipif(not (os.path.isfile(KERNEL) and os.path.isfile(ARCHIVE) and REAL_QEMU),
                                 reason="THESEUS_NANO_CORE/THESEUS_ARCHIVE not built")


@needs_image
@pytest.mark.parametrize("behaviour, expect", [
    ("abort", "theseus: accelerator tcg (KVM present but unusable: QEMU aborted: failed to set MSR 0x10a"),
    ("abort_unless_cpu_without_arch_capabilities",
     "theseus: accelerator kvm (KVM works: the probe boot took "),
])
def test_run_reaches_the_prompt_on_a_host_with_a_broken_kvm(tmp_path, behaviour, expect):
    """The real nano-core and archive: the stand-in aborts under KVM (or
    under KVM with -cpu host), and `boot.py run` still answers piped help."""
    bindir, log = stand_in(tmp_path, behaviour, tcg_to_real=True)
    device = tmp_path / "kvm"
    device.write_bytes(b"")
    # The probe boots a copy of the nano-core, so its cache lands in tmp_path.
    kernel = tmp_path / "nano_core.elf"
    shutil.copy(KERNEL, kernel)
    result = run_boot_py("run", "--kernel", str(kernel), "--initrd", ARCHIVE, input_text="help\n",
                         env_extra={"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
                                    accel.ENV_DEVICE: str(device)})
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(expect), result.stderr
    assert result.stderr.count("theseus: accelerator") == 1
    assert "shell commands:" in result.stdout
    boots = [c for c in calls(log) if accel.PROBE_APPEND not in c]
    assert len(boots) == 1
    if behaviour == "abort":
        assert "-accel tcg -cpu max" in boots[0]
    else:
        assert "-accel kvm -cpu host,-arch-capabilities" in boots[0]


@needs_image
def test_bench_under_a_broken_kvm_runs_on_tcg_and_says_so(tmp_path):
    """`./theseus bench --smoke` on a host whose KVM aborts: the figures come
    from TCG, and results.json/results.md name TCG and the reason."""
    bindir, _ = stand_in(tmp_path, "abort", tcg_to_real=True)
    device = tmp_path / "kvm"
    device.write_bytes(b"")
    kernel = tmp_path / "nano_core.elf"
    shutil.copy(KERNEL, kernel)
    env = {k: v for k, v in os.environ.items() if k not in (accel.ENV_CHOICE, accel.ENV_REQUEST)}
    env.update(PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}", **{accel.ENV_DEVICE: str(device)})
    out = tmp_path / "bench"
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "benchmarks", "run_bench.py"), "call.direct", "--smoke",
         "--no-linux", "--kernel", str(kernel), "--initrd", ARCHIVE, "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("theseus: accelerator tcg (KVM present but unusable: QEMU aborted") == 1
    with open(out / "results.json") as f:
        doc = json.load(f)
    meta = doc["meta"]
    assert (meta["accelerator"], meta["accelerator_cpu"], meta["accelerator_requested"]) == ("tcg", "max", "auto")
    assert meta["accelerator_reason"].startswith("KVM present but unusable: QEMU aborted: failed to set MSR 0x10a")
    assert [a["cpu"] for a in meta["accelerator_probe"]["attempts"]] == ["host", "host,-arch-capabilities"]
    assert "call.direct" in doc["theseus"]["results"]
    md = (out / "results.md").read_text()
    assert "accelerator tcg -cpu max" in md
    assert "real TSC cycles" not in md
