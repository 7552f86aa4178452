"""A step that crashes the kernel, never returns, or runs past its timeout is a failed step; the run goes
on where it can and the next run works."""

from __future__ import annotations

import importlib
import sys
import threading
import time
from pathlib import Path

from fancy_studio.core import RunCallbacks, SqliteStore, StepStatus, fancy_function
from fancy_studio.kernel import Kernel, KernelState
from tests.kernel.kernel_functions import REGISTRY, branch, chain, registry_with_builtins

MARGIN = 5.0
"""Seconds of slack on a loaded machine: a bound that catches a hang, never a measurement."""


def read(path: Path, cell_id: object) -> object:
    store = SqliteStore(path)
    try:
        return store.get(cell_id).value  # type: ignore[arg-type]
    finally:
        store.close()


def assert_next_run_works(kernel: Kernel) -> None:
    workflow, _, _ = chain("math.increment", "kernel_test.pid")
    assert kernel.run(workflow, store_path=None, registry=REGISTRY).ok
    assert kernel.state is KernelState.IDLE


def test_a_segfault_fails_its_step_and_the_independent_branch_still_finishes(kernel: Kernel, tmp_path: Path) -> None:
    workflow, steps, cells = chain("kernel_test.segfault", "math.increment")
    other, other_cell = branch(workflow, cells[0])
    path = tmp_path / "crash.fancystore"
    states: list = []
    kernel._on_state = lambda state, detail: states.append((state, detail))
    dead_pid = kernel.pid
    try:
        result = kernel.run(workflow, store_path=path, registry=REGISTRY)
    finally:
        kernel._on_state = None
    error = result.errors[steps[0].id]
    assert result.step_status[steps[0].id] is StepStatus.FAILED
    assert error.type_name == "KernelDied" and "signal 11" in error.message, error
    assert result.step_status[steps[1].id] is StepStatus.SKIPPED
    assert result.step_status[other.id] in (StepStatus.DONE, StepStatus.CACHED)
    assert read(path, other_cell.id) == 2
    assert (KernelState.DIED, "signal 11, SIGSEGV") in states
    assert kernel.pid != dead_pid
    assert_next_run_works(kernel)


def test_stop_on_a_step_that_never_returns_kills_the_kernel_within_the_grace(kernel: Kernel) -> None:
    workflow, steps, cells = chain("kernel_test.forever", "math.increment")
    later, _ = branch(workflow, cells[0])
    started = threading.Event()
    from fancy_studio.core import CancelToken

    cancel = CancelToken()
    callbacks = RunCallbacks(on_step_started=lambda step: started.set() if step is steps[0] else None)
    stopped_at: list[float] = []

    def stop() -> None:
        started.wait(30)
        stopped_at.append(time.monotonic())
        cancel.cancel()

    threading.Thread(target=stop, daemon=True).start()
    result = kernel.run(workflow, store_path=None, callbacks=callbacks, cancel=cancel, registry=REGISTRY)
    returned = time.monotonic()
    assert started.is_set() and result.cancelled
    assert returned - stopped_at[0] < kernel.grace + MARGIN
    error = result.errors[steps[0].id]
    assert (error.type_name, error.message) == ("Stopped", "stopped (killed)")
    assert result.step_status[steps[1].id] is not StepStatus.DONE
    assert result.step_status[later.id] is StepStatus.CANCELLED or result.step_status[later.id] is StepStatus.DONE
    assert_next_run_works(kernel)


def test_a_step_past_its_timeout_fails_and_the_run_goes_on(kernel: Kernel, tmp_path: Path) -> None:
    workflow, steps, cells = chain("kernel_test.forever", "math.increment")
    steps[0].timeout = 0.3
    other, other_cell = branch(workflow, cells[0])
    path = tmp_path / "timeout.fancystore"
    result = kernel.run(workflow, store_path=path, registry=REGISTRY)
    error = result.errors[steps[0].id]
    assert (error.type_name, error.message) == ("Timeout", "timed out after 0.3 s")
    assert result.step_status[steps[1].id] is StepStatus.SKIPPED
    assert read(path, other_cell.id) == 2
    assert_next_run_works(kernel)


def test_restart_picks_up_an_edited_function_file(kernel: Kernel, tmp_path: Path, monkeypatch) -> None:
    module = tmp_path / "edited_functions.py"
    module.write_text("def answer(x: int) -> int:\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = registry_with_builtins()
    imported = importlib.import_module("edited_functions")
    fancy_function("edited.answer", registry=registry, cacheable=False)(imported.answer)
    workflow, steps, cells = chain("edited.answer")
    path = tmp_path / "edit.fancystore"
    try:
        assert kernel.run(workflow, store_path=path, registry=registry).ok
        assert read(path, cells[1].id) == 1
        module.write_text("def answer(x: int) -> int:\n    return 2\n")
        kernel.restart()
        assert kernel.run(workflow, store_path=path, registry=registry).ok
        assert read(path, cells[1].id) == 2
    finally:
        sys.modules.pop("edited_functions", None)


def test_an_abort_or_os_exit_in_a_step_is_a_failed_step_and_the_next_run_works(kernel: Kernel) -> None:
    for slug, said in (("kernel_test.abort", "signal 6, SIGABRT"), ("kernel_test.os_exit", "exit code 3")):
        workflow, steps, cells = chain(slug, "math.increment")
        other, _ = branch(workflow, cells[0])
        result = kernel.run(workflow, store_path=None, registry=REGISTRY)
        error = result.errors[steps[0].id]
        assert result.step_status[steps[0].id] is StepStatus.FAILED
        assert error.type_name == "KernelDied" and said in error.message, error
        assert result.step_status[steps[1].id] is StepStatus.SKIPPED
        assert result.step_status[other.id] is not StepStatus.FAILED
        assert_next_run_works(kernel)


def test_running_out_of_memory_fails_the_step_and_says_so(kernel: Kernel) -> None:
    """Out of memory comes two ways: an allocation refused (MemoryError: the kernel lives on), or Linux's
    out-of-memory killer (SIGKILL: the kernel dies, and the step says what most likely killed it)."""
    workflow, steps, cells = chain("kernel_test.memory_hog", "math.increment")
    other, _ = branch(workflow, cells[0])
    pid = kernel.pid
    result = kernel.run(workflow, store_path=None, registry=REGISTRY)
    assert result.step_status[steps[0].id] is StepStatus.FAILED
    assert result.errors[steps[0].id].type_name == "MemoryError"
    assert result.step_status[other.id] is StepStatus.DONE
    assert kernel.pid == pid  # a refused allocation is an exception, not a death
    assert_next_run_works(kernel)

    workflow, steps, cells = chain("kernel_test.oom_killed", "math.increment")
    other, _ = branch(workflow, cells[0])
    result = kernel.run(workflow, store_path=None, registry=REGISTRY)
    error = result.errors[steps[0].id]
    assert error.type_name == "KernelDied", error
    assert "signal 9, SIGKILL" in error.message and "memory" in error.message, error.message
    assert result.step_status[steps[1].id] is StepStatus.SKIPPED
    assert result.step_status[other.id] is not StepStatus.FAILED
    assert_next_run_works(kernel)
