"""`mkimage graph`: the crate dependency graph as Graphviz dot."""

import subprocess

from harness import mkimage


def graph_of(tmp_path, nano_core, inputs):
    archive = tmp_path / "crates.archive"
    assert mkimage("build", "-o", archive, "--nano-core", nano_core,
                   *inputs).returncode == 0
    result = mkimage("graph", archive)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_edges_name_imported_symbols(tmp_path, nano_core, base_set):
    dot = graph_of(tmp_path, nano_core, base_set)
    lines = [line.strip() for line in dot.splitlines()]
    assert lines[0] == "digraph crates {"
    assert '"nano_core" [shape=box3d];' in lines
    assert '"log" -> "nano_core" [label="serial_write\\l"];' in lines
    assert '"timer" -> "log" [label="log_write\\l"];' in lines
    assert '"timer" -> "nano_core" [label="memcpy\\l"];' in lines
    assert '"hello" -> "log" [label="log_write\\l"];' in lines
    edges = [line for line in lines if "->" in line]
    assert len(edges) == 4


def test_alternative_drawn_but_not_a_provider(tmp_path, nano_core, good_crates):
    dot = graph_of(tmp_path, nano_core, [good_crates["log"], good_crates["log_v2"],
                                        good_crates["hello"]])
    lines = [line.strip() for line in dot.splitlines()]
    assert ('"log_v2" -> "log" [style=dashed, arrowhead=empty, '
            'label="alternative of"];') in lines
    assert '"hello" -> "log" [label="log_write\\l"];' in lines
    assert not any(line.startswith('"hello" -> "log_v2"') for line in lines)


def test_dot_renders_it(tmp_path, nano_core, good_crates):
    dot = graph_of(tmp_path, nano_core, list(good_crates.values()))
    rendered = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True,
                              text=True)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stderr == ""
    assert "<svg" in rendered.stdout
    for name in ("log 1.0.0", "timer 0.3.1", "hello 0.1.0", "nano_core"):
        assert name in rendered.stdout
