"""A studio window for tests that press the window's own shortcuts."""

from __future__ import annotations

from pathlib import Path

from fancy_studio.gui.window.main_window import MainWindow


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
