"""The mkimage test harness: paths, the crate toolchain, the mkimage runner."""

import os
import subprocess
import sys
import tempfile
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

sys.path.insert(0, str(REPO / "mkimage"))
from theseus_image import attest  # noqa: E402

# The suite's attestation key: the objects the toolchain below makes are
# stamped with it (as the build's stamp step stamps crates with the
# build's key), and mkimage build and push get it unless a test says
# otherwise.
TEST_KEY = bytes(range(1, 33))
KEY_FILE = Path(tempfile.gettempdir()) / f"theseus-mkimage-test-{os.getuid()}.key"
KEY_FILE.write_bytes(TEST_KEY)


def stamped(data):
    """data (bytes) with a valid stamp of the suite's key, replacing any."""
    body = data[:-attest.STAMP_SIZE] if attest.has_trailer(data) else data
    return body + attest.make_stamp(body, TEST_KEY)


def stamp_file(path):
    path = Path(path)
    path.write_bytes(stamped(path.read_bytes()))
    return path


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

    def crate(self, name, source=None, files=(), cflags=(), out_dir=None, stamp=True):
        """NAME.o from inline C `source` and/or fixture `files`, stamped
        with the suite's key unless stamp=False."""
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
        if stamp:
            stamp_file(output)
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
        return stamp_file(output)


def mkimage(*args, cwd=None, env=None, text=True):
    """Run mkimage as a user would; returns the CompletedProcess. build and
    push get the suite's key unless the test passes --key or
    --allow-unchecked itself."""
    args = [str(a) for a in args]
    if args and args[0] in ("build", "push") and "--key" not in args \
            and "--allow-unchecked" not in args:
        args = [args[0], "--key", str(KEY_FILE), *args[1:]]
    return subprocess.run([PYTHON, str(MKIMAGE), *args], cwd=cwd,
                          env=env, capture_output=True, text=text)
