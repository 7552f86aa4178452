"""Renaming a cell where it is drawn: F2 or a double-click puts a line edit over the node's alias.

Enter or clicking away renames (one undoable `EditCell`, through the document); Esc leaves the alias as
it was. The editor is a plain widget over the view's viewport, not a graphics item: it keeps a
readable size at any zoom and gets the platform's text editing for free.
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtWidgets import QLineEdit

from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.canvas.node_items import CellNodeItem
from fancy_studio.gui.document import WorkflowDocument

MIN_WIDTH = 120


class InlineRename(QObject):
    """At most one inline alias editor on a view."""

    def __init__(self, view: WorkflowView, document: WorkflowDocument) -> None:
        super().__init__(view)
        self.view, self.document = view, document
        self.editor: QLineEdit | None = None
        self.cell_id: UUID | None = None

    def start(self, cell_id: UUID) -> bool:
        """Open the editor over the cell; False (and a word why) when it cannot be renamed now."""
        item = self.view.workflow_scene.item_for(cell_id)
        cell = self.document.find_cell(cell_id)
        if not isinstance(item, CellNodeItem) or cell is None:
            return False
        if not self.document.undo_stack.allows_edit():
            return False
        self.finish(commit=True)
        self.view.ensureVisible(item, 40, 40)
        box = self.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
        width = max(box.width(), MIN_WIDTH)
        editor = QLineEdit(cell.alias, self.view.viewport())
        editor.setObjectName("inline-rename")
        editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        editor.setPlaceholderText("alias")
        height = editor.sizeHint().height()
        editor.setGeometry(QRect(box.center().x() - width // 2, box.center().y() - height // 2, width, height))
        editor.selectAll()
        editor.installEventFilter(self)
        editor.returnPressed.connect(lambda: self.finish(commit=True))
        editor.show()
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.editor, self.cell_id = editor, cell_id
        return True

    def finish(self, *, commit: bool) -> None:
        editor, cell_id = self.editor, self.cell_id
        if editor is None:
            return
        self.editor = self.cell_id = None  # first: closing the editor moves focus, which calls us again
        alias = editor.text().strip()
        editor.hide()
        editor.deleteLater()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        cell = self.document.find_cell(cell_id)
        if commit and cell is not None and alias and alias != cell.alias:
            self.document.rename_cell(cell_id, alias)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.editor:
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
                self.finish(commit=False)
                return True
            if event.type() == QEvent.Type.FocusOut:
                self.finish(commit=True)  # clicking elsewhere keeps what was typed, as in a file manager
        return super().eventFilter(watched, event)
