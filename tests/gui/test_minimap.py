"""View ▸ Minimap: the whole graph in the canvas's corner; a click there moves the view, a drag pans it.

The minimap paints the graph once into a cached picture: scrolling and zooming only move the view's
frame over it, a change of the document paints it again (once for a burst of changes), a run never does.
The conftest points the studio's settings at a file under tmp_path, so a second window reads what the
first one wrote, as the next start of the studio would.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget

from fancy_studio.core import Frame
from fancy_studio.gui.canvas.minimap import REBUILD_MS, Minimap
from fancy_studio.gui.window import theme
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import ADD, EXAMPLE, MULTIPLY
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window, click_run, shut_down


@pytest.fixture
def window(qtbot, monkeypatch):
    answer_dialogs(monkeypatch)  # closing an edited workflow asks first: discard
    window = active_window(qtbot, EXAMPLE)
    yield window
    shut_down(qtbot, window)


def shown_minimap(qtbot, window: MainWindow) -> Minimap:
    """The window's minimap once it is on screen, its picture painted."""
    minimap = window.minimap
    qtbot.waitUntil(minimap.isVisible, timeout=2000)
    minimap.grab()
    return minimap


def view_centre(window: MainWindow) -> QPointF:
    return window.view.mapToScene(window.view.viewport().rect().center())


def scene_per_pixel(minimap: Minimap) -> float:
    return minimap.scene_point(QPointF(1, 0)).x() - minimap.scene_point(QPointF(0, 0)).x()


def close(a: QPointF, b: QPointF, slack: float) -> bool:
    return abs(a.x() - b.x()) <= slack and abs(a.y() - b.y()) <= slack


