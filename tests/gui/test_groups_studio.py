"""Groups in the studio, driven by real clicks and keys: select two steps, Ctrl+G, double-click the group to
open it, Esc (or the breadcrumb) to leave, Ctrl+Shift+G to ungroup, Ctrl+Z to undo it all; a second instance
dragged from the palette changes with the first; a run shows on the group's node and inside it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMenu

from fancy_studio.core import Workflow, load_workflow, save_workflow
from fancy_studio.core.groups import flat_id
from fancy_studio.gui.canvas.group_node_item import GroupNodeItem, PortCellItem
from fancy_studio.gui.mime import FUNCTION_MIME
from fancy_studio.gui.panels.palette import SLUG_ROLE
from fancy_studio.gui.run.status import StepState
from tests.core.test_cli import fancy
from tests.example_ids import ADD, CELSIUS, EXAMPLE, FAHRENHEIT, MULTIPLY, SCALED
from tests.gui.groups_helpers import (  # noqa: F401 (fixtures)
    CTRL,
    SHIFT,
    _click,
    _group_by_keys,
    _state,
    _where,
    _window_on_my_readings,
    dialogs,
    win,
)
from tests.gui.windows import click_run, node_context_menu, shut_down


def test_group_enter_leave_ungroup_and_undo_all_with_clicks_and_keys(qtbot, win):
    document, scene = win.document, win.scene
    before = _state(win)
    instance = _group_by_keys(qtbot, win)

    # the selection is one node whose ports are the wires crossing its edge
    item = scene.item_for(instance)
    assert isinstance(item, GroupNodeItem) and item.title == "Group"
    assert scene.item_for(MULTIPLY) is None and scene.item_for(SCALED) is None  # scaled lay between them
    assert scene.wire_for(instance, "inputs", "celsius").cell_id == CELSIUS
    assert scene.wire_for(instance, "outputs", "fahrenheit").cell_id == FAHRENHEIT
    assert scene.item_for(FAHRENHEIT) is not None  # still read by Format, outside

    # a double-click opens it: its nodes, its ports as the group's inputs and output, a breadcrumb
    qtbot.mouseDClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=_where(win, instance))
    assert document.level is not None and document.level.path == (instance,)
    inner = {item.node_id for item in scene.node_items() if not isinstance(item, PortCellItem)}
    assert inner == {MULTIPLY, ADD, SCALED}
    ports = {item.node_id: item.side for item in scene.node_items() if isinstance(item, PortCellItem)}
    assert ports[CELSIUS] == "input" and ports[FAHRENHEIT] == "output"
    crumb = win.group_actions.breadcrumb
    assert crumb.isVisible() and "Temperature report" in crumb.text() and "Group" in crumb.text()
    assert scene.item_for(CELSIUS).value_text == "= 21.5"  # what the instance's wire brings in

    # Esc leaves; the group's node is where it was
    win.view.setFocus()
    qtbot.keyClick(win.view, Qt.Key.Key_Escape)
    assert document.level is None and not crumb.isVisible()
    assert isinstance(scene.item_for(instance), GroupNodeItem)

    # Ctrl+Shift+G puts the nodes back exactly: ids, wiring, positions
    _click(qtbot, win, instance)
    qtbot.keyClick(win.view, Qt.Key.Key_G, CTRL | SHIFT)
    assert _state(win) == before
    assert scene.item_for(MULTIPLY) is not None and scene.wire_for(ADD, "inputs", "a").cell_id == SCALED

    # undo all: the ungroup, then the group
    qtbot.keyClick(win.view, Qt.Key.Key_Z, CTRL)
    assert [s.group_id is not None for s in document.workflow.steps] == [True, False]
    qtbot.keyClick(win.view, Qt.Key.Key_Z, CTRL)
    assert _state(win) == before
    assert not document.undo_stack.canUndo() and not document.modified
    assert {item.node_id for item in scene.node_items()} == {*(s.id for s in document.workflow.steps),
                                                             *(c.id for c in document.workflow.cells)}


def test_tab_enters_the_selected_group_and_the_breadcrumb_leads_back(qtbot, win):
    instance = _group_by_keys(qtbot, win)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    assert win.document.level.path == (instance,)
    crumb = win.group_actions.breadcrumb
    crumb.linkActivated.emit("0")  # what a click on "Temperature report" does
    assert win.document.level is None
    assert win.scene.item_for(instance) is not None


def test_an_edit_inside_a_group_is_undone_inside_it(qtbot, win):
    document = win.document
    instance = _group_by_keys(qtbot, win)
    document.enter_group(instance)
    before = document.position(MULTIPLY)
    _click(qtbot, win, MULTIPLY)
    qtbot.keyClick(win.view, Qt.Key.Key_Right)  # a nudge, inside
    assert document.position(MULTIPLY) != before
    win.group_actions.leave()
    qtbot.keyClick(win.view, Qt.Key.Key_Z, CTRL)  # back inside, where the edit was made, and undone
    assert document.level is not None and document.level.path == (instance,)
    assert document.position(MULTIPLY) == before
    qtbot.keyClick(win.view, Qt.Key.Key_Z, CTRL)  # the group itself is undone at the top level
    assert document.level is None and not document.workflow.groups


def test_the_palette_lists_the_workflows_groups_and_a_drop_adds_another_instance(qtbot, win):
    document = win.document
    instance = _group_by_keys(qtbot, win)
    model = win.palette_widget.model
    category = model.item(0)
    assert category.text() == "This workflow" and category.child(0).text() == "Group"
    mime = model.mimeData([category.child(0).index()])
    slug = bytes(mime.data(FUNCTION_MIME)).decode()
    assert slug == category.child(0).data(SLUG_ROLE) == document.find_step(instance).function_slug
    drop = QMimeData()
    drop.setData(FUNCTION_MIME, slug.encode())
    win.view.dropEvent(QDropEvent(QPointF(300, 400), Qt.DropAction.CopyAction, drop,
                                  Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    second = document.workflow.steps[-1]
    assert second.id != instance and second.function_slug == slug
    assert isinstance(win.scene.item_for(second.id), GroupNodeItem)
    # inside a group, the palette offers no group that would contain itself
    document.enter_group(instance)
    assert model.item(0).text() != "This workflow"
    document.leave_group()
    assert model.item(0).text() == "This workflow"


def test_two_instances_of_one_group_change_together(qtbot, tmp_path):
    """Two instances of "×factor + 1" on two inputs; opening one and changing a step inside changes both."""
    from tests.core.group_helpers import adder_definition, instance

    wf = Workflow(name="two instances")
    definition = adder_definition()
    wf.groups.append(definition)
    a, b = wf.input_cell("a", 1.0), wf.input_cell("b", 10.0)
    first, second = instance(wf, definition, a.id, "first"), instance(wf, definition, b.id, "second")
    path = tmp_path / "two.json"
    save_workflow(wf, path)
    from tests.gui.windows import active_window

    win = active_window(qtbot, path)
    try:
        document, scene = win.document, win.scene
        assert click_run(qtbot, win).result.ok
        out = {step.id: next(iter(step.outputs.values())) for step in (first, second)}
        assert [win.store.get(out[s.id]).value for s in (first, second)] == [4.0, 22.0]  # (x + 1) × 2

        scene.select_ids({first.id})
        win.view.setFocus()
        qtbot.keyClick(win.view, Qt.Key.Key_Tab)
        scale = next(step for step in definition.steps if step.label == "Scale")
        document.set_param(scale.id, "b", 3)  # inside the group: "Scale" multiplies by 3 now
        win.group_actions.leave()
        for step in (first, second):  # both nodes say their last result is out of date
            assert win.run_view.info(step.id).stale == "group 'Add then scale' changed"
        assert click_run(qtbot, win).result.ok
        assert [win.store.get(out[s.id]).value for s in (first, second)] == [6.0, 33.0]
        assert win.run_view.info(first.id).stale is None
    finally:
        shut_down(qtbot, win)


def test_a_run_shows_on_the_group_node_and_inside_it(qtbot, win):
    document = win.document
    instance = _group_by_keys(qtbot, win)
    outcome = click_run(qtbot, win)
    assert outcome.result.ok
    qtbot.waitUntil(lambda: win.scene.item_for(FAHRENHEIT).value_text == "= 70.7")
    info = win.run_view.info(instance)
    assert info.state is StepState.DONE and info.seconds is not None
    assert "Done in" in win.scene.item_for(instance).tooltip_text()
    document.enter_group(instance)
    assert win.run_view.info(MULTIPLY).state is StepState.DONE  # its own state, in this instance
    assert win.scene.item_for(SCALED).value_text == "= 38.7"  # an inner cell's value
    assert win.scene.item_for(FAHRENHEIT).value_text == "= 70.7"  # the output port: the cell outside
    flat_multiply = flat_id((instance, MULTIPLY))
    assert win.run_view.step_title(flat_multiply) == "Group › Multiply"  # the Datums dock's "Produced by"
    document.leave_group()
    assert click_run(qtbot, win).result.ok  # nothing changed: every step inside is reused
    assert win.run_view.info(instance).state is StepState.CACHED


def test_run_up_to_a_step_inside_a_group_runs_it_in_that_instance(qtbot, win):
    document = win.document
    instance = _group_by_keys(qtbot, win)
    document.enter_group(instance)
    assert win.run_actions.targets_for({MULTIPLY}) == [flat_id((instance, MULTIPLY))]
    with qtbot.waitSignal(win.runner.finished, timeout=10_000) as finished:
        assert win.run_actions.run_up_to(MULTIPLY)
    result = finished.args[0].result
    assert result.ok and list(result.step_status) == [flat_id((instance, MULTIPLY))]
    assert win.run_view.info(MULTIPLY).state is StepState.DONE
    assert win.run_view.info(ADD).state is StepState.IDLE


def test_grouping_inside_a_group_nests_it_and_the_breadcrumb_shows_the_way(qtbot, win):
    document = win.document
    instance = _group_by_keys(qtbot, win)
    document.enter_group(instance)
    _click(qtbot, win, ADD)
    qtbot.keyClick(win.view, Qt.Key.Key_G, CTRL)
    (inner,) = win.scene.selected_ids()
    assert len(document.workflow.groups) == 2
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    assert document.level.path == (instance, inner)
    assert win.group_actions.breadcrumb.text().count("›") == 2
    assert click_run(qtbot, win).result.ok
    assert win.store.get(FAHRENHEIT).value == pytest.approx(70.7)
    win.group_actions.breadcrumb.linkActivated.emit("0")
    assert document.level is None


def test_a_group_made_in_the_studio_runs_headless_with_the_results_of_its_flat_twin(qtbot, win, tmp_path):
    flat = tmp_path / "flat.json"
    flat.write_bytes(EXAMPLE.read_bytes())
    _group_by_keys(qtbot, win)
    qtbot.keyClick(win.view, Qt.Key.Key_S, CTRL)
    saved = load_workflow(win.document.path)
    assert saved.groups and any(step.group_id for step in saved.steps)
    grouped, plain = fancy("run", str(win.document.path)), fancy("run", str(flat))
    assert grouped.returncode == plain.returncode == 0, grouped.stderr
    assert grouped.stdout == plain.stdout == "sentence = 'It is 70.7 °F outside.'\n"


def test_group_needs_a_step_and_the_menu_offers_the_group_actions(qtbot, win):
    _click(qtbot, win, CELSIUS)
    qtbot.keyClick(win.view, Qt.Key.Key_G, CTRL)
    assert not win.document.workflow.groups
    instance = _group_by_keys(qtbot, win)
    menu = node_context_menu(win, instance)
    names = {action.objectName() for action in menu.actions()}
    assert {"enter-group-action", "ungroup-action", "rename-group-action"} <= names
    menu.close()
    edit = win.findChild(QMenu, "edit-menu")
    assert {"group-action", "ungroup-action", "enter-group-action", "leave-group-action"} <= \
        {action.objectName() for action in edit.actions()}
    assert win.findChild(QMenu, "edit-menu") is not None
    assert QApplication.activeWindow() is win


def test_leaving_puts_the_levels_own_items_back_caught_up_with_what_happened_inside(qtbot, win):
    """The level left for a group is kept, not drawn again: its items come back, showing a run made inside
    and a parameter exposed inside, with the group's node selected."""
    document, scene = win.document, win.scene
    instance = _group_by_keys(qtbot, win)
    sentence = next(cell.id for cell in document.workflow.cells if cell.alias == "sentence")
    kept = scene.item_for(sentence)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    assert scene.item_for(sentence) is None and kept.scene() is None
    document.connect_input(ADD, "b", None)
    document.set_param(ADD, "b", 32)
    document.expose_on_group(ADD, "b")
    assert click_run(qtbot, win).result.ok  # run from inside the group
    qtbot.keyClick(win.view, Qt.Key.Key_Escape)
    assert scene.item_for(sentence) is kept and kept.scene() is scene
    qtbot.waitUntil(lambda: kept.value_text.startswith('= "It is 70.7'))
    assert any(row.name == "b" for row, _y in scene.item_for(instance).input_layout)
    assert scene.selected_ids() == {instance}
    assert len(scene.wire_items()) == sum(len(s.inputs) + len(s.outputs) for s in document.workflow.steps)


