"""Edit ▸ Add Frame and Add Note, and the right-click menu of a frame or a note.

Add Frame puts a frame around the selection (nodes, notes, frames), or in the middle of the view (or where
the canvas was right-clicked) when nothing is selected, and opens its title for typing; Add Note adds an
empty note and opens it for writing. Frames are laid on the grid, so the nodes inside stay on it when
the frame is dragged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QPointF, QRectF
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QMenu, QWidget

from fancy_studio.core import Frame, Note
from fancy_studio.core.annotations import FRAME_COLORS
from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.canvas.annotation_editor import AnnotationEditor
from fancy_studio.gui.canvas.annotation_item import AnnotationItem
from fancy_studio.gui.canvas.annotation_layer import item_rect
from fancy_studio.gui.canvas.frame_item import TITLE_HEIGHT, frame_color
from fancy_studio.gui.canvas.scene import GRID_SIZE
from fancy_studio.gui.document.annotation_commands import describe
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.window_action import window_action

MARGIN = 20.0
"""Room left between a new frame's edges and the selection it is put around (below its title bar)."""
NEW_FRAME = (400.0, 260.0)
NEW_NOTE = (240.0, 120.0)


def _grid_floor(value: float) -> float:
    return math.floor(value / GRID_SIZE) * GRID_SIZE


def _grid_ceil(value: float) -> float:
    return math.ceil(value / GRID_SIZE) * GRID_SIZE


class AnnotationActions(QObject):
    """The actions that add frames and notes, and the menu of one (`fill_menu`)."""

    def __init__(self, window: QWidget, view: WorkflowView, document: WorkflowDocument,
                 editor: AnnotationEditor) -> None:
        super().__init__(window)
        self.view, self.document, self.editor = view, document, editor
        self.scene = view.workflow_scene
        self.add_frame_action = window_action(
            window, "add-frame-action", "Add &Frame", lambda: self.add_frame(), ["Ctrl+J"],
            "Put a frame around the selected nodes (or in the middle of the view) and name it")
        self.add_note_action = window_action(window, "add-note-action", "Add N&ote", lambda: self.add_note(),
                                             (), "Write a note on the canvas")

    def _can_add(self) -> bool:
        if not self.document.undo_stack.allows_edit():  # a run reads the workflow: says why
            return False
        if not self.scene.annotations.shown:
            self.scene.message.emit("Frames and notes go on the workflow's top level: leave the group first")
            return False
        return True

    def add_frame(self, at: QPointF | None = None) -> Frame | None:
        """A frame around the selection; with nothing selected, at `at` (its top-left) or mid-view."""
        if not self._can_add():
            return None
        around = self._selection_rect()
        if around is not None:
            left, right = _grid_floor(around.left() - MARGIN), _grid_ceil(around.right() + MARGIN)
            top = _grid_floor(around.top() - MARGIN - TITLE_HEIGHT)
            bottom = _grid_ceil(around.bottom() + MARGIN)
        else:
            left, top = self._corner(at, NEW_FRAME)
            right, bottom = left + NEW_FRAME[0], top + NEW_FRAME[1]
        frame = Frame(x=left, y=top, width=right - left, height=bottom - top)
        self.document.add_annotation(frame)
        self.scene.select_ids({frame.id})
        self.editor.start(frame.id)
        return self.document.find_annotation(frame.id)  # the document's own (the command added a copy)

    def add_note(self, at: QPointF | None = None) -> Note | None:
        """An empty note at `at` (its top-left) or mid-view, open for writing."""
        if not self._can_add():
            return None
        x, y = self._corner(at, NEW_NOTE)
        note = Note(x=x, y=y, width=NEW_NOTE[0], height=NEW_NOTE[1])
        self.document.add_annotation(note)
        self.scene.select_ids({note.id})
        self.editor.start(note.id)
        return self.document.find_annotation(note.id)

    def _corner(self, at: QPointF | None, size: tuple[float, float]) -> tuple[float, float]:
        if at is None:
            centre = self.view.mapToScene(self.view.viewport().rect().center())
            at = centre - QPointF(size[0] / 2, size[1] / 2)
        return _grid_floor(at.x()), _grid_floor(at.y())

    def _selection_rect(self) -> QRectF | None:
        rect = None
        for item in self.scene.selectedItems():
            if item.isVisible() and (isinstance(item, AnnotationItem) or hasattr(item, "node_id")):
                rect = item_rect(item) if rect is None else rect.united(item_rect(item))
        return rect

    # --- the menu of a frame or note ---------------------------------------------------------------------

    def fill_menu(self, menu: QMenu, item: AnnotationItem, shared: Iterable[QAction]) -> None:
        """A frame's menu (rename, collapse, colour) or a note's (edit, Markdown), then `shared` (cut…)."""
        model = item.model
        if isinstance(model, Frame):
            self._entry(menu, "frame-rename-action", "Re&name", lambda: self.editor.start(item.item_id))
            self._entry(menu, "frame-collapse-action", "&Expand" if model.collapsed else "&Collapse",
                        lambda: item.toggle())
            colours = menu.addMenu("C&olour")
            colours.setObjectName("frame-colour-menu")
            for name in FRAME_COLORS:
                action = self._entry(colours, f"frame-colour-{name}-action", name.capitalize(),
                                     lambda _=False, n=name: self._recolour(item, n))
                action.setIcon(_swatch(frame_color(name)))
                action.setCheckable(True)
                action.setChecked(name == model.color)
        elif isinstance(model, Note):
            self._entry(menu, "note-edit-action", "&Edit Text", lambda: self.editor.start(item.item_id))
            markdown = self._entry(menu, "note-markdown-action", "Render as &Markdown",
                                   lambda checked: self._render_markdown(item, checked))
            markdown.setCheckable(True)
            markdown.setChecked(model.markdown)
        menu.addSeparator()
        menu.addActions(list(shared))

    def _render_markdown(self, item: AnnotationItem, markdown: bool) -> None:
        model = item.model
        if model is not None:
            verb = "Render" if markdown else "Plain text for"
            self.document.change_annotation(item.item_id, f"{verb} {describe(model)}", markdown=markdown)

    def _recolour(self, item: AnnotationItem, name: str) -> None:
        model = item.model
        if model is not None:
            self.document.change_annotation(item.item_id, f"Colour {describe(model)} {name}", color=name)

    @staticmethod
    def _entry(menu: QMenu, name: str, text: str, slot: Callable) -> QAction:
        action = menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action


def _swatch(color: QColor) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(color)
    return QIcon(pixmap)

