"""Bypass in the studio: Ctrl+B on the selection, one undoable command; the node dimmed with its badge; a run
passes the value through to the cell after it; the file keeps it. With real keys and clicks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from fancy_studio.core import (
    CellSpec, Position, StepStatus, Workflow, WorkflowStep, load_workflow, save_workflow,
)
from fancy_studio.gui.run.status import StepState
from fancy_studio.gui.window.main_window import MainWindow
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window, click_run, shut_down

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def _workflow_file(tmp_path: Path) -> tuple[Path, dict]:
    """x (3.0) → Add (b = 5) → sum → Multiply (b = 2) → out; and Split (text → list), which has no input of
    its output's type, → words → Length → count."""
    workflow = Workflow(name="bypass")
    x = workflow.input_cell("x", 3.0)
    total, out = CellSpec(alias="sum"), CellSpec(alias="out")
    words, count = CellSpec(alias="words"), CellSpec(alias="count")
    workflow.cells += [total, out, words, count]
    add = WorkflowStep(function_slug="math.add", inputs={"a": x.id}, outputs={"return": total.id},
                       params={"b": 5.0})
    multiply = WorkflowStep(function_slug="math.multiply", inputs={"a": total.id},
                            outputs={"return": out.id}, params={"b": 2.0})
    split = WorkflowStep(function_slug="text.split", outputs={"return": words.id}, params={"text": "a b c"})
    length = WorkflowStep(function_slug="lists.length", inputs={"items": words.id},
                          outputs={"return": count.id})
    workflow.steps += [add, multiply, split, length]
    places = {x.id: (0, 0), add.id: (200, 0), total.id: (440, 20), multiply.id: (640, 0), out.id: (880, 20),
              split.id: (200, 200), words.id: (440, 220), length.id: (640, 200), count.id: (880, 220)}
    workflow.layout = {node: Position(x=px, y=py) for node, (px, py) in places.items()}
    path = tmp_path / "bypass.json"
    save_workflow(workflow, path)
    ids = {"x": x.id, "sum": total.id, "out": out.id, "add": add.id, "multiply": multiply.id,
           "split": split.id, "words": words.id, "length": length.id, "count": count.id}
    return path, ids


@pytest.fixture
def studio(qtbot, tmp_path):
    path, ids = _workflow_file(tmp_path)
    window = active_window(qtbot, path)
    window.view.setFocus()
    yield window, ids, path
    shut_down(qtbot, window)


def _value(window: MainWindow, cell_id):
    return window.store.get(cell_id).value


def test_ctrl_b_bypasses_a_step_a_run_passes_its_input_through_the_file_keeps_it_and_undo(qtbot, studio):
    window, ids, path = studio
    document, scene = window.document, window.scene
    count = document.undo_stack.count()
    scene.select_ids({ids["add"]})
    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL)

    assert document.find_step(ids["add"]).bypass is True
    assert document.undo_stack.count() == count + 1
    item = scene.item_for(ids["add"])
    assert item.bypass and item.passes == ("a", "return")  # a float passes to the float output
    assert item.tooltip_text().startswith("Bypassed (Ctrl+B): input 'a' passes through to output 'return'")
    qtbot.waitUntil(window.bypass_actions.action.isChecked, timeout=2000)

    outcome = click_run(qtbot, window)
    assert outcome.result.step_status[ids["add"]] is StepStatus.BYPASSED and outcome.result.ok
    assert window.runner.status.state(ids["add"]) is StepState.BYPASSED
    assert _value(window, ids["sum"]) == 3.0  # x passed through, not 3 + 5
    assert _value(window, ids["out"]) == 6.0
    qtbot.waitUntil(lambda: scene.item_for(ids["sum"]).value_text == "= 3.0", timeout=2000)
    assert window.problems.count() == 0  # bypassed on purpose: not a problem
    assert "1 bypassed" in window.run_actions.progress.clock.text()  # the run's summary

    assert window.save_workflow(path)
    saved = json.loads(path.read_text())
    assert [step.get("bypass", False) for step in saved["steps"]] == [True, False, False, False]
    assert load_workflow(path).steps[0].bypass is True

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert document.find_step(ids["add"]).bypass is False and not scene.item_for(ids["add"]).bypass
    assert window.runner.status.stale_reason(ids["add"]) is not None  # its last result is out of date
    click_run(qtbot, window)
    assert _value(window, ids["sum"]) == 8.0 and _value(window, ids["out"]) == 16.0
    assert window.runner.status.state(ids["add"]) in (StepState.DONE, StepState.CACHED)


