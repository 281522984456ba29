"""Command-line behaviour: usage errors, exit statuses, outputs that never
appear half-written."""

import os

import pytest

from harness import mkimage


def test_no_command_is_a_usage_error():
    result = mkimage()
    assert result.returncode == 2
    assert result.stderr.startswith("usage: mkimage ")
    assert result.stderr.splitlines()[-1].startswith("mkimage: error: ")
    assert result.stdout == ""


def test_unknown_command():
    result = mkimage("pack")
    assert result.returncode == 2
    assert "mkimage: error: argument COMMAND: invalid choice: 'pack'" in result.stderr


def test_build_requires_output_and_nano_core(good_crates):
    result = mkimage("build", good_crates["log"])
    assert result.returncode == 2
    assert result.stderr.startswith("usage: mkimage build ")
    assert result.stderr.splitlines()[-1] == (
        "mkimage: error: the following arguments are required: "
        "-o/--output, --nano-core")


def test_build_requires_a_crate(tmp_path, nano_core):
    result = mkimage("build", "-o", tmp_path / "a", "--nano-core", nano_core)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "mkimage: error: the following arguments are required: CRATE.o")


@pytest.mark.parametrize("command", ["build", "list", "verify", "extract", "graph"])
def test_help(command):
    result = mkimage(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: mkimage {command} ")


def test_build_is_silent_on_success(tmp_path, nano_core, base_set):
    result = mkimage("build", "-o", tmp_path / "a.archive", "--nano-core",
                     nano_core, *base_set)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert sorted(os.listdir(tmp_path)) == ["a.archive"]
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "a.archive").stat().st_mode & 0o777 == 0o666 & ~mask


def test_failed_build_keeps_previous_output(tmp_path, nano_core, base_set, good_crates):
    output = tmp_path / "crates.archive"
    assert mkimage("build", "-o", output, "--nano-core", nano_core,
                   *base_set).returncode == 0
    before = output.read_bytes()
    result = mkimage("build", "-o", output, "--nano-core", nano_core,
                     good_crates["hello"])
    assert result.returncode == 2
    assert output.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["crates.archive"]


def test_unwritable_output_directory(tmp_path, nano_core, base_set):
    output = tmp_path / "missing-dir" / "crates.archive"
    result = mkimage("build", "-o", output, "--nano-core", nano_core, *base_set)
    assert result.returncode == 1
    assert result.stderr == (f"mkimage: error: {output}: cannot create: "
                             f"No such file or directory\n")


def test_missing_archive(tmp_path):
    missing = tmp_path / "none.archive"
    result = mkimage("list", missing)
    assert result.returncode == 2
    assert result.stderr == f"mkimage: error: {missing}: No such file or directory\n"
