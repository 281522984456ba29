"""The mkimage test harness: paths, the crate toolchain, the mkimage runner."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
MKIMAGE = REPO / "mkimage" / "mkimage.py"
FIXTURES = HERE / "fixtures"
PYTHON = "/usr/bin/python3"

# The crate flags of the design (DESIGN.md, "Crates").
CRATE_CFLAGS = [
    "-target", "x86_64-unknown-none-elf", "-std=gnu23", "-ffreestanding",
    "-nostdlibinc", "-mcmodel=kernel", "-mno-red-zone", "-mgeneral-regs-only",
    "-ffunction-sections", "-fdata-sections", "-fvisibility=hidden",
    "-fno-omit-frame-pointer", "-fno-common", "-fno-pic",
    "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-O2",
    f"-I{REPO / 'kernel' / 'include'}",
]

GOOD_CRATES = {
    "log": ["log.c"],
    "hello": ["hello.c"],
    "timer": ["timer.c", "timer_tick.c"],
    "log_v2": ["log_v2.c"],
}

# Modules imported from here on (the test files) leave no __pycache__ in the
# source tree; mkimage itself caches bytecode outside it (mkimage.py).
sys.dont_write_bytecode = True


def _run_tool(command, cwd=None):
    result = subprocess.run([str(part) for part in command], cwd=cwd,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, command))} failed:\n"
                             f"{result.stdout}{result.stderr}")
    return result


class Toolchain:
    """Compiles crate objects the way the build does: clang-19 per source
    file, then `ld.lld-19 -r` into one NAME.o."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.serial = 0

    def crate(self, name, source=None, files=(), cflags=(), out_dir=None):
        """NAME.o from inline C `source` and/or fixture `files`."""
        self.serial += 1
        scratch = self.workdir / f"build-{self.serial}-{name}"
        scratch.mkdir(parents=True)
        sources = [FIXTURES / "crates" / f for f in files]
        if source is not None:
            inline = scratch / f"{name}.c"
            inline.write_text(source)
            sources.append(inline)
        objects = []
        for number, path in enumerate(sources):
            obj = scratch / f"{number}-{path.stem}.c.o"
            _run_tool(["clang-19", *CRATE_CFLAGS, *cflags, "-c", path, "-o", obj])
            objects.append(obj)
        output = Path(out_dir or scratch) / f"{name}.o"
        _run_tool(["ld.lld-19", "-r", "-o", output, *objects])
        return output

    def nano_core(self, out_dir=None):
        scratch = self.workdir / "nano-core"
        scratch.mkdir(parents=True, exist_ok=True)
        obj = scratch / "nano_core.o"
        _run_tool(["clang-19", "-target", "x86_64-unknown-none-elf",
                   "-ffreestanding", "-nostdlibinc", "-mcmodel=kernel",
                   "-mno-red-zone", "-fno-pic", "-O2", "-c",
                   FIXTURES / "nano_core.c", "-o", obj])
        output = Path(out_dir or scratch) / "nano_core.elf"
        _run_tool(["ld.lld-19", "--build-id=sha1", "-T",
                   FIXTURES / "nano_core.ld", "-o", output, obj])
        return output

    def yaml_object(self, name, yaml_text):
        self.serial += 1
        scratch = self.workdir / f"yaml-{self.serial}-{name}"
        scratch.mkdir(parents=True)
        description = scratch / f"{name}.yaml"
        description.write_text(yaml_text)
        output = scratch / f"{name}.o"
        _run_tool(["yaml2obj-19", description, "-o", output])
        return output


def mkimage(*args, cwd=None, env=None, text=True):
    """Run mkimage as a user would; returns the CompletedProcess."""
    return subprocess.run([PYTHON, str(MKIMAGE), *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=text)
