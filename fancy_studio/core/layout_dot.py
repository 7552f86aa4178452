"""Layers, order and heights from Graphviz's `dot` (through `pygraphviz`, whose wheels bundle Graphviz). No Qt.

`dot` crosses two to three times fewer wires than our own layered layout on graphs of a few hundred to a
thousand nodes (`tests/benchmarks/bench_layout.py --crossings`), but its time grows faster than the graph
(a second or two at 1,000 nodes, a minute at 3,000): `layout.py` asks it up to `DOT_MAX_NODES`.

Each node is a box of its drawn size; a node whose ports are not at its middle (a step with several
inputs) is an HTML table with a cell at each port's height, and each wire leaves and enters its own port,
so `dot` orders a step's inputs as they are drawn and draws them straight where it can. Only what `dot`
decides is kept, the layer of each node (its rank: nodes share a centre x) and its height; columns, rows
and the grid stay ours.

`pygraphviz` is imported on the first layout, never at start-up; where it cannot be imported (no wheel for
the platform) or `dot` fails, `dot_layers` returns None and the caller lays out on its own.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import contextmanager

Size = tuple[float, float]
POINTS = 72.0
"""Graphviz sizes are inches; ours are scene pixels, taken as points."""


def available() -> bool:
    try:
        import pygraphviz  # noqa: F401
    except ImportError:
        return False
    return True


def dot_layers(sizes: Sequence[Size], ports: Sequence[dict[tuple[str, str | None], float]],
               edges: Sequence[tuple[int, int, tuple[str, str | None], tuple[str, str | None]]],
               node_gap: float, layer_gap: float) -> tuple[list[list[int]], list[float]] | None:
    """The nodes by layer, each top to bottom, and each node's top; None where `dot` cannot say.

    `ports[i]` maps a port of node i, ("in" or "out", name), to its height below the node's top; `edges`
    are (tail, head, tail's port, head's port)."""
    try:
        import pygraphviz
    except ImportError:
        return None
    graph = pygraphviz.AGraph(directed=True, strict=False)
    graph.graph_attr.update(rankdir="LR", splines="false", nodesep=f"{node_gap / POINTS:.4f}",
                            ranksep=f"{layer_gap / POINTS:.4f}")
    graph.node_attr.update(shape="box", fixedsize="true", label="", margin="0")
    names: list[dict[tuple[str, str | None], str]] = []
    for node, ((width, height), node_ports) in enumerate(zip(sizes, ports)):
        label, names_here = _ports_table(width, height, node_ports)
        names.append(names_here)
        attributes = {"width": f"{width / POINTS:.4f}", "height": f"{height / POINTS:.4f}"}
        if label:  # as big as its table, which is the node's size (fixed, dot finds the table a hair too big)
            attributes.update(shape="plain", label=label, fixedsize="false", width="0", height="0")
        graph.add_node(node, **attributes)
    for tail, head, tail_port, head_port in edges:
        attributes = {}
        if tail_port in names[tail]:
            attributes["tailport"] = names[tail][tail_port]
        if head_port in names[head]:
            attributes["headport"] = names[head][head_port]
        graph.add_edge(tail, head, **attributes)
    try:
        with _quiet_stderr():  # Graphviz's own fontconfig may grumble about the system's newer config files
            graph.layout(prog="dot")
        centres = {int(node): tuple(float(v) for v in node.attr["pos"].split(",")) for node in graph.nodes_iter()}
    except (OSError, ValueError, KeyError):  # how pygraphviz reports dot's failures
        return None
    if len(centres) != len(sizes):
        return None
    columns = sorted({round(x, 1) for x, _ in centres.values()})
    column_of = {x: i for i, x in enumerate(columns)}
    layers: list[list[int]] = [[] for _ in columns]
    tops = [0.0] * len(sizes)
    for node, (x, y) in centres.items():
        layers[column_of[round(x, 1)]].append(node)
        tops[node] = -y - sizes[node][1] / 2  # dot's y grows upward
    for nodes in layers:
        nodes.sort(key=tops.__getitem__)
    return layers, tops


def _ports_table(width: float, height: float,
                 ports: dict[tuple[str, str | None], float]) -> tuple[str, dict[tuple[str, str | None], str]]:
    """An HTML-like label with a cell at each port's height (inputs on the left, outputs on the right), and
    the names of the cells; nothing for a node whose every port is at its middle (a cell).

    Graphviz measures table cells in whole points: heights are rounded, the last row takes what is left."""
    if all(abs(at - height / 2) < 0.5 for at in ports.values()):
        return "", {}
    total, half_width = round(height), round(width / 2)
    at_height: dict[int, dict[str, tuple[str, str | None]]] = {}
    for port, at in ports.items():
        at_height.setdefault(min(max(round(at), 1), total - 1), {}).setdefault(port[0], port)
    heights = sorted(at_height)
    half = max(1, min([(b - a) // 2 for a, b in zip(heights, heights[1:])]
                      + [min(h, total - h) for h in heights]))
    names: dict[tuple[str, str | None], str] = {}
    rows, below = [], 0

    def row(size: int, here: dict[str, tuple[str, str | None]] | None = None) -> str:
        cells = []
        for side in ("in", "out"):
            port = (here or {}).get(side)
            name = ""
            if port is not None:
                names[port] = f"p{len(names)}"
                name = f' PORT="{names[port]}"'
            cells.append(f'<TD FIXEDSIZE="TRUE" WIDTH="{half_width}" HEIGHT="{size}"{name}></TD>')
        return f"<TR>{''.join(cells)}</TR>"

    for at in heights:
        if at - half > below:
            rows.append(row(at - half - below))
        rows.append(row(2 * half, at_height[at]))
        below = at + half
    if total > below:
        rows.append(row(total - below))
    table = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0" FIXEDSIZE="TRUE" '
             f'WIDTH="{2 * half_width}" HEIGHT="{total}">{"".join(rows)}</TABLE>>')
    return table, names


@contextmanager
def _quiet_stderr():
    """Send what C code writes to stderr (fd 2) to nowhere for the duration; Python's own is untouched."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as nowhere:
            os.dup2(nowhere.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
