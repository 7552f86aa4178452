"""Where each step and cell goes: a layered layout of a workflow, left to right by dependency. No Qt.

The graph is the workflow's wiring (cell -> reading step, step -> written cell), laid out in layers:

1. **Layers, order and heights.** Up to `DOT_MAX_NODES` nodes, Graphviz's `dot` decides them
   (`layout_dot.py`: two to three times fewer crossings than our own on graphs of hundreds of nodes);
   beyond, or where `pygraphviz` is not installed, our own layered layout does (`layout_sugiyama.py`:
   each input cell or side branch beside its first reader, long wires as chains of points, barycentric
   sweeps with transposition, wires drawn straight where the order allows). Both see each wire's ports,
   so a step's first input is fed from above its second.
2. **Columns.** Each layer a column as wide as its widest node.
3. **Rows.** A graph far wider than tall (a long chain) is cut into rows of columns stacked top to bottom,
   so that the whole is close to the `aspect` asked for (the viewport's) instead of one very long line.

Only sizes and port heights come from the caller (`size_of`, `port_of`): the core knows nothing of how
nodes are drawn. `tests/benchmarks/bench_layout.py --crossings` measures both ways against each other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from uuid import UUID

from fancy_studio.core import layout_dot, layout_sugiyama
from fancy_studio.core.workflow import Workflow

Size = tuple[float, float]
Point = tuple[float, float]
PortOffset = Callable[[UUID, str, "str | None"], float]
"""(node id, "in" or "out", the port's name or None for a cell's) -> its height below the node's top."""

DEFAULT_ASPECT = 16 / 10
"""Width over height the rows aim at when the caller has no viewport to ask."""
MIN_ROW_LAYERS = 8
"""A graph is cut into rows only if each row keeps at least this many columns (small graphs stay whole)."""
DOT_MAX_NODES = 1000
"""Graphviz lays out graphs up to this many steps and cells (and DOT_MAX_SIZE)."""
DOT_MAX_SIZE = 4000
"""... and up to this many nodes and points of long wires (one per layer a wire crosses): its time grows
faster than the graph, with the long wires most (0.3 s at 500 nodes, 1.7–2.6 s at 1,000, 5–8 s at 1,200
to 1,500 and a minute at 3,000, where it crosses a half to a third of the wires ours does;
bench_layout.py --crossings)."""
ENGINES = ("auto", "dot", "layered")
"""`auto`: dot up to DOT_MAX_NODES and DOT_MAX_SIZE when pygraphviz can be imported, else layered."""


@dataclass(frozen=True)
class Spacing:
    h_gap: float = 80.0
    """Between columns."""
    v_gap: float = 40.0
    """Between nodes of one column."""
    row_gap: float = 120.0
    """Between rows of a long graph cut into rows (room for the wires that go back to the left)."""
    grid: float = 20.0
    """Every position is a multiple of this."""


class _Graph:
    """The wiring as adjacency lists over node numbers (node i is `ids[i]`: cells, then steps, file order).

    `ports[(a, b)]` names the wire's ends: (("out", output name), ("in", None)) for a step writing a cell,
    (("out", None), ("in", input name)) for a cell read by a step (its first input, if it reads it twice)."""

    def __init__(self, workflow: Workflow, only: Collection[UUID] | None = None) -> None:
        index: dict[UUID, int] = {}
        for node_id in [c.id for c in workflow.cells] + [s.id for s in workflow.steps]:
            if only is None or node_id in only:
                index.setdefault(node_id, len(index))  # a duplicated id (an invalid file) is one node
        self.ids = list(index)
        self.succs: list[list[int]] = [[] for _ in self.ids]
        self.preds: list[list[int]] = [[] for _ in self.ids]
        self.ports: dict[tuple[int, int], tuple[tuple[str, str | None], tuple[str, str | None]]] = {}
        for step in workflow.steps:
            s = index.get(step.id)
            if s is None:
                continue
            for name, cell in step.inputs.items():
                if cell in index:
                    self.ports.setdefault((index[cell], s), (("out", None), ("in", name)))
            for name, cell in step.outputs.items():
                if cell in index:
                    self.ports.setdefault((s, index[cell]), (("out", name), ("in", None)))
        for a, b in self.ports:
            self.succs[a].append(b)
            self.preds[b].append(a)
        self.edges = list(self.ports)


def dependency_edges(workflow: Workflow) -> list[tuple[UUID, UUID]]:
    """Every wire as (from, to): (cell, reading step) and (step, written cell), each once."""
    graph = _Graph(workflow)
    return [(graph.ids[a], graph.ids[b]) for a, b in graph.edges]


