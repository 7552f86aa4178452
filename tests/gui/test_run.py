"""Click to run: the engine on a worker thread, node states, the Datums and Problems docks, Stop, Run Selected.

Slow steps wait on `GATE`, an event the test opens, so "while a run is going" is a state the test holds
for as long as it needs rather than a race against a timer.
"""

from __future__ import annotations

import io
import json
import re
import threading
from uuid import UUID

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QToolTip

from fancy_studio.cli import run_command
from fancy_studio.core import Position, Workflow, WorkflowStep, fancy_function, save_workflow
from fancy_studio.gui.run.status import StepState
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import ADD, CELSIUS, EXAMPLE, FAHRENHEIT, MULTIPLY, SCALED
from tests.gui.dialogs import Answer, answer_dialogs
from tests.gui.windows import node_context_menu

GATE = threading.Event()
"""Steps of `test_gui.gated` block until this is set."""
THREADS: list[int] = []
"""Thread idents that ran `test_gui.where`."""


@fancy_function("test_gui.gated")
def gated(x: float) -> float:
    """Waits for the test to open the gate, then adds one."""
    if not GATE.wait(timeout=20):
        raise TimeoutError("the test never opened the gate")
    return x + 1


@fancy_function("test_gui.where")
def where(x: float) -> float:
    """Records which thread ran it."""
    THREADS.append(threading.get_ident())
    return x


@fancy_function("test_gui.explode")
def explode(x: float) -> float:
    """Always raises."""
    raise ValueError(f"cannot handle {x}")


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)  # settings are private already (tests/conftest.py)


@pytest.fixture
def window(qtbot):
    GATE.clear()
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)  # the Run / Stop shortcuts go to the active window only
    yield win
    GATE.set()  # never leave a worker blocked
    if win.runner.running:
        with qtbot.waitSignal(win.runner.finished, timeout=10_000):
            win.runner.stop()
    win.runner.shutdown()


def chain(slugs: list[str], start: float = 1.0, name: str = "chain") -> Workflow:
    """input → slugs[0] → slugs[1] → …, each step reading the previous step's output."""
    workflow = Workflow(name=name)
    cell = workflow.input_cell("start", start)
    for i, slug in enumerate(slugs):
        out = workflow.output_cell(f"v{i + 1}")
        workflow.add_step(WorkflowStep(function_slug=slug, inputs={"x": cell.id}, outputs={"return": out.id}))
        cell = out
    return workflow


