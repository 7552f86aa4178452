"""Issue 10 case 4 in the studio: Save asks before overwriting a read-only file, and saves through a link."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from fancy_studio.core.workflow_file import load_workflow
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import CELSIUS, EXAMPLE
from tests.gui.dialogs import Answer, answer_dialogs


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def edited_window(qtbot, path) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_workflow(path)
    window.document.set_cell_value(CELSIUS, 42.0)
    return window


def celsius_in(path) -> float:
    return next(c.value for c in load_workflow(path).cells if c.id == CELSIUS)


def press_ctrl_s(qtbot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_saving_a_read_only_file_asks_first(qtbot, monkeypatch, tmp_path, answer):
    mine = tmp_path / "x.json"
    shutil.copyfile(EXAMPLE, mine)
    mine.chmod(0o444)
    before = mine.read_bytes()
    window = edited_window(qtbot, mine)
    question = Answer(answer)
    monkeypatch.setattr(QMessageBox, "question", question)
    press_ctrl_s(qtbot, window)
    assert question.asked == ["'x.json' is read-only. Overwrite it?"]
    if answer == QMessageBox.StandardButton.No:
        assert mine.read_bytes() == before and window.document.modified
        assert "read-only" in window.statusBar().currentMessage()
    else:
        assert celsius_in(mine) == 42.0 and not window.document.modified
        assert stat.S_IMODE(os.stat(mine).st_mode) == 0o444


def test_saving_a_workflow_opened_through_a_symlink_keeps_the_link(qtbot, monkeypatch, tmp_path):
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "temperature.json"
    shutil.copyfile(EXAMPLE, real)
    link = tmp_path / "flow.json"
    link.symlink_to(real)
    window = edited_window(qtbot, link)
    press_ctrl_s(qtbot, window)
    assert not window.document.modified
    assert link.is_symlink() and celsius_in(real) == 42.0
    assert window.document.path == link  # the user's name for it stays in the title and recent files
