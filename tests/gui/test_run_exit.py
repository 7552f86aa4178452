"""Closing the studio while a run goes: it asks, stops the run cleanly, and never traps the user.

Each test runs a studio in a subprocess, so a Qt abort ("QThread: Destroyed while thread is still
running") or a hang fails that test only, not the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.processes import gone

CLOSE_DURING_RUN = textwrap.dedent('''
    import sys, threading, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from fancy_studio.core import Workflow, WorkflowStep, fancy_function
    from fancy_studio.gui.window.main_window import MainWindow
    from fancy_studio.gui.window import main_window as mw
    from PySide6.QtCore import QSettings

    started = threading.Event()
    finished = []

    @fancy_function("sub.slow")
    def slow(x: float) -> float:
        started.set()
        time.sleep(0.3)
        finished.append(x)
        return x + 1

    mw.settings = lambda: QSettings(sys.argv[1], QSettings.Format.IniFormat)
    mw.settings().setValue("run/in_kernel", False)  # the step runs in the studio's own process
    asked = []
    QMessageBox.question = staticmethod(lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    app = QApplication([])
    window = MainWindow()
    wf = Workflow(name="slow")
    cell = wf.input_cell("x", 1)
    for i in range(20):
        out = wf.output_cell(f"v{i}")
        wf.add_step(WorkflowStep(function_slug="sub.slow", inputs={"x": cell.id}, outputs={"return": out.id}))
        cell = out
    window.document.replace(wf, None)
    window.show()

    def close_when_running():
        if started.is_set():
            window.close()
        else:
            QTimer.singleShot(10, close_when_running)

    QTimer.singleShot(0, window.run_actions.run_all)
    QTimer.singleShot(0, close_when_running)
    QTimer.singleShot(15_000, lambda: (print("TIMEOUT"), app.exit(3)))
    code = app.exec()
    print("steps run:", len(finished))
    print("asked:", " | ".join(asked))
    print("exit", code)
    sys.exit(code)
''')


def test_closing_the_window_during_a_run_stops_it_cleanly(tmp_path):
    """In a subprocess: a Qt abort ("QThread: Destroyed while thread is still running") fails this test only."""
    script = tmp_path / "close_during_run.py"
    script.write_text(CLOSE_DURING_RUN)
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "s.ini")], capture_output=True, text=True,
                          timeout=60, env=env, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "QThread" not in done.stderr and "TIMEOUT" not in done.stdout
    steps_run = int(done.stdout.split("steps run:")[1].split()[0])
    assert 1 <= steps_run < 20  # stopped after the running step, long before the end
    assert "asked: Stop the run and close the window?" in done.stdout


QUIT_WHILE_A_STEP_HANGS = textwrap.dedent('''
    import sys, threading
    from pathlib import Path
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from fancy_studio.core import Workflow, WorkflowStep, fancy_function
    from fancy_studio.gui.window import main_window as mw
    from fancy_studio.gui.window import recovery
    from fancy_studio.gui.window.main_window import MainWindow

    started = threading.Event()

    @fancy_function("sub.hang")
    def hang(x: float) -> float:
        started.set()
        threading.Event().wait()  # never returns
        return x

    mw.settings = lambda: QSettings(sys.argv[1], QSettings.Format.IniFormat)
    mw.settings().setValue("run/in_kernel", False)  # the step runs in the studio's own process
    recovery.recovery_dir = lambda: Path(sys.argv[2])

    def answer(*args, **kwargs):
        print("asked:", args[1], flush=True)
        return QMessageBox.StandardButton.Yes

    QMessageBox.question = staticmethod(answer)
    app = QApplication([])
    window = MainWindow()
    wf = Workflow(name="hangs")
    cell = wf.input_cell("x", 1)
    out = wf.output_cell("never")
    wf.add_step(WorkflowStep(function_slug="sub.hang", inputs={"x": cell.id}, outputs={"return": out.id}))
    window.document.replace(wf, None)
    window.document.rename_cell(cell.id, "unsaved edit")  # must survive the forced quit
    window.show()

    def close_twice():
        if not started.is_set():
            QTimer.singleShot(10, close_twice)
            return
        window.close()  # asks to stop: the step goes on
        QTimer.singleShot(300, window.close)  # asks again: quit now

    QTimer.singleShot(0, window.run_actions.run_all)
    QTimer.singleShot(0, close_twice)
    QTimer.singleShot(15_000, lambda: (print("TIMEOUT", flush=True), app.exit(3)))
    app.exec()
    print("still running", flush=True)
    sys.exit(4)
''')


def test_closing_again_while_a_step_hangs_offers_to_quit_now_and_keeps_unsaved_work(tmp_path):
    """In a subprocess: the studio must quit although the step's thread never ends, and the unsaved edit
    must be in the recovery file for the next start."""
    script = tmp_path / "quit_while_a_step_hangs.py"
    script.write_text(QUIT_WHILE_A_STEP_HANGS)
    recovered = tmp_path / "recovery"
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "s.ini"), str(recovered)],
                          capture_output=True, text=True, timeout=60, env=env, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["asked: A run is going", "asked: The run has not stopped yet"]
    assert "QThread" not in done.stderr
    (kept,) = recovered.glob("*.json")
    assert "unsaved edit" in kept.read_text(encoding="utf-8")


CLOSE_DURING_A_KERNEL_RUN = textwrap.dedent('''
    import sys, time
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    from fancy_studio.core import Workflow, WorkflowStep, fancy_function
    from fancy_studio.gui.run.status import StepState
    from fancy_studio.gui.window import main_window as mw

    @fancy_function("sub.slow_in_kernel")
    def slow(x: float) -> float:
        time.sleep(0.3)
        return x + 1

    mw.settings = lambda: QSettings(sys.argv[1], QSettings.Format.IniFormat)
    QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    app = QApplication([])
    window = mw.MainWindow()
    wf = Workflow(name="slow")
    cell = wf.input_cell("x", 1)
    for i in range(20):
        out = wf.output_cell(f"v{i}")
        wf.add_step(WorkflowStep(function_slug="sub.slow_in_kernel", inputs={"x": cell.id}, outputs={"return": out.id}))
        cell = out
    window.document.replace(wf, None)
    window.show()
    status = window.runner.status

    def close_when_running():
        if any(status.state(step.id) is StepState.RUNNING for step in wf.steps):
            print("kernel pid:", window.kernel_actions.link.pid, flush=True)
            window.close() if sys.argv[2] == "close" else app.exit(0)
        else:
            QTimer.singleShot(10, close_when_running)

    QTimer.singleShot(0, window.run_actions.run_all)
    QTimer.singleShot(0, close_when_running)
    QTimer.singleShot(30_000, lambda: (print("TIMEOUT"), app.exit(3)))
    code = app.exec()
    done = sum(1 for step in wf.steps if status.state(step.id) is StepState.DONE)
    print("steps run:", done)
    print("exit", code)
    sys.exit(code)
''')


@pytest.mark.parametrize("how", ["close", "quit"])
def test_closing_or_quitting_during_a_kernel_run_stops_the_kernel_cleanly(tmp_path, how):
    """Steps in the kernel (the default): closing the window, or the script's application ending, during a
    run stops the run and the kernel: no Qt abort, no kernel process left behind."""
    script = tmp_path / "close_during_kernel_run.py"
    script.write_text(CLOSE_DURING_A_KERNEL_RUN)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "s.ini"), how], capture_output=True,
                          text=True, timeout=90, env=env, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "QThread" not in done.stderr and "TIMEOUT" not in done.stdout
    steps_run = int(done.stdout.split("steps run:")[1].split()[0])
    assert steps_run < 20  # stopped long before the end
    assert gone(int(done.stdout.split("kernel pid:")[1].split()[0]))