def load(window: MainWindow, workflow: Workflow) -> Workflow:
    """Open `workflow` in the window, nodes spread on a grid (none on top of another)."""
    nodes = [c.id for c in workflow.cells] + [s.id for s in workflow.steps]
    for i, node_id in enumerate(nodes):
        workflow.layout[node_id] = Position(x=(i % 6) * 260.0, y=(i // 6) * 160.0)
    window.document.replace(workflow, None)
    return workflow


def run(qtbot, window: MainWindow, key=Qt.Key.Key_F5, modifier=Qt.KeyboardModifier.NoModifier):
    """Press the Run shortcut on the canvas, wait for the run to end and for the Datums table to catch up
    with the store (its last refresh comes on the turn after the run ends); return the outcome."""
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        qtbot.keyClick(window.view, key, modifier)
    qtbot.waitUntil(lambda: window.datums.model.rowCount() == len(window.store), timeout=2000)
    return finished.args[0]


def state(window: MainWindow, step_id: UUID) -> StepState:
    return window.runner.status.info(step_id).state


def hover_tooltip(window: MainWindow, node_id: UUID) -> str:
    """Rest the pointer on a node (a real tooltip event on the canvas) and read the tooltip shown."""
    QToolTip.hideText()
    item = window.scene.item_for(node_id)
    pos = window.view.mapFromScene(item.sceneBoundingRect().center())
    event = QHelpEvent(QEvent.Type.ToolTip, pos, window.view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(window.view.viewport(), event)
    return QToolTip.text()


def datum_rows(window: MainWindow) -> dict[str, str]:
    """alias → value column text, as the Datums table shows them."""
    model = window.datums.table.model()
    return {model.index(r, 0).data(): model.index(r, 2).data() for r in range(model.rowCount())}


# --- running ---------------------------------------------------------------------------------------------


def test_f5_runs_the_example_and_the_datums_panel_shows_every_value(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    outcome = run(qtbot, window)
    assert outcome.result.ok
    assert window.store.get(FAHRENHEIT).value == pytest.approx(70.7)
    rows = datum_rows(window)
    assert rows["fahrenheit"] == "70.7" and rows["celsius"] == "21.5"
    assert "sentence" in rows
    for step_id in (MULTIPLY, ADD):
        assert state(window, step_id) is StepState.DONE
        assert "Done in" in hover_tooltip(window, step_id)
    # The canvas shows the computed value (it catches up with the run's events on the next turns).
    qtbot.waitUntil(lambda: window.scene.item_for(FAHRENHEIT).value_text == "= 70.7", timeout=2000)
    assert re.fullmatch(r"3 done · \d+ ms", window.run_actions.progress.clock.text())  # not "0.0 s"
    assert window.run_actions.progress.isVisible()


def test_the_inspector_shows_what_the_last_run_computed_for_a_cell(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    window.scene.select_ids({FAHRENHEIT})
    computed = window.inspector.computed
    assert computed.text() == "not computed yet: run the workflow"
    run(qtbot, window)
    assert computed.text() == "= 70.7"  # the selected cell follows the run
    window.scene.select_ids({CELSIUS})
    assert computed.text() == "an input: the run reads this value"


def test_ctrl_r_and_the_toolbar_button_run_too(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    assert run(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier).result.ok
    toolbar = window.findChild(type(window.addToolBar("x")), "main-toolbar")
    button = toolbar.widgetForAction(window.run_actions.run_action)
    window.store.clear()
    with qtbot.waitSignal(window.runner.finished, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.store.get(FAHRENHEIT).value == pytest.approx(70.7)


def test_functions_run_off_the_gui_thread(qtbot, window):
    THREADS.clear()
    load(window, chain(["test_gui.where", "test_gui.where"]))
    assert run(qtbot, window).result.ok
    assert len(THREADS) == 2
    assert threading.main_thread().ident not in THREADS


def test_the_window_stays_responsive_and_shows_the_running_step(qtbot, window):
    workflow = load(window, chain(["math.increment", "test_gui.gated", "math.increment"]))
    first, slow, last = (s.id for s in workflow.steps)
    with qtbot.waitSignal(window.runner.running_changed):
        qtbot.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: state(window, slow) is StepState.RUNNING, timeout=5000)
    assert state(window, first) is StepState.DONE and state(window, last) is StepState.QUEUED
    assert "Running" in window.windowTitle()
    assert not window.run_actions.run_action.isEnabled() and window.run_actions.stop_action.isEnabled()
    window.view.zoom_in()  # the GUI thread is free: events are handled while the step blocks
    assert window.run_actions.progress.bar.value() == 1 and window.run_actions.progress.bar.maximum() == 3
    window.scene.select_ids({slow})
    assert "Last run</b>: running…" in window.inspector.step_label.text()  # the inspector follows the run
    with qtbot.waitSignal(window.runner.finished, timeout=10_000):
        GATE.set()
    assert state(window, last) is StepState.DONE
    assert "Last run</b>: done in" in window.inspector.step_label.text()
    assert window.store.get(workflow.steps[-1].outputs["return"]).value == 4
    assert "Running" not in window.windowTitle()


def test_a_failing_step_is_red_with_its_message_and_listed_in_problems(qtbot, window):
    workflow = Workflow(name="branches")
    a = workflow.input_cell("a", 1)
    bad_out, after_out, good_out = workflow.output_cell("bad"), workflow.output_cell("after"), workflow.output_cell("good")
    bad = workflow.add_step(WorkflowStep(function_slug="test_gui.explode", inputs={"x": a.id}, outputs={"return": bad_out.id}))
    after = workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": bad_out.id},
                                           outputs={"return": after_out.id}))
    good = workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": a.id}, outputs={"return": good_out.id}))
    load(window, workflow)
    outcome = run(qtbot, window)
    assert not outcome.result.ok
    assert state(window, bad.id) is StepState.FAILED
    assert state(window, after.id) is StepState.SKIPPED
    assert state(window, good.id) is StepState.DONE and window.store.get(good_out.id).value == 2
    tooltip = hover_tooltip(window, bad.id)
    assert "ValueError" in tooltip and "cannot handle 1" in tooltip
    assert window._docks["Problems"].isVisible()
    entries = window.problems.entries()
    assert len(entries) == 1
    kind, node, message = entries[0]
    assert kind == "Failed" and "cannot handle 1" in message
    assert "raise ValueError" in window.problems.tree.topLevelItem(0).toolTip(2)  # the traceback
    # The inspector says how each step's last run went.
    for step, words in ((bad, ["failed", "ValueError: cannot handle 1"]), (after, ["skipped"]), (good, ["done in"])):
        window.scene.select_ids({step.id})
        assert all(word in window.inspector.step_label.text() for word in words), window.inspector.step_label.text()
    # Double-clicking the entry selects the failed node on the canvas.
    tree = window.problems.tree
    rect = tree.visualItemRect(tree.topLevelItem(0))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # the press a
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # double-click needs
    assert window.scene.selected_ids() == {bad.id}
    window.scene.select_ids(set())
    window.view.set_zoom(0.1)  # zoomed far out, the node would be a dot: it is brought in, readable
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)  # Enter on the entry does the same
    assert window.scene.selected_ids() == {bad.id}
    assert window.view.zoom() == pytest.approx(1.0)
    middle = window.view.mapToScene(window.view.viewport().rect().center())
    assert window.scene.item_for(bad.id).sceneBoundingRect().adjusted(-60, -60, 60, 60).contains(middle)
    assert "1 failed" in window.run_actions.progress.clock.text()


def test_a_workflow_that_cannot_run_lists_every_problem_and_runs_nothing(qtbot, window):
    workflow = Workflow(name="broken")
    orphan = workflow.output_cell("never written")
    out = workflow.output_cell("out")
    ghost = workflow.add_step(WorkflowStep(function_slug="nobody.has_this", inputs={"x": orphan.id},
                                           outputs={"return": out.id}))
    reader = workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": orphan.id},
                                            outputs={"return": workflow.output_cell("o2").id}))
    load(window, workflow)
    outcome = run(qtbot, window)
    assert not outcome.started and len(outcome.problems) >= 2
    nodes = {window.problems.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
             for i in range(window.problems.count())}
    assert {ghost.id, reader.id} <= nodes
    assert any("nobody.has_this" in message for _, _, message in window.problems.entries())
    assert len(window.store) == 0
    assert not window.document.undo_stack.locked  # the window is editable again


def test_stop_during_a_slow_run_starts_no_further_step(qtbot, window):
    workflow = load(window, chain(["test_gui.gated", "math.increment", "math.increment"]))
    slow, second, third = (s.id for s in workflow.steps)
    qtbot.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: state(window, slow) is StepState.RUNNING, timeout=5000)
    qtbot.keyClick(window.view, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)  # Stop
    assert window.runner.stopping
    assert "Stopping" in window.statusBar().currentMessage() and not window.run_actions.stop_action.isEnabled()
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        GATE.set()  # the running step finishes; nothing after it starts
    result = finished.args[0].result
    assert result.cancelled
    assert state(window, slow) is StepState.DONE
    assert state(window, second) is StepState.CANCELLED and state(window, third) is StepState.CANCELLED
    assert "Stopped" in window.run_actions.progress.clock.text()
    # Usable again: editing works and so does the next run.
    window.document.add_cell("later", 0, 400)
    assert any(c.alias == "later" for c in window.document.workflow.cells)


