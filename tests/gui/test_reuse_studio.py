"""Reuse in the studio: a reused step shows as cached, Run All Again recomputes, and an edit marks what is
downstream of it stale before the next run."""

from __future__ import annotations

from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from fancy_studio.core import StepStatus
from fancy_studio.gui.canvas import status_badge
from fancy_studio.gui.run.status import StepState
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import ADD, MULTIPLY
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import click_run, shut_down, type_value, window_on_my_file

TEXT = UUID("5f0c6a86-4a44-4a55-9a55-000000000022")
STEPS = (MULTIPLY, ADD, TEXT)


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot, tmp_path):
    win = window_on_my_file(qtbot, tmp_path)  # a user's own copy
    yield win
    shut_down(qtbot, win)


def summary(window: MainWindow) -> str:
    return window.run_actions.progress.clock.text()


def test_running_again_reuses_every_step_and_shows_it_as_cached(qtbot, window):
    first = click_run(qtbot, window)
    assert first.result.ok
    assert summary(window).startswith("3 done")
    assert all(window.runner.status.state(step) is StepState.DONE for step in STEPS)
    click_run(qtbot, window)
    for step in STEPS:
        info = window.scene.item_for(step).run_info()
        assert info.state is StepState.CACHED
        assert "cached" in status_badge.label(info)
        assert "reused" in window.scene.item_for(step).tooltip_text()
    assert summary(window).startswith("0 done, 3 cached")
    window.scene.select_ids({ADD})
    qtbot.waitUntil(lambda: window.inspector.node_id == ADD, timeout=2000)
    assert "reused (cached)" in window.inspector.step_label.text()


