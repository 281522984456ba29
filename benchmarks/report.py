"""results.json -> the table rows, results.md, the PNG plots, and the table
printed at the end of a run."""

import os
import re

from figures import LINUX, ROWS, THESEUS


def fmt_value(v, unit):
    if v is None:
        return "—"
    if unit == "ms":
        return f"{v:,.1f} ms"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.2f}"


def fmt_ratio(r):
    if r is None:
        return "—"
    if r >= 100:
        return f"{r:,.0f}×"
    if r >= 10:
        return f"{r:.1f}×"
    return f"{r:.3g}×"


def _expand(row, results):
    """(part, result name) pairs a row stands for among the results."""
    if row.theseus.endswith(".*"):
        prefix = row.theseus[:-1]
        return [(n[len(prefix):], n) for n in results if n.startswith(prefix)
                and "." not in n[len(prefix):]]
    return [("", row.theseus)] if row.theseus in results else []


def _title(row, part, result):
    extra = dict(result.get("extra", {}))
    try:
        return row.title.format(part=part, **extra)
    except (KeyError, IndexError):
        return re.sub(r"\s*\([^)]*\{[^)]*\)", "", row.title).format(part=part)


def build_rows(doc):
    """The table: measured rows and, apart, the figures not measured yet."""
    th = doc["theseus"]["results"]
    lx = doc["linux"].get("results", {}) if doc["linux"].get("available") else {}
    rows, missing = [], []
    for row in ROWS:
        matches = _expand(row, th)
        if not matches:
            skipped = {n: r for n, r in doc["theseus"].get("skipped", {}).items()
                       if n == row.theseus or (row.theseus.endswith(".*") and n.startswith(row.theseus[:-1]))}
            failed = doc["theseus"].get("failed", {})
            everything = doc["meta"].get("selection", ["all"]) == ["all"]
            if row.theseus in failed:
                why = f"failed: {failed[row.theseus]}"
            elif skipped:
                why = "; ".join(sorted(set(skipped.values())))
            elif not everything:
                why = "not run (not selected)"
            elif row.needs:
                why = f"not measured yet: needs {row.needs}"
            else:
                why = "not measured: the benchmark did not report (see results.json: failed)"
            entry = {"figure": row.theseus, "title": row.title.split(" ({")[0].replace("{part}", "*"),
                     "status": why, "like_for_like": row.like}
            if row.baseline and row.baseline[0] == LINUX and row.baseline[1] in lx:
                b = lx[row.baseline[1]]
                entry["baseline"] = {"guest": LINUX, "name": row.baseline[1], "median": b["median"],
                                     "unit": b["unit"]}
            if entry not in missing:
                missing.append(entry)
            continue
        # A pattern's members the benchmark refused to measure, each with its reason.
        if row.theseus.endswith(".*"):
            for name, why in sorted(doc["theseus"].get("skipped", {}).items()):
                if name.startswith(row.theseus[:-1]) and name not in th:
                    missing.append({"figure": name, "title": row.title.split(" ({")[0].replace(
                        "{part}", name[len(row.theseus) - 1:]), "status": why, "like_for_like": row.like})
        for part, name in matches:
            r = th[name]
            out = {"figure": name, "title": _title(row, part, r), "group": row.group,
                   "unit": r["unit"], "median": r["median"], "min": r["min"], "max": r["max"],
                   "n": r["n"], "like_for_like": row.like, "baseline": None, "ratio": None}
            if row.baseline:
                guest, bname = row.baseline
                pool = lx if guest == LINUX else th
                if guest == LINUX and not doc["linux"].get("available"):
                    out["baseline"] = {"guest": guest, "name": bname,
                                       "status": "not run (Linux baseline unavailable: see above)"}
                elif bname in pool:
                    b = pool[bname]
                    out["baseline"] = {"guest": guest, "name": bname, "median": b["median"],
                                       "min": b["min"], "max": b["max"], "n": b["n"], "unit": b["unit"]}
                    if b["unit"] == r["unit"] and b["median"]:
                        out["ratio"] = r["median"] / b["median"]
                else:
                    why = (doc["linux"].get("skipped", {}).get(bname) or doc["linux"].get("failed", {}).get(bname)
                           if guest == LINUX else None)
                    out["baseline"] = {"guest": guest, "name": bname, "status": why or "not measured in this run"}
            rows.append(out)
    return rows, missing


