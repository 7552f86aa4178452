"""Steps run in a kernel process (issue 12): the studio stays responsive and alive whatever a step does.

Each test opens a real studio window whose steps run in a real kernel process, with functions the test
registers itself (they reach the kernel by value, with cloudpickle).
"""

from __future__ import annotations

import os
import time

import pytest

from fancy_studio.core import StepStatus, Workflow, WorkflowStep, fancy_function
from fancy_studio.gui.run.status import StepState
from fancy_studio.gui.window.main_window import MainWindow
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window, shut_down
from tests.processes import gone

pytestmark = pytest.mark.kernel


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot, tmp_path):
    win = active_window(qtbot)
    qtbot.waitUntil(lambda: win.kernel_actions.link.state == "idle", timeout=20_000)
    yield win
    shut_down(qtbot, win)


def _saved(window: MainWindow, workflow: Workflow, tmp_path) -> None:
    """Open `workflow` in the window as a file of the user's (its store is on disk)."""
    from fancy_studio.core import save_workflow

    path = tmp_path / f"{workflow.name}.json"
    save_workflow(workflow, path)
    assert window.open_workflow(path)


def _chain(name: str, *slugs: str, start: object = 1) -> tuple[Workflow, list[WorkflowStep], list]:
    wf = Workflow(name=name)
    cell = wf.input_cell("x", start)
    steps, cells = [], [cell]
    for i, slug in enumerate(slugs):
        out = wf.output_cell(f"out{i}")
        steps.append(wf.add_step(WorkflowStep(function_slug=slug, inputs={"x": cell.id}, outputs={"return": out.id})))
        cells.append(out)
        cell = out
    return wf, steps, cells


def _run(qtbot, window: MainWindow, timeout: int = 30_000):
    with qtbot.waitSignal(window.runner.finished, timeout=timeout) as finished:
        window.run_actions.run_action.trigger()
    return finished.args[0]


def test_steps_run_in_the_kernel_process_and_their_values_show_in_the_studio(qtbot, window, tmp_path):
    @fancy_function("kt.pid")
    def pid(x: int) -> int:
        return os.getpid()

    wf, steps, cells = _chain("pids", "kt.pid")
    _saved(window, wf, tmp_path)
    outcome = _run(qtbot, window)
    assert outcome.in_kernel and outcome.result.step_status[steps[0].id] is StepStatus.DONE
    kernel_pid = window.store.get(cells[1].id).value
    assert kernel_pid == window.kernel_actions.link.pid and kernel_pid != os.getpid()
    qtbot.waitUntil(lambda: window.datums.model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: window.scene.item_for(cells[1].id).value_text == f"= {kernel_pid}", timeout=5000)
    assert window.kernel_actions.label.text() == "Kernel: idle"


def test_stop_on_a_step_that_never_returns_kills_the_kernel_and_the_next_run_works(qtbot, window, tmp_path):
    @fancy_function("kt.forever", cacheable=False)
    def forever(x: int) -> int:
        while True:
            time.sleep(0.05)

    @fancy_function("kt.twice")
    def twice(x: int) -> int:
        return x * 2

    wf, steps, cells = _chain("forever", "kt.forever", "kt.twice")
    _saved(window, wf, tmp_path)
    first_pid = window.kernel_actions.link.pid
    with qtbot.waitSignal(window.runner.finished, timeout=30_000) as finished:
        window.run_actions.run_action.trigger()
        qtbot.waitUntil(lambda: window.runner.status.state(steps[0].id) is StepState.RUNNING, timeout=10_000)
        window.run_actions.stop_action.trigger()
    result = finished.args[0].result
    assert result.step_status[steps[0].id] is StepStatus.FAILED
    assert "stopped (killed)" in result.errors[steps[0].id].message
    assert result.step_status[steps[1].id] is not StepStatus.DONE
    qtbot.waitUntil(lambda: window.kernel_actions.link.state == "idle", timeout=20_000)
    assert window.kernel_actions.link.pid != first_pid  # a fresh kernel took its place

    wf2, steps2, cells2 = _chain("after", "kt.twice", start=21)
    _saved(window, wf2, tmp_path)
    assert _run(qtbot, window).result.ok
    assert window.store.get(cells2[1].id).value == 42


