"""The number types of the tools' command lines (theseus_image/argtypes.py):
each bad value is a usage error naming it; good ones come back as numbers.
And the tools that take them refuse a bad one before they boot anything."""

import argparse
import os
import subprocess
import sys

import pytest

from harness import REPO

sys.path.insert(0, os.path.join(REPO, "mkimage"))
from theseus_image import argtypes  # noqa: E402


@pytest.mark.parametrize("text", ["0", "-5", "x", "", "1.5", "0x10", " "])
def test_positive_int_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError, match=f"invalid count '{text}'"):
        argtypes.positive_int(text)


@pytest.mark.parametrize("text", ["-1", "x", "", "2.0"])
def test_non_negative_int_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError, match=f"invalid number '{text}'"):
        argtypes.non_negative_int(text)


@pytest.mark.parametrize("text", ["0", "-1", "x", "inf", "nan", "-inf", ""])
def test_seconds_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError, match=f"invalid timeout '{text}'"):
        argtypes.seconds(text)


def test_good_values_come_back_as_numbers():
    assert argtypes.positive_int("7") == 7
    assert argtypes.non_negative_int("0") == 0
    assert argtypes.seconds("0.5") == 0.5


@pytest.mark.parametrize("tool, args, said", [
    ("benchmarks/run_bench.py", ["--iters", "-5"], "argument --iters: invalid count '-5'"),
    ("benchmarks/run_bench.py", ["--boots", "0"], "argument --boots: invalid count '0'"),
    ("benchmarks/run_bench.py", ["--timeout", "nan"], "argument --timeout: invalid timeout 'nan'"),
    ("benchmarks/fault_campaign.py", ["--jobs", "0"], "argument --jobs: invalid count '0'"),
    ("benchmarks/fault_campaign.py", ["--seed", "-1"], "argument --seed: invalid number '-1'"),
    ("testsuite/qemu/run_ktests.py", ["--max-boots", "0"], "argument --max-boots: invalid count '0'"),
])
def test_tools_refuse_a_bad_number_as_a_usage_error(tool, args, said):
    r = subprocess.run([sys.executable, os.path.join(REPO, tool), "--kernel", "k", "--initrd", "i", *args],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert said in r.stderr
    assert "Traceback" not in r.stderr