def test_escape_stops_a_run(qtbot, window):
    workflow = load(window, chain(["test_gui.gated", "math.increment"]))
    qtbot.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: state(window, workflow.steps[0].id) is StepState.RUNNING, timeout=5000)
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        GATE.set()
    assert finished.args[0].result.cancelled


def test_edits_are_refused_while_a_run_reads_the_workflow(qtbot, window):
    workflow = load(window, chain(["test_gui.gated", "math.increment"]))
    slow = workflow.steps[0].id
    count = window.document.undo_stack.count()
    qtbot.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: state(window, slow) is StepState.RUNNING, timeout=5000)
    window.scene.select_ids({slow})
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.document.find_step(slow) is not None
    assert "run is going" in window.statusBar().currentMessage()
    window.document.add_cell("sneaky")  # even a direct edit goes through the locked stack
    assert not any(c.alias == "sneaky" for c in window.document.workflow.cells)
    assert window.document.undo_stack.count() == count
    assert not window.undo_action.isEnabled() and not window.history.isEnabled()
    assert not window.inspector.isEnabled() and " — Running — " in window.windowTitle()
    with qtbot.waitSignal(window.runner.finished, timeout=10_000):
        GATE.set()
    assert window.inspector.isEnabled() and window.history.isEnabled() and "Running" not in window.windowTitle()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.document.find_step(slow) is None
    assert window.undo_action.isEnabled()


