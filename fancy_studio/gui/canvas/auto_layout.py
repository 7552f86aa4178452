"""Auto layout: arrange the graph left-to-right by dependency, as one undoable move.

Nodes are steps and cells, edges are wires (cell -> reading step, step -> written cell). Layers come from
`networkx.topological_generations` (on the condensation, so even a file with a cycle lays out); layer `i`
sits at `x = i * spacing` and its nodes are stacked top to bottom, centred on y = 0, ordered to follow the
nodes they read from (fewer crossings).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from fancy_studio.gui.canvas import style
from fancy_studio.gui.document.commands import MoveNodes
from fancy_studio.gui.document.document import WorkflowDocument

if TYPE_CHECKING:  # networkx is imported lazily: it costs ~0.3 s at startup
    import networkx as nx

GRID = 20.0
H_GAP = 80.0
V_GAP = 40.0

Size = tuple[float, float]


def dependency_graph(document: WorkflowDocument) -> nx.DiGraph:
    import networkx as nx

    workflow = document.workflow
    graph = nx.DiGraph()
    graph.add_nodes_from(c.id for c in workflow.cells)
    graph.add_nodes_from(s.id for s in workflow.steps)
    for step in workflow.steps:
        graph.add_edges_from((cell, step.id) for cell in step.inputs.values() if cell in graph)
        graph.add_edges_from((step.id, cell) for cell in step.outputs.values() if cell in graph)
    return graph


def _default_size(document: WorkflowDocument, node_id: UUID) -> Size:
    if document.find_cell(node_id) is not None:
        return style.CELL_WIDTH, style.CELL_HEIGHT
    step = document.find_step(node_id)
    rows = max(len(step.inputs), len(step.outputs), 1) if step else 1
    return style.STEP_WIDTH, style.HEADER_HEIGHT + rows * style.ROW_HEIGHT + 8


def _snap(value: float) -> float:
    return round(value / GRID) * GRID


def compute_layout(document: WorkflowDocument, size_of: Callable[[UUID], Size] | None = None
                   ) -> dict[UUID, tuple[float, float]]:
    """Every node's new top-left position (grid-aligned)."""
    graph = dependency_graph(document)
    if graph.number_of_nodes() == 0:
        return {}
    size_of = size_of or (lambda node_id: _default_size(document, node_id))
    sizes = {n: size_of(n) for n in graph}
    order = {n: i for i, n in enumerate(graph)}  # document order: cells, then steps

    import networkx as nx

    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]  # node -> component
    generations = nx.topological_generations(condensed)
    layer_of_component = {comp: i for i, gen in enumerate(generations) for comp in gen}
    layers: dict[int, list[UUID]] = {}
    for node in graph:
        layers.setdefault(layer_of_component[members[node]], []).append(node)

    spacing = math.ceil((max(w for w, _ in sizes.values()) + H_GAP) / GRID) * GRID
    positions: dict[UUID, tuple[float, float]] = {}
    rank: dict[UUID, float] = {}
    for index in sorted(layers):
        nodes = layers[index]

        def key(node: UUID) -> tuple[float, int]:
            placed = [rank[p] for p in graph.predecessors(node) if p in rank]
            return (sum(placed) / len(placed) if placed else float(order[node]), order[node])

        nodes.sort(key=key)
        total = sum(sizes[n][1] for n in nodes) + V_GAP * (len(nodes) - 1)
        y = -total / 2
        for i, node in enumerate(nodes):
            positions[node] = (index * spacing, _snap(y))
            rank[node] = i
            y += sizes[node][1] + V_GAP
    return positions


def auto_layout(document: WorkflowDocument, size_of: Callable[[UUID], Size] | None = None) -> bool:
    """Push ONE move command laying the whole graph out; False when nothing had to move."""
    moves = {n: p for n, p in compute_layout(document, size_of).items() if document.position(n) != p}
    if not moves:
        return False
    command = MoveNodes(document, moves)
    command.setText("Auto Layout")
    document.undo_stack.push(command)
    return True


def layout_view(view) -> None:
    """Auto-layout the view's document using the drawn node sizes, then zoom to fit."""
    scene = view.workflow_scene

    def size_of(node_id: UUID) -> Size:
        item = scene.item_for(node_id)
        if item is None:
            return _default_size(view.document, node_id)
        rect = item.boundingRect()
        return rect.width(), rect.height()

    auto_layout(view.document, size_of)
    view.zoom_to_fit()
