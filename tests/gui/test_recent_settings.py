"""Open Recent and the window's remembered layout, as a user meets them across sessions.

Settings live in an INI file under the test's `tmp_path` (the window reads them only through
`main_window.settings()`), so no test reads or writes the real user configuration. Dialogs are
answered by monkeypatched `QMessageBox` methods, so none can block.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

from fancy_studio.gui.window import main_window as main_window_module
from fancy_studio.gui.window.main_window import MainWindow
from fancy_studio.gui.window.recent_files import MAX_RECENT
from tests.example_ids import EXAMPLE
from tests.gui.dialogs import Answer, answer_dialogs


@pytest.fixture
def ini(tmp_path) -> Path:
    return tmp_path / "settings" / "fancy-studio.ini"


@pytest.fixture(autouse=True)
def private_settings(monkeypatch, ini):
    monkeypatch.setattr(main_window_module, "settings",
                        lambda: QSettings(str(ini), QSettings.Format.IniFormat))


@pytest.fixture(autouse=True)
def dialogs(monkeypatch) -> dict[str, Answer]:
    return answer_dialogs(monkeypatch)


@pytest.fixture
def new_window(qtbot):
    def make() -> MainWindow:
        window = MainWindow()
        qtbot.addWidget(window)
        return window
    return make


@pytest.fixture
def workflows(tmp_path) -> list[Path]:
    """Twelve copies of the example (more than the menu keeps), a.json … l.json."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    files = []
    for letter in "abcdefghijkl":
        files.append(folder / f"{letter}.json")
        shutil.copyfile(EXAMPLE, files[-1])
    assert len(files) > MAX_RECENT
    return files


def _open_recent_menu(qtbot, window: MainWindow) -> QMenu:
    """Pop up File ▸ Open Recent the way Qt does when the user hovers it (which fills it)."""
    window.show()
    qtbot.waitExposed(window)
    menu = window.recent_menu
    menu.popup(window.mapToGlobal(QPoint(20, 20)))
    qtbot.waitUntil(menu.isVisible)
    return menu


def _recent_actions(menu: QMenu) -> list[QAction]:
    return [a for a in menu.actions() if a.objectName().startswith("recent-")]


def test_opened_files_are_listed_most_recent_first_without_duplicates(qtbot, new_window, workflows):
    a, b, c = workflows[:3]
    window = new_window()
    for path in (a, b, c, a):
        assert window.open_workflow(path)
    assert window.recent_files() == [str(a), str(c), str(b)]

    menu = _open_recent_menu(qtbot, window)
    actions = _recent_actions(menu)
    assert [x.text() for x in actions] == ["a.json", "c.json", "b.json"]
    assert [x.toolTip() for x in actions] == [str(a), str(c), str(b)]
    menu.hide()


def test_the_list_keeps_only_the_most_recent_files(new_window, workflows):
    window = new_window()
    for path in workflows:
        assert window.open_workflow(path)
    assert window.recent_files() == [str(p) for p in reversed(workflows)][:MAX_RECENT]


def test_saving_under_a_new_name_adds_it_too(new_window, workflows, tmp_path):
    window = new_window()
    assert window.open_workflow(workflows[0])
    target = tmp_path / "renamed.json"
    assert window.save_workflow(target)
    assert window.recent_files() == [str(target), str(workflows[0])]


def test_clicking_a_recent_file_opens_it_and_moves_it_to_the_top(qtbot, new_window, workflows):
    a, b = workflows[:2]
    window = new_window()
    assert window.open_workflow(a) and window.open_workflow(b)
    menu = _open_recent_menu(qtbot, window)
    (older,) = [x for x in _recent_actions(menu) if x.text() == "a.json"]
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(older).center())
    qtbot.waitUntil(lambda: window.document.path == a)
    assert window.recent_files() == [str(a), str(b)]
    assert window.windowTitle().startswith("a.json")


