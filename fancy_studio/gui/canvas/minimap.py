"""View ▸ Minimap: the whole graph small in the canvas's bottom-right corner, and the part the view shows.

It stays cheap at any size because it never paints the items themselves. The nodes' rectangles (the
wires as straight lines, the frames and notes under them) are kept by `MinimapGraph` and painted into a
cached picture, one call per colour. The picture is painted again only after the document changed (at most once every `REBUILD_MS`,
so a paste, an undo or an Auto Layout of thousands of nodes costs one rebuild; only the nodes the
document named are read again) or the theme did. A scroll or a zoom of the view repaints the picture
and the viewport's rectangle over it, nothing more. A run changes no node, so its news never rebuilds it.

A click centres the view there; dragging pans (the rectangle, when grabbed, keeps where it was grabbed);
the wheel zooms the view. The minimap never takes the keyboard focus from the canvas. It is hidden while
the canvas has no node, or is too small to give a corner away.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QWidget

from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.minimap_graph import MinimapGraph
from fancy_studio.gui.window_action import window_action

REBUILD_MS = 200
"""After a change of the document, the picture is painted again this much later (changes meanwhile join in)."""
MAX_SIZE = QSize(240, 160)
"""The largest the minimap gets; it takes the graph's shape within it, and at most a third of the canvas."""
MIN_SIDE = 64
"""Neither side is shorter, however long and thin the graph (room to click)."""
MIN_CANVAS = QSize(360, 240)
"""A canvas smaller than this keeps its corner: the minimap hides."""
MARGIN = 12
"""From the canvas's right and bottom edges."""
PADDING = 6.0
"""Inside the box, around the graph."""
RADIUS = 6.0
SETTING = "view/minimap"
"""Whether the minimap is on (the settings' key; on unless turned off)."""


