"""Bypassed steps (issue 13): not called; their first input of an output's type passes through to it.

Without such an input the outputs get no value and their readers are skipped, as after a failure, with the
reason why. Every execution path; reuse and what a reopened store vouches for.
"""

from __future__ import annotations

import json
import typing
from collections import Counter

from fancy_studio.core import (
    Engine,
    InMemoryStore,
    RunCallbacks,
    SqliteStore,
    StepStatus,
    Workflow,
    WorkflowStep,
    parse_workflow,
)
from fancy_studio.core.bypass import pass_through
from fancy_studio.core.functions import FunctionRegistry, fancy_function, registry
from fancy_studio.core.valid_results import valid_cells
from tests.core.helpers import PATHS


class Parts(typing.NamedTuple):
    word: str
    size: int


def _registry(calls: Counter) -> FunctionRegistry:
    reg = FunctionRegistry(load_builtins=False)

    @fancy_function("t.double", registry=reg)
    def double(x: float) -> float:
        calls["double"] += 1
        return x * 2

    @fancy_function("t.length", registry=reg)
    def length(text: str) -> int:
        calls["length"] += 1
        return len(text)

    @fancy_function("t.repeat", registry=reg)
    def repeat(text: str, count: int) -> int:
        calls["repeat"] += 1
        return len(text) * count

    @fancy_function("t.greet", registry=reg)
    def greet(name: str = "world", punctuation: str = "!") -> str:
        calls["greet"] += 1
        return f"hello {name}{punctuation}"

    @fancy_function("t.split", registry=reg)
    def split(count: int, word: str) -> Parts:
        calls["split"] += 1
        return Parts(word, count)

    @fancy_function("t.explode", registry=reg)
    def explode(x: float) -> float:
        raise RuntimeError("boom")

    return reg


def _step(wf: Workflow, slug: str, inputs: dict, alias: str = "", **options) -> WorkflowStep:
    out = wf.output_cell(alias or slug)
    return wf.add_step(WorkflowStep(function_slug=slug, inputs={k: c.id for k, c in inputs.items()},
                                    outputs={"return": out.id}, **options))


def _out(wf: Workflow, step: WorkflowStep):
    return wf.cell(step.outputs["return"])


def test_bypass_is_left_out_of_the_file_when_false():
    wf = Workflow()
    step = _step(wf, "math.increment", {"x": wf.input_cell("x", 1)})
    assert "bypass" not in json.loads(wf.model_dump_json())["steps"][0]
    step.bypass = True
    assert json.loads(wf.model_dump_json())["steps"][0]["bypass"] is True
    assert parse_workflow(wf.model_dump_json()).steps[0].bypass is True


def test_what_passes_through_is_the_first_input_with_an_outputs_type():
    reg = _registry(Counter())
    assert pass_through(registry.get("math.add")) == ("a", "return")
    assert pass_through(reg.get("t.length")) is None  # str in, int out
    assert pass_through(reg.get("t.repeat")) == ("count", "return")  # the first input that fits
    assert pass_through(reg.get("t.split")) == ("count", "size")  # to the first output of its type
    assert pass_through(registry.get("math.divmod")) == ("a", "quotient")


@PATHS
def test_a_bypassed_step_is_not_called_and_its_input_passes_through(store_type, workers):
    calls: Counter = Counter()
    wf = Workflow()
    x = wf.input_cell("x", 3.0)
    first = _step(wf, "t.double", {"x": x}, "doubled", bypass=True)
    second = _step(wf, "t.double", {"x": _out(wf, first)}, "result")
    store = store_type()
    seen: list = []
    result = Engine(store, registry=_registry(calls)).run(
        wf, max_workers=workers, callbacks=RunCallbacks(on_step_bypassed=seen.append))
    assert result.ok
    assert result.step_status == {first.id: StepStatus.BYPASSED, second.id: StepStatus.DONE}
    assert result.skip_reasons == {first.id: "bypassed: input 'x' passes through to output 'return'"}
    assert first.id not in result.timings and seen == [first]
    assert calls == Counter(double=1)
    assert store.get(first.outputs["return"]).value == 3.0
    assert store.get(first.outputs["return"]).produced_by == first.id
    assert store.get(second.outputs["return"]).value == 6.0


@PATHS
def test_without_an_input_of_the_outputs_type_the_readers_are_skipped_saying_why(store_type, workers):
    calls: Counter = Counter()
    wf = Workflow()
    text = wf.input_cell("text", "abc")
    length = _step(wf, "t.length", {"text": text}, "length", bypass=True, label="Measure")
    doubled = _step(wf, "t.double", {"x": _out(wf, length)}, "doubled")
    again = _step(wf, "t.double", {"x": _out(wf, doubled)}, "again")
    other = _step(wf, "t.length", {"text": text}, "other")
    result = Engine(store_type(), registry=_registry(calls)).run(wf, max_workers=workers)
    assert not result.ok
    assert result.step_status == {length.id: StepStatus.BYPASSED, doubled.id: StepStatus.SKIPPED,
                                  again.id: StepStatus.SKIPPED, other.id: StepStatus.DONE}
    assert result.skip_reasons[length.id] == "bypassed: no input of the output's type"
    told = ("depends on step 'Measure', which is bypassed and passes nothing to its output 'return' "
            "(bypassed: no input of the output's type)")
    assert result.skip_reasons[doubled.id] == told and result.skip_reasons[again.id] == told
    assert calls == Counter(length=1)