def mouse(widget, kind: QEvent.Type, pos: QPointF, buttons=Qt.MouseButton.LeftButton) -> None:
    """A real mouse event (QTest's moves carry no button state offscreen)."""
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(kind, pos, QPointF(widget.mapToGlobal(pos.toPoint())), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def test_view_minimap_shows_it_and_the_choice_outlives_the_window(qtbot, window):
    action = window.findChild(QAction, "minimap-action")
    view_menu = window.findChild(QAction, "view-menu-action").menu()
    assert action in view_menu.actions() and action.isCheckable() and action.isChecked()
    minimap = shown_minimap(qtbot, window)
    corner = window.view.viewport().geometry().bottomRight()
    assert window.view.viewport().geometry().contains(minimap.geometry())
    assert (corner - minimap.geometry().bottomRight()).manhattanLength() < 40  # in the bottom-right corner

    action.trigger()
    assert not minimap.isVisible() and not action.isChecked()
    window.close()
    again = active_window(qtbot, EXAMPLE)  # the next start
    try:
        QTest.qWait(REBUILD_MS + 100)
        assert not again.findChild(QAction, "minimap-action").isChecked()
        assert not again.minimap.isVisible()
        for dock in again.findChildren(QDockWidget):  # room on the canvas, whatever size the window came back
            dock.hide()
        qtbot.keyClick(again.view, Qt.Key.Key_M,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert again.findChild(QAction, "minimap-action").isChecked()
        qtbot.waitUntil(again.minimap.isVisible, timeout=2000)
    finally:
        shut_down(qtbot, again)


def test_the_minimap_click_moves_the_view(qtbot, window):
    window.view.set_zoom(1.0)
    window.view.show_node(ADD)
    window.view.setFocus()
    minimap = shown_minimap(qtbot, window)
    last = next(cell.id for cell in window.document.workflow.cells if cell.alias == "sentence")
    sentence = window.scene.item_for(last).sceneBoundingRect().center()
    where = minimap.map_point(sentence).toPoint()
    assert not minimap.view_frame().contains(QPointF(where))  # away from what the view shows now

    qtbot.mouseClick(minimap, Qt.MouseButton.LeftButton, pos=where)
    assert close(view_centre(window), minimap.scene_point(QPointF(where)), slack=2)
    assert close(view_centre(window), sentence, slack=scene_per_pixel(minimap) + 2)
    assert window.view.hasFocus()  # the canvas keeps the keyboard


def test_dragging_the_view_frame_pans_the_view(qtbot, window):
    window.view.set_zoom(1.0)
    window.view.show_node(ADD)
    minimap = shown_minimap(qtbot, window)
    frame = minimap.view_frame()
    grip = frame.center() + QPointF(frame.width() / 4, 0)  # grabbed off-centre: the view does not jump
    before = view_centre(window)
    mouse(minimap, QEvent.Type.MouseButtonPress, grip)
    assert close(view_centre(window), before, slack=2)
    for step in (1, 2, 3, 4):
        mouse(minimap, QEvent.Type.MouseMove, grip + QPointF(-5 * step, 2 * step))
    mouse(minimap, QEvent.Type.MouseButtonRelease, grip + QPointF(-20, 8), Qt.MouseButton.NoButton)
    moved = view_centre(window) - before
    assert close(moved, QPointF(-20, 8) * scene_per_pixel(minimap), slack=2)
    assert close(minimap.view_frame().center(), frame.center() + QPointF(-20, 8), slack=1)


def test_the_wheel_over_the_minimap_zooms_the_view(qtbot, window):
    window.view.set_zoom(0.5)
    minimap = shown_minimap(qtbot, window)
    centre = QPointF(minimap.rect().center())
    wheel = QWheelEvent(centre, QPointF(minimap.mapToGlobal(centre.toPoint())), QPoint(), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(minimap, wheel)
    assert window.view.zoom() > 0.5


def test_scrolling_and_zooming_move_the_frame_over_the_cached_picture(qtbot, window):
    window.view.set_zoom(1.0)
    minimap = shown_minimap(qtbot, window)
    rebuilds, pictures = minimap.rebuilds, minimap.pictures
    frame = minimap.view_frame()
    window.view.pan_to(view_centre(window) + QPointF(150, 60))
    window.view.zoom_in()
    minimap.repaint()
    QTest.qWait(REBUILD_MS + 100)
    assert minimap.view_frame() != frame
    assert (minimap.rebuilds, minimap.pictures) == (rebuilds, pictures)


def test_the_minimap_follows_nodes_added_and_moved(qtbot, window):
    minimap = shown_minimap(qtbot, window)
    rebuilds = minimap.rebuilds
    step = window.document.add_step("math.increment", 3000, 1500)
    qtbot.waitUntil(lambda: minimap.rebuilds == rebuilds + 1, timeout=2000)
    item = window.scene.item_for(step.id)
    was = item.sceneBoundingRect().center()
    assert _painted(minimap, was)  # the map grew to take it in

    window.document.move_nodes({step.id: (3000, -1500)})
    qtbot.waitUntil(lambda: minimap.rebuilds == rebuilds + 2, timeout=2000)
    assert _painted(minimap, item.sceneBoundingRect().center())
    assert not QRectF(minimap.rect()).contains(minimap.map_point(was)) or not _painted(minimap, was)


def test_deleting_everything_rebuilds_once_and_hides_it_until_undone(qtbot, window):
    minimap = shown_minimap(qtbot, window)
    rebuilds = minimap.rebuilds
    window.select_all()
    window.delete_selection()  # a dozen nodes and their wires, one by one to the minimap
    qtbot.waitUntil(lambda: not minimap.isVisible(), timeout=2000)  # nothing to show
    assert minimap.rebuilds == rebuilds + 1
    window.document.undo_stack.undo()
    qtbot.waitUntil(minimap.isVisible, timeout=2000)
    assert minimap.rebuilds == rebuilds + 2


def test_another_workflow_takes_the_minimap_at_once(qtbot, window):
    minimap = shown_minimap(qtbot, window)
    window.new_workflow()
    assert not minimap.isVisible()  # an empty canvas: nothing to show, and never the last graph
    assert window.open_workflow(EXAMPLE)
    assert minimap.isVisible()
    assert minimap.graph.bounds() == window.scene.nodes_rect()


def test_frames_and_notes_show_and_a_collapsed_frame_hides_what_it_holds(qtbot, window):
    minimap = shown_minimap(qtbot, window)
    around = window.scene.item_for(ADD).sceneBoundingRect().adjusted(-40, -60, 40, 400)
    frame = Frame(title="Sums", color="green", x=around.x(), y=around.y(), width=around.width(),
                  height=around.height())
    window.document.add_annotation(frame)
    bare = QPointF(around.center().x(), around.bottom() - 30)  # inside the frame, below every node
    qtbot.waitUntil(lambda: _painted(minimap, bare), timeout=2000)
    add = window.scene.item_for(ADD).sceneBoundingRect().center()  # below the bar the frame collapses to
    assert _painted(minimap, add)

    window.document.change_annotation(frame.id, "Collapse", collapsed=True)
    qtbot.waitUntil(lambda: not _painted(minimap, add), timeout=2000)
    assert not _painted(minimap, bare)
    assert QRectF(minimap.rect()).contains(minimap.map_point(add))  # still on the map: drawn no more


def test_inside_a_group_the_minimap_shows_the_group_and_leaving_gives_the_level_back(qtbot, window):
    minimap = shown_minimap(qtbot, window)
    top = minimap.graph
    instance = window.document.group_nodes({MULTIPLY, ADD})
    qtbot.waitUntil(lambda: minimap.graph.bounds() == window.scene.nodes_rect(), timeout=2000)
    assert window.document.enter_group(instance.id)
    assert minimap.graph is not top and minimap.graph.bounds() == window.scene.nodes_rect()
    assert window.document.leave_group()
    assert minimap.graph is top  # kept, not read again
    assert minimap.graph.bounds() == window.scene.nodes_rect()


def test_a_run_does_not_paint_the_picture_again(qtbot, window):
    minimap = shown_minimap(qtbot, window)
    rebuilds, pictures = minimap.rebuilds, minimap.pictures
    assert click_run(qtbot, window).result.ok
    QTest.qWait(REBUILD_MS + 100)
    minimap.repaint()
    assert (minimap.rebuilds, minimap.pictures) == (rebuilds, pictures)


def test_it_takes_the_theme(qtbot, window):
    minimap = shown_minimap(qtbot, window)
    try:
        theme.apply_theme("light")
        qtbot.waitUntil(lambda: background(minimap).lightness() > 190,
                        timeout=2000)
        theme.apply_theme("dark")
        qtbot.waitUntil(lambda: background(minimap).lightness() < 100,
                        timeout=2000)
    finally:
        theme.apply_theme(theme.DEFAULT)


def test_a_small_canvas_keeps_its_corner(qtbot, window):
    minimap = shown_minimap(qtbot, window)
    window.resize(420, 300)
    qtbot.waitUntil(lambda: not minimap.isVisible(), timeout=2000)


def background(minimap: Minimap) -> QColor:
    """The box's own colour in the minimap's picture (inside its edge, above the graph's margin)."""
    image = minimap.picture().toImage()
    return image.pixelColor(image.width() // 2, round(3 * image.devicePixelRatio()))


def _painted(minimap: Minimap, scene_pos: QPointF) -> bool:
    """Whether the minimap's picture shows something other than its background at this scene point."""
    image = minimap.picture().toImage()
    where = (minimap.map_point(scene_pos) * image.devicePixelRatio()).toPoint()
    return image.rect().contains(where) and _differs(image.pixelColor(where), background(minimap))


def _differs(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) > 30
