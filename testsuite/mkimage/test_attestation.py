"""What mkimage refuses of a hostile object (docs/safe-c.md, docs/mkimage.md):
no valid attestation stamp of the build, a relocation against symbol 0,
more memory than the per-crate limit, an import whose type signature
differs from its provider's, and (push) a downgrade unless forced."""

import os
import re
import struct
import subprocess
from pathlib import Path

from expect import assert_rejected, error, mutated
from harness import KEY_FILE, REPO, TEST_KEY, mkimage, stamped

# The plugin of this build, for crates whose type signatures are compared
# (meson passes it; the build dir's by default).
PLUGIN = os.environ.get("THESEUS_SAFEC_PLUGIN", str(REPO / "build" / "checker" / "safec.plugin"))


def build(tmp_path, nano_core, *inputs, options=()):
    return mkimage("build", "-o", tmp_path / "crates.archive", "--nano-core", nano_core,
                   *options, *inputs)


def test_an_unstamped_crate_is_refused(tmp_path, toolchain, nano_core, good_crates):
    plain = toolchain.crate("log", files=["log.c"], stamp=False)
    assert_rejected(tmp_path, nano_core, [plain, good_crates["timer"]], error(
        plain, "refused: no attestation stamp (the object was not stamped by a build "
               "that checked it)"))


def test_a_crate_changed_after_its_stamp_is_refused(tmp_path, nano_core, good_crates):
    data = bytearray(good_crates["log"].read_bytes())
    data[100] ^= 0x01
    changed = tmp_path / "log.o"
    changed.write_bytes(bytes(data))
    result = build(tmp_path, nano_core, changed, good_crates["timer"])
    assert result.returncode == 2
    assert error(changed, "refused: attestation stamp does not match the object (changed "
                          "after the check, or stamped by another build)") in result.stderr


def test_a_crate_stamped_with_another_key_is_refused(tmp_path, nano_core, good_crates):
    other_key = tmp_path / "other.key"
    other_key.write_bytes(bytes(32))
    result = build(tmp_path, nano_core, good_crates["log"], good_crates["timer"],
                   options=("--key", other_key))
    assert result.returncode == 2
    assert "refused: attestation stamp does not match the object" in result.stderr


def test_a_truncated_stamp_is_refused(tmp_path, nano_core, good_crates):
    data = good_crates["log"].read_bytes()
    body = data[:-64]
    trailer = bytearray(data[-64:])
    struct.pack_into("<Q", trailer, 16, len(body) - 8)  # claims fewer bytes
    cut = tmp_path / "log.o"
    cut.write_bytes(body + bytes(trailer))
    result = build(tmp_path, nano_core, cut, good_crates["timer"])
    assert result.returncode == 2
    assert "refused: attestation stamp covers another size than the object has" in result.stderr


def test_build_needs_a_key(tmp_path, nano_core, good_crates):
    result = mkimage("build", "--allow-unchecked", "-o", tmp_path / "x.archive",
                     "--nano-core", nano_core, good_crates["log"], good_crates["timer"])
    assert result.returncode == 0, result.stderr  # developer mode: no key needed
    result = subprocess.run(
        ["/usr/bin/python3", str(REPO / "mkimage" / "mkimage.py"), "build", "-o",
         str(tmp_path / "y.archive"), "--nano-core", str(nano_core), str(good_crates["log"])],
        capture_output=True, text=True)
    assert result.returncode == 2
    assert "cannot verify its attestation stamp: give the build's key with --key" in result.stderr


