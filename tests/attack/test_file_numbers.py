"""Issue 10, case 1: NaN and ±Infinity. A workflow file is strict JSON: a cell value (or metadata) that is
NaN, Infinity, -Infinity or a number that overflows to infinity (1e400) is refused at load, naming the
cell; a layout position that is not finite is dropped, so the studio places the node anew; the saver
writes nothing rather than turn such a number into `null`; whatever loads saves back and reopens.

Before: each of these loaded, saved as `null` (a `null` position then made the file impossible to reopen)
and, with x = Infinity, a ZeroDivisionError from the view escaped `open_workflow` after the document had
already been replaced."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from fancy_studio.core import FancyError, WorkflowFileError, fancy_function, load_workflow, save_workflow
from fancy_studio.core.errors import UnsavableValueError
from fancy_studio.core.workflow_file import dump_workflow
from tests.attack.file_helpers import (
    assert_cli_refuses, assert_studio_refuses, example_data, window_on_my_file,
)
from tests.example_ids import CELSIUS, EXAMPLE, MULTIPLY
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window

NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]


@pytest.fixture
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def _with_celsius(tmp_path: Path, number: str) -> Path:
    """The example with the input cell `celsius` set to `number`, written as the file's text has it."""
    data = example_data()
    cell = next(c for c in data["cells"] if c["id"] == str(CELSIUS))
    cell["value"] = "@NUMBER@"
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps(data, indent=2).replace('"@NUMBER@"', number), encoding="utf-8")
    return path


def _with_position(tmp_path: Path, axis: str, number: str) -> Path:
    data = example_data()
    data["layout"][str(MULTIPLY)][axis] = "@NUMBER@"
    path = tmp_path / "position.json"
    path.write_text(json.dumps(data, indent=2).replace('"@NUMBER@"', number), encoding="utf-8")
    return path


@pytest.mark.parametrize("number", NUMBERS)
def test_a_non_finite_value_is_refused_naming_the_cell(tmp_path, number):
    with pytest.raises(WorkflowFileError) as caught:
        load_workflow(_with_celsius(tmp_path, number))
    message = str(caught.value)
    assert "'celsius'" in message and str(CELSIUS) in message and "finite" in message
    assert ("NaN" if number == "NaN" else "Infinity") in message and "\n" not in message


def test_a_non_finite_number_deep_in_a_value_or_in_the_metadata_is_refused(tmp_path):
    with pytest.raises(WorkflowFileError, match=re.escape("value[1]['x'] is NaN")):
        load_workflow(_with_celsius(tmp_path, '[1, {"x": NaN}]'))
    data = example_data()
    data["metadata"] = {"tool": {"scale": "@"}}
    path = tmp_path / "meta.json"
    path.write_text(json.dumps(data).replace('"@"', "Infinity"), encoding="utf-8")
    with pytest.raises(WorkflowFileError, match=re.escape("metadata['tool']['scale'] is Infinity")):
        load_workflow(path)


@pytest.mark.parametrize("axis", ["x", "y"])
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_non_finite_position_is_dropped_and_the_file_saves_back_and_reopens(tmp_path, axis, number):
    workflow = load_workflow(_with_position(tmp_path, axis, number))
    assert MULTIPLY not in workflow.layout and len(workflow.layout) == len(example_data()["layout"]) - 1
    again = tmp_path / "again.json"
    save_workflow(workflow, again)
    assert "null" not in again.read_text(encoding="utf-8")
    assert load_workflow(again) == workflow


def test_what_loads_saves_back_identically(tmp_path):
    workflow = load_workflow(EXAMPLE)
    path = tmp_path / "copy.json"
    save_workflow(workflow, path)
    assert load_workflow(path) == workflow
    assert dump_workflow(load_workflow(path)) == dump_workflow(workflow)


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_the_saver_writes_nothing_rather_than_null(tmp_path, number):
    """A number JSON cannot hold that got into a value after validation (inside a list) is refused."""
    workflow = load_workflow(EXAMPLE)
    cell = workflow.cell(CELSIUS)
    cell.value = [1.0]
    cell.value.append(number)  # in place: no validation sees it
    path = tmp_path / "out.json"
    path.write_text("the old file", encoding="utf-8")
    with pytest.raises(UnsavableValueError, match="'celsius'.*nothing was written") as caught:
        save_workflow(workflow, path)
    assert caught.value.cell_id == CELSIUS
    assert path.read_text(encoding="utf-8") == "the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_the_model_refuses_non_finite_numbers_as_values_and_positions(number):
    workflow = load_workflow(EXAMPLE)
    with pytest.raises(ValueError, match="finite"):
        workflow.cell(CELSIUS).value = number
    with pytest.raises(ValueError):
        workflow.layout[MULTIPLY].x = number
    assert workflow == load_workflow(EXAMPLE)


@pytest.mark.parametrize("number", NUMBERS)
def test_the_command_line_refuses_a_non_finite_value_in_one_line(tmp_path, number):
    assert_cli_refuses(_with_celsius(tmp_path, number), "numbers.json", "'celsius'", "finite")


