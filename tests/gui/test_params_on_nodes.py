"""Parameters on nodes, as a user meets them: click an input's value on its node, type, Enter; undo it; wire
over it and back; turn it into a cell to share it, and the cell back into params; edit it in the inspector;
pick a Literal's or an Enum's value from a drop-down; tick a check box. All with real clicks and keys."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Literal

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QToolButton

from fancy_studio.core import (
    CellSpec, Engine, InMemoryStore, Position, Workflow, WorkflowStep, fancy_function, load_workflow,
    save_workflow,
)
from fancy_studio.gui.canvas.param_rows import DEFAULT, REQUIRED, SET, WIRED
from fancy_studio.gui.canvas.port_item import PortKind
from fancy_studio.gui.window.main_window import MainWindow
from tests.gui.dialogs import answer_dialogs
from tests.gui.views import drag
from tests.gui.windows import active_window, shut_down

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


@fancy_function("test_params.paint")
def paint(text: str, colour: Colour = Colour.RED, mode: Literal["fast", "slow"] = "fast", loud: bool = False,
          items: list | None = None) -> str:
    """Says what it would paint."""
    word = f"{text} in {colour.value} ({mode})"
    return word.upper() if loud else word


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def _workflow_file(tmp_path: Path) -> tuple[Path, dict]:
    """x (3.0) → Add (a wired, b = 5) → sum; Paint with only its text set; a lone Split."""
    workflow = Workflow(name="params")
    x = workflow.input_cell("x", 3.0)
    total = CellSpec(alias="sum")
    workflow.cells.append(total)
    add = WorkflowStep(function_slug="math.add", inputs={"a": x.id}, outputs={"return": total.id},
                       params={"b": 5.0})
    painted = WorkflowStep(function_slug="test_params.paint", params={"text": "a wall"})
    split = WorkflowStep(function_slug="text.split")
    workflow.steps += [add, painted, split]
    workflow.layout = {x.id: Position(x=0, y=0), add.id: Position(x=220, y=0),
                       total.id: Position(x=460, y=20), painted.id: Position(x=220, y=160),
                       split.id: Position(x=460, y=160)}
    path = tmp_path / "params.json"
    save_workflow(workflow, path)
    return path, {"x": x.id, "sum": total.id, "add": add.id, "paint": painted.id, "split": split.id}


@pytest.fixture
def studio(qtbot, tmp_path):
    path, ids = _workflow_file(tmp_path)
    window = active_window(qtbot, path)
    window.view.set_zoom(1.0)
    window.view.centerOn(400, 150)
    window.view.setFocus()
    yield window, ids, path
    shut_down(qtbot, window)


def field_point(window: MainWindow, step_id, name: str) -> QPoint:
    """The middle of an input's field on its node, in the view's viewport."""
    item = window.scene.item_for(step_id)
    rect = item.field_rect(name)
    assert rect is not None, f"{name} shows no field"
    return window.view.mapFromScene(item.mapToScene(rect.center()))


def node_point(window: MainWindow, node_id) -> QPoint:
    return window.view.mapFromScene(window.scene.item_for(node_id).sceneBoundingRect().center())


def row(window: MainWindow, step_id, name: str):
    item = window.scene.item_for(step_id)
    return next(r for r, _y in item.input_layout if r.name == name)


def open_field(qtbot, window: MainWindow, step_id, name: str) -> QLineEdit:
    qtbot.mouseClick(window.view.viewport(), LEFT, pos=field_point(window, step_id, name))
    qtbot.waitUntil(lambda: window.param_editor.editor is not None, timeout=2000)
    editor = window.param_editor.editor
    assert editor.objectName() == "param-editor" and editor.hasFocus()
    return editor


def double_click(qtbot, widget, pos: QPoint) -> None:
    """What a real double-click delivers: press, release, double-click, release (QTest's sends less)."""
    qtbot.mousePress(widget, LEFT, pos=pos)
    qtbot.mouseRelease(widget, LEFT, pos=pos)
    event = QMouseEvent(QEvent.Type.MouseButtonDblClick, QPointF(pos), QPointF(widget.mapToGlobal(pos)), LEFT,
                        LEFT, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    qtbot.mouseRelease(widget, LEFT, pos=pos)


def type_into(qtbot, editor: QLineEdit, text: str, key=Qt.Key.Key_Return) -> None:
    qtbot.keyClick(editor, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, key)


def right_click(window: MainWindow, viewport_pos: QPoint) -> QMenu:
    """A real context-menu event at a point of the canvas; the menu it opened."""
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, viewport_pos,
                              window.view.viewport().mapToGlobal(viewport_pos))
    QApplication.sendEvent(window.view.viewport(), event)
    return window.findChildren(QMenu, "canvas-context-menu")[-1]  # the newest (a closed one goes later)


def menu_action(menu: QMenu, name: str) -> QAction:
    found = [action for action in menu.findChildren(QAction, name)] or \
        [action for action in menu.actions() if action.objectName() == name]
    assert found, f"no {name} in {[a.objectName() for a in menu.actions()]}"
    return found[0]


# --- on the node -------------------------------------------------------------------------------------


def test_edit_a_param_on_the_node_then_undo_it(qtbot, studio):
    window, ids, _path = studio
    document = window.document
    assert row(window, ids["add"], "b").state == SET and row(window, ids["add"], "b").text == "5.0"
    assert row(window, ids["add"], "a").state == WIRED
    assert window.scene.item_for(ids["add"]).field_rect("a") is None
    count = document.undo_stack.count()

    editor = open_field(qtbot, window, ids["add"], "b")
    assert editor.text() == "5.0"
    type_into(qtbot, editor, "7.25")

    assert document.find_step(ids["add"]).params == {"b": 7.25}
    assert document.undo_stack.count() == count + 1  # one command
    assert window.param_editor.editor is None
    assert row(window, ids["add"], "b").text == "7.25"  # the node draws the model

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert document.find_step(ids["add"]).params == {"b": 5.0}
    assert row(window, ids["add"], "b").text == "5.0"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert document.find_step(ids["add"]).params == {"b": 7.25}


def test_a_number_field_refuses_letters_and_esc_leaves_the_value(qtbot, studio):
    window, ids, _path = studio
    document = window.document
    count = document.undo_stack.count()
    editor = open_field(qtbot, window, ids["add"], "b")
    qtbot.keyClick(editor, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(editor, "x1y")
    assert editor.text() == "1"  # the validator keeps to a number
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window.param_editor.editor is None
    assert document.find_step(ids["add"]).params == {"b": 5.0} and document.undo_stack.count() == count


def test_a_default_shows_dim_until_set_and_emptying_the_field_resets_it(qtbot, studio):
    window, ids, _path = studio
    document = window.document
    separator = row(window, ids["split"], "separator")
    assert separator.state == DEFAULT and separator.text == '" "'  # a space, shown so it can be seen
    assert row(window, ids["split"], "text").state == REQUIRED
    assert row(window, ids["split"], "text").text == "required"

    editor = open_field(qtbot, window, ids["split"], "separator")
    assert editor.text() == " "
    type_into(qtbot, editor, ",")
    assert document.find_step(ids["split"]).params == {"separator": ","}
    assert row(window, ids["split"], "separator").state == SET

    editor = open_field(qtbot, window, ids["split"], "text")  # Tab goes on to the next field
    type_into(qtbot, editor, "a,b", key=Qt.Key.Key_Tab)
    assert document.find_step(ids["split"]).params == {"separator": ",", "text": "a,b"}
    qtbot.waitUntil(lambda: window.param_editor.target == (ids["split"], "separator"), timeout=2000)
    qtbot.keyClick(window.param_editor.editor, Qt.Key.Key_Escape)

    count = document.undo_stack.count()
    editor = open_field(qtbot, window, ids["paint"], "items")  # JSON: empty is "reset to the default"
    type_into(qtbot, editor, "[1, 2]")
    assert document.find_step(ids["paint"]).params["items"] == [1, 2]
    editor = open_field(qtbot, window, ids["paint"], "items")
    type_into(qtbot, editor, "")
    assert "items" not in document.find_step(ids["paint"]).params
    assert row(window, ids["paint"], "items").state == DEFAULT
    assert document.undo_stack.count() == count + 2


def test_a_value_the_input_cannot_take_is_refused_and_the_editor_stays(qtbot, studio):
    window, ids, _path = studio
    document = window.document
    count = document.undo_stack.count()
    messages = []
    window.scene.message.connect(messages.append)
    editor = open_field(qtbot, window, ids["paint"], "items")  # a list (or None)
    type_into(qtbot, editor, '"text"')
    assert window.param_editor.editor is editor and document.undo_stack.count() == count
    assert messages and "items expects" in messages[-1]
    qtbot.keyClick(editor, Qt.Key.Key_Escape)


def test_a_check_box_toggles_on_click_and_a_double_click_is_two_clicks_not_a_rename(qtbot, studio):
    window, ids, _path = studio
    document = window.document
    assert row(window, ids["paint"], "loud").state == DEFAULT
    assert row(window, ids["paint"], "loud").value is False
    count = document.undo_stack.count()
    point = field_point(window, ids["paint"], "loud")
    qtbot.mouseClick(window.view.viewport(), LEFT, pos=point)
    qtbot.waitUntil(lambda: document.find_step(ids["paint"]).params.get("loud") is True, timeout=2000)
    assert document.undo_stack.count() == count + 1 and window.param_editor.editor is None
    assert row(window, ids["paint"], "loud").state == SET

    double_click(qtbot, window.view.viewport(), point)  # two clicks: off and on again
    qtbot.waitUntil(lambda: document.undo_stack.count() == count + 3, timeout=2000)
    assert document.find_step(ids["paint"]).params["loud"] is True
    assert window.findChild(QLineEdit, "inline-rename") is None  # not renamed

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert document.find_step(ids["paint"]).params["loud"] is False


def test_a_literal_and_an_enum_are_chosen_from_a_drop_down(qtbot, studio):
    window, ids, _path = studio
    document = window.document
    assert row(window, ids["paint"], "colour").text == "RED"  # an Enum's default, by name
    for name, pick in (("colour", "GREEN"), ("mode", "slow")):
        qtbot.mouseClick(window.view.viewport(), LEFT, pos=field_point(window, ids["paint"], name))
        qtbot.waitUntil(lambda: window.param_editor.menu is not None and window.param_editor.menu.isVisible(),
                        timeout=2000)
        menu = window.param_editor.menu
        assert menu.objectName() == "param-choices"
        labels = [action.text() for action in menu.actions()]
        assert labels == (["RED", "GREEN", "BLUE"] if name == "colour" else ["fast", "slow"])
        assert menu.actions()[0].isChecked()  # the default is ticked
        action = next(a for a in menu.actions() if a.text() == pick)
        qtbot.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())
        qtbot.waitUntil(lambda n=name, p=pick: document.find_step(ids["paint"]).params.get(n) == p,
                        timeout=2000)
        window.param_editor.menu = None
    assert row(window, ids["paint"], "colour").text == "GREEN"

    # what the engine makes of them: the Enum's member, the Literal's value
    store = InMemoryStore()
    workflow = document.workflow.model_copy(deep=True)
    out = CellSpec(alias="said")
    workflow.cells.append(out)
    next(s for s in workflow.steps if s.id == ids["paint"]).outputs["return"] = out.id
    workflow.steps = [s for s in workflow.steps if s.id == ids["paint"]]
    Engine(store).run(workflow)
    assert store.get(out.id).value == "a wall in green (slow)"


def test_wire_over_a_param_hides_it_and_removing_the_wire_brings_it_back(qtbot, studio):
    window, ids, _path = studio
    document, view = window.document, window.view
    x_out = window.scene.item_for(ids["x"]).port(PortKind.CELL_OUTPUT)
    add = window.scene.item_for(ids["add"])

    drag(qtbot, view, x_out.scenePos(), add.mapToScene(add.field_rect("b").center()))  # onto the value
    step = document.find_step(ids["add"])
    assert step.inputs["b"] == ids["x"]
    assert row(window, ids["add"], "b").state == WIRED
    assert window.scene.item_for(ids["add"]).field_rect("b") is None  # the value is hidden
    assert step.params == {"b": 5.0}  # and kept for when the wire goes
    assert step.used_params == {}

    b_in = window.scene.item_for(ids["add"]).port(PortKind.STEP_INPUT, "b")
    drag(qtbot, view, b_in.scenePos(), b_in.scenePos() + QPointF(-40, 120))  # the wire pulled off
    step = document.find_step(ids["add"])
    assert "b" not in step.inputs
    assert row(window, ids["add"], "b").state == SET and row(window, ids["add"], "b").value == 5.0

    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # the wire again
    assert row(window, ids["add"], "b").state == WIRED
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # as it was
    assert "b" not in document.find_step(ids["add"]).inputs and row(window, ids["add"], "b").text == "5.0"


def test_dragging_a_wire_out_of_a_param_makes_a_cell_holding_its_value(qtbot, studio):
    window, ids, _path = studio
    b_in = window.scene.item_for(ids["add"]).port(PortKind.STEP_INPUT, "b")
    drag(qtbot, window.view, b_in.scenePos(), b_in.scenePos() + QPointF(-60, 140))
    cell = window.document.find_cell(window.document.find_step(ids["add"]).inputs["b"])
    assert cell.value == 5.0


def test_convert_to_cell_and_back(qtbot, studio):
    window, ids, _path = studio
    document = window.document
    before = document.workflow.model_dump_json()
    count = document.undo_stack.count()

    menu = right_click(window, field_point(window, ids["add"], "b"))
    menu_action(menu, "convert-to-cell-action").trigger()
    menu.close()
    step = document.find_step(ids["add"])
    cell = document.find_cell(step.inputs["b"])
    assert cell.value == 5.0 and cell.alias == "b" and step.params == {}
    assert document.undo_stack.count() == count + 1
    assert window.scene.selected_ids() == {cell.id}
    assert window.scene.item_for(cell.id) is not None and row(window, ids["add"], "b").state == WIRED
    assert window.scene.item_for(cell.id).pos().x() < window.scene.item_for(ids["add"]).pos().x()

    # shared: a second Add reads the same cell
    second = document.add_step("math.add", 220, 320)
    document.connect_input(second.id, "b", cell.id)

    menu = right_click(window, node_point(window, cell.id))
    action = menu_action(menu, "convert-to-params-action")
    assert action.isEnabled() and action.text() == "Convert to &Parameters"
    action.trigger()
    menu.close()
    assert document.find_cell(cell.id) is None and window.scene.item_for(cell.id) is None
    for step_id in (ids["add"], second.id):
        step = document.find_step(step_id)
        assert step.params == {"b": 5.0} and "b" not in step.inputs
        assert row(window, step_id, "b").state == SET

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)  # the cell again, wired to both
    assert document.find_cell(cell.id).value == 5.0
    assert document.find_step(ids["add"]).inputs["b"] == cell.id == document.find_step(second.id).inputs["b"]
    for _ in range(3):  # the second wire, the second Add, the conversion to a cell
        qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert document.workflow.model_dump_json() == before

    # a cell a step writes cannot become params
    menu = right_click(window, node_point(window, ids["sum"]))
    assert not menu_action(menu, "convert-to-params-action").isEnabled()
    menu.close()


