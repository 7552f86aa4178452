"""A frame on the canvas: a titled, coloured rectangle behind the nodes.

Only its title bar and its edges take the pointer: a click in its body is a click on the canvas (a
rubber band to select the nodes inside it, a double-click to add a step there). Dragging the title bar
moves the frame and everything inside it (see `annotation_layer.AnnotationLayer.carry`); the triangle
at the left of the title bar collapses it to that bar; the right and bottom edges and the bottom-right
corner resize it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from fancy_studio.core import Frame
from fancy_studio.core.annotations import MIN_FRAME_HEIGHT, MIN_FRAME_WIDTH
from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.annotation_item import EDGE, AnnotationItem
from fancy_studio.gui.document.annotation_commands import describe

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument

TITLE_HEIGHT = 32.0
"""The title bar's height in scene units (zoomed out, the title may stand taller in a large frame)."""
TOGGLE_WIDTH = 28.0
"""The collapse triangle's part of the title bar, from its left end."""
FRAME_Z = -10.0
"""Behind the wires (0) and the nodes (2); a smaller frame stands above a larger one it overlaps."""
COLLAPSED_Z = 1.5
"""A collapsed frame stands for its nodes: above the wires that now end at it, below the nodes."""
COLLAPSED_WIDTH = 260.0
"""A collapsed frame is a title bar at most this wide (its title elided), like a node."""
_CORNER = 6.0
TITLE_FONT = QFont(style.TITLE_FONT)
TITLE_FONT.setPixelSize(14)
LABEL_FONT = QFont(style.TITLE_FONT)
LABEL_FONT.setPixelSize(13)
"""A frame's title zoomed out (`style.LOW_DETAIL`), in screen pixels, over the frame's top edge."""
LABEL_ROOM = 200.0
"""Scene units above a frame that its zoomed-out title may take (its bounding rect holds them)."""

PALETTE = {
    "gray": ("#8b919a", "#9aa1ab"), "red": ("#cc5a5f", "#e57a7f"), "orange": ("#d18a3e", "#eda45a"),
    "yellow": ("#c4ad3b", "#e3cc55"), "green": ("#52a567", "#6cbf80"), "teal": ("#3aa3a3", "#56c0c0"),
    "blue": ("#5086d0", "#74a2e3"), "purple": ("#9468c8", "#ae8ce0"),
}
"""Each colour name of `core.annotations.FrameColor`: (on the dark canvas, on the light canvas). The body
is this at a low alpha and the title bar at a higher one, so either canvas shows through."""


def dark_canvas() -> bool:
    return style.BACKGROUND.lightness() < 128


def text_dim_on_bar() -> QColor:
    color = QColor(style.TEXT)
    color.setAlphaF(0.7)
    return color


def frame_color(name: str, alpha: float = 1.0) -> QColor:
    """The colour a frame of colour `name` is drawn in on the canvas's current look."""
    dark, light = PALETTE.get(name, PALETTE["gray"])
    color = QColor(dark if dark_canvas() else light)
    color.setAlphaF(alpha)
    return color


