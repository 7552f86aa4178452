"""Run a workflow: check it, then call each step's function in dependency order.

The engine knows nothing of Qt. It reports through plain callbacks (step started / finished / failed,
progress), which the studio turns into Qt signals in one place. A step that raises (anything: also
`SystemExit`, `KeyboardInterrupt` or another `BaseException`) is recorded as failed and its dependents are
skipped while independent branches still run; so is a step whose function is not
installed (a workflow from elsewhere): the rest still runs, and `RunResult.skip_reasons` says why. A
`CancelToken` stops the run between steps. With `max_workers > 1`, independent steps run in parallel on
a thread pool.

The run's parts live beside it: the public types in `run_types` (re-exported here), a run's state and
outcomes in `step_run`, the fast in-memory loop in `fast_run`, the parallel one in `parallel_run` and
result reuse in `reuse`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from uuid import UUID

from fancy_studio.core.functions import FunctionRegistry, registry as default_registry
from fancy_studio.core.parallel_run import execute_parallel
from fancy_studio.core.paths import relative_to
from fancy_studio.core.result_cache import ResultCache
from fancy_studio.core.reuse import ResultReuse, remember_later
from fancy_studio.core.run_types import (
    MESSAGE_LIMIT,
    CancelToken,
    FailedCallback,
    FinishedCallback,
    ProgressCallback,
    RunCallbacks,
    RunResult,
    StepCallback,
    StepError,
    StepStatus,
    exception_message,
)
from fancy_studio.core.step_run import StepRun
from fancy_studio.core.store import Cell, DatumStore, InMemoryStore
from fancy_studio.core.validation import ExecutionPlan, plan, select_steps
from fancy_studio.core.workflow import CellSpec, Workflow

__all__ = [
    "MESSAGE_LIMIT",
    "CancelToken",
    "Engine",
    "FailedCallback",
    "FinishedCallback",
    "ProgressCallback",
    "RunCallbacks",
    "RunResult",
    "StepCallback",
    "StepError",
    "StepStatus",
    "exception_message",
]


class StepExecutor(Protocol):
    """Runs a run's steps somewhere else than this process (`fancy_studio.core.DaskExecutor`): given the
    run's state (`StepRun`: the plan, the store, the callbacks, the cancel token and the reuser), it
    decides each step's outcome through the same `StepRun` methods the in-process loops use."""

    def execute(self, run: StepRun) -> None: ...


