"""What frames and notes on the canvas share: they draw a frame or note of the model, are dragged like
nodes, and resize by a handle (one undoable command when the button is released).

An item never changes the model itself except through the document's undoable edits; while the pointer
drags a handle it only resizes its own drawing, and `refresh` puts it back to what the model says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSceneMouseEvent

from fancy_studio.core import Frame, Note
from fancy_studio.gui.canvas import style
from fancy_studio.gui.document.annotation_commands import describe

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument

HANDLE = 14.0
"""The side of the square resize handle in a bottom-right corner, in scene units."""
EDGE = 6.0
"""How wide the band along a frame's right and bottom edges is that resizes it."""
RESIZE_PARTS = {"corner": Qt.CursorShape.SizeFDiagCursor, "right": Qt.CursorShape.SizeHorCursor,
                "bottom": Qt.CursorShape.SizeVerCursor}
"""The parts of an item that resize it, and the pointer shown over each."""
_NO_PEN = QPen(Qt.PenStyle.NoPen)
_FLAGS = QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable


class AnnotationItem(QGraphicsRectItem):
    """A frame or note of the document, by id (its rect, answered in C++, is its size)."""

    min_size = (40.0, 40.0)

    def __init__(self, document: WorkflowDocument, item_id: UUID) -> None:
        super().__init__()
        self.document, self.item_id = document, item_id
        self.setPen(_NO_PEN)
        self.setFlags(_FLAGS)
        self.setAcceptHoverEvents(True)
        self._hover_part: str | None = None
        self._hover = False
        self._resizing: tuple[str, QPointF, float, float] | None = None
        """While a handle is dragged: which one, where the press was, the size then."""
        self._handled_press = False
        """The last press was taken by `press` (a frame's collapse triangle): its release selects nothing."""

    @property
    def model(self) -> Frame | Note | None:
        return self.document.find_annotation(self.item_id)

    def refresh(self) -> None:
        """Take position and size from the model (and whatever else the subclass draws)."""
        model = self.model
        if model is None:
            return
        if (self.x(), self.y()) != (model.x, model.y):
            self.setPos(model.x, model.y)
        self.set_size(model.width, model.height)
        self.update()

    def set_size(self, width: float, height: float) -> None:
        self.setRect(QRectF(0, 0, width, height))

    def size(self) -> tuple[float, float]:
        rect = self.rect()
        return rect.width(), rect.height()

    def part_at(self, pos: QPointF) -> str | None:
        """What is under `pos` (item coordinates): "corner", "right", "bottom" (resize), a subclass's own
        parts, or None. The resize corner is the bottom-right square."""
        width, height = self.size()
        if width - HANDLE <= pos.x() <= width and height - HANDLE <= pos.y() <= height:
            return "corner"
        return None

    def draw_grip(self, painter: QPainter) -> None:
        """Three short diagonal lines in the bottom-right corner: a handle to resize by."""
        width, height = self.size()
        painter.setPen(QPen(style.SELECTED if self.isSelected() else style.TEXT_DIM, 1.2))
        for inset in (4.0, 8.0, 12.0):
            painter.drawLine(QPointF(width - inset, height - 2), QPointF(width - 2, height - inset))

    # --- pointer ---------------------------------------------------------------------------------------

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._hover = True
        self.update()

    def hoverMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        part = self.part_at(event.pos())
        if part != self._hover_part:
            self._hover_part = part
            if part in RESIZE_PARTS:
                self.setCursor(RESIZE_PARTS[part])
            else:
                self.unsetCursor()
            self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._hover, self._hover_part = False, None
        self.unsetCursor()
        self.update()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 (Qt's name)
        part = self.part_at(event.pos())
        if event.button() == Qt.MouseButton.LeftButton and part in RESIZE_PARTS:
            if self.document.undo_stack.allows_edit():  # a run reads the workflow: says why
                self._resizing = (part, event.scenePos(), *self.size())
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and self.press(part, event):
            self._handled_press = True
            event.accept()
            return
        super().mousePressEvent(event)

    def press(self, part: str | None, event: QGraphicsSceneMouseEvent) -> bool:
        """A left press on a part of the subclass's own (a frame's collapse toggle); True: handled."""
        return False

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if self._resizing is not None:
            part, start, width, height = self._resizing
            delta = event.scenePos() - start
            if part in ("corner", "right"):
                width += delta.x()
            if part in ("corner", "bottom"):
                height += delta.y()
            self.set_size(max(self.min_size[0], width), max(self.min_size[1], height))
            event.accept()
            return
        if self._handled_press:  # a click on the triangle, not a drag
            event.accept()
            return
        super().mouseMoveEvent(event)
        scene = self.scene()
        if scene is not None and hasattr(scene, "nodes_dragged"):
            scene.nodes_dragged([self, *scene.selectedItems()])  # nodes dragged along keep their wires

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if self._resizing is not None:
            self._resizing = None
            self._commit_size()
            event.accept()
            return
        if self._handled_press:
            self._handled_press = False
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def _commit_size(self) -> None:
        model = self.model
        if model is None:
            return
        width, height = self.size()
        scene = self.scene()
        if scene is not None and getattr(scene, "snap_to_grid", False):  # the far edges land on the grid
            right, bottom = scene.snapped(model.x + width, model.y + height)
            width = max(self.min_size[0], right - model.x)
            height = max(self.min_size[1], bottom - model.y)
        self.document.change_annotation(self.item_id, f"Resize {describe(model)}", width=width, height=height)
        self.refresh()  # unchanged (or refused): back to the model's size

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.rect())
        return path
