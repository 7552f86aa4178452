"""Zoomed so far out that no title fits on a block, one item paints every node's block.

There a node is a filled rectangle of a pixel or two (a 10,000-step chain fitted in the window is drawn at
about 1.5 %). Painted item by item, a frame of 20,000 such nodes cost 80–300 ms in Qt's per-item work
(transforms, a device-cache pixmap per node, and past 10,000 nodes a pixmap cache too small for them all,
so they were drawn again on every frame), and a run, whose news touches nodes all over the view,
repaints nearly all of it each time the canvas catches up. The layer keeps the nodes' scene rectangles
grouped by fill colour and paints each group with one `QPainter.drawRects` call, and the wires' curves
as one path per colour; meanwhile the node and wire items are flagged `ItemHasNoContents` (they stay in
the scene for selection, hit-testing and tooltips, and paint nothing). Only the scene tells the layer what changed (`node_changed`, `node_removed`,
`selection_changed`): a node's colour, place or size.

The wires are a child item of their own (`WiresPicture`), cached as a picture of the view: a run
recolours blocks all over the view many times a second but never changes a wire, and stroking 20,000
curves took 70–110 ms of every repaint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from fancy_studio.gui.canvas import style

BLOCKS_LOD = style.MIN_OVERVIEW_TITLE_WIDTH / max(style.STEP_WIDTH, style.CELL_WIDTH)
"""Below this level of detail no node's block is wide enough for its title (see `node_titles`): the
overview is blocks only, and the layer draws them."""
Z_VALUE = 1.0
"""Above the wires (0), where the nodes (2) would be drawn."""


def block_fill(item) -> QColor:
    """The colour a node's block shows in the overview (as `NodeItem.paint` fills it), faded with the item."""
    fill = style.SELECTED if item.isSelected() else item.low_detail_color()
    opacity = item.opacity()
    if opacity < 1.0:
        fill = QColor(fill)
        fill.setAlphaF(fill.alphaF() * opacity)
    return fill


WIRE_MARGIN = 60.0
"""How far (scene units) a wire's curve may bulge out of the blocks it joins."""


class WiresPicture(QGraphicsItem):
    """Every wire, in one path per pen colour, painted behind the blocks from a cached picture of the view
    (`DeviceCoordinateCache`): the blocks' repaints during a run leave it be; only a changed wire, a zoom
    or a resize paints it anew."""

    def __init__(self, layer: BlocksLayer, wires: Callable[[], Iterable[QGraphicsPathItem]]) -> None:
        super().__init__(layer)
        self._wires = wires
        self.paths: dict[int, QPainterPath] | None = None
        """Every wire's curve in one path per pen colour, made when first painted after a wire changed."""
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def changed(self) -> None:
        if self.paths is not None:  # else a repaint is due already
            self.paths = None
            self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        bounds = self.parentItem().boundingRect()
        if bounds.isEmpty():
            return bounds
        return bounds.adjusted(-WIRE_MARGIN, -WIRE_MARGIN, WIRE_MARGIN, WIRE_MARGIN)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self.paths is None:
            self.paths = self._join_wires()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for key, path in self.paths.items():
            painter.setPen(QPen(QColor.fromRgba(key), 0))  # a hairline, as `WireItem` in the overview
            painter.drawPath(path)

    def _join_wires(self) -> dict[int, QPainterPath]:
        paths: dict[int, QPainterPath] = {}
        for wire in self._wires():
            if not wire.isVisible():
                continue  # a wire a drag took up
            color = wire.color
            opacity = wire.opacity()
            if opacity < 1.0:
                color = QColor(color)
                color.setAlphaF(color.alphaF() * opacity)
            key = color.rgba()
            path = paths.get(key)
            if path is None:
                path = paths[key] = QPainterPath()
            path.addPath(wire.path())
        return paths


class BlocksLayer(QGraphicsItem):
    """Every node's block, painted in one call per fill colour (see the module's docstring)."""

    def __init__(self, wires: Callable[[], Iterable[QGraphicsPathItem]]) -> None:
        super().__init__()
        self.setZValue(Z_VALUE)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self._bounds = QRectF()
        self._key: dict[UUID, int] = {}
        """Node id -> the rgba of its fill (its group)."""
        self._rect: dict[UUID, QRectF] = {}
        self._groups: dict[int, dict[UUID, QRectF]] = {}
        self._colors: dict[int, QColor] = {}
        self._lists: dict[int, list[QRectF]] = {}
        """Each group's rectangles as a list, made when first painted after the group changed."""
        self._selected: set[UUID] = set()
        self.wires = WiresPicture(self, wires)

    # --- what the scene tells ------------------------------------------------------------------------

    def fill(self, items) -> None:
        """Start over with these node items (entering the blocks zoom, or a rebuilt scene)."""
        self.wires.changed()
        self._key.clear()
        self._rect.clear()
        self._groups.clear()
        self._lists.clear()
        items = list(items)
        self._selected = {item.node_id for item in items if item.isSelected()}
        for item in items:
            self._place(item)
        bounds = QRectF()
        for rect in self._rect.values():
            bounds = bounds.united(rect)
        self._set_bounds(bounds)
        self.update()

    def node_changed(self, item) -> None:
        """A node's colour, place or size may have changed: file it again and repaint where it was and is."""
        old = self._rect.get(item.node_id)
        rect = self._place(item)
        if old is not None and old != rect:
            self.update(old)
        if not self._bounds.contains(rect):
            self._set_bounds(self._bounds.united(rect))
        self.update(rect)

    def node_removed(self, node_id: UUID) -> None:
        key = self._key.pop(node_id, None)
        rect = self._rect.pop(node_id, None)
        self._selected.discard(node_id)
        if key is not None:
            del self._groups[key][node_id]
            self._lists.pop(key, None)
        if rect is not None:
            self.update(rect)

    def selection_changed(self, selected: list, nodes: dict) -> None:
        """Restyle the nodes that were or are now selected (`selected`: the scene's selected node items;
        `nodes`: its items by id)."""
        now = {item.node_id for item in selected}
        changed = now.symmetric_difference(self._selected)
        self._selected = now
        for node_id in changed:
            if (item := nodes.get(node_id)) is not None:
                self.node_changed(item)

    def wires_changed(self) -> None:
        """A wire came, went, moved or changed colour: draw them all again from their items."""
        self.wires.changed()

    # --- painting -------------------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        lists = self._lists
        for key, group in self._groups.items():
            if not group:
                continue
            rects = lists.get(key)
            if rects is None:
                rects = lists[key] = list(group.values())
            painter.setBrush(self._colors[key])
            painter.drawRects(rects)

    # --- inside ---------------------------------------------------------------------------------------

    def _place(self, item) -> QRectF:
        node_id = item.node_id
        body = item.body_rect()
        rect = body.translated(item.pos())
        fill = block_fill(item)
        key = fill.rgba()
        old = self._key.get(node_id)
        if old is not None:
            if old != key or self._rect[node_id] != rect:
                del self._groups[old][node_id]
                self._lists.pop(old, None)
            else:
                return rect  # unchanged
        self._key[node_id] = key
        self._rect[node_id] = rect
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = {}
            self._colors[key] = QColor(fill)
        group[node_id] = rect
        self._lists.pop(key, None)
        return rect

    def _set_bounds(self, bounds: QRectF) -> None:
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self.wires.prepareGeometryChange()
            self._bounds = bounds
