#!/usr/bin/python3
"""Boot benchmarks: Theseus in benchmark mode beside a Linux guest in the same QEMU.

    run_bench.py --kernel nano_core.elf --initrd crates.archive [NAME ...]
                 [--smoke] [--icount] [--boots N] [--iters N] [--no-linux] [--tap]

Boots the nano-core with `bench=NAME,...` (default: all) and collects the
KBENCH lines; times boots to the shell prompt from the host; boots Debian's
kernel with our static benchmark program for the Linux baseline; then
writes OUT/results.json, OUT/results.md and PNG plots, and prints the
table. KVM where a probe boot shows it works, TCG otherwise
(mkimage/theseus_image/accel.py); --icount means TCG and makes the TSC
count instructions. With --tap, prints one TAP line per benchmark that
produced a well-formed line (no timing is ever asserted). See
benchmarks/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "mkimage"))
import bench_lines  # noqa: E402
import figures  # noqa: E402
from theseus_image.progress import Progress  # noqa: E402
from theseus_image import accel, argtypes, launch  # noqa: E402
import linux_guest  # noqa: E402
import report  # noqa: E402

ICOUNT_ARGS = ["-icount", "shift=0,sleep=off"]
# Crates the smoke run's push figures send, small to large; a full run
# pushes every crate of the boot archive (see run_push).
SMOKE_PUSHED_CRATES = ("hello", "fmt", "shell")
# The kernel's answers to a push it refuses by design (docs/live-update.md,
# "What cannot be pushed"): a crate with state and no hooks to carry it
# (E_PERM), one a task never leaves (E_BUSY, E_TIMEOUT).
REFUSALS = ("E_PERM", "E_BUSY", "E_TIMEOUT")
NANO_CORE_BANNER = b"theseus nano-core"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class GuestResults:
    """What one guest reported, over all its boots."""

    def __init__(self):
        self.results = {}   # name -> result dict
        self.samples = {}   # name -> per-boot values (figures measured once per boot)
        self.skipped = {}
        self.failed = {}
        self.info = {}
        self.malformed = []

    def add_result(self, fields, source="guest TSC"):
        name = fields["name"]
        extra = {k: v for k, v in fields.items()
                 if k not in ("name", "unit", "median", "min", "max", "n", "batch")}
        if fields["n"] == 1:  # one value per boot: the median is taken across boots
            self.add_sample(name, fields["median"], fields["unit"], source, extra)
            return
        if name not in self.results:
            self.results[name] = {k: fields[k] for k in ("unit", "median", "min", "max", "n")}
            self.results[name].update(batch=fields.get("batch", 1), source=source, extra=extra)

    def add_sample(self, name, value, unit, source, extra=None):
        self.samples.setdefault(name, []).append(value)
        vals = self.samples[name]
        self.results[name] = {"unit": unit, "median": statistics.median(vals), "min": min(vals),
                              "max": max(vals), "n": len(vals), "batch": 1, "source": source,
                              "extra": extra or self.results.get(name, {}).get("extra", {}),
                              "samples": list(vals)}

    def take(self, output):
        """Record the KBENCH lines of one boot. Returns (ended, running):
        whether END came, and the benchmark that was running when the
        output stopped (None if none)."""
        running, ended = None, False
        for kind, payload in bench_lines.events(output):
            if kind == "RESULT":
                self.add_result(payload)
                self.skipped.pop(payload["name"], None)
            elif kind == "MALFORMED":
                self.malformed.append(payload)
            elif kind == "SKIP":
                name, why = bench_lines.split_name(payload)
                if name not in self.results:
                    self.skipped[name] = why
            elif kind == "FAIL":
                name, why = bench_lines.split_name(payload)
                self.failed[name] = why
                running = None
            elif kind == "RUN":
                running = payload
            elif kind == "DONE":
                running = None
            elif kind == "INFO":
                key, _, value = payload.partition("=")
                self.info[key] = int(value) if value.isdigit() else value
            elif kind == "END":
                ended = True
        return ended, running

    def as_json(self):
        return {"results": self.results, "skipped": self.skipped, "failed": self.failed,
                "info": self.info, "malformed": self.malformed}


class RecordProgress:
    """Progress through a benchmark boot from its KBENCH lines as they come:
    the first BEGIN and each CRATE line give the count, each RUN the item.
    (A boot after a crash starts again with BEGIN: its count is not added.)"""

    def __init__(self, progress):
        self.progress = progress
        self.partial = b""
        self.begun = False

    def feed(self, chunk):
        lines = (self.partial + chunk).split(b"\n")
        self.partial = lines.pop()
        for raw in lines:
            words = raw.decode(errors="replace").strip().split()
            if len(words) < 3 or words[0] != "KBENCH":
                continue
            if words[1] == "BEGIN" and not self.begun and words[2].isdigit():
                self.begun = True
                self.progress.add(int(words[2]))
            elif words[1] == "CRATE" and len(words) >= 4 and words[3].isdigit():
                self.progress.add(int(words[3]))
            elif words[1] == "RUN":
                self.progress.step(words[2])


class Bench:
    def __init__(self, args):
        self.args = args
        if args.icount:  # -icount is TCG's
            self.choice = accel.tcg(args.accel or "tcg", "--icount counts instructions, which only TCG does")
            print(self.choice.line(), file=sys.stderr, flush=True)
        else:
            self.choice = accel.choose(args.kernel, args.accel)
        self.accel = self.choice.accel
        self.extra = ICOUNT_ARGS if args.icount else []
        self.logs = os.path.join(args.out, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.theseus = GuestResults()
        self.linux = GuestResults()
        self.linux_facts = {"available": False, "reason": "not run (--no-linux)"}
        self.meta = collect_meta(args, self.choice)  # at the start: commit, load average

    def qemu(self, kernel, initrd, append):
        return launch.qemu_command(kernel, initrd, append, self.args.memory, self.choice, self.extra)

    def save_log(self, name, text):
        with open(os.path.join(self.logs, name), "w") as f:
            f.write(text)

    # ---- Theseus ----

    def theseus_bench(self, selector, iterations, tag, timeout):
        """One bench-mode run; boots again after a benchmark that crashed
        or hung (bench_after=), as the test harness does."""
        def command_for(after):
            append = f"bench={selector} bench_iters={iterations}" + (f" bench_after={after}" if after else "")
            return self.qemu(self.args.kernel, self.args.initrd, append)

        def save(boot, text):
            self.save_log(f"theseus-{tag}-{boot}.log", text)

        def died(running, why, output, stderr):
            if running is None:
                self.theseus.failed[f"boot({tag})"] = f"{why} before the benchmarks finished"
            else:
                self.theseus.failed[running] = why

        watch = RecordProgress(Progress("bench", 0))
        try:
            launch.boot_through_records(command_for, timeout, self.theseus.take, died, save=save,
                                        on_output=watch.feed)
        finally:
            watch.progress.finish()

    def theseus_boot_to_prompt(self, timeout):
        """A normal boot timed from the host: QEMU start to the first
        serial line and to the shell prompt. Returns False on failure."""
        t0 = time.monotonic()
        g = launch.Guest(self.qemu(self.args.kernel, self.args.initrd, ""))
        try:
            if g.read_until(lambda b: NANO_CORE_BANNER in b, timeout) != "match":
                return False
            t_first = time.monotonic()
            if g.read_until(lambda b: launch.PROMPT in b, timeout) != "match":
                return False
            t_prompt = time.monotonic()
        finally:
            g.kill()
        self.theseus.add_sample("boot.first_line_host", (t_first - t0) * 1000, "ms", "host clock")
        self.theseus.add_sample("boot.prompt_host", (t_prompt - t0) * 1000, "ms", "host clock")
        return True

    def run_theseus(self, selector, wants_boot):
        a = self.args
        log(f"bench: Theseus, bench={selector}, {a.iters} iterations ({self.accel})")
        self.theseus_bench(selector, a.iters, "bench", a.timeout or 120 + a.iters * 0.6)
        if not wants_boot:
            return
        # The in-guest boot figures come once per boot: boot again for them.
        for i in range(2, a.boots + 1):
            self.theseus_bench("boot", 1, f"boot{i}", 60)
        log(f"bench: Theseus, {a.boots} boots to the shell prompt")
        progress = Progress("bench", a.boots)
        try:
            for i in range(a.boots):
                progress.step(f"boot to the prompt, {i + 1} of {a.boots}")
                if not self.theseus_boot_to_prompt(60):
                    self.theseus.failed["boot.prompt_host"] = "no shell prompt within 60 s"
                    break
        finally:
            progress.finish()

    # ---- push (host side of live update) ----

    def pushed_crates(self):
        """The smoke run's three crates; otherwise every crate of the boot
        archive (a crate the kernel refuses to swap is a failed figure
        with the kernel's reason, e.g. state without save/migrate hooks)."""
        if self.args.smoke:
            return SMOKE_PUSHED_CRATES
        from theseus_image import archive as archive_format
        with open(self.args.initrd, "rb") as f:
            image, _problems = archive_format.load_archive(f.read(), self.args.initrd)
        return [entry.name for entry in image.crates]

    def run_push(self):
        """Push rebuilt-crate payloads into one running guest, as
        `./theseus push` sends them, and time each from the host: send to
        the kernel's answer (the swap included). The baseline is the reboot
        the push spares, boot.prompt_host."""
        a = self.args
        from theseus_image import attest
        from theseus_image import push as push_crate
        from theseus_image.elfcheck import check_crate_object, read_nano_core
        build_dir = os.path.dirname(os.path.abspath(a.initrd))
        crates_dir = os.path.join(build_dir, "crates")
        key_path = os.path.join(build_dir, "attest.key")
        with open(a.kernel, "rb") as f:
            nano_core = read_nano_core(f.read(), a.kernel)
        payloads = {}
        for name in self.pushed_crates():
            path = os.path.join(crates_dir, name + ".o")
            try:
                with open(path, "rb") as f:
                    raw = f.read()
                # As ./theseus push sends it: stripped, stamped again.
                data, valid = push_crate.stripped_for_sending(raw, path, attest.read_key(key_path))
                if not valid:
                    raise ValueError("no valid stamp of this build's key")
                crate = check_crate_object(data, path)
                payloads[name] = push_crate.payload(crate, nano_core)
            except Exception as error:  # reported as a failed figure, not a crash
                self.theseus.failed[f"push.{name}_host"] = f"{path}: {error}"
        # Small to large: a crate whose push breaks the system is then
        # more likely to come after the others were measured.
        payloads = dict(sorted(payloads.items(), key=lambda kv: len(kv[1])))
        workdir = tempfile.mkdtemp(prefix="theseus-bench-push-", dir="/tmp")
        sock = os.path.join(workdir, "push.sock")
        g = launch.Guest(launch.qemu_command(a.kernel, a.initrd, "", a.memory, self.choice, self.extra,
                                             push_socket=sock))
        log(f"bench: Theseus, {a.boots} pushes of {', '.join(payloads)} into one running system")
        try:
            if g.read_until(lambda b: b"listening on COM2" in b and launch.PROMPT in b, 60) != "match":
                for name in payloads:
                    self.theseus.failed[f"push.{name}_host"] = "the push receiver did not start within 60 s"
                return
            progress = Progress("bench", len(payloads) * a.boots)
            for name, data in payloads.items():
                for i in range(a.boots):
                    progress.step(f"push {name} ({len(data)} B), {i + 1} of {a.boots}")
                    t0 = time.monotonic()
                    try:
                        line = push_crate.exchange(sock, data, 120)
                    except push_crate.PushFailure as error:
                        self.theseus.failed[f"push.{name}_host"] = str(error)
                        break
                    elapsed = time.monotonic() - t0
                    if not line.startswith("push: ok "):
                        # A refusal docs/live-update.md lists ("What cannot be
                        # pushed": state without hooks, a crate the receiver
                        # runs in) is a limit with its reason, not a failure.
                        refused = any(f"push: error {code}," in line for code in REFUSALS)
                        (self.theseus.skipped if refused else self.theseus.failed)[f"push.{name}_host"] = line
                        break
                    self.theseus.add_sample(f"push.{name}_host", elapsed * 1000, "ms", "host clock",
                                            {"payload_bytes": len(data)})
            progress.finish()
        finally:
            g.kill()
            self.save_log("theseus-push.log", g.output.decode(errors="replace").replace("\r", ""))
            shutil.rmtree(workdir, ignore_errors=True)

    # ---- Linux ----

    def linux_boot(self, guest, mode, tag):
        """One boot of the Linux guest; the host times QEMU start to /init's
        first line. Returns False on failure (recorded)."""
        iters = self.args.iters
        cmd = self.qemu(guest["vmlinuz"], guest["initramfs"], linux_guest.append_line(mode, iters))
        t0 = time.monotonic()
        g = launch.Guest(cmd)
        finished = True
        try:
            at_init = g.read_until(lambda b: linux_guest.INIT_MARKER in b, 300) == "match"
            t_init = time.monotonic()
            if at_init:
                self.linux.add_sample("boot.init_host", (t_init - t0) * 1000, "ms", "host clock")
                if mode == "all":
                    finished = g.read_until(lambda b: linux_guest.DONE_MARKER in b,
                                            120 + iters * 0.6) == "match"
                if finished and g.wait(60) is None:
                    log("bench: the Linux guest did not power off; stopped")
        finally:
            g.kill()
        output = g.output.decode(errors="replace").replace("\r", "")
        logname = f"linux-{tag}.log"
        self.save_log(logname, output + g.stderr_text())
        if not at_init:
            self.linux.failed[f"boot({tag})"] = f"no /init marker within 300 s (logs/{logname})"
            return False
        if mode == "all":
            _, running = self.linux.take(output)
            if not finished:
                self.linux.failed["linux_bench"] = (f"did not finish (last started: {running or '?'}; "
                                                    f"logs/{logname})")
        return True

    def run_linux(self):
        a = self.args
        cache = a.linux_cache or os.path.join(a.out, "linux")
        t0 = time.monotonic()
        try:
            guest = linux_guest.prepare(cache, log)
        except linux_guest.Unavailable as e:
            self.linux_facts = {"available": False, "reason": str(e)}
            log(f"bench: Linux baseline skipped: {e}")
            return
        self.linux_facts = {"available": True, "prepare_seconds": round(time.monotonic() - t0, 1),
                            **{k: v for k, v in guest.items() if k not in ("initramfs",)}}
        log(f"bench: Linux {guest['package']} {guest['version']}, {a.iters} iterations ({self.accel})")
        if self.linux_boot(guest, "all", "bench"):
            for i in range(2, a.boots + 1):
                if not self.linux_boot(guest, "boot", f"boot{i}"):
                    break

    # ---- the record ----

    def document(self):
        meta = dict(self.meta)
        meta["tsc_hz"] = {g: r.info.get("tsc_hz") for g, r in (("theseus", self.theseus), ("linux", self.linux))
                          if isinstance(r.info.get("tsc_hz"), int)}
        lx = dict(self.linux_facts)
        lx.update(self.linux.as_json() if lx.get("available") else {})
        doc = {"schema": "theseus-bench/1", "meta": meta, "theseus": self.theseus.as_json(), "linux": lx}
        doc["table"], doc["not_measured"] = report.build_rows(doc)
        doc["crate_loads"] = crate_load_details(self.theseus.results)
        return doc


def crate_load_details(results):
    out = []
    for name, r in results.items():
        if not name.startswith("crate_load.") or "." in name[len("crate_load."):]:
            continue
        crate = name[len("crate_load."):]
        e = r.get("extra", {})
        req = results.get(f"crate_load_request.{crate}")
        out.append({"crate": crate, "linker_share": r["median"], "request": req["median"] if req else None,
                    **{k: e[k] for k in ("elf_bytes", "mem_bytes", "relocs", "deps_loaded", "memcpy_floor") if k in e}})
    return out


def _first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def collect_meta(args, choice):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
    except OSError:
        pass
    status = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "qemu_version": _first_line(["qemu-system-x86_64", "--version"]),
        "accelerator": choice.accel,
        "accelerator_cpu": choice.cpu,
        "accelerator_requested": choice.requested,
        "accelerator_reason": choice.reason,
        "accelerator_probe": choice.probe,
        "icount": bool(args.icount),
        "icount_args": " ".join(ICOUNT_ARGS) if args.icount else None,
        "memory": args.memory,
        "host_cpu": cpu,
        "host_cpus": os.cpu_count(),
        "host_kernel": platform.release(),
        "host_load_avg": round(os.getloadavg()[0], 2),
        "commit": _first_line(["git", "rev-parse", "HEAD"]),
        "dirty": bool(status.stdout.strip()) if status.returncode == 0 else None,
        "smoke": bool(args.smoke),
        "iterations": args.iters,
        "boots": args.boots,
        "selection": args.names or ["all"],
        "kernel": os.path.abspath(args.kernel),
    }