class Engine:
    """Runs workflows against a store of cells."""

    def __init__(self, store: DatumStore, *, registry: FunctionRegistry = default_registry,
                 executor: StepExecutor | None = None) -> None:
        self.store = store
        self.registry = registry
        self.executor = executor
        """Where the steps run instead of this process (`DaskExecutor`: a Dask cluster); None: here, on a
        thread pool when `max_workers > 1`. With an executor, `max_workers` is ignored."""

    # --- checking ----------------------------------------------------------------------------------

    def check(
        self,
        workflow: Workflow,
        initial_cells: Iterable[Cell | CellSpec] | None = None,
        *,
        targets: Iterable[UUID] | None = None,
    ) -> ExecutionPlan:
        """Validate the workflow and return the plan `run_plan` executes; raises the first problem.

        A step whose function is not installed is not a problem here: the plan lists it in
        `unavailable` and the run skips it and its dependents."""
        provided = self._provided(workflow, initial_cells)
        steps = select_steps(workflow, targets) if targets is not None else None
        return plan(workflow, provided, registry=self.registry, steps=steps, skip_unknown_functions=True)

    @staticmethod
    def _provided(workflow: Workflow, initial_cells: Iterable[Cell | CellSpec] | None) -> dict[UUID, Any]:
        cells: Iterable[Cell | CellSpec] = workflow.literal_cells() if initial_cells is None else initial_cells
        return {cell.id: cell.value for cell in cells}

    # --- running -----------------------------------------------------------------------------------

    def run(
        self,
        workflow: Workflow,
        initial_cells: Sequence[Cell | CellSpec] | None = None,
        *,
        callbacks: RunCallbacks | None = None,
        cancel: CancelToken | None = None,
        max_workers: int = 1,
        targets: Iterable[UUID] | None = None,
        reuse: bool = True,
        folder: str | os.PathLike[str] | None = None,
    ) -> RunResult:
        """Check and run `workflow`. `initial_cells` default to the workflow's input cells.

        When the store is a `ResultCache` (`InMemoryStore` for its lifetime, `SqliteStore` on disk), a
        step whose function version, inputs and fingerprint match a stored result is not run: the result
        is written to its cells and the step is `StepStatus.CACHED`. `reuse=False` runs every step (and
        still stores the results).

        Raises a `WorkflowValidationError` before running anything if the workflow cannot run (a cycle,
        an unprovided input, …); a step whose function is not installed is skipped with its dependents
        instead (`RunResult.skip_reasons`). Once steps run, failures are reported in the `RunResult`,
        never raised.

        A workflow with groups runs flattened (see `groups.flatten`): the result names the steps inside
        groups by their flattened ids (`check(...).flattened.step_paths` says where each came from), and a
        target may be a group instance (all its steps) or a step inside one.

        `folder` is where relative paths in the workflow's values point (its file's folder: see `paths`).
        """
        initial = workflow.literal_cells() if initial_cells is None else list(initial_cells)
        checked = self.check(workflow, initial, targets=targets)
        return self.run_plan(checked, initial, callbacks=callbacks, cancel=cancel, max_workers=max_workers,
                             reuse=reuse, folder=folder)

    def run_plan(
        self,
        checked: ExecutionPlan,
        initial_cells: Sequence[Cell | CellSpec] | None = None,
        *,
        callbacks: RunCallbacks | None = None,
        cancel: CancelToken | None = None,
        max_workers: int = 1,
        reuse: bool = True,
        folder: str | os.PathLike[str] | None = None,
    ) -> RunResult:
        """Run an already checked plan (see `check`; `reuse` and `folder` as in `run`)."""
        with relative_to(folder):
            return self._run_plan(checked, initial_cells, callbacks, cancel, max_workers, reuse)

    def _run_plan(self, checked: ExecutionPlan, initial_cells: Sequence[Cell | CellSpec] | None,
                  callbacks: RunCallbacks | None, cancel: CancelToken | None, max_workers: int,
                  reuse: bool) -> RunResult:
        started = time.perf_counter()
        if self.executor is not None:
            max_workers = 1  # the executor decides how many steps run at once
        if max_workers > 1 and callbacks is not None and callbacks.timings_log is not None:
            raise ValueError("a timings log needs a sequential run (max_workers=1)")
        if initial_cells is None:
            self._store_initial(checked.workflow.literal_cells())
        else:
            self._store_initial(initial_cells)
            if checked.flattened is not None:  # a group's own values: whatever the caller provides
                self._store_initial(checked.flattened.inner_literals)
        run = StepRun(self.store, checked, callbacks or RunCallbacks(), cancel)
        store = self.store
        if isinstance(store, ResultCache):
            if type(store) is InMemoryStore and self.executor is None and not (reuse and store.has_results()):
                # nothing to look up: the fast loop (or the parallel one) runs, and its results are hashed
                # and remembered only when a later run looks for them (a run that reuses nothing costs no
                # hashing)
                if max_workers > 1:
                    execute_parallel(run, max_workers)
                else:
                    run.execute_sequential()
                store.defer_results(remember_later(store, checked, run, store._cells.copy()))
                return self._result(run, started, cancel)
            if type(store) is InMemoryStore:
                store.settle_results()
            run.reuser = ResultReuse(run, store, reuse)
        if self.executor is not None:
            self.executor.execute(run)
        elif max_workers > 1:
            execute_parallel(run, max_workers)
        else:
            run.execute_sequential()
        return self._result(run, started, cancel)

    @staticmethod
    def _result(run: StepRun, started: float, cancel: CancelToken | None) -> RunResult:
        return RunResult(run.status, run.errors, run.timings, time.perf_counter() - started,
                         cancel is not None and cancel.cancelled, run.skip_reasons)

    def _store_initial(self, cells: Iterable[Cell | CellSpec]) -> None:
        store = self.store
        for cell in cells:
            if isinstance(cell, Cell) and cell.id in store and store.get(cell.id) is cell:
                continue
            store.put(cell.value, cell.alias or None, id=cell.id)
