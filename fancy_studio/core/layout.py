"""Where each step and cell goes: a layered layout of a workflow, left to right by dependency. No Qt.

The graph is the workflow's wiring (cell -> reading step, step -> written cell), laid out in the
Sugiyama way:

1. **Layers.** Longest path from the sources (networkx `topological_generations`; a file with a cycle is
   laid out on its condensation). Then every node that has readers moves right, to just before its
   first (leftmost) reader: an input cell, or a side branch, sits beside the step that uses it instead of
   in the first column with wires across the whole graph.
2. **Order within a layer.** Barycentric sweeps, down by predecessors and up by successors, keeping the
   order with the fewest crossings between neighbouring layers.
3. **Coordinates.** Columns as wide as their widest node; each node as near as its layer allows to the
   mean height of its neighbours on the left (a chain stays straight).
4. **Rows.** A graph far wider than tall (a long chain) is cut into rows of columns stacked top to bottom,
   so that the whole is close to the `aspect` asked for (the viewport's) instead of one very long line.

Only sizes come from the caller (`size_of`): the core knows nothing of how nodes are drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from fancy_studio.core.workflow import Workflow

Size = tuple[float, float]
Point = tuple[float, float]

DEFAULT_ASPECT = 16 / 10
"""Width over height the rows aim at when the caller has no viewport to ask."""
SWEEPS = 4
"""Barycentric passes (down, up, down, up); more rarely help and cost time on 10,000-step graphs."""
MIN_ROW_LAYERS = 8
"""A graph is cut into rows only if each row keeps at least this many columns (small graphs stay whole)."""


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
    """The wiring as adjacency lists over node numbers (node i is `ids[i]`: cells, then steps, file order)."""

    def __init__(self, workflow: Workflow) -> None:
        index: dict[UUID, int] = {}
        for node_id in [c.id for c in workflow.cells] + [s.id for s in workflow.steps]:
            index.setdefault(node_id, len(index))  # a duplicated id (an invalid file) is one node
        self.ids = list(index)
        self.succs: list[list[int]] = [[] for _ in self.ids]
        self.preds: list[list[int]] = [[] for _ in self.ids]
        edges: dict[tuple[int, int], None] = {}
        for step in workflow.steps:
            s = index[step.id]
            edges.update(((index[c], s), None) for c in step.inputs.values() if c in index)
            edges.update(((s, index[c]), None) for c in step.outputs.values() if c in index)
        for a, b in edges:
            self.succs[a].append(b)
            self.preds[b].append(a)
        self.edges = list(edges)


def dependency_edges(workflow: Workflow) -> list[tuple[UUID, UUID]]:
    """Every wire as (from, to): (cell, reading step) and (step, written cell), each once."""
    graph = _Graph(workflow)
    return [(graph.ids[a], graph.ids[b]) for a, b in graph.edges]


def layered_layout(workflow: Workflow, size_of: Callable[[UUID], Size], aspect: float = DEFAULT_ASPECT,
                   spacing: Spacing = Spacing()) -> dict[UUID, Point]:
    """Every node's top-left position (grid-aligned), for a workflow whose nodes measure `size_of(id)`."""
    graph = _Graph(workflow)
    if not graph.ids:
        return {}
    sizes = [size_of(node_id) for node_id in graph.ids]
    layer_of = _layers(graph)
    layers: list[list[int]] = [[] for _ in range(max(layer_of) + 1)]
    for node, layer in enumerate(layer_of):
        layers[layer].append(node)
    layers = _ordered(graph, layers, sizes, spacing)
    centre_y = _heights(graph, layers, sizes, spacing)
    return _in_rows(graph, layers, sizes, centre_y, aspect, spacing)


def positions_for_unplaced(workflow: Workflow, size_of: Callable[[UUID], Size],
                           aspect: float = DEFAULT_ASPECT, spacing: Spacing = Spacing()) -> dict[UUID, Point]:
    """Positions for the nodes the workflow's layout lacks (a file written by a script has none).

    With no node placed, this is the whole layout. With some placed, the others keep their places from
    the whole layout, moved as one block below the placed nodes so that nothing overlaps.
    """
    ids = [c.id for c in workflow.cells] + [s.id for s in workflow.steps]
    layout = workflow.layout
    missing = [node_id for node_id in ids if node_id not in layout]
    if not missing:
        return {}
    full = layered_layout(workflow, size_of, aspect, spacing)
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


def count_layer_crossings(layers: list[list[int]], succs: list[list[int]]) -> int:
    """Crossings among the wires between neighbouring layers, with nodes at their rank in `layers`."""
    rank = {node: i for layer in layers for i, node in enumerate(layer)}
    layer_of = {node: li for li, layer in enumerate(layers) for node in layer}
    total = 0
    for li, layer in enumerate(layers[:-1]):
        targets = [rank[t] for s in layer for t in sorted(succs[s], key=rank.__getitem__)
                   if layer_of[t] == li + 1]
        if len(targets) > 1:
            total += _inversions(targets)
    return total


