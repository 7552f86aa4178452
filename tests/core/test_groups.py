"""Groups (issue 13): definitions used by instances, run as the flattened workflow they stand for.

A grouped workflow gives the values its flat twin gives; flattened ids are the same run after run (so
results are reused); problems inside a group name the group and the inner step.
"""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from fancy_studio.core import (
    CellSpec,
    Engine,
    InMemoryStore,
    SqliteStore,
    StepStatus,
    UnknownPortError,
    UnprovidedInputError,
    Workflow,
    WorkflowStep,
    WorkflowValidationError,
    find_problems,
    parse_workflow,
)
from fancy_studio.core.errors import GroupError, RecursiveGroupError, TypeMismatchError
from fancy_studio.core.group_edits import group_selection
from fancy_studio.core.groups import flat_id, flatten
from fancy_studio.core.valid_results import valid_cells
from fancy_studio.core.workflow import ExposedParam, GroupDefinition, group_slug
from tests.core.group_helpers import adder_definition, flat_twin, instance


def _two_instances() -> tuple[Workflow, GroupDefinition, WorkflowStep, WorkflowStep]:
    wf = Workflow(name="two instances")
    x = wf.input_cell("x", 3.0)
    definition = adder_definition()
    wf.groups.append(definition)
    first = instance(wf, definition, x.id, "first")
    second = instance(wf, definition, wf.cell(first.outputs["out"]).id, "second", offset=10, factor=-1)
    return wf, definition, first, second


def _value(store, step: WorkflowStep, port: str = "out"):
    return store.get(step.outputs[port]).value


# --- the file -------------------------------------------------------------------------------------------


def test_groups_are_left_out_of_the_file_when_there_are_none_and_round_trip_when_there_are():
    assert "groups" not in json.loads(Workflow().model_dump_json())
    wf, definition, first, _ = _two_instances()
    data = json.loads(wf.model_dump_json())
    assert data["groups"][0]["params"]["offset"] == {"step": str(definition.steps[0].id), "input": "b"}
    assert data["steps"][0]["function_slug"] == f"group:{definition.id}"
    assert parse_workflow(wf.model_dump_json()) == wf
    assert first.group_id == definition.id and WorkflowStep(function_slug="group:nonsense").group_id is None
    assert WorkflowStep(function_slug="math.add").group_id is None and group_slug(definition.id) == first.function_slug


def test_ids_inside_a_definition_and_of_definitions_are_unique():
    definition = adder_definition()
    data = json.loads(definition.model_dump_json())
    data["cells"][1]["id"] = data["cells"][0]["id"]
    with pytest.raises(ValueError, match="group 'Add then scale': two cells have the id"):
        GroupDefinition.model_validate(data)
    with pytest.raises(ValueError, match="two groups have the id"):
        Workflow(groups=[definition, definition.model_copy()])


# --- flattening and running ---------------------------------------------------------------------------


def test_a_workflow_without_instances_flattens_to_itself():
    wf, _, _ = flat_twin()
    assert flatten(wf).workflow is wf and not flatten(wf).grouped


def test_flattened_ids_are_made_from_the_instance_and_inner_ids_and_ports_are_the_cells_outside():
    wf, definition, first, second = _two_instances()
    flattened = flatten(wf)
    again = flatten(wf)
    assert [s.id for s in flattened.workflow.steps] == [s.id for s in again.workflow.steps]
    add, scale = definition.steps
    inner_add = flattened.workflow.step(flat_id([first.id, add.id]))
    assert flattened.step_paths[inner_add.id] == (first.id, add.id)
    assert inner_add.inputs["a"] == first.inputs["in"]  # the input port: the cell outside
    assert flattened.workflow.step(flat_id([first.id, scale.id])).outputs["return"] == first.outputs["out"]
    middle = flat_id([first.id, definition.cells[1].id])
    assert inner_add.outputs["return"] == middle and flattened.cell_paths[middle] == (first.id, definition.cells[1].id)
    assert sorted(flattened.steps_of(second.id)) == sorted([flat_id([second.id, add.id]), flat_id([second.id, scale.id])])


@pytest.mark.parametrize("workers", [1, 2])
def test_two_instances_each_run_with_their_own_inputs_and_params(workers):
    wf, definition, first, second = _two_instances()
    store = InMemoryStore()
    result = Engine(store).run(wf, max_workers=workers)
    assert result.ok and len(result.step_status) == 4
    assert _value(store, first) == (3 + 1) * 2  # the definition's own params
    assert _value(store, second) == (8 + 10) * -1  # the instance's
    definition.steps[1].params = {"b": 3}  # editing the definition changes every instance that uses its value
    Engine(store).run(wf, max_workers=workers)
    assert _value(store, first) == 12 and _value(store, second) == -22


