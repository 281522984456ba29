"""The GRUB2 boot ISO: building it, and reading the archive back out of it."""

import os
import shutil
import subprocess
import tempfile

from .errors import EnvironmentFailure, InputError

ARCHIVE_PATH_IN_ISO = "/boot/crates.archive"
NANO_CORE_PATH_IN_ISO = "/boot/nano_core.elf"
ISO9660_MAGIC_OFFSET = 0x8001   # "CD001" in the primary volume descriptor
ISO9660_MAGIC = b"CD001"


def is_iso9660(head):
    """head: at least the first 0x8006 bytes of the file."""
    return head[ISO9660_MAGIC_OFFSET:ISO9660_MAGIC_OFFSET + 5] == ISO9660_MAGIC


def _grub_word(word):
    # GRUB script quotes like sh: inside '...' nothing is special but "'".
    return "'" + word.replace("'", "'\\''") + "'"


def grub_cfg(cmdline):
    """grub.cfg that boots the nano-core at once with the archive as a module.

    The command line is split into words and each word is quoted for GRUB,
    which joins the words back with single spaces when it builds the
    multiboot2 command line.
    """
    words = "".join(" " + _grub_word(word) for word in cmdline.split())
    return (
        "set timeout=0\n"
        "set default=0\n"
        "menuentry \"Theseus\" {\n"
        f"    multiboot2 {NANO_CORE_PATH_IN_ISO}{words}\n"
        f"    module2 {ARCHIVE_PATH_IN_ISO} crates\n"
        "    boot\n"
        "}\n")


def _run(command, what):
    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True,
                                errors="replace")
    except OSError as error:
        raise EnvironmentFailure(f"cannot run {command[0]}: {error.strerror}") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        detail = lines[-1].strip() if lines else f"exit status {result.returncode}"
        raise EnvironmentFailure(f"{what}: {command[0]} failed: {detail}")
    return result


def build_iso(output_tmp, output_name, nano_core_path, archive_bytes, cmdline):
    """Write the GRUB ISO to output_tmp, a temporary name the caller renames
    to output_name (the name used in messages)."""
    with tempfile.TemporaryDirectory(prefix="mkimage-iso-") as staging:
        boot = os.path.join(staging, "boot")
        os.makedirs(os.path.join(boot, "grub"))
        shutil.copyfile(nano_core_path, os.path.join(boot, "nano_core.elf"))
        with open(os.path.join(boot, "crates.archive"), "wb") as archive:
            archive.write(archive_bytes)
        with open(os.path.join(boot, "grub", "grub.cfg"), "w") as config:
            config.write(grub_cfg(cmdline))
        _run(["grub-mkrescue", "-o", output_tmp, staging], output_name)


def extract_archive(iso_path):
    """The bytes of /boot/crates.archive inside the ISO."""
    with tempfile.TemporaryDirectory(prefix="mkimage-extract-") as scratch:
        target = os.path.join(scratch, "crates.archive")
        try:
            result = subprocess.run(
                ["xorriso", "-osirrox", "on", "-indev", iso_path,
                 "-extract", ARCHIVE_PATH_IN_ISO, target],
                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                errors="replace")
        except OSError as error:
            raise EnvironmentFailure(f"cannot run xorriso: {error.strerror}") from None
        if result.returncode != 0 or not os.path.isfile(target):
            if "No such file or directory" in result.stderr:
                raise InputError(iso_path, f"no {ARCHIVE_PATH_IN_ISO} in the ISO image")
            lines = [l for l in result.stderr.splitlines() if l.strip()]
            detail = lines[-1].strip() if lines else f"exit status {result.returncode}"
            raise InputError(iso_path, f"cannot read {ARCHIVE_PATH_IN_ISO} "
                                       f"from the ISO image: {detail}")
        with open(target, "rb") as extracted:
            return extracted.read()
