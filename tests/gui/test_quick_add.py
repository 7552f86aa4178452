"""Quick-add: the popup opened by a double-click on empty canvas or Tab, driven by real key events."""

from __future__ import annotations

from fancy_studio.core import registry

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QMessageBox

from fancy_studio.gui.window import main_window as main_window_module
from fancy_studio.gui.window.main_window import MainWindow


@pytest.fixture(autouse=True)
def private_settings(monkeypatch, tmp_path):
    ini = str(tmp_path / "settings.ini")
    monkeypatch.setattr(main_window_module, "settings", lambda: QSettings(ini, QSettings.Format.IniFormat))
    for name in ("question", "critical", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.StandardButton.Discard)


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _position(window: MainWindow, step) -> tuple[float, float]:
    return window.document.position(step.id)


def test_double_click_on_empty_canvas_opens_the_popup_and_enter_adds_there(window: MainWindow, qtbot):
    popup = window.quick_add.popup
    target = QPointF(137.0, -42.0)
    point = window.view.mapFromScene(target)
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(popup.isVisible)
    scene_pos = popup.scene_pos
    assert abs(scene_pos.x() - target.x()) < 2 and abs(scene_pos.y() - target.y()) < 2
    assert popup.search.text() == "" and len(popup.visible_slugs()) > 5

    qtbot.keyClicks(popup.search, "math.incr")
    assert popup.visible_slugs() == ["math.increment"]
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)

    assert not popup.isVisible()
    (step,) = window.document.workflow.steps
    assert step.function_slug == "math.increment"
    assert _position(window, step) == (scene_pos.x(), scene_pos.y())
    assert window.scene.selected_ids() == {step.id}
    window.document.undo_stack.undo()
    assert window.document.workflow.steps == []


def test_typing_filters_by_title_and_slug_and_arrows_move(window: MainWindow, qtbot):
    popup = window.quick_add.popup
    window.quick_add.open_at_scene_pos(QPointF(0, 0))
    qtbot.keyClicks(popup.search, "math.")
    slugs = popup.visible_slugs()
    assert len(slugs) >= 2 and all(s.startswith("math.") for s in slugs)
    assert popup.current_slug() == slugs[0]
    qtbot.keyClick(popup.search, Qt.Key.Key_Down)
    assert popup.current_slug() == slugs[1]
    qtbot.keyClick(popup.search, Qt.Key.Key_Up)
    qtbot.keyClick(popup.search, Qt.Key.Key_Up)  # clamps at the top
    assert popup.current_slug() == slugs[0]
    qtbot.keyClick(popup.search, Qt.Key.Key_Down)
    qtbot.keyClick(popup.search, Qt.Key.Key_Enter)
    (step,) = window.document.workflow.steps
    assert step.function_slug == slugs[1] and _position(window, step) == (0.0, 0.0)

    window.quick_add.open_at_scene_pos(QPointF(0, 0))
    qtbot.keyClicks(popup.search, "INCREMENT")  # by title, case-insensitive
    visible = popup.visible_slugs()
    assert "math.increment" in visible and "math.add" not in visible
    assert all("increment" in registry.get(slug).title.lower() for slug in visible)
    qtbot.keyClicks(popup.search, "zzz")
    assert popup.visible_slugs() == [] and popup.current_slug() is None
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)  # nothing highlighted: nothing added
    assert len(window.document.workflow.steps) == 1


def test_escape_closes_without_adding(window: MainWindow, qtbot):
    popup = window.quick_add.popup
    window.quick_add.open_at_scene_pos(QPointF(10, 10))
    qtbot.keyClicks(popup.search, "add")
    qtbot.keyClick(popup.search, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert window.document.workflow.steps == []


def test_double_click_on_a_node_does_not_open_the_popup(window: MainWindow, qtbot):
    step = window.document.add_step("math.increment", 0, 0)
    rect = window.scene.item_for(step.id).sceneBoundingRect()
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                      pos=window.view.mapFromScene(rect.center()))
    assert not window.quick_add.popup.isVisible()


def test_tab_in_the_canvas_opens_at_the_cursor_or_the_centre(window: MainWindow, qtbot):
    popup = window.quick_add.popup
    viewport = window.view.viewport()
    window.view.setFocus()
    QCursor.setPos(viewport.mapToGlobal(QPoint(-500, -500)))  # away from the canvas
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.waitUntil(popup.isVisible)
    centre = window.view.mapToScene(viewport.rect().center())
    assert popup.scene_pos == centre
    assert window.view.hasFocus() or QApplication.focusWidget() is popup.search
    qtbot.keyClicks(popup.search, "math.increment")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    (step,) = window.document.workflow.steps
    assert _position(window, step) == (centre.x(), centre.y())

    local = QPoint(40, 30)
    QCursor.setPos(viewport.mapToGlobal(local))
    if viewport.mapFromGlobal(QCursor.pos()) != local:
        pytest.skip("this platform cannot move the cursor")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.waitUntil(popup.isVisible)
    assert popup.scene_pos == window.view.mapToScene(local)
    qtbot.keyClick(popup.search, Qt.Key.Key_Escape)
