"""Undoable edits of a `WorkflowDocument`: one `QUndoCommand` per kind of edit.

Commands change the model only, through the document's public model changes (`insert_nodes`,
`delete_nodes`, `set_wire`, …, which emit the signals the canvas draws from); none touches a graphics
item or the workflow directly. Each keeps copies of exactly what it changes, so undo
restores ids, wiring and positions exactly.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtGui import QUndoCommand

from fancy_studio.core import CellSpec, WorkflowStep

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument

NUDGE_MERGE_ID = 1
"""`NudgeNodes.id()`: arrow-key nudges of the same nodes, one after another, are one undo step."""


def copied(node: WorkflowStep | CellSpec) -> WorkflowStep | CellSpec:
    """A copy that shares nothing mutable with `node`, like pydantic's deep copy but sharing the ids and
    strings (immutable): copying every UUID too was a third of deleting or pasting 3,000 steps."""
    if isinstance(node, WorkflowStep):
        made = node.model_copy(update={"inputs": dict(node.inputs), "outputs": dict(node.outputs)})
        made.__dict__["params"] = copy.deepcopy(node.params)  # (not an update, which would mark it as set)
        return made
    if node.has_value:
        return node.model_copy(update={"value": copy.deepcopy(node.value)})
    return node.model_copy()


class AddNodes(QUndoCommand):
    """Add steps and cells (a drop from the palette, a paste, a duplicate)."""

    def __init__(self, document: WorkflowDocument, *, steps: list[WorkflowStep] = (),
                 cells: list[CellSpec] = (), positions: dict[UUID, tuple[float, float]] | None = None,
                 text: str = "Add") -> None:
        super().__init__(text)
        self.document = document
        self.steps = [copied(s) for s in steps]
        self.cells = [copied(c) for c in cells]
        self.positions = dict(positions or {})

    def redo(self) -> None:
        self.document.insert_nodes([copied(s) for s in self.steps],
                                   [copied(c) for c in self.cells], self.positions)

    def undo(self) -> None:
        self.document.delete_nodes({s.id for s in self.steps}, {c.id for c in self.cells})


class RemoveNodes(QUndoCommand):
    """Delete steps and cells; wires to a deleted cell are cut, and come back on undo."""

    def __init__(self, document: WorkflowDocument, ids: set[UUID]) -> None:
        super().__init__(f"Delete {len(ids)} item{'s' if len(ids) != 1 else ''}")
        self.document = document
        workflow = document.graph  # the level being edited
        self.steps = [(i, copied(s)) for i, s in enumerate(workflow.steps) if s.id in ids]
        self.cells = [(i, copied(c)) for i, c in enumerate(workflow.cells) if c.id in ids]
        self.positions = {i: document.position(i) for i in ids if i in workflow.layout}
        self.layout_order = list(workflow.layout)  # undo puts the positions back in file order too
        removed_cells = {c.id for _, c in self.cells}
        removed_steps = {s.id for _, s in self.steps}
        self.cut: list[tuple[UUID, str, str, UUID]] = [
            (step.id, side, name, cell)
            for step in workflow.steps if step.id not in removed_steps
            for side in ("inputs", "outputs")
            for name, cell in getattr(step, side).items() if cell in removed_cells
        ]

    def redo(self) -> None:
        for step_id, side, name, _ in self.cut:
            self.document.set_wire(step_id, side, name, None)
        self.document.delete_nodes({s.id for _, s in self.steps}, {c.id for _, c in self.cells})

    def undo(self) -> None:
        self.document.insert_nodes([], [], self.positions)
        self.document.reinsert_nodes([(i, copied(c)) for i, c in self.cells],
                                     [(i, copied(s)) for i, s in self.steps])
        for step_id, side, name, cell in self.cut:
            self.document.set_wire(step_id, side, name, cell)
        self.document.order_layout(self.layout_order)


class MoveNodes(QUndoCommand):
    """Move nodes; successive drags of the same nodes do not merge, each is one undo step."""

    def __init__(self, document: WorkflowDocument, moves: dict[UUID, tuple[float, float]]) -> None:
        super().__init__(f"Move {len(moves)} item{'s' if len(moves) != 1 else ''}")
        self.document = document
        self.after = dict(moves)
        self.before = {node_id: document.position(node_id) for node_id in moves}

    def redo(self) -> None:
        self.document.set_positions(self.after)

    def undo(self) -> None:
        self.document.set_positions(self.before)


class ArrangeNodes(MoveNodes):
    """Move many nodes at once (Auto Layout): one undo step, which the canvas applies in one pass."""

    def __init__(self, document: WorkflowDocument, moves: dict[UUID, tuple[float, float]], text: str) -> None:
        super().__init__(document, moves)
        self.setText(text)

    def redo(self) -> None:
        self.document.set_layout(self.after)

    def undo(self) -> None:
        self.document.set_layout(self.before)


class NudgeNodes(MoveNodes):
    """Nudge nodes with the arrow keys; presses in a row on the same nodes merge into one undo step,
    as typing does in a text field."""

    def __init__(self, document: WorkflowDocument, moves: dict[UUID, tuple[float, float]]) -> None:
        super().__init__(document, moves)
        self.setText(f"Nudge {len(moves)} item{'s' if len(moves) != 1 else ''}")

    def id(self) -> int:
        return NUDGE_MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, NudgeNodes) or other.after.keys() != self.after.keys():
            return False
        self.after = dict(other.after)
        return True


class SetWire(QUndoCommand):
    """Connect (or with `cell_id=None`, disconnect) one input or output of a step."""

    def __init__(self, document: WorkflowDocument, step_id: UUID, side: str, name: str,
                 cell_id: UUID | None) -> None:
        verb = "Disconnect" if cell_id is None else "Connect"
        super().__init__(f"{verb} {name}")
        self.document = document
        self.step_id, self.side, self.name, self.cell_id = step_id, side, name, cell_id
        self.before = getattr(document.find_step(step_id), side).get(name)

    def redo(self) -> None:
        self.document.set_wire(self.step_id, self.side, self.name, self.cell_id)

    def undo(self) -> None:
        self.document.set_wire(self.step_id, self.side, self.name, self.before)


class RenameStep(QUndoCommand):
    """Give a step its own label (an empty one: the function's title again)."""

    def __init__(self, document: WorkflowDocument, step_id: UUID, label: str) -> None:
        step = document.find_step(step_id)
        super().__init__(f"Rename {document.title_of(step)!r}" if label else f"Clear the label of {step.label!r}")
        self.document = document
        self.step_id = step_id
        self.before, self.after = step.label, label

    def redo(self) -> None:
        self.document.set_step_label(self.step_id, self.after)

    def undo(self) -> None:
        self.document.set_step_label(self.step_id, self.before)


class SetStepTimeout(QUndoCommand):
    """Give a step a timeout (None: no limit)."""

    def __init__(self, document: WorkflowDocument, step_id: UUID, timeout: float | None) -> None:
        step = document.find_step(step_id)
        title = document.title_of(step)
        super().__init__(f"Time out {title!r} after {timeout:g} s" if timeout else f"No timeout for {title!r}")
        self.document = document
        self.step_id = step_id
        self.before, self.after = step.timeout, timeout

    def redo(self) -> None:
        self.document.set_step_timeout(self.step_id, self.after)

    def undo(self) -> None:
        self.document.set_step_timeout(self.step_id, self.before)


class EditCell(QUndoCommand):
    """Rename a cell or change its literal value (`value=...` clears it back to a computed cell)."""

    _UNCHANGED: Any = object()

    def __init__(self, document: WorkflowDocument, cell_id: UUID, *, alias: str | None = None,
                 value: Any = _UNCHANGED) -> None:
        cell = document.find_cell(cell_id)
        super().__init__(f"Rename {cell.alias!r}" if alias is not None else f"Edit value of {cell.alias!r}")
        self.document = document
        self.cell_id = cell_id
        self.before = (cell.alias, cell.value if cell.has_value else ...)
        self.after = (alias if alias is not None else cell.alias,
                      self.before[1] if value is self._UNCHANGED else value)

    def redo(self) -> None:
        self.document.set_cell(self.cell_id, *self.after)

    def undo(self) -> None:
        self.document.set_cell(self.cell_id, *self.before)
