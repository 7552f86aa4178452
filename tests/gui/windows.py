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


def shut_down(qtbot, window: MainWindow) -> None:
    """A fixture's teardown: stop a run still going (waiting for its end), then end the run thread."""
    if window.runner.running:
        with qtbot.waitSignal(window.runner.finished, timeout=10_000):
            window.runner.stop()
    window.runner.shutdown()


def click_run(qtbot, window: MainWindow):
    """Click Run on the toolbar and wait for the run's end; the run's outcome."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QToolBar

    toolbar = window.findChild(QToolBar, "main-toolbar")
    button = toolbar.widgetForAction(window.run_actions.run_action)
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def type_value(qtbot, window: MainWindow, cell_id, text: str) -> None:
    """Select an input cell and type a new value into the inspector's editor, then Enter."""
    from PySide6.QtCore import Qt

    window.scene.select_ids({cell_id})
    qtbot.waitUntil(lambda: window.inspector.node_id == cell_id, timeout=2000)
    editor = window.inspector.value_editor.current
    qtbot.mouseClick(editor, Qt.MouseButton.LeftButton)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def node_context_menu(window: MainWindow, node_id):
    """Right-click a node on the canvas (a real context-menu event); the menu it opened."""
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    item = window.scene.item_for(node_id)
    pos = window.view.mapFromScene(item.sceneBoundingRect().center())
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, window.view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(window.view.viewport(), event)
    return window.findChild(QMenu, "canvas-context-menu")
