"""The canvas widget: zoom, pan, grid, palette drops and the double-click that opens quick-add."""

from __future__ import annotations

import math
from collections.abc import Callable
from uuid import UUID

from PySide6.QtCore import QKeyCombination, QLineF, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QDropEvent, QKeyEvent, QKeySequence, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.blocks_layer import BLOCKS_LOD
from fancy_studio.gui.canvas.node_items import NodeItem
from fancy_studio.gui.canvas.port_item import PortItem
from fancy_studio.gui.canvas.scene import WorkflowScene
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.mime import FUNCTION_MIME

MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
"""The wheel and zoom keys stay within these; fitting a graph larger than the view at MIN_ZOOM goes further
out (and the user may then zoom out as far as that fit, see `_zoom_floor`)."""
FIT_MAX_ZOOM = 1.0
"""Fitting never magnifies: a small workflow shows at actual size, not at 263 %."""
GRID = 20
FIT_MARGIN = 40.0
"""Scene pixels left around a fitted graph."""
WORLD = 100_000.0
"""Half the width of the scrollable world, so panning is never stopped by the items' bounds."""


_EDIT_KEYS = (QKeySequence.StandardKey.Delete, QKeySequence.StandardKey.Cut, QKeySequence.StandardKey.Paste,
              QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)


_NUDGES = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
NUDGE_BIG = 5
"""Grid steps an arrow key moves the selection with Shift held."""


def _is_edit_key(event: QKeyEvent) -> bool:
    """A key that would edit the workflow (its action is disabled while a run reads the workflow)."""
    if event.key() == Qt.Key.Key_Backspace or any(event.matches(key) for key in _EDIT_KEYS):
        return True
    return event.keyCombination() == QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_D)