def test_run_selected_runs_only_what_the_selection_needs(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    window.scene.select_ids({SCALED})  # a cell stands for the step that computes it
    outcome = run(qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert set(outcome.result.step_status) == {MULTIPLY}
    assert window.store.get(SCALED).value == pytest.approx(38.7)
    assert FAHRENHEIT not in window.store
    assert state(window, ADD) is StepState.IDLE


def test_run_up_to_here_from_the_node_context_menu(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    menu = node_context_menu(window, ADD)
    assert window.scene.selected_ids() == {ADD}
    up_to = next(a for a in menu.actions() if a.objectName() == "run-up-to-action")
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        up_to.trigger()
    menu.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChild(QMenu, "canvas-context-menu") is None  # one menu per right-click, not a pile
    assert set(finished.args[0].result.step_status) == {MULTIPLY, ADD}
    assert window.store.get(FAHRENHEIT).value == pytest.approx(70.7)


def test_running_again_clears_old_states_and_replaces_values(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    window.scene.select_ids({MULTIPLY})
    run(qtbot, window, Qt.Key.Key_F6)
    assert state(window, MULTIPLY) is StepState.DONE
    window.document.set_cell_value(CELSIUS, 100)
    window.scene.select_ids({ADD})
    run(qtbot, window, Qt.Key.Key_F6)
    assert window.store.get(FAHRENHEIT).value == pytest.approx(212)
    assert datum_rows(window)["fahrenheit"] == "212.0"
    qtbot.waitUntil(lambda: window.scene.item_for(FAHRENHEIT).value_text == "= 212.0", timeout=2000)
    assert sum(1 for alias in datum_rows(window) if alias == "fahrenheit") == 1  # replaced, not added


# --- datums panel <-> canvas ---------------------------------------------------------------------------


def test_renaming_a_step_after_a_run_renames_its_producer_in_the_datums_table(qtbot, window):
    load(window, chain(["math.increment"]))
    step = window.document.workflow.steps[0]
    run(qtbot, window)
    model = window.datums.table.model()
    producers = lambda: {model.index(r, 0).data(): model.index(r, 3).data() for r in range(model.rowCount())}  # noqa: E731
    assert producers()["v1"] == "Increment"
    with qtbot.waitSignal(window.datums.model.dataChanged, timeout=1000) as changed:  # the table repaints it
        window.document.rename_step(step.id, "plus one")
    top_left, bottom_right = changed.args[:2]
    assert top_left.column() <= 3 <= bottom_right.column() and bottom_right.row() == window.datums.model.rowCount() - 1
    assert producers()["v1"] == "plus one"


def test_selecting_a_datum_row_selects_the_cell_and_back(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    run(qtbot, window)
    table = window.datums.table
    model = table.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "fahrenheit")
    rect = table.visualRect(model.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.scene.selected_ids() == {FAHRENHEIT}
    window.scene.select_ids({CELSIUS})
    assert window.datums.selected_cell_ids() == {CELSIUS}


def test_opening_another_file_forgets_the_last_runs_datums(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    run(qtbot, window)
    assert len(window.store) > 0
    window.new_workflow()
    assert len(window.store) == 0 and window.datums.table.model().rowCount() == 0
    assert state(window, MULTIPLY) is StepState.IDLE


# --- stopping to open another file (closing: test_run_exit.py) --------------------------------------------------------------------------


def test_opening_a_file_during_a_run_asks_then_stops_and_opens(qtbot, window, monkeypatch):
    question = Answer(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", question)
    workflow = load(window, chain(["test_gui.gated", "math.increment"]))
    qtbot.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: state(window, workflow.steps[0].id) is StepState.RUNNING, timeout=5000)
    assert window._open_confirmed(EXAMPLE) is False  # not yet: the run must stop first
    assert question.asked and "Stop the run" in question.asked[0]
    assert window.document.find_step(MULTIPLY) is None
    with qtbot.waitSignal(window.runner.finished, timeout=10_000):
        GATE.set()
    qtbot.waitUntil(lambda: window.document.find_step(MULTIPLY) is not None, timeout=5000)


def test_cancelling_the_stop_question_keeps_the_run_and_the_document(qtbot, window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", Answer(QMessageBox.StandardButton.Cancel))
    workflow = load(window, chain(["test_gui.gated"]))
    qtbot.keyClick(window.view, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: state(window, workflow.steps[0].id) is StepState.RUNNING, timeout=5000)
    window.close()
    assert window.isVisible() and window.runner.running and not window.runner.stopping
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        GATE.set()
    assert finished.args[0].result.ok


# --- the same results headless -------------------------------------------------------------------------


def test_the_run_button_and_the_command_line_give_the_same_values(qtbot, window, tmp_path):
    workflow = Workflow(name="parity")
    a = workflow.input_cell("a", 3)
    b = workflow.input_cell("b", 4)
    words = workflow.input_cell("words", ["x", "yy", "zzz"])
    total = workflow.output_cell("total")
    square = workflow.output_cell("square")
    joined = workflow.output_cell("joined")
    workflow.add_step(WorkflowStep(function_slug="math.add", inputs={"a": a.id, "b": b.id}, outputs={"return": total.id}))
    workflow.add_step(WorkflowStep(function_slug="math.multiply", inputs={"a": total.id, "b": total.id},
                                   outputs={"return": square.id}))
    workflow.add_step(WorkflowStep(function_slug="text.join", inputs={"items": words.id},
                                   outputs={"return": joined.id}))
    path = tmp_path / "parity.json"
    save_workflow(workflow, path)

    out = io.StringIO()
    assert run_command([str(path), "--json", "--quiet"], out=out, err=io.StringIO()) == 0
    headless = {entry["alias"]: entry["value"] for entry in json.loads(out.getvalue())["outputs"]}

    assert window.open_workflow(path)
    assert run(qtbot, window).result.ok
    studio = {alias: window.store.get(cell.id).value for alias, cell in
              (("square", square), ("joined", joined))}
    assert headless == studio
    assert headless["square"] == 49


def test_a_run_that_cannot_start_still_clears_the_last_runs_states(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    run(qtbot, window)
    assert state(window, MULTIPLY) is StepState.DONE
    window.document.add_step("math.increment", 0, 500)  # its input wired to nothing: cannot start
    outcome = run(qtbot, window)
    assert not outcome.started
    assert state(window, MULTIPLY) is StepState.IDLE
    qtbot.waitUntil(lambda: "Done in" not in hover_tooltip(window, MULTIPLY), timeout=2000)


def test_an_engine_crash_is_reported_and_leaves_the_window_usable(qtbot, window, monkeypatch):
    from fancy_studio.core import Engine

    def broken(*args, **kwargs):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(Engine, "run_plan", broken)
    assert window.open_workflow(EXAMPLE)
    outcome = run(qtbot, window)
    assert outcome.crash is not None and "engine bug" in outcome.crash
    kind, _node, message = window.problems.entries()[0]
    assert kind == "Error" and "stopped unexpectedly" in message
    assert "engine bug" in window.problems.tree.topLevelItem(0).toolTip(2)
    assert not window.document.undo_stack.locked and window.run_actions.run_action.isEnabled()


def test_opening_a_workflow_freezes_the_long_lived_heap(window):
    import gc

    gc.unfreeze()
    assert window.open_workflow(EXAMPLE)
    QApplication.processEvents()  # the collection runs on the next turn, after the canvas is built
    assert gc.get_freeze_count() > 0
    gc.unfreeze()


def test_ctrl_c_in_the_datums_table_copies_the_selected_values(qtbot, window):
    assert window.open_workflow(EXAMPLE)
    run(qtbot, window)
    table = window.datums.table
    model = table.model()
    rows = {model.index(r, 0).data(): r for r in range(model.rowCount())}
    table.setFocus()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(model.index(rows["sentence"], 0)).center())
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "It is 70.7 °F outside."
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     pos=table.visualRect(model.index(rows["celsius"], 0)).center())
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert sorted(QApplication.clipboard().text().splitlines()) == ["celsius\t21.5", "sentence\tIt is 70.7 °F outside."]


def test_the_clock_ticks_in_tenths_and_durations_read_at_a_glance():
    from fancy_studio.core.durations import duration_text
    from fancy_studio.gui.run.progress import elapsed_text

    assert [elapsed_text(ms) for ms in (0, 1234, 61_500)] == ["0.0 s", "1.2 s", "1:01.5"]
    assert [duration_text(s) for s in (None, 2e-6, 0.012, 0.999, 1.0, 185.0)] == [
        "", "2 µs", "12 ms", "999 ms", "1.0 s", "3 min 5 s"]
