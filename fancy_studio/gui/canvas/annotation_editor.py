"""Editing frames and notes where they are drawn: a frame's title in a line over its title bar, a note's
text in a box over the note (its Markdown source, for a Markdown note).

Enter (a title) or Ctrl+Enter (a note), or clicking away, keeps the edit as one undoable command; Esc
leaves it as it was. Like `inline_rename`, the editor is a plain widget over the view's viewport, so it
keeps a readable size at any zoom and the platform's text editing.
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QEvent, QObject, QRect, QRectF, Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from fancy_studio.core import Frame
from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.canvas.frame_item import TITLE_HEIGHT
from fancy_studio.gui.document.annotation_commands import describe
from fancy_studio.gui.document.document import WorkflowDocument

MIN_TITLE_WIDTH = 160
MIN_NOTE_SIZE = (260, 150)
"""A note's editor is at least this large on screen, however far out the view is zoomed."""


class AnnotationEditor(QObject):
    """At most one title or note editor on a view."""

    def __init__(self, view: WorkflowView, document: WorkflowDocument) -> None:
        super().__init__(view)
        self.view, self.document = view, document
        self.editor: QLineEdit | QPlainTextEdit | None = None
        self.item_id: UUID | None = None

    def start(self, item_id: UUID) -> bool:
        """Open the editor over the frame's title or the note; False when it cannot be edited now."""
        item = self.view.workflow_scene.annotations.item_for(item_id)
        model = self.document.find_annotation(item_id)
        if item is None or model is None or not self.document.undo_stack.allows_edit():
            return False
        self.finish(commit=True)
        self.view.ensureVisible(item.mapRectToScene(QRectF(0, 0, item.rect().width(), TITLE_HEIGHT))
                                if isinstance(model, Frame) else item.sceneBoundingRect(), 40, 40)
        viewport = self.view.viewport()
        editor: QWidget
        if isinstance(model, Frame):
            editor = QLineEdit(model.title, viewport)
            editor.setObjectName("frame-title-editor")
            editor.setPlaceholderText("frame title")
            editor.selectAll()
            editor.returnPressed.connect(lambda: self.finish(commit=True))
            bar = self.view.mapFromScene(item.mapRectToScene(QRectF(0, 0, item.rect().width(), TITLE_HEIGHT)))
            box = bar.boundingRect()
            height = editor.sizeHint().height()
            editor.setGeometry(_within(QRect(box.left(), box.center().y() - height // 2,
                                             max(box.width(), MIN_TITLE_WIDTH), height), viewport.rect()))
        else:
            editor = QPlainTextEdit(viewport)
            editor.setObjectName("note-editor")
            editor.setPlainText(model.text)
            editor.setPlaceholderText("Markdown" if model.markdown else "A note")
            editor.setToolTip("Ctrl+Enter or a click elsewhere keeps the text; Esc leaves it as it was")
            editor.moveCursor(editor.textCursor().MoveOperation.End)
            box = self.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
            editor.setGeometry(_within(QRect(box.left(), box.top(), max(box.width(), MIN_NOTE_SIZE[0]),
                                             max(box.height(), MIN_NOTE_SIZE[1])), viewport.rect()))
        editor.installEventFilter(self)
        editor.show()
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.editor, self.item_id = editor, item_id
        return True

    def finish(self, *, commit: bool) -> None:
        editor, item_id = self.editor, self.item_id
        if editor is None:
            return
        self.editor = self.item_id = None  # first: closing the editor moves focus, which calls us again
        text = editor.text().strip() if isinstance(editor, QLineEdit) else editor.toPlainText()
        editor.hide()
        editor.deleteLater()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        model = self.document.find_annotation(item_id)
        if not commit or model is None:
            return
        if isinstance(model, Frame):
            self.document.change_annotation(item_id, f"Rename {describe(model)} to {text!r}", title=text)
        else:
            edited = describe(model.model_copy(update={"text": text}))
            self.document.change_annotation(item_id, f"Edit {edited}", text=text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.editor:
            if event.type() == QEvent.Type.KeyPress:
                if event.key() == Qt.Key.Key_Escape:
                    self.finish(commit=False)
                    return True
                if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                        event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                    self.finish(commit=True)
                    return True
            if event.type() == QEvent.Type.FocusOut and event.reason() != Qt.FocusReason.PopupFocusReason:
                self.finish(commit=True)  # a click elsewhere keeps what was typed (not the editor's menu)
        return super().eventFilter(watched, event)


def _within(box: QRect, room: QRect) -> QRect:
    """`box` moved (and cut, if need be) to lie inside `room`: an editor wholly on screen."""
    box = QRect(box)
    box.setWidth(min(box.width(), room.width()))
    box.setHeight(min(box.height(), room.height()))
    box.moveLeft(max(room.left(), min(box.left(), room.right() - box.width() + 1)))
    box.moveTop(max(room.top(), min(box.top(), room.bottom() - box.height() + 1)))
    return box