def test_ctrl_b_on_a_selection_is_one_command_and_toggles_it_whole(qtbot, studio):
    window, ids, _path = studio
    document, scene = window.document, window.scene
    document.set_bypass({ids["multiply"]}, True)
    count = document.undo_stack.count()
    scene.select_ids({ids["add"], ids["multiply"], ids["sum"]})  # a cell in the selection is left alone

    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL)  # one is not bypassed: all become so
    assert document.find_step(ids["add"]).bypass and document.find_step(ids["multiply"]).bypass
    assert document.undo_stack.count() == count + 1
    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL)  # all are: none stays so
    assert not document.find_step(ids["add"]).bypass and not document.find_step(ids["multiply"]).bypass
    assert document.undo_stack.count() == count + 2
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert document.find_step(ids["add"]).bypass and document.find_step(ids["multiply"]).bypass
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert not document.find_step(ids["add"]).bypass and document.find_step(ids["multiply"]).bypass

    scene.select_ids({ids["sum"]})  # no step selected: it says what to do
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL)
    assert document.undo_stack.count() == count + 2 and "Select the steps to bypass" in messages


def test_a_step_without_a_pass_through_skips_what_reads_it_and_says_why(qtbot, studio):
    window, ids, _path = studio
    window.scene.select_ids({ids["split"]})
    qtbot.keyClick(window.view, Qt.Key.Key_B, CTRL)
    item = window.scene.item_for(ids["split"])
    assert item.passes is None and "no input has an output's type" in item.tooltip_text()
    outcome = click_run(qtbot, window)
    assert outcome.result.step_status[ids["split"]] is StepStatus.BYPASSED
    assert window.runner.status.state(ids["length"]) is StepState.SKIPPED
    info = window.runner.status.info(ids["length"])
    assert "bypassed" in (info.reason or "")


def test_bypass_is_in_the_edit_menu_the_node_menu_and_the_inspector(qtbot, studio):
    window, ids, _path = studio
    document = window.document
    edit = window.findChild(QMenu, "edit-menu")
    assert "bypass-action" in [action.objectName() for action in edit.actions()]

    item = window.scene.item_for(ids["multiply"])
    menu = _right_click(window, window.view.mapFromScene(item.mapToScene(QPointF(60, 12))))  # its title
    bypass = next(a for a in menu.actions() if a.objectName() == "bypass-action")
    assert bypass.isCheckable() and not bypass.isChecked()
    bypass.trigger()
    menu.close()
    assert document.find_step(ids["multiply"]).bypass

    qtbot.waitUntil(lambda: window.inspector.node_id == ids["multiply"], timeout=2000)
    box = window.inspector.params_form.bypass_check
    assert box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not document.find_step(ids["multiply"]).bypass


def _right_click(window: MainWindow, viewport_pos: QPoint) -> QMenu:
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, viewport_pos,
                              window.view.viewport().mapToGlobal(viewport_pos))
    QApplication.sendEvent(window.view.viewport(), event)
    return window.findChildren(QMenu, "canvas-context-menu")[-1]


@pytest.mark.kernel
def test_a_bypassed_step_in_the_kernel_shows_as_bypassed(qtbot, tmp_path):
    path, ids = _workflow_file(tmp_path)
    window = active_window(qtbot, path)
    try:
        qtbot.waitUntil(lambda: window.kernel_actions.link.state == "idle", timeout=20_000)
        window.document.set_bypass({ids["add"]}, True)
        outcome = click_run(qtbot, window)
        assert outcome.in_kernel and outcome.result.step_status[ids["add"]] is StepStatus.BYPASSED
        assert window.runner.status.state(ids["add"]) is StepState.BYPASSED
        assert _value(window, ids["out"]) == 6.0
    finally:
        shut_down(qtbot, window)
