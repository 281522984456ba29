"""How long `build` takes for a set of ~20 crates (reported, not asserted)."""

import os
import resource
import time

from harness import mkimage

CRATE_COUNT = 20


def generated_crate(number):
    """Crate number N exports a few functions and data and calls crate N-1."""
    name = f"gen{number:02d}"
    calls = f"gen{number - 1:02d}_work(x) + " if number else ""
    needs = f"gen{number - 1:02d}" if number else ""
    functions = "\n".join(
        f"CRATE_EXPORT unsigned long {name}_f{k}(unsigned long x) "
        f"{{ table[{k}] += x; return table[{k}] * {k + 3}; }}"
        for k in range(12))
    return (
        '#include <theseus/crate.h>\n'
        f'CRATE("{name}", "1.0.{number}", "generated crate {number}", "", "", "{needs}");\n'
        'void serial_write(const char *text, unsigned long length);\n'
        + (f"unsigned long gen{number - 1:02d}_work(unsigned long x);\n" if number else "")
        + "static unsigned long table[16];\n"
        + "static const char *const names[] = { \"a\", \"b\", \"c\" };\n"
        + functions + "\n"
        + f"CRATE_EXPORT unsigned long {name}_work(unsigned long x)\n"
        + f"{{ serial_write(names[x % 3], 1); return {calls}{name}_f0(x); }}\n")


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_build_time_for_twenty_crates(tmp_path, toolchain, nano_core, record_property):
    crates = [toolchain.crate(f"gen{n:02d}", source=generated_crate(n))
              for n in range(CRATE_COUNT)]
    output = tmp_path / "crates.archive"
    # As users run it: bytecode cached after the first run (see mkimage.py).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    timings, cpu_times = [], []
    for _ in range(4):
        cpu_before = _children_cpu()
        start = time.perf_counter()
        result = mkimage("build", "-o", output, "--nano-core", nano_core,
                         *crates, env=env)
        timings.append(time.perf_counter() - start)
        cpu_times.append(_children_cpu() - cpu_before)
        assert result.returncode == 0, result.stderr
    total_bytes = sum(path.stat().st_size for path in crates)
    record_property("figure", (
        f"mkimage build, {CRATE_COUNT} crates ({total_bytes} bytes of ELF), "
        f"whole process, wall (CPU) ms: first run {timings[0] * 1000:.0f} "
        f"({cpu_times[0] * 1000:.0f}), then "
        + ", ".join(f"{t * 1000:.0f} ({c * 1000:.0f})"
                    for t, c in zip(timings[1:], cpu_times[1:]))))
    assert mkimage("verify", output).returncode == 0
