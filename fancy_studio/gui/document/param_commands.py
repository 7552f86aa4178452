"""Undoable edits of a step's parameters and bypass, and the conversions between a param and a cell.

A param is an input's literal value kept in the step itself (`WorkflowStep.params`); a wire to the input
wins over it, and the param stays for when the wire goes. As `commands.py`'s, these commands change the
model only through the document's model changes (`set_step_params`, `set_step_bypass`), keeping copies of
what they change; the conversions are macros of these and the node and wire commands, so one undo step
takes each back whole.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtGui import QUndoCommand

from fancy_studio.core import CellSpec
from fancy_studio.core.workflow import non_finite_at

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument


def same_value(a: Any, b: Any) -> bool:
    """Equal as JSON values, types included: 1, 1.0 and true are three different params."""
    try:
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    except (TypeError, ValueError):
        return a is b


def _preview(value: Any, limit: int = 24) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SetParams(QUndoCommand):
    """Replace one step's params (set, change or drop one of them)."""

    def __init__(self, document: WorkflowDocument, step_id: UUID, params: dict[str, Any], text: str) -> None:
        super().__init__(text)
        self.document, self.step_id = document, step_id
        self.before = copy.deepcopy(document.find_step(step_id).params)
        self.after = copy.deepcopy(params)

    def redo(self) -> None:
        self.document.set_step_params(self.step_id, copy.deepcopy(self.after))

    def undo(self) -> None:
        self.document.set_step_params(self.step_id, copy.deepcopy(self.before))


class SetBypass(QUndoCommand):
    """Bypass steps, or stop bypassing them (only the steps that change are kept)."""

    def __init__(self, document: WorkflowDocument, step_ids: list[UUID], bypass: bool, text: str) -> None:
        super().__init__(text)
        self.document, self.step_ids, self.bypass = document, list(step_ids), bypass

    def _apply(self, bypass: bool) -> None:
        with self.document.changing_many():
            for step_id in self.step_ids:
                self.document.set_step_bypass(step_id, bypass)

    def redo(self) -> None:
        self._apply(self.bypass)

    def undo(self) -> None:
        self._apply(not self.bypass)


def set_param(document: WorkflowDocument, step_id: UUID, name: str, value: Any) -> None:
    """See `WorkflowDocument.set_param`. A value a file cannot hold (NaN, Infinity) raises `ValueError`."""
    step = document.find_step(step_id)
    if step is None or (name in step.params and same_value(step.params[name], value)):
        return
    problem = non_finite_at(value, name)
    if problem is not None:
        raise ValueError(problem)
    params = {**step.params, name: value}
    text = f"Set {name} of {document.title_of(step)!r} to {_preview(value)}"
    document.undo_stack.push(SetParams(document, step_id, params, text))


def clear_param(document: WorkflowDocument, step_id: UUID, name: str) -> None:
    """See `WorkflowDocument.clear_param`."""
    step = document.find_step(step_id)
    if step is None or name not in step.params:
        return
    params = {key: value for key, value in step.params.items() if key != name}
    document.undo_stack.push(SetParams(document, step_id, params,
                                       f"Reset {name} of {document.title_of(step)!r} to its default"))


def set_bypass(document: WorkflowDocument, step_ids: set[UUID], bypass: bool) -> None:
    """See `WorkflowDocument.set_bypass`."""
    found = (document.find_step(step_id) for step_id in sorted(step_ids))  # (found in the level edited)
    changing = [step for step in found if step is not None and step.bypass != bypass]
    if not changing:
        return
    what = repr(document.title_of(changing[0])) if len(changing) == 1 else f"{len(changing)} steps"
    text = f"Bypass {what}" if bypass else f"Stop bypassing {what}"
    document.undo_stack.push(SetBypass(document, [step.id for step in changing], bypass, text))


def param_to_cell(document: WorkflowDocument, step_id: UUID, name: str, value: Any, x: float, y: float,
                  alias: str) -> CellSpec | None:
    """See `WorkflowDocument.param_to_cell`."""
    step = document.find_step(step_id)
    if step is None or name in step.inputs or not document.undo_stack.allows_edit():
        return None
    stack = document.undo_stack
    stack.beginMacro(f"Convert {name} of {document.title_of(step)!r} to a cell")
    try:
        cell = document.add_cell(alias, x, y, value=value)
        document.connect_input(step_id, name, cell.id)
        if name in step.params:  # the value lives in the cell now
            params = {key: param for key, param in step.params.items() if key != name}
            stack.push(SetParams(document, step_id, params, f"Drop the param {name}"))
    finally:
        stack.endMacro()
    return cell


def cell_to_params(document: WorkflowDocument, cell_id: UUID) -> bool:
    """See `WorkflowDocument.cell_to_params`."""
    if document.why_not_cell_to_params(cell_id) is not None or not document.undo_stack.allows_edit():
        return False
    cell = document.find_cell(cell_id)
    readers: dict[UUID, list[str]] = {}
    for step, name in document.readers_of(cell_id):
        readers.setdefault(step.id, []).append(name)
    stack = document.undo_stack
    stack.beginMacro(f"Convert {cell.alias or 'cell'!r} to parameters")
    try:
        for step_id, names in readers.items():
            step = document.find_step(step_id)
            params = {**step.params, **{name: copy.deepcopy(cell.value) for name in names}}
            text = f"Set {', '.join(names)} of {document.title_of(step)!r}"
            stack.push(SetParams(document, step_id, params, text))
        document.remove_nodes({cell_id})  # cuts its wires; undo brings them back
    finally:
        stack.endMacro()
    return True
