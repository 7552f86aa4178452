"""Steps run in the kernel process and come back to the caller as if the engine had run them here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fancy_studio.core import (
    Engine,
    InMemoryStore,
    RunCallbacks,
    SqliteStore,
    StepStatus,
    Workflow,
    WorkflowStep,
    WorkflowValidationError,
    fancy_function,
)
from fancy_studio.kernel import Kernel, KernelState
from tests.kernel.kernel_functions import REGISTRY, branch, chain, registry_with_builtins


def test_steps_run_in_another_process(kernel: Kernel, tmp_path: Path) -> None:
    workflow, steps, cells = chain("kernel_test.pid")
    store_path = tmp_path / "run.fancystore"
    result = kernel.run(workflow, store_path=store_path, registry=REGISTRY)
    assert result.ok
    with _closing(store_path) as store:
        ran_in = store.get(cells[1].id).value
    assert ran_in == kernel.pid != os.getpid()
    assert kernel.state is KernelState.IDLE


def test_a_function_defined_inside_a_test_reaches_the_kernel(kernel: Kernel, tmp_path: Path) -> None:
    registry = registry_with_builtins()
    offset = 100

    @fancy_function("local.shift", registry=registry)
    def shift(x: int) -> int:  # no module can import it: it is sent by value
        return x + offset

    workflow, _, cells = chain("local.shift", "math.increment", value=1)
    result = kernel.run(workflow, store_path=tmp_path / "s.fancystore", registry=registry)
    assert result.ok
    with _closing(tmp_path / "s.fancystore") as store:
        assert store.get(cells[2].id).value == 102


def test_callbacks_and_the_timings_log_are_what_the_engine_gives(kernel: Kernel) -> None:
    """Failed, skipped and done steps in plan order, on the calling thread, with the caller's steps."""
    workflow, steps, cells = chain("math.increment", "kernel_test.exit", "math.increment")
    other, _ = branch(workflow, cells[0])
    seen: dict[str, list] = {"here": [], "kernel": []}
    for where in seen:
        log: list = []
        events = seen[where]
        callbacks = RunCallbacks(
            on_step_finished=lambda s, t, events=events: events.append(("finished", s)),
            on_step_failed=lambda s, e, events=events: events.append(("failed", s, e.type_name, e.message)),
            on_step_skipped=lambda s, events=events: events.append(("skipped", s)),
            on_progress=lambda done, total, events=events: events.append(("progress", done, total)),
            timings_log=log)
        if where == "here":
            result = Engine(InMemoryStore(), registry=REGISTRY).run(workflow, callbacks=callbacks)
        else:
            result = kernel.run(workflow, store_path=None, callbacks=callbacks, registry=REGISTRY)
        events.append(("log", [entry is None for entry in log]))
        events.append(("result", list(result.step_status.items())))
    assert seen["kernel"] == seen["here"]
    assert ("failed", steps[1], "SystemExit", "3") in seen["kernel"]
    assert ("skipped", steps[2]) in seen["kernel"]
    assert all(any(event[1] is step for event in seen["kernel"] if len(event) > 1) for step in (*steps, other))


@pytest.mark.parametrize("slug, type_name", [("kernel_test.exit", "SystemExit"),
                                              ("kernel_test.interrupt", "KeyboardInterrupt")])
def test_sys_exit_and_keyboard_interrupt_are_ordinary_failures(kernel: Kernel, slug: str, type_name: str) -> None:
    workflow, steps, cells = chain(slug)
    other, _ = branch(workflow, cells[0])
    pid = kernel.pid
    result = kernel.run(workflow, store_path=None, registry=REGISTRY)
    assert result.step_status[steps[0].id] is StepStatus.FAILED
    assert result.errors[steps[0].id].type_name == type_name
    assert result.step_status[other.id] is StepStatus.DONE
    assert kernel.pid == pid and kernel.state is KernelState.IDLE  # the kernel lived through it


def test_a_workflow_that_cannot_run_raises_before_anything_is_sent(kernel: Kernel) -> None:
    workflow = Workflow()
    workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": workflow.output_cell("a").id}))
    with pytest.raises(WorkflowValidationError):
        kernel.run(workflow, store_path=None)


def test_reuse_comes_back_cached(kernel: Kernel, tmp_path: Path) -> None:
    workflow, steps, _ = chain("math.increment", "math.increment")
    path = tmp_path / "reuse.fancystore"
    assert kernel.run(workflow, store_path=path).count(StepStatus.DONE) == 2
    cached: list = []
    again = kernel.run(workflow, store_path=path, callbacks=RunCallbacks(on_step_cached=cached.append))
    assert again.count(StepStatus.CACHED) == 2 and cached == steps


class _closing:
    """A store opened on the kernel's file, closed after."""

    def __init__(self, path: Path) -> None:
        self.store = SqliteStore(path)

    def __enter__(self) -> SqliteStore:
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()
