"""Groups' ports in the studio, driven by real clicks and keys: an inner input exposed on the group's node
(and edited there), a wire to a port checked against the types inside, ports added and deleted from inside;
and a group's node copied and pasted, bringing its group (and the groups nested in it) along."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QMenu

from fancy_studio.gui.canvas.group_node_item import GroupNodeItem, PortCellItem
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import ADD, CELSIUS, FACTOR, FAHRENHEIT, MULTIPLY, SCALED
from tests.gui.groups_helpers import (  # noqa: F401 (fixtures)
    CTRL,
    SHIFT,
    _click,
    _group_by_keys,
    _where,
    _window_on_my_readings,
    dialogs,
    win,
)
from tests.gui.windows import click_run, node_context_menu, shut_down


def test_expose_on_group_makes_an_inner_input_a_field_of_the_groups_node(qtbot, win):
    document, scene = win.document, win.scene
    instance = _group_by_keys(qtbot, win)
    document.enter_group(instance)
    document.connect_input(ADD, "b", None)  # offset is no longer wired: Add's b is a param of its own
    document.set_param(ADD, "b", 100)
    menu = node_context_menu(win, ADD)
    expose = menu.findChild(QMenu, "expose-on-group-menu")
    action = next(a for a in expose.actions() if a.objectName() == "expose-b-action")
    action.trigger()
    menu.close()
    assert document.graph.params["b"].step == ADD
    document.leave_group()
    item = scene.item_for(instance)
    row = next(row for row, _y in item.input_layout if row.name == "b")
    assert row.has_field and row.value == 100  # the inner step's own value, until the instance sets one
    document.set_param(instance, "b", 50)  # what the node's field does
    assert click_run(qtbot, win).result.ok
    assert win.store.get(FAHRENHEIT).value == pytest.approx(21.5 * 1.8 + 50)
    for _ in range(4):  # the param, the exposing, the param inside and the unwiring
        document.undo_stack.undo()
    assert document.level is not None  # the exposing was undone where it was made
    assert "b" not in document.graph.params and document.find_step(ADD).inputs["b"] is not None


def test_a_groups_ports_stay_and_a_group_is_never_pasted_inside_itself(qtbot, win):
    document, scene = win.document, win.scene
    instance = _group_by_keys(qtbot, win)
    qtbot.keyClick(win.view, Qt.Key.Key_C, CTRL)  # the group's node, copied at the top level
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    _click(qtbot, win, CELSIUS)  # an input of the group
    qtbot.keyClick(win.view, Qt.Key.Key_Delete)
    assert scene.item_for(CELSIUS) is not None
    assert "inputs and outputs stay" in win.statusBar().currentMessage()
    count = len(document.graph.steps)
    qtbot.keyClick(win.view, Qt.Key.Key_V, CTRL)
    assert len(document.graph.steps) == count and "inside itself" in win.statusBar().currentMessage()
    win.group_actions.leave()
    qtbot.keyClick(win.view, Qt.Key.Key_V, CTRL)  # at the top level it is another instance of it
    group_id = document.workflow.step(instance).group_id
    assert [step.group_id for step in document.workflow.steps].count(group_id) == 2


def test_an_exposed_parameter_is_edited_on_the_groups_node_and_rename_group_renames_every_node(
        qtbot, monkeypatch, tmp_path):
    win = _window_on_my_readings(qtbot, tmp_path)
    try:
        document, view = win.document, win.view
        indoor, outdoor = document.workflow.steps[:2]
        view.show_node(indoor.id)
        item = win.scene.item_for(indoor.id)
        field = item.field_rect("digits")
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=view.mapFromScene(item.mapToScene(field.center())))
        from PySide6.QtWidgets import QLineEdit
        qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))  # the field's editor
        editor = QApplication.focusWidget()
        qtbot.keyClick(editor, Qt.Key.Key_A, CTRL)
        qtbot.keyClicks(editor, "2")
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        assert document.workflow.step(indoor.id).params == {"digits": 2}
        assert outdoor.params == {"digits": 0}  # the other node keeps its own

        for step in (indoor, outdoor):  # unlabelled, a group's node is called by its group's name
            document.rename_step(step.id, "")
        from PySide6.QtWidgets import QInputDialog
        monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("To Fahrenheit", True))
        win.scene.select_ids({indoor.id})
        win.group_actions.rename_group_action.trigger()
        assert [win.scene.item_for(step.id).title for step in (indoor, outdoor)] == ["To Fahrenheit"] * 2
        assert win.palette_widget.model.item(0).child(0).text() == "To Fahrenheit"
        document.undo_stack.undo()
        assert document.workflow.groups[0].name == "Celsius to °F"
    finally:
        shut_down(qtbot, win)


def test_a_right_click_on_an_inner_inputs_field_exposes_it_on_the_group(qtbot, win):
    """Inside a group, the menu of an input's field starts with Expose on Group for that input."""
    from PySide6.QtGui import QContextMenuEvent

    document = win.document
    instance = _group_by_keys(qtbot, win)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    document.connect_input(ADD, "b", None)
    document.set_param(ADD, "b", 32)
    item = win.scene.item_for(ADD)
    pos = win.view.mapFromScene(item.mapToScene(item.field_rect("b").center()))
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, win.view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(win.view.viewport(), event)
    menu = win.findChild(QMenu, "canvas-context-menu")
    first = next(action for action in menu.actions() if not action.isSeparator())
    assert first.objectName() == "expose-on-group-action" and "'b'" in first.text()
    first.trigger()
    menu.close()
    assert document.graph.params["b"].input == "b"
    win.group_actions.leave()
    assert any(row.name == "b" for row, _y in win.scene.item_for(instance).input_layout)


