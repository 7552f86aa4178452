"""Renaming where it is drawn: F2 or a double-click puts a line edit over a cell's alias or a step's title.

Enter or clicking away renames (one undoable command, through the document); Esc leaves the name as it
was. A step left with an empty name is called by its function's title again; a cell keeps its alias. The
editor is a plain widget over the view's viewport, not a graphics item: it keeps a readable size at any
zoom and gets the platform's text editing for free.
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QEvent, QObject, QRect, QRectF, Qt
from PySide6.QtWidgets import QLineEdit

from fancy_studio.gui.canvas import WorkflowView, style
from fancy_studio.gui.document.document import WorkflowDocument

MIN_WIDTH = 120


class InlineRename(QObject):
    """At most one inline name editor on a view."""

    def __init__(self, view: WorkflowView, document: WorkflowDocument) -> None:
        super().__init__(view)
        self.view, self.document = view, document
        self.editor: QLineEdit | None = None
        self.node_id: UUID | None = None

    def start(self, node_id: UUID) -> bool:
        """Open the editor over the cell or step; False (and a word why) when it cannot be renamed now."""
        item = self.view.workflow_scene.item_for(node_id)
        cell, step = self.document.find_cell(node_id), self.document.find_step(node_id)
        if item is None or (cell is None and step is None):
            return False
        if not self.document.undo_stack.allows_edit():
            return False
        self.finish(commit=True)
        self.view.ensureVisible(item, 40, 40)
        box = self.view.mapFromScene(item.mapRectToScene(item.body_rect())).boundingRect()
        if step is not None:  # over the title bar, where the name is drawn
            header = item.mapRectToScene(QRectF(0, 0, item.body_rect().width(), style.HEADER_HEIGHT))
            box = self.view.mapFromScene(header).boundingRect()
        width = max(box.width(), MIN_WIDTH)
        editor = QLineEdit(cell.alias if cell is not None else self.document.title_of(step), self.view.viewport())
        editor.setObjectName("inline-rename")
        editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        editor.setPlaceholderText("alias" if cell is not None else "name (empty: the function's)")
        height = editor.sizeHint().height()
        editor.setGeometry(QRect(box.center().x() - width // 2, box.center().y() - height // 2, width, height))
        editor.selectAll()
        editor.installEventFilter(self)
        editor.returnPressed.connect(lambda: self.finish(commit=True))
        editor.show()
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.editor, self.node_id = editor, node_id
        return True

    def finish(self, *, commit: bool) -> None:
        editor, node_id = self.editor, self.node_id
        if editor is None:
            return
        self.editor = self.node_id = None  # first: closing the editor moves focus, which calls us again
        name = editor.text().strip()
        editor.hide()
        editor.deleteLater()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        if not commit:
            return
        if (cell := self.document.find_cell(node_id)) is not None:
            if name and name != cell.alias:
                self.document.rename_cell(node_id, name)
        elif (step := self.document.find_step(node_id)) is not None:
            function = self.document.function_of(step)
            if name == (function.title if function is not None else step.function_slug):
                name = ""  # its function's own title: no label of its own
            self.document.rename_step(node_id, name)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.editor:
            if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
                self.finish(commit=False)
                return True
            if event.type() == QEvent.Type.FocusOut:
                self.finish(commit=True)  # clicking elsewhere keeps what was typed, as in a file manager
        return super().eventFilter(watched, event)
