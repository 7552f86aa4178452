"""Our own layered layout (the Sugiyama way), for graphs too big for Graphviz and where it is missing. No Qt.

1. **Layers.** Longest path from the sources (networkx `topological_generations`; a graph with a cycle is
   laid out on its condensation). Then a node whose inputs are its own (a source, such as an input cell,
   or a node whose predecessors feed nothing else: a side branch) moves right, to just before its first
   reader, so it sits beside the step that uses it instead of in the first column with a wire across
   the graph. A node that shares an input with others (one of a fan's branches) stays by that input.
2. **Long wires.** A wire across several layers becomes a chain of points, one per layer it crosses, so
   the ordering sees it and the heights keep it straight.
3. **Order within a layer.** Sweeps down and up placing each node at the barycentre of its neighbours'
   ports (a step's first input above its second), each followed by `transpose` (neighbours swapped where
   that crosses fewer wires); the order with the fewest crossings seen is kept, and a sweep that finds
   none fewer twice in a row goes back to it and swaps ties too, to leave a plateau.
4. **Heights.** Each layer in turn, both ways, takes the heights nearest (least squares, weighted) to
   those that make its wires straight, port to port, keeping its order and gaps: isotonic regression by
   pooling adjacent violators. Chains of points weigh most, so a long wire is drawn straight.

`order_and_heights` returns the layers of the real nodes (top to bottom) and each node's top.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

Size = tuple[float, float]

MAX_SWEEPS = 24
"""Ordering sweeps for a small graph (as Graphviz's mincross); a big one gets fewer (`WORK_BUDGET`)."""
WORK_BUDGET = 400_000
"""Nodes × sweeps (points of long wires included) the ordering may spend: ~1 s of Python at most."""
MIN_SWEEPS = 4
HEIGHT_PASSES = 8
"""Passes of the heights, alternately left to right and right to left (3 past 25,000 nodes and points)."""
WEIGHT_POINTS = 8.0
"""How much more a piece of a long wire between two of its points wants to be straight (Graphviz's ω)."""
WEIGHT_END = 2.0
MAX_POINTS = 20_000
"""Points of long wires the layout makes at most (each costs as much as a node)."""
POINT_GAP = 20.0
"""Room between a long wire's point and its neighbours in a layer."""


class LayeredGraph:
    """Nodes 0..n-1 (real, with sizes), then the points of long wires, one per layer a wire crosses.

    Edges are (tail, head, tail port offset, head port offset) with the offsets measured down from each
    node's top; `preds[v]`/`succs[v]` list (neighbour, own offset, neighbour's offset, weight). When the
    points would outnumber `MAX_POINTS` (and the real nodes), long wires stay whole: ordering then sees
    them only from their ends (as it did before points), and the time stays that of the nodes."""

    def __init__(self, sizes: Sequence[Size], edges: Sequence[tuple[int, int, float, float]],
                 layer: Sequence[int]) -> None:
        self.real = len(sizes)
        self.height = [h for _, h in sizes]
        self.layer = list(layer)
        self.preds: list[list[tuple[int, float, float, float]]] = [[] for _ in sizes]
        self.succs: list[list[tuple[int, float, float, float]]] = [[] for _ in sizes]
        edges = [edge for edge in edges if self.layer[edge[1]] > self.layer[edge[0]]]  # not a cycle's wire
        points = sum(self.layer[head] - self.layer[tail] - 1 for tail, head, _, _ in edges)
        split = points <= max(MAX_POINTS, len(sizes))
        for tail, head, tail_port, head_port in edges:
            previous, port = tail, tail_port
            for layer_index in range(self.layer[tail] + 1, self.layer[head] if split else 0):
                point = self._add_point(layer_index)
                self._link(previous, point, port, 0.0, WEIGHT_END if previous < self.real else WEIGHT_POINTS)
                previous, port = point, 0.0
            self._link(previous, head, port, head_port, 1.0 if previous < self.real else WEIGHT_END)

    def _add_point(self, layer_index: int) -> int:
        self.height.append(0.0)
        self.layer.append(layer_index)
        self.preds.append([])
        self.succs.append([])
        return len(self.height) - 1

    def _link(self, tail: int, head: int, tail_port: float, head_port: float, weight: float) -> None:
        self.succs[tail].append((head, tail_port, head_port, weight))
        self.preds[head].append((tail, head_port, tail_port, weight))

    def gap(self, upper: int, lower: int, node_gap: float) -> float:
        return node_gap if upper < self.real and lower < self.real else POINT_GAP


def order_and_heights(sizes: Sequence[Size], edges: Sequence[tuple[int, int, float, float]],
                      layer: Sequence[int], node_gap: float) -> tuple[list[list[int]], list[float]]:
    """The real nodes by layer, each top to bottom, and each real node's top (centred near 0)."""
    graph = LayeredGraph(sizes, edges, layer)
    layers: list[list[int]] = [[] for _ in range(max(graph.layer) + 1)]
    for node, layer_index in enumerate(graph.layer):
        layers[layer_index].append(node)
    layers = _ordered(graph, layers)
    tops = _heights(graph, layers, node_gap)
    return [[n for n in nodes if n < graph.real] for nodes in layers], tops[:graph.real]


# --- order -----------------------------------------------------------------------------------------------


def _ordered(graph: LayeredGraph, layers: list[list[int]]) -> list[list[int]]:
    """The layers reordered against crossings; each node's wires are compared port by port."""
    height, layer = graph.height, graph.layer

    def fraction(node: int, port: float) -> float:
        return min(max(port / height[node], 0.0), 1.0) if height[node] > 0 else 0.5

    wires = [[(fraction(node, own), n, fraction(n, port)) for n, own, port, _ in near
              if layer[n] == layer[node] + 1] for node, near in enumerate(graph.succs)]
    rank = [0] * len(graph.height)

    def renumber(nodes: list[int]) -> None:
        for i, node in enumerate(nodes):
            rank[node] = i

    def crossings() -> int:
        total = 0
        for nodes in layers[:-1]:
            ends = sorted((rank[node] + own, rank[n] + port) for node in nodes for own, n, port in wires[node])
            total += _inversions([head for _, head in ends])
        return total

    for nodes in layers:
        renumber(nodes)
    best, best_crossings = [list(nodes) for nodes in layers], crossings()
    if best_crossings == 0:  # a chain, a tree in order: nothing to do
        return best
    up = [[(n, fraction(n, port)) for n, _, port, _ in near] for near in graph.preds]
    down = [[(n, fraction(n, port)) for n, _, port, _ in near] for near in graph.succs]
    sweeps = max(MIN_SWEEPS, min(MAX_SWEEPS, WORK_BUDGET // max(1, len(graph.height))))
    stale = 0
    for sweep in range(sweeps):
        if best_crossings == 0:
            break
        down_sweep = sweep % 2 == 0
        both = sweep >= sweeps // 2  # the later sweeps look at both sides at once
        for nodes in (layers[1:] if down_sweep else reversed(layers[:-1])):
            keys = {}
            for node in nodes:
                near = up[node] + down[node] if both else (up[node] if down_sweep else down[node])
                keys[node] = sum(rank[n] + port for n, port in near) / len(near) if near else rank[node]
            nodes.sort(key=keys.__getitem__)  # stable: ties keep their order
            renumber(nodes)
        _transpose(layers, rank, up, down, ties=stale > 0)
        found = crossings()
        if found < best_crossings:
            best, best_crossings, stale = [list(nodes) for nodes in layers], found, 0
        else:
            stale += 1
            if stale >= 2:  # a plateau: back to the best order seen, and swap ties from there
                layers[:] = [list(nodes) for nodes in best]
                for nodes in layers:
                    renumber(nodes)
    return best


def _transpose(layers: list[list[int]], rank: list[int], up: list[list[tuple[int, float]]],
               down: list[list[tuple[int, float]]], ties: bool) -> None:
    """Swap neighbours in a layer where that crosses fewer wires (with `ties`, also where it is as many);
    again where a neighbouring layer changed, at most four times."""
    pending = set(range(len(layers)))
    for _ in range(4):
        changed = set()
        for index in sorted(pending):
            nodes = layers[index]
            if len(nodes) < 2:
                continue
            above = [sorted([rank[n] + port for n, port in up[node]]) for node in nodes]
            below = [sorted([rank[n] + port for n, port in down[node]]) for node in nodes]
            for i in range(len(nodes) - 1):
                a_up, b_up, a_down, b_down = above[i], above[i + 1], below[i], below[i + 1]
                kept = _pair(a_up, b_up) + _pair(a_down, b_down)
                turned = _pair(b_up, a_up) + _pair(b_down, a_down)
                if turned < kept or (ties and turned == kept and kept > 0):
                    upper, lower = nodes[i], nodes[i + 1]
                    nodes[i], nodes[i + 1] = lower, upper
                    rank[upper], rank[lower] = i + 1, i
                    above[i], above[i + 1], below[i], below[i + 1] = b_up, a_up, b_down, a_down
                    if turned < kept:
                        changed.add(index)
        pending = {near for index in changed for near in (index - 1, index, index + 1) if 0 <= near < len(layers)}
        if not pending:
            return


def _pair(upper: list[float], lower: list[float]) -> int:
    """Crossings between two nodes' wires to one side, the first node above: the pairs whose far ends are
    the other way round (both lists sorted)."""
    if not upper or not lower:
        return 0
    if len(upper) == 1 and len(lower) == 1:
        return 1 if lower[0] < upper[0] else 0
    return sum(bisect_left(lower, end) for end in upper)


def _inversions(values: list[float]) -> int:
    """Pairs strictly out of order in `values` (a Fenwick tree: n log n)."""
    if len(values) < 2:
        return 0
    ranks = {value: i + 1 for i, value in enumerate(sorted(set(values)))}
    tree = [0] * (len(ranks) + 1)
    seen = inversions = 0
    for value in values:
        i, not_greater = ranks[value], 0
        while i > 0:
            not_greater += tree[i]
            i -= i & -i
        inversions += seen - not_greater
        seen += 1
        i = ranks[value]
        while i < len(tree):
            tree[i] += 1
            i += i & -i
    return inversions


# --- heights ---------------------------------------------------------------------------------------------


def _heights(graph: LayeredGraph, layers: list[list[int]], node_gap: float) -> list[float]:
    """Each node's top: every layer in turn as near as its order and gaps allow to straight wires, until
    no node moves by half a pixel (a chain is straight after one pass)."""
    top = [0.0] * len(graph.height)
    offsets: list[list[float]] = []
    for nodes in layers:
        below, offset = 0.0, []
        for i, node in enumerate(nodes):
            if i:
                below += graph.height[nodes[i - 1]] + graph.gap(nodes[i - 1], node, node_gap)
            offset.append(below)
        middle = (below + graph.height[nodes[-1]]) / 2 if nodes else 0.0
        for node, at in zip(nodes, offset):
            top[node] = at - middle
        offsets.append(offset)
    pulls = [[(n, n_port - port, w) for n, port, n_port, w in graph.preds[node] + graph.succs[node]]
             for node in range(len(graph.height))]
    weights = [sum(w for _, _, w in near) for near in pulls]
    order = list(range(len(layers)))
    passes = HEIGHT_PASSES if len(top) <= WORK_BUDGET // HEIGHT_PASSES // 2 else 3
    for sweep in range(passes):
        moved = 0.0
        for index in (order if sweep % 2 == 0 else reversed(order)):
            nodes, offset = layers[index], offsets[index]
            wanted, weight = [], []
            for node, at in zip(nodes, offset):
                total = weights[node]
                if total:
                    wanted.append(sum(w * (top[n] + d) for n, d, w in pulls[node]) / total - at)
                    weight.append(total)
                else:  # a node on its own stays where it is, and gives way
                    wanted.append(top[node] - at)
                    weight.append(1e-3)
            for node, at, value in zip(nodes, offset, wanted if len(nodes) == 1 else _pooled(wanted, weight)):
                value += at
                change = value - top[node]
                if change > moved or -change > moved:
                    moved = abs(change)
                top[node] = value
        if moved < 0.5:
            break
    return top


def _pooled(values: list[float], weights: list[float]) -> list[float]:
    """The non-decreasing sequence nearest `values` in weighted least squares (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for value, weight in zip(values, weights):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight, count = blocks.pop()
            before = blocks[-1]
            total = before[1] + weight
            before[0] = (before[0] * before[1] + mean * weight) / total
            before[1], before[2] = total, before[2] + count
    pooled: list[float] = []
    for mean, _, count in blocks:
        pooled.extend([mean] * int(count))
    return pooled
