"""Parameters on steps (issue 13): an input no wire feeds takes a literal value kept in the step itself.

The engine uses a wire when there is one, else the parameter, else the function's default; on every
execution path (the fast in-memory loop, the general one on any store, the parallel one), in the reuse key
and in what a reopened store still vouches for.
"""

from __future__ import annotations

import enum
import json
from collections import Counter
from typing import Literal

import pytest
from pydantic import ValidationError

from fancy_studio.core import (
    Engine,
    InMemoryStore,
    MissingParameterError,
    SqliteStore,
    StepStatus,
    TypeMismatchError,
    UnknownPortError,
    Workflow,
    WorkflowStep,
    find_problems,
    parse_workflow,
)
from fancy_studio.core.functions import FunctionRegistry, fancy_function
from fancy_studio.core.valid_results import valid_cells
from tests.core.helpers import PATHS


def _adder(params: dict | None = None, *, wired_b: float | None = None) -> tuple[Workflow, WorkflowStep]:
    """a (an input cell, 2) + b: b wired to a cell holding `wired_b` when given."""
    wf = Workflow(name="params")
    a = wf.input_cell("a", 2)
    inputs = {"a": a.id}
    if wired_b is not None:
        inputs["b"] = wf.input_cell("b", wired_b).id
    out = wf.output_cell("sum")
    step = wf.add_step(WorkflowStep(function_slug="math.add", inputs=inputs, outputs={"return": out.id},
                                    params=params or {}))
    return wf, step


# --- the file ---------------------------------------------------------------------------------------


def test_params_are_left_out_of_the_file_when_empty_and_round_trip_when_set():
    plain, _ = _adder()
    assert "params" not in json.loads(plain.model_dump_json())["steps"][0]
    wf, step = _adder({"b": 5, "note": {"deep": [1, 2.5, None, "x"]}})
    data = json.loads(wf.model_dump_json())
    assert data["schema_version"] == 2
    assert data["steps"][0]["params"] == {"b": 5, "note": {"deep": [1, 2.5, None, "x"]}}
    assert parse_workflow(wf.model_dump_json()) == wf


def test_a_param_that_is_not_a_finite_number_is_refused_naming_the_step():
    wf, step = _adder({"b": 1})
    data = json.loads(wf.model_dump_json())
    data["steps"][0]["params"] = {"b": [1, float("nan")]}
    data["steps"][0]["label"] = "Total"
    with pytest.raises(Exception, match=r"step 'Total' \(math.add, .*\): params\['b'\]\[1\] is NaN"):
        parse_workflow(json.dumps(data))
    with pytest.raises(ValidationError, match="Infinity"):
        step.params = {"b": float("inf")}
    assert step.params == {"b": 1}  # the refused assignment left the old value


# --- what runs ----------------------------------------------------------------------------------------


@PATHS
def test_a_param_feeds_an_unwired_input_on_every_path(store_type, workers):
    wf, step = _adder({"b": 5})
    store = store_type()
    result = Engine(store).run(wf, max_workers=workers)
    assert result.ok
    assert store.get(step.outputs["return"]).value == 7


@PATHS
def test_a_wire_wins_over_a_param_which_comes_back_when_the_wire_goes(store_type, workers):
    wf, step = _adder({"b": 5}, wired_b=100)
    store = store_type()
    Engine(store).run(wf, max_workers=workers)
    assert store.get(step.outputs["return"]).value == 102
    del step.inputs["b"]
    Engine(store).run(wf, max_workers=workers)
    assert store.get(step.outputs["return"]).value == 7


@PATHS
def test_an_input_with_neither_wire_nor_param_takes_the_functions_default(store_type, workers):
    wf = Workflow()
    x = wf.input_cell("x", 2.345)
    rounded, given = wf.output_cell("rounded"), wf.output_cell("given")
    wf.add_step(WorkflowStep(function_slug="math.round", inputs={"x": x.id}, outputs={"return": rounded.id}))
    wf.add_step(WorkflowStep(function_slug="math.round", inputs={"x": x.id}, outputs={"return": given.id},
                             params={"digits": 2}))
    store = store_type()
    assert Engine(store).run(wf, max_workers=workers).ok
    assert store.get(rounded.id).value == 2 and store.get(given.id).value == 2.35