# --- copy and paste of group nodes ------------------------------------------------------------------------


OFFSET = UUID("5f0c6a86-4a44-4a55-9a55-000000000012")


def _definition_json(definition) -> dict:
    return json.loads(definition.model_dump_json())


def test_a_group_node_pasted_into_another_workflow_brings_its_group_in_one_undo_step(qtbot, win):
    """Ctrl+C on a group's node, Ctrl+N, Ctrl+V: the node is that group (its definition came with it, same
    id), not a "Missing group"; it opens; one Ctrl+Z takes the node and the group away again."""
    document = win.document
    instance = _group_by_keys(qtbot, win)
    definition = _definition_json(document.definition_of(document.find_step(instance)))
    qtbot.keyClick(win.view, Qt.Key.Key_C, CTRL)
    qtbot.keyClick(win.view, Qt.Key.Key_N, CTRL)  # a new workflow (the edits are discarded)
    assert not document.workflow.steps and not document.workflow.groups
    win.view.setFocus()
    qtbot.keyClick(win.view, Qt.Key.Key_V, CTRL)
    (pasted,) = document.workflow.steps
    assert pasted.id != instance and str(pasted.group_id) == definition["id"]
    assert [_definition_json(d) for d in document.workflow.groups] == [definition]
    item = win.scene.item_for(pasted.id)
    assert isinstance(item, GroupNodeItem) and not item.placeholder and item.title == "Group"
    assert win.palette_widget.model.item(0).child(0).text() == "Group"
    assert win.scene.selected_ids() == {pasted.id}
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)  # it opens
    assert {step.id for step in document.graph.steps} == {MULTIPLY, ADD}
    qtbot.keyClick(win.view, Qt.Key.Key_Escape)
    assert document.undo_stack.count() == 1
    qtbot.keyClick(win.view, Qt.Key.Key_Z, CTRL)
    assert not document.workflow.steps and not document.workflow.groups
    assert win.palette_widget.model.item(0).text() != "This workflow"
    qtbot.keyClick(win.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert [_definition_json(d) for d in document.workflow.groups] == [definition]


def test_a_pasted_group_node_brings_the_groups_nested_in_it(qtbot, win, tmp_path):
    """A group holding a group: both definitions come with the outer node, and the pasted file runs."""
    document = win.document
    outer = _group_by_keys(qtbot, win)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    _click(qtbot, win, ADD)
    qtbot.keyClick(win.view, Qt.Key.Key_G, CTRL)  # Add alone is a group inside the group
    qtbot.keyClick(win.view, Qt.Key.Key_Escape)
    copied = sorted((_definition_json(d) for d in document.workflow.groups), key=lambda d: d["id"])
    assert len(copied) == 2
    _click(qtbot, win, outer)
    for cell in (CELSIUS, FACTOR, OFFSET):  # with its inputs, so that the pasted node has what it reads
        _click(qtbot, win, cell, CTRL)
    qtbot.keyClick(win.view, Qt.Key.Key_C, CTRL)
    qtbot.keyClick(win.view, Qt.Key.Key_N, CTRL)
    win.view.setFocus()
    qtbot.keyClick(win.view, Qt.Key.Key_V, CTRL)
    assert sorted((_definition_json(d) for d in document.workflow.groups), key=lambda d: d["id"]) == copied
    (pasted,) = document.workflow.steps
    assert "fahrenheit" not in pasted.outputs  # its cell stayed behind: wire one, run, the inner group runs
    document.connect_output(pasted.id, "fahrenheit", document.add_cell("f").id)
    assert click_run(qtbot, win).result.ok
    result = next(cell for cell in document.workflow.cells if cell.alias == "f")
    assert win.store.get(result.id).value == pytest.approx(70.7)


def test_pasting_a_group_node_after_its_group_was_ungrouped_brings_the_group_back(qtbot, win):
    document = win.document
    instance = _group_by_keys(qtbot, win)
    group_id = document.find_step(instance).group_id
    definition = _definition_json(document.definition(group_id))
    qtbot.keyClick(win.view, Qt.Key.Key_C, CTRL)
    qtbot.keyClick(win.view, Qt.Key.Key_G, CTRL | SHIFT)  # ungrouped: the group is gone
    assert not document.workflow.groups
    qtbot.keyClick(win.view, Qt.Key.Key_V, CTRL)
    pasted = document.workflow.steps[-1]
    assert pasted.group_id == group_id
    assert [_definition_json(d) for d in document.workflow.groups] == [definition]
    assert not win.scene.item_for(pasted.id).placeholder


def test_a_group_node_pasted_where_its_group_has_changed_comes_as_a_new_group_and_changes_nothing_there(
        qtbot, win):
    """Copied, then the group is edited inside; the paste must not make the pasted node compute something
    else, nor change the group there: it comes as 'Group 2', and says so."""
    document = win.document
    instance = _group_by_keys(qtbot, win)
    group_id = document.find_step(instance).group_id
    qtbot.keyClick(win.view, Qt.Key.Key_C, CTRL)
    copied = _definition_json(document.definition(group_id))
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    document.connect_input(ADD, "b", None)
    document.set_param(ADD, "b", 100)  # the group adds 100 now
    _click(qtbot, win, MULTIPLY)
    qtbot.keyClick(win.view, Qt.Key.Key_Right)  # (a node moved inside alone would still be the same group)
    qtbot.keyClick(win.view, Qt.Key.Key_Escape)
    edited = _definition_json(document.definition(group_id))
    count = document.undo_stack.count()
    qtbot.keyClick(win.view, Qt.Key.Key_V, CTRL)
    assert document.undo_stack.count() == count + 1
    pasted = document.workflow.steps[-1]
    assert pasted.group_id not in (None, group_id)
    new = document.definition(pasted.group_id)
    assert new.name == "Group 2" and "'Group 2'" in win.statusBar().currentMessage()
    assert {**_definition_json(new), "id": copied["id"], "name": "Group"} == copied  # what was copied
    assert _definition_json(document.definition(group_id)) == edited  # the group here, left as it was
    assert document.find_step(instance).group_id == group_id
    assert win.scene.item_for(pasted.id).title == "Group 2"
    qtbot.keyClick(win.view, Qt.Key.Key_Z, CTRL)
    assert [d.id for d in document.workflow.groups] == [group_id]


def test_a_renamed_or_rearranged_group_is_still_the_same_group_for_a_paste(qtbot, win):
    document = win.document
    instance = _group_by_keys(qtbot, win)
    group_id = document.find_step(instance).group_id
    qtbot.keyClick(win.view, Qt.Key.Key_C, CTRL)
    document.rename_group(group_id, "Converter")
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    _click(qtbot, win, ADD)
    qtbot.keyClick(win.view, Qt.Key.Key_Down)
    qtbot.keyClick(win.view, Qt.Key.Key_Escape)
    qtbot.keyClick(win.view, Qt.Key.Key_V, CTRL)
    assert [step.group_id for step in document.workflow.steps].count(group_id) == 2
    assert len(document.workflow.groups) == 1


# --- an exposed parameter, seen from inside the group ----------------------------------------------------


def test_inside_a_group_an_exposed_field_shows_the_value_the_entered_node_gives_it(qtbot, tmp_path):
    """Two Readings: 'Outdoor' rounds to 0 digits through the group's exposed 'digits', 'Indoor' sets none.
    Opened through Outdoor, Round's digits says "from group: 0" and is edited on Outdoor's node, not there;
    opened through Indoor, it is the group's default (1), edited in place as any field."""
    from PySide6.QtWidgets import QLabel, QLineEdit

    from fancy_studio.gui.canvas.param_rows import EXPOSED, SET

    win = _window_on_my_readings(qtbot, tmp_path)
    try:
        document, view = win.document, win.view
        indoor, outdoor = document.workflow.steps[:2]
        round_id = UUID("7a1c0e52-3b6d-4f0a-8e21-000000000122")

        def digits_row():
            item = win.scene.item_for(round_id)
            return next(row for row, _y in item.input_layout if row.name == "digits")

        def click_digits():
            item = win.scene.item_for(round_id)
            view.show_node(round_id)
            at = view.mapFromScene(item.mapToScene(item.field_rect("digits").center()))
            qtbot.mouseMove(view.viewport(), at)
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
            qtbot.wait(50)  # (a field's editor opens on the next turn of the event loop)
            return item

        view.show_node(outdoor.id)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_where(win, outdoor.id))
        assert document.level.path == (outdoor.id,)
        row = digits_row()
        assert row.state == EXPOSED and row.value == 0 and row.text == "from group: 0" and not row.editable
        item = click_digits()
        assert not isinstance(QApplication.focusWidget(), QLineEdit)  # no editor: it is set outside
        assert "set from outside" in item.tooltip_text() and "'Outdoor'" in item.tooltip_text()
        assert win.scene.selected_ids() == {round_id}  # the click selected Round: the inspector says the same
        qtbot.waitUntil(lambda: win.findChild(QLabel, "param-digits") is not None)
        assert win.findChild(QLabel, "param-digits").text() == "from group: 0"
        assert document.workflow.groups[0].step(round_id).params == {"digits": 1}

        qtbot.keyClick(view, Qt.Key.Key_Escape)
        view.show_node(indoor.id)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_where(win, indoor.id))
        assert document.level.path == (indoor.id,)
        row = digits_row()
        assert row.state == SET and row.value == 1 and row.editable
        item = click_digits()
        assert "the group's default" in item.tooltip_text()
        qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
        editor = QApplication.focusWidget()
        qtbot.keyClick(editor, Qt.Key.Key_A, CTRL)
        qtbot.keyClicks(editor, "2")
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        assert document.workflow.groups[0].step(round_id).params == {"digits": 2}  # the group's default
        assert document.workflow.step(outdoor.id).params == {"digits": 0}
    finally:
        shut_down(qtbot, win)


