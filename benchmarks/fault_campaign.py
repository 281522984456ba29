#!/usr/bin/python3
"""The fault-injection campaign: how often the system recovers from faults.

    fault_campaign.py --kernel nano_core.elf --initrd crates.archive
                      [--smoke] [--random N] [--seed S] [--jobs J]
                      [--append WORDS] [--out DIR] [--show-flip N]

One fresh boot per injection. Two fault models:
  entry  `inject CRATE SYMBOL` for every exported function of every crate a
         normal boot loads (a breakpoint at its first byte);
  flip   one random bit flipped from outside the guest, through QEMU's
         gdbstub, at a random point: in the first 64 bytes of a random
         exported function of a loaded crate (most), in a random byte of a
         loaded crate's data, or in a register of the running CPU.
Then the workload runs twice (WORKLOAD), 600 ms apart (one period of the
scrubber, which mends corrupt code that never trapped), and a liveness
probe (an echo, and ticks advancing across `sleep 100`). Each injection is classified:
  not triggered  no fault report and nothing differs from a clean run
                 (else the fault manifested, reported or not);
  recovered      the probe passes and the second workload pass gives
                 every expected line without any new fault (the faulty
                 part works again; the work the fault hit, in the first
                 pass, may have failed);
  degraded       the system answers, but something went missing or wrong;
  hung           a command got no prompt in time;
  crashed        QEMU ended, the kernel halted, or the shell was lost.
Writes OUT/results.json and OUT/results.md (benchmarks/README.md,
docs/fault-recovery.md). The Theseus OS's own evaluation recovered about
69 % of the faults that manifested; that is the figure beside ours.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import random
import re
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "mkimage"))
import gdb_remote  # noqa: E402
from theseus_image import accel, argtypes, launch  # noqa: E402

# The workload and what each line must print in a healthy system.
WORKLOAD = [
    ("spawn hello", "[hello] info: Hello from hello 1.0.0"),
    ("run counter", "counter 1.0.0: run "),
    ("sleep 50", None),
    ("uptime", "timer ticks at"),
    ("mem", "frames"),
    ("tasks", "running"),
    ("crates", "version"),
]
PROBE = ["echo probe-alive", "uptime", "sleep 100", "uptime"]
THESEUS_RECOVERY = 0.69
FAULT_SIGNS = ("fault: exception", " faulted", "EXCEPTION ", "irq: ", "] error: ")
CRASH_SIGNS = ("KERNEL HALTED", "falling back to the nano-core's own console")
OUTCOMES = ["not triggered", "recovered", "degraded", "hung", "crashed"]
TICKS = re.compile(r"up [0-9.]+ s, (\d+) timer ticks")
SESSION_REPLACED = "the console session ended"
CUT_LINE_DROPPED = "shell: dropped the rest of the cut line"
SESSION_REST_TIMEOUT = 10


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Run:
    """One boot: typed lines, the output after each, the outcome."""

    def __init__(self, args, choice, gdb_port=None):
        extra = ["-gdb", f"tcp:127.0.0.1:{gdb_port}"] if gdb_port else []
        cmd = launch.qemu_command(args.kernel, args.initrd, args.append, accel=choice, extra=extra)
        self.guest = launch.Guest(cmd)
        self.answers = []
        self.state = "running"  # running, exited, timeout

    def wait_prompt(self, seen, timeout, answered=None):
        how = self.guest.read_until(answered or (lambda b: b.count(launch.PROMPT) > seen), timeout)
        if how == "exit":
            self.state = "exited"
        elif how == "timeout":
            self.state = "timeout"
        return how == "match"

    def boot(self, timeout=60):
        return self.wait_prompt(0, timeout)

    def type(self, line, timeout=20):
        if self.state != "running":
            return None
        seen = self.guest.output.count(launch.PROMPT)
        since = max(self.guest.output.rfind(launch.PROMPT), 0)
        start = len(self.guest.output)
        if not self.guest.send(line.encode() + b"\n"):
            self.state = "exited"
            return None
        # The echo of this line and a prompt after it, or any new prompt
        # once the session was replaced (its echo went with the old one).
        ok = self.wait_prompt(seen, timeout, lambda b: launch.answered(b, line.encode(), since) or
                              (SESSION_REPLACED.encode() in b[start:] and b.count(launch.PROMPT) > seen))
        if not ok and self.state == "timeout" and self.guest.output.count(launch.PROMPT) > seen:
            # A prompt came, though not after the line's whole echo (a
            # fault cut into it): the answer is what there is.
            self.state, ok = "running", True
        text = self.guest.output[start:].decode(errors="replace").replace("\r", "")
        if ok and SESSION_REPLACED in text and CUT_LINE_DROPPED not in text:
            # The fault ended the console session while it read this line,
            # and the shell did not drop the rest (it drops it when the
            # console says a line was open): the new session may read the
            # rest as a line of its own, with a prompt of its own. Wait
            # for that one too, so that the next line's answer is its own.
            # (The line counts as missing: its work was lost to the fault.)
            # None may come (the fault hit after the whole line was read):
            # waiting out the timeout then is no hang.
            how = self.guest.read_until(lambda b: b.count(launch.PROMPT) > seen + 1, SESSION_REST_TIMEOUT)
            if how == "exit":
                self.state = "exited"
            text = self.guest.output[start:].decode(errors="replace").replace("\r", "")
        self.answers.append((line, text))
        return text if ok else None

    def text(self):
        return self.guest.output.decode(errors="replace").replace("\r", "")

    def close(self):
        self.guest.kill()


def workload_pass(run):
    """The workload once; the expected lines that did not come."""
    missing = []
    for line, expect in WORKLOAD:
        out = run.type(line)
        if out is None:
            missing.append(line + " (no answer)")
            break
        if expect and expect not in out:
            missing.append(line)
    return missing


def probe(run):
    answers = [run.type(line) for line in PROBE]
    if any(a is None for a in answers):
        return False
    if "probe-alive" not in answers[0]:
        return False
    ticks = [TICKS.search(a) for a in (answers[1], answers[3])]
    return all(ticks) and int(ticks[1].group(1)) >= int(ticks[0].group(1)) + 50


def classify(run, inject_at, second_at, missing_first, missing_second, probe_ok):
    text = run.text()
    after = text[inject_at:]
    second = text[second_at:] if missing_second is not None else ""
    triggered = any(s in after for s in FAULT_SIGNS)
    if run.state == "exited" or any(s in text for s in CRASH_SIGNS):
        return "crashed", triggered
    if run.state == "timeout":
        return "hung", triggered
    # A fault manifests as a report, or as work that went wrong.
    if not triggered and probe_ok and not missing_first and not missing_second:
        return "not triggered", False
    # The work the fault hit may be lost (the first pass); recovered means
    # that afterwards everything works again, without a new fault.
    if probe_ok and missing_second == [] and not any(s in second for s in FAULT_SIGNS):
        return "recovered", True
    return "degraded", True


def fault_line(text):
    for line in text.splitlines():
        if any(s in line for s in FAULT_SIGNS):
            return line.strip()[:200]
    return ""


def inject_entry(args, choice, target):
    crate, symbol = target
    run = Run(args, choice)
    try:
        if not run.boot():
            return {"model": "entry", "target": f"{crate}:{symbol}", "outcome": "crashed",
                    "triggered": False, "why": "no prompt at boot"}
        # Crates the workload loads (hello, counter) are not loaded yet.
        run.type(f"load {crate}")
        inject_at = len(run.text())
        answer = run.type(f"inject {crate} {symbol}") or ""
        if "fault armed" not in answer:
            return {"model": "entry", "target": f"{crate}:{symbol}", "outcome": "skipped",
                    "triggered": False, "why": answer.strip().splitlines()[-1] if answer.strip() else "?"}
        return finish(run, "entry", f"{crate}:{symbol}", inject_at)
    finally:
        run.close()


# Between the passes, time for the scrubber (one period, 500 ms by
# default) to mend what never trapped.
MEND = "sleep 600"


def finish(run, model, target, inject_at):
    missing_first = workload_pass(run)
    run.type(MEND)
    second_at = len(run.text())
    missing_second = workload_pass(run) if run.state == "running" else None
    probe_ok = probe(run) if run.state == "running" else False
    outcome, triggered = classify(run, inject_at, second_at, missing_first, missing_second, probe_ok)
    result = {"model": model, "target": target, "outcome": outcome, "triggered": triggered,
              "fault": fault_line(run.text()[inject_at:])}
    if missing_first or missing_second:
        result["missing"] = (missing_first or []) + (missing_second or [])
    if outcome in ("hung", "crashed", "degraded"):
        result["tail"] = run.text()[-600:]
    return result


def loaded_layout(run):
    """{crate: [(name, address, size, kind)]} of the crates loaded now, and
    {crate: [(symbol, address)]} of their exported functions."""
    listing = run.type("crates") or ""
    crates = [l.split()[0] for l in listing.splitlines()[2:] if l.strip() and not l.startswith("theseus>")]
    sections, exports = {}, {}
    for crate in crates:
        secs = []
        for l in (run.type(f"sections {crate}") or "").splitlines():
            parts = l.split()
            if len(parts) == 4 and parts[0].startswith("0x"):
                secs.append((parts[3], int(parts[0], 16), int(parts[1]), parts[2]))
        sections[crate] = secs
        code = [(n, a, s) for n, a, s, k in secs if k == "code"]
        funcs = []
        for l in (run.type(f"syms {crate}") or "").splitlines():
            parts = l.split()
            if len(parts) == 2 and parts[0].startswith("0x"):
                address = int(parts[0], 16)
                if any(a <= address < a + s for _, a, s in code):
                    funcs.append((parts[1], address))
        exports[crate] = funcs
    return sections, exports


FLIP_KINDS = ("text", "data", "register")


def flip(args, choice, seed, number, kind=None):
    """One random bit flip: in a crate's code (60 %), its data (25 %) or a
    register (15 %), unless `kind` says which."""
    rng = random.Random(seed * 1000003 + number)
    port = free_port()
    run = Run(args, choice, gdb_port=port)
    target = "?"
    try:
        if not run.boot():
            return {"model": "flip", "target": "boot", "outcome": "crashed", "triggered": False,
                    "why": "no prompt at boot"}
        sections, exports = loaded_layout(run)
        # A random point: part of the workload first.
        for line, _ in WORKLOAD[:rng.randrange(0, 3)]:
            run.type(line)
        inject_at = len(run.text())
        remote = gdb_remote.Remote("127.0.0.1", port)
        try:
            remote.stop()
            roll = rng.random()
            if kind is not None:
                roll = {"text": 0.0, "data": 0.6, "register": 0.85}[kind]
            if roll < 0.6:
                crate = rng.choice(sorted(c for c in exports if exports[c]))
                symbol, address = rng.choice(exports[crate])
                address += rng.randrange(64)
                target = f"text {crate}:{symbol}+{address - dict(exports[crate])[symbol]:#x}"
            elif roll < 0.85:
                data = [(c, n, a, s) for c in sections for n, a, s, k in sections[c] if k in ("data", "bss")]
                crate, name, base, size = rng.choice(data)
                address = base + rng.randrange(size)
                target = f"data {crate}:{name}+{address - base:#x}"
            else:
                register = rng.choice(gdb_remote.REGISTERS)
                bit = rng.randrange(64)
                value = remote.register(register)
                remote.set_register(register, value ^ (1 << bit))
                target = f"register {register} bit {bit}"
                address = None
            if address is not None:
                bit = rng.randrange(8)
                byte = remote.read(address, 1)[0]
                remote.write(address, bytes([byte ^ (1 << bit)]))
                target += f" bit {bit}"
            remote.detach()
        finally:
            remote.close()
        result = finish(run, "flip", target, inject_at)
        result["flip"] = number  # --show-flip N boots it again
        if args.show_flip is not None:
            result["console"] = run.text()
        return result
    except (gdb_remote.RemoteError, OSError, IndexError, ValueError) as error:
        return {"model": "flip", "target": target, "outcome": "skipped", "triggered": False,
                "why": f"the flip could not be made: {error}"}
    finally:
        run.close()


def entry_targets(args, choice):
    """Every exported function of every crate a normal boot loads, after the workload."""
    run = Run(args, choice)
    try:
        if not run.boot():
            raise SystemExit("theseus: the clean boot did not reach the prompt")
        missing = workload_pass(run)
        if missing:
            raise SystemExit(f"theseus: the clean run lacks {missing}: fix the system before the campaign")
        _, exports = loaded_layout(run)
    finally:
        run.close()
    return [(crate, symbol) for crate in sorted(exports) for symbol, _ in sorted(exports[crate])]


def summarize(results):
    table = {}
    for model in ("entry", "flip", "all"):
        rows = [r for r in results if model in ("all", r["model"]) and r["outcome"] != "skipped"]
        counts = {o: sum(1 for r in rows if r["outcome"] == o) for o in OUTCOMES}
        manifested = len(rows) - counts["not triggered"]
        table[model] = dict(counts, injected=len(rows), manifested=manifested,
                            recovered_share=round(counts["recovered"] / manifested, 4) if manifested else None,
                            skipped=sum(1 for r in results if r["model"] == model and r["outcome"] == "skipped"))
    return table


def markdown(doc):
    lines = ["# Fault campaign", "",
             f"- date: {doc['meta']['date']}; accelerator {doc['meta']['accelerator']}; "
             f"seed {doc['meta']['seed']}; boot options `{doc['meta']['append'] or '(none)'}`",
             f"- {doc['meta']['seconds']} s, {doc['meta']['jobs']} boots at a time", "",
             "| model | injected | manifested | recovered | degraded | hung | crashed | recovered of manifested |",
             "|---|---|---|---|---|---|---|---|"]
    for model, row in doc["table"].items():
        share = f"{100 * row['recovered_share']:.1f} %" if row["recovered_share"] is not None else "—"
        lines.append(f"| {model} | {row['injected']} | {row['manifested']} | {row['recovered']} | "
                     f"{row['degraded']} | {row['hung']} | {row['crashed']} | {share} |")
    lines += ["", f"The Theseus OS's own evaluation: about {100 * THESEUS_RECOVERY:.0f} % of manifested faults "
              "recovered.", "", "## Not recovered", ""]
    bad = [r for r in doc["results"] if r["outcome"] in ("degraded", "hung", "crashed")]
    if not bad:
        lines.append("None.")
    for r in bad:
        why = r.get("fault") or ", ".join(r.get("missing", [])) or "no fault report"
        lines.append(f"- {r['outcome']}: {r['model']} {r['target']}: {why}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "faults"))
    ap.add_argument("--random", type=argtypes.non_negative_int, default=500, help="random bit flips (default 500)")
    ap.add_argument("--seed", type=argtypes.non_negative_int, default=1)
    ap.add_argument("--jobs", type=argtypes.positive_int, default=max(1, (os.cpu_count() or 2)))
    ap.add_argument("--append", default="", help="kernel command-line words (e.g. recover=none)")
    ap.add_argument("--smoke", action="store_true", help="a few of each model (what the test suite runs)")
    ap.add_argument("--tap", action="store_true", help="TAP on standard output (the test suite)")
    ap.add_argument("--accel", choices=accel.REQUESTS)
    ap.add_argument("--show-flip", type=int, metavar="N",
                    help="make random flip N of the seed again and print its whole console")
    args = ap.parse_args(argv)
    for path in (args.kernel, args.initrd):
        if not os.path.isfile(path):
            ap.error(f"{path}: no such file (build first)")
    try:
        choice = accel.choose(args.kernel, args.accel)
    except accel.AccelError as error:
        print(f"theseus: {error}", file=sys.stderr)
        return 2
    if args.show_flip is not None:
        result = flip(args, choice, args.seed, args.show_flip)
        print(result.pop("console", ""))
        print(json.dumps(result, indent=1))
        return 0
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    targets = entry_targets(args, choice)
    flips = args.random
    if args.smoke:
        rng = random.Random(args.seed)
        targets = rng.sample(targets, min(4, len(targets)))
        flips = min(flips, len(FLIP_KINDS))  # one of each kind
    total = len(targets) + flips
    log(f"faults: {len(targets)} function entries and {flips} random flips, {args.jobs} at a time")
    results, done, lock = [], [0], threading.Lock()

    def record(result):
        with lock:
            results.append(result)
            done[0] += 1
            elapsed = time.monotonic() - started
            left = elapsed / done[0] * (total - done[0])
            log(f"faults: [{done[0]}/{total}] {result['model']} {result['target']}: {result['outcome']} "
                f"({left:.0f} s left)")

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        jobs = [pool.submit(inject_entry, args, choice, t) for t in targets]
        jobs += [pool.submit(flip, args, choice, args.seed, n, FLIP_KINDS[n] if args.smoke else None)
                 for n in range(flips)]
        for job in concurrent.futures.as_completed(jobs):
            record(job.result())
    results.sort(key=lambda r: (r["model"], r["target"]))
    doc = {"schema": "theseus-faults/1",
           "meta": {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    "accelerator": choice.accel, "accelerator_reason": choice.reason, "seed": args.seed,
                    "append": args.append, "jobs": args.jobs, "smoke": args.smoke,
                    "seconds": round(time.monotonic() - started, 1),
                    "theseus_os_recovered_share": THESEUS_RECOVERY},
           "table": summarize(results), "results": results}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(markdown(doc))
    if args.tap:
        n = 0
        for r in results:
            n += 1
            # A hang or a crash fails the smoke, and so does an injection
            # the harness could not make; the campaign itself reports
            # every outcome.
            ok = r["outcome"] not in ("hung", "crashed", "skipped")
            note = f" # {r['outcome']}: {r.get('fault') or r.get('why') or ''}".rstrip()
            print(f"{'ok' if ok else 'not ok'} {n} - {r['model']} {r['target']}{note}")
        print(f"1..{n}")
    else:
        print(markdown(doc))
        print(os.path.join(args.out, "results.json"))
    bad = sum(1 for r in results if r["outcome"] in ("hung", "crashed", "skipped"))
    return 1 if args.tap and bad else 0


if __name__ == "__main__":
    sys.exit(main())
