"""Your own functions in the studio (issue 14): File ▸ Add Functions File…, the palette, a run in the
kernel, Restart Kernel reloading an edited file, and the question when a workflow names a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from fancy_studio.core import Workflow, WorkflowStep, registry, save_workflow
from fancy_studio.core.function_files import FUNCTIONS_FILES_KEY, unload_functions_file
from fancy_studio.gui.window.main_window import MainWindow
from tests.gui.dialogs import Answer, answer_dialogs
from tests.gui.windows import active_window, shut_down

PRICES = '''\
import os

from fancy_studio.core import fancy_function


@fancy_function("prices.with_tax", category="prices")
def with_tax(amount: float) -> float:
    """The amount with 25 % tax."""
    return round(amount * 1.25, 2)


@fancy_function("prices.where")
def where(amount: float) -> int:
    return os.getpid()
'''

BROKEN = '''\
from fancy_studio.core import fancy_function


@fancy_function("broken.half")
def half(amount: float) -> float:
    return amount /
'''


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def prices(tmp_path) -> Path:
    """A functions file in its own folder; whatever loaded it, it is unloaded after the test."""
    folder = tmp_path / "lib"
    folder.mkdir()
    path = folder / "prices.py"
    path.write_text(PRICES, encoding="utf-8")
    yield path
    unload_functions_file(path)
    unload_functions_file(folder / "broken.py")


@pytest.fixture
def window(qtbot):
    win = active_window(qtbot)
    yield win
    shut_down(qtbot, win)


def pick_file(monkeypatch, path: Path) -> list[tuple]:
    """The next file dialog picks `path`; the calls it got."""
    calls = []

    def get_open_file_name(*args, **kwargs):
        calls.append(args)
        return str(path), "Python files (*.py)"

    monkeypatch.setattr(QFileDialog, "getOpenFileName", get_open_file_name)
    return calls


def add_through_the_menu(window: MainWindow, monkeypatch, path: Path) -> None:
    """File ▸ Add Functions File…, the dialog answering `path`."""
    pick_file(monkeypatch, path)
    file_menu = window.findChild(QMenu, "file-menu")
    [action] = [a for a in file_menu.actions() if a.objectName() == "add-functions-file-action"]
    action.trigger()


def taxed_workflow(tmp_path: Path, names: list[str] | None = None) -> tuple[Path, Workflow, WorkflowStep]:
    wf = Workflow(name="taxed")
    amount = wf.input_cell("amount", 10.0)
    out = wf.output_cell("taxed")
    step = wf.add_step(WorkflowStep(function_slug="prices.with_tax", inputs={"amount": amount.id},
                                    outputs={"return": out.id}))
    if names is not None:
        wf.metadata[FUNCTIONS_FILES_KEY] = names
    path = tmp_path / "taxed.json"
    save_workflow(wf, path)
    return path, wf, step


def test_add_functions_file_shows_its_functions_in_the_palette_at_once(qtbot, window, monkeypatch, prices):
    assert "prices.with_tax" not in registry
    add_through_the_menu(window, monkeypatch, prices)
    palette = window.palette_widget
    qtbot.keyClicks(palette.search, "with tax")
    assert palette.visible_slugs() == ["prices.with_tax"]
    assert "prices.py: 2 functions loaded" in window.statusBar().currentMessage()
    from fancy_studio.gui.window import main_window

    assert main_window.settings().value("functionsFiles") in ([str(prices.resolve())], str(prices.resolve()))


def test_a_syntax_error_beside_a_good_file_is_reported_with_file_and_line(qtbot, window, monkeypatch, prices,
                                                                          dialogs):
    broken = prices.parent / "broken.py"
    broken.write_text(BROKEN, encoding="utf-8")
    add_through_the_menu(window, monkeypatch, prices)
    add_through_the_menu(window, monkeypatch, broken)
    [warning] = dialogs["warning"].asked
    assert f"{broken.resolve()}:6: SyntaxError" in warning and "nothing from this file was loaded" in warning
    assert ("Functions file", "broken.py:6") == window.problems.entries()[-1][:2]
    assert "prices.with_tax" in registry and "broken.half" not in registry
    assert "prices.with_tax" in window.palette_widget.visible_slugs()


def test_adding_a_file_names_it_in_the_open_workflow_as_one_undoable_edit(qtbot, window, monkeypatch, prices,
                                                                          tmp_path):
    path, _wf, step = taxed_workflow(tmp_path)
    assert window.open_workflow(path)
    assert window.document.function_of(window.document.workflow.step(step.id)) is None  # a placeholder
    window.minimap.setVisible(True)
    window.minimap.rebuild()
    grey_before = window.minimap.graph._key[step.id.int]
    add_through_the_menu(window, monkeypatch, prices)
    assert window.document.workflow.metadata[FUNCTIONS_FILES_KEY] == ["lib/prices.py"]
    assert window.document.modified
    assert window.document.undo_stack.undoText() == "Name Functions File prices.py"
    item = window.scene.item_for(step.id)
    assert window.document.function_of(window.document.workflow.step(step.id)).slug == "prices.with_tax"
    assert item is not None and item.isVisible()
    window.minimap.rebuild()  # the minimap drew the placeholder grey: now it has the function's colour
    assert window.minimap.graph._key[step.id.int] == item.header.rgba() != grey_before
    window.undo_action.trigger()
    assert FUNCTIONS_FILES_KEY not in window.document.workflow.metadata
    window.redo_action.trigger()
    moved = tmp_path / "elsewhere" / "taxed.json"
    moved.parent.mkdir()
    assert window.save_workflow(moved)
    assert window.document.workflow.metadata[FUNCTIONS_FILES_KEY] == ["../lib/prices.py"]


def test_opening_a_workflow_that_names_a_file_asks_once_and_yes_loads_it(qtbot, window, monkeypatch, prices,
                                                                         tmp_path, dialogs):
    yes = Answer(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", yes)
    path, _wf, step = taxed_workflow(tmp_path, ["lib/prices.py"])
    assert window.open_workflow(path)
    [asked] = yes.asked
    assert str(prices.resolve()) in asked and "runs its Python code" in asked
    assert window.document.function_of(window.document.workflow.step(step.id)).slug == "prices.with_tax"
    assert dialogs["warning"].calls == []  # nothing missing
    window.new_workflow()
    window.functions_files.remove(prices.resolve())
    assert "prices.with_tax" not in registry
    assert window.open_workflow(path)  # the answer is remembered: loaded without asking again
    assert len(yes.calls) == 1 and "prices.with_tax" in registry


def test_no_leaves_placeholders_and_says_which_file_was_not_loaded(qtbot, window, monkeypatch, prices,
                                                                   tmp_path, dialogs):
    no = Answer(QMessageBox.StandardButton.No)
    monkeypatch.setattr(QMessageBox, "question", no)
    path, _wf, step = taxed_workflow(tmp_path, ["lib/prices.py"])
    assert window.open_workflow(path)
    assert len(no.calls) == 1 and "prices.with_tax" not in registry
    assert window.document.function_of(window.document.workflow.step(step.id)) is None
    [warning] = dialogs["warning"].asked
    assert "prices.with_tax" in warning and "lib/prices.py (you chose not to load it)" in warning
    window.new_workflow()
    assert window.open_workflow(path)
    assert len(no.calls) == 1  # not asked again


def test_the_functions_files_dialog_lists_and_removes_a_file(qtbot, window, monkeypatch, prices):
    from PySide6.QtCore import Qt

    add_through_the_menu(window, monkeypatch, prices)
    window.functions_files.manage_action.trigger()
    dialog = window.functions_files.dialog
    assert dialog.rows() == [("prices.py", "2", "loaded (loaded at every start)")]
    item = dialog.tree.topLevelItem(0)
    qtbot.mouseClick(dialog.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=dialog.tree.visualItemRect(item).center())
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.rows() == [] and "prices.with_tax" not in registry
    assert "prices.with_tax" not in window.palette_widget.visible_slugs()
    dialog.close()


def test_a_remembered_file_is_loaded_when_the_studio_starts(qtbot, monkeypatch, prices):
    first = active_window(qtbot)
    add_through_the_menu(first, monkeypatch, prices)
    shut_down(qtbot, first)
    first.close()
    unload_functions_file(prices)
    second = MainWindow()
    qtbot.addWidget(second)
    assert "prices.with_tax" in registry and "prices.with_tax" in second.palette_widget.visible_slugs()
    shut_down(qtbot, second)


@pytest.mark.kernel
def test_a_run_in_the_kernel_uses_the_file_and_restart_kernel_reloads_an_edit(qtbot, monkeypatch, prices,
                                                                             tmp_path):
    window = active_window(qtbot)
    try:
        qtbot.waitUntil(lambda: window.kernel_actions.link.state == "idle", timeout=20_000)
        add_through_the_menu(window, monkeypatch, prices)
        wf = Workflow(name="kernel prices")
        amount = wf.input_cell("amount", 10.0)
        taxed, pid = wf.output_cell("taxed"), wf.output_cell("pid")
        wf.add_step(WorkflowStep(function_slug="prices.with_tax", inputs={"amount": amount.id},
                                 outputs={"return": taxed.id}))
        wf.add_step(WorkflowStep(function_slug="prices.where", inputs={"amount": amount.id},
                                 outputs={"return": pid.id}))
        path = tmp_path / "kernel_prices.json"
        save_workflow(wf, path)
        assert window.open_workflow(path)

        def run():
            with qtbot.waitSignal(window.runner.finished, timeout=30_000) as finished:
                window.run_actions.run_action.trigger()
            return finished.args[0]

        outcome = run()
        assert outcome.in_kernel and outcome.result.ok
        assert window.store.get(taxed.id).value == 12.5
        assert window.store.get(pid.id).value not in (None, os.getpid())  # it ran in the kernel

        edited = PRICES.replace("amount * 1.25", "amount * 2").replace(
            "def with_tax(amount: float)", "def with_tax(amount: float, extra: float = 0)")
        prices.write_text(edited, encoding="utf-8")
        before = window.kernel_actions.link.pid
        window.kernel_actions.restart_action.trigger()
        qtbot.waitUntil(lambda: window.kernel_actions.link.state == "idle"
                        and window.kernel_actions.link.pid not in (None, before), timeout=20_000)
        assert [port.name for port in registry.get("prices.with_tax").inputs] == ["amount", "extra"]
        outcome = run()
        assert outcome.result.ok and window.store.get(taxed.id).value == 20.0  # computed again, not reused
    finally:
        shut_down(qtbot, window)


def test_the_command_lines_files_load_before_the_workflow_opens_and_their_problems_stay_listed(
        qtbot, prices, tmp_path, dialogs):
    """`fancy-studio --functions prices.py --functions broken.py taxed.json`."""
    from fancy_studio.gui.app import open_window
    from fancy_studio.gui.window import main_window

    broken = prices.parent / "broken.py"
    broken.write_text(BROKEN, encoding="utf-8")
    path, _wf, step = taxed_workflow(tmp_path)
    window = open_window([str(path)], [str(prices), str(broken)])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.is_built and window.document.path == path, timeout=10_000)
    assert window.document.function_of(window.document.workflow.step(step.id)).slug == "prices.with_tax"
    assert not any("Missing functions" in call[1] for call in dialogs["warning"].calls)
    assert [entry[:2] for entry in window.problems.entries()] == [("Functions file", "broken.py:6")]
    assert main_window.settings().value("functionsFiles") is None  # for this session only
    shut_down(qtbot, window)


def test_a_save_as_that_fails_leaves_the_names_as_they_were(qtbot, window, monkeypatch, prices, tmp_path,
                                                            dialogs):
    import json

    path, _wf, _step = taxed_workflow(tmp_path)
    assert window.open_workflow(path)
    add_through_the_menu(window, monkeypatch, prices)
    not_a_folder = tmp_path / "elsewhere"
    not_a_folder.write_text("a file", encoding="utf-8")  # a save "into" it fails
    assert not window.save_workflow(not_a_folder / "taxed.json")
    assert len(dialogs["critical"].calls) == 1
    assert window.save_workflow()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["metadata"][FUNCTIONS_FILES_KEY] == ["lib/prices.py"]


def test_restored_unsaved_work_asks_about_the_files_its_workflow_names(qtbot, window, monkeypatch, prices,
                                                                       tmp_path):
    """After a crash, the restored workflow's functions files are asked about as on Open."""
    from types import SimpleNamespace

    from fancy_studio.core import load_workflow
    from fancy_studio.gui.window import main_window

    path, _wf, step = taxed_workflow(tmp_path, ["lib/prices.py"])

    def restore(_parent, document, _writer):
        document.replace(load_workflow(path), path)
        return SimpleNamespace(original=path, name=path.name)

    monkeypatch.setattr(main_window, "offer_restore", restore)
    yes = Answer(QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "question", yes)
    assert window.offer_recovery()
    assert len(yes.calls) == 1 and str(prices.resolve()) in yes.asked[0]
    assert window.document.function_of(window.document.workflow.step(step.id)).slug == "prices.with_tax"


