"""Issue 10 case 18: a crashed studio's recovery file is offered even when its process id now belongs to
another process; a running studio's file is never offered, whatever its recorded process id.

The studios are real ones in subprocesses: one crashes (`os._exit`, no cleanup), one keeps running.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fancy_studio.gui.window import recovery
from tests.example_ids import EXAMPLE

ROOT = Path(__file__).parents[2]

STUDIO = textwrap.dedent("""
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
    assert window.open_workflow(sys.argv[3])
    cell = next(c for c in window.document.workflow.cells if c.alias == "celsius")
    window.document.rename_cell(cell.id, "unsaved_celsius")
    window.recovery.write()
    assert list(Path(sys.argv[1]).glob("*.json"))
    if sys.argv[4] == "crash":
        os._exit(1)  # no close event, no cleanup
    print("running", flush=True)
    time.sleep(120)
""")


@pytest.fixture
def mine(tmp_path) -> Path:
    path = tmp_path / "temperature.json"
    shutil.copyfile(EXAMPLE, path)
    return path


def start_studio(tmp_path: Path, mine: Path, how: str) -> subprocess.Popen:
    script = tmp_path / "studio.py"
    script.write_text(STUDIO)
    return subprocess.Popen([sys.executable, str(script), str(recovery.recovery_dir()), str(tmp_path / "s.ini"),
                             str(mine), how], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def record_pid(pid: int) -> Path:
    """Make the (one) recovery file say that `pid` wrote it, as when the system reuses a process id."""
    (file,) = recovery.recovery_dir().glob("*.json")
    envelope = json.loads(file.read_text(encoding="utf-8"))
    envelope["pid"] = pid
    file.write_text(json.dumps(envelope), encoding="utf-8")
    return file


def test_a_crashed_studios_file_is_offered_when_its_pid_is_now_another_process(tmp_path, mine):
    studio = start_studio(tmp_path, mine, "crash")
    _out, err = studio.communicate(timeout=60)
    assert studio.returncode == 1, err
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # not a studio
    try:
        for pid in (other.pid, os.getppid()):
            file = record_pid(pid)
            (offered,) = recovery.pending_recoveries()
            assert offered.file == file and offered.name == "temperature.json"
            assert any(c.alias == "unsaved_celsius" for c in offered.load().cells)
    finally:
        other.kill()
        other.wait()


def test_a_running_studios_file_is_not_offered_whatever_pid_it_records(tmp_path, mine):
    studio = start_studio(tmp_path, mine, "keep running")
    try:
        assert studio.stdout.readline() == "running\n", studio.stderr.read()
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        for pid in (studio.pid, gone.pid, os.getpid()):
            record_pid(pid)
            assert recovery.pending_recoveries() == []
    finally:
        studio.send_signal(signal.SIGKILL)  # and now it has crashed
        studio.communicate(timeout=30)
    (offered,) = recovery.pending_recoveries()
    assert any(c.alias == "unsaved_celsius" for c in offered.load().cells)
    offered.discard()  # declined: the file and its lock go
    assert list(recovery.recovery_dir().iterdir()) == []