def test_a_step_that_crashes_the_kernel_fails_and_the_studio_and_other_branch_go_on(qtbot, window, tmp_path):
    @fancy_function("kt.segfault", cacheable=False)
    def segfault(x: int) -> int:
        import ctypes

        return ctypes.string_at(0)  # reads address 0: SIGSEGV

    @fancy_function("kt.plus_one")
    def plus_one(x: int) -> int:
        return x + 1

    wf = Workflow(name="crash")
    x = wf.input_cell("x", 1)
    bad, good, after = wf.output_cell("bad"), wf.output_cell("good"), wf.output_cell("after")
    crash = wf.add_step(WorkflowStep(function_slug="kt.segfault", inputs={"x": x.id}, outputs={"return": bad.id}))
    later = wf.add_step(WorkflowStep(function_slug="kt.plus_one", inputs={"x": bad.id}, outputs={"return": after.id}))
    branch = wf.add_step(WorkflowStep(function_slug="kt.plus_one", inputs={"x": x.id}, outputs={"return": good.id}))
    _saved(window, wf, tmp_path)
    result = _run(qtbot, window).result
    assert result.step_status[crash.id] is StepStatus.FAILED
    assert "SIGSEGV" in result.errors[crash.id].message or "signal 11" in result.errors[crash.id].message
    assert result.step_status[later.id] is StepStatus.SKIPPED
    assert result.step_status[branch.id] in (StepStatus.DONE, StepStatus.CACHED)
    assert window.store.get(good.id).value == 2
    assert window.isVisible()  # the studio lives on
    qtbot.waitUntil(lambda: window.kernel_actions.link.state == "idle", timeout=20_000)
    assert _run(qtbot, window).result.step_status[branch.id] is StepStatus.CACHED  # the next run works


def test_restart_kernel_starts_a_fresh_process(qtbot, window):
    before = window.kernel_actions.link.pid
    window.kernel_actions.restart_action.trigger()
    qtbot.waitUntil(lambda: window.kernel_actions.link.state == "idle"
                    and window.kernel_actions.link.pid not in (None, before), timeout=20_000)
    assert window.kernel_actions.restart_action.isEnabled()


def test_the_studios_process_is_a_setting_and_runs_steps_there(qtbot, window, tmp_path):
    @fancy_function("kt.pid_here")
    def pid_here(x: int) -> int:
        return os.getpid()

    window.kernel_actions.in_studio_action.trigger()
    assert not window.kernel_actions.label.isVisible() and window.kernel_actions.link.pid is None
    wf, steps, cells = _chain("here", "kt.pid_here")
    _saved(window, wf, tmp_path)
    outcome = _run(qtbot, window)
    assert not outcome.in_kernel and window.store.get(cells[1].id).value == os.getpid()
    from fancy_studio.gui.window import main_window

    assert main_window.settings().value("run/in_kernel") in (False, "false")


def test_closing_the_window_leaves_no_kernel_process(qtbot, window):
    pid = window.kernel_actions.link.pid
    assert pid is not None and not gone(pid, within=0)
    window.close()
    assert gone(pid)



def test_values_of_steps_seen_finishing_during_a_kernel_run_show_when_it_ends(qtbot, window, tmp_path):
    @fancy_function("kt.slow_plus_one")
    def slow_plus_one(x: int) -> int:
        time.sleep(0.15)
        return x + 1

    wf, steps, cells = _chain("slow chain", *["kt.slow_plus_one"] * 5)
    _saved(window, wf, tmp_path)
    seen_done_while_running = []
    window.runner.status.changed.connect(
        lambda ids: seen_done_while_running.extend(
            i for i in ids if window.runner.running and window.runner.status.state(i) is StepState.DONE))
    assert _run(qtbot, window).result.ok
    assert seen_done_while_running  # some steps were shown done before the run ended
    for n, cell in enumerate(cells[1:], start=2):
        qtbot.waitUntil(lambda cell=cell, n=n: window.scene.item_for(cell.id).value_text == f"= {n}", timeout=5000)


