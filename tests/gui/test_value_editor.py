"""The inspector's value editor: a widget for the value's type, typed into with real keys and clicks.

Each story selects a cell, edits its value the way a user would, and checks the model (value and its
exact type), the undo stack, and that undo puts the old value back in the editor.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QStyle, QStyleOptionButton

from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.panels.inspector import InspectorWidget
from fancy_studio.gui.panels.value_editor import FLOAT, INT, STR, kind_for_hint, kind_for_value
from tests.example_ids import CELSIUS, EXAMPLE

OFFSET = UUID("5f0c6a86-4a44-4a55-9a55-000000000012")  # 32, feeds math.add's b (a float)
TEMPLATE = UUID("5f0c6a86-4a44-4a55-9a55-000000000013")  # "It is {} °F outside."


@pytest.fixture
def document(qapp) -> WorkflowDocument:
    doc = WorkflowDocument()
    doc.open(EXAMPLE)
    return doc


@pytest.fixture
def inspector(qtbot, document: WorkflowDocument) -> InspectorWidget:
    widget = InspectorWidget(document)
    qtbot.addWidget(widget)
    widget.resize(360, 400)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    return widget


def _select(inspector: InspectorWidget, cell_id: UUID):
    inspector.show_selection({cell_id})
    assert inspector.node_id == cell_id
    return inspector.value_editor


def _retype(qtbot, edit, text: str) -> None:
    """Click into a line edit, select all of it and type over it, as a user would."""
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)


def _click_box(qtbot, box: QCheckBox) -> None:
    """Click a check box on its box (a click on empty space beside a wide check box does nothing)."""
    option = QStyleOptionButton()
    box.initStyleOption(option)
    where = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box).center()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=where)


def _value(document: WorkflowDocument, cell_id: UUID):
    return document.find_cell(cell_id).value


def test_an_int_cell_commits_an_int_of_any_size_and_refuses_letters(qtbot, document, inspector):
    cell = document.add_cell("count", value=3)
    editor = _select(inspector, cell.id)
    assert editor.current is editor.int_edit and editor.int_edit.text() == "3"
    assert editor.int_edit.isVisible() and not editor.json_edit.isVisible()

    _retype(qtbot, editor.int_edit, "4x2")  # the x is refused as it is typed
    assert editor.int_edit.text() == "42"
    qtbot.keyClick(editor.int_edit, Qt.Key.Key_Return)
    assert _value(document, cell.id) == 42 and type(_value(document, cell.id)) is int

    big = "-123456789012345678901234567890"  # beyond 64 bits: must not be clipped or turned into a float
    _retype(qtbot, editor.int_edit, big)
    qtbot.keyClick(editor.int_edit, Qt.Key.Key_Return)
    assert _value(document, cell.id) == int(big) and editor.int_edit.text() == big

    qtbot.keyClick(editor.int_edit, Qt.Key.Key_Up)
    qtbot.keyClick(editor.int_edit, Qt.Key.Key_Return)
    assert _value(document, cell.id) == int(big) + 1

    document.undo_stack.undo()
    document.undo_stack.undo()
    assert _value(document, cell.id) == 42 and editor.int_edit.text() == "42"


def test_an_unfinished_number_goes_back_to_the_cell_value_and_commits_nothing(qtbot, document, inspector):
    cell = document.add_cell("count", value=7)
    editor = _select(inspector, cell.id)
    commands = document.undo_stack.count()
    _retype(qtbot, editor.int_edit, "-")
    qtbot.keyClick(editor.int_edit, Qt.Key.Key_Return)
    assert editor.int_edit.text() == "7"
    assert _value(document, cell.id) == 7 and document.undo_stack.count() == commands


def test_a_float_cell_keeps_every_digit_and_commits_a_float(qtbot, document, inspector):
    editor = _select(inspector, CELSIUS)
    assert editor.current is editor.float_edit and editor.float_edit.text() == "21.5"

    _retype(qtbot, editor.float_edit, "3.141592653589793")
    qtbot.keyClick(editor.float_edit, Qt.Key.Key_Return)
    assert _value(document, CELSIUS) == 3.141592653589793
    assert editor.float_edit.text() == "3.141592653589793"

    _retype(qtbot, editor.float_edit, "30")
    qtbot.keyClick(editor.float_edit, Qt.Key.Key_Return)
    assert _value(document, CELSIUS) == 30.0 and type(_value(document, CELSIUS)) is float

    _retype(qtbot, editor.float_edit, "1e-300")
    qtbot.keyClick(editor.float_edit, Qt.Key.Key_Return)
    assert _value(document, CELSIUS) == 1e-300

    for _ in range(3):
        document.undo_stack.undo()
    assert _value(document, CELSIUS) == 21.5 and editor.float_edit.text() == "21.5"


def test_a_whole_number_feeding_a_float_input_gets_the_decimal_editor(qtbot, document, inspector):
    editor = _select(inspector, OFFSET)
    assert editor.current is editor.float_edit and editor.float_edit.text() == "32"
    _retype(qtbot, editor.float_edit, "32.5")
    qtbot.keyClick(editor.float_edit, Qt.Key.Key_Return)
    assert _value(document, OFFSET) == 32.5


def test_a_bool_cell_is_a_check_box_and_a_click_commits_it(qtbot, document, inspector):
    cell = document.add_cell("loud", value=False)
    editor = _select(inspector, cell.id)
    assert editor.current is editor.bool_check and not editor.bool_check.isChecked()

    _click_box(qtbot, editor.bool_check)
    assert _value(document, cell.id) is True and editor.bool_check.text() == "true"
    qtbot.keyClick(editor.bool_check, Qt.Key.Key_Space)
    assert _value(document, cell.id) is False

    document.undo_stack.undo()
    assert _value(document, cell.id) is True and editor.bool_check.isChecked()
    document.undo_stack.undo()
    assert _value(document, cell.id) is False and not editor.bool_check.isChecked()


def test_multi_line_text_survives_and_is_applied_when_the_box_loses_focus(qtbot, document, inspector):
    editor = _select(inspector, TEMPLATE)
    box = editor.text_edit
    assert editor.current is box and box.toPlainText() == "It is {} °F outside."

    qtbot.mouseClick(box.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, "Dear reader,")
    qtbot.keyClick(box, Qt.Key.Key_Return)  # a new line, not "apply"
    qtbot.keyClicks(box, "it is {} °F.")
    assert _value(document, TEMPLATE) == "It is {} °F outside."

    qtbot.mouseClick(inspector.alias_edit, Qt.MouseButton.LeftButton)  # focus leaves the box
    qtbot.waitUntil(lambda: _value(document, TEMPLATE) == "Dear reader,\nit is {} °F.")
    assert document.undo_stack.undoText() == "Edit value of 'template'"

    qtbot.mouseClick(box.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClick(box, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, "!")
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter applies
    assert _value(document, TEMPLATE) == "Dear reader,\nit is {} °F.!"

    document.undo_stack.undo()
    document.undo_stack.undo()
    assert box.toPlainText() == "It is {} °F outside."


def test_switching_to_json_changes_the_value_type(qtbot, document, inspector):
    cell = document.add_cell("count", value=3)
    editor = _select(inspector, cell.id)
    qtbot.mouseClick(editor.json_toggle, Qt.MouseButton.LeftButton)
    assert editor.current is editor.json_edit and editor.json_edit.text() == "3"

    _retype(qtbot, editor.json_edit, '"three"')
    qtbot.keyClick(editor.json_edit, Qt.Key.Key_Return)
    assert _value(document, cell.id) == "three"
    assert editor.current is editor.json_edit and editor.json_edit.text() == '"three"'

    qtbot.mouseClick(editor.json_toggle, Qt.MouseButton.LeftButton)  # back to the editor for text
    assert editor.current is editor.text_edit and editor.text_edit.toPlainText() == "three"

    _retype(qtbot, editor.json_edit, "")  # nothing typed in a hidden editor reaches the model
    document.undo_stack.undo()
    assert _value(document, cell.id) == 3 and editor.current is editor.int_edit
    assert editor.int_edit.text() == "3"
    document.undo_stack.redo()
    assert editor.current is editor.text_edit and editor.text_edit.toPlainText() == "three"


def test_invalid_json_shows_an_error_and_changes_nothing(qtbot, document, inspector):
    editor = _select(inspector, CELSIUS)
    qtbot.mouseClick(editor.json_toggle, Qt.MouseButton.LeftButton)
    commands = document.undo_stack.count()
    for bad in ("[1, 2", "hello", "NaN"):
        _retype(qtbot, editor.json_edit, bad)
        qtbot.keyClick(editor.json_edit, Qt.Key.Key_Return)
        assert not editor.error.isHidden(), bad
        assert _value(document, CELSIUS) == 21.5 and document.undo_stack.count() == commands
    assert "Not a JSON value" in editor.error.text()

    qtbot.mouseClick(editor.json_toggle, Qt.MouseButton.LeftButton)  # the bad text is not thrown away
    assert editor.json_toggle.isChecked() and editor.json_edit.text() == "NaN"

    _retype(qtbot, editor.json_edit, "[1, 2]")
    qtbot.keyClick(editor.json_edit, Qt.Key.Key_Return)
    assert editor.error.isHidden() and _value(document, CELSIUS) == [1, 2]
    document.undo_stack.undo()
    assert _value(document, CELSIUS) == 21.5 and editor.json_edit.text() == "21.5"


def test_a_null_cell_gets_the_editor_of_the_input_it_feeds(qtbot, document, inspector):
    step = document.add_step("lists.range")
    cell = document.add_cell("stop", value=None)
    document.connect_input(step.id, "stop", cell.id)
    editor = _select(inspector, cell.id)
    assert editor.current is editor.int_edit and editor.int_edit.text() == ""
    assert "whole number" in editor.kind_label.text()

    _retype(qtbot, editor.int_edit, "5")
    qtbot.keyClick(editor.int_edit, Qt.Key.Key_Return)
    assert _value(document, cell.id) == 5 and type(_value(document, cell.id)) is int


def test_making_a_computed_cell_an_input_starts_from_the_inputs_empty_value(qtbot, document, inspector):
    step = document.add_step("text.upper")
    cell = document.add_cell("words")
    document.connect_input(step.id, "text", cell.id)
    editor = _select(inspector, cell.id)
    assert not editor.isEnabled()

    _click_box(qtbot, inspector.has_value)
    assert document.find_cell(cell.id).has_value and _value(document, cell.id) == ""
    assert editor.isEnabled() and editor.current is editor.text_edit
    document.undo_stack.undo()
    assert not document.find_cell(cell.id).has_value and not editor.isEnabled()


def test_a_typed_value_is_applied_before_the_selection_moves_on(qtbot, document, inspector):
    cell = document.add_cell("count", value=1)
    editor = _select(inspector, cell.id)
    _retype(qtbot, editor.int_edit, "99")
    inspector.show_selection({CELSIUS})
    assert _value(document, cell.id) == 99
    assert editor.current is editor.float_edit and editor.float_edit.text() == "21.5"


@pytest.mark.parametrize(("value", "port_kind", "kind"), [
    (True, INT, "bool"), (3, None, INT), (3, FLOAT, FLOAT), (2.5, INT, FLOAT), ("x", None, STR),
    (None, None, "json"), (None, STR, STR), ([1], None, "json"), ({"a": 1}, INT, "json"),
])
def test_kind_for_value(value, port_kind, kind):
    assert kind_for_value(value, port_kind) == kind


def test_kind_for_hint():
    assert kind_for_hint(int) == INT and kind_for_hint(float | None) == FLOAT and kind_for_hint(str) == STR
    assert kind_for_hint(list) is None and kind_for_hint(int | str) is None and kind_for_hint(object) is None


def test_a_null_cell_feeding_a_bool_input_changes_only_when_clicked(qtbot, document, inspector):
    step = document.add_step("lists.sort")
    cell = document.add_cell("reverse", value=None)
    document.connect_input(step.id, "reverse", cell.id)
    editor = _select(inspector, cell.id)
    assert editor.current is editor.bool_check and editor.bool_check.text() == "null"
    commands = document.undo_stack.count()
    inspector.show_selection({CELSIUS})
    assert _value(document, cell.id) is None and document.undo_stack.count() == commands
    _select(inspector, cell.id)
    _click_box(qtbot, editor.bool_check)
    assert _value(document, cell.id) is True


def test_while_a_run_locks_the_document_the_editor_shows_only_the_model_value(qtbot, document, inspector):
    cell = document.add_cell("count", value=3)
    editor = _select(inspector, cell.id)
    _retype(qtbot, editor.int_edit, "8")
    document.undo_stack.lock("a run is reading the workflow")
    assert not inspector.cell_page.isEnabled()
    editor.commit()  # what leaving the box would do: the document refuses the edit
    assert _value(document, cell.id) == 3 and editor.int_edit.text() == "3"
    inspector.alias_edit.setText("total")
    inspector.alias_edit.editingFinished.emit()
    assert document.find_cell(cell.id).alias == "count" and inspector.alias_edit.text() == "count"
    document.undo_stack.unlock()
    assert inspector.cell_page.isEnabled()