def test_run_all_again_recomputes_every_step(qtbot, window):
    assert click_run(qtbot, window).result.ok
    menu = window.findChild(QMenu, "workflow-menu")
    again = window.findChild(QAction, "run-all-again-action")
    assert again in menu.actions()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # window shortcuts go to the active window only
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        qtbot.keyClick(window.view, Qt.Key.Key_F5,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    result = finished.args[0].result
    assert all(result.step_status[step] is StepStatus.DONE for step in STEPS)
    assert summary(window).startswith("3 done")
    assert "cached" not in summary(window)
    assert all(window.runner.status.state(step) is StepState.DONE for step in STEPS)


OFFSET = UUID("5f0c6a86-4a44-4a55-9a55-000000000012")
SCALED, FAHRENHEIT, SENTENCE = (UUID(f"5f0c6a86-4a44-4a55-9a55-0000000000{n}") for n in (14, 15, 16))


def test_editing_an_input_marks_what_is_downstream_stale_until_the_next_run(qtbot, window):
    assert click_run(qtbot, window).result.ok
    status, scene = window.runner.status, window.scene
    # the user selects the offset cell and types a new value into the inspector's editor
    type_value(qtbot, window, OFFSET, "0")
    assert window.document.find_cell(OFFSET).value == 0

    reason = "input 'offset' changed"
    for step in (ADD, TEXT):  # downstream of offset: stale at once, before any run
        info = scene.item_for(step).run_info()
        assert info.stale == reason and status_badge.label(info) == "stale"
        assert reason in scene.item_for(step).tooltip_text()
    for cell in (FAHRENHEIT, SENTENCE):
        qtbot.waitUntil(lambda: scene.item_for(cell).value_text.startswith("stale: "), timeout=2000)
        assert not scene.item_for(cell).computed  # dimmed, not drawn as current
    # upstream of it: unaffected
    assert scene.item_for(MULTIPLY).run_info().stale is None
    assert status_badge.label(scene.item_for(MULTIPLY).run_info()) != "stale"
    assert scene.item_for(SCALED).value_text.startswith("= ") and scene.item_for(SCALED).computed
    # the inspector says why
    scene.select_ids({ADD})
    qtbot.waitUntil(lambda: window.inspector.node_id == ADD, timeout=2000)
    assert f"stale: {reason}" in window.inspector.step_label.text()
    scene.select_ids({FAHRENHEIT})
    qtbot.waitUntil(lambda: window.inspector.node_id == FAHRENHEIT, timeout=2000)
    assert window.inspector.computed.text().startswith(f"stale: {reason}")

    # running again runs only the stale steps, and clears the marks
    result = click_run(qtbot, window).result
    assert result.step_status[MULTIPLY] is StepStatus.CACHED
    assert result.step_status[ADD] is StepStatus.DONE and result.step_status[TEXT] is StepStatus.DONE
    assert status.state(MULTIPLY) is StepState.CACHED and status.state(ADD) is StepState.DONE
    for node in (ADD, TEXT, FAHRENHEIT, SENTENCE):
        assert status.stale_reason(node) is None
    qtbot.waitUntil(lambda: scene.item_for(FAHRENHEIT).value_text.startswith("= "), timeout=2000)
    assert scene.item_for(FAHRENHEIT).computed
    assert window.store.get(FAHRENHEIT).value == pytest.approx(window.store.get(SCALED).value)


def test_renaming_a_cell_marks_nothing_stale(qtbot, window):
    assert click_run(qtbot, window).result.ok
    window.document.rename_cell(OFFSET, "shift")
    assert all(window.runner.status.stale_reason(node) is None for node in (*STEPS, FAHRENHEIT, SENTENCE))
    assert click_run(qtbot, window).result.count(StepStatus.CACHED) == 3


def test_rewiring_a_step_marks_it_and_what_follows_stale_but_relabelling_does_not(qtbot, window):
    assert click_run(qtbot, window).result.ok
    status = window.runner.status
    window.document.set_step_label(TEXT, "Say it")
    assert status.stale_reason(TEXT) is None
    window.document.connect_input(TEXT, "value", SCALED)  # the wire now comes from 'scaled'
    assert status.stale_reason(TEXT) == "step 'Say it' changed"
    assert status.stale_reason(SENTENCE) == "step 'Say it' changed"
    assert status.stale_reason(ADD) is None and status.stale_reason(FAHRENHEIT) is None
    qtbot.waitUntil(lambda: window.scene.item_for(SENTENCE).value_text.startswith("stale: "), timeout=2000)


def test_a_rewired_step_runs_again_rather_than_being_reused(qtbot, window):
    assert click_run(qtbot, window).result.ok
    window.document.connect_input(TEXT, "value", SCALED)
    result = click_run(qtbot, window).result
    assert result.step_status[TEXT] is StepStatus.DONE and result.step_status[ADD] is StepStatus.CACHED
    assert window.store.get(SENTENCE).value == "It is 38.7 °F outside."


def test_deleting_a_step_marks_the_value_it_made_and_what_follows_stale(qtbot, window):
    assert click_run(qtbot, window).result.ok
    scene, status = window.scene, window.runner.status
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.view.mapFromScene(scene.item_for(ADD).sceneBoundingRect().center()))
    assert scene.selected_ids() == {ADD}
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert window.document.find_step(ADD) is None and window.document.find_cell(FAHRENHEIT) is not None
    reason = "step 'Add' was deleted"
    assert status.stale_reason(FAHRENHEIT) == reason  # a value nothing computes any more
    assert status.stale_reason(TEXT) == reason and status.stale_reason(SENTENCE) == reason
    assert status.stale_reason(MULTIPLY) is None and status.stale_reason(SCALED) is None
    qtbot.waitUntil(lambda: scene.item_for(FAHRENHEIT).value_text.startswith("stale: "), timeout=2000)


def test_a_step_added_since_the_last_run_is_remembered_by_the_next_one(qtbot, window):
    """After a run, relabelling a step that was added before it marks nothing stale (its wiring is what
    the run read); rewiring it does."""
    assert click_run(qtbot, window).result.ok
    window.scene.select_ids({ADD})
    window.duplicate_action.trigger()
    copy = next(step for step in window.document.workflow.steps if step.id not in STEPS)
    assert click_run(qtbot, window).result.ok
    window.document.rename_step(copy.id, "my copy")
    assert window.runner.status.stale_reason(copy.id) is None
    window.document.connect_input(copy.id, "a", FAHRENHEIT)
    assert window.runner.status.stale_reason(copy.id) == "step 'my copy' changed"