def layered_layout(workflow: Workflow, size_of: Callable[[UUID], Size], aspect: float = DEFAULT_ASPECT,
                   spacing: Spacing = Spacing(), port_of: PortOffset | None = None,
                   engine: str = "auto", only: Collection[UUID] | None = None) -> dict[UUID, Point]:
    """Every node's top-left position (grid-aligned, the whole starting at (0, 0)), for a workflow whose
    nodes measure `size_of(id)` and whose wires meet them `port_of(...)` below their tops (by default at
    their middles). With `only`, just those nodes, by the wires among them."""
    if engine not in ENGINES:
        raise ValueError(f"unknown layout engine {engine!r}: one of {', '.join(ENGINES)}")
    graph = _Graph(workflow, only)
    if not graph.ids:
        return {}
    sizes = [size_of(node_id) for node_id in graph.ids]
    port = port_of or (lambda node_id, _side, _name: size_of(node_id)[1] / 2)
    offsets = _levelled({(a, b): (port(graph.ids[a], *tail), port(graph.ids[b], *head))
                         for (a, b), (tail, head) in graph.ports.items()})
    layer = _layers(graph)
    points = sum(max(0, layer[b] - layer[a] - 1) for a, b in graph.edges)  # long wires' cost, for dot too
    placed = None
    if engine == "dot" or (engine == "auto" and len(graph.ids) <= DOT_MAX_NODES
                           and len(graph.ids) + points <= DOT_MAX_SIZE):
        node_ports: list[dict[tuple[str, str | None], float]] = [{} for _ in graph.ids]
        for (a, b), (tail, head) in graph.ports.items():
            node_ports[a][tail], node_ports[b][head] = offsets[(a, b)]
        edges = [(a, b, *graph.ports[(a, b)]) for a, b in graph.edges]
        placed = layout_dot.dot_layers(sizes, node_ports, edges, spacing.v_gap, spacing.h_gap)
    if placed is None:
        edges = [(a, b, *offsets[(a, b)]) for a, b in graph.edges]
        placed = layout_sugiyama.order_and_heights(sizes, edges, layer, spacing.v_gap)
    layers, tops = placed
    centre_y = [top + size[1] / 2 for top, size in zip(tops, sizes)]
    return _in_rows(graph, layers, sizes, centre_y, aspect, spacing)


def positions_for_unplaced(workflow: Workflow, size_of: Callable[[UUID], Size],
                           aspect: float = DEFAULT_ASPECT, spacing: Spacing = Spacing(),
                           port_of: PortOffset | None = None) -> dict[UUID, Point]:
    """Positions for the nodes the workflow's layout lacks (a file written by a script has none).

    With no node placed, this is the whole layout. With some placed, the others keep their places from
    the whole layout, moved as one block below the placed nodes so that nothing overlaps.
    """
    ids = [c.id for c in workflow.cells] + [s.id for s in workflow.steps]
    layout = workflow.layout
    missing = [node_id for node_id in ids if node_id not in layout]
    if not missing:
        return {}
    full = layered_layout(workflow, size_of, aspect, spacing, port_of)
    placed = [node_id for node_id in ids if node_id in layout]
    if not placed:
        return full
    bottom = max(layout[n].y + size_of(n)[1] for n in placed)
    left = min(layout[n].x for n in placed)
    top_new = min(full[n][1] for n in missing)
    left_new = min(full[n][0] for n in missing)
    dx = _snap(left - left_new, spacing.grid)
    dy = _snap(bottom + spacing.row_gap - top_new, spacing.grid)
    return {n: (full[n][0] + dx, full[n][1] + dy) for n in missing}


# --- the steps -----------------------------------------------------------------------------------------


def _levelled(offsets: dict[tuple[int, int], tuple[float, float]]) -> dict[tuple[int, int], tuple[float, float]]:
    """Port heights as the layout should weigh them: each node's inputs and outputs moved (each side as a
    whole, so their order stays) to meet at the middle of the two sides' means.

    A step draws its outputs above its inputs (output at 40, input at 60): laid out with every wire
    straight, a chain of such steps climbs 20 px a step, a staircase (dot drew a 30-step chain 580 px
    high). Levelled, each wire of the chain bends by 10 px and the chain runs level."""
    sides: dict[tuple[int, str], list[float]] = {}
    for (a, b), (out, into) in offsets.items():
        sides.setdefault((a, "out"), []).append(out)
        sides.setdefault((b, "in"), []).append(into)
    shift: dict[tuple[int, str], float] = {}
    for (node, side), heights in sides.items():
        other = sides.get((node, "in" if side == "out" else "out"))
        if other:
            mine, theirs = sum(heights) / len(heights), sum(other) / len(other)
            shift[(node, side)] = (theirs - mine) / 2
    return {(a, b): (out + shift.get((a, "out"), 0.0), into + shift.get((b, "in"), 0.0))
            for (a, b), (out, into) in offsets.items()}


