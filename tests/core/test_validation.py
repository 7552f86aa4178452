"""Every validation error: typed, raised before anything runs, naming step, function and cell."""

from __future__ import annotations

from uuid import uuid4

import pytest

from fancy_studio.core import (
    CycleError,
    DuplicateProducerError,
    Engine,
    InMemoryStore,
    MissingParameterError,
    TypeMismatchError,
    UnknownFunctionError,
    UnknownPortError,
    UnprovidedInputError,
    Workflow,
    WorkflowStep,
    WorkflowValidationError,
    fancy_function,
    find_problems,
)
from fancy_studio.core.validation import plan
from tests.core.helpers import step


@fancy_function("test.shout")
def shout(text: str) -> str:
    """Upper-case with an exclamation mark."""
    return text.upper() + "!"


def run_expecting(wf: Workflow, error_type: type[WorkflowValidationError]) -> WorkflowValidationError:
    store = InMemoryStore()
    with pytest.raises(error_type) as caught:
        Engine(store).run(wf)
    computed = [c for c in store if c.produced_by is not None]
    assert computed == [], "nothing may run when validation fails"
    return caught.value


def test_unknown_function_names_the_step_and_slug():
    """`plan` and `find_problems` report it (the engine skips such a step instead: test_engine)."""
    wf = Workflow(name="w")
    a = wf.input_cell("a", 1)
    bad = wf.add_step(step("nope.missing", {"x": a.id}, uuid4()))
    with pytest.raises(UnknownFunctionError) as caught:
        plan(wf)
    error = caught.value
    assert "nope.missing" in str(error) and str(bad.id) in str(error)
    assert error.step_id == bad.id and error.function_slug == "nope.missing"
    assert [type(p) for p in find_problems(wf)] == [UnknownFunctionError]
    assert plan(wf, skip_unknown_functions=True).unavailable == {bad.id: "nope.missing"}


def test_a_slug_that_looks_like_a_module_path_is_never_imported(monkeypatch: pytest.MonkeyPatch):
    import os

    calls = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command))
    wf = Workflow(name="w")
    a = wf.input_cell("a", "ls")
    wf.add_step(step("os.system", {"command": a.id}, uuid4()))
    result = Engine(InMemoryStore()).run(wf)
    assert calls == [] and list(result.skip_reasons.values()) == ["function 'os.system' is not installed"]


def test_a_missing_function_does_not_hide_other_problems():
    """Only a missing function is left to the run; anything else still stops it before it starts."""
    wf = Workflow(name="w")
    x, y = wf.output_cell("x"), wf.output_cell("y")
    wf.add_step(step("nope.missing", {"x": x.id}, y.id))
    wf.add_step(step("math.increment", {"x": y.id}, x.id))
    run_expecting(wf, CycleError)
    wf = Workflow(name="w")
    ghost = wf.output_cell("ghost")
    wf.add_step(step("nope.missing", {"x": ghost.id}, uuid4()))
    run_expecting(wf, UnprovidedInputError)


def test_cycle_names_the_steps_and_cells_in_the_loop():
    wf = Workflow(name="w")
    x, y = wf.output_cell("x"), wf.output_cell("y")
    first = wf.add_step(step("math.increment", {"x": x.id}, y.id))
    second = wf.add_step(step("math.increment", {"x": y.id}, x.id))
    error = run_expecting(wf, CycleError)
    assert set(error.step_ids) == {first.id, second.id}
    assert set(error.cell_ids) == {x.id, y.id}
    assert "cell 'x'" in str(error) and "cell 'y'" in str(error) and "math.increment" in str(error)


def test_an_input_that_nothing_provides():
    wf = Workflow(name="w")
    ghost = wf.output_cell("ghost")
    s = wf.add_step(step("math.increment", {"x": ghost.id}, uuid4()))
    error = run_expecting(wf, UnprovidedInputError)
    assert error.cell_id == ghost.id and error.step_id == s.id
    assert "'ghost'" in str(error) and "input 'x'" in str(error)


def test_a_cell_written_by_two_steps():
    wf = Workflow(name="w")
    a = wf.input_cell("a", 1)
    out = wf.output_cell("out")
    wf.add_step(step("math.increment", {"x": a.id}, out.id))
    wf.add_step(step("math.increment", {"x": a.id}, out.id))
    error = run_expecting(wf, DuplicateProducerError)
    assert error.cell_id == out.id and "'out'" in str(error) and "two steps" in str(error)


def test_a_missing_required_parameter():
    wf = Workflow(name="w")
    a = wf.input_cell("a", 1)
    s = wf.add_step(step("math.add", {"a": a.id}, uuid4()))
    error = run_expecting(wf, MissingParameterError)
    assert error.step_id == s.id and "'b'" in str(error) and "math.add" in str(error)


def test_a_parameter_with_a_default_may_stay_unwired():
    wf = Workflow(name="w")
    a = wf.input_cell("a", 3)
    out = uuid4()
    wf.add_step(step("math.power", {"base": a.id}, out))
    store = InMemoryStore()
    assert Engine(store).run(wf).ok and store.get(out).value == 9


def test_unknown_input_and_output_names():
    wf = Workflow(name="w")
    a = wf.input_cell("a", 1)
    wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": a.id, "y": a.id},
                             outputs={"return": uuid4()}))
    assert "input 'y'" in str(run_expecting(wf, UnknownPortError))
    wf2 = Workflow(name="w2")
    b = wf2.input_cell("b", 1)
    wf2.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": b.id}, outputs={"nope": uuid4()}))
    assert "output 'nope'" in str(run_expecting(wf2, UnknownPortError))


def test_type_mismatch_between_a_literal_and_an_input():
    wf = Workflow(name="w")
    text = wf.input_cell("text", "ten")
    s = wf.add_step(step("math.increment", {"x": text.id}, uuid4()))
    error = run_expecting(wf, TypeMismatchError)
    assert error.step_id == s.id and error.cell_id == text.id
    assert "expects float" in str(error) and "'text'" in str(error) and "str" in str(error)


def test_type_mismatch_between_an_output_and_an_input():
    wf = Workflow(name="w")
    a = wf.input_cell("a", 1)
    number = wf.output_cell("number")
    wf.add_step(step("math.increment", {"x": a.id}, number.id))
    wf.add_step(step("test.shout", {"text": number.id}, uuid4()))
    error = run_expecting(wf, TypeMismatchError)
    assert "expects str" in str(error) and "gives float" in str(error)


def test_an_int_feeds_a_float_input():
    wf = Workflow(name="w")
    a = wf.input_cell("a", 1)
    wf.add_step(step("math.increment", {"x": a.id}, uuid4()))
    assert find_problems(wf) == []


def test_find_problems_lists_every_problem_and_run_mentions_the_count():
    wf = Workflow(name="w")
    a = wf.input_cell("a", "x")
    wf.add_step(step("nope.one", {"x": a.id}, uuid4()))
    wf.add_step(step("math.increment", {"x": a.id}, uuid4()))
    wf.add_step(step("math.add", {"a": a.id}, uuid4()))
    problems = find_problems(wf)
    assert {type(p) for p in problems} == {UnknownFunctionError, TypeMismatchError, MissingParameterError}
    with pytest.raises(WorkflowValidationError, match="more problems"):
        Engine(InMemoryStore()).run(wf)