def test_the_two_readings_example_opens_as_groups_and_runs_as_headless(qtbot, dialogs):
    """The bundled example with one group used twice: no "missing function" (a group is none), and the
    studio's run gives what `fancy-studio run` prints."""
    from fancy_studio.resources import examples_dir
    from tests.gui.windows import active_window

    example = examples_dir() / "two_readings.json"
    win = active_window(qtbot, example)
    try:
        assert dialogs["warning"].asked == []
        groups = [item for item in win.scene.node_items() if isinstance(item, GroupNodeItem)]
        assert sorted(item.title for item in groups) == ["Indoor", "Outdoor"]
        assert click_run(qtbot, win).result.ok
        sentence = next(cell.id for cell in win.document.workflow.cells if cell.alias == "sentence")
        headless = fancy("run", str(example))
        assert headless.returncode == 0
        assert headless.stdout == f"sentence = {win.store.get(sentence).value!r}\n"
    finally:
        shut_down(qtbot, win)


@pytest.mark.kernel
def test_a_grouped_workflow_runs_in_the_kernel_and_shows_on_its_group_nodes(qtbot, tmp_path):
    """The example with two instances of one group, copied as the user's own file (a store on disk), run in
    the kernel: each group's node is done, a step inside shows its state and a cell inside its value."""
    win = _window_on_my_readings(qtbot, tmp_path)
    try:
        qtbot.waitUntil(lambda: win.kernel_actions.link.state == "idle", timeout=20_000)
        with qtbot.waitSignal(win.runner.finished, timeout=30_000) as finished:
            win.run_actions.run_action.trigger()
        outcome = finished.args[0]
        assert outcome.in_kernel and outcome.result.ok
        indoor, outdoor = win.document.workflow.steps[:2]
        for instance in (indoor, outdoor):
            assert win.run_view.info(instance.id).state is StepState.DONE
        win.document.enter_group(outdoor.id)
        definition = win.document.graph
        unrounded = next(cell.id for cell in definition.cells if cell.alias == "unrounded")
        assert win.run_view.info(definition.steps[0].id).state is StepState.DONE
        qtbot.waitUntil(lambda: win.scene.item_for(unrounded).value_text == "= 39.56", timeout=5000)
    finally:
        shut_down(qtbot, win)