def test_exposing_an_input_from_inside_and_back_redraws_its_field_at_once(qtbot, win):
    """Inside, Expose on Group leaves the field as it was (the group's node sets nothing yet); once that
    node sets a value the field comes from the group, and Stop Exposing (inside) gives it back at once."""
    from fancy_studio.gui.canvas.param_rows import EXPOSED

    document = win.document

    def b_row():
        return next(row for row, _y in win.scene.item_for(ADD).input_layout if row.name == "b")

    instance = _group_by_keys(qtbot, win)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    document.connect_input(ADD, "b", None)
    document.set_param(ADD, "b", 32)
    document.expose_on_group(ADD, "b")
    assert b_row().editable and b_row().value == 32
    qtbot.keyClick(win.view, Qt.Key.Key_Escape)
    document.set_param(instance, "b", 7)  # what the group node's field does
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    assert b_row().state == EXPOSED and b_row().value == 7
    document.unexpose_on_group(document.level.definition_id, "b")
    assert b_row().editable and b_row().value == 32


# --- wiring to a group's ports is type-checked -----------------------------------------------------------


def _port_pos(window: MainWindow, node_id: UUID, kind, name: str | None = None) -> QPointF:
    return window.scene.item_for(node_id).port(kind, name).scenePos()


def test_a_wire_to_a_groups_port_is_checked_against_the_types_inside(qtbot, win):
    """The group of Multiply and Add takes floats and gives a float: during a drag from the text cell
    'template' its float inputs do not light up, and the drop is refused with the reason, as on a step; a
    wire from its float output into Format's text 'template' likewise; a float cell fits."""
    from PySide6.QtCore import QEvent

    from fancy_studio.gui.canvas.port_item import PortKind
    from tests.gui.views import drag, send_mouse

    document, scene, view = win.document, win.scene, win.view
    instance = _group_by_keys(qtbot, win)
    template = next(cell.id for cell in document.workflow.cells if cell.alias == "template")
    fmt = next(step.id for step in document.workflow.steps if step.function_slug == "text.format")
    item = scene.item_for(instance)
    assert [port.type_name for port in item.ports] == ["float", "float", "float", "float"]
    view.set_zoom(1.0)
    view.show_node(instance)
    offset_port = item.port(PortKind.STEP_INPUT, "offset")

    # from the text cell: the group's inputs stay dark (a step's text input lights up), a drop is refused
    start = _port_pos(win, template, PortKind.CELL_OUTPUT)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(start))
    send_mouse(view, QEvent.Type.MouseMove, start + QPointF(30, 30))
    assert offset_port.accepting is False
    assert scene.item_for(fmt).port(PortKind.STEP_INPUT, "template").accepting is True  # a text input fits
    send_mouse(view, QEvent.Type.MouseMove, offset_port.scenePos())
    release = view.mapFromScene(offset_port.scenePos())
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=release)
    assert win.statusBar().currentMessage() == "str value cannot feed offset (float)"
    assert document.find_step(instance).inputs["offset"] != template

    # from the group's float output into Format's text template: refused the same way
    view.show_node(fmt)
    drag(qtbot, view, _port_pos(win, instance, PortKind.STEP_OUTPUT, "fahrenheit"),
         _port_pos(win, fmt, PortKind.STEP_INPUT, "template"))
    assert win.statusBar().currentMessage() == "float cannot feed template (str)"
    assert document.find_step(fmt).inputs["template"] == template

    # a float cell fits: factor, dragged onto the group's offset, is wired there in one undo step
    factor_cell = FACTOR
    view.show_node(instance)
    count = document.undo_stack.count()
    drag(qtbot, view, _port_pos(win, factor_cell, PortKind.CELL_OUTPUT), offset_port.scenePos())
    assert document.find_step(instance).inputs["offset"] == factor_cell
    assert document.undo_stack.count() == count + 1