def _baseline_cells(b):
    if not b:
        return "—", "—"
    label = f"{'Linux' if b['guest'] == LINUX else 'Theseus'}: {b['name']}"
    if "median" not in b:
        return label, b.get("status", "—")
    return label, f"{fmt_value(b['median'], b['unit'])} ({fmt_value(b['min'], b['unit'])}–{fmt_value(b['max'], b['unit'])})"


def short_like(text):
    """'Partly: both ...' -> 'Partly'; the first clause of the verdict."""
    return re.split(r"[:.,;]", text, maxsplit=1)[0]


def caveats(meta):
    out = []
    if meta["accelerator"] == "tcg" and not meta["icount"]:
        out.append("TCG without -icount: the guests' TSC reads host time under emulation, so cycles are "
                   "host cycles spent emulating, not what the same code costs on hardware; ratios between "
                   "the two guests in this run are the meaningful part. A loaded host adds noise "
                   f"(load average at start: {meta.get('host_load_avg', '?')}).")
    if meta["icount"]:
        out.append("-icount shift=0,sleep=off: the TSC counts guest instructions (deterministic run to run); "
                   "host-clock figures (boot in ms) are still wall time of an emulated run.")
    if meta["accelerator"] == "kvm":  # only where the probe boot showed KVM works
        out.append("KVM: the guests run on the host CPU; cycles are real TSC cycles.")
    if meta.get("smoke"):
        out.append("Smoke run: a handful of iterations and one boot; the numbers only show that every "
                   "benchmark works.")
    return out