def test_a_problem_inside_a_group_leads_to_the_groups_node(qtbot, win):
    document = win.document
    instance = _group_by_keys(qtbot, win)
    document.enter_group(instance)
    document.connect_input(ADD, "b", None)  # Add's b: no wire, no param, no default
    outcome = click_run(qtbot, win)
    (problem,) = outcome.problems
    assert problem.step_id == instance and "in group 'Group'" in str(problem)
    win.problems.node_activated.emit(problem.step_id)  # a double-click on the entry
    assert document.level is None and win.scene.selected_ids() == {instance}


def test_a_group_made_inside_a_group_ungroups_exactly_there(qtbot, win):
    document = win.document
    instance = _group_by_keys(qtbot, win)
    qtbot.keyClick(win.view, Qt.Key.Key_Tab)
    before = _state(win)
    _click(qtbot, win, ADD)
    qtbot.keyClick(win.view, Qt.Key.Key_G, CTRL)
    assert len(document.workflow.groups) == 2
    qtbot.keyClick(win.view, Qt.Key.Key_G, CTRL | SHIFT)
    assert _state(win) == before  # the inner group's definition is gone, Add has its own id back
    assert document.level.path == (instance,)


def test_an_edit_inside_a_group_dims_what_it_changes_there_and_then_the_groups_node(qtbot, win):
    document, view = win.document, win.run_view
    instance = _group_by_keys(qtbot, win)
    assert click_run(qtbot, win).result.ok
    document.enter_group(instance)
    document.connect_input(MULTIPLY, "b", None)
    document.set_param(MULTIPLY, "b", 2.0)  # Multiply scales by 2 now: what follows it inside is stale
    for node in (MULTIPLY, ADD):
        assert view.info(node).stale is not None
    assert view.stale_reason(SCALED) is not None and view.stale_reason(FAHRENHEIT) is not None
    assert win.scene.item_for(SCALED).value_text.startswith("stale:")
    assert view.stale_reason(CELSIUS) is None  # an input of the group: not downstream
    document.leave_group()
    assert view.info(instance).stale == "group 'Group' changed"
    assert click_run(qtbot, win).result.ok
    assert view.info(instance).stale is None
    assert win.store.get(FAHRENHEIT).value == pytest.approx(21.5 * 2 + 32)
