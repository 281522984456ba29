"""The GRUB2 boot ISO: built by `build --iso`, read by every reader."""

import os
import stat
import subprocess

import pytest

from harness import mkimage


def iso_file(iso, path_in_iso, target):
    subprocess.run(["xorriso", "-osirrox", "on", "-indev", str(iso),
                    "-extract", path_in_iso, str(target)],
                   capture_output=True, check=True)
    return target.read_bytes()


@pytest.fixture(scope="module")
def built_iso(tmp_path_factory, nano_core, good_crates):
    """(archive, iso) built together once: grub-mkrescue takes a while."""
    out = tmp_path_factory.mktemp("iso")
    archive, iso = out / "crates.archive", out / "theseus.iso"
    result = mkimage("build", "-o", archive, "--iso", iso,
                     "--grub-cfg-cmdline", "test=archive  verbose",
                     "--nano-core", nano_core,
                     good_crates["log"], good_crates["timer"], good_crates["hello"])
    assert result.returncode == 0, result.stderr
    return archive, iso


def test_iso_carries_archive_and_nano_core(tmp_path, built_iso, nano_core):
    archive, iso = built_iso
    assert iso_file(iso, "/boot/crates.archive", tmp_path / "a") == archive.read_bytes()
    assert iso_file(iso, "/boot/nano_core.elf", tmp_path / "n") == nano_core.read_bytes()


def test_grub_cfg(tmp_path, built_iso):
    _, iso = built_iso
    config = iso_file(iso, "/boot/grub/grub.cfg", tmp_path / "grub.cfg").decode()
    lines = [line.strip() for line in config.splitlines()]
    assert "set timeout=0" in lines
    assert "multiboot2 /boot/nano_core.elf 'test=archive' 'verbose'" in lines
    assert "module2 /boot/crates.archive crates" in lines


def test_iso_is_bootable_media(built_iso):
    _, iso = built_iso
    data = iso.read_bytes()
    assert data[0x8001:0x8006] == b"CD001"       # ISO 9660
    assert data[510:512] == b"\x55\xaa"           # hybrid MBR for BIOS boot
    # Not the 0600 of the temporary file it was written under.
    assert stat.S_IMODE(os.stat(iso).st_mode) == 0o666 & ~_umask()


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_list_and_verify_read_the_iso(built_iso):
    archive, iso = built_iso
    from_iso = mkimage("list", iso)
    from_archive = mkimage("list", archive)
    assert from_iso.returncode == 0, from_iso.stderr
    assert from_iso.stdout == from_archive.stdout
    assert len(from_iso.stdout.splitlines()) == 3
    verified = mkimage("verify", iso)
    assert verified.returncode == 0
    assert verified.stdout == (f"{iso}: OK: 3 crates, 6 exported symbols, "
                               f"3 nano-core exports\n")


def test_extract_from_iso(tmp_path, built_iso, good_crates):
    _, iso = built_iso
    output = tmp_path / "timer.o"
    assert mkimage("extract", iso, "timer", "-o", output).returncode == 0
    assert output.read_bytes() == good_crates["timer"].read_bytes()


def test_iso_without_archive(tmp_path):
    staging = tmp_path / "staging" / "boot" / "grub"
    staging.mkdir(parents=True)
    (staging / "grub.cfg").write_text("set timeout=0\n")
    iso = tmp_path / "plain.iso"
    subprocess.run(["grub-mkrescue", "-o", str(iso), str(tmp_path / "staging")],
                   capture_output=True, check=True)
    result = mkimage("list", iso)
    assert result.returncode == 2
    assert result.stderr == (f"mkimage: error: {iso}: no /boot/crates.archive "
                             f"in the ISO image\n")


def test_failed_iso_leaves_no_output(tmp_path, nano_core, good_crates):
    """When grub-mkrescue fails, neither the ISO nor the archive appears."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    fake = fake_bin / "grub-mkrescue"
    fake.write_text("#!/bin/sh\necho 'grub-mkrescue: error: simulated failure' >&2\n"
                    "echo partial > \"$2\"\nexit 1\n")
    fake.chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, PATH=f"{fake_bin}:{os.environ['PATH']}")
    result = mkimage("build", "-o", out / "crates.archive", "--iso", out / "t.iso",
                     "--nano-core", nano_core, good_crates["log"], env=env)
    assert result.returncode == 1
    assert result.stderr == (f"mkimage: error: {out / 't.iso'}: grub-mkrescue "
                             f"failed: grub-mkrescue: error: simulated failure\n")
    assert list(out.iterdir()) == []


def test_cmdline_needs_iso(tmp_path, nano_core, good_crates):
    result = mkimage("build", "-o", tmp_path / "a", "--grub-cfg-cmdline", "x",
                     "--nano-core", nano_core, good_crates["log"])
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "mkimage: error: --grub-cfg-cmdline needs --iso"
    assert not (tmp_path / "a").exists()
