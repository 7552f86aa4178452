"""View ▸ Theme: System / Light / Dark, one look from the menus to the canvas, remembered at the next start.

The offscreen platform does not say whether it is light or dark, so System gives the studio's own dark
look here: a switch to Light is a change the tests can see.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from fancy_studio.gui.canvas import status_badge, style
from fancy_studio.gui.window import main_window as main_window_module
from fancy_studio.gui.window import theme
from fancy_studio.gui.window.main_window import MainWindow

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "temperature.json"


@pytest.fixture(autouse=True)
def _default_theme_after():
    yield
    theme.apply_theme(theme.DEFAULT)  # later tests start from the look they always had


def start_studio(qtbot) -> MainWindow:
    """As `fancy-studio` starts: the frame (with the saved theme) is shown first, then built."""
    window = MainWindow(build=False)
    qtbot.addWidget(window)
    window.show()
    window.build()
    assert window.open_workflow(EXAMPLE)
    qtbot.waitExposed(window)
    return window


def choose(window: MainWindow, name: str) -> None:
    """View ▸ Theme ▸ `name`; the palette reaches the widgets with the next turn of the event loop."""
    theme_action(window, name).trigger()
    QTest.qWait(10)


def theme_action(window: MainWindow, name: str) -> QAction:
    view_menu = window.findChild(QAction, "view-menu-action").menu()
    theme_menu = window.findChild(QAction, "theme-menu-action")
    assert theme_menu in view_menu.actions()
    action = window.findChild(QAction, f"theme-{name}-action")
    assert action in theme_menu.menu().actions() and action.isCheckable()
    return action


def is_light(color: QColor) -> bool:
    return color.lightness() > 190


def canvas_pixel(window: MainWindow) -> QColor:
    """What the canvas shows in its top-left corner (background and grid only: the example is centred)."""
    QTest.qWait(20)
    return window.view.viewport().grab().toImage().pixelColor(3, 3)


def test_light_turns_the_menus_the_docks_and_the_canvas_light_and_dark_turns_them_back(qtbot):
    window = start_studio(qtbot)
    assert theme_action(window, "system").isChecked()
    assert not is_light(window.palette().color(QPalette.ColorRole.Window))
    assert window.scene.backgroundBrush().color() == QColor(style.DARK["BACKGROUND"])
    assert not is_light(canvas_pixel(window))

    choose(window, "light")
    assert theme_action(window, "light").isChecked() and not theme_action(window, "system").isChecked()
    for widget in (window, window.menuBar(), window._docks["Functions"], window.palette_widget):
        assert is_light(widget.palette().color(QPalette.ColorRole.Window)), widget
    assert not is_light(window.palette_widget.palette().color(QPalette.ColorRole.Text))
    assert window.scene.backgroundBrush().color() == QColor(style.LIGHT["BACKGROUND"])
    assert is_light(canvas_pixel(window))
    multiply = next(item for item in window.scene.node_items() if getattr(item, "title", "") == "Multiply")
    assert multiply.header == QColor(style.LIGHT["category"]["math"])  # the items were drawn again
    assert style.NODE_BODY == QColor(style.LIGHT["NODE_BODY"]) and not is_light(style.TEXT)
    # a computed value ("= 38.7") and a done badge are written in a green that reads on white
    assert style.NODE_BODY.lightness() - status_badge.DONE.lightness() > 100

    choose(window, "dark")
    assert not is_light(window.menuBar().palette().color(QPalette.ColorRole.Window))
    assert window.scene.backgroundBrush().color() == QColor(style.DARK["BACKGROUND"])
    assert not is_light(canvas_pixel(window))
    assert len(window.scene.node_items()) == len(window.document.workflow.steps) + len(
        window.document.workflow.cells)


def test_switching_keeps_the_selection(qtbot):
    window = start_studio(qtbot)
    cells = {cell.id for cell in window.document.workflow.cells[:2]}
    window.scene.select_ids(cells)
    choose(window, "light")
    assert window.scene.selected_ids() == cells
    assert not window.document.modified  # a look, not an edit


def test_the_chosen_theme_is_applied_at_the_next_start_before_the_frame_is_shown(qtbot):
    first = start_studio(qtbot)
    choose(first, "light")
    first.close()
    assert main_window_module.settings().value("theme") == "light"
    theme.apply_theme("dark")  # a new process starts with Qt's own look; the settings say Light

    frame_only = MainWindow(build=False)  # not shown yet
    qtbot.addWidget(frame_only)
    assert is_light(QApplication.palette().color(QPalette.ColorRole.Window))
    frame = frame_only.findChild(QLabel, "startup-frame")
    assert style.LIGHT["BACKGROUND"] in frame.styleSheet()
    frame_only.show()
    frame_only.build()
    assert frame_only.scene.backgroundBrush().color() == QColor(style.LIGHT["BACKGROUND"])
    assert theme_action(frame_only, "light").isChecked() and not theme_action(frame_only, "dark").isChecked()


def test_system_follows_what_the_platform_says(qtbot, monkeypatch):
    window = start_studio(qtbot)
    choose(window, "light")
    monkeypatch.setattr(theme, "_system_is_dark", lambda: True)
    choose(window, "system")
    assert window.scene.backgroundBrush().color() == QColor(style.DARK["BACKGROUND"])
    monkeypatch.setattr(theme, "_system_is_dark", lambda: False)
    choose(window, "system")
    assert window.scene.backgroundBrush().color() == QColor(style.LIGHT["BACKGROUND"])
    assert is_light(window.palette().color(QPalette.ColorRole.Window))


def test_the_start_up_frame_has_the_canvas_background_of_each_look():
    for dark, colors in ((True, style.DARK), (False, style.LIGHT)):
        assert theme.FRAME_COLORS[dark][0] == colors["BACKGROUND"]