def test_an_unwired_input_port_takes_the_value_its_cell_has_in_the_definition():
    wf = Workflow()
    definition = adder_definition()
    definition.cells[0].value = 100.0
    wf.groups.append(definition)
    step = instance(wf, definition, uuid4(), "out")
    del step.inputs["in"]
    store = InMemoryStore()
    assert Engine(store).run(wf).ok and _value(store, step) == 202
    problems_free = find_problems(wf)
    assert problems_free == []
    given = CellSpec(alias="unused", value=1)  # the caller's input cells do not replace a group's own
    assert Engine(InMemoryStore()).run(wf, initial_cells=[given]).ok


def test_nested_groups_flatten_with_their_paths_and_pass_exposed_params_down():
    wf = Workflow(name="nested")
    x = wf.input_cell("x", 1.0)
    inner = adder_definition("Inner")
    outer = GroupDefinition(name="Outer")
    port_in, port_out = CellSpec(alias="in"), CellSpec(alias="out")
    nested = WorkflowStep(function_slug=group_slug(inner.id), inputs={"in": port_in.id},
                          outputs={"out": port_out.id}, params={"factor": 5})
    outer.cells, outer.steps = [port_in, port_out], [nested]
    outer.inputs, outer.outputs = {"in": port_in.id}, {"out": port_out.id}
    outer.params = {"scale": ExposedParam(step=nested.id, input="factor")}
    wf.groups.extend([inner, outer])
    top = instance(wf, outer, x.id, "result")
    store = InMemoryStore()
    assert Engine(store).run(wf).ok and _value(store, top) == (1 + 1) * 5
    top.params = {"scale": 7}
    assert Engine(store).run(wf).ok and _value(store, top) == 14
    flattened = flatten(wf)
    scale = flattened.workflow.step(flat_id([top.id, nested.id, inner.steps[1].id]))
    assert flattened.step_paths[scale.id] == (top.id, nested.id, inner.steps[1].id)
    assert set(flattened.steps_of(flat_id([top.id, nested.id]))) == set(flattened.step_paths)
    assert flattened.where(scale.id).startswith("in group 'Outer' (") and "› group 'Inner' (" in flattened.where(scale.id)


def test_a_grouped_workflow_gives_the_values_of_its_flat_twin():
    twin, steps, cells = flat_twin()
    grouped = twin.model_copy(deep=True)
    group_selection(grouped, [steps["inc"].id, steps["double"].id], name="Inc and double").apply(grouped)
    results = {}
    for name, wf in (("flat", twin), ("grouped", grouped)):
        store = InMemoryStore()
        assert Engine(store).run(wf).ok
        results[name] = {alias: store.get(cells[alias].id).value for alias in ("double", "neg", "other")}
    assert results["grouped"] == results["flat"] == {"double": 8.0, "neg": -8.0, "other": 4.0}


# --- reuse, staleness, targets ------------------------------------------------------------------------


def test_results_inside_groups_are_reused_and_a_changed_instance_param_reruns_only_what_it_changes(tmp_path):
    wf, definition, first, second = _two_instances()
    path = tmp_path / "s.fancystore"
    with SqliteStore(path) as store:
        engine = Engine(store)
        engine.run(wf)
        assert engine.run(wf).count(StepStatus.CACHED) == 4
        second.params = {"offset": 10, "factor": -2}
        result = engine.run(wf)
        scale_of_second = flat_id([second.id, definition.steps[1].id])
        assert [s for s, status in result.step_status.items() if status is StepStatus.DONE] == [scale_of_second]
    inside = {flat_id([first.id, definition.cells[1].id]), flat_id([second.id, definition.cells[1].id])}
    with SqliteStore(path) as store:
        vouched = valid_cells(wf, store)
        assert inside | {first.outputs["out"], second.outputs["out"]} <= vouched
        second.params = {"offset": 11, "factor": -2}
        vouched = valid_cells(wf, store)
        assert flat_id([second.id, definition.cells[1].id]) not in vouched and second.outputs["out"] not in vouched
        assert flat_id([first.id, definition.cells[1].id]) in vouched


def test_a_run_can_target_an_instance_or_a_step_inside_one():
    wf, definition, first, second = _two_instances()
    ran = Engine(InMemoryStore()).run(wf, targets=[first.id])
    assert set(ran.step_status) == set(flatten(wf).steps_of(first.id))
    offset_of_second = flat_id([second.id, definition.steps[0].id])
    ran = Engine(InMemoryStore()).run(wf, targets=[offset_of_second])
    assert set(ran.step_status) == {*flatten(wf).steps_of(first.id), offset_of_second}


def test_a_failure_inside_a_group_is_the_inner_steps_and_skips_what_follows():
    wf, definition, first, second = _two_instances()
    definition.steps[0].function_slug = "math.divide"
    definition.steps[0].params = {"b": 0}
    definition.params = {}
    second.params = {}
    result = Engine(InMemoryStore()).run(wf)
    failed = flat_id([first.id, definition.steps[0].id])
    assert result.step_status[failed] is StepStatus.FAILED and "ZeroDivisionError" == result.errors[failed].type_name
    assert result.count(StepStatus.SKIPPED) == 3


# --- problems ---------------------------------------------------------------------------------------------