class Minimap(QWidget):
    """The overview of `view`'s graph, a child of the view kept over its viewport's bottom-right corner."""

    def __init__(self, view) -> None:
        super().__init__(view)
        self.setObjectName("minimap")
        self._view = view
        self._on = True
        self._has_nodes = False
        self.graph = MinimapGraph(view.workflow_scene, view.document)
        """What is drawn, in scene coordinates, as last read."""
        self._path = _path(view.document.level)
        """The level shown: the groups entered to reach it."""
        self._kept: dict[tuple, MinimapGraph] = {}
        """What the levels on the way to it drew, by their paths."""
        self._graph = QRectF()
        """The scene rectangle the picture shows: every node, and a margin."""
        self._to_map = QTransform()
        """Scene → this widget's coordinates."""
        self._picture: QPixmap | None = None
        self._grab: QPointF | None = None
        """While the left button is down: where the pointer holds the view's rectangle, from its centre."""
        self._wheel = 0
        self.rebuilds = 0
        """How many times what changed was read from the scene (tests and benchmarks count them)."""
        self.pictures = 0
        """How many times the cached picture was painted."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REBUILD_MS)
        self._timer.timeout.connect(self.rebuild)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the canvas keeps the keyboard
        self.setAttribute(Qt.WidgetAttribute.WA_NoMousePropagation)
        self.setMouseTracking(True)  # the cursor tells the frame (drag it) from the rest (click to go there)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Minimap: click or drag to move the view, the wheel zooms (View ▸ Minimap hides it)")
        document = view.document
        document.reset.connect(self._reset)  # bound methods, not lambdas: disconnected when deleted
        document.step_added.connect(self._spec_added)
        document.cell_added.connect(self._spec_added)
        for signal in (document.step_removed, document.step_changed, document.cell_removed, document.cell_changed):
            signal.connect(self.node_changed)
        document.node_moved.connect(self._node_moved)
        document.nodes_moved.connect(self._nodes_moved)
        for signal in (document.annotation_added, document.annotation_removed, document.annotation_changed):
            signal.connect(self._annotation_changed)
        document.level_changed.connect(self._level_changed)
        view.horizontalScrollBar().valueChanged.connect(self._view_moved)
        view.verticalScrollBar().valueChanged.connect(self._view_moved)
        view.zoom_changed.connect(self._view_moved)
        view.viewport().installEventFilter(self)
        self.hide()  # until there is a graph to show (a child not hidden would show with the window)
        self.rebuild()

    # --- on and off ----------------------------------------------------------------------------------

    def is_on(self) -> bool:
        return self._on

    def set_on(self, on: bool) -> None:
        """View ▸ Minimap: off, it is hidden and reads nothing; on, it reads the graph now."""
        if on == self._on:
            return
        self._on = on
        if on:
            self.rebuild()
        else:
            self._timer.stop()
            self._place()

    # --- keeping up with the document and the view ---------------------------------------------------

    def node_changed(self, node_id) -> None:
        """A node came, went, moved or changed: read it again in `REBUILD_MS` (with every change meanwhile)."""
        self.graph.touch(node_id)
        self._schedule()

    def redraw_all(self) -> None:
        """A new look: read every node again (its colours)."""
        self.graph.touch_all()
        self._schedule()

    def _reset(self) -> None:
        """Another workflow (after the scene and the view took it): shown at once, never the last one's picture."""
        self._kept = {}
        self._path = _path(self._view.document.level)
        self.graph.touch_all()
        if self._on:
            self.rebuild()

    def _level_changed(self, level) -> None:
        """Into a group or back out (after the scene): a level on the way keeps what it drew, as the scene
        keeps its items (see `level_scene.py`), so leaving a group of a large workflow reads only the
        group's nodes again, not the thousands around them."""
        left, path = self._path, _path(level)
        self._path = path
        kept = {p: graph for p, graph in self._kept.items() if path[:len(p)] == p and p != path}
        if path[:len(left)] == left and path != left:  # deeper: the level left is on the way back
            kept[left] = self.graph
        back = self._kept.get(path)
        self._kept = kept
        if back is not None:
            self.graph = back
            back.touch_groups()
        else:
            self.graph = MinimapGraph(self._view.workflow_scene, self._view.document)
        if self._on:
            self.rebuild()

    def _annotation_changed(self, _item) -> None:
        self.graph.touch_annotations()
        self._schedule()

    def _spec_added(self, spec) -> None:
        self.node_changed(spec.id)

    def _node_moved(self, node_id, _x: float, _y: float) -> None:
        self.node_changed(node_id)

    def _nodes_moved(self, positions: dict) -> None:
        for node_id in positions:
            self.graph.touch(node_id)
        self._schedule()

    def _schedule(self) -> None:
        if self._on and not self._timer.isActive():
            self._timer.start()

    def rebuild(self) -> None:
        """Read what changed from the scene, and paint the picture anew."""
        self._timer.stop()
        self.rebuilds += 1
        self.graph.update()
        self._has_nodes = not self.graph.is_empty()
        if self._has_nodes:
            graph = self.graph.bounds()
            margin = max(graph.width(), graph.height()) * 0.03 + 20
            self._graph = graph.adjusted(-margin, -margin, margin, margin)
        else:
            self._graph = QRectF()
        self._picture = None
        self._place()
        self.update()

    def _view_moved(self, *_args) -> None:
        if self.isVisible():
            self.update()  # the picture stays; only the view's rectangle moves over it

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize and watched is self._view.viewport():
            self._place()
        return False

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """The theme changed (the canvas colours switch right after the palette): paint again, soon."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._kept = {}  # their colours are the last look's
            self.redraw_all()
        super().changeEvent(event)

    def _place(self) -> None:
        """Size the box to the graph's shape and keep it in the viewport's bottom-right corner."""
        canvas = self._view.viewport().geometry()
        show = (self._on and self._has_nodes and canvas.width() >= MIN_CANVAS.width()
                and canvas.height() >= MIN_CANVAS.height())
        if show:
            size = self._box_size(canvas.size())
            self.setGeometry(QRect(canvas.right() - MARGIN - size.width() + 1,
                                   canvas.bottom() - MARGIN - size.height() + 1, size.width(), size.height()))
            self._fit_map()
        if show == self.isHidden():  # not isVisible(): that is False, too, while the window is not shown
            self.setVisible(show)
            if show:
                self.raise_()

    def _box_size(self, canvas: QSize) -> QSize:
        most_w = min(MAX_SIZE.width(), canvas.width() // 3)
        most_h = min(MAX_SIZE.height(), canvas.height() // 3)
        graph = self._graph
        aspect = graph.width() / graph.height() if graph.height() > 0 else 1.0
        width, height = most_w, most_w / aspect
        if height > most_h:
            width, height = most_h * aspect, most_h
        return QSize(max(MIN_SIDE, round(width)), max(MIN_SIDE, round(height)))

    def _fit_map(self) -> None:
        graph = self._graph
        inner = QRectF(self.rect()).adjusted(PADDING, PADDING, -PADDING, -PADDING)
        if graph.isEmpty() or inner.isEmpty():
            self._to_map = QTransform()
            return
        scale = min(inner.width() / graph.width(), inner.height() / graph.height())
        dx = inner.center().x() - graph.center().x() * scale
        dy = inner.center().y() - graph.center().y() * scale
        self._to_map = QTransform(scale, 0, 0, scale, dx, dy)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._fit_map()
        self._picture = None
        super().resizeEvent(event)

    # --- where things are ----------------------------------------------------------------------------

    def map_point(self, scene_pos: QPointF) -> QPointF:
        """Where a scene point is drawn on the minimap."""
        return self._to_map.map(scene_pos)

    def scene_point(self, map_pos: QPointF) -> QPointF:
        """The scene point drawn at a point of the minimap."""
        inverse, _invertible = self._to_map.inverted()
        return inverse.map(map_pos)

    def view_frame(self) -> QRectF:
        """The part of the scene the view shows, as drawn on the minimap."""
        viewport = self._view.viewport().rect()
        return self._to_map.mapRect(self._view.mapToScene(viewport).boundingRect())

    # --- painting ------------------------------------------------------------------------------------

    def picture(self) -> QPixmap:
        """The cached picture of the box and the graph in it (painted now if it is due)."""
        ratio = self.devicePixelRatioF()
        wanted = QSize(round(self.width() * ratio), round(self.height() * ratio))
        if self._picture is None or self._picture.size() != wanted:
            self._picture = self._paint_picture(wanted, ratio)
        return self._picture

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self.picture())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        frame = self.view_frame()
        shown = frame.intersected(box)  # a view larger than the graph: its whole frame still shows
        if shown.isEmpty():  # a view away from the graph: a small mark on the nearest edge points to it
            centre = frame.center()
            x = min(max(centre.x(), box.left() + 4), box.right() - 4)
            y = min(max(centre.y(), box.top() + 4), box.bottom() - 4)
            shown = QRectF(x - 4, y - 4, 8, 8)
        elif shown.width() < 4 or shown.height() < 4:  # zoomed far into a large graph: still to be seen
            width, height = max(shown.width(), 4.0), max(shown.height(), 4.0)
            shown = QRectF(shown.center().x() - width / 2, shown.center().y() - height / 2, width, height)
        shown = shown.adjusted(1, 1, -1, -1)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(style.BACKGROUND, 3.5))  # a dark (light) rim: the frame shows over any node colour
        painter.drawRect(shown)
        fill = QColor(style.TEXT)
        fill.setAlpha(40 if _dark() else 20)
        painter.setBrush(fill)
        painter.setPen(QPen(style.TEXT, 1.5))
        painter.drawRect(shown)
        painter.end()

    def _paint_picture(self, size: QSize, ratio: float) -> QPixmap:
        """The box and the graph in it (the cached picture every repaint draws)."""
        self.pictures += 1
        picture = QPixmap(size)
        picture.setDevicePixelRatio(ratio)
        picture.fill(Qt.GlobalColor.transparent)
        painter = QPainter(picture)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        background = QColor(style.BACKGROUND).lighter(115) if _dark() else QColor(style.NODE_BODY)
        background.setAlpha(225)
        painter.setPen(QPen(style.NODE_BORDER, 1.0))
        painter.setBrush(background)
        painter.drawRoundedRect(box, RADIUS, RADIUS)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # thousands of pixel-sized shapes
        painter.setClipRect(QRectF(self.rect()).adjusted(2, 2, -2, -2))
        painter.setTransform(self._to_map)
        painter.setPen(Qt.PenStyle.NoPen)
        for rect, color in self.graph.annotations():  # under the wires and the nodes, as on the canvas
            painter.setBrush(color)
            painter.drawRect(rect)
        wires = self.graph.wires()
        if wires:
            wire = QColor(style.TEXT_DIM)
            wire.setAlpha(110)
            painter.setPen(QPen(wire, 0))
            painter.drawLines(wires)
        # Nodes a few pixels across get a cosmetic outline too: smaller than a pixel, a node is still one.
        tiny = self._to_map.m11() * style.CELL_HEIGHT < 3
        for color, rects in self.graph.groups():
            painter.setPen(QPen(color, 0) if tiny else Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRects(rects)
        painter.end()
        return picture

    # --- moving the view -----------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() != Qt.MouseButton.LeftButton:
            event.accept()
            return
        pos = event.position()
        frame = self.view_frame()
        self._grab = pos - frame.center() if frame.contains(pos) else QPointF(0, 0)
        self.setCursor(Qt.CursorShape.ClosedHandCursor)
        self._centre_view_at(pos)
        event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._grab is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._centre_view_at(event.position())
        else:
            self._hover_cursor(event.position())
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.LeftButton and self._grab is not None:
            self._grab = None
            self._hover_cursor(event.position())
        event.accept()

    def _hover_cursor(self, pos: QPointF) -> None:
        over_frame = self.view_frame().contains(pos)
        self.setCursor(Qt.CursorShape.OpenHandCursor if over_frame else Qt.CursorShape.PointingHandCursor)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        event.accept()  # not the canvas's quick-add

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        event.accept()  # not the canvas's menu

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """The wheel zooms the view around its centre, a notch (120) at a time (a touchpad's bits add up)."""
        self._wheel += event.angleDelta().y()
        while self._wheel >= 120:
            self._wheel -= 120
            self._view.zoom_in()
        while self._wheel <= -120:
            self._wheel += 120
            self._view.zoom_out()
        event.accept()

    def _centre_view_at(self, pos: QPointF) -> None:
        self._view.pan_to(self.scene_point(pos - self._grab))


def _path(level) -> tuple:
    return level.path if level is not None else ()


def _dark() -> bool:
    return style.BACKGROUND.lightness() < 128


def minimap_action(window: QWidget, minimap: Minimap, settings_factory: Callable[[], QSettings]) -> QAction:
    """View ▸ Minimap (Ctrl+Shift+M), checkable; the choice is kept in the settings for the next start."""
    action = window_action(window, "minimap-action", "&Minimap", None, ["Ctrl+Shift+M"],
                           "Show the whole graph in the canvas's corner; click or drag it to move the view")
    action.setCheckable(True)
    on = settings_factory().value(SETTING, True) not in (False, "false", "0", 0)
    action.setChecked(on)
    minimap.set_on(on)

    def toggled(checked: bool) -> None:
        minimap.set_on(checked)
        settings = settings_factory()
        settings.setValue(SETTING, checked)
        settings.sync()

    action.toggled.connect(toggled)
    return action
