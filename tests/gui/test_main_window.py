"""The studio window: files, the unsaved-changes prompt, keyboard editing, the inspector, actions.

Every modal dialog is answered by monkeypatching `QMessageBox`, so no test can block on one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from fancy_studio.gui.window import file_actions as file_actions_module
from fancy_studio.gui.window import main_window as main_window_module
from fancy_studio.gui.window.main_window import MainWindow
from tests.gui.dialogs import answer_dialogs

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "temperature.json"
CELSIUS = "5f0c6a86-4a44-4a55-9a55-000000000010"


@pytest.fixture(autouse=True)
def dialogs(monkeypatch, tmp_path):
    """Private settings and pre-answered dialogs (Discard on the unsaved-changes prompt)."""
    ini = str(tmp_path / "settings.ini")
    monkeypatch.setattr(main_window_module, "settings", lambda: QSettings(ini, QSettings.Format.IniFormat))
    return answer_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    return win


@pytest.fixture
def mine(tmp_path) -> Path:
    """The user's own copy of the example (the bundled one opens as an untitled copy: tests/gui/test_examples.py)."""
    path = tmp_path / "temperature.json"
    shutil.copyfile(EXAMPLE, path)
    return path


@pytest.fixture
def opened(window: MainWindow, mine: Path):
    assert window.open_workflow(mine)
    return window


def _cell(window: MainWindow, alias: str):
    return next(c for c in window.document.workflow.cells if c.alias == alias)


def test_window_opens_with_canvas_and_docks(window: MainWindow):
    assert window.centralWidget() is window.view
    titles = {dock.windowTitle() for dock in window._docks.values()}
    assert titles == {"Functions", "Inspector", "History", "Datums", "Problems"}
    assert window.windowTitle() == "Untitled[*] — Fancy Studio"
    assert not window.isWindowModified()


def test_open_example_populates_the_document(opened: MainWindow, mine: Path):
    assert opened.document.workflow.name == "Temperature report"
    assert len(opened.document.workflow.steps) == 3 and len(opened.document.workflow.cells) == 7
    assert opened.document.path == mine
    assert opened.windowTitle().startswith("temperature.json[*]")
    assert opened.recent_files() == [str(mine.resolve())]


def test_broken_file_reports_the_problem_and_keeps_the_document(opened: MainWindow, dialogs, tmp_path, mine):
    broken = tmp_path / "broken.json"
    broken.write_text("{ this is not json", encoding="utf-8")
    before = opened.document.workflow.model_dump_json()
    assert not opened.open_workflow(broken)
    (call,) = dialogs["critical"].calls
    assert "broken.json" in call[2] and "JSON" in call[2].upper()
    assert opened.document.workflow.model_dump_json() == before
    assert opened.document.path == mine


def test_save_then_reopen_compares_equal(opened: MainWindow, tmp_path, qtbot):
    target = tmp_path / "copy.json"
    assert opened.save_workflow(target)
    assert opened.document.path == target and opened.windowTitle().startswith("copy.json")
    other = MainWindow()
    qtbot.addWidget(other)
    assert other.open_workflow(target)
    assert other.document.workflow == opened.document.workflow