def test_a_step_fed_only_by_params_runs():
    wf = Workflow()
    out = wf.output_cell("joined")
    wf.add_step(WorkflowStep(function_slug="text.concatenate", outputs={"return": out.id},
                             params={"a": "left", "b": "right", "separator": " | "}))
    store = InMemoryStore()
    assert Engine(store).run(wf).ok
    assert store.get(out.id).value == "left | right"


@PATHS
def test_a_step_that_changes_a_list_param_in_place_cannot_change_the_workflow(store_type, workers):
    reg = FunctionRegistry(load_builtins=False)

    @fancy_function("t.grow", registry=reg)
    def grow(items: list) -> list:
        items.append("more")
        return items

    wf = Workflow()
    out = wf.output_cell("grown")
    step = wf.add_step(WorkflowStep(function_slug="t.grow", outputs={"return": out.id}, params={"items": [1]}))
    store = store_type()
    engine = Engine(store, registry=reg)
    engine.run(wf, max_workers=workers, reuse=False)
    engine.run(wf, max_workers=workers, reuse=False)
    assert store.get(out.id).value == [1, "more"]
    assert step.params == {"items": [1]}


class Colour(enum.Enum):
    RED = "r"
    GREEN = "g"


def _choices_registry(seen: list) -> FunctionRegistry:
    reg = FunctionRegistry(load_builtins=False)

    @fancy_function("t.paint", registry=reg)
    def paint(colour: Colour, finish: Literal["matt", "gloss"] = "matt") -> str:
        seen.append(colour)
        return f"{colour.value}-{finish}"

    return reg


def test_an_enum_param_is_a_member_name_and_the_function_receives_the_member():
    seen: list = []
    reg = _choices_registry(seen)
    wf = Workflow()
    out = wf.output_cell("paint")
    wf.add_step(WorkflowStep(function_slug="t.paint", outputs={"return": out.id},
                             params={"colour": "GREEN", "finish": "gloss"}))
    store = InMemoryStore()
    assert Engine(store, registry=reg).run(wf).ok
    assert seen == [Colour.GREEN] and store.get(out.id).value == "g-gloss"


# --- validation -----------------------------------------------------------------------------------------


def test_a_param_naming_an_input_the_function_lacks_is_an_error_naming_step_and_param():
    wf, step = _adder({"b": 1, "c": 2})
    step.label = "Total"
    problems = find_problems(wf)
    assert [type(p) for p in problems] == [UnknownPortError]
    assert problems[0].step_id == step.id
    assert "step 'Total' (math.add" in str(problems[0]) and "parameter 'c'" in str(problems[0])
    assert "its inputs: a, b" in str(problems[0])


def test_a_required_input_needs_a_wire_or_a_param():
    wf, step = _adder()
    problems = find_problems(wf)
    assert [type(p) for p in problems] == [MissingParameterError]
    assert "required input 'b'" in str(problems[0]) and "has no value" in str(problems[0])
    step.params = {"b": 1}
    assert find_problems(wf) == []


def test_a_param_of_the_wrong_type_is_a_type_mismatch_as_a_cells_value_is():
    wf, step = _adder({"b": "five"})
    problems = find_problems(wf)
    assert [type(p) for p in problems] == [TypeMismatchError]
    assert "input 'b' expects float" in str(problems[0]) and "'five' is a str" in str(problems[0])
    step.params = {"b": 5}  # an int widens to float, as a cell's would
    assert find_problems(wf) == []


def test_a_param_under_a_wire_is_not_type_checked_it_is_not_used():
    wf, _ = _adder({"b": "five"}, wired_b=1)
    assert find_problems(wf) == []