def test_a_definition_that_contains_itself_is_an_error_naming_the_chain():
    wf = Workflow(name="loop")
    a, b = GroupDefinition(name="A"), GroupDefinition(name="B")
    a.steps = [WorkflowStep(function_slug=group_slug(b.id))]
    b.steps = [WorkflowStep(function_slug=group_slug(a.id))]
    wf.groups.extend([a, b])
    wf.add_step(WorkflowStep(function_slug=group_slug(a.id)))
    problems = find_problems(wf)
    assert len(problems) == 1 and isinstance(problems[0], RecursiveGroupError)
    assert str(problems[0]) in ("group 'A' contains group 'B', which contains group 'A': a group cannot contain itself",
                                "group 'B' contains group 'A', which contains group 'B': a group cannot contain itself")
    assert problems[0].chain[0] == problems[0].chain[-1]
    with pytest.raises(RecursiveGroupError, match="contains group"):
        Engine(InMemoryStore()).run(wf)
    with pytest.raises(RecursiveGroupError, match="contains group 'A', which contains group 'A'|group 'A' contains "):
        flatten(wf)
    a.steps = [WorkflowStep(function_slug=group_slug(a.id))]
    assert "group 'A' contains group 'A'" in str(find_problems(wf)[0])


def test_an_instance_of_a_definition_the_workflow_lacks_is_an_error_not_a_missing_function():
    wf = Workflow()
    lost = wf.add_step(WorkflowStep(function_slug=group_slug(uuid4()), label="Lost"))
    for candidate in (wf, Workflow(steps=[lost], groups=[adder_definition()])):
        problems = find_problems(candidate)
        assert [type(p) for p in problems] == [GroupError]
        assert "step 'Lost'" in str(problems[0]) and "which this workflow does not define" in str(problems[0])
        with pytest.raises(GroupError):
            Engine(InMemoryStore()).run(candidate)  # never skipped as "not installed"


def test_wrong_ports_params_and_bypass_on_an_instance_are_errors_naming_the_group():
    wf, definition, first, _ = _two_instances()
    first.inputs["extra"] = first.inputs["in"]
    first.params = {"speed": 3}
    first.bypass = True
    messages = [(type(p), str(p)) for p in find_problems(wf)]
    assert (UnknownPortError, f"group 'Add then scale' ({str(first.id)[:8]}) wires input 'extra', which group "
            "'Add then scale' does not have (its inputs: in)") in messages
    assert any(kind is UnknownPortError and "parameter 'speed'" in text and "its parameters: offset, factor" in text
               for kind, text in messages)
    assert any(kind is GroupError and "is bypassed, but a group cannot be" in text for kind, text in messages)


def test_a_definition_whose_ports_or_params_name_what_is_not_there_is_an_error():
    wf, definition, _, _ = _two_instances()
    definition.outputs["ghost"] = uuid4()
    definition.outputs["twice"] = definition.outputs["out"]
    definition.params["missing"] = ExposedParam(step=definition.steps[0].id, input="c")
    definition.params["nowhere"] = ExposedParam(step=uuid4(), input="b")
    messages = [str(p) for p in find_problems(wf)]
    assert any("output 'ghost' stands for cell" in m and "which no step of the group writes" in m for m in messages)
    assert any("ports 'out' and 'twice' stand for the same cell" in m for m in messages)
    assert any("parameter 'missing' sets input 'c' of step 'Offset'" in m and "its inputs: a, b" in m for m in messages)
    assert any("parameter 'nowhere' sets an input of step" in m and "not in the group" in m for m in messages)


def test_a_problem_inside_a_group_names_the_group_and_the_inner_step_and_points_at_the_instance():
    wf, definition, first, second = _two_instances()
    second.label = "Second"
    definition.steps[1].params = {"b": "two"}  # a type mismatch in every instance that does not set it
    problems = find_problems(wf)
    assert [type(p) for p in problems] == [TypeMismatchError]
    problem = problems[0]
    assert str(problem).startswith(f"in group 'Add then scale' ({str(first.id)[:8]}): step 'Scale' (math.multiply, ")
    assert problem.step_id == first.id and problem.group_path == (first.id, definition.steps[1].id)
    definition.steps[1].params = {"b": 2}
    del second.inputs["in"]
    problem = find_problems(wf)[0]
    assert isinstance(problem, UnprovidedInputError) and problem.step_id == second.id and problem.cell_id is None
    assert str(problem).startswith(f"in group 'Add then scale' as 'Second' ({str(second.id)[:8]}): step 'Offset'")
    with pytest.raises(WorkflowValidationError, match="in group 'Add then scale' as 'Second'"):
        Engine(InMemoryStore()).run(wf)


def test_a_checked_plan_knows_where_its_steps_came_from():
    wf, definition, first, _ = _two_instances()
    plan = Engine(InMemoryStore()).check(wf)
    assert plan.flattened is not None and plan.workflow is not wf
    assert plan.flattened.step_paths[plan.step_ids[0]] == (first.id, definition.steps[0].id)
    flat, _, _ = flat_twin()
    assert Engine(InMemoryStore()).check(flat).flattened is None


