"""Workflow ▸ Run On (issue 15): the studio's runs go to a local Dask cluster or a scheduler, chosen in the
menu and remembered; the status bar says where runs go, each step's tooltip names the worker that ran it,
and a scheduler out of reach is a clear message with nothing run.

Each test that runs starts a real 2-process local cluster on the loopback address (a few seconds), in the
studio's run thread or (marked `kernel`) in the kernel process, and stops it with the window.
"""

from __future__ import annotations

import socket

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu, QToolBar

from fancy_studio.core import Workflow, WorkflowStep, save_workflow
from fancy_studio.gui.canvas import status_badge
from fancy_studio.gui.datums.model import VALUE
from fancy_studio.gui.run import cluster_settings
from fancy_studio.gui.run.status import StepState
from fancy_studio.gui.run.worker import RunOutcome
from fancy_studio.gui.window import main_window
from fancy_studio.gui.window.main_window import MainWindow
from fancy_studio.kernel import executors
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window, shut_down

needs_dask = pytest.mark.skipif(not executors.dask_installed(), reason="needs the dask extra")


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def two_workers():
    """The local cluster's settings: 2 worker processes, a short wait for a scheduler."""
    settings = main_window.settings()
    settings.setValue(cluster_settings.WORKERS_KEY, 2)
    settings.setValue(cluster_settings.TIMEOUT_KEY, 1.0)
    settings.sync()


@pytest.fixture
def window(qtbot, two_workers):
    win = active_window(qtbot)
    yield win
    shut_down(qtbot, win)


def _fan_out(tmp_path) -> tuple[Workflow, list[WorkflowStep], dict]:
    wf = Workflow(name="fan out")
    x = wf.input_cell("x", 10)
    steps, cells = [], {}
    for i in range(3):
        out = wf.output_cell(f"b{i}")
        steps.append(wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": x.id},
                                              outputs={"return": out.id})))
        cells[f"b{i}"] = out
    total = wf.output_cell("total")
    steps.append(wf.add_step(WorkflowStep(function_slug="math.add", inputs={"a": cells["b0"].id, "b": cells["b1"].id},
                                          outputs={"return": total.id})))
    cells["total"] = total
    path = tmp_path / "fan_out.json"
    save_workflow(wf, path)
    return wf, steps, cells


def _menu_action(window: MainWindow, name: str) -> QAction:
    """The action as Workflow ▸ Run On holds it."""
    workflow_menu = window.findChild(QMenu, "workflow-menu")
    run_on = window.findChild(QMenu, "run-on-menu")
    assert run_on.menuAction() in workflow_menu.actions()
    (action,) = [a for a in run_on.actions() if a.objectName() == name]
    return action


def _click_run(qtbot, window: MainWindow, timeout: int = 60_000) -> RunOutcome:
    toolbar = window.findChild(QToolBar, "main-toolbar")
    button = toolbar.widgetForAction(window.run_actions.run_action)
    with qtbot.waitSignal(window.runner.finished, timeout=timeout) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def _value_shown(window: MainWindow, cell_id) -> str | None:
    model = window.datums.model
    row = model.row_of(cell_id)
    return None if row is None else model.index(row, VALUE).data()


def _ran_on_the_cluster(qtbot, window: MainWindow, tmp_path) -> RunOutcome:
    """Open the fan-out, run it, and check what the user sees: values, each step's worker, the status bar."""
    _wf, steps, cells = _fan_out(tmp_path)
    assert window.open_workflow(tmp_path / "fan_out.json")
    outcome = _click_run(qtbot, window)
    assert outcome.refused is None and outcome.crash is None
    assert outcome.result.ok and len(outcome.result.step_status) == 4
    qtbot.waitUntil(lambda: _value_shown(window, cells["total"].id) == "22", timeout=10_000)
    assert [_value_shown(window, cells[f"b{i}"].id) for i in range(3)] == ["11", "11", "11"]
    for step in steps:
        assert window.runner.status.state(step.id) is StepState.DONE
        tip = window.scene.item_for(step.id).tooltip_text()
        assert tip.startswith("Done in ") and " on worker 127.0.0.1:" in tip.splitlines()[0], tip
        port = window.runner.status.worker(step.id).rsplit(":", 1)[1]
        assert status_badge.label(window.runner.status.info(step.id)).endswith(f" · :{port}")  # on its badge
    assert set(outcome.workers) == {step.id for step in steps}
    assert window.cluster_actions.label.isVisible()
    assert window.cluster_actions.label.text().startswith("Runs on: local cluster, 2 processes")
    assert "2 workers answered the last run" in window.cluster_actions.label.toolTip()
    return outcome


