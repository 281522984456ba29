"""The crate pipeline without booting: crate folders and their discovery,
the one recipe both builds follow, `new`, and `build-crate`'s one-line
errors (mkimage/crate_tool.py, docs/writing-a-crate.md)."""

import json
import os
import shlex
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("THESEUS_BUILD_ROOT", "")
DESCRIPTION = os.path.join(BUILD, "crates", "crate-build.json")
TOOL = os.path.join(ROOT, "mkimage", "crate_tool.py")
PY = "/usr/bin/python3"

sys.path.insert(0, os.path.join(ROOT, "mkimage"))
from theseus_image import crate_folder, crate_new, crate_pipeline  # noqa: E402

built = pytest.mark.skipif(not os.path.isfile(os.path.join(BUILD, "crates.archive")),
                           reason="THESEUS_BUILD_ROOT not built")


def tool(*args, cwd=None):
    done = subprocess.run([PY, TOOL, *args], cwd=cwd or ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    return done.returncode, done.stdout, done.stderr


def new(name, *args):
    return tool("new", "--description", DESCRIPTION, name, *args)


def build_crate(folder, *args):
    return tool("build-crate", "--description", DESCRIPTION, str(folder), *args)


def write(folder, files):
    for relative, text in files.items():
        path = os.path.join(folder, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            out.write(text)
    return folder


def crate(folder, name, files=None, version="0.1.0", alternative_of=""):
    """A crate folder with a valid record and header, plus `files`."""
    base = {
        f"include/{name}.h": f"#include <theseus/result.h>\n#include <theseus/slice.h>\n",
        f"{name}.c": (f'#include <theseus/crate.h>\n#include "{name}.h"\n'
                      f'CRATE("{name}", "{version}", "a test crate", "", "{alternative_of}", "");\n'),
    }
    base.update(files or {})
    return write(os.path.join(folder, name), base)


def errors(stderr):
    return [line for line in stderr.splitlines() if line and not line.startswith("ninja:")]


# ---- crate folders and their discovery ----

def test_discovery_lists_crate_folders_and_their_sources(tmp_path):
    crate(tmp_path, "alpha", {"alpha_test.c": ""})
    crate(tmp_path, "beta")
    (tmp_path / ".beta.new-x").mkdir()          # a `new` still writing
    (tmp_path / "meson.build").write_text("")   # files beside the folders
    (tmp_path / "alpha" / "notes.txt").write_text("")
    assert crate_folder.listing(crate_folder.discover(str(tmp_path))) == \
        "alpha alpha.c alpha_test.c\nbeta beta.c\n"


@pytest.mark.parametrize("layout, message", [
    ({"greet.c": ""},
     "crates/greet: no include/ folder; a crate's public header goes in "
     "crates/greet/include/greet.h (./theseus new greet writes a skeleton with one)"),
    ({"greet.c": "", "include/other.h": ""},
     "crates/greet: no public header include/greet.h; create it with the declarations "
     "other crates may use (./theseus new greet writes one)"),
    ({"include/greet.h": ""},
     "crates/greet: no C source (greet.c) directly in the folder"),
    ({"include/greet.h": "", "my file.c": ""},
     "crates/greet/my file.c: rename it to letters, digits, '_', '.', '+' and '-' "
     "(the build splits names at spaces)"),
])
def test_a_bad_crate_folder_is_refused_in_one_line_with_the_fix(tmp_path, layout, message):
    write(str(tmp_path / "greet"), layout)
    with pytest.raises(crate_folder.FolderError) as refused:
        crate_folder.discover(str(tmp_path))
    assert str(refused.value) == message
    status, out, err = tool("folders", str(tmp_path))
    assert (status, out, err) == (2, "", f"theseus: {message}\n")


@pytest.mark.parametrize("name, why", [
    ("Greet", "is not a crate name"), ("9lives", "is not a crate name"),
    ("greet-2", "is not a crate name"), ("", "is not a crate name"),
    ("a" * 32, "is 32 characters long; a crate name has at most 31"),
    ("nano_core", "is reserved for the nano-core"),
])
def test_crate_names(name, why):
    assert why in crate_folder.name_problem(name)


def test_good_crate_names():
    for name in ("greet", "my_sched2", "a" * 31, "ktest_cycle_a"):
        assert crate_folder.name_problem(name) is None


# ---- one recipe: the in-tree build follows it ----

@built
def test_every_in_tree_crate_compile_is_the_recipe():
    """compile_commands.json against crate-build.json: what meson adds on
    its own is listed here, each with why it cannot matter; anything else a
    crate compile has that the recipe lacks (or the reverse) fails."""
    recipe = crate_pipeline.read(DESCRIPTION)
    with open(os.path.join(BUILD, "compile_commands.json")) as f:
        entries = json.load(f)
    crates_dir = os.path.realpath(os.path.join(ROOT, "crates"))
    seen = {}
    for entry in entries:
        source = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
        if not source.startswith(crates_dir + os.sep):
            continue
        name = os.path.relpath(source, crates_dir).split(os.sep)[0]
        seen.setdefault(name, []).append(os.path.basename(source))
        argv = shlex.split(entry["command"])
        flags, includes, skip = [], [], False
        for arg in argv[1:]:
            if skip:
                skip = False
            elif arg in ("-o", "-MF", "-MQ"):
                skip = True          # meson's output and dependency files
            elif arg in ("-c", "-MD", entry["file"]):
                pass
            elif arg in ("-fcolor-diagnostics", "-D_FILE_OFFSET_BITS=64"):
                pass                 # colour, and a macro only libc headers read
            elif arg.startswith("-I"):
                path = os.path.realpath(os.path.join(entry["directory"], arg[2:]))
                if not path.endswith(".a.p"):   # meson's empty private folder
                    includes.append(path)
            elif flags[-1:] == ["-include"]:
                # The plugin-ready header: build-relative in-tree (ninja
                # matches depfiles by that name), absolute in the recipe.
                flags.append(os.path.realpath(os.path.join(entry["directory"], arg)))
            else:
                flags.append(arg)
        assert argv[:1] == recipe["compiler"], source
        expected = (recipe["compile_args"] + recipe["plugin_args"]
                    + [a.replace("{CRATE}", name) for a in recipe["crate_args"]])
        assert flags == expected, source
        assert includes == [os.path.realpath(p) for p in recipe["include_dirs"]], source
    assert {n: sorted(s) for n, s in seen.items()} == recipe["crates"]


@built
def test_every_in_tree_crate_object_is_finished_by_the_recipe():
    """Each crates/NAME.o is made by `crate_tool.py finish` with the recipe,
    so a step added to the recipe runs on it."""
    recipe = crate_pipeline.read(DESCRIPTION)
    with open(os.path.join(BUILD, "build.ninja")) as f:
        ninja = f.read()
    for name in recipe["crates"]:
        block = ninja.split(f"\nbuild crates/{name}.o: CUSTOM_COMMAND", 1)[1].split("\nbuild ", 1)[0]
        command = next(line for line in block.splitlines() if line.strip().startswith("COMMAND"))
        assert "crate_tool.py finish --description crates/crate-build.json" in command, name
        assert f"--crate {name} " in command, name


def _stamping_recipe(tmp_path, fail=False):
    """The build's recipe with two steps more: one that writes a new object
    (a section added), one that changes it in place; or one that fails."""
    recipe = crate_pipeline.read(DESCRIPTION)
    stamp = tmp_path / "stamp.bin"
    stamp.write_bytes(b"checked\n")
    if fail:
        recipe["steps"].append({"name": "refuse", "command": ["false", "{INPUT}"]})
    else:
        recipe["steps"].append({"name": "stamp", "command": [
            "llvm-objcopy-19", f"--add-section=.stamp={stamp}", "{INPUT}", "{OUTPUT}"]})
        recipe["steps"].append({"name": "mark", "command": [
            "llvm-objcopy-19", f"--add-section=.mark.{{CRATE}}={stamp}", "{INPUT}"]})
    path = tmp_path / "crate-build.json"
    crate_pipeline.write(recipe, str(path))
    return str(path)


def _sections(obj):
    out = subprocess.run(["llvm-readelf-19", "-S", "-W", obj], capture_output=True, text=True,
                         check=True).stdout
    return {word for line in out.splitlines() for word in line.split() if word.startswith(".")}


@built
def test_a_step_added_to_the_recipe_reaches_in_tree_and_out_of_tree_crates(tmp_path):
    recipe = _stamping_recipe(tmp_path)
    # In-tree: what ninja runs for crates/fmt.o, with this recipe.
    out = tmp_path / "fmt.o"
    assert tool("finish", "--description", recipe, "--crate", "fmt", "-o", str(out),
                os.path.join(BUILD, "crates", "libcrate_fmt.a"))[0] == 0
    assert {".stamp", ".mark.fmt"} <= _sections(str(out))
    # Out of tree: build-crate follows the same recipe.
    folder = crate(str(tmp_path), "stamped")
    status, _, err = tool("build-crate", "--description", recipe, folder)
    assert status == 0, err
    assert {".stamp", ".mark.stamped"} <= _sections(os.path.join(folder, "build", "stamped.o"))


@built
def test_a_failing_step_leaves_no_object(tmp_path):
    recipe = _stamping_recipe(tmp_path, fail=True)
    folder = crate(str(tmp_path), "refused")
    status, _, err = tool("build-crate", "--description", recipe, folder)
    assert status == 1
    assert errors(err) == [f"{folder}: error: the crate step 'refuse' failed: no message"]
    assert not os.path.exists(os.path.join(folder, "build", "refused.o"))
    assert [n for n in os.listdir(os.path.join(folder, "build")) if n.startswith(".")] == []
    out = tmp_path / "fmt.o"
    status, _, err = tool("finish", "--description", recipe, "--crate", "fmt", "-o", str(out),
                          os.path.join(BUILD, "crates", "libcrate_fmt.a"))
    assert status == 1 and "the crate step 'refuse' failed" in err
    assert sorted(os.listdir(tmp_path)) == ["crate-build.json", "refused", "stamp.bin"]


@built
def test_a_copied_crate_whose_record_was_not_renamed_is_refused_with_the_fix(tmp_path):
    """What copying crates/hello to crates/hello_v2 without changing its
    CRATE(...) line gives: the in-tree finish step says so and writes nothing."""
    out = tmp_path / "hello_v2.o"
    status, _, err = tool("finish", "--description", DESCRIPTION, "--crate", "hello_v2",
                          "-o", str(out), os.path.join(BUILD, "crates", "libcrate_hello.a"))
    assert (status, err) == (1, "theseus: crates/hello_v2: its CRATE(...) record names the crate "
                                "'hello', but its folder is hello_v2/; fix: make the first field "
                                "of CRATE(...) \"hello_v2\"\n")
    assert os.listdir(tmp_path) == []


# ---- new ----

@built
@pytest.mark.parametrize("name, message", [
    ("Greet", "theseus: new: 'Greet' is not a crate name: use lower-case letters, digits and "
              "'_', starting with a letter (e.g. 'greet' or 'my_sched')"),
    ("hello", "theseus: new: 'hello' is taken: crates/hello/ is a crate of the tree; "
              "choose another name"),
    ("kernel", "theseus: new: 'kernel' is taken: the nano-core exports kernel_"),
    ("nano_core", "theseus: new: 'nano_core' is reserved for the nano-core; choose another name"),
])
def test_new_refuses_a_bad_or_taken_name(tmp_path, name, message):
    status, out, err = new(name, "--dir", str(tmp_path))
    assert status == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1
    assert os.listdir(tmp_path) == []


@built
def test_new_refuses_bad_folders(tmp_path):
    (tmp_path / "greet").mkdir()
    (tmp_path / "file").write_text("")
    for args, message in [
        (["--dir", str(tmp_path)], f"theseus: new: {tmp_path}/greet already exists; "
                                   f"choose another name or folder\n"),
        (["--dir", str(tmp_path / "nope")], f"theseus: new: --dir {tmp_path}/nope: no such "
                                            f"folder; create it first\n"),
        (["--dir", str(tmp_path / "file")], f"theseus: new: --dir {tmp_path}/file: not a folder\n"),
        (["--dir", os.path.join(ROOT, "kernel")],
         f"theseus: new: --dir {ROOT}/kernel is inside the source tree {ROOT}: in-tree crates "
         f"go in crates/ (leave out --dir), out-of-tree crates outside the tree\n"),
    ]:
        status, out, err = new("greet", *args)
        assert (status, out, err) == (2, "", message)
    assert sorted(os.listdir(tmp_path)) == ["file", "greet"]


@built
def test_new_writes_all_of_the_folder_or_none_of_it(tmp_path, monkeypatch, capsys):
    """A write that fails half-way leaves neither the crate folder nor the
    scratch folder it was being written in."""
    real_open = open
    written = []

    def failing_open(path, mode="r", *args, **kwargs):
        if "w" in mode:
            written.append(path)
            if len(written) == 3:
                raise OSError(28, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    args = type("Args", (), {"name": "greet", "description": DESCRIPTION, "dir": str(tmp_path)})
    assert crate_new.run(args) == 1
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []
    assert capsys.readouterr().err == (f"theseus: new: {tmp_path}/greet: cannot write: "
                                       f"No space left on device\n")


@built
def test_new_in_the_tree_writes_crates_name(tmp_path):
    """Without --dir the crate goes into the tree's crates/ (here a stand-in
    tree: this test must not write into the real one)."""
    recipe = crate_pipeline.read(DESCRIPTION)
    (tmp_path / "crates").mkdir()
    recipe["source_root"] = str(tmp_path)
    crate_pipeline.write(recipe, str(tmp_path / "crate-build.json"))
    status, out, err = tool("new", "--description", str(tmp_path / "crate-build.json"), "greet")
    assert status == 0, err
    assert out == ("created crates/greet: greet.c, greet_bench.c, greet_test.c, include/greet.h\n"
                   "next: ./theseus build (crates/greet joins the build), then `run greet you` "
                   "in ./theseus run\n")
    assert crate_folder.discover(str(tmp_path / "crates")) == {
        "greet": ["greet.c", "greet_bench.c", "greet_test.c"]}


@built
def test_the_skeleton_passes_the_checker(tmp_path):
    """(Its tests pass too: the tutorial's replay runs them.)"""
    status, out, err = new("probe", "--dir", str(tmp_path))
    assert status == 0, err
    status, out, err = build_crate(tmp_path / "probe")
    assert (status, errors(err)) == (0, []), out + err
    assert out == (f"built {tmp_path}/probe/build/probe.o: probe 0.1.0, "
                   f"exports probe_greeting probe_main\n")
    # Everything went to the crate's build folder.
    assert sorted(os.listdir(tmp_path / "probe")) == ["build", "include", "probe.c",
                                                     "probe_bench.c", "probe_test.c"]


# ---- build-crate: one line per problem, naming the file and the fix ----

@built
def test_compile_errors_name_the_file_and_the_fix(tmp_path):
    folder = crate(str(tmp_path), "oops", {
        "a.c": '#include "oop.h"\n',
        "b.c": "int oops_second(const int *v) { return *(v + 1); }\n",
        "c.c": ('#include <theseus/slice.h>\n'
                'void oops_count(void) { fmt_u64(0, 1); }\n'),
        "d.c": ('#include <theseus/slice.h>\n'
                'void oops_say(struct str s) { kernel_console_write(s); }\n'),
    })
    status, out, err = build_crate(folder)
    assert status == 1 and out == ""
    assert errors(err) == [
        f"{folder}/a.c:1:10: error: no header 'oop.h' on the crate include path; "
        f"did you mean 'oops.h'?",
        f"{folder}/b.c:1:44: error: pointer arithmetic ('+') on 'const int *'; hint: index a "
        f"true array (bounds-checked at run time) or use a bounds-checked slice from a trusted "
        f"header [safe-c-pointer-arithmetic]",
        f"{folder}/c.c:2:25: error: 'fmt_u64' is not declared here; fix: #include \"fmt.h\" "
        f"(crate fmt exports it)",
        f"{folder}/d.c:2:31: error: 'kernel_console_write' is not declared here; fix: "
        f"#include <theseus/console.h> (the nano-core exports it)",
    ]
    assert not os.path.exists(os.path.join(folder, "build", "oops.o"))


@built
def test_link_errors_name_the_file_and_the_fix(tmp_path):
    folder = crate(str(tmp_path), "links", {
        "include/links.h": "void links_later(void);\n",
        "calls.c": ('#include <theseus/crate.h>\n#include <theseus/slice.h>\n#include "links.h"\n'
                    'void cmd_run(struct str args);\nvoid nosuch_function(void);\n'
                    'void links_go(void) { links_later(); cmd_run(STR("")); nosuch_function(); }\n'),
        "clash.c": ('#include <theseus/crate.h>\n#include <theseus/result.h>\n'
                    '#include <theseus/slice.h>\n'
                    'CRATE_EXPORT struct status hello_main(struct str args) '
                    '{ (void)args; return STATUS_OK; }\n'),
    })
    status, out, err = build_crate(folder)
    assert status == 1
    assert errors(err) == [
        f"{folder}/calls.c: error: 'cmd_run' is used but crate shell keeps it private (no "
        f"CRATE_EXPORT); fix: call what \"shell.h\" declares",
        f"{folder}/calls.c: error: 'links_later' is used but never defined: include/links.h "
        f"declares it; fix: define it in a .c file of links, with CRATE_EXPORT",
        f"{folder}/calls.c: error: 'nosuch_function' is used but no crate of the image and not "
        f"the nano-core exports it; fix: define it in this crate, or add the crate that exports "
        f"it to the image",
        f"{folder}/clash.c: error: links exports 'hello_main', which crate hello exports too; "
        f"fix: rename it (a crate's exports start with its name), or make it static",
    ]
    assert not os.path.exists(os.path.join(folder, "build", "links.o"))


@built
def test_a_crate_record_that_disagrees_with_the_folder(tmp_path):
    folder = crate(str(tmp_path), "named", {
        "named.c": '#include <theseus/crate.h>\nCRATE("other", "0.1.0", "", "", "", "");\n'})
    status, _, err = build_crate(folder)
    assert (status, errors(err)) == (1, [
        f"{folder}/named.c: error: CRATE(\"other\", ...) names the crate 'other', but its "
        f"folder is named/; fix: make them the same"])
    write(folder, {"named.c": "int named_x;\n"})
    status, _, err = build_crate(folder)
    assert (status, errors(err)) == (1, [
        f"{folder}: error: no source declares the crate; fix: add CRATE(\"named\", \"0.1.0\", "
        f"\"what it does\", \"\", \"\", \"\"); to named.c"])


@built
def test_build_crate_refuses_bad_folders_and_places(tmp_path):
    hello = crate(str(tmp_path), "hello")
    nohead = write(str(tmp_path / "nohead"), {"nohead.c": ""})
    greet = crate(str(tmp_path), "greet")
    for args, message in [
        ([hello], f"{hello}: error: the tree has a crate named 'hello' already (crates/hello/); "
                  f"fix: rename the folder and the name in its CRATE(...) line"),
        ([nohead], f"theseus: build-crate: {nohead}: no include/ folder; a crate's public header "
                   f"goes in {nohead}/include/nohead.h (./theseus new nohead writes a skeleton "
                   f"with one)"),
        ([str(tmp_path / "none")], f"theseus: build-crate: {tmp_path}/none: no such folder"),
        ([os.path.join(ROOT, "crates", "fmt")],
         f"theseus: build-crate: {ROOT}/crates/fmt is a crate of the tree: ./theseus build "
         f"builds it (./theseus push fmt sends it)"),
        ([greet, "--out", os.path.join(ROOT, "kernel", "out")],
         f"theseus: build-crate: --out {ROOT}/kernel/out is inside the source tree {ROOT}; "
         f"write the crate's build elsewhere"),
        ([greet, "--frob"], "theseus: unrecognized arguments: --frob (usage: ./theseus "
                            "build-crate PATH [--out DIR] [--test | --bench] [--verbose])"),
    ]:
        status, out, err = build_crate(*args)
        assert (status, out, errors(err)) == (2, "", [message])
    assert not os.path.exists(os.path.join(ROOT, "kernel", "out"))
    assert not os.path.exists(os.path.join(hello, "build"))


@built
def test_build_crate_writes_only_its_output_folder_and_rebuilds_what_changed(tmp_path):
    folder = crate(str(tmp_path), "quiet", {"more.c": "int quiet_more(void) { return 1; }\n"})
    out = tmp_path / "elsewhere"
    status, stdout, err = build_crate(folder, "--out", str(out), "--verbose")
    assert status == 0, err
    compiled = [line for line in stdout.splitlines() if line.startswith("clang-19 ")]
    assert len(compiled) == 2
    assert sorted(os.listdir(folder)) == ["include", "more.c", "quiet.c"]
    assert os.path.isfile(out / "quiet.o")
    # Nothing changed: nothing compiled. A header changed: what includes it.
    status, stdout, _ = build_crate(folder, "--out", str(out), "--verbose")
    assert [l for l in stdout.splitlines() if l.startswith("clang-19 ")] == []
    os.utime(os.path.join(folder, "include", "quiet.h"))
    status, stdout, _ = build_crate(folder, "--out", str(out), "--verbose")
    again = [l for l in stdout.splitlines() if l.startswith("clang-19 ")]
    assert len(again) == 1 and again[0].split(" -c ")[1].startswith(f"{folder}/quiet.c")


# ---- the front door ----

def front_door(*args):
    done = subprocess.run([os.path.join(ROOT, "theseus"), *args], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, THESEUS_BUILD_DIR=BUILD,
                                              PYTHONDONTWRITEBYTECODE="1"))
    return done.returncode, done.stdout, errors(done.stderr)


@built
def test_the_front_door_says_what_is_wrong_in_one_line(tmp_path):
    assert front_door("new") == (2, "", ["theseus: usage: ./theseus new CRATE [--dir PATH]"])
    assert front_door("build-crate") == (2, "", [
        "theseus: usage: ./theseus build-crate PATH [--out DIR] [--test | --bench] [--verbose]"])
    assert front_door("push", str(tmp_path / "none")) == (2, "", [
        f"theseus: {tmp_path}/none: no such crate folder or crate object"])
    status, _, err = front_door("push", "greet")
    assert status == 2 and err == [
        "theseus: no crate 'greet' in crates/ (the crates are: " + " ".join(
            sorted(crate_pipeline.read(DESCRIPTION)["crates"])) + "); a crate folder elsewhere "
        "is pushed by its path, e.g. ./greet"]
    # An object with nothing running: push says so, nothing else happens.
    status, _, err = front_door("push", os.path.join(BUILD, "crates", "hello.o"),
                                "--socket", str(tmp_path / "no.sock"))
    assert status == 2
    assert err == [f"mkimage: error: no running system listens on {tmp_path}/no.sock "
                   f"(start ./theseus run first)"]
