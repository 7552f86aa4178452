"""A document that replaces another starts from a clean slate: nothing of the last run shows that is not
still valid for the new document.

The story: run the temperature example, then open a copy of it with another celsius value (the same
workflow and cell ids), or start a new workflow. The canvas, the Datums dock, the status bar, the Problems
dock and the inspector must all forget the last run, except the stored datums that still hold what the new
document would compute (its unchanged inputs: issue 11, results that last), and the canvas must not keep
the last document's zoom.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fancy_studio.gui.run.status import StepState
from fancy_studio.gui.window import file_actions as file_actions_module
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import ADD, CELSIUS, EXAMPLE, FAHRENHEIT, MULTIPLY, SCALED
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import window_on_my_file


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot, tmp_path):
    """The window, after a finished run of a copy of the example (a copy: the example opens untitled)."""
    win = window_on_my_file(qtbot, tmp_path)
    with qtbot.waitSignal(win.runner.finished, timeout=10_000):
        win.run_actions.run_action.trigger()
    qtbot.waitUntil(lambda: win.scene.item_for(FAHRENHEIT).value_text == "= 70.7", timeout=5000)
    qtbot.waitUntil(lambda: win.datums.model.rowCount() > 0, timeout=5000)
    assert "3 done" in win.run_actions.progress.clock.text()
    yield win
    win.runner.shutdown()


def _copy_with_celsius(tmp_path: Path, celsius: object, name: str = "hot.json") -> Path:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        if cell["id"] == str(CELSIUS):
            cell["value"] = celsius
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _open_through_the_dialog(window: MainWindow, monkeypatch, path: Path) -> None:
    monkeypatch.setattr(file_actions_module.QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.open_action.trigger()
    assert window.document.path == path


def _settle() -> None:
    """Let the canvas catch up with whatever run news is queued (it repaints in timed slices)."""
    for _ in range(5):
        QApplication.processEvents()


UNCHANGED_INPUTS = {"factor", "offset", "template"}
"""What a copy of the example with another celsius still shares with the run: its other inputs."""


def _assert_clean(window: MainWindow, still_valid: set[str] = frozenset()) -> None:
    _settle()
    for cell_id in (SCALED, FAHRENHEIT):
        item = window.scene.item_for(cell_id)
        if item is not None:
            assert item.value_text == "computed", item.value_text
    for step_id in (MULTIPLY, ADD):
        assert window.runner.status.state(step_id) is StepState.IDLE
    model = window.datums.model
    assert {model.cell_at(row).alias for row in range(model.rowCount())} == still_valid
    assert window.datums.proxy.rowCount() == len(still_valid)
    assert len(window.store) == len(still_valid)
    assert window.run_actions.progress.clock.text() == ""
    assert window.problems.count() == 0


def test_opening_a_copy_with_the_same_ids_shows_nothing_of_the_last_run(window, monkeypatch, tmp_path):
    hot = _copy_with_celsius(tmp_path, 100)
    _open_through_the_dialog(window, monkeypatch, hot)
    _assert_clean(window, UNCHANGED_INPUTS)
    window.scene.select_ids({FAHRENHEIT})  # the inspector says the cell has not been computed
    assert window.inspector.computed.text() == "not computed yet: run the workflow"


def test_the_copy_then_runs_to_its_own_values(window, monkeypatch, tmp_path, qtbot):
    _open_through_the_dialog(window, monkeypatch, _copy_with_celsius(tmp_path, 100))
    with qtbot.waitSignal(window.runner.finished, timeout=10_000):
        window.run_actions.run_action.trigger()
    qtbot.waitUntil(lambda: window.scene.item_for(FAHRENHEIT).value_text == "= 212.0", timeout=5000)
    qtbot.waitUntil(lambda: window.datums.model.rowCount() == len(window.store) > 0, timeout=5000)


def test_open_recent_starts_clean(window, tmp_path, qtbot):
    hot = _copy_with_celsius(tmp_path, 100)
    window.recent.add(hot)
    window.recent.fill_menu()
    window.recent_menu.findChild(type(window.open_action), "recent-0-action").trigger()
    assert window.document.path == hot.resolve()
    _assert_clean(window, UNCHANGED_INPUTS)


def test_the_example_from_the_menu_shows_the_results_still_valid_for_it(window):
    """The user's copy is the example's workflow with the same values: its last run is still right."""
    action = next(a for a in window.examples_menu.actions() if a.objectName() == "example-temperature-action")
    action.trigger()
    assert window.document.path is None and window.scene.item_for(FAHRENHEIT) is not None
    _settle()
    assert window.scene.item_for(FAHRENHEIT).value_text == "= 70.7"
    assert window.datums.model.rowCount() == len(window.document.workflow.cells) == 7
    for step_id in (MULTIPLY, ADD):
        assert window.runner.status.state(step_id) is StepState.IDLE  # nothing ran in this document
    assert window.run_actions.progress.clock.text() == ""


def test_a_dropped_file_starts_clean(window, tmp_path, qtbot):
    from tests.gui.test_main_window import _drop_file

    hot = _copy_with_celsius(tmp_path, 100)
    _drop_file(window, hot)
    qtbot.waitUntil(lambda: window.document.path == hot)
    _assert_clean(window, UNCHANGED_INPUTS)


def test_new_starts_clean(window):
    window.new_action.trigger()
    assert window.document.workflow.steps == []
    _assert_clean(window)


def test_problems_of_the_last_run_go_with_it(window, monkeypatch, tmp_path, qtbot):
    _open_through_the_dialog(window, monkeypatch, _copy_with_celsius(tmp_path, "hot", "bad.json"))
    with qtbot.waitSignal(window.runner.finished, timeout=10_000):
        window.run_actions.run_action.trigger()
    assert window.problems.count() > 0
    _open_through_the_dialog(window, monkeypatch, _copy_with_celsius(tmp_path, 100))
    _assert_clean(window, UNCHANGED_INPUTS)


def test_a_new_document_does_not_keep_the_last_zoom(window, qtbot):
    window.view.setFocus()
    for _ in range(6):
        qtbot.keyClick(window.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom() > 1.5
    window.new_action.trigger()
    assert window.view.zoom() == pytest.approx(1.0)
    assert window.zoom_indicator.text() == "100 %"
    # the empty canvas is centred on the origin, where a first node dropped "in the middle" lands
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    assert abs(centre.x()) < 2 and abs(centre.y()) < 2


def test_open_fits_the_new_document_rather_than_keeping_the_zoom(window, monkeypatch, tmp_path, qtbot):
    window.view.setFocus()
    for _ in range(6):
        qtbot.keyClick(window.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    zoomed_out = window.view.zoom()
    window.view.centerOn(5000, 5000)  # panned far away from every node
    _open_through_the_dialog(window, monkeypatch, _copy_with_celsius(tmp_path, 100))
    assert window.view.zoom() != pytest.approx(zoomed_out)
    shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.nodes_rect())
