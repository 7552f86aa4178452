"""A connection point on a node. It knows which model slot it stands for, never a wire's state."""

from __future__ import annotations

from enum import Enum
from typing import Any
from uuid import UUID

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.hover import HoverHighlight


class PortKind(Enum):
    STEP_INPUT = "step_input"  # a step reads a cell here
    STEP_OUTPUT = "step_output"  # a step writes a cell here
    CELL_INPUT = "cell_input"  # what produces the cell arrives here
    CELL_OUTPUT = "cell_output"  # what reads the cell leaves here

    __hash__ = object.__hash__
    """Members are compared by identity, so hash them so: Enum's own hash is a Python call, and every
    port lookup (`NodeItem.port`, 30,000 in a 3,000-step undo) hashes a kind."""

    @property
    def is_input(self) -> bool:
        return self in (PortKind.STEP_INPUT, PortKind.CELL_INPUT)

    @property
    def on_step(self) -> bool:
        return self in (PortKind.STEP_INPUT, PortKind.STEP_OUTPUT)


_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
_colors: dict[Any, QColor] = {}
_colors_theme: list[QColor | None] = [None]


def port_color(hint: Any) -> QColor:
    """`style.type_color(hint)`, remembered per type: the 12,000 ports a 3,000-step undo builds have a
    handful of types between them. Forgotten when the theme rebinds the style's colours (new objects)."""
    if _colors_theme[0] is not style.BACKGROUND:
        _colors.clear()
        _colors_theme[0] = style.BACKGROUND
    try:
        color = _colors.get(hint)
    except TypeError:  # an unhashable hint (e.g. Annotated with a dict): not remembered
        return style.type_color(hint)
    if color is None:
        color = _colors[hint] = style.type_color(hint)
    return QColor(color)  # each port its own, as before


def draw_port(painter: QPainter, centre: QPointF, color: QColor, hover: bool = False,
              accepting: bool | None = None) -> None:
    """A port's circle: its type's colour; larger when pointed at or accepting a drag, dim when refusing."""
    r = style.PORT_RADIUS + (2 if hover or accepting else 0)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = color if accepting is not False else color.darker(250)
    ring = {True: style.ACCEPT, False: fill.darker(150), None: fill.darker(160)}[accepting]
    painter.setPen(QPen(ring, 2.5 if accepting else 1.5))
    painter.setBrush(QBrush(fill))
    painter.drawEllipse(centre, r, r)


class PortItem(HoverHighlight, QGraphicsItem):
    """A small circle; lights up green/red while a wire drag asks whether it would accept.

    At rest its node draws it (in the node's cached picture) and the item only answers the pointer:
    it has no contents of its own, so a frame asks it nothing. Pointed at, or lit by a drag, it draws
    itself on top.

    It has no tooltip of its own: the scene words its node's when asked (`WorkflowScene.helpEvent`).
    Nor a z value: its siblings are its node's other ports, and its node stacks it above itself."""

    _cursor: QCursor | None = None
    """One cursor for every port (a 3,000-step undo builds 12,000), made with the first (it needs the app)."""

    def __init__(self, parent: QGraphicsItem, node_id: UUID, kind: PortKind, name: str | None,
                 hint: Any, type_name: str) -> None:
        super().__init__(parent)
        self.node_id, self.kind, self.name = node_id, kind, name
        self.hint, self.type_name = hint, type_name
        self.color = port_color(hint)
        self.accepting: bool | None = None  # None: not part of the current drag
        self.setAcceptHoverEvents(True)
        if PortItem._cursor is None:
            PortItem._cursor = QCursor(Qt.CursorShape.CrossCursor)
        self.setCursor(PortItem._cursor)
        self.setFlag(_NO_CONTENTS)

    def set_accepting(self, accepting: bool | None) -> None:
        if accepting != self.accepting:
            self.accepting = accepting
            self._show_state()

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self._show_state()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self._show_state()

    def _show_state(self) -> None:
        """Draw itself only while lit; at rest the node's picture shows it (repainted here either way)."""
        lit = self._hover or self.accepting is not None
        self.setFlag(_NO_CONTENTS, not lit)
        self.update()
        parent = self.parentItem()
        if parent is not None:
            parent.update(self.mapRectToParent(self.boundingRect()))

    def scene_center(self) -> QPointF:
        return self.scenePos()

    def boundingRect(self) -> QRectF:
        r = style.PORT_HIT_RADIUS
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < style.LOW_DETAIL:
            return  # a port is under a pixel across at this zoom: the node's block stands for it
        draw_port(painter, QPointF(0, 0), self.color, self._hover, self.accepting)