@pytest.mark.parametrize("number", NUMBERS)
def test_the_studio_refuses_a_non_finite_value_and_keeps_the_open_document(qtbot, tmp_path, dialogs, number):
    window = window_on_my_file(qtbot, tmp_path)
    path = _with_celsius(tmp_path, number)
    assert_studio_refuses(window, dialogs, path, "numbers.json", "'celsius'", "finite")


@pytest.mark.parametrize("axis", ["x", "y"])
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_the_studio_opens_a_non_finite_position_placing_the_node_and_saves_a_file_that_reopens(
        qtbot, tmp_path, dialogs, axis, number):
    window = window_on_my_file(qtbot, tmp_path)
    path = _with_position(tmp_path, axis, number)
    assert window.open_workflow(path)
    assert not dialogs["critical"].calls
    node = window.scene.item_for(MULTIPLY)
    assert math.isfinite(node.pos().x()) and math.isfinite(node.pos().y())
    assert window.view.transform().isInvertible() and math.isfinite(window.view.transform().m11())
    assert window.save_workflow(path)
    saved = load_workflow(path)  # reopens: before, the saved file held "x": null
    assert math.isfinite(saved.layout[MULTIPLY].x) and math.isfinite(saved.layout[MULTIPLY].y)
    assert "null" not in path.read_text(encoding="utf-8").split('"layout"')[1]


def test_a_file_the_canvas_fails_to_show_leaves_the_open_document_as_it_was(
        qtbot, tmp_path, dialogs, monkeypatch):
    """Parse → check → build: should the build fail (before: a ZeroDivisionError from the view with
    x = Infinity), the previous workflow comes back and the user is told."""
    window = window_on_my_file(qtbot, tmp_path)
    other = tmp_path / "other.json"
    data = example_data()
    data["name"] = "Other"
    other.write_text(json.dumps(data), encoding="utf-8")

    fit = window.view.zoom_to_fit

    def fit_failing_on_other() -> None:
        if window.document.workflow.name == "Other":
            raise ZeroDivisionError("float division by zero")
        fit()

    monkeypatch.setattr(window.view, "zoom_to_fit", fit_failing_on_other)
    with qtbot.capture_exceptions() as in_slots:  # the view's own fit on `reset` fails too, as before
        text = assert_studio_refuses(window, dialogs, other, "other.json", "ZeroDivisionError")
    assert all(isinstance(exc, ZeroDivisionError) for _type, exc, _tb in in_slots)
    assert "previous workflow is still open" in text
    assert window.document.workflow.name == "Temperature report"


def test_the_value_editor_refuses_a_number_too_large_to_hold(qtbot, tmp_path, dialogs):
    """The same rule in the studio's value editor: 1e400 typed as JSON would be Infinity."""
    window = window_on_my_file(qtbot, tmp_path)
    node = window.scene.item_for(CELSIUS)
    window.view.centerOn(node)
    where = window.view.mapFromScene(node.sceneBoundingRect().center())
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.scene.selected_ids() == {CELSIUS}
    editor = window.inspector.value_editor
    qtbot.waitUntil(editor.isVisible)
    if not editor.json_toggle.isChecked():
        qtbot.mouseClick(editor.json_toggle, Qt.MouseButton.LeftButton)
    commands = window.document.undo_stack.count()
    for bad in ("1e400", "[1, -1e400]", "NaN", "Infinity"):
        qtbot.mouseClick(editor.json_edit, Qt.MouseButton.LeftButton)
        qtbot.keyClick(editor.json_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(editor.json_edit, bad)
        qtbot.keyClick(editor.json_edit, Qt.Key.Key_Return)
        assert not editor.error.isHidden(), bad
        assert window.document.undo_stack.count() == commands
    assert window.document.workflow.cell(CELSIUS).value == 21.5
    assert "too large" in editor.error.text() or "not allowed" in editor.error.text()


def test_every_refusal_is_a_fancy_error(tmp_path):
    """The command line and the studio catch FancyError: nothing else may escape the loader."""
    for number in NUMBERS:
        with pytest.raises(FancyError):
            load_workflow(_with_celsius(tmp_path, number))


@fancy_function("test_file_numbers.clip")
def clip(x: float, limit: float = math.inf) -> float:
    return min(x, limit)


def test_a_cell_pulled_from_an_input_whose_default_is_infinite_starts_from_a_finite_value(qtbot, monkeypatch):
    """The rule holds for the studio's own edits: a port's default of `math.inf` cannot become a cell's
    value (it could not be saved); the new input cell starts from its type's empty value instead."""
    from tests.gui.test_input_cells import EMPTY, _input_port
    from tests.gui.views import drag

    answer_dialogs(monkeypatch)
    window = active_window(qtbot, EXAMPLE)
    window.resize(1400, 900)
    window.view.set_zoom(1.0)
    window.view.centerOn(300, 200)
    qtbot.wait(10)
    step = window.document.add_step("test_file_numbers.clip", 220, 260)
    drag(qtbot, window.view, _input_port(window, step.id, "limit"), EMPTY + QPointF(-60, 150))
    cell = window.document.find_cell(window.document.find_step(step.id).inputs["limit"])
    assert cell.has_value and cell.value == 0.0
