"""A cell made by dragging from a step's input port is an input cell: it holds a value, ready to edit."""

from __future__ import annotations

from uuid import UUID

import pytest
from PySide6.QtCore import QPointF

from fancy_studio.core import fancy_function
from fancy_studio.gui.canvas.port_item import PortKind
from fancy_studio.gui.panels.value_editor import literal
from tests.example_ids import EXAMPLE, FACTOR, MULTIPLY
from tests.gui.dialogs import answer_dialogs
from tests.gui.views import drag
from tests.gui.windows import active_window

EMPTY = QPointF(120, 330)
"""A spot of the example's canvas with no node on it (left of Multiply, below the input cells)."""


@fancy_function("test_input_cells.scale")
def scale(x: float, factor: float = 2.5, unit: str = "m", tags: list | None = None) -> float:
    return x * factor


def _input_port(window, step_id: UUID, name: str) -> QPointF:
    port = window.scene.item_for(step_id).port(PortKind.STEP_INPUT, name)
    assert port is not None
    return port.scenePos()


@pytest.fixture
def window(qtbot, monkeypatch):
    answer_dialogs(monkeypatch)  # closing the edited window discards its changes
    window = active_window(qtbot, EXAMPLE)
    window.resize(1400, 900)
    window.view.set_zoom(1.0)
    window.view.centerOn(300, 200)
    qtbot.wait(10)
    assert not [i for i in window.scene.items(EMPTY)], "the drop spot must be empty canvas"
    return window


def test_a_cell_dragged_out_of_an_input_port_is_an_input_with_a_value_of_the_ports_type(qtbot, window):
    doc, inspector = window.document, window.inspector
    drag(qtbot, window.view, _input_port(window, MULTIPLY, "b"), EMPTY)  # pull factor's wire off: b is free
    assert "b" not in doc.find_step(MULTIPLY).inputs
    cells_before = len(doc.workflow.cells)

    drag(qtbot, window.view, _input_port(window, MULTIPLY, "b"), EMPTY + QPointF(0, 40))

    assert len(doc.workflow.cells) == cells_before + 1
    cell = doc.workflow.cells[-1]
    assert doc.find_step(MULTIPLY).inputs["b"] == cell.id
    assert cell.has_value and literal(cell.value) == "0.0"  # Multiply's b is a float
    assert window.scene.selected_ids() == {cell.id}
    assert inspector.stack.currentWidget() is inspector.cell_page
    assert inspector.has_value.isChecked()
    editor = inspector.value_editor
    assert editor.isEnabled() and editor.current is editor.float_edit and editor.float_edit.text() == "0.0"
    assert "not computed" not in inspector.computed.text()
    assert "computed" not in window.scene.item_for(cell.id).toolTip()

    doc.undo_stack.undo()  # one step takes the new cell away, and leaves b as the first drag left it
    assert doc.find_cell(cell.id) is None and len(doc.workflow.cells) == cells_before
    assert "b" not in doc.find_step(MULTIPLY).inputs
    doc.undo_stack.undo()
    assert doc.find_step(MULTIPLY).inputs["b"] == FACTOR


@pytest.mark.parametrize(("port", "expected"), [
    ("factor", "2.5"),  # the port's own default
    ("unit", '"m"'),
    ("tags", "null"),  # a default of None is a value too
    ("x", "0.0"),  # required: the empty value of its type
])
def test_a_new_input_cell_starts_from_the_ports_default(qtbot, window, port, expected):
    doc = window.document
    step = doc.add_step("test_input_cells.scale", 220, 260)
    drag(qtbot, window.view, _input_port(window, step.id, port), EMPTY + QPointF(-60, 150))
    cell = doc.find_cell(doc.find_step(step.id).inputs[port])
    assert cell.has_value and literal(cell.value) == expected
    assert window.scene.selected_ids() == {cell.id}
    assert window.inspector.value_editor.isEnabled()


@pytest.mark.parametrize(("hint", "expected"), [
    (int, 0), (float, 0.0), (str, ""), (bool, False), (list, []), (list[int], []), (dict[str, int], {}),
    (int | None, 0), (object, None),
])
def test_empty_value_of_a_type(hint, expected):
    from fancy_studio.gui.canvas.wire_drag import empty_value_for

    assert literal(empty_value_for(hint)) == literal(expected)