# --- the steps -----------------------------------------------------------------------------------------


def _layers(graph: _Graph) -> list[int]:
    """Each node's layer: longest path from the sources, then as far right as its first reader allows."""
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
    for generation in reversed(generations):  # successors are final before their predecessors
        for node in generation:
            readers = [layer[s] for s in dag.successors(node)]
            if readers:
                layer[node] = min(readers) - 1
    used = {depth: i for i, depth in enumerate(sorted(set(layer.values())))}  # no empty columns
    return [used[layer[c]] for c in component]


def _stack(layer: list[int], sizes: list[Size], centre_y: list[float], gap: float) -> None:
    """Heights for one layer in its order, stacked top to bottom and centred on 0."""
    top = -(sum(sizes[n][1] for n in layer) + gap * (len(layer) - 1)) / 2
    for node in layer:
        height = sizes[node][1]
        centre_y[node] = top + height / 2
        top += height + gap


def _ordered(graph: _Graph, layers: list[list[int]], sizes: list[Size], spacing: Spacing) -> list[list[int]]:
    """Layers reordered by barycentric sweeps; the order with the fewest crossings seen is kept."""
    centre_y = [0.0] * len(graph.ids)
    for layer in layers:
        _stack(layer, sizes, centre_y, spacing.v_gap)
    best = [list(layer) for layer in layers]
    best_crossings = count_layer_crossings(best, graph.succs)
    for sweep in range(SWEEPS):
        if best_crossings == 0:
            break
        neighbours = graph.preds if sweep % 2 == 0 else graph.succs
        for layer in (layers if sweep % 2 == 0 else reversed(layers)):
            def barycentre(node: int) -> float:
                near = neighbours[node]
                return sum(centre_y[n] for n in near) / len(near) if near else centre_y[node]

            layer.sort(key=barycentre)  # stable: ties keep their order
            _stack(layer, sizes, centre_y, spacing.v_gap)
        crossings = count_layer_crossings(layers, graph.succs)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
    return best


def _heights(graph: _Graph, layers: list[list[int]], sizes: list[Size], spacing: Spacing) -> list[float]:
    """Each node's centre height: near the mean of its neighbours on the left, in its layer's order."""
    centre_y = [0.0] * len(graph.ids)
    for layer in layers:
        _stack(layer, sizes, centre_y, spacing.v_gap)
    placed = [False] * len(graph.ids)
    for layer in layers:
        wanted = []
        for node in layer:
            near = [p for p in graph.preds[node] if placed[p]] or graph.succs[node]
            wanted.append(sum(centre_y[n] for n in near) / len(near) if near else centre_y[node])
        tops, bottom = [], -math.inf
        for node, want in zip(layer, wanted):
            top = max(want - sizes[node][1] / 2, bottom + spacing.v_gap)
            tops.append(top)
            bottom = top + sizes[node][1]
        shift = sum(top + sizes[n][1] / 2 - want for top, n, want in zip(tops, layer, wanted)) / len(layer)
        for node, top in zip(layer, tops):
            centre_y[node] = top - shift + sizes[node][1] / 2
            placed[node] = True
    return centre_y


def _in_rows(graph: _Graph, layers: list[list[int]], sizes: list[Size], centre_y: list[float], aspect: float,
             spacing: Spacing) -> dict[UUID, Point]:
    """Top-left positions: columns left to right, cut into rows stacked top to bottom when very wide."""
    widths = [max(sizes[n][0] for n in layer) for layer in layers]
    total_width = sum(widths) + spacing.h_gap * (len(layers) - 1)
    band = max(sum(sizes[n][1] for n in layer) + spacing.v_gap * (len(layer) - 1) for layer in layers)
    rows = round(math.sqrt(total_width / (aspect * (band + spacing.row_gap))))
    rows = max(1, min(rows, len(layers) // MIN_ROW_LAYERS))  # every row, the last too, keeps enough columns
    cuts = [round(i * len(layers) / rows) for i in range(rows + 1)]  # rows of even length (±1 column)
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


def _snap(value: float, grid: float) -> float:
    return round(value / grid) * grid


def _inversions(values: list[int]) -> int:
    """Pairs out of order in `values` (a Fenwick tree: n log n)."""
    size = max(values) + 1
    tree = [0] * (size + 1)
    seen = inversions = 0
    for value in values:
        i, not_greater = value + 1, 0
        while i > 0:
            not_greater += tree[i]
            i -= i & -i
        inversions += seen - not_greater
        seen += 1
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return inversions
