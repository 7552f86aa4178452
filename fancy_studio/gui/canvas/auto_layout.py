"""Auto Layout (Ctrl+L) and the layout of a file opened without positions, from the drawn node sizes.

Where nodes go is worked out by the core (`fancy_studio.core.layout`: layers by dependency, each input
cell beside its first reader, barycentric ordering, long graphs cut into rows near the viewport's
shape); this module gives it the sizes nodes are drawn at and hands the result to the document: Auto
Layout as ONE undoable command that the canvas applies in one pass, the layout of a just-opened file
outside the undo history (see `place_unplaced`).
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from fancy_studio.core.layout import DEFAULT_ASPECT, Size, layered_layout, positions_for_unplaced
from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.group_node_item import group_body_height
from fancy_studio.gui.canvas.param_rows import step_body_height
from fancy_studio.gui.document.document import WorkflowDocument


def node_size(document: WorkflowDocument, node_id: UUID) -> Size:
    """The size of a node's body as drawn, from the model alone (no item needed); the layout's gaps leave
    room for the ports and borders around it."""
    step = document.find_step(node_id)
    if step is None:
        width, height = style.CELL_WIDTH, style.CELL_HEIGHT
    elif step.group_id is not None and (definition := document.definition_of(step)) is not None:
        width, height = style.STEP_WIDTH, group_body_height(definition)
    else:  # a row per output, then per input (a placeholder: its wired ports, and a line saying what is missing)
        width, height = style.STEP_WIDTH, step_body_height(step, document.function_of(step))
    return width, height


def compute_layout(document: WorkflowDocument, size_of: Callable[[UUID], Size] | None = None,
                   aspect: float = DEFAULT_ASPECT) -> dict[UUID, tuple[float, float]]:
    """Every node's new top-left position (grid-aligned)."""
    return layered_layout(document.graph, size_of or (lambda n: node_size(document, n)), aspect)


def auto_layout(document: WorkflowDocument, size_of: Callable[[UUID], Size] | None = None,
                aspect: float = DEFAULT_ASPECT) -> bool:
    """Lay the whole graph out as ONE undoable command; False when nothing had to move."""
    return document.arrange_nodes(compute_layout(document, size_of, aspect), "Auto Layout")


def place_unplaced(document: WorkflowDocument, aspect: float = DEFAULT_ASPECT) -> None:
    """Give the nodes without a position (a file written by a script) the places Auto Layout would.

    Called as a file is drawn, before its items exist, so nothing is ever piled up at the origin. It is
    not an edit: no undo step, and the document stays unmodified (the file on disk already holds this
    workflow; its layout is derived from it the same way each time). A save writes the positions.
    """
    positions = positions_for_unplaced(document.graph, lambda n: node_size(document, n), aspect)
    if positions:
        document.fill_layout(positions)


def layout_view(view) -> None:
    """Auto-layout the view's document in rows shaped like the view, then zoom to fit."""
    auto_layout(view.document, aspect=view.layout_aspect())
    view.zoom_to_fit()