class FrameItem(AnnotationItem):
    """A frame of the document: body and title bar expanded, the title bar alone collapsed."""

    min_size = (MIN_FRAME_WIDTH, MIN_FRAME_HEIGHT)

    def __init__(self, document: WorkflowDocument, frame_id: UUID) -> None:
        super().__init__(document, frame_id)
        self.title, self.color, self.collapsed = "", "gray", False
        self.full_size = (0.0, 0.0)
        self.hidden_count = 0
        """How many steps and cells a collapsed frame hides (the layer tells it)."""
        self.refresh()

    def refresh(self) -> None:
        frame = self.model
        if not isinstance(frame, Frame):
            return
        self.title, self.color, self.collapsed = frame.title, frame.color, frame.collapsed
        self.full_size = (frame.width, frame.height)
        area = frame.width * frame.height
        self.setZValue(COLLAPSED_Z if frame.collapsed else FRAME_Z + 1.0 / (1.0 + area / 1e4))
        self.setToolTip(f"{frame.title} (collapsed: {self.hidden_count} nodes inside)" if frame.collapsed
                        else "")
        super().refresh()

    def set_size(self, width: float, height: float) -> None:
        if self.collapsed:
            super().set_size(min(width, COLLAPSED_WIDTH), TITLE_HEIGHT)
        else:
            super().set_size(width, height)

    def full_rect(self) -> QRectF:
        """Where the frame is and how large, expanded, in scene coordinates (from where its item is now)."""
        return QRectF(self.x(), self.y(), *self.full_size)

    def title_bar(self) -> QRectF:
        return QRectF(0, 0, self.rect().width(), TITLE_HEIGHT)

    def part_at(self, pos: QPointF) -> str | None:
        width, height = self.size()
        if not (0 <= pos.x() <= width and 0 <= pos.y() <= height):
            return None
        if pos.y() <= TITLE_HEIGHT:
            return "toggle" if pos.x() <= TOGGLE_WIDTH else "title"
        if self.collapsed:
            return None
        corner = super().part_at(pos)
        if corner is not None:
            return corner
        if pos.x() >= width - EDGE:
            return "right"
        if pos.y() >= height - EDGE:
            return "bottom"
        return None

    def shape(self) -> QPainterPath:
        """The title bar and the resize edges: the body lets clicks through to the canvas."""
        width, height = self.size()
        path = QPainterPath()
        path.addRect(self.title_bar())
        if not self.collapsed:
            path.addRect(QRectF(width - EDGE, TITLE_HEIGHT, EDGE, height - TITLE_HEIGHT))
            path.addRect(QRectF(0, height - EDGE, width, EDGE))
            path.addRect(QRectF(width - 14.0, height - 14.0, 14.0, 14.0))
        return path

    def press(self, part: str | None, event: QGraphicsSceneMouseEvent) -> bool:
        if part != "toggle":
            return False
        self.toggle()
        return True

    def toggle(self) -> None:
        """Collapse or expand (one undoable command)."""
        frame = self.model
        if frame is not None:
            verb = "Expand" if frame.collapsed else "Collapse"
            self.document.change_annotation(self.item_id, f"{verb} {describe(frame)}",
                                            collapsed=not frame.collapsed)

    # --- drawing ---------------------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        """The frame, and room above it for its title zoomed out (see `_draw_label`)."""
        return self.rect().adjusted(0, -LABEL_ROOM, 0, 0)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        width, height = self.size()
        detail = lod >= style.LOW_DETAIL
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, detail)
        dark = dark_canvas()
        outline = QRectF(0, 0, width, height)
        if not self.collapsed:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(frame_color(self.color, 0.2 if dark else 0.22))
            painter.drawRoundedRect(outline, _CORNER, _CORNER)
        bar = QPainterPath()
        if self.collapsed:
            bar.addRoundedRect(outline, _CORNER, _CORNER)
        else:
            bar.addRoundedRect(QRectF(0, 0, width, TITLE_HEIGHT + _CORNER), _CORNER, _CORNER)
            bar = bar.intersected(_rect_path(QRectF(0, 0, width, TITLE_HEIGHT)))
        painter.fillPath(bar, frame_color(self.color, 0.75 if dark else 0.7))
        if self.isSelected():
            pen = QPen(style.SELECTED, 2.0)
        else:
            pen = QPen(frame_color(self.color, 1.0 if self._hover else 0.75), 1.5 if self._hover else 1.0)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = 1.0 / max(lod, 1e-6)  # the line stays inside the item's rect
        painter.drawRoundedRect(outline.adjusted(inset, inset, -inset, -inset), _CORNER, _CORNER)
        if detail:
            self._draw_title(painter, lod)
            if not self.collapsed and (self._hover or self.isSelected()):
                self.draw_grip(painter)
        else:
            self._draw_label(painter, lod)

    def _title_text(self) -> str:
        if self.collapsed and self.hidden_count:
            return f"{self.title}  ·  {self.hidden_count} node{'s' if self.hidden_count != 1 else ''}"
        return self.title

    def _draw_title(self, painter: QPainter, lod: float) -> None:
        """The collapse triangle and the title in the title bar (the full drawing)."""
        pixels = int(max(TITLE_FONT.pixelSize(), min(style.MIN_TITLE_PX / lod, TITLE_HEIGHT * 0.62)))
        font = _sized(pixels)
        middle, side = TITLE_HEIGHT / 2, 11.0
        triangle = QPolygonF([QPointF(9, middle - side / 2), QPointF(9 + side, middle - side / 2),
                              QPointF(9 + side / 2, middle + side / 2)] if not self.collapsed else
                             [QPointF(10, middle - side / 2), QPointF(10, middle + side / 2),
                              QPointF(10 + side, middle)])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.TEXT if self._hover_part == "toggle" else text_dim_on_bar())
        painter.drawPolygon(triangle)
        painter.setFont(font)
        painter.setPen(style.TEXT)
        room = self.rect().width() - TOGGLE_WIDTH - 8
        shown = QFontMetricsF(font).elidedText(self._title_text(), Qt.TextElideMode.ElideRight, room)
        painter.drawText(QRectF(TOGGLE_WIDTH, 0, room, TITLE_HEIGHT), Qt.AlignmentFlag.AlignVCenter, shown)

    def _draw_label(self, painter: QPainter, lod: float) -> None:
        """Zoomed out, the title in screen pixels over the frame's top edge, as a map labels a region (the
        nodes' blocks inside stay clear); left out where the room above the frame cannot hold it."""
        font = LABEL_FONT
        metrics = QFontMetricsF(font)
        height = metrics.height() + 2
        width = self.rect().width() * lod
        if height / lod > LABEL_ROOM or width < style.MIN_OVERVIEW_TITLE_WIDTH:
            return
        shown = metrics.elidedText(self._title_text(), Qt.TextElideMode.ElideRight, width)
        if not shown or shown == "…":
            return
        painter.save()
        painter.scale(1 / lod, 1 / lod)  # from here on, one unit is one screen pixel
        painter.setFont(font)
        color = frame_color(self.color)
        painter.setPen(color.lighter(140) if dark_canvas() else color.darker(150))
        painter.drawText(QRectF(0, -height, width, height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, shown)
        painter.restore()


def _sized(pixels: int) -> QFont:
    font = _FONTS.get(pixels)
    if font is None:
        font = _FONTS[pixels] = QFont(TITLE_FONT)
        font.setPixelSize(pixels)
    return font


_FONTS: dict[int, QFont] = {}


def _rect_path(rect: QRectF) -> QPainterPath:
    path = QPainterPath()
    path.addRect(rect)
    return path
