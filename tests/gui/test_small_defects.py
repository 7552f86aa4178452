"""Small defects a new user met in the first hour (issue 9, item 10), each driven through the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from tests.example_ids import EXAMPLE
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window


@pytest.fixture
def window(qtbot, monkeypatch):
    answer_dialogs(monkeypatch)  # closing an edited window discards its changes
    return active_window(qtbot, EXAMPLE)


def _toolbar_geometry(window) -> dict[str, tuple[int, int, int, int]]:
    toolbar = window.findChild(QToolBar, "main-toolbar")
    geometry = {}
    for action in toolbar.actions():
        widget = toolbar.widgetForAction(action)
        if widget is not None and not action.isSeparator():
            r = widget.geometry()
            geometry[action.objectName()] = (r.x(), r.y(), r.width(), r.height())
    return geometry


def test_the_toolbar_keeps_its_place_as_the_undo_text_grows(qtbot, window):
    window.resize(1400, 800)  # wide enough for every button: none is tucked in the overflow menu
    qtbot.wait(10)
    before = _toolbar_geometry(window)
    assert "undo-action" in before and "redo-action" in before

    alias = "a_cell_with_a_name_long_enough_to_push_every_button_off_the_toolbar"
    window.document.add_cell(alias, 40, 400)
    window.undo_action.trigger()  # now Redo holds the long text too
    window.document.add_cell(alias + "_again", 40, 400)
    qtbot.wait(50)

    assert _toolbar_geometry(window) == before
    assert window.undo_action.text() == f"&Undo Add cell {alias}_again"  # the menu says what it undoes
    assert f"Add cell {alias}_again" in window.undo_action.toolTip()


def test_a_palette_search_without_hits_says_so(qtbot, window):
    palette = window.palette_widget
    palette.search.setFocus()
    qtbot.keyClicks(palette.search, "csv")
    assert palette.visible_slugs() == []
    assert palette.no_match.isVisible() and palette.no_match.text() == "No function matches 'csv'"

    qtbot.keyClick(palette.search, Qt.Key.Key_Backspace)  # "cs": still nothing
    assert palette.no_match.text() == "No function matches 'cs'"
    palette.search.clear()  # the clear button
    assert not palette.no_match.isVisible() and palette.tree.isVisible()
    qtbot.keyClicks(palette.search, "mult")
    assert "math.multiply" in palette.visible_slugs() and not palette.no_match.isVisible()