def test_a_cell_written_by_a_group_refuses_a_reader_of_another_type(qtbot, win):
    """The group's output 'fahrenheit' is a float (what Add inside gives): a step that wants text cannot
    read its cell, and the group's output cannot write a cell that such a step reads."""
    from fancy_studio.gui.canvas.port_item import PortKind
    from tests.gui.views import drag

    document, view = win.document, win.view
    instance = _group_by_keys(qtbot, win)
    upper = document.add_step("text.upper", 300, 300)
    view.set_zoom(1.0)
    view.show_node(upper.id)
    assert document.why_not_connect_input(upper.id, "text", FAHRENHEIT) == "float cannot feed text (str)"
    drag(qtbot, view, _port_pos(win, FAHRENHEIT, PortKind.CELL_OUTPUT),
         _port_pos(win, upper.id, PortKind.STEP_INPUT, "text"))
    assert win.statusBar().currentMessage() == "float cannot feed text (str)"
    assert "text" not in document.find_step(upper.id).inputs
    # the other way: the group's output port cannot write a cell that a text input reads
    words = document.add_cell("words", 200, 300)
    document.connect_input(upper.id, "text", words.id)
    assert document.why_not_connect_output(instance, "fahrenheit", words.id) == \
        "float cannot feed Upper Case's text (str)"