def write_markdown(doc, path):
    meta = doc["meta"]
    rows, missing = doc["table"], doc["not_measured"]
    lines = ["# Theseus benchmarks", ""]
    lines.append(f"- date: {meta['date']}; commit {meta['commit'][:12]}"
                 f"{' (dirty tree)' if meta['dirty'] else ''}")
    lines.append(f"- QEMU: {meta['qemu_version']}; accelerator {meta['accelerator']}"
                 f"{' -cpu ' + meta['accelerator_cpu'] if meta.get('accelerator_cpu') else ''}"
                 f"{', -icount shift=0,sleep=off' if meta['icount'] else ''}; memory {meta['memory']}")
    if meta.get("accelerator_reason"):
        lines.append(f"- accelerator chosen ({meta.get('accelerator_requested', 'auto')} asked): "
                     f"{meta['accelerator_reason']}")
    lines.append(f"- host CPU: {meta['host_cpu']} ({meta['host_cpus']} CPUs)")
    lines.append(f"- iterations per figure: {meta['iterations']}; boots for boot figures: {meta['boots']}")
    lx = doc["linux"]
    if lx.get("available"):
        lines.append(f"- Linux baseline: {lx['package']} {lx['version']} ({lx.get('info', {}).get('kernel', '?')}), "
                     f"module {lx['module_name']}")
    else:
        lines.append(f"- Linux baseline: not run: {lx.get('reason')}")
    tsc = meta.get("tsc_hz", {})
    if tsc:
        lines.append("- TSC: " + ", ".join(f"{g} {v / 1e6:,.0f} MHz" for g, v in tsc.items() if v))
    lines.append("")
    for c in caveats(meta):
        lines.append(f"> {c}")
        lines.append("")
    lines.append("Cycles are guest TSC ticks (median over the samples; min–max); boot figures in ms are "
                 "host wall-clock over repeated boots. Ratio = Theseus median / baseline median "
                 "(below 1: Theseus is cheaper).")
    lines.append("")
    lines.append("| Figure | Theseus median | min–max | n | Baseline | Baseline median (min–max) | Ratio | Like-for-like? |")
    lines.append("|---|---|---|---|---|---|---|---|")
    previous_like = None
    for r in rows:
        label, bvalue = _baseline_cells(r["baseline"])
        unit = "" if r["unit"] == "ms" else " cycles"
        like = r["like_for_like"]
        if like == previous_like:  # rows of one pattern: say it once
            like = short_like(like) + ": as above"
        previous_like = r["like_for_like"]
        lines.append(f"| {r['title']} | {fmt_value(r['median'], r['unit'])}{unit} | "
                     f"{fmt_value(r['min'], r['unit'])}–{fmt_value(r['max'], r['unit'])} | {r['n']} | "
                     f"{label} | {bvalue} | {fmt_ratio(r['ratio'])} | {like} |")
    lines.append("")
    if missing:
        lines.append("## Not measured yet")
        lines.append("")
        for m in missing:
            b = m.get("baseline")
            counterpart = (f" (Linux counterpart {b['name']}: {fmt_value(b['median'], b['unit'])}"
                           f"{'' if b['unit'] == 'ms' else ' cycles'})") if b else ""
            lines.append(f"- {m['title']} (`{m['figure']}`): {m['status']}{counterpart}")
        lines.append("")
    loads = doc.get("crate_loads", [])
    if loads:
        lines.append("## Crate loads in detail")
        lines.append("")
        lines.append("Linker share: the cycles the runtime linker records for the crate itself; whole request: "
                     "what the caller waits for, with the crates it pulls in and page permissions; memcpy: "
                     "the floor of copying as many bytes as the crate's ELF image.")
        lines.append("")
        lines.append("| Crate | ELF bytes | memory bytes | relocations | crates pulled in | linker share | whole request | memcpy floor |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for c in loads:
            lines.append(f"| {c['crate']} | {c.get('elf_bytes', '—')} | {c.get('mem_bytes', '—')} | "
                         f"{c.get('relocs', '—')} | {c.get('deps_loaded', '—')} | {fmt_value(c['linker_share'], 'cycles')} | "
                         f"{fmt_value(c.get('request'), 'cycles')} | {fmt_value(c.get('memcpy_floor'), 'cycles')} |")
        mod = lx.get("results", {}).get("module.load") if lx.get("available") else None
        if mod:
            e = mod.get("extra", {})
            lines.append(f"| Linux: insmod {e.get('module', '?')}.ko | {e.get('bytes', '—')} | — | "
                         f"{e.get('relocs', '—')} | 0 | — | {fmt_value(mod['median'], 'cycles')} | — |")
        lines.append("")
    if lx.get("available"):
        used = {r["baseline"]["name"] for r in rows if r.get("baseline") and r["baseline"]["guest"] == LINUX}
        used |= {m["baseline"]["name"] for m in missing if m.get("baseline")}
        rest = {n: r for n, r in lx.get("results", {}).items() if n not in used}
        if rest:
            lines.append("## Other Linux figures")
            lines.append("")
            for n, r in rest.items():
                lines.append(f"- `{n}`: {fmt_value(r['median'], r['unit'])}"
                             f"{'' if r['unit'] == 'ms' else ' cycles'} (n={r['n']})")
            lines.append("")
    problems = [(g, n, why) for g in (THESEUS, LINUX) for n, why in doc[g].get("failed", {}).items()]
    if problems:
        lines.append("## Failures")
        lines.append("")
        for g, n, why in problems:
            lines.append(f"- {g} `{n}`: {why}")
        lines.append("")
    lines.append("Method, figures and how to reproduce: benchmarks/README.md.")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def terminal_table(doc):
    rows = doc["table"]
    head = ("Figure", "Theseus", "Baseline", "Baseline median", "Ratio", "Like-for-like?")
    body = []
    for r in rows:
        b = r["baseline"]
        bname = "—" if not b else f"{'Linux' if b['guest'] == LINUX else 'Theseus'} {b['name']}"
        bval = "—" if not b else (fmt_value(b["median"], b["unit"]) if "median" in b else "n/a")
        title = r["figure"]
        body.append((title, fmt_value(r["median"], r["unit"]), bname, bval, fmt_ratio(r["ratio"]),
                     short_like(r["like_for_like"])))
    widths = [max(len(str(x[i])) for x in [head] + body) for i in range(len(head))]
    out = ["  ".join(str(c).ljust(w) for c, w in zip(head, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    for line in body:
        out.append("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())
    unselected = [m for m in doc["not_measured"] if m["status"] == "not run (not selected)"]
    for m in doc["not_measured"]:
        if m not in unselected:
            out.append(f"{m['figure']}: {m['status']}")
    if unselected:
        out.append(f"({len(unselected)} other figures not selected in this run)")
    return "\n".join(out)


def write_plots(doc, outdir):
    """PNG plots with matplotlib (Debian's python3-matplotlib). Returns the
    files written; raises ImportError when matplotlib is missing."""
    import matplotlib  # noqa: PLC0415
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    written = []
    th = doc["theseus"]["results"]
    lx = doc["linux"].get("results", {}) if doc["linux"].get("available") else {}
    sub = f"{doc['meta']['accelerator'].upper()}{' icount' if doc['meta']['icount'] else ''}, " \
          f"commit {doc['meta']['commit'][:10]}"

    def bars(ax, labels, entries, log):
        ys = range(len(labels))
        for i, (value, lo, hi, color) in enumerate(entries):
            if value is None:
                continue
            ax.barh(i, value, color=color, xerr=[[value - lo], [hi - value]], capsize=3)
        ax.set_yticks(list(ys))
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        if log:
            ax.set_xscale("log")

    # Boot times (host clock).
    boot = [("Theseus: QEMU start → shell prompt", th.get("boot.prompt_host"), "tab:blue"),
            ("Theseus: QEMU start → first serial line", th.get("boot.first_line_host"), "tab:cyan"),
            ("Linux: QEMU start → /init", lx.get("boot.init_host"), "tab:orange")]
    boot = [b for b in boot if b[1]]
    if boot:
        fig, ax = plt.subplots(figsize=(8, 0.6 * len(boot) + 1.2))
        bars(ax, [b[0] for b in boot], [(b[1]["median"], b[1]["min"], b[1]["max"], b[2]) for b in boot], False)
        ax.set_xlabel("ms (median, min–max over boots)")
        ax.set_title(f"Boot ({sub})", fontsize=9)
        fig.tight_layout()
        path = os.path.join(outdir, "boot.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)

    # Every compared figure in cycles, Theseus beside its baseline.
    pairs = [r for r in doc["table"] if r["unit"] == "cycles" and r["baseline"] and "median" in r["baseline"]
             and not r["figure"].startswith("crate_load.")]
    if pairs:
        labels, entries = [], []
        for r in pairs:
            b = r["baseline"]
            labels += [f"{r['figure']} (Theseus)", f"  vs {'Linux' if b['guest'] == LINUX else 'Theseus'} {b['name']}"]
            entries += [(r["median"], r["min"], r["max"], "tab:blue"),
                        (b["median"], b["min"], b["max"], "tab:orange" if b["guest"] == LINUX else "tab:gray")]
        fig, ax = plt.subplots(figsize=(9, 0.3 * len(labels) + 1.5))
        bars(ax, labels, entries, True)
        ax.set_xlabel("cycles, log scale (median, min–max)")
        ax.set_title(f"Theseus figures and their baselines ({sub})", fontsize=9)
        fig.tight_layout()
        path = os.path.join(outdir, "figures.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)

    loads = doc.get("crate_loads", [])
    if loads:
        labels = [c["crate"] for c in loads]
        fig, ax = plt.subplots(figsize=(9, 0.35 * len(labels) + 1.5))
        ys = list(range(len(labels)))
        ax.barh([y - 0.2 for y in ys], [c["linker_share"] for c in loads], height=0.4, label="linker share",
                color="tab:blue")
        ax.barh([y + 0.2 for y in ys], [c.get("request") or 0 for c in loads], height=0.4,
                label="whole request", color="tab:green")
        mod = lx.get("module.load")
        if mod:
            ax.axvline(mod["median"], color="tab:orange", linestyle="--",
                       label=f"Linux insmod {mod.get('extra', {}).get('module', '')}")
        ax.set_yticks(ys)
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("cycles, log scale (median)")
        ax.legend(fontsize=8)
        ax.set_title(f"Crate load+link ({sub})", fontsize=9)
        fig.tight_layout()
        path = os.path.join(outdir, "crate_load.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
