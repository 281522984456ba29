"""The crate dependency graph in Graphviz dot."""

from .closure import NANO_CORE


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(symbols):
    # "\l" ends each line left-justified in dot.
    return '"' + "".join(s.replace("\\", "\\\\").replace('"', '\\"') + "\\l"
                         for s in symbols) + '"'


def dependency_graph(archive):
    """dot source: one node per crate plus the nano-core; an edge A -> B
    labelled with the symbols A imports from B; a dashed edge from each
    alternative to the crate it can replace."""
    lines = ["digraph crates {",
             "    rankdir=LR;",
             "    node [shape=box, fontname=\"monospace\"];",
             "    edge [fontname=\"monospace\", fontsize=10];",
             f"    {_quote(NANO_CORE)} [shape=box3d];"]
    for entry in archive.crates:
        # Names and versions are validated ([a-z0-9_]+, digits and dots),
        # so the "\\n" line break below is the only escape the label needs.
        label = f"{entry.name} {entry.version}"
        if entry.alternative_of:
            label += f"\\n(alternative of {entry.alternative_of})"
        lines.append(f"    {_quote(entry.name)} [label=\"{label}\"];")
    for entry in archive.crates:
        by_provider = {}
        for symbol, provider in archive.providers.get(entry.name, {}).items():
            by_provider.setdefault(provider, []).append(symbol)
        for provider in sorted(by_provider):
            lines.append(f"    {_quote(entry.name)} -> {_quote(provider)} "
                         f"[label={_label(sorted(by_provider[provider]))}];")
        if entry.alternative_of:
            lines.append(f"    {_quote(entry.name)} -> {_quote(entry.alternative_of)} "
                         f"[style=dashed, arrowhead=empty, label=\"alternative of\"];")
    lines.append("}")
    return "\n".join(lines) + "\n"
