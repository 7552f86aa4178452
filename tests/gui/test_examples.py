"""The bundled examples are read, never written: an example opens as an untitled copy, Save asks where.

The story: File ▸ Examples ▸ Temperature (or a start with no file), nudge a node with an arrow key, press
Ctrl+S. The Save As dialog opens in the user's Documents (or the last folder they used), the copy is
written there, and the packaged example keeps its bytes.

The studio is pointed at a copy of the bundled resources (`package`), so a regression overwrites that
copy, not the checkout's example.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

import fancy_studio.resources
from fancy_studio.gui import app as app_module
from fancy_studio.gui.window import file_actions as file_actions_module
from fancy_studio.gui.window import main_window as main_window_module
from fancy_studio.gui.window import save_folders
from fancy_studio.gui.window.main_window import MainWindow
from fancy_studio.gui.window.recent_files import KEY as RECENT_KEY
from fancy_studio.resources import resources_dir
from tests.example_ids import EXAMPLE as CHECKOUT_EXAMPLE, MULTIPLY
from tests.gui.dialogs import Answer, answer_dialogs
from tests.gui.windows import active_window


class SaveDialog:
    """Stands in for QFileDialog.getSaveFileName: records where it was asked to start, answers `answer`."""

    def __init__(self, answer: Path) -> None:
        self.answer = answer
        self.starts: list[Path] = []

    def __call__(self, _parent, _caption, start, _filter="", *args, **kwargs):
        self.starts.append(Path(start))
        return str(self.answer), ""


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture(autouse=True)
def package(monkeypatch, tmp_path) -> Path:
    """The installed package's resources, as a private copy the studio takes for its own."""
    folder = tmp_path / "site-packages" / "fancy_studio_resources"
    shutil.copytree(resources_dir(), folder)
    monkeypatch.setattr(fancy_studio.resources, "resources_dir", lambda: folder)
    monkeypatch.setattr(app_module, "DEFAULT_EXAMPLE", folder / "examples" / "temperature.json")
    return folder


@pytest.fixture
def example(package) -> Path:
    return package / "examples" / "temperature.json"


@pytest.fixture
def documents(monkeypatch, tmp_path) -> Path:
    """The user's Documents folder, private to the test."""
    folder = tmp_path / "Documents"
    folder.mkdir()
    monkeypatch.setattr(save_folders, "documents_folder", lambda: folder)
    return folder


@pytest.fixture
def example_bytes(example) -> bytes:
    assert example.read_bytes() == CHECKOUT_EXAMPLE.read_bytes()
    return example.read_bytes()


def _open_example_from_the_menu(window: MainWindow) -> None:
    action = next(a for a in window.examples_menu.actions() if a.objectName() == "example-temperature-action")
    action.trigger()


def _nudge_a_step(window: MainWindow, qtbot) -> tuple[float, float]:
    """Click the Multiply step's title bar, press the right arrow: the step moves a grid step."""
    item = window.scene.item_for(MULTIPLY)
    window.view.centerOn(item)
    title_bar = item.mapToScene(item.boundingRect().center().x(), item.boundingRect().top() + 6)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=window.view.mapFromScene(title_bar))
    assert window.scene.selected_ids() == {MULTIPLY}
    before = window.document.workflow.layout[MULTIPLY]
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    after = window.document.workflow.layout[MULTIPLY]
    assert after.x > before.x and window.document.modified
    return after.x, after.y


def _press_ctrl_s(window: MainWindow, qtbot) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def _in_package(path: Path) -> bool:
    return path.resolve().is_relative_to(fancy_studio.resources.resources_dir().resolve())


def test_the_example_from_the_menu_is_saved_where_the_user_says_never_over_the_package(
        qtbot, monkeypatch, documents, example, example_bytes):
    window = active_window(qtbot)
    _open_example_from_the_menu(window)
    assert window.document.path is None
    assert window.windowTitle().startswith("Temperature (example)")
    moved = _nudge_a_step(window, qtbot)

    mine = documents / "my temperature.json"
    dialog = SaveDialog(mine)
    monkeypatch.setattr(file_actions_module.QFileDialog, "getSaveFileName", dialog)
    _press_ctrl_s(window, qtbot)

    assert len(dialog.starts) == 1  # Ctrl+S asked where to save
    (start,) = dialog.starts
    assert not _in_package(start) and not start.is_relative_to(CHECKOUT_EXAMPLE.parent)
    assert start.parent == documents  # Documents, the workflow's name proposed
    assert example.read_bytes() == example_bytes
    saved = json.loads(mine.read_text(encoding="utf-8"))
    assert (saved["layout"][str(MULTIPLY)]["x"], saved["layout"][str(MULTIPLY)]["y"]) == moved
    assert window.document.path == mine and not window.document.modified
    assert window.windowTitle().startswith("my temperature.json")
    assert window.recent_files() == [str(mine.resolve())]