@needs_dask
def test_run_on_a_local_cluster_chosen_in_the_menu_shows_values_workers_and_where_runs_go(qtbot, window,
                                                                                        tmp_path):
    local = _menu_action(window, "run-on-local-cluster-action")
    assert local.isEnabled() and local.text() == "&Local Cluster (2 processes)"
    assert window.findChild(QAction, "run-on-machine-action").isChecked()
    assert not window.cluster_actions.label.isVisible()  # this machine: the kernel's label says it
    local.trigger()
    assert local.isChecked() and window.runner.executor == executors.local_cluster(2, 1, "auto")
    outcome = _ran_on_the_cluster(qtbot, window, tmp_path)
    assert not outcome.in_kernel  # (Settings ▸ Run Steps In ▸ the studio's process: its run thread is the client)
    kept = window.runner.executors.client
    assert kept is not None  # kept for the next run: a cluster costs seconds to start
    assert _click_run(qtbot, window).result.ok
    assert window.runner.executors.client is kept

    second = MainWindow()  # the choice is remembered for the next start
    qtbot.addWidget(second)
    assert second.findChild(QAction, "run-on-local-cluster-action").isChecked()
    assert second.runner.executor == executors.local_cluster(2, 1, "auto")
    second.runner.shutdown()

    _menu_action(window, "run-on-machine-action").trigger()  # back to this machine: the cluster is let go
    assert _click_run(qtbot, window).result.ok
    assert window.runner.executors.client is None and not window.cluster_actions.label.isVisible()
    assert main_window.settings().value(cluster_settings.RUN_ON_KEY) == "machine"


@needs_dask
@pytest.mark.kernel
def test_the_kernel_is_the_cluster_client_by_default(qtbot, window, tmp_path):
    qtbot.waitUntil(lambda: window.kernel_actions.link.state == "idle", timeout=20_000)
    _menu_action(window, "run-on-local-cluster-action").trigger()
    outcome = _ran_on_the_cluster(qtbot, window, tmp_path)
    assert outcome.in_kernel and outcome.cluster["workers"] == 2
    assert window.runner.executors.client is None  # the kernel process holds the cluster, not the studio


def _refused_address() -> str:
    with socket.socket() as sock:  # bound, then closed: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{sock.getsockname()[1]}"


@needs_dask
def test_an_unreachable_scheduler_is_a_clear_message_and_nothing_runs(qtbot, window, tmp_path, monkeypatch):
    address = _refused_address()
    asked = []

    def answer(parent, title, label, echo, text):
        asked.append(text)
        return address, True

    monkeypatch.setattr(QInputDialog, "getText", answer)
    _wf, steps, cells = _fan_out(tmp_path)
    assert window.open_workflow(tmp_path / "fan_out.json")
    _menu_action(window, "run-on-scheduler-action").trigger()
    assert asked == ["tcp://"] and window.findChild(QAction, "run-on-scheduler-action").isChecked()
    assert window.cluster_actions.label.text() == f"Runs on: Dask scheduler {address}"
    outcome = _click_run(qtbot, window)
    assert outcome.result is None and outcome.refused.startswith(f"cannot reach the Dask scheduler at {address}")
    assert all(cell.id not in window.store for cell in cells.values())
    assert all(window.runner.status.state(step.id) is not StepState.DONE for step in steps)
    problems = window.problems.tree
    assert problems.topLevelItemCount() == 1
    assert problems.topLevelItem(0).text(2).startswith(f"Not run: cannot reach the Dask scheduler at {address}")
    assert window.statusBar().currentMessage().startswith("Not run: cannot reach the Dask scheduler")
    assert main_window.settings().value(cluster_settings.ADDRESS_KEY) == address  # remembered
    _menu_action(window, "run-on-scheduler-action").trigger()  # asked again: the remembered address offered
    assert asked == ["tcp://", address]


def test_cancelling_the_address_keeps_the_last_choice(qtbot, window, monkeypatch):
    monkeypatch.setattr(QInputDialog, "getText", lambda *args: ("", False))
    monkeypatch.setattr(window.cluster_actions, "available", True)
    window.findChild(QAction, "run-on-scheduler-action").setEnabled(True)
    _menu_action(window, "run-on-scheduler-action").trigger()
    assert window.findChild(QAction, "run-on-machine-action").isChecked() and window.runner.executor is None


