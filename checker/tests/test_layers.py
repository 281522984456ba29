"""checker/layers.py: the nano-core's layers only use the layers below."""

import os
import shutil
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LAYERS_PY = os.path.join(REPO, "checker", "layers.py")


def run(*args):
    return subprocess.run([sys.executable, LAYERS_PY, *args], capture_output=True, text=True)


def test_the_nano_core_keeps_its_layers():
    result = run("check", os.path.join(REPO, "kernel"), os.path.join(REPO, "benchmarks", "kernel"))
    assert result.returncode == 0, result.stderr
    assert ", 0 problems" in result.stdout


def copy_tree(tmp_path):
    kernel = tmp_path / "kernel"
    shutil.copytree(os.path.join(REPO, "kernel"), kernel)
    bench = tmp_path / "bench"
    shutil.copytree(os.path.join(REPO, "benchmarks", "kernel"), bench)
    return kernel, bench


def test_an_include_of_a_higher_layer_is_named(tmp_path):
    kernel, bench = copy_tree(tmp_path)
    frames = kernel / "core" / "frames.c"
    frames.write_text('#include "crate_env.h"\n' + frames.read_text())
    result = run("check", str(kernel), str(bench))
    assert result.returncode == 1
    assert ("layers: core/frames.c (memory) includes core/crate_env.h (crate environment): "
            "a layer may only use the layers below it") in result.stderr


def test_a_file_in_no_layer_is_named(tmp_path):
    kernel, bench = copy_tree(tmp_path)
    (kernel / "core" / "stray.c").write_text('#include "kernel.h"\n')
    result = run("check", str(kernel), str(bench))
    assert result.returncode == 1
    assert "layers: core/stray.c: belongs to no layer" in result.stderr


def test_tests_may_reach_any_layer(tmp_path):
    kernel, bench = copy_tree(tmp_path)
    (kernel / "lib" / "lib_test.c").write_text('#include "core/crate_env.h"\n')
    assert run("check", str(kernel), str(bench)).returncode == 0


def test_the_picture_has_every_layer():
    result = run("dot", os.path.join(REPO, "kernel"), os.path.join(REPO, "benchmarks", "kernel"))
    assert result.returncode == 0, result.stderr
    for layer in ("lib", "traps", "memory", "linker", "crate services", "main"):
        assert f'label="{layer}\\n' in result.stdout
    assert "L10 -> L9;" in result.stdout  # main uses the runners


SOURCE_TREES = ("kernel", "crates", "benchmarks", "testsuite", "checker")


def repo_files(suffixes):
    for top in SOURCE_TREES:
        for dirpath, _, files in os.walk(os.path.join(REPO, top)):
            for f in files:
                if f.endswith(suffixes):
                    yield os.path.join(dirpath, f)


def test_every_header_has_one_name():
    seen = {}
    for path in repo_files((".h",)):
        seen.setdefault(os.path.basename(path), []).append(os.path.relpath(path, REPO))
    twice = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert not twice, f"header names used twice: {twice}"


def test_no_include_climbs_out_of_its_folder():
    climbing = []
    for path in repo_files((".c", ".h", ".S", ".cpp")):
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                if line.lstrip().startswith("#include") and '"../' in line:
                    climbing.append(f"{os.path.relpath(path, REPO)}:{number}: {line.strip()}")
    assert not climbing, "\n".join(climbing)
