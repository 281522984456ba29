"""Crates built out of tree, packed into a boot image with the tree's crates
(`./theseus mkimage build ... NAME.o`) and booted (`./theseus run
--initrd`): `run`, `spawn` and `swap` treat them as any other crate."""

import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("THESEUS_BUILD_ROOT", "")

pytestmark = pytest.mark.skipif(not os.path.isfile(os.path.join(BUILD, "crates.archive")),
                                reason="THESEUS_BUILD_ROOT not built")

# An alternative of the tree's hello, from outside the tree.
LOUD_HEADER = """\
#include <theseus/result.h>
#include <theseus/slice.h>
struct status hello_main(struct str args);
"""
LOUD_SOURCE = """\
#include <theseus/crate.h>
#include "hello_loud.h"
#include "log.h"

CRATE("hello_loud", "3.0.0", "hello, louder", "", "hello", "log");

CRATE_EXPORT struct status hello_main(struct str args)
{
	(void)args;
	log_write(LOG_INFO, STR("hello"), STR("HELLO FROM OUTSIDE THE TREE"));
	return STATUS_OK;
}
"""


def theseus(command, env, stdin=None):
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, input=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert done.returncode == 0, f"{command}:\n{done.stdout}"
    return done.stdout


def test_out_of_tree_crates_in_a_boot_image_run_spawn_and_swap(tmp_path):
    env = dict(os.environ, THESEUS_BUILD_DIR=BUILD, THESEUS_PUSH_SOCKET="",
               PYTHONDONTWRITEBYTECODE="1", W=str(tmp_path))
    theseus("./theseus new greet --dir $W", env)
    loud = tmp_path / "hello_loud"
    (loud / "include").mkdir(parents=True)
    (loud / "include" / "hello_loud.h").write_text(LOUD_HEADER)
    (loud / "hello_loud.c").write_text(LOUD_SOURCE)
    theseus("./theseus build-crate $W/greet && ./theseus build-crate $W/hello_loud", env)
    # The tree's crates by name: a glob could catch a stale object.
    with open(os.path.join(BUILD, "crates", "crate-build.json")) as f:
        names = json.load(f)["crates"]
    tree = " ".join(f"{BUILD}/crates/{name}.o" for name in names)
    theseus(f"./theseus mkimage build -o $W/my.archive --nano-core {BUILD}/kernel/nano_core.elf "
            f"{tree} $W/greet/build/greet.o $W/hello_loud/build/hello_loud.o", env)
    listing = theseus("./theseus mkimage list $W/my.archive", env)
    assert "\ngreet 0.1.0: " in listing
    assert "\nhello_loud 3.0.0 [alternative of hello]: " in listing

    out = theseus("./theseus run --initrd $W/my.archive", env, stdin="\n".join([
        "run greet world", "spawn greet Ada", "sleep 50", "run hello",
        "swap hello hello_loud", "run hello", "crates --all"]) + "\n")
    assert f"crates: archive with {len(names) + 2} crates" in out
    run = out.split("theseus> run greet world", 1)[1]
    assert "loaded greet 0.1.0 (explicit request for symbol greet_main)" in run
    assert "[greet] info: Hello, world!" in run
    assert "[greet] info: Hello, Ada!" in out.split("theseus> spawn greet Ada", 1)[1]
    assert "swapped hello -> hello_loud" in out
    after = out.split("theseus> swap hello hello_loud", 1)[1]
    assert "[hello] info: HELLO FROM OUTSIDE THE TREE" in after
    listing = out.split("theseus> crates --all", 1)[1]
    assert "\ngreet " in listing and "\nhello_loud " in listing
