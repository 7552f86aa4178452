"""Issue 13 in the kernel: params ship with their steps (a changed one reaches it), bypassed steps come back
as the engine makes them."""

from __future__ import annotations

from pathlib import Path

from fancy_studio.core import (
    Engine,
    InMemoryStore,
    RunCallbacks,
    SqliteStore,
    StepStatus,
    Workflow,
    WorkflowStep,
)
from fancy_studio.kernel import Kernel


def _scaled() -> tuple[Workflow, WorkflowStep, WorkflowStep]:
    wf = Workflow(name="params in the kernel")
    x = wf.input_cell("x", 3.0)
    product, total = wf.output_cell("product"), wf.output_cell("total")
    first = wf.add_step(WorkflowStep(function_slug="math.multiply", inputs={"a": x.id},
                                     outputs={"return": product.id}, params={"b": 2.0}))
    second = wf.add_step(WorkflowStep(function_slug="math.add", inputs={"a": product.id},
                                      outputs={"return": total.id}, params={"b": 0.5}))
    return wf, first, second


def _value(path: Path, cell_id) -> object:
    with SqliteStore(path) as store:
        return store.get(cell_id).value


def test_params_run_in_the_kernel_and_a_changed_one_reaches_it(kernel: Kernel, tmp_path: Path) -> None:
    wf, first, second = _scaled()
    path = tmp_path / "run.fancystore"
    assert kernel.run(wf, store_path=path).ok
    assert _value(path, second.outputs["return"]) == 6.5
    again = kernel.run(wf, store_path=path)
    assert again.count(StepStatus.CACHED) == 2 and kernel.last_shipped.chunks == 0
    first.params = {"b": 10.0}
    changed = kernel.run(wf, store_path=path)
    assert kernel.last_shipped.chunks == 1  # the edited step's chunk, nothing else
    assert changed.step_status == {first.id: StepStatus.DONE, second.id: StepStatus.DONE}
    assert _value(path, second.outputs["return"]) == 30.5


def test_bypassed_steps_in_the_kernel_are_what_the_engine_makes_of_them(kernel: Kernel, tmp_path: Path) -> None:
    wf = Workflow(name="bypass in the kernel")
    text = wf.input_cell("text", "abc")
    x = wf.input_cell("x", 2.0)
    passed, measured, after = wf.output_cell("passed"), wf.output_cell("measured"), wf.output_cell("after")
    increment = wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": x.id},
                                         outputs={"return": passed.id}, bypass=True))
    length = wf.add_step(WorkflowStep(function_slug="text.length", inputs={"text": text.id},
                                      outputs={"return": measured.id}, bypass=True))
    reader = wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": measured.id},
                                      outputs={"return": after.id}))
    outcomes = {}
    for where in ("here", "kernel"):
        bypassed: list = []
        callbacks = RunCallbacks(on_step_bypassed=bypassed.append)
        if where == "here":
            result = Engine(InMemoryStore()).run(wf, callbacks=callbacks)
        else:
            result = kernel.run(wf, store_path=tmp_path / "run.fancystore", callbacks=callbacks)
        outcomes[where] = (result.step_status, result.skip_reasons, bypassed)
    assert outcomes["kernel"] == outcomes["here"]
    status, reasons, bypassed = outcomes["kernel"]
    assert status == {increment.id: StepStatus.BYPASSED, length.id: StepStatus.BYPASSED,
                      reader.id: StepStatus.SKIPPED}
    assert bypassed == [increment, length] and "passes nothing" in reasons[reader.id]
    assert _value(tmp_path / "run.fancystore", passed.id) == 2.0


def test_a_grouped_workflow_runs_flattened_in_the_kernel_as_the_studio_calls_it(kernel: Kernel, tmp_path: Path) -> None:
    """The studio checks the workflow itself and hands the kernel its plan and its input cells (the
    workflow's own: a group's own values come with the plan)."""
    from fancy_studio.core.groups import flat_id
    from tests.core.group_helpers import adder_definition, instance

    wf = Workflow(name="groups in the kernel")
    x = wf.input_cell("x", 3.0)
    definition = adder_definition()
    definition.cells[0].value = 100.0  # what an unwired input port takes
    wf.groups.append(definition)
    wired = instance(wf, definition, x.id, "wired", factor=10)
    unwired = instance(wf, definition, x.id, "unwired")
    del unwired.inputs["in"]
    path = tmp_path / "run.fancystore"
    for attempt in range(2):
        initial = wf.literal_cells()
        checked = Engine(InMemoryStore()).check(wf, initial)
        finished: list = []
        result = kernel.run(wf, store_path=path, initial_cells=initial, checked=checked,
                            callbacks=RunCallbacks(on_step_finished=lambda s, t: finished.append(s.id),
                                                   on_step_cached=lambda s: finished.append(s.id)))
        assert result.ok and finished == checked.step_ids
        assert list(result.step_status) == checked.step_ids
        assert set(checked.step_ids) == {flat_id([group.id, inner.id]) for group in (wired, unwired)
                                         for inner in definition.steps}
        assert result.count(StepStatus.CACHED) == (4 if attempt else 0)
    assert kernel.last_shipped.chunks == 0  # the same flattened workflow: nothing to send again
    assert _value(path, wired.outputs["out"]) == 40.0 and _value(path, unwired.outputs["out"]) == 202.0


def test_the_kernels_fast_step_is_the_step_model_construct_makes() -> None:
    """`child_workflow.trusted_step` skips pydantic's per-field loop: it must make the very same model (a new
    field, or a pydantic that builds models otherwise, fails here first)."""
    from uuid import uuid4

    from fancy_studio.kernel.child_workflow import trusted_step

    fields = {"id": uuid4(), "function_slug": "math.add", "inputs": {"a": uuid4()}, "outputs": {"return": uuid4()},
              "label": "Total", "timeout": 2.0, "params": {"b": [1, 2]}, "bypass": True}
    fast, slow = trusted_step(dict(fields)), WorkflowStep.model_construct(**fields)
    assert fast == slow and fast.model_fields_set == slow.model_fields_set == set(WorkflowStep.model_fields)
    assert fast.model_dump_json() == slow.model_dump_json()
    fast.params = {"b": 3}  # assignment is validated as on any step
    assert fast.params == {"b": 3} and slow.params == {"b": [1, 2]}
