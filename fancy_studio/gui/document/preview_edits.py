"""The document's per-cell "Show Preview" choice: whether the canvas draws a cell's image thumbnail or table
outline under it.

The choice is layout, like a node's position, so it is saved in the workflow file: in its free-form
`metadata` under `PREVIEWS_KEY`, as `{cell id: true or false}`, only for cells whose choice differs from
the default (a preview is shown). No schema change: a file without the key shows every preview, and an
older studio keeps the key as it found it. Inside a group the cell's own id (the definition's) is the key,
so every instance of the group shows the same choice. `PreviewEdits` is mixed into `WorkflowDocument`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument

PREVIEWS_KEY = "cell_previews"
"""The workflow metadata's key of the per-cell preview choices."""


class PreviewEdits:
    """`WorkflowDocument`'s preview choices: read one, change one (one undo step)."""

    def preview_shown(self: WorkflowDocument, cell_id: UUID) -> bool:
        """True unless the user hid the cell's preview (Show Preview unchecked)."""
        choices = self.workflow.metadata.get(PREVIEWS_KEY)
        return not isinstance(choices, dict) or choices.get(str(cell_id)) is not False

    def show_preview(self: WorkflowDocument, cell_id: UUID, shown: bool) -> None:
        """Show or hide the cell's preview on the canvas, as one undo step (nothing when it is so already)."""
        if self.find_cell(cell_id) is not None and self.preview_shown(cell_id) != shown:
            self.undo_stack.push(SetPreviewShown(self, cell_id, shown))

    def set_preview_shown(self: WorkflowDocument, cell_id: UUID, shown: bool) -> None:
        """The model change: record the choice (the default, shown, is recorded by leaving the cell out)."""
        metadata = dict(self.workflow.metadata)
        choices = metadata.get(PREVIEWS_KEY)
        choices = dict(choices) if isinstance(choices, dict) else {}
        if shown:
            choices.pop(str(cell_id), None)
        else:
            choices[str(cell_id)] = False
        if choices:
            metadata[PREVIEWS_KEY] = choices
        else:
            metadata.pop(PREVIEWS_KEY, None)
        self.workflow.metadata = metadata
        self.cell_changed.emit(cell_id)  # the canvas redraws the cell with or without its preview


class SetPreviewShown(QUndoCommand):
    """Show Preview checked or unchecked on a cell."""

    def __init__(self, document: WorkflowDocument, cell_id: UUID, shown: bool) -> None:
        cell = document.find_cell(cell_id)
        name = cell.alias if cell is not None and cell.alias else "cell"
        super().__init__(f"{'Show' if shown else 'Hide'} the preview of {name!r}")
        self.document, self.cell_id, self.shown = document, cell_id, shown

    def redo(self) -> None:
        self.document.set_preview_shown(self.cell_id, self.shown)

    def undo(self) -> None:
        self.document.set_preview_shown(self.cell_id, not self.shown)