def test_a_wire_from_a_groups_input_dropped_on_the_canvas_makes_a_cell_of_the_type_inside(qtbot, win):
    from fancy_studio.gui.canvas.port_item import PortKind
    from tests.gui.views import drag

    document, view = win.document, win.view
    instance = _group_by_keys(qtbot, win)
    document.connect_input(instance, "offset", None)
    view.set_zoom(1.0)
    view.show_node(instance)
    start = _port_pos(win, instance, PortKind.STEP_INPUT, "offset")
    drag(qtbot, view, start, start - QPointF(150, -120))
    cell = document.find_cell(document.find_step(instance).inputs["offset"])
    assert cell.alias == "offset_2" and cell.value == 0.0  # what Add inside takes: a float, not null


# --- a group's ports, changed from inside it ---------------------------------------------------------


def _activate_again(qtbot, window: MainWindow) -> None:
    """Offscreen, a click on Run leaves no window active: give the keys back to the canvas."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()


def _menu_action(window: MainWindow, node_id: UUID, name: str, at_field: str | None = None):
    """Right-click a node (on one of its fields, if named): the menu's action of that objectName."""
    from PySide6.QtGui import QContextMenuEvent

    item = window.scene.item_for(node_id)
    point = item.mapToScene(item.field_rect(at_field).center()) if at_field is not None \
        else item.sceneBoundingRect().center()
    pos = window.view.mapFromScene(point)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, window.view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(window.view.viewport(), event)
    menu = window.findChildren(QMenu, "canvas-context-menu")[-1]  # the one just opened
    action = next((a for a in menu.actions() if a.objectName() == name), None)
    menu.close()
    window.activateWindow()
    window.view.setFocus()
    return action