def test_the_inspector_edits_a_param_and_resets_it(qtbot, studio):
    window, ids, _path = studio
    document = window.document
    window.scene.select_ids({ids["add"]})
    qtbot.waitUntil(lambda: window.inspector.node_id == ids["add"], timeout=2000)
    form = window.inspector.params_form
    editor = form.editors["b"]
    assert isinstance(editor, QLineEdit) and editor.text() == "5.0"
    qtbot.mouseClick(editor, LEFT)
    type_into(qtbot, editor, "2.5")
    assert document.find_step(ids["add"]).params == {"b": 2.5}
    assert row(window, ids["add"], "b").text == "2.5"  # the node follows

    window.scene.select_ids({ids["split"]})
    qtbot.waitUntil(lambda: window.inspector.node_id == ids["split"], timeout=2000)
    separator = form.editors["separator"]
    assert separator.text() == "" and separator.placeholderText() == '" " (default)'
    assert form.editors["text"].placeholderText() == "required"

    window.scene.select_ids({ids["paint"]})
    qtbot.waitUntil(lambda: window.inspector.node_id == ids["paint"], timeout=2000)
    colour = form.editors["colour"]
    colour.setFocus()
    colour.showPopup()  # pick BLUE as a user does: the popup, then a click on it
    view = colour.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    qtbot.mouseClick(view.viewport(), LEFT, pos=view.visualRect(colour.model().index(2, 0)).center())
    qtbot.waitUntil(lambda: document.find_step(ids["paint"]).params.get("colour") == "BLUE", timeout=2000)
    loud = form.editors["loud"]
    qtbot.mouseClick(loud, LEFT, pos=QPoint(8, loud.height() // 2))
    assert document.find_step(ids["paint"]).params["loud"] is True
    reset = form.findChild(QToolButton, "param-loud-reset")
    qtbot.mouseClick(reset, LEFT)
    assert "loud" not in document.find_step(ids["paint"]).params


def test_params_are_saved_and_a_new_step_starts_with_none(qtbot, studio, tmp_path):
    window, ids, path = studio
    editor = open_field(qtbot, window, ids["add"], "b")
    type_into(qtbot, editor, "11")
    assert window.save_workflow(path)
    assert load_workflow(path).steps[0].params == {"b": 11.0}
    step = window.document.add_step("math.power", 600, 300)
    assert step.params == {} and row(window, step.id, "exponent").state == DEFAULT
    assert row(window, step.id, "exponent").text == "2"


def test_a_field_tells_what_it_holds_when_the_pointer_rests_on_it(qtbot, studio):
    window, ids, _path = studio
    item = window.scene.item_for(ids["split"])
    for name, expected in (("text", "text: str is required"), ("separator", "the function's default, \" \"")):
        qtbot.mouseMove(window.view.viewport(), field_point(window, ids["split"], name))
        qtbot.waitUntil(lambda n=name: item.input_row_at(item.pointer).name == n if item.pointer else False,
                        timeout=2000)
        assert expected in item.tooltip_text()
    qtbot.mouseMove(window.view.viewport(), window.view.mapFromScene(item.mapToScene(QPointF(60, 12))))
    qtbot.waitUntil(lambda: item.input_row_at(item.pointer) is None, timeout=2000)
    assert item.tooltip_text() == item.description
