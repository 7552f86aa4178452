"""Nothing is lost on a crash: unsaved edits live in a recovery file that the next start offers back.

The recovery folder is a temporary one for every test (tests/conftest.py). The crash is a real one: a
subprocess edits, waits for its recovery file, and ends with `os._exit(1)` (no close, no cleanup).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from fancy_studio.gui.window import recovery
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import CELSIUS, EXAMPLE
from tests.gui.dialogs import Answer, answer_dialogs

ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def mine(tmp_path) -> Path:
    """The user's own copy of the example (the bundled one opens as an untitled copy, with no file)."""
    path = tmp_path / "temperature.json"
    shutil.copyfile(EXAMPLE, path)
    return path


@pytest.fixture
def window(qtbot, mine):
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    assert win.open_workflow(mine)
    return win


def recovery_files() -> list[Path]:
    return sorted(recovery.recovery_dir().glob("*.json"))


def test_an_edit_is_kept_in_a_recovery_file_until_it_is_saved(qtbot, window, tmp_path, mine):
    assert recovery_files() == []  # opened, nothing unsaved
    window.document.set_cell_value(CELSIUS, 30.0)
    qtbot.waitUntil(lambda: len(recovery_files()) == 1, timeout=5000)  # written a moment after the edit
    assert recovery.pending_recoveries() == []  # this studio runs: its file is not a crashed one's
    window.recovery.lock.release()  # as when the process ends: the next start reads it
    (kept,) = recovery.pending_recoveries()
    assert kept.original == mine and kept.name == "temperature.json"
    assert next(c for c in kept.load().cells if c.id == CELSIUS).value == 30.0
    assert window.save_workflow(tmp_path / "saved.json")
    assert recovery_files() == []


def test_undoing_back_to_the_saved_state_or_closing_normally_leaves_no_recovery_file(qtbot, window):
    window.document.set_cell_value(CELSIUS, 30.0)
    window.recovery.write()
    assert len(recovery_files()) == 1
    window.document.undo_stack.undo()
    assert recovery_files() == []
    window.document.set_cell_value(CELSIUS, 31.0)
    window.recovery.write()
    assert len(recovery_files()) == 1
    window.close()  # the unsaved-changes prompt is answered Discard: a choice, not a crash
    assert recovery_files() == []


CRASH = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from fancy_studio.gui.window import main_window as mw
    from fancy_studio.gui.window import recovery
    recovery.recovery_dir = lambda: Path(sys.argv[1])
    mw.settings = lambda: QSettings(sys.argv[2], QSettings.Format.IniFormat)
    app = QApplication([])
    window = mw.MainWindow()
    window.show()
    assert window.open_workflow(sys.argv[3])
    cell = next(c for c in window.document.workflow.cells if c.alias == "celsius")
    window.document.set_cell_value(cell.id, 99.5)
    window.document.rename_cell(cell.id, "crashed_celsius")
    deadline = time.monotonic() + 20
    while not list(Path(sys.argv[1]).glob("*.json")) and time.monotonic() < deadline:
        app.processEvents()
    os._exit(1)  # a crash: no close event, no cleanup
""")


def test_after_a_crash_the_next_start_restores_the_unsaved_work(qtbot, monkeypatch, tmp_path, mine):
    script = tmp_path / "crash.py"
    script.write_text(CRASH)
    folder = recovery.recovery_dir()
    done = subprocess.run([sys.executable, str(script), str(folder), str(tmp_path / "s.ini"), str(mine)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 1, done.stderr
    assert len(recovery_files()) == 1

    question = Answer(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", question)
    from fancy_studio.gui.app import open_window

    window = open_window([str(mine)])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.is_built and window.document.find_cell(CELSIUS) is not None, timeout=10_000)
    assert "temperature.json" in question.asked[0] and "did not close normally" in question.asked[0]
    restored = window.document.find_cell(CELSIUS)
    assert (restored.alias, restored.value) == ("crashed_celsius", 99.5)
    assert window.document.path == mine  # Save goes back to the file it came from
    assert window.document.modified and window.isWindowModified()
    assert window.statusBar().currentMessage() == "Restored the unsaved changes to temperature.json"
    # The crashed session's file is gone; this session keeps the work under its own name at once.
    (kept,) = recovery_files()
    assert kept.name.startswith(f"{os.getpid()}-")


def test_declining_deletes_the_recovery_and_opens_the_file(qtbot, monkeypatch, tmp_path, mine):
    folder = recovery.recovery_dir()
    folder.mkdir(parents=True)
    stale = folder / "1-abc.json"
    stale.write_text('{"format": "fancy-studio-recovery/1", "pid": 999999999, "saved_at": 0, '
                     '"original": null, "workflow": "{\\"name\\": \\"lost\\"}"}')
    monkeypatch.setattr(QMessageBox, "question", Answer(QMessageBox.StandardButton.No))
    from fancy_studio.gui.app import open_window

    window = open_window([str(mine)])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.is_built and window.document.path == mine, timeout=10_000)
    assert not stale.exists()
    assert not window.document.modified


def test_a_running_studios_recovery_file_is_not_offered(tmp_path):
    folder = recovery.recovery_dir()
    folder.mkdir(parents=True)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (folder / "x.json").write_text('{"format": "fancy-studio-recovery/1", "pid": %d, "saved_at": 0, '
                                       '"original": null, "workflow": "{}"}' % other.pid)
        (folder / "junk.json").write_text("not json")
        assert recovery.pending_recoveries() == []
    finally:
        other.kill()
        other.wait()
    assert [r.file.name for r in recovery.pending_recoveries()] == ["x.json"]