def test_a_recent_file_with_unsaved_changes_asks_first(qtbot, new_window, workflows, dialogs):
    a, b = workflows[:2]
    window = new_window()
    assert window.open_workflow(a) and window.open_workflow(b)
    window.document.rename_cell(window.document.workflow.cells[0].id, "changed")
    dialogs["question"].answer = QMessageBox.StandardButton.Cancel
    menu = _open_recent_menu(qtbot, window)
    (older,) = [x for x in _recent_actions(menu) if x.text() == "a.json"]
    older.trigger()
    assert len(dialogs["question"].calls) == 1
    assert window.document.path == b and window.document.modified
    menu.hide()


def test_the_recent_list_outlives_the_window(new_window, workflows):
    first = new_window()
    assert first.open_workflow(workflows[0])
    first.close()
    assert new_window().recent_files() == [str(workflows[0])]


def _open_a_recent_file_that_is_gone(qtbot, new_window, workflows):
    """Open a.json then b.json, delete a.json, and pick it from Open Recent: (window, menu, b)."""
    a, b = workflows[:2]
    window = new_window()
    assert window.open_workflow(a) and window.open_workflow(b)
    a.unlink()
    menu = _open_recent_menu(qtbot, window)
    (gone,) = [x for x in _recent_actions(menu) if x.text() == "a.json"]
    gone.trigger()
    return window, menu, b


def test_a_recent_file_that_is_gone_says_so_and_keeps_the_open_workflow(qtbot, new_window, workflows,
                                                                        dialogs):
    window, menu, b = _open_a_recent_file_that_is_gone(qtbot, new_window, workflows)
    (call,) = dialogs["critical"].calls + dialogs["warning"].calls
    message = call[2].lower()
    assert "a.json" in message
    assert any(word in message for word in ("no such file", "not found", "moved", "deleted")), message
    assert window.document.path == b and not window.document.modified
    menu.hide()


def test_a_recent_file_that_is_gone_is_removed_from_the_list(qtbot, new_window, workflows):
    window, _menu, b = _open_a_recent_file_that_is_gone(qtbot, new_window, workflows)
    assert window.recent_files() == [str(b)]


def test_clear_menu_empties_the_list(qtbot, new_window, workflows):
    window = new_window()
    assert window.open_workflow(workflows[0])
    menu = _open_recent_menu(qtbot, window)
    window.findChild(QAction, "clear-recent-action").trigger()
    menu.hide()
    assert window.recent_files() == []
    menu = _open_recent_menu(qtbot, window)
    assert _recent_actions(menu) == []
    (empty,) = [x for x in menu.actions() if x.objectName() == "no-recent-action"]
    assert not empty.isEnabled()
    menu.hide()


def test_size_and_dock_layout_come_back_in_a_new_window(qtbot, new_window, ini):
    first = new_window()
    first.show()
    qtbot.waitExposed(first)
    first.resize(700, 520)  # inside the offscreen screen (800 x 600): restoreGeometry clamps to it
    qtbot.waitUntil(lambda: first.size().width() == 700)
    first.removeDockWidget(first._docks["Inspector"])
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, first._docks["Inspector"])
    first._docks["History"].hide()
    first.findChild(QAction, "show-toolbar-action").trigger()  # hide the toolbar
    assert first.close()
    assert ini.is_file()  # written to the test's own settings file

    second = new_window()
    second.show()
    qtbot.waitExposed(second)
    assert (second.width(), second.height()) == (700, 520)
    assert second.dockWidgetArea(second._docks["Inspector"]) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert second._docks["History"].isHidden() and not second._docks["Functions"].isHidden()
    assert second.findChild(QAction, "show-toolbar-action").isChecked() is False


def test_a_first_start_uses_the_default_size_and_layout(qtbot, new_window, ini):
    window = new_window()
    assert not ini.exists()
    assert (window.width(), window.height()) == (1280, 800)
    assert window.dockWidgetArea(window._docks["Inspector"]) == Qt.DockWidgetArea.RightDockWidgetArea
    assert not window._docks["History"].isHidden()
