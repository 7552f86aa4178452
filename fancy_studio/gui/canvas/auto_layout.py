"""Auto Layout (Ctrl+L) and the layout of a file opened without positions, from the drawn node sizes.

Where nodes go is worked out by the core (`fancy_studio.core.layout`: Graphviz's `dot` up to a thousand
nodes, our own layered layout beyond; each input cell beside its reader, long graphs cut into rows near
the viewport's shape); this module gives it the sizes nodes are drawn at and the heights of their ports,
and hands the result to the document: Auto Layout as ONE undoable command that the canvas applies in one
pass, the layout of a just-opened file outside the undo history (see `place_unplaced`).

With two or more nodes selected, Auto Layout lays out only them, by the wires among them, where they
were (their top-left corner stays); the other nodes do not move.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from uuid import UUID

from fancy_studio.core.layout import DEFAULT_ASPECT, Size, Spacing, layered_layout, positions_for_unplaced
from fancy_studio.gui.canvas import cell_preview, param_rows, style
from fancy_studio.gui.canvas.group_node_item import group_body_height
from fancy_studio.gui.canvas.param_rows import step_body_height
from fancy_studio.gui.document.document import WorkflowDocument


def node_size(document: WorkflowDocument, node_id: UUID) -> Size:
    """The size of a node's body as drawn, from the model alone (no item needed); the layout's gaps leave
    room for the ports and borders around it."""
    step = document.find_step(node_id)
    if step is None:  # a cell, with room for the preview of an image or a table under it
        width, height = style.CELL_WIDTH, style.CELL_HEIGHT + cell_preview.room_below(document, node_id)
    elif step.group_id is not None and (definition := document.definition_of(step)) is not None:
        width, height = style.STEP_WIDTH, group_body_height(definition)
    else:  # a row per output, then per input (a placeholder: its wired ports, and a line saying what is missing)
        width, height = style.STEP_WIDTH, step_body_height(step, document.function_of(step))
    return width, height


def port_offset(document: WorkflowDocument, node_id: UUID, side: str, name: str | None,
                _rows: dict | None = None) -> float:
    """How far below a node's top a wire meets it: a cell's middle; a step's (or a group's) row for that
    output, or input below its outputs, as `param_rows.row_centre` puts their ports. `_rows` keeps each
    function's rows for the next call (a layout asks for every wire's two ends)."""
    step = document.find_step(node_id)
    if step is None:
        return style.CELL_HEIGHT / 2
    if step.group_id is not None and (definition := document.definition_of(step)) is not None:
        inputs, outputs, placeholder = list(definition.inputs), list(definition.outputs), False
    elif (function := document.function_of(step)) is not None:
        rows = _rows.get(step.function_slug) if _rows is not None else None
        if rows is None:
            rows = ({p.name: i for i, p in enumerate(function.inputs)}, {p.name: i for i, p in enumerate(function.outputs)})
            if _rows is not None:
                _rows[step.function_slug] = rows
        inputs, outputs, placeholder = rows[0], rows[1], False
    else:  # a placeholder (a function not installed, a group without its definition): its wired ports
        inputs, outputs, placeholder = list(step.inputs), list(step.outputs), True
    if side == "out" and name in outputs:
        index = outputs[name] if isinstance(outputs, dict) else outputs.index(name)
        return param_rows.row_centre(index, placeholder)
    if side == "in" and name in inputs:
        index = inputs[name] if isinstance(inputs, dict) else inputs.index(name)
        return param_rows.row_centre(len(outputs) + index, placeholder)
    return node_size(document, node_id)[1] / 2


def _ports(document: WorkflowDocument):
    """`port_offset` for one layout, remembering each function's rows."""
    rows: dict = {}
    return lambda node_id, side, name: port_offset(document, node_id, side, name, rows)


def compute_layout(document: WorkflowDocument, size_of: Callable[[UUID], Size] | None = None,
                   aspect: float = DEFAULT_ASPECT, only: Collection[UUID] | None = None,
                   engine: str = "auto") -> dict[UUID, tuple[float, float]]:
    """Every node's new top-left position (grid-aligned); with `only`, those nodes', starting where their
    top-left corner was."""
    positions = layered_layout(document.graph, size_of or (lambda n: node_size(document, n)), aspect,
                               port_of=_ports(document), engine=engine, only=only)
    if only is None or not positions:
        return positions
    dx = min(document.position(n)[0] for n in positions)
    dy = min(document.position(n)[1] for n in positions)
    grid = Spacing().grid
    dx, dy = round(dx / grid) * grid, round(dy / grid) * grid
    return {n: (x + dx, y + dy) for n, (x, y) in positions.items()}


def auto_layout(document: WorkflowDocument, size_of: Callable[[UUID], Size] | None = None,
                aspect: float = DEFAULT_ASPECT, only: Collection[UUID] | None = None) -> bool:
    """Lay the whole graph (or `only` these nodes) out as ONE undoable command; False when nothing moved."""
    positions = compute_layout(document, size_of, aspect, only)
    text = "Auto Layout" if only is None else f"Auto Layout of {len(positions)} Nodes"
    return document.arrange_nodes(positions, text)


def place_unplaced(document: WorkflowDocument, aspect: float = DEFAULT_ASPECT) -> None:
    """Give the nodes without a position (a file written by a script) the places Auto Layout would.

    Called as a file is drawn, before its items exist, so nothing is ever piled up at the origin. It is
    not an edit: no undo step, and the document stays unmodified (the file on disk already holds this
    workflow; its layout is derived from it the same way each time). A save writes the positions.
    """
    positions = positions_for_unplaced(document.graph, lambda n: node_size(document, n), aspect,
                                       port_of=_ports(document))
    if positions:
        document.fill_layout(positions)


def layout_view(view) -> None:
    """Ctrl+L: with two or more nodes selected, lay out those where they are; else the whole graph in
    rows shaped like the view, then zoom to fit."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    selected = view.scene().selected_ids()
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # dot takes 1-2 s near a thousand nodes
    try:
        if len(selected) >= 2:
            auto_layout(view.document, aspect=view.layout_aspect(), only=selected)
            return
        auto_layout(view.document, aspect=view.layout_aspect())
    finally:
        QApplication.restoreOverrideCursor()
    view.zoom_to_fit()


def wire_segments(document: WorkflowDocument, positions: dict[UUID, tuple[float, float]] | None = None
                  ) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Every wire drawn straight from port to port, with nodes at `positions` (by default where they
    are): what `core.layout_crossings.count_crossings` counts the crossings of."""
    where = positions if positions is not None else {n: document.position(n) for n in _node_ids(document)}
    segments, port_of = [], _ports(document)
    for step in document.graph.steps:
        if step.id not in where:
            continue
        x, y = where[step.id]
        for side, wiring in (("in", step.inputs), ("out", step.outputs)):
            for name, cell in wiring.items():
                if cell not in where or document.find_cell(cell) is None:
                    continue
                cx, cy = where[cell]
                step_end = (x + (style.STEP_WIDTH if side == "out" else 0.0), y + port_of(step.id, side, name))
                cell_end = (cx + (style.CELL_WIDTH if side == "in" else 0.0), cy + style.CELL_HEIGHT / 2)
                segments.append((cell_end, step_end) if side == "in" else (step_end, cell_end))
    return segments


def _node_ids(document: WorkflowDocument) -> list[UUID]:
    return [c.id for c in document.graph.cells] + [s.id for s in document.graph.steps]