class WorkflowView(QGraphicsView):
    """A QGraphicsView over its own `WorkflowScene`."""

    canvas_double_clicked = Signal(QPointF)
    """A double-click on empty canvas, in scene coordinates (the window opens quick-add there)."""
    node_double_clicked = Signal(object)
    """A double-click on a node (or one of its ports): its id (the window renames a cell inline)."""
    zoom_changed = Signal(float)
    """The new zoom factor (1.0: actual size), whatever changed it."""
    context_menu_requested = Signal(object, QPoint)
    """A right-click: the node under the cursor (or None) and the global position for the menu."""

    def __init__(self, document: WorkflowDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._scene = WorkflowScene(document, self)
        self.setScene(self._scene)
        self.setSceneRect(QRectF(-WORLD, -WORLD, 2 * WORLD, 2 * WORLD))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pan_from: QPoint | None = None
        self._space = False
        self._keep_fitted = False
        self._corner_widgets: list[QWidget] = []
        self.external_drops: Callable[[QDropEvent], bool] | None = None
        """Offered the drags the canvas itself does not take (True: taken); the window opens dropped files."""
        document.reset.connect(self.zoom_to_fit)

    @property
    def workflow_scene(self) -> WorkflowScene:
        return self._scene

    def node_at(self, pos: QPoint) -> NodeItem | None:
        """The node under a viewport position (its ports and labels count as the node)."""
        item = self.itemAt(pos)
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        return item

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Right-click a node: it joins the selection (or becomes it), then the window shows its menu."""
        node = self.node_at(event.pos())
        if node is not None and not node.isSelected():
            self._scene.select_ids({node.node_id})
        self.context_menu_requested.emit(node.node_id if node is not None else None, event.globalPos())
        event.accept()

    # --- zoom ----------------------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        """Scale to `factor` (clamped), keeping the anchor (the cursor, for wheel zoom) in place."""
        factor = max(self._zoom_floor(factor), min(MAX_ZOOM, factor))
        self._keep_fitted = False
        if not math.isclose(factor, self.zoom()):
            self.scale(factor / self.zoom(), factor / self.zoom())
            self.resetCachedContent()
            self._scene.set_overview(self.zoom() < style.LOW_DETAIL)
            self._scene.set_blocks(self.zoom() < BLOCKS_LOD)
            self.zoom_changed.emit(self.zoom())

    def _zoom_floor(self, factor: float) -> float:
        """How far out `factor` may go: MIN_ZOOM, or further when the whole graph needs it to fit."""
        if factor >= MIN_ZOOM:
            return MIN_ZOOM
        return min(MIN_ZOOM, self._fit_zoom(self._scene.nodes_rect()))

    def _fit_zoom(self, rect: QRectF) -> float:
        """The zoom at which `rect` (plus the fit margin) fills the viewport."""
        margin = 2 * FIT_MARGIN
        viewport = self.viewport().rect()
        if rect.isNull() or rect.width() + margin <= 0 or rect.height() + margin <= 0:
            return MIN_ZOOM
        return min(viewport.width() / (rect.width() + margin), viewport.height() / (rect.height() + margin))

    def layout_aspect(self) -> float:
        """Width over height of the viewport: the shape Auto Layout gives a long graph."""
        viewport = self.viewport().rect()
        return viewport.width() / viewport.height() if viewport.height() > 0 else self._scene.layout_aspect

    def zoom_in(self) -> None:
        self._zoom_centered(self.zoom() * 1.25)

    def zoom_out(self) -> None:
        self._zoom_centered(self.zoom() / 1.25)

    def zoom_to_actual_size(self) -> None:
        """100 %, around the middle of the view."""
        self._zoom_centered(1.0)

    def _zoom_centered(self, factor: float) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.set_zoom(factor)
        self.setTransformationAnchor(anchor)

    def zoom_to_fit(self) -> None:
        """Show every node; the view stays fitted through window resizes until the user zooms or pans."""
        self._fit(self._scene.nodes_rect())
        self._keep_fitted = True

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._scene.layout_aspect = self.layout_aspect()  # the shape a file without layout is laid out in
        if self._keep_fitted:
            self.zoom_to_fit()
        self.place_corner_widgets()

    def show_node(self, node_id: UUID) -> None:
        """Bring a node to the middle of the view, zooming in to a readable size when zoomed far out."""
        item = self._scene.item_for(node_id)
        if item is None:
            return
        if self.zoom() < style.LOW_DETAIL:
            self._zoom_centered(1.0)
        self._keep_fitted = False
        self.centerOn(item)

    def pan_to(self, point: QPointF) -> None:
        """Centre the view on a scene point at the same zoom (the minimap); the view stops following the fit."""
        self._keep_fitted = False
        self.centerOn(point)

    # --- widgets over the canvas ---------------------------------------------------------------------

    def add_corner_widget(self, widget: QWidget) -> None:
        """Keep `widget` (a child of this view) in the top-right corner, over the canvas (a find box)."""
        self._corner_widgets.append(widget)
        self.place_corner_widgets()

    def place_corner_widgets(self) -> None:
        margin = 10
        for widget in self._corner_widgets:
            if widget.isVisible():
                widget.adjustSize()
                widget.move(self.width() - widget.width() - margin, margin)

    def zoom_to_selection(self) -> None:
        rect = QRectF()
        for item in self._scene.selectedItems():
            rect = rect.united(item.sceneBoundingRect())
        self._fit(rect if not rect.isNull() else self._scene.nodes_rect())

    def show_rect(self, rect: QRectF) -> None:
        """Fit the view to `rect` (a lineage, a selection), at most at 100 %, until the user zooms or pans."""
        self._keep_fitted = False
        self._fit(rect)

    def _fit(self, rect: QRectF) -> None:
        """Show all of `rect`, however large (zoomed far out nodes are plain boxes), at most at 100 %."""
        if rect.isNull():
            return
        world = self.sceneRect()
        if not world.contains(rect):  # a graph wider than the scrollable world: centring must reach it
            self.setSceneRect(world.united(rect.adjusted(-WORLD, -WORLD, WORLD, WORLD)))
        factor = min(FIT_MAX_ZOOM, self._fit_zoom(rect))
        self.scale(factor / self.zoom(), factor / self.zoom())
        self.centerOn(rect.center())
        self.resetCachedContent()
        self._scene.set_overview(self.zoom() < style.LOW_DETAIL)
        self._scene.set_blocks(self.zoom() < BLOCKS_LOD)
        self.zoom_changed.emit(self.zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.zoom() * 1.15 ** steps)
        event.accept()

    # --- pan -----------------------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if self.document.undo_stack.locked and _is_edit_key(event):
            self.document.undo_stack.allows_edit()  # its action is off while a run goes: say why
            event.accept()
            return
        if event.key() in _NUDGES and self._nudge(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def _nudge(self, event: QKeyEvent) -> bool:
        """Arrow keys move the selected nodes one grid step (Shift: five); with nothing selected they
        pan, as Qt's view does. False: not handled here."""
        ids = self._scene.selected_ids()
        if not ids or event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier):
            return False
        if not self.document.undo_stack.allows_edit():  # a run goes: says why
            return True
        dx, dy = _NUDGES[event.key()]
        step = GRID * (NUDGE_BIG if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
        self.document.nudge_nodes(ids, dx * step, dy * step)
        return True

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event) -> None:
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space):
            self._pan_from = event.position().toPoint()
            self._keep_fitted = False
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            pos = event.position().toPoint()
            delta = pos - self._pan_from
            self._pan_from = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            if self._space:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        node = self.node_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and node is not None:
            self.node_double_clicked.emit(node.node_id)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and not isinstance(item, (NodeItem, PortItem)):
            self.canvas_double_clicked.emit(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    # --- palette drops -------------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(FUNCTION_MIME):
            event.acceptProposedAction()
        elif not (self.external_drops is not None and self.external_drops(event)):
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(FUNCTION_MIME):
            event.acceptProposedAction()  # not passed to the scene: no item takes drops
        elif not (self.external_drops is not None and self.external_drops(event)):
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if not event.mimeData().hasFormat(FUNCTION_MIME):
            if not (self.external_drops is not None and self.external_drops(event)):
                super().dropEvent(event)
            return
        slug = bytes(event.mimeData().data(FUNCTION_MIME)).decode("utf-8").strip()
        if slug:
            pos = self.mapToScene(event.position().toPoint())
            step = self.document.add_step(slug, pos.x(), pos.y())
            self._scene.select_ids({step.id})
        event.acceptProposedAction()

    # --- background ----------------------------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """A quiet line grid; minor lines vanish when zoomed out so the grid stays cheap."""
        painter.fillRect(rect, style.BACKGROUND)
        zoom = self.zoom()
        major = GRID * 5
        for step, color, show in ((GRID, style.GRID_MINOR, zoom >= 0.5), (major, style.GRID_MAJOR, zoom >= 0.15)):
            if not show:
                continue
            left = math.floor(rect.left() / step) * step
            top = math.floor(rect.top() / step) * step
            lines = [QLineF(x, rect.top(), x, rect.bottom()) for x in _frange(left, rect.right(), step)]
            lines += [QLineF(rect.left(), y, rect.right(), y) for y in _frange(top, rect.bottom(), step)]
            pen = QPen(color, 0)  # cosmetic: one pixel at any zoom
            painter.setPen(pen)
            painter.drawLines(lines)


def _frange(start: float, stop: float, step: float):
    value = start
    while value <= stop:
        yield value
        value += step
