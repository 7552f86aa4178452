"""What the studio's group tests share: their window (on the user's own copy of the example), dialogs
answered, and clicks and keys on the canvas (`test_groups_studio.py`, `test_group_ports_paste.py`)."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import ADD, MULTIPLY
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import shut_down, window_on_my_file

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def win(qtbot, tmp_path) -> MainWindow:
    window = window_on_my_file(qtbot, tmp_path)
    window.view.setFocus()
    yield window
    shut_down(qtbot, window)


def _where(window: MainWindow, node_id: UUID) -> QPoint:
    """A point on a node's header (a step) or its middle (a cell), in the viewport: a click there selects."""
    item = window.scene.item_for(node_id)
    body = item.body_rect()
    return window.view.mapFromScene(item.mapToScene(QPointF(body.center().x(), 8)))


def _click(qtbot, window: MainWindow, node_id: UUID, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, modifier, _where(window, node_id))


def _group_by_keys(qtbot, window: MainWindow) -> UUID:
    """Click Multiply, Ctrl+click Add, press Ctrl+G: the new group's node id."""
    _click(qtbot, window, MULTIPLY)
    _click(qtbot, window, ADD, CTRL)
    assert window.scene.selected_ids() == {MULTIPLY, ADD}
    qtbot.keyClick(window.view, Qt.Key.Key_G, CTRL)
    (instance,) = window.scene.selected_ids()
    return instance


def _state(window: MainWindow) -> dict:
    return json.loads(window.document.workflow.model_dump_json())


def _window_on_my_readings(qtbot, tmp_path) -> MainWindow:
    """An active window on the user's own copy of the two-readings example (a store on disk)."""
    from fancy_studio.resources import examples_dir
    from tests.gui.windows import active_window

    mine = tmp_path / "readings.json"
    mine.write_bytes((examples_dir() / "two_readings.json").read_bytes())
    return active_window(qtbot, mine)