def test_enum_and_literal_params_must_name_a_choice():
    reg = _choices_registry([])
    wf = Workflow()
    step = wf.add_step(WorkflowStep(function_slug="t.paint", params={"colour": "BLUE", "finish": "satin"}))
    messages = [str(p) for p in find_problems(wf, registry=reg)]
    assert len(messages) == 2
    assert "input 'colour' expects Colour" in messages[0] and "one of its members (RED, GREEN)" in messages[0]
    assert "input 'finish'" in messages[1] and "'satin' is not one of 'matt', 'gloss'" in messages[1]
    step.params = {"colour": "RED", "finish": "gloss"}
    assert find_problems(wf, registry=reg) == []


# --- reuse and staleness --------------------------------------------------------------------------------


def _counting() -> tuple[FunctionRegistry, Counter]:
    calls: Counter = Counter()
    reg = FunctionRegistry(load_builtins=False)

    @fancy_function("t.scale", registry=reg)
    def scale(x: float, factor: float = 1.0) -> float:
        calls["scale"] += 1
        return x * factor

    @fancy_function("t.negate", registry=reg)
    def negate(x: float) -> float:
        calls["negate"] += 1
        return -x

    return reg, calls


def _scaled_then_negated(factor: float) -> tuple[Workflow, WorkflowStep, WorkflowStep]:
    wf = Workflow()
    x = wf.input_cell("x", 3.0)
    scaled, negated = wf.output_cell("scaled"), wf.output_cell("negated")
    first = wf.add_step(WorkflowStep(function_slug="t.scale", inputs={"x": x.id}, outputs={"return": scaled.id},
                                     params={"factor": factor}))
    second = wf.add_step(WorkflowStep(function_slug="t.negate", inputs={"x": scaled.id},
                                      outputs={"return": negated.id}))
    return wf, first, second


@PATHS
def test_a_changed_param_reruns_its_step_and_everything_downstream(store_type, workers):
    reg, calls = _counting()
    wf, first, second = _scaled_then_negated(2.0)
    store = store_type()
    engine = Engine(store, registry=reg)
    engine.run(wf, max_workers=workers)
    again = engine.run(wf, max_workers=workers)
    assert again.count(StepStatus.CACHED) == 2 and calls == Counter(scale=1, negate=1)
    first.params = {"factor": 4.0}
    changed = engine.run(wf, max_workers=workers)
    assert changed.step_status == {first.id: StepStatus.DONE, second.id: StepStatus.DONE}
    assert store.get(second.outputs["return"]).value == -12.0
    first.params = {"factor": 2.0}  # back to the first value: its result is reused
    assert engine.run(wf, max_workers=workers).count(StepStatus.CACHED) == 2


def test_a_param_and_a_cell_holding_the_same_value_are_the_same_recipe():
    """Converting a param to a cell (to share it) and back does not run the step again."""
    reg, calls = _counting()
    wf, first, _ = _scaled_then_negated(2.0)
    engine = Engine(InMemoryStore(), registry=reg)
    engine.run(wf)
    factor = wf.input_cell("factor", 2.0)
    first.params = {}
    first.inputs["factor"] = factor.id
    assert engine.run(wf).count(StepStatus.CACHED) == 2
    assert calls == Counter(scale=1, negate=1)


def test_lineage_lists_a_params_hash_with_the_inputs(tmp_path):
    reg, _ = _counting()
    wf, first, _ = _scaled_then_negated(2.0)
    with SqliteStore(tmp_path / "s.fancystore") as store:
        Engine(store, registry=reg).run(wf)
        lineage = store.lineage(first.outputs["return"])
    assert set(lineage.input_hashes) == {"x", "factor"}


def test_a_reopened_store_vouches_only_for_what_the_params_still_make(tmp_path):
    reg, _ = _counting()
    wf, first, second = _scaled_then_negated(2.0)
    path = tmp_path / "s.fancystore"
    with SqliteStore(path) as store:
        Engine(store, registry=reg).run(wf)
    computed = {first.outputs["return"], second.outputs["return"]}
    with SqliteStore(path) as store:
        assert computed <= valid_cells(wf, store, reg)
        first.params = {"factor": 3.0}
        assert not computed & valid_cells(wf, store, reg)
        first.params = {"factor": 2.0, "x": 99.0}  # a param under a wire is not used: nothing changes
        assert computed <= valid_cells(wf, store, reg)
