"""Undoable edits of frames and notes: add, remove, and change any of their fields (a move, a resize, a
new title, colour or text, a collapse).

Like `commands.py`, these change the model only through the document's model changes
(`insert_annotations`, `delete_annotations`, `update_annotations`) and keep copies of what they change,
so undo restores ids, order and every field exactly. A frame dragged with the nodes inside it is one
undo step: `WorkflowDocument.move_items` groups a `MoveNodes` and a `ChangeAnnotations` in a macro.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtGui import QUndoCommand

from fancy_studio.core import Frame, Note

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument

Annotation = Frame | Note


def describe(item: Annotation) -> str:
    """How the History names a frame or note: "frame 'Inputs'", "note 'Read me…'"."""
    if isinstance(item, Frame):
        return f"frame {item.title!r}"
    first = item.text.strip().splitlines()[0] if item.text.strip() else ""
    return f"note {first[:20] + '…' if len(first) > 20 else first!r}" if first else "note"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


class AddAnnotations(QUndoCommand):
    """Add frames and notes (Add Frame, Add Note, a paste)."""

    def __init__(self, document: WorkflowDocument, items: list[Annotation], text: str) -> None:
        super().__init__(text)
        self.document = document
        self.items = [item.model_copy() for item in items]

    def redo(self) -> None:
        self.document.insert_annotations([item.model_copy() for item in self.items])

    def undo(self) -> None:
        self.document.delete_annotations({item.id for item in self.items})


class RemoveAnnotations(QUndoCommand):
    """Delete frames and notes (a frame's nodes stay); undo puts each back where it was in its list."""

    def __init__(self, document: WorkflowDocument, ids: set[UUID]) -> None:
        super().__init__(f"Delete {plural(len(ids), 'frame or note')}")
        self.document = document
        workflow = document.workflow
        self.removed: list[tuple[int, Annotation]] = [
            (index, item.model_copy()) for items in (workflow.frames, workflow.notes)
            for index, item in enumerate(items) if item.id in ids]
        if len(self.removed) == 1:
            self.setText(f"Delete {describe(self.removed[0][1])}")

    def redo(self) -> None:
        self.document.delete_annotations({item.id for _, item in self.removed})

    def undo(self) -> None:
        self.document.insert_annotations([item.model_copy() for _, item in self.removed],
                                         {item.id: index for index, item in self.removed})


class ChangeAnnotations(QUndoCommand):
    """Set fields of frames and notes: `changes` maps an id to {field: new value}. The new values are
    checked by the model before the command is made (a bad one raises here, and nothing is pushed)."""

    def __init__(self, document: WorkflowDocument, changes: dict[UUID, dict[str, Any]], text: str) -> None:
        super().__init__(text)
        self.document = document
        self.before: dict[UUID, dict[str, Any]] = {}
        self.after: dict[UUID, dict[str, Any]] = {}
        for item_id, fields in changes.items():
            item = document.find_annotation(item_id)
            checked = type(item).model_validate({**item.model_dump(), **fields})
            self.before[item_id] = {name: getattr(item, name) for name in fields}
            self.after[item_id] = {name: getattr(checked, name) for name in fields}

    def redo(self) -> None:
        self.document.update_annotations(self.after)

    def undo(self) -> None:
        self.document.update_annotations(self.before)