def test_developer_mode_packs_unchecked_crates_and_says_so(tmp_path, toolchain, nano_core,
                                                            good_crates):
    plain = toolchain.crate("log", files=["log.c"], stamp=False)
    result = build(tmp_path, nano_core, plain, good_crates["timer"],
                   options=("--key", KEY_FILE, "--allow-unchecked"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"mkimage: warning: {plain}: developer mode: packed unchecked: "
                             f"no attestation stamp (the object was not stamped by a build "
                             f"that checked it)\n")


def first_relocation_to_symbol_0(elf):
    index = elf.section_index_where(lambda name: name.startswith(".rela.text"))
    offset = elf.section_get(index, "sh_offset")
    info, = struct.unpack_from("<Q", elf.data, offset + 8)
    struct.pack_into("<Q", elf.data, offset + 8, info & 0xffffffff)


def test_a_relocation_against_symbol_0_is_refused(tmp_path, nano_core, good_crates):
    bad = mutated(tmp_path, good_crates["hello"], first_relocation_to_symbol_0)
    result = build(tmp_path, nano_core, good_crates["log"], bad)
    assert result.returncode == 2
    assert re.search(re.escape(f"mkimage: error: {bad}: relocation section ") +
                     r".*entry 0 \(offset 0x[0-9a-f]+\) is a relocation against symbol 0 "
                     r"\(STN_UNDEF\)", result.stderr), result.stderr


def test_a_crate_over_the_memory_limit_is_refused(tmp_path, toolchain, nano_core, good_crates):
    hoard = toolchain.crate("hoard", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("hoard", "1.0.0", "keeps 200 MiB", "", "", "");\n'
        'CRATE_EXPORT char hoard_bytes[200u << 20];\n'))
    # 200 MiB of .bss and the 384-byte .crate_info.
    assert_rejected(tmp_path, nano_core, [hoard], error(
        hoard, "crate 'hoard' needs 209715584 bytes of memory, more than the per-crate "
               "limit of 16777216 bytes (--crate-mem-limit)"))
    # The limit is configurable; 0 means none.
    assert build(tmp_path, nano_core, hoard, options=("--crate-mem-limit", "0")).returncode == 0
    small = build(tmp_path, nano_core, good_crates["log"], options=("--crate-mem-limit", "16"))
    assert small.returncode == 2 and "more than the per-crate limit of 16 bytes" in small.stderr


def checked_crate(toolchain, name, source):
    """A crate compiled with the safe-C plugin (its record of type
    signatures included), stamped with the suite's key."""
    flags = ["-fplugin=" + PLUGIN, "-fplugin-arg-safec-crate=" + name,
             "-fplugin-arg-safec-trusted-dir=" + str(REPO / "kernel" / "include"),
             "-fplugin-arg-safec-summary=0", "-fsanitize=array-bounds",
             "-fsanitize-trap=array-bounds"]
    return toolchain.crate(name, source=source, cflags=flags)


def test_an_import_with_another_type_is_refused(tmp_path, toolchain, nano_core):
    assert Path(PLUGIN).is_file(), f"the safe-C plugin is not built: {PLUGIN}"
    provider = checked_crate(toolchain, "provider", (
        '#include <theseus/crate.h>\n'
        'CRATE("provider", "1.0.0", "exports area", "", "", "");\n'
        'struct box { long width; long height; };\n'
        'CRATE_EXPORT long area(const struct box *b) { return b->width * b->height; }\n'))
    liar = checked_crate(toolchain, "liar", (
        '#include <theseus/crate.h>\n'
        'CRATE("liar", "1.0.0", "declares area its own way", "", "", "provider");\n'
        'struct box { char width; };\n'
        'long area(const struct box *b);\n'
        'CRATE_EXPORT long liar_main(void) { struct box b = {1}; return area(&b); }\n'))
    honest = checked_crate(toolchain, "honest", (
        '#include <theseus/crate.h>\n'
        'CRATE("honest", "1.0.0", "declares area as it is", "", "", "provider");\n'
        'struct box { long width; long height; };\n'
        'long area(const struct box *b);\n'
        'CRATE_EXPORT long honest_main(void) { struct box b = {2, 3}; return area(&b); }\n'))
    assert build(tmp_path, nano_core, provider, honest).returncode == 0
    result = build(tmp_path, nano_core, provider, liar)
    assert result.returncode == 2
    assert result.stderr == error(
        liar, "crate 'liar' imports 'area' from crate 'provider' with another type: "
              "'struct:box' has another layout on each side") + "\n"


def test_push_refuses_a_downgrade_unless_forced(tmp_path, toolchain, nano_core, good_crates,
                                                 built_archive):
    old = toolchain.crate("hello", source=(
        '#include <theseus/crate.h>\n'
        'CRATE("hello", "0.0.9", "an older hello", "", "", "log");\n'
        'void log_write(const char *text);\n'
        'CRATE_EXPORT void hello_main(void) { log_write("old"); }\n'))
    socket_path = tmp_path / "none.sock"
    result = mkimage("push", "--nano-core", nano_core, "--image", built_archive,
                     "--socket", socket_path, old)
    assert result.returncode == 2
    assert result.stderr == error(old, "hello 0.0.9 would replace hello 0.1.0: a downgrade "
                                       "(use --force to allow it)") + "\n"
    forced = mkimage("push", "--nano-core", nano_core, "--image", built_archive,
                     "--socket", socket_path, "--force", old)
    assert forced.returncode == 2 and "no running system listens" in forced.stderr
