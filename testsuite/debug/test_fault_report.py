"""A contained fault's report names every frame: crate, version, function
and offset for crate code, function and offset for the nano-core's own
(from the symbol table linked into it, kernel/kernel_symbols.py)."""

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "mkimage"))
from theseus_image import launch  # noqa: E402

KERNEL = os.environ.get("THESEUS_NANO_CORE", "")
ARCHIVE = os.environ.get("THESEUS_ARCHIVE") or None

pytestmark = pytest.mark.skipif(not os.path.isfile(KERNEL), reason="THESEUS_NANO_CORE not built")

# "  #3 [<0xffffffff80107021>] nano_core symbol_call+0xe1"
FRAME = re.compile(r"^  #(\d+) \[<0x[0-9a-f]{16}>\] (.*)$", re.M)


def report_of(out):
    """The faulting instruction's line and the backtrace frames of the
    first exception report in out."""
    report = out.split("\nEXCEPTION ", 1)[1].split("recovered at the enclosing fault point", 1)[0]
    faulting = next(line for line in report.splitlines() if line.endswith("(faulting instruction)"))
    return faulting, [where for _, where in FRAME.findall(report)]


def test_an_injected_fault_names_the_crate_the_shell_and_the_nano_core():
    # recover=none: the fault unwinds (the default policy would repair the
    # breakpoint and resume without a report).
    code, out = launch.feed_console(launch.qemu_command(KERNEL, ARCHIVE, "recover=none"),
                                    ["load hello", "inject hello hello_main", "run hello"])
    assert code == 0, out
    faulting, frames = report_of(out)
    assert faulting.endswith("] hello 1.0.0 hello_main+0x1 (faulting instruction)"), faulting
    # The breakpoint is hello_main's first byte: its caller, the nano-core's
    # protected call, comes from the top of the stack, then the chain goes
    # through the application call into the shell's command that made it.
    names = [where.split("+0x")[0] for where in frames]
    assert names[:5] == ["nano_core call_thunk", "nano_core kfault_try", "nano_core protected_call",
                         "nano_core symbol_call", "nano_core kernel_call_app"], frames
    assert names[5] == "shell 1.0.0 cmd_run", frames
    assert all(re.fullmatch(r"(nano_core|\w+ \d+\.\d+\.\d+) \w+\+0x[0-9a-f]+( \(interrupt entry\))?", where)
               for where in frames), frames
    assert "run hello: hello_main faulted: exception 3 (#BP breakpoint) in crate hello 1.0.0 at hello_main+0x1" in out


def test_a_swapped_crate_is_named_with_its_version():
    code, out = launch.feed_console(launch.qemu_command(KERNEL, ARCHIVE, "recover=none"),
                                    ["load hello", "swap hello hello_v2", "inject hello_v2 hello_main",
                                     "run hello"])
    assert code == 0, out
    faulting, frames = report_of(out)
    assert re.search(r"\] hello_v2 2\.\d+\.\d+ hello_main\+0x1 \(faulting instruction\)$", faulting), faulting
    assert any(where.startswith("shell 1.0.0 cmd_run+0x") for where in frames), frames