def test_an_inner_inputs_field_becomes_an_input_of_the_group(qtbot, win):
    """Inside, Add's b (a param, 5) right-clicked: Make 'b' a Group Input. Its value moves into a new cell
    that is the group's input 'b': the group's node has a new input, unwired, which runs with the 5."""
    document, scene = win.document, win.scene
    instance = _group_by_keys(qtbot, win)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    document.connect_input(ADD, "b", None)
    document.set_param(ADD, "b", 5)
    count = document.undo_stack.count()
    _menu_action(win, ADD, "input-to-group-port-action", at_field="b").trigger()
    assert document.undo_stack.count() == count + 1
    cell_id = document.find_step(ADD).inputs["b"]
    assert document.graph.inputs["b"] == cell_id and document.find_cell(cell_id).value == 5
    assert "b" not in document.find_step(ADD).params  # the value lives in the port's cell now
    assert isinstance(scene.item_for(cell_id), PortCellItem) and scene.selected_ids() == {cell_id}
    qtbot.keyClick(win.view, Qt.Key.Key_Escape)
    item = scene.item_for(instance)
    assert [row.name for row, _y in item.input_layout] == ["celsius", "factor", "offset", "b"]
    assert "b" not in document.find_step(instance).inputs
    assert click_run(qtbot, win).result.ok
    assert win.store.get(FAHRENHEIT).value == pytest.approx(21.5 * 1.8 + 5)
    _activate_again(qtbot, win)
    qtbot.keyClick(win.view, Qt.Key.Key_Z, CTRL)  # one step, undone inside where it was made
    assert document.level is not None and "b" not in document.graph.inputs
    assert document.find_step(ADD).params == {"b": 5} and "b" not in document.find_step(ADD).inputs