def test_a_second_kernel_run_with_another_input_shows_the_new_values(qtbot, window, tmp_path):
    @fancy_function("kt.slow_double")
    def slow_double(x: int) -> int:
        time.sleep(0.15)
        return x * 2

    wf, steps, cells = _chain("doubles", *["kt.slow_double"] * 4)
    _saved(window, wf, tmp_path)
    assert _run(qtbot, window).result.ok
    last = cells[-1].id
    qtbot.waitUntil(lambda: window.scene.item_for(last).value_text == "= 16", timeout=5000)
    window.document.set_cell_value(cells[0].id, 10)
    assert _run(qtbot, window).result.ok
    for n, cell in enumerate(cells[1:], start=1):
        expected = f"= {10 * 2 ** n}"
        qtbot.waitUntil(lambda cell=cell, expected=expected: window.scene.item_for(cell.id).value_text == expected,
                        timeout=5000)
    assert window.store.get(last).value == 160


def test_values_arrive_in_the_datums_dock_while_the_kernel_runs(qtbot, window, tmp_path):
    @fancy_function("kt.slower_plus_one")
    def slower_plus_one(x: int) -> int:
        time.sleep(0.3)
        return x + 1

    wf, steps, cells = _chain("live", *["kt.slower_plus_one"] * 8)
    _saved(window, wf, tmp_path)
    with qtbot.waitSignal(window.runner.finished, timeout=30_000):
        window.run_actions.run_action.trigger()
        qtbot.waitUntil(lambda: window.datums.model.rowCount() >= 3, timeout=20_000)
        assert window.runner.running  # seen before the run ended
        shown = {window.datums.model.cell_at(row).alias: window.datums.model.cell_at(row).value
                 for row in range(window.datums.model.rowCount())}
        assert shown.get("out0") == 2
    qtbot.waitUntil(lambda: window.datums.model.rowCount() == 9, timeout=5000)


def test_the_grace_period_of_stop_is_a_setting(qtbot):
    from fancy_studio.gui.run.kernel_actions import GRACE_KEY
    from fancy_studio.gui.window import main_window

    main_window.settings().setValue(GRACE_KEY, 0.5)
    win = active_window(qtbot)
    try:
        assert win.kernel_actions.link.grace == 0.5
        qtbot.waitUntil(lambda: win.kernel_actions.link.state == "idle", timeout=20_000)
    finally:
        shut_down(qtbot, win)


def test_the_datums_dock_keeps_its_rows_when_the_store_is_opened_afresh_after_a_kernel_run(qtbot, window, tmp_path):
    @fancy_function("kt.triple")
    def triple(x: int) -> int:
        return x * 3

    wf, steps, cells = _chain("triples", *["kt.triple"] * 3)
    _saved(window, wf, tmp_path)
    assert _run(qtbot, window).result.ok
    qtbot.waitUntil(lambda: window.datums.model.rowCount() == 4, timeout=5000)
    resets = []
    window.datums.model.modelReset.connect(lambda: resets.append(1))
    window.document.set_cell_value(cells[0].id, 2)
    assert _run(qtbot, window).result.ok
    model = window.datums.model
    qtbot.waitUntil(lambda: {model.cell_at(r).alias: model.cell_at(r).value for r in range(model.rowCount())}
                    == {"x": 2, "out0": 6, "out1": 18, "out2": 54}, timeout=5000)
    assert resets == []  # updated in place, not read again from scratch


def test_a_timeout_typed_in_the_inspector_is_saved_undoable_and_stops_the_step(qtbot, window, tmp_path):
    from PySide6.QtCore import Qt

    from fancy_studio.core import load_workflow

    @fancy_function("kt.sleepy", cacheable=False)
    def sleepy(x: int) -> int:
        time.sleep(30)
        return x

    wf, steps, cells = _chain("sleepy", "kt.sleepy")
    _saved(window, wf, tmp_path)
    step_id = steps[0].id
    window.scene.select_ids({step_id})
    qtbot.waitUntil(lambda: window.inspector.node_id == step_id, timeout=2000)
    spin = window.inspector.timeout_edit
    assert spin.text() == "none"
    qtbot.mouseClick(spin.lineEdit(), Qt.MouseButton.LeftButton)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(spin.lineEdit(), "0.5")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert window.document.find_step(step_id).timeout == 0.5
    window.undo_action.trigger()
    assert window.document.find_step(step_id).timeout is None
    window.redo_action.trigger()
    assert window.document.find_step(step_id).timeout == 0.5
    window.save_workflow()
    assert load_workflow(window.document.path).step(step_id).timeout == 0.5
    result = _run(qtbot, window).result
    assert result.step_status[step_id] is StepStatus.FAILED
    assert "timed out" in result.errors[step_id].message