def tap_report(doc, outputs):
    """One TAP line per benchmark that reported, per Linux figure, and per
    output file. Only well-formedness is checked, never a time."""
    lines = []

    def add(ok, what, note=""):
        lines.append(f"{'ok' if ok else 'not ok'} {len(lines) + 1} - {what}{' # ' + note if note else ''}")

    for guest in ("theseus", "linux"):
        g = doc[guest]
        if guest == "linux" and not g.get("available"):
            reason = g.get("reason", "?")
            add(True, "linux baseline", "SKIP " + ("no network" if reason.startswith("no network") else reason))
            continue
        for name in g.get("results", {}):
            add(True, f"{guest} {name}")
        for name, why in g.get("skipped", {}).items():
            add(True, f"{guest} {name}", f"SKIP {why}")
        for name, why in g.get("failed", {}).items():
            add(False, f"{guest} {name}", why)
        for text in g.get("malformed", []):
            add(False, f"{guest} malformed line", text)
        if guest == "linux":
            for name in figures.LINUX_RESULTS:
                if name not in g.get("results", {}) and name not in g.get("skipped", {}):
                    add(False, f"linux {name}", "never reported")
    for what, ok, note in outputs:
        add(ok, what, note)
    lines.append(f"1..{len(lines)}")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="benchmarks to run (bench= selector items; default all)")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--linux-cache", help="where the Linux guest is cached (default OUT/linux)")
    ap.add_argument("--smoke", action="store_true", help="one short iteration of everything, one boot")
    ap.add_argument("--icount", action="store_true", help="-icount shift=0,sleep=off (TCG): TSC counts instructions")
    ap.add_argument("--boots", type=argtypes.positive_int, help="boots for the boot figures (default 5, smoke 1)")
    ap.add_argument("--iters", type=argtypes.positive_int, help="iterations per figure (default 1000, smoke 5)")
    ap.add_argument("--accel", choices=accel.REQUESTS,
                    help=f"default: ${accel.ENV_REQUEST}, else auto (KVM if a probe boot shows it works)")
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--timeout", type=argtypes.seconds, help="seconds per benchmark boot (default from --iters)")
    ap.add_argument("--no-linux", action="store_true", help="skip the Linux baseline")
    ap.add_argument("--tap", action="store_true", help="TAP on stdout (the meson 'bench' suite)")
    args = ap.parse_args(argv)
    args.iters = args.iters or (5 if args.smoke else 1000)
    args.boots = max(1, args.boots or (1 if args.smoke else 5))
    for path in (args.kernel, args.initrd):
        if not os.path.isfile(path):
            ap.error(f"{path}: no such file (build first)")
    os.makedirs(args.out, exist_ok=True)

    started = time.monotonic()
    try:
        b = Bench(args)
    except accel.AccelError as error:
        print(f"theseus: {error}", file=sys.stderr)
        return 2
    selector = ",".join(args.names) if args.names else "all"
    wants_boot = not args.names or any(n == "boot" or (n.endswith("*") and "boot".startswith(n[:-1]))
                                       for n in args.names)
    b.run_theseus(selector, wants_boot)
    if not args.names or any(n == "push" or (n.endswith("*") and "push".startswith(n[:-1])) for n in args.names):
        b.run_push()
    if not args.no_linux:
        b.run_linux()
    doc = b.document()
    doc["meta"]["seconds"] = round(time.monotonic() - started, 1)

    outputs = []
    json_path = os.path.join(args.out, "results.json")
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=1)
    with open(json_path) as f:
        json.load(f)
    outputs.append(("results.json written", True, ""))
    md_path = os.path.join(args.out, "results.md")
    report.write_markdown(doc, md_path)
    outputs.append(("results.md written", os.path.getsize(md_path) > 0, ""))
    try:
        plots = report.write_plots(doc, args.out)
        outputs.append(("plots written", bool(plots), ", ".join(os.path.basename(p) for p in plots)))
    except ImportError:
        plots = []
        outputs.append(("plots written", True, "SKIP python3-matplotlib is not installed"))

    if args.tap:
        print("\n".join(tap_report(doc, outputs)))
        print("# " + report.terminal_table(doc).replace("\n", "\n# "))
        return 0
    print(report.terminal_table(doc))
    print(f"\n{json_path}\n{md_path}" + "".join(f"\n{p}" for p in plots))
    print(f"({doc['meta']['seconds']:g} s; accelerator {b.accel}{', icount' if args.icount else ''})")
    failures = sum(len(doc[g].get("failed", {})) + len(doc[g].get("malformed", [])) for g in ("theseus", "linux"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
