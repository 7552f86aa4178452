"""Issue 10 cases 2 and 3: when unsaved edits reach the recovery file.

Case 2: a user who keeps editing (an arrow-key nudge every 300 ms) has the first edits in the recovery
file within about a second, not only once they pause. Case 3: the edit made just before Run is in the
recovery file when a step kills the process (a real studio in a subprocess, killed by its own step).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from fancy_studio.core import parse_workflow
from fancy_studio.gui.window import recovery
from tests.attack.file_helpers import window_on_my_file
from tests.example_ids import MULTIPLY
from tests.gui.dialogs import answer_dialogs

ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def kept_workflow():
    files = list(recovery.recovery_dir().glob("*.json"))
    if not files:
        return None
    (file,) = files
    return parse_workflow(json.loads(file.read_text(encoding="utf-8"))["workflow"])


def test_edits_every_300_ms_reach_the_recovery_file_while_they_go_on(qtbot, tmp_path):
    window = window_on_my_file(qtbot, tmp_path)
    item = window.scene.item_for(MULTIPLY)
    window.view.centerOn(item)
    title_bar = item.mapToScene(item.boundingRect().center().x(), item.boundingRect().top() + 6)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=window.view.mapFromScene(title_bar))
    assert window.scene.selected_ids() == {MULTIPLY}
    start_x = window.document.workflow.layout[MULTIPLY].x
    window.view.setFocus()
    positions = []
    for _edit in range(6):  # at least 1.8 s of editing, never a pause of a second
        qtbot.keyClick(window.view, Qt.Key.Key_Right)
        positions.append(window.document.workflow.layout[MULTIPLY].x)
        qtbot.wait(300)
    assert len(set(positions)) == 6 and positions[0] > start_x  # six edits, each moved the step
    kept = kept_workflow()
    assert kept is not None, "nothing was kept while the user went on editing"
    assert kept.layout[MULTIPLY].x in positions  # the first edits at least, maybe all of them


KILLED_BY_A_STEP = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    from fancy_studio.core import Workflow, WorkflowStep, fancy_function
    from fancy_studio.gui.window import main_window as mw
    from fancy_studio.gui.window import recovery

    @fancy_function("sub.die")
    def die(x: float) -> float:
        if sys.argv[3] == "exit":
            os._exit(7)
        os.kill(os.getpid(), signal.SIGKILL)

    recovery.recovery_dir = lambda: Path(sys.argv[1])
    mw.settings = lambda: QSettings(sys.argv[2], QSettings.Format.IniFormat)
    mw.settings().setValue("run/in_kernel", False)  # the step runs in the studio's own process
    app = QApplication([])
    window = mw.MainWindow()
    wf = Workflow(name="dies")
    cell = wf.input_cell("x", 1)
    wf.add_step(WorkflowStep(function_slug="sub.die", inputs={"x": cell.id}, outputs={"return": wf.output_cell("y").id}))
    window.document.replace(wf, None)
    window.show()

    def edit_then_run():
        window.document.rename_cell(cell.id, "edited just before Run")
        window.run_actions.run_action.trigger()  # as the user presses F5

    QTimer.singleShot(0, edit_then_run)
    QTimer.singleShot(15_000, lambda: (print("TIMEOUT", flush=True), app.exit(3)))
    app.exec()
    sys.exit(4)
""")


@pytest.mark.parametrize("how, code", [("exit", 7), ("kill", -9)])
def test_the_edit_just_before_run_survives_a_step_that_kills_the_process(tmp_path, how, code):
    script = tmp_path / "killed_by_a_step.py"
    script.write_text(KILLED_BY_A_STEP)
    folder = recovery.recovery_dir()
    done = subprocess.run([sys.executable, str(script), str(folder), str(tmp_path / "s.ini"), how],
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == code, done.stdout + done.stderr
    kept = kept_workflow()
    assert kept is not None, "the edit made just before Run was lost"
    assert [c.alias for c in kept.cells if c.alias.startswith("edited")] == ["edited just before Run"]
    (offered,) = recovery.pending_recoveries()  # and the next start offers it
    assert offered.name == "dies"