def test_without_dask_the_cluster_entries_say_how_to_add_it(qtbot, two_workers, monkeypatch):
    monkeypatch.setattr(executors, "dask_installed", lambda: False)
    main_window.settings().setValue(cluster_settings.RUN_ON_KEY, "local")  # chosen when Dask was there
    win = active_window(qtbot)
    for name in ("run-on-local-cluster-action", "run-on-scheduler-action"):
        action = _menu_action(win, name)
        assert not action.isEnabled() and 'pip install "fancy-studio[dask]"' in action.toolTip()
    assert win.findChild(QAction, "run-on-machine-action").isChecked() and win.runner.executor is None
    assert win.findChild(QMenu, "run-on-menu").toolTipsVisible()
    shut_down(qtbot, win)


def test_cluster_settings_size_the_local_cluster(qtbot, window, monkeypatch):
    def fill(dialog):
        dialog.workers.setValue(3)
        dialog.threads.setValue(2)
        dialog.memory.setText("2 GiB")
        return cluster_settings.ClusterSettingsDialog.DialogCode.Accepted

    monkeypatch.setattr(cluster_settings.ClusterSettingsDialog, "exec", fill)
    settings_menu = window.findChild(QMenu, "settings-menu")
    (action,) = [a for a in settings_menu.actions() if a.objectName() == "cluster-settings-action"]
    action.trigger()
    assert _menu_action(window, "run-on-local-cluster-action").text() == "&Local Cluster (3 processes)"
    _menu_action(window, "run-on-local-cluster-action").trigger()
    assert window.runner.executor == executors.local_cluster(3, 2, "2 GiB")
    assert cluster_settings.ClusterSettings.read(main_window.settings()).threads == 2


def test_a_memory_limit_that_is_none_is_refused_in_the_dialog(qtbot):
    dialog = cluster_settings.ClusterSettingsDialog(cluster_settings.ClusterSettings())
    qtbot.addWidget(dialog)
    dialog.memory.setText("lots")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and "'lots' is not a memory limit" in dialog.note.text()


def test_the_dashboard_is_a_link_once_a_run_has_told_it(qtbot, window):
    """A cluster whose scheduler serves a dashboard (it needs bokeh) is linked from the status bar."""
    window.cluster_actions.settings.run_on = "local"
    window.cluster_actions._use("local")
    window.cluster_actions._run_ended(RunOutcome(cluster={"dashboard": "http://127.0.0.1:8787/status",
                                                          "workers": 2}))
    label = window.cluster_actions.label
    assert label.openExternalLinks()
    assert label.text() == 'Runs on: local cluster, 2 processes · <a href="http://127.0.0.1:8787/status">dashboard</a>'


def test_a_cluster_runs_batches_end_steps_in_any_order_and_name_their_workers(qapp):
    """A run on a Dask cluster in the studio's process: steps end out of plan order, each with its worker."""
    from uuid import uuid4

    from fancy_studio.core import InMemoryStore
    from fancy_studio.gui.run.status import RunStatusModel
    from fancy_studio.gui.run.worker import RunBatch

    ids = [uuid4() for _ in range(4)]
    model = RunStatusModel(InMemoryStore())
    progress: list = []
    model.progress.connect(lambda done, total: progress.append((done, total)))
    model.begin(ids)
    model.apply(RunBatch(0, [], [("running", ids[0], None), ("running", ids[2], None),
                                 ("placed", ids[2], "tcp://127.0.0.1:4001"), ("done", ids[2], 0.25)], None, 1))
    assert [model.state(i) for i in ids] == [StepState.RUNNING, StepState.QUEUED, StepState.DONE, StepState.QUEUED]
    assert model.info(ids[2]).seconds == 0.25 and model.info(ids[2]).worker == "tcp://127.0.0.1:4001"
    assert progress[-1] == (1, 4)
    model.apply(RunBatch(0, [], [("failed", ids[0], "boom"), ("cached", ids[1], None),
                                 ("skipped", ids[3], None)], None, 3))
    assert [model.state(i) for i in ids] == [StepState.FAILED, StepState.CACHED, StepState.DONE, StepState.SKIPPED]
    assert progress[-1] == (4, 4)
    model.take_workers({ids[0]: "tcp://127.0.0.1:4002"})  # the run's last placements, at its end
    assert model.worker(ids[0]) == "tcp://127.0.0.1:4002" and model.worker(ids[1]) is None
