"""Grouping a selection, ungrouping an instance, exposing a parameter: edits an undo command can make and
unmake exactly, and that change nothing a run computes."""

from __future__ import annotations

import pytest

from fancy_studio.core import Engine, InMemoryStore, SqliteStore, StepStatus, Workflow, find_problems
from fancy_studio.core.group_edits import expose_param, group_selection, unexpose_param, ungroup
from fancy_studio.core.groups import flat_id
from fancy_studio.core.valid_results import valid_cells
from fancy_studio.core.workflow import Position
from tests.core.group_helpers import adder_definition, flat_twin, instance


def _values(wf: Workflow) -> dict[str, object]:
    store = InMemoryStore()
    assert Engine(store).run(wf).ok
    return {cell.alias: store.get(cell.id).value for cell in wf.cells if cell.id in store}


def _nodes(wf: Workflow) -> tuple:
    """The nodes of a workflow whatever the order of its lists."""
    return (sorted(s.model_dump_json() for s in wf.steps), sorted(c.model_dump_json() for c in wf.cells),
            wf.layout, wf.groups)


def test_group_then_ungroup_gives_back_an_equal_workflow_layout_included():
    wf, steps, cells = flat_twin()
    before = wf.model_copy(deep=True)
    edit = group_selection(wf, [steps["inc"].id, steps["double"].id], name="Inc and double")
    edit.apply(wf)
    definition = wf.groups[0]
    assert definition.inputs == {"x": cells["x"].id} and definition.outputs == {"double": cells["double"].id}
    assert [c.alias for c in definition.cells] == ["inc", "x", "double"]  # its own cell, then the ports'
    assert [s.function_slug for s in wf.steps] == [f"group:{definition.id}", "math.negate", "math.increment"]
    assert wf.layout[edit.instance.id] == Position(x=100.0, y=10.0)  # the top-left of what it holds
    assert cells["inc"].id not in wf.layout and steps["inc"].id not in wf.layout
    assert find_problems(wf) == [] and _values(wf) == {"x": 3.0, "double": 8.0, "neg": -8.0, "other": 4.0}
    ungroup(wf, edit.instance.id).apply(wf)
    assert wf == before


def test_a_selection_out_of_order_ungroups_to_the_same_nodes_and_undo_is_exact_for_any():
    wf, steps, cells = flat_twin()
    before = wf.model_copy(deep=True)
    edit = group_selection(wf, [steps["double"].id, steps["other"].id], [cells["double"].id])
    edit.apply(wf)
    assert _values(wf) == _values(before)
    undo = wf.model_copy(deep=True)
    back = ungroup(wf, edit.instance.id)
    back.apply(wf)
    assert _nodes(wf) == _nodes(before)  # the lists in another order: nothing that runs changes
    back.undo(wf)
    assert wf == undo
    edit.undo(wf)
    assert wf == before
    assert wf.steps[1] is steps["double"] and wf.cells[2] is cells["double"]  # the very objects


def test_which_cells_go_in_and_which_are_ports():
    """A cell goes in when no step outside touches it and it is selected or lies between grouped steps;
    any other cell a grouped step touches stays outside, as a port with the cell's alias for name."""
    wf, steps, cells = flat_twin()
    edit = group_selection(wf, [steps["inc"].id, steps["double"].id, steps["neg"].id], [cells["neg"].id])
    assert {c.alias for _, c in edit.cells} == {"inc", "double", "neg"}  # between, between, selected
    assert edit.definition.inputs == {"x": cells["x"].id} and edit.definition.outputs == {}
    edit = group_selection(wf, [steps["neg"].id])
    assert edit.cells == [] and edit.definition.outputs == {"neg": cells["neg"].id}  # a result nothing reads
    edit = group_selection(wf, [steps["inc"].id, steps["other"].id], [cells["x"].id])
    assert [c.alias for _, c in edit.cells] == ["x"]  # a value only grouped steps read
    assert edit.definition.inputs == {}
    assert edit.definition.outputs == {"inc": cells["inc"].id, "other": cells["other"].id}
    with pytest.raises(ValueError, match="at least one step"):
        group_selection(wf, [], [cells["x"].id])
    with pytest.raises(KeyError):
        group_selection(wf, [steps["inc"].id, cells["x"].id])


