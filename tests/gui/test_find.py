"""Find (Ctrl+F): typing finds steps and cells by name, Enter/F3 walk the matches, Esc closes the box."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fancy_studio.core import Workflow, WorkflowStep, fancy_function
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import CELSIUS, EXAMPLE, FACTOR, FAHRENHEIT, SCALED
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window

GATE = threading.Event()


@fancy_function("test_find.gated")
def gated(x: float) -> float:
    """Waits for the test to open the gate."""
    if not GATE.wait(timeout=20):
        raise TimeoutError("the test never opened the gate")
    return x


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot):
    GATE.clear()
    win = active_window(qtbot, EXAMPLE)
    yield win
    GATE.set()
    if win.runner.running:
        with qtbot.waitSignal(win.runner.finished, timeout=10_000):
            win.runner.stop()
    win.runner.shutdown()


def find(qtbot, window: MainWindow, text: str) -> None:
    """Ctrl+F on the canvas, then type `text` into the box."""
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible()
    assert QApplication.focusWidget() is window.find_bar.edit
    qtbot.keyClicks(window.find_bar.edit, text)


def selected(window: MainWindow) -> set:
    return window.scene.selected_ids()


def centred_on(window: MainWindow, node_id) -> bool:
    item = window.scene.item_for(node_id)
    middle = window.view.mapToScene(window.view.viewport().rect().center())
    return item.sceneBoundingRect().adjusted(-60, -60, 60, 60).contains(middle)


def test_typing_selects_and_shows_the_first_match_and_counts_them(qtbot, window):
    find(qtbot, window, "FAHR")  # case does not matter
    assert selected(window) == {FAHRENHEIT}
    assert centred_on(window, FAHRENHEIT)
    assert window.find_bar.count.text() == "1 of 1"
    box = window.find_bar.geometry()
    assert 0 <= window.view.width() - box.right() <= 20 and 0 <= box.top() <= 20  # the top-right corner


def test_enter_and_f3_walk_the_matches_in_reading_order_and_wrap(qtbot, window):
    find(qtbot, window, "c")  # celsius, factor, scaled (cells) and more, top to bottom, left to right
    matches = window.find_bar.matches("c")
    assert {CELSIUS, FACTOR, SCALED} <= set(matches)
    positions = [window.document.position(node_id) for node_id in matches]
    rows = [round(y / 40) for _, y in positions]
    assert rows == sorted(rows)
    assert selected(window) == {matches[0]}
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    assert selected(window) == {matches[1]}
    assert window.find_bar.count.text() == f"2 of {len(matches)}"
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert selected(window) == {matches[0]}
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)  # back past the first
    assert selected(window) == {matches[-1]}
    assert centred_on(window, matches[-1])
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_F3)  # and on past the last
    assert selected(window) == {matches[0]}


def test_a_step_is_found_by_its_title_or_its_function(qtbot, window):
    find(qtbot, window, "math.mul")
    (found,) = selected(window)
    step = window.document.find_step(found)
    assert step is not None and step.function_slug == "math.multiply"
    window.find_bar.edit.clear()
    qtbot.keyClicks(window.find_bar.edit, "Multiply")
    assert selected(window) == {found}


def test_no_match_says_so_and_leaves_the_selection(qtbot, window):
    find(qtbot, window, "fahr")
    qtbot.keyClicks(window.find_bar.edit, "zzz")
    assert window.find_bar.count.text() == "No matches"
    assert selected(window) == {FAHRENHEIT}
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)  # nothing to move to: no error
    assert selected(window) == {FAHRENHEIT}


def test_esc_closes_the_box_and_the_canvas_takes_the_keyboard(qtbot, window):
    find(qtbot, window, "scaled")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert QApplication.focusWidget() is window.view
    assert selected(window) == {SCALED}
    qtbot.keyClick(window.view, Qt.Key.Key_F3)  # F3 with the box closed opens it again on the same text
    assert window.find_bar.isVisible() and window.find_bar.edit.text() == "scaled"


def test_matches_follow_edits_to_the_workflow(qtbot, window):
    find(qtbot, window, "fahr")
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    cell = window.document.add_cell("fahrenheit too", 5000.0, 5000.0)  # one undoable edit, far away
    qtbot.keyClick(window.view, Qt.Key.Key_F3)
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_F3)
    assert selected(window) == {cell.id}
    assert centred_on(window, cell.id)
    assert window.find_bar.count.text() == "2 of 2"
    window.document.undo_stack.undo()
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_F3)
    assert selected(window) == {FAHRENHEIT} and window.find_bar.count.text() == "1 of 1"


def test_zoomed_far_out_finding_zooms_in_to_a_readable_size(qtbot, window):
    window.view.set_zoom(0.1)
    find(qtbot, window, "celsius")
    assert window.view.zoom() == pytest.approx(1.0)
    assert centred_on(window, CELSIUS)


def test_esc_in_the_box_during_a_run_closes_the_box_and_does_not_stop_the_run(qtbot, window):
    workflow = Workflow(name="slow")
    start = workflow.input_cell("start", 1)
    out = workflow.output_cell("slow result")
    workflow.add_step(WorkflowStep(function_slug="test_find.gated", inputs={"x": start.id},
                                   outputs={"return": out.id}))
    window.document.replace(workflow, None)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: window.runner.running)
    find(qtbot, window, "slow")  # finding works while a run goes: it changes nothing
    assert selected(window) == {out.id}
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert window.runner.running and not window.runner.stopping
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        GATE.set()
    assert finished.args[0].result.ok