def test_save_as_starts_in_the_last_folder_the_user_saved_to(qtbot, monkeypatch, documents, tmp_path,
                                                             example, example_bytes):
    projects = tmp_path / "projects"
    projects.mkdir()
    window = active_window(qtbot)
    _open_example_from_the_menu(window)
    _nudge_a_step(window, qtbot)
    first = SaveDialog(projects / "first.json")
    monkeypatch.setattr(file_actions_module.QFileDialog, "getSaveFileName", first)
    _press_ctrl_s(window, qtbot)
    assert (projects / "first.json").is_file()

    _open_example_from_the_menu(window)  # saved: no question; a fresh untitled copy again
    assert window.document.path is None
    _nudge_a_step(window, qtbot)
    second = SaveDialog(projects / "second.json")
    monkeypatch.setattr(file_actions_module.QFileDialog, "getSaveFileName", second)
    _press_ctrl_s(window, qtbot)
    assert second.starts[0].parent == projects
    assert example.read_bytes() == example_bytes


def test_the_example_opened_by_its_path_is_a_copy_too_and_never_a_recent_file(qtbot, monkeypatch, documents,
                                                                              example, example_bytes):
    window = active_window(qtbot)
    main_window_module.settings().setValue(RECENT_KEY, [str(example.resolve())])  # listed by an older version
    assert window.recent_files() == []
    window.recent.fill_menu()
    assert window.recent_menu.actions()[0].objectName() == "no-recent-action"

    assert window.open_workflow(example)  # the Open dialog, a drop, the command line all come here
    assert window.document.path is None and window.recent_files() == []
    _nudge_a_step(window, qtbot)
    dialog = SaveDialog(documents / "copy.json")
    monkeypatch.setattr(file_actions_module.QFileDialog, "getSaveFileName", dialog)
    _press_ctrl_s(window, qtbot)
    assert dialog.starts and (documents / "copy.json").is_file()
    assert example.read_bytes() == example_bytes


def test_work_restored_from_an_older_session_on_the_example_is_saved_elsewhere(qtbot, monkeypatch, documents,
                                                                               example, example_bytes):
    from fancy_studio.gui.window import recovery

    folder = recovery.recovery_dir()
    folder.mkdir(parents=True)
    envelope = {"format": recovery.FORMAT, "pid": 999_999_999, "saved_at": time.time(),
                "original": str(example), "workflow": example.read_text(encoding="utf-8")}
    (folder / "1-old.json").write_text(json.dumps(envelope), encoding="utf-8")
    monkeypatch.setattr(QMessageBox, "question", Answer(QMessageBox.StandardButton.Yes))

    window = app_module.open_window([])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.is_built and window.document.modified, timeout=10_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    dialog = SaveDialog(documents / "restored.json")
    monkeypatch.setattr(file_actions_module.QFileDialog, "getSaveFileName", dialog)
    window.view.setFocus()
    _press_ctrl_s(window, qtbot)
    assert dialog.starts and not _in_package(dialog.starts[0])
    assert (documents / "restored.json").is_file()
    assert example.read_bytes() == example_bytes


def test_a_start_with_no_file_opens_the_example_as_an_untitled_copy(qtbot):
    window = app_module.open_window([])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.is_built and len(window.document.workflow.steps) == 3, timeout=10_000)
    assert window.document.path is None and not window.document.modified
    assert window.windowTitle().startswith("Temperature (example)")
    assert window.recent_files() == []


def test_a_users_own_copy_of_an_example_opens_as_their_file(qtbot, tmp_path, example):
    mine = tmp_path / "temperature.json"
    shutil.copyfile(example, mine)
    window = active_window(qtbot, mine)
    assert window.document.path == mine
    assert window.windowTitle().startswith("temperature.json")