def test_an_untitled_workflow_names_the_file_from_where_it_is_first_saved(qtbot, window, monkeypatch, prices,
                                                                          tmp_path):
    window.new_workflow()
    window.document.add_step("math.increment", 0, 0)
    add_through_the_menu(window, monkeypatch, prices)
    assert window.document.workflow.metadata[FUNCTIONS_FILES_KEY] == [prices.resolve().as_posix()]
    (tmp_path / "flows").mkdir()
    assert window.save_workflow(tmp_path / "flows" / "new.json")
    assert window.document.workflow.metadata[FUNCTIONS_FILES_KEY] == ["../lib/prices.py"]


def test_reloading_lists_a_files_problems_once_and_a_fix_clears_them(qtbot, window, monkeypatch, prices):
    broken = prices.parent / "broken.py"
    broken.write_text(BROKEN, encoding="utf-8")
    add_through_the_menu(window, monkeypatch, broken)
    window.functions_files.reload_all()
    assert [entry[:2] for entry in window.problems.entries()] == [("Functions file", "broken.py:6")]
    broken.write_text(BROKEN.replace("return amount /", "return amount / 2"), encoding="utf-8")
    window.functions_files.reload_all()
    assert window.problems.entries() == [] and registry.get("broken.half")(amount=3) == 1.5


def test_a_file_added_to_an_empty_workflow_is_named_when_a_step_uses_it_and_it_is_saved(qtbot, window,
                                                                                         monkeypatch, prices,
                                                                                         tmp_path):
    window.new_workflow()
    add_through_the_menu(window, monkeypatch, prices)
    assert FUNCTIONS_FILES_KEY not in window.document.workflow.metadata and not window.document.modified
    window.add_step_at_centre("prices.with_tax")
    assert window.save_workflow(tmp_path / "uses.json")
    assert window.document.workflow.metadata[FUNCTIONS_FILES_KEY] == ["lib/prices.py"]