def test_ungrouping_one_of_two_instances_gives_its_nodes_their_flattened_ids_and_keeps_stored_results(tmp_path):
    wf = Workflow(name="two")
    x = wf.input_cell("x", 3.0)
    definition = adder_definition()
    wf.groups.append(definition)
    first = instance(wf, definition, x.id, "first", factor=10)
    instance(wf, definition, x.id, "second")
    wf.layout[first.id] = Position(x=500.0, y=40.0)
    definition.layout = {definition.steps[0].id: Position(x=0.0, y=0.0), definition.steps[1].id: Position(x=200.0, y=30.0)}
    values = _values(wf)
    path = tmp_path / "s.fancystore"
    with SqliteStore(path) as store:
        Engine(store).run(wf)
    edit = ungroup(wf, first.id)
    edit.apply(wf)
    assert wf.groups == [definition] and edit.definition is None  # the other instance still uses it
    add, scale = (wf.step(flat_id([first.id, inner.id])) for inner in definition.steps)
    assert scale.params == {"b": 10} and add.params == {"b": 1}  # the instance's value, the definition's own
    assert wf.layout[add.id] == Position(x=500.0, y=40.0) and wf.layout[scale.id] == Position(x=700.0, y=70.0)
    assert _values(wf) == {**values, "middle": 4.0}  # the ungrouped instance's inner cell is outside now
    with SqliteStore(path) as store:
        assert flat_id([first.id, definition.cells[1].id]) in valid_cells(wf, store)
        assert Engine(store).run(wf).count(StepStatus.CACHED) == 4


def test_ungrouping_the_last_instance_takes_its_definition_and_undo_brings_both_back():
    wf = Workflow()
    definition = adder_definition()
    wf.groups.append(definition)
    only = instance(wf, definition, wf.input_cell("x", 1.0).id, "result")
    before = wf.model_copy(deep=True)
    edit = ungroup(wf, only.id)
    edit.apply(wf)
    assert wf.groups == [] and {s.id for s in wf.steps} == {s.id for s in definition.steps}
    assert _values(wf)["result"] == 4.0
    edit.undo(wf)
    assert wf == before
    with pytest.raises(KeyError):
        ungroup(wf, wf.cells[0].id)


def test_exposing_a_parameter_lets_each_instance_set_it_and_unexposing_takes_their_values_back_on_undo():
    wf, steps, _cells = flat_twin()
    grouping = group_selection(wf, [steps["inc"].id, steps["double"].id])
    grouping.apply(wf)
    definition, group = wf.groups[0], grouping.instance
    expose = expose_param(wf, definition.id, steps["double"].id, "b")
    assert expose.name == "b"
    expose.apply(wf)
    assert _values(wf)["neg"] == -8.0  # not set on the instance: the inner step's own value
    group.params = {"b": 5}
    assert _values(wf)["neg"] == -20.0
    with pytest.raises(ValueError, match="already"):
        expose_param(wf, definition.id, steps["double"].id, "b")
    with pytest.raises(ValueError, match="wired inside"):
        expose_param(wf, definition.id, steps["double"].id, "a")
    with pytest.raises(ValueError, match="has a parameter 'b' already"):
        expose_param(wf, definition.id, steps["inc"].id, "y", "b")
    hide = unexpose_param(wf, definition.id, "b")
    hide.apply(wf)
    assert definition.params == {} and group.params == {} and find_problems(wf) == []
    hide.undo(wf)
    assert group.params == {"b": 5} and _values(wf)["neg"] == -20.0
    group.params = {}  # (an undo stack undoes the instance's value before the exposing)
    expose.undo(wf)
    assert definition.params == {} and _values(wf)["neg"] == -8.0
