"""Show Lineage on the canvas: the steps and cells a datum came from stand out, the rest fades.

The upstream set is the core's answer (`core.lineage_graph.upstream`); this only draws it: a ring around
each of its nodes and a glow under each wire between them, every other node and wire faded, and the view
fitted to the lineage. It is a look, not a state of the document or the selection: the next click on the
canvas, an edit of the graph or another workflow puts everything back as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem
from shiboken6 import isValid

from fancy_studio.core.lineage_graph import Upstream, upstream
from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.node_items import NodeItem
from fancy_studio.gui.canvas.view import WorkflowView

RING_MARGIN = 7.0
FADED = 0.25
"""Opacity of the nodes and wires outside the lineage."""
RING_Z = 1.5
"""Above wires (0), below nodes (2): the ring frames a node without covering it."""
GLOW_Z = -1.0
"""Under the wires: a wide band the wire itself is drawn over."""


def lineage_color() -> QColor:
    """A colour no other canvas state uses (selection is amber, hover blue-grey, accept green)."""
    return QColor("#35c8f0") if style.BACKGROUND.lightness() < 128 else QColor("#0a84c8")


class LineageHighlight(QObject):
    """What the canvas shows for Show Lineage; `show` draws it, `clear` (or the next click) removes it."""

    def __init__(self, view: WorkflowView) -> None:
        super().__init__(view)
        self.view = view
        self.scene = view.workflow_scene
        self.document = self.scene.document
        self.lineage: Upstream | None = None
        """What is highlighted now, or None."""
        self.overlays: list[QGraphicsItem] = []
        self._faded: list[QGraphicsItem] = []
        self.scene.installEventFilter(self)
        document = self.document
        document.about_to_reset.connect(self.clear)  # before the scene throws its items away
        for signal in (document.step_added, document.step_removed, document.step_changed,
                       document.cell_added, document.cell_removed, document.nodes_moved,
                       document.many_changing, document.level_changed):
            signal.connect(self.clear)

    @property
    def node_ids(self) -> frozenset[UUID]:
        return self.lineage.nodes if self.lineage is not None else frozenset()

    def show(self, node_ids: Iterable[UUID]) -> Upstream:
        """Highlight where `node_ids` came from and bring it into view; returns the upstream set."""
        self.clear()
        found = upstream(self.document.graph, node_ids)  # within the level shown
        if not found.nodes:
            return found
        self.lineage = found
        color = lineage_color()
        ring_pen = QPen(color, 3.0)
        ring_fill = QBrush(QColor(color.red(), color.green(), color.blue(), 40))
        glow = QColor(color.red(), color.green(), color.blue(), 110)
        glow_pen = QPen(glow, 9.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        rect = QRectF()
        for node_id in found.nodes:
            item = self.scene.item_for(node_id)
            if item is None:
                continue
            bounds = item.sceneBoundingRect().adjusted(-RING_MARGIN, -RING_MARGIN, RING_MARGIN, RING_MARGIN)
            rect = rect.united(bounds)
            path = QPainterPath()
            path.addRoundedRect(bounds, 12.0, 12.0)
            self._overlay(path, ring_pen, ring_fill, RING_Z)
        for wire in self.scene.wire_items():
            if wire.step_id in found.steps and wire.cell_id in found.cells:
                self._overlay(wire.path(), glow_pen, QBrush(Qt.BrushStyle.NoBrush), GLOW_Z)
        for item in self.scene.node_items():
            if item.node_id not in found.nodes:
                self._fade(item)
        for wire in self.scene.wire_items():
            if not (wire.step_id in found.steps and wire.cell_id in found.cells):
                self._fade(wire)
        if not rect.isNull():
            self.view.show_rect(rect)
        return found

    def clear(self, *_args) -> None:
        """Put the canvas back as it was before `show`."""
        if self.lineage is None:
            return
        self.lineage = None
        for item in self.overlays:  # an item the scene threw away (a removed node's) is gone already
            if isValid(item) and item.scene() is self.scene:
                self.scene.removeItem(item)
        self.overlays = []
        for item in self._faded:
            if isValid(item):
                item.setOpacity(1.0)
                if isinstance(item, NodeItem) and item.scene() is self.scene:
                    self.scene.restyle(item)  # zoomed far out the blocks layer draws it
        self.scene.restyle_wires()
        self._faded = []

    def _overlay(self, path: QPainterPath, pen: QPen, brush: QBrush, z: float) -> None:
        item = QGraphicsPathItem(path)
        item.setPen(pen)
        item.setBrush(brush)
        item.setZValue(z)
        item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        item.setAcceptHoverEvents(False)
        item.setData(0, "lineage-highlight")
        self.scene.addItem(item)
        self.overlays.append(item)

    def _fade(self, item: QGraphicsItem) -> None:
        item.setOpacity(FADED)
        self._faded.append(item)
        if isinstance(item, NodeItem):
            self.scene.restyle(item)  # zoomed far out the blocks layer draws it
        else:
            self.scene.restyle_wires()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """The next click anywhere on the canvas ends the highlight (and then does what it does)."""
        if watched is self.scene and event.type() == QEvent.Type.GraphicsSceneMousePress:
            self.clear()
        return False
