"""A wire: a smooth cubic bezier between two points, coloured by the type flowing on it."""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsPathItem



def bezier(start: QPointF, end: QPointF) -> QPainterPath:
    """Leaves `start` heading right and enters `end` from the left, like data flowing left to right."""
    x0, y0, x1, y1 = start.x(), start.y(), end.x(), end.y()
    bend = max(40.0, abs(x1 - x0) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(x0 + bend, y0, x1 - bend, y1, x1, y1)  # numbers, not points: 6,000 wires in an undo
    return path


class WireItem(QGraphicsPathItem):
    """One model wire (step input or output ↔ cell), or the live wire of a drag when `key` is None."""

    def __init__(self, color: QColor, key: tuple[UUID, str, str] | None = None, cell_id: UUID | None = None,
                 overview: bool = False) -> None:
        super().__init__()
        self.key, self.cell_id = key, cell_id  # key: (step id, "inputs"|"outputs", port name)
        self.color = QColor(color)
        self._hover = False
        self._overview = overview
        self._shape: QPainterPath | None = None
        self.setAcceptHoverEvents(key is not None)
        self._apply_pen()  # once, in the scene's current mode (a 3,000-step undo builds 6,000 wires)

    @property
    def step_id(self) -> UUID | None:
        return self.key[0] if self.key else None

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.setPath(bezier(start, end))
        self._shape = None

    def set_dashed(self, dashed: bool) -> None:
        self._dashed = dashed
        self._apply_pen()

    def set_overview(self, overview: bool) -> None:
        """Zoomed far out, a wire is a cosmetic hairline: cheap to rasterise, still visible."""
        if overview != self._overview:
            self._overview = overview
            self._apply_pen()

    def _apply_pen(self) -> None:
        if self._overview:
            pen = QPen(self.color, 0)
        else:
            pen = QPen(self.color.lighter(130) if self._hover else self.color, 3.0 if self._hover else 2.0)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        if getattr(self, "_dashed", False):
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)  # painted by QGraphicsPathItem itself: no Python call per wire per frame

    def shape(self) -> QPainterPath:
        """A band 8 px wide along the curve, easy to point at; kept until the wire's ends move (a long
        wire is asked at every pointer move that crosses its bounding rect)."""
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(8)
            self._shape = stroker.createStroke(self.path())
        return self._shape

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self._apply_pen()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self._apply_pen()