def test_save_without_a_path_asks_for_one(window: MainWindow, monkeypatch, tmp_path):
    target = tmp_path / "picked"
    monkeypatch.setattr(file_actions_module.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    assert window.save_workflow()
    assert window.document.path == tmp_path / "picked.json" and (tmp_path / "picked.json").exists()
    monkeypatch.setattr(file_actions_module.QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    window.document.path = None
    assert not window.save_workflow()


def test_title_shows_the_modified_marker_after_an_edit(opened: MainWindow):
    assert not opened.isWindowModified()
    opened.document.rename_cell(_cell(opened, "celsius").id, "degrees")
    assert opened.isWindowModified() and "[*]" in opened.windowTitle()
    opened.document.undo_stack.undo()
    assert not opened.isWindowModified()


def test_close_with_unsaved_changes_cancel_keeps_window_discard_closes(opened: MainWindow, dialogs, qtbot):
    opened.show()
    qtbot.waitExposed(opened)
    opened.document.rename_cell(_cell(opened, "celsius").id, "degrees")
    dialogs["question"].answer = QMessageBox.StandardButton.Cancel
    assert not opened.close()
    assert opened.isVisible() and len(dialogs["question"].calls) == 1
    dialogs["question"].answer = QMessageBox.StandardButton.Discard
    assert opened.close()
    assert not opened.isVisible()


def test_new_with_unsaved_changes_asks_first(opened: MainWindow, dialogs, mine):
    opened.document.rename_cell(_cell(opened, "celsius").id, "degrees")
    dialogs["question"].answer = QMessageBox.StandardButton.Cancel
    opened.new_action.trigger()
    assert opened.document.path == mine
    dialogs["question"].answer = QMessageBox.StandardButton.Discard
    opened.new_action.trigger()
    assert opened.document.path is None and opened.document.workflow.steps == []


def test_delete_key_removes_the_selection_and_ctrl_z_restores_it(opened: MainWindow, qtbot):
    opened.show()
    qtbot.waitExposed(opened)
    opened.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is opened)
    step = opened.document.workflow.steps[0]
    opened.scene.select_ids({step.id})
    assert opened.scene.selected_ids() == {step.id}
    opened.view.setFocus()
    qtbot.keyClick(opened.view, Qt.Key.Key_Delete)
    assert opened.document.find_step(step.id) is None
    qtbot.keyClick(opened.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert opened.document.find_step(step.id) is not None


def test_inspector_edits_a_cell_value_undoably(opened: MainWindow, qtbot):
    cell = _cell(opened, "celsius")
    opened.scene.select_ids({cell.id})
    inspector = opened.inspector
    editor = inspector.value_editor
    assert inspector.node_id == cell.id and inspector.alias_edit.text() == "celsius"
    assert editor.current is editor.float_edit and editor.float_edit.text() == "21.5"
    editor.set_json_mode(True)
    editor.json_edit.setText("[1, 2")
    editor.json_edit.editingFinished.emit()
    assert not editor.error.isHidden() and cell.value == 21.5
    editor.json_edit.setText("30")
    editor.json_edit.editingFinished.emit()
    assert editor.error.isHidden()
    assert _cell(opened, "celsius").value == 30
    opened.document.undo_stack.undo()
    assert _cell(opened, "celsius").value == 21.5 and editor.json_edit.text() == "21.5"


def test_inspector_renames_and_clears_a_cell_value(opened: MainWindow):
    cell = _cell(opened, "factor")
    opened.scene.select_ids({cell.id})
    opened.inspector.alias_edit.setText("ratio")
    opened.inspector.alias_edit.editingFinished.emit()
    assert opened.document.find_cell(cell.id).alias == "ratio"
    opened.inspector.has_value.setChecked(False)
    assert not opened.document.find_cell(cell.id).has_value
    assert not opened.inspector.value_editor.isEnabled()
    opened.document.undo_stack.undo()
    assert opened.document.find_cell(cell.id).value == 1.8 and opened.inspector.has_value.isChecked()


def test_inspector_shows_a_step_and_a_missing_function(opened: MainWindow):
    step = opened.document.workflow.steps[0]
    opened.scene.select_ids({step.id})
    assert "math.multiply" in opened.inspector.step_label.text()
    missing = opened.document.add_step("nowhere.gone", 0, 0)
    opened.scene.select_ids({missing.id})
    assert "missing" in opened.inspector.step_label.text()


def test_palette_activation_adds_the_step_at_the_view_centre(opened: MainWindow):
    count = len(opened.document.workflow.steps)
    opened.palette_widget.function_activated.emit("math.add")
    assert len(opened.document.workflow.steps) == count + 1
    assert opened.document.workflow.steps[-1].function_slug == "math.add"


def _drop_file(target, path: Path) -> None:
    """A real drag of `path` onto `target`: Qt delivers a drop only after an accepted enter."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(target, QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data,
                                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def test_dropping_a_json_file_opens_it(window: MainWindow, qtbot, mine):
    _drop_file(window, mine)
    qtbot.waitUntil(lambda: window.document.path == mine)


def test_dropping_a_json_file_on_the_canvas_opens_it(window: MainWindow, qtbot, mine):
    _drop_file(window.view.viewport(), mine)  # the canvas takes palette drags; files go to the window
    qtbot.waitUntil(lambda: window.document.path == mine)


def test_every_action_has_an_object_name(opened: MainWindow):
    opened.recent.fill_menu()
    actions = opened.findChildren(QAction)
    assert len(actions) > 15
    unnamed = [a.text() for a in actions if not a.objectName()]
    assert unnamed == []
    names = {a.objectName() for a in actions}
    assert {"open-action", "save-action", "undo-action", "redo-action", "delete-action"} <= names


def test_examples_menu_lists_the_bundled_examples(window: MainWindow):
    names = [a.objectName() for a in window.examples_menu.actions()]
    assert "example-temperature-action" in names
    json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_app_main_shows_the_window_first_then_builds_it_and_opens_the_file(qtbot, monkeypatch, mine):
    from fancy_studio.gui import app as app_module

    shown: list[MainWindow] = []

    def run_event_loop(self) -> int:
        window = shown[0]
        assert not window.is_built  # on screen before the studio's modules are imported and built
        assert window.windowTitle() == "Fancy Studio"
        qtbot.waitUntil(lambda: window.is_built and window.document.path == mine, timeout=10_000)
        return 0

    monkeypatch.setattr(QApplication, "exec", run_event_loop)
    monkeypatch.setattr(MainWindow, "show", lambda self: shown.append(self))
    assert app_module.main([str(mine)]) == 0
    assert shown[0].centralWidget() is shown[0].view
    assert QApplication.instance().applicationName() == "Fancy Studio"
    shown[0].deleteLater()


def test_opening_a_file_with_a_missing_function_warns_and_saves_the_step_unchanged(
        window: MainWindow, dialogs, tmp_path):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    ghost = {"id": "5f0c6a86-4a44-4a55-9a55-000000000099", "function_slug": "plugin.not_installed",
             "inputs": {"anything": CELSIUS}, "outputs": {"result": "5f0c6a86-4a44-4a55-9a55-000000000098"},
             "label": "From a plugin"}
    data["cells"].append({"id": "5f0c6a86-4a44-4a55-9a55-000000000098", "alias": "plugged", "description": ""})
    data["steps"].append(ghost)
    source = tmp_path / "with_plugin.json"
    source.write_text(json.dumps(data), encoding="utf-8")

    assert window.open_workflow(source)
    (call,) = dialogs["warning"].calls
    assert "plugin.not_installed" in call[2] and "math." not in call[2]
    assert "plugin.not_installed" in window.statusBar().currentMessage()
    assert window.document.path == source and len(window.document.workflow.steps) == 4
    step = next(s for s in window.document.workflow.steps if s.function_slug == "plugin.not_installed")
    assert window.document.function_of(step) is None

    target = tmp_path / "saved.json"
    assert window.save_workflow(target)
    saved = json.loads(target.read_text(encoding="utf-8"))
    (written,) = [s for s in saved["steps"] if s["id"] == ghost["id"]]
    assert written == ghost
    assert any(c["id"] == "5f0c6a86-4a44-4a55-9a55-000000000098" for c in saved["cells"])


def test_opening_a_file_with_every_function_installed_does_not_warn(window: MainWindow, dialogs):
    assert window.open_workflow(EXAMPLE)
    assert dialogs["warning"].calls == []


def test_toolbar_actions_have_icons_from_resources(window: MainWindow):
    for name in ("new-action", "open-action", "save-action", "undo-action", "redo-action", "delete-action",
                 "zoom-in-action", "zoom-out-action", "zoom-fit-action", "auto-layout-action"):
        action = window.findChild(QAction, name)
        assert action is not None and not action.icon().isNull(), name
        assert not action.icon().pixmap(24, 24).isNull(), f"{name}: the SVG did not render"


def test_the_status_bar_shows_the_zoom_and_a_click_on_it_or_ctrl_1_gives_actual_size(qtbot, opened):
    opened.show()
    opened.activateWindow()
    qtbot.waitUntil(opened.isActiveWindow)
    indicator = opened.zoom_indicator
    assert indicator.text() == f"{round(opened.view.zoom() * 100)} %"  # fitted on opening
    opened.view.setFocus()
    qtbot.keyClick(opened.view, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert opened.view.zoom() == pytest.approx(1.0) and indicator.text() == "100 %"
    opened.zoom_in_action.trigger()
    assert indicator.text() == "125 %"
    qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)
    assert opened.view.zoom() == pytest.approx(1.0) and indicator.text() == "100 %"
    opened.zoom_fit_action.trigger()
    assert indicator.text() == f"{round(opened.view.zoom() * 100)} %"
