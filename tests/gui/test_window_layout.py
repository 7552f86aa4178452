"""The window looks the way it was left: docks, their widths and the canvas survive a restart made the way
`fancy-studio` starts (frame shown first, then built), and View ▸ Reset Layout gives the default back.

The conftest points the studio's settings at a file under tmp_path, so the second window of a test reads
what the first one wrote, as a second start of the studio would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest

from fancy_studio.gui.app import open_window
from fancy_studio.gui.window.main_window import MainWindow

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "temperature.json"
SLACK = 4
"""Pixels a restored width may differ by (the separator's own width, rounding)."""


def start_studio(qtbot) -> MainWindow:
    """Start as `fancy-studio` does: the frame is shown, then built, then the example opened."""
    window = open_window([str(EXAMPLE)])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.is_built and window.example_copies.title is not None,  # its untitled copy
                    timeout=10_000)
    qtbot.waitExposed(window)
    QTest.qWait(50)  # the layout settles as it would before a user looks at it
    return window


def resize_to_fit_the_screen(window: MainWindow) -> None:
    """The user sizes the window to fit the screen (the offscreen one is smaller than the default size)."""
    room = window.screen().availableGeometry()
    window.resize(min(window.width(), room.width()) - 40, min(window.height(), room.height()) - 30)
    QTest.qWait(50)


def quit_studio(qtbot, window: MainWindow) -> None:
    """Quit with Ctrl+Q, as a user would."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def drag_separator_right_of(window: MainWindow, dock_name: str, by: int) -> None:
    """Drag the splitter between a left dock and the canvas `by` pixels, with the mouse."""
    dock = window._docks[dock_name]
    view = window.view
    x = (dock.geometry().right() + view.geometry().left()) // 2 + 1
    y = view.geometry().center().y()
    QTest.mouseMove(window, QPoint(x, y))
    QTest.qWait(20)  # hovering shows the resize cursor first, as a user sees it
    QTest.mousePress(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, y))
    for step in range(1, 11):
        QTest.mouseMove(window, QPoint(x + by * step // 10, y))
        QTest.qWait(5)
    QTest.mouseRelease(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x + by, y))


def widths(window: MainWindow) -> dict[str, int]:
    return {"canvas": window.view.width(), "Functions": window._docks["Functions"].width(),
            "Inspector": window._docks["Inspector"].width(), "Datums": window._docks["Datums"].height()}


def test_a_second_start_shows_the_docks_as_they_were_left(qtbot):
    first = start_studio(qtbot)
    resize_to_fit_the_screen(first)
    default_functions = first._docks["Functions"].width()
    drag_separator_right_of(first, "Functions", -60)
    left = widths(first)
    assert abs(left["Functions"] - (default_functions - 60)) <= SLACK  # the drag took
    first._docks["History"].close()
    zoom_left = first.view.zoom()  # the example fitted to the canvas as it was left
    quit_studio(qtbot, first)

    second = start_studio(qtbot)
    assert second.size() == first.size()
    again = widths(second)
    for name, width in left.items():
        assert abs(again[name] - width) <= SLACK, (name, again, left)
    assert not second._docks["History"].isVisible() and second._docks["Inspector"].isVisible()
    assert second.view.zoom() == pytest.approx(zoom_left, rel=0.03)  # fits as before, not at 10 %


def test_reset_layout_gives_back_the_default_arrangement(qtbot):
    first = start_studio(qtbot)
    resize_to_fit_the_screen(first)
    default = widths(first)
    drag_separator_right_of(first, "Functions", 150)
    first._docks["Inspector"].close()
    first.tabifyDockWidget(first._docks["Datums"], first._docks["History"])
    assert abs(first._docks["Functions"].width() - default["Functions"] - 150) <= SLACK
    quit_studio(qtbot, first)

    second = start_studio(qtbot)
    assert not second._docks["Inspector"].isVisible()
    view_menu = second.findChild(QAction, "view-menu-action").menu()
    reset = second.findChild(QAction, "reset-layout-action")
    assert reset in view_menu.actions()
    reset.trigger()
    QTest.qWait(50)
    assert all(dock.isVisible() for name, dock in second._docks.items() if name != "Problems")
    assert second.tabifiedDockWidgets(second._docks["Datums"]) == [second._docks["Problems"]]
    assert second.dockWidgetArea(second._docks["History"]) == Qt.DockWidgetArea.RightDockWidgetArea
    for name, width in widths(second).items():
        assert abs(width - default[name]) <= SLACK, (name, widths(second), default)


def test_a_saved_layout_that_leaves_no_canvas_gives_way_to_the_default(qtbot):
    first = start_studio(qtbot)
    resize_to_fit_the_screen(first)
    default = widths(first)
    docks = [first._docks["Functions"], first._docks["Inspector"]]
    first.resizeDocks(docks, [first.width(), first.width()], Qt.Orientation.Horizontal)  # as old versions left it
    QTest.qWait(20)
    assert first.view.width() < 100
    quit_studio(qtbot, first)

    second = start_studio(qtbot)
    assert abs(second.view.width() - default["canvas"]) <= SLACK
