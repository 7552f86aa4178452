"""A studio window for tests that press the window's own shortcuts."""

from __future__ import annotations

import shutil
from pathlib import Path

from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import EXAMPLE


def active_window(qtbot, path: Path | None = None) -> MainWindow:
    """A shown, active `MainWindow` (window shortcuts reach the active window only), on `path` if given."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    if path is not None:
        assert window.open_workflow(path)
    return window


def window_on_my_file(qtbot, tmp_path: Path) -> MainWindow:
    """An active studio window on the user's own copy of the example (the bundled file opens untitled)."""
    mine = tmp_path / "mine.json"
    shutil.copyfile(EXAMPLE, mine)
    return active_window(qtbot, mine)