@PATHS
def test_an_unwired_input_passes_its_param_or_else_its_default(store_type, workers):
    calls: Counter = Counter()
    wf = Workflow()
    with_param = _step(wf, "t.greet", {}, "param", bypass=True, params={"name": "Ada"})
    with_default = _step(wf, "t.greet", {}, "default", bypass=True)
    store = store_type()
    assert Engine(store, registry=_registry(calls)).run(wf, max_workers=workers).ok
    assert store.get(with_param.outputs["return"]).value == "Ada"
    assert store.get(with_default.outputs["return"]).value == "world"
    assert calls == Counter()


def test_of_several_outputs_only_the_one_passed_to_gets_a_value():
    wf = Workflow()
    a, b = wf.input_cell("a", 17), wf.input_cell("b", 5)
    quotient, remainder = wf.output_cell("quotient"), wf.output_cell("remainder")
    divide = wf.add_step(WorkflowStep(function_slug="math.divmod", inputs={"a": a.id, "b": b.id}, bypass=True,
                                      outputs={"quotient": quotient.id, "remainder": remainder.id}))
    uses_quotient = _step(wf, "math.increment", {"x": quotient})
    uses_remainder = _step(wf, "math.increment", {"x": remainder})
    store = InMemoryStore()
    result = Engine(store).run(wf)
    assert store.get(quotient.id).value == 17 and remainder.id not in store
    assert result.step_status[divide.id] is StepStatus.BYPASSED
    assert result.step_status[uses_quotient.id] is StepStatus.DONE
    assert result.step_status[uses_remainder.id] is StepStatus.SKIPPED
    assert "passes nothing to its output 'remainder'" in result.skip_reasons[uses_remainder.id]


@PATHS
def test_a_bypassed_step_after_a_failure_is_skipped_not_bypassed(store_type, workers):
    wf = Workflow()
    broken = _step(wf, "t.explode", {"x": wf.input_cell("x", 1.0)}, "broken")
    bypassed = _step(wf, "t.double", {"x": _out(wf, broken)}, "bypassed", bypass=True)
    result = Engine(store_type(), registry=_registry(Counter())).run(wf, max_workers=workers)
    assert result.step_status == {broken.id: StepStatus.FAILED, bypassed.id: StepStatus.SKIPPED}


def test_without_a_bypassed_callback_the_step_is_told_finished_in_no_time():
    wf = Workflow()
    step = _step(wf, "math.increment", {"x": wf.input_cell("x", 1)}, bypass=True)
    finished: list = []
    Engine(InMemoryStore()).run(wf, callbacks=RunCallbacks(on_step_finished=lambda s, t: finished.append((s, t))))
    assert finished == [(step, 0.0)]


def test_turning_bypass_on_and_off_is_a_change_of_input_downstream_and_known_results_are_reused(tmp_path):
    calls: Counter = Counter()
    reg = _registry(calls)
    wf = Workflow()
    x = wf.input_cell("x", 3.0)
    first = _step(wf, "t.double", {"x": x}, "doubled")
    second = _step(wf, "t.double", {"x": _out(wf, first)}, "result")
    path = tmp_path / "s.fancystore"
    with SqliteStore(path) as store:
        engine = Engine(store, registry=reg)
        engine.run(wf)
        assert store.get(second.outputs["return"]).value == 12.0
        first.bypass = True  # the second step now doubles 3.0: what the first one did in the last run
        result = engine.run(wf)
        assert result.step_status == {first.id: StepStatus.BYPASSED, second.id: StepStatus.CACHED}
        assert store.get(second.outputs["return"]).value == 6.0
        x.value = 5.0
        changed = engine.run(wf)
        assert changed.step_status == {first.id: StepStatus.BYPASSED, second.id: StepStatus.DONE}
        assert store.get(second.outputs["return"]).value == 10.0
        first.bypass = False
        again = engine.run(wf)
        assert again.step_status == {first.id: StepStatus.CACHED, second.id: StepStatus.DONE}  # double(5) known
        assert store.get(second.outputs["return"]).value == 20.0
    assert calls == Counter(double=4)


def test_a_reopened_store_vouches_for_a_bypassed_output_holding_what_passes_through(tmp_path):
    reg = _registry(Counter())
    wf = Workflow()
    x = wf.input_cell("x", 3.0)
    first = _step(wf, "t.double", {"x": x}, "doubled", bypass=True)
    second = _step(wf, "t.double", {"x": _out(wf, first)}, "result")
    path = tmp_path / "s.fancystore"
    with SqliteStore(path) as store:
        Engine(store, registry=reg).run(wf)
    computed = {first.outputs["return"], second.outputs["return"]}
    with SqliteStore(path) as store:
        assert computed <= valid_cells(wf, store, reg)
        first.bypass = False  # the stored 3.0 is not what the step makes
        assert not computed & valid_cells(wf, store, reg)
        first.bypass = True
        x.value = 4.0  # nor what passes through any more
        assert not computed & valid_cells(wf, store, reg)
