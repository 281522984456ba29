"""Shared assertions: how a rejected build must look to the user."""

import re

from harness import mkimage, stamped
from elfedit import Elf


def assert_rejected(tmp_path, nano_core, inputs, *expected):
    """Build must fail with exactly these `FILE: problem` lines (str or regex),
    exit status 2, and leave the output directory empty."""
    out_dir = tmp_path / "out"
    out_dir.mkdir(exist_ok=True)
    output = out_dir / "crates.archive"
    result = mkimage("build", "-o", output, "--nano-core", nano_core, *inputs)
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == len(expected), result.stderr
    for line, want in zip(lines, expected):
        if isinstance(want, re.Pattern):
            assert want.fullmatch(line), line
        else:
            assert line == want
    assert result.stdout == ""
    assert list(out_dir.iterdir()) == [], "build left output behind"


def mutated(tmp_path, source, edit, name=None):
    """A copy of `source` changed by edit(Elf) and stamped again (as if
    built that way); returns the new path."""
    elf = Elf(source.read_bytes())
    edit(elf)
    path = tmp_path / (name or source.name)
    path.write_bytes(stamped(elf.bytes()))
    return path


def error(path, problem):
    return f"mkimage: error: {path}: {problem}"