def _layers(graph: _Graph) -> list[int]:
    """Each node's layer: longest path from the sources; then a node whose inputs are its own goes as far
    right as its first reader allows, with them.

    Its own: a source (an input cell), or a node whose every predecessor feeds it alone and is its own
    in turn (a side branch: a constant, the step reading only it, that step's result). Moved right, such
    a node shortens its wires out and lengthens none. A node that shares an input (one of a fan's many
    branches) stays by it: moved right to a late reader, its wire from the shared input crossed thousands
    of others (3.1 million crossings at 10,000 branches, bench_layout.py --crossings).
    """
    import networkx as nx  # imported here: it costs ~0.3 s, and only a layout needs it

    dag = nx.DiGraph()
    dag.add_nodes_from(range(len(graph.ids)))
    dag.add_edges_from(graph.edges)
    component = list(range(len(graph.ids)))
    if not nx.is_directed_acyclic_graph(dag):
        dag = nx.condensation(dag)
        mapping = dag.graph["mapping"]
        component = [mapping[node] for node in range(len(graph.ids))]
    generations = list(nx.topological_generations(dag))
    layer = {}
    for depth, generation in enumerate(generations):
        for node in generation:
            layer[node] = depth
    own = {}
    for generation in generations:  # predecessors are decided before their successors
        for node in generation:
            own[node] = all(own[p] and dag.out_degree(p) == 1 for p in dag.predecessors(node))
    for generation in reversed(generations):  # successors are final before their predecessors
        for node in generation:
            readers = [layer[s] for s in dag.successors(node)]
            if readers and own[node]:
                layer[node] = min(readers) - 1
    used = {depth: i for i, depth in enumerate(sorted(set(layer.values())))}  # no empty columns
    return [used[layer[c]] for c in component]


def _in_rows(graph: _Graph, layers: list[list[int]], sizes: list[Size], centre_y: list[float], aspect: float,
             spacing: Spacing) -> dict[UUID, Point]:
    """Top-left positions: columns left to right, cut into rows stacked top to bottom when very wide."""
    widths = [max(sizes[n][0] for n in layer) for layer in layers]
    total_width = sum(widths) + spacing.h_gap * (len(layers) - 1)
    band = max(c + h / 2 for c, (_, h) in zip(centre_y, sizes)) - min(c - h / 2 for c, (_, h) in zip(centre_y, sizes))
    rows = round(math.sqrt(total_width / (aspect * (band + spacing.row_gap))))
    rows = max(1, min(rows, len(layers) // MIN_ROW_LAYERS))  # every row, the last too, keeps enough columns
    cuts = _cuts(graph, layers, rows)
    positions: dict[UUID, Point] = {}
    row_top = 0.0
    for first, end in zip(cuts, cuts[1:]):
        row = layers[first:end]
        tops = [centre_y[n] - sizes[n][1] / 2 for layer in row for n in layer]
        dy = row_top - min(tops)
        x = 0.0
        for layer, width in zip(row, widths[first:end]):
            for node in layer:
                top = centre_y[node] - sizes[node][1] / 2 + dy
                positions[graph.ids[node]] = (_snap(x, spacing.grid), _snap(top, spacing.grid))
            x += width + spacing.h_gap
        bottoms = [centre_y[n] + sizes[n][1] / 2 for layer in row for n in layer]
        row_top = _snap(max(bottoms) + dy + spacing.row_gap, spacing.grid)
    return positions


def _cuts(graph: _Graph, layers: list[list[int]], rows: int) -> list[int]:
    """Where the rows start: rows of even length, each cut moved (by up to a quarter of a row) to where
    the fewest wires cross it, since every wire across a cut runs back across the row above."""
    even = [round(i * len(layers) / rows) for i in range(rows + 1)]  # rows of even length (±1 column)
    if rows == 1:
        return even
    layer_of = {node: index for index, nodes in enumerate(layers) for node in nodes}
    starts = [0] * (len(layers) + 1)
    for a, b in graph.edges:
        first, last = sorted((layer_of[a], layer_of[b]))
        starts[first + 1] += 1  # a wire from layer `first` to `last` crosses the cuts before first+1 … last
        starts[last + 1] -= 1
    crossing, running = [0] * (len(layers) + 1), 0
    for index in range(len(layers) + 1):
        running += starts[index]
        crossing[index] = running
    length = len(layers) // rows
    slack = max(0, min(length // 4, length - MIN_ROW_LAYERS))  # every row keeps enough columns
    cuts = [0]
    for ideal in even[1:-1]:
        rest = rows - len(cuts)  # rows after this cut
        low = max(cuts[-1] + MIN_ROW_LAYERS, ideal - slack)
        high = max(low, min(ideal + slack, len(layers) - rest * MIN_ROW_LAYERS))
        cuts.append(min(range(low, high + 1), key=lambda cut: (crossing[cut], abs(cut - ideal))))
    return cuts + [len(layers)]


def _snap(value: float, grid: float) -> float:
    return round(value / grid) * grid
