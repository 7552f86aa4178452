"""The document's frames and notes: find one, and the undoable edits of them (Add Frame, Add Note, a change
of fields, a move or delete together with nodes).

Apart from `document.py` because frames and notes sit beside the graph, not in it: they touch no index,
no wire and no level, only the workflow's two lists. `AnnotationEdits` is mixed into `WorkflowDocument`;
the commands it pushes are `annotation_commands.py`'s, and the model changes they call
(`insert_annotations`, `delete_annotations`, `update_annotations`) stay on the document.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fancy_studio.core import Frame, Note


class AnnotationEdits:
    """`WorkflowDocument`'s frames and notes: the lookup and the undoable edits."""

    def find_annotation(self, item_id: UUID) -> Frame | Note | None:
        """The frame or note with this id (a workflow has a few: looked up, not indexed)."""
        for items in (self.workflow.frames, self.workflow.notes):
            for item in items:
                if item.id == item_id:
                    return item
        return None

    def add_annotation(self, item: Frame | Note) -> None:
        """Add a frame or a note (Add Frame, Add Note)."""
        from fancy_studio.gui.document.annotation_commands import AddAnnotations, describe

        self.undo_stack.push(AddAnnotations(self, [item], f"Add {describe(item)}"))

    def change_annotation(self, item_id: UUID, text: str, /, **fields: Any) -> None:
        """Set fields of a frame or note as one undo step named `text`; nothing when none would change. A
        value the model refuses (a NaN, an unknown colour) raises `ValueError` and nothing is pushed."""
        from fancy_studio.gui.document.annotation_commands import ChangeAnnotations

        item = self.find_annotation(item_id)
        if item is None:
            return
        changed = {name: value for name, value in fields.items() if getattr(item, name) != value}
        if changed:
            self.undo_stack.push(ChangeAnnotations(self, {item_id: changed}, text))

    def move_items(self, node_moves: dict[UUID, tuple[float, float]],
                   annotation_moves: dict[UUID, tuple[float, float]], carrier: UUID | None = None) -> None:
        """Move nodes, frames and notes as ONE undo step; `carrier`: the frame that was dragged and carried
        the rest (the step is named after it)."""
        from fancy_studio.gui.document.annotation_commands import ChangeAnnotations, describe, plural

        changes = {item_id: {"x": x, "y": y} for item_id, (x, y) in annotation_moves.items()}
        if not changes:
            self.move_nodes(node_moves)
            return
        leader = self.find_annotation(carrier) if carrier in changes else None
        if leader is None and len(changes) == 1 and not node_moves:  # a note (or a frame) alone
            leader = self.find_annotation(next(iter(changes)))
        count = len(node_moves) + len(changes)
        text = f"Move {describe(leader)}" if leader is not None else f"Move {plural(count, 'item')}"
        self.undo_stack.beginMacro(text)
        try:
            self.move_nodes(node_moves)
            self.undo_stack.push(ChangeAnnotations(self, changes, text))
        finally:
            self.undo_stack.endMacro()

    def remove_items(self, ids: set[UUID]) -> None:
        """Delete steps, cells, frames and notes among `ids` as ONE undo step (a frame's nodes stay)."""
        from fancy_studio.gui.document.annotation_commands import RemoveAnnotations

        annotations = {item_id for item_id in ids if self.find_annotation(item_id) is not None}
        nodes = set(ids) - annotations
        if not annotations:
            self.remove_nodes(nodes)
            return
        if not nodes:
            self.undo_stack.push(RemoveAnnotations(self, annotations))
            return
        self.undo_stack.beginMacro(f"Delete {len(ids)} items")
        try:
            self.remove_nodes(nodes)
            self.undo_stack.push(RemoveAnnotations(self, annotations))
        finally:
            self.undo_stack.endMacro()