def test_a_cell_inside_becomes_an_output_of_the_group_and_goes_back(qtbot, win):
    """Inside, 'scaled' (what Multiply writes) right-clicked: Make Group Output. The group's node gives it
    out; wired to a cell outside, it runs; its menu inside then says why it cannot stop being an output."""
    from fancy_studio.gui.canvas.port_item import PortKind
    from tests.gui.views import drag

    document, scene, view = win.document, win.scene, win.view
    instance = _group_by_keys(qtbot, win)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    make = _menu_action(win, SCALED, "make-group-port-action")
    assert make.text() == "Make Group Output" and make.isEnabled()
    make.trigger()
    assert document.graph.outputs == {"fahrenheit": FAHRENHEIT, "scaled": SCALED}
    assert isinstance(scene.item_for(SCALED), PortCellItem) and scene.item_for(SCALED).side == "output"
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    view.set_zoom(1.0)
    view.show_node(instance)
    start = _port_pos(win, instance, PortKind.STEP_OUTPUT, "scaled")
    drag(qtbot, view, start, start + QPointF(120, 160))  # a new cell for it, outside
    outside = document.find_step(instance).outputs["scaled"]
    assert click_run(qtbot, win).result.ok
    assert win.store.get(outside).value == pytest.approx(21.5 * 1.8)
    _activate_again(qtbot, win)
    scene.select_ids({instance})
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    remove = _menu_action(win, SCALED, "remove-group-port-action")
    assert not remove.isEnabled() and "wired on 'Group'" in remove.statusTip()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    document.connect_output(instance, "scaled", None)
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    _menu_action(win, SCALED, "remove-group-port-action").trigger()
    assert "scaled" not in document.graph.outputs and scene.item_for(SCALED) is not None
    assert not isinstance(scene.item_for(SCALED), PortCellItem)


def test_delete_deletes_a_port_no_node_wires_and_refuses_one_they_do(qtbot, win):
    document, scene, view = win.document, win.scene, win.view
    instance = _group_by_keys(qtbot, win)
    offset = next(cell for cell in document.workflow.cells if cell.alias == "offset").id
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    _click(qtbot, win, offset)
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # the group's node wires it: it stays
    assert "offset" in document.graph.inputs and scene.item_for(offset) is not None
    assert "'offset' is wired on 'Group'" in win.statusBar().currentMessage()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    document.connect_input(instance, "offset", None)  # no node wires it now: it may go, with its cell
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    before = _definition_json(document.graph)
    _click(qtbot, win, offset)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert "offset" not in document.graph.inputs and scene.item_for(offset) is None
    assert "b" not in document.find_step(ADD).inputs
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)  # one step: the port and its cell come back
    assert _definition_json(document.graph) == before
    assert isinstance(scene.item_for(offset), PortCellItem)
    assert scene.wire_for(ADD, "inputs", "b").cell_id == offset
