"""Run a workflow: check it, then call each step's function in dependency order.

The engine knows nothing of Qt. It reports through plain callbacks (step started / finished / failed,
progress), which the studio turns into Qt signals in one place. A step that raises (anything: also
`SystemExit`, `KeyboardInterrupt` or another `BaseException`) is recorded as failed and its dependents are
skipped while independent branches still run; so is a step whose function is not
installed (a workflow from elsewhere): the rest still runs, and `RunResult.skip_reasons` says why. A
`CancelToken` stops the run between steps. With `max_workers > 1`, independent steps run in parallel on
a thread pool.
"""

from __future__ import annotations

import enum
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fancy_studio.core.caching import step_key, value_hash
from fancy_studio.core.functions import RETURN, FancyFunction, FunctionRegistry, registry as default_registry
from fancy_studio.core.errors import CellNotFoundError
from fancy_studio.core.result_cache import Lineage, ResultCache, StoredResult
from fancy_studio.core.store import Cell, DatumStore, InMemoryStore
from fancy_studio.core.validation import (
    CALL_KEYWORDS,
    CALL_ONE,
    CALL_TWO,
    CompiledStep,
    ExecutionPlan,
    plan,
    select_steps,
)
from fancy_studio.core.workflow import CellSpec, Workflow, WorkflowStep


class StepStatus(str, enum.Enum):
    """What became of a step in a run."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not run because a step it depends on failed, or its function (or one a step it depends on
    needs) is not installed (see `RunResult.skip_reasons`)."""
    CANCELLED = "cancelled"
    """Not run because the run was cancelled first."""
    CACHED = "cached"
    """Not run: the store held its result for the same function version, inputs and fingerprint, and
    that result was written to its output cells."""


@dataclass(frozen=True)
class StepError:
    """What went wrong in a step: the exception's type and message, and where it was raised."""

    step_id: UUID
    function_slug: str
    type_name: str
    message: str
    traceback: str
    exception: BaseException | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.function_slug} raised {self.type_name}: {self.message}"


@dataclass
class RunResult:
    """The outcome of `Engine.run`: a status, an error and a duration per step."""

    step_status: dict[UUID, StepStatus]
    """Every step of the run, in the plan's order (`ExecutionPlan.step_ids`), whatever order they ran in."""
    errors: dict[UUID, StepError]
    timings: dict[UUID, float]
    """Seconds each step's function took, for steps that ran (not for reused ones)."""
    duration: float = 0.0
    cancelled: bool = False
    skip_reasons: dict[UUID, str] = field(default_factory=dict)
    """Why a skipped step could not run, for the steps skipped because a function is not installed:
    "function 'x.y' is not installed" for a step that calls it, "depends on step 'T', whose function
    'x.y' is not installed" for each step after it. (A step skipped because one before it failed has no
    entry: `errors` holds that failure.)"""

    @property
    def ok(self) -> bool:
        """True when every step ran and succeeded, or was reused."""
        return all(status is StepStatus.DONE or status is StepStatus.CACHED for status in self.step_status.values())

    def count(self, status: StepStatus) -> int:
        return list(self.step_status.values()).count(status)


class CancelToken:
    """Thread-safe flag that asks a run to stop before its next step.

    A plain attribute rather than a `threading.Event`: writing and reading one is atomic, and the engine
    reads it before every step, where a method call would cost about as much as a fast step itself.
    """

    __slots__ = ("requested",)

    def __init__(self) -> None:
        self.requested = False

    def cancel(self) -> None:
        self.requested = True

    @property
    def cancelled(self) -> bool:
        return self.requested


_UNKNOWN: Any = object()
"""A cell whose hash this run has not computed yet (None means: it cannot be hashed)."""

_FUNCTION_MISSING = -1
"""A key in `_Run.blocked` that no cell has: the plan has steps whose function is not installed."""

StepCallback = Callable[[WorkflowStep], None]
FinishedCallback = Callable[[WorkflowStep, float], None]
FailedCallback = Callable[[WorkflowStep, StepError], None]
ProgressCallback = Callable[[int, int], None]


@dataclass
class RunCallbacks:
    """Plain callbacks the engine calls from the thread that runs the step."""

    on_step_started: StepCallback | None = None
    on_step_finished: FinishedCallback | None = None
    """Called with the step and the seconds it took."""
    on_step_failed: FailedCallback | None = None
    on_step_skipped: StepCallback | None = None
    on_step_cached: StepCallback | None = None
    """Called for a step whose stored result was reused; without it, `on_step_finished` is called with
    0 seconds instead, so a caller that knows only finished steps still sees it end."""
    on_progress: ProgressCallback | None = None
    """Called with (steps finished, steps in the run) after each step, whatever its outcome."""
    timings_log: list[float | None] | None = None
    """For a caller that watches the run from another thread rather than taking a call per step: the
    engine appends to this list as each step ends, in plan order (`ExecutionPlan.step_ids`): the seconds
    it took, or None when it did not run (a reused step did not run either). A failed or skipped step's callback comes before its entry.
    It costs the run nothing: it is the list the engine keeps its timings in. Sequential runs only."""


class Engine:
    """Runs workflows against a store of cells."""

    def __init__(self, store: DatumStore, *, registry: FunctionRegistry = default_registry) -> None:
        self.store = store
        self.registry = registry

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
        """
        initial = workflow.literal_cells() if initial_cells is None else list(initial_cells)
        checked = self.check(workflow, initial, targets=targets)
        return self.run_plan(checked, initial, callbacks=callbacks, cancel=cancel, max_workers=max_workers,
                             reuse=reuse)

    def run_plan(
        self,
        checked: ExecutionPlan,
        initial_cells: Sequence[Cell | CellSpec] | None = None,
        *,
        callbacks: RunCallbacks | None = None,
        cancel: CancelToken | None = None,
        max_workers: int = 1,
        reuse: bool = True,
    ) -> RunResult:
        """Run an already checked plan (see `check`; `reuse` as in `run`)."""
        started = time.perf_counter()
        if max_workers > 1 and callbacks is not None and callbacks.timings_log is not None:
            raise ValueError("a timings log needs a sequential run (max_workers=1)")
        self._store_initial(checked.workflow.literal_cells() if initial_cells is None else initial_cells)
        run = _Run(self.store, checked, callbacks or RunCallbacks(), cancel)
        store = self.store
        if isinstance(store, ResultCache):
            if type(store) is InMemoryStore and max_workers == 1 and not (reuse and store.has_results()):
                # nothing to look up: the fast loop runs, and its results are hashed and remembered only
                # when a later run looks for them (so a run that reuses nothing costs no hashing)
                run.execute_sequential()
                store.defer_results(_remember_later(store, checked, run, store._cells.copy()))
                return self._result(run, started, cancel)
            if type(store) is InMemoryStore:
                store.settle_results()
            run.cache, run.reuse = store, reuse
        if max_workers > 1:
            run.execute_parallel(max_workers)
        else:
            run.execute_sequential()
        return self._result(run, started, cancel)

    @staticmethod
    def _result(run: _Run, started: float, cancel: CancelToken | None) -> RunResult:
        return RunResult(run.status, run.errors, run.timings, time.perf_counter() - started,
                         cancel is not None and cancel.cancelled, run.skip_reasons)

    def _store_initial(self, cells: Iterable[Cell | CellSpec]) -> None:
        store = self.store
        for cell in cells:
            if isinstance(cell, Cell) and cell.id in store and store.get(cell.id) is cell:
                continue
            store.put(cell.value, cell.alias or None, id=cell.id)


class _Run:
    """The state of one run: statuses so far, and the cells that will never be written."""

    def __init__(self, store: DatumStore, checked: ExecutionPlan, callbacks: RunCallbacks,
                 cancel: CancelToken | None) -> None:
        self.store = store
        self.plan = checked
        self.callbacks = callbacks
        self.cancel = cancel
        step_ids = checked.step_ids
        assert step_ids is not None
        self.step_ids = step_ids
        self.total = len(step_ids)
        self.status: dict[UUID, StepStatus] = {}
        """Filled by the run that is chosen: every step for the general one, only the steps that failed
        or were skipped for the fast sequential one (which builds the full dictionary at the end)."""
        self.errors: dict[UUID, StepError] = {}
        self.timings: dict[UUID, float] = {}
        self.blocked: set[int] = set()
        """Cells (by `uuid.int`) a failed or skipped step should have written; whoever reads them is skipped."""
        self.skip_reasons: dict[UUID, str] = {}
        self.missing: dict[int, str] = {}
        """Cells (by `uuid.int`) that a missing function keeps from being written → why, for their readers."""
        if checked.unavailable:
            # the loops look for blocked inputs only once something is blocked; this key (no cell's:
            # `uuid.int` is never negative) turns that on, so they meet the steps that cannot run
            self.blocked.add(_FUNCTION_MISSING)
        self.finished = 0
        self.lock = threading.Lock()
        self.cache: ResultCache | None = None
        """The store as a `ResultCache` when this run looks up and remembers results, else None."""
        self.reuse = True
        """False: look nothing up (every step runs), but remember what the steps make."""
        self.hashes: dict[int, str | None] = {}
        """Content hashes of the cells this run has read or written, by `uuid.int` (None: unhashable)."""
        self.made: set[str] = set()
        """Keys this run has remembered: a second step with the same recipe in the same run still runs
        (results are reused from earlier runs only, so a first run never shows a step as reused)."""

    def execute_sequential(self) -> None:
        if type(self.store) is InMemoryStore and self.cache is None:
            self._execute_in_memory()
            return
        self.status = dict.fromkeys(self.step_ids, StepStatus.PENDING)
        cancel = self.cancel
        blocked = self.blocked
        execute = self._execute if self.cache is None else self._execute_reusing
        log = self.callbacks.timings_log
        timings = self.timings
        for compiled in self.plan.compiled:
            if cancel is not None and cancel.cancelled:
                break
            if blocked and self._reads_blocked(compiled):
                self._skip(compiled.step)
            else:
                execute(compiled)
            if log is not None:
                log.append(timings.get(compiled.step_id))
        self._cancel_rest()

    def _execute_in_memory(self) -> None:
        """The sequential run on an `InMemoryStore`, with the store's `put` and `get` inlined.

        It does what `_execute` does for each step, writing the same `Cell`s (see `InMemoryStore.put`),
        but reads and writes the store's dictionary by `uuid.int` directly, calls one- and two-input
        functions positionally (see `validation._positional_names`) and builds the status and timing
        dictionaries once at the end.
        """
        store = self.store
        cells: dict[Any, Cell] = store._cells  # type: ignore[attr-defined]
        revisions = store._revisions  # type: ignore[attr-defined]
        write_lock = store._write_lock  # type: ignore[attr-defined]
        callbacks = self.callbacks
        on_started, on_finished = callbacks.on_step_started, callbacks.on_step_finished
        report_progress = callbacks.on_progress is not None
        cancel = self.cancel
        # a plain CancelToken's flag is read directly (no call per step); anything else is asked
        token: CancelToken | None = None
        cancelled: Callable[[], bool] | None = None
        if type(cancel) is CancelToken:
            token = cancel
        elif cancel is not None:
            cancelled = lambda: cancel.cancelled  # noqa: E731
        blocked = self.blocked
        log = callbacks.timings_log
        times: list[float | None] = log if log is not None else []
        record = times.append
        perf_counter, now, new = time.perf_counter, time.time, tuple.__new__
        skipped = False
        for compiled in self.plan.compiled:
            if token is not None:
                if token.requested:
                    break
            elif cancelled is not None and cancelled():
                break
            step, function, step_id, func, kind, keys, out_key, out_id, out_alias, named = compiled
            if blocked and self._reads_blocked(compiled):
                self._skip(step)
                record(None)
                skipped = True
                continue
            if on_started is not None:
                on_started(step)
            begun = perf_counter()
            try:
                if kind == CALL_ONE:
                    first = cells[keys][2]
                elif kind == CALL_TWO:
                    first = cells[keys[0]][2]
                    second = cells[keys[1]][2]
                elif kind == CALL_KEYWORDS:
                    arguments = {name: cells[key][2] for name, key in keys}
            except KeyError:
                error: BaseException = self._missing_input(compiled)
            else:
                try:
                    if kind == CALL_ONE:
                        result = func(first)
                    elif kind == CALL_TWO:
                        result = func(first, second)
                    elif kind == CALL_KEYWORDS:
                        result = func(**arguments)
                    else:
                        result = func()
                    if named is not None:
                        values = function.split_outputs(result)
                except BaseException as exc:  # whatever a step raises is its failure, never propagated
                    if self._interrupted(exc):
                        break  # this step and the rest are cancelled (see `_finish_in_memory`)
                    error = exc
                else:
                    elapsed = perf_counter() - begun
                    if out_key is not None:
                        alias = out_alias
                        if alias is None:
                            old = cells.get(out_key)
                            if old is not None:
                                alias = old[1]
                        with write_lock:  # as `InMemoryStore.put`: publish, then move the revision
                            revision = next(revisions)
                            cells[out_key] = new(Cell, (out_id, alias, result, step_id, now(), revision))
                            store._revision = revision  # type: ignore[attr-defined]
                    elif named is not None:
                        for name, key, cell_id, alias in named:
                            if alias is None:
                                old = cells.get(key)
                                if old is not None:
                                    alias = old[1]
                            with write_lock:
                                revision = next(revisions)
                                cells[key] = new(Cell, (cell_id, alias, values[name], step_id, now(), revision))
                                store._revision = revision  # type: ignore[attr-defined]
                    record(elapsed)
                    if on_finished is not None:
                        on_finished(step, elapsed)
                    if report_progress:
                        self._progress()
                    continue
            elapsed = perf_counter() - begun
            self._fail(step, function, error, elapsed, record_timing=False)
            record(elapsed)  # after the failure is reported: see RunCallbacks.timings_log
        self._finish_in_memory(times, skipped, keep_times=log is not None)

    def _missing_input(self, compiled: CompiledStep) -> Exception:
        """The error `store.get` raises for the first input cell that is not in the store."""
        store = self.store
        for cell_id in compiled.inputs.values():
            if cell_id not in store:
                try:
                    store.get(cell_id)
                except Exception as exc:
                    return exc
        return CellNotFoundError(next(iter(compiled.inputs.values())))

    def _finish_in_memory(self, times: list[float | None], skipped: bool, *, keep_times: bool) -> None:
        """Build `timings` (steps that ran, in order) and `status` (every step, in plan order)."""
        step_ids = self.step_ids
        if skipped:
            self.timings = {step_id: t for step_id, t in zip(step_ids, times) if t is not None}
        else:
            self.timings = dict(zip(step_ids, times))  # type: ignore[arg-type]
        reached = len(times)
        if not keep_times:  # (the caller's timings log is the caller's)
            times.clear()  # before `status` is built: a lower memory peak
        if len(self.timings) == len(step_ids):
            # every step ran: same keys in the same order, and `fromkeys` of a dict reuses the hashes
            # (UUID.__hash__ is Python code: this saves one call per step)
            status = dict.fromkeys(self.timings, StepStatus.DONE)
        else:
            status = dict.fromkeys(step_ids, StepStatus.DONE)
            if reached < len(step_ids):  # cancelled: the steps not reached
                status.update(dict.fromkeys(step_ids[reached:], StepStatus.CANCELLED))
        status.update(self.status)  # the steps that failed or were skipped
        self.status = status

    def _reads_blocked(self, compiled: CompiledStep) -> bool:
        """True when the step cannot run: an input will never be written, or its function is missing."""
        if compiled[1] is None:
            return True
        blocked = self.blocked
        return any(cell.int in blocked for cell in compiled.inputs.values())

    def execute_parallel(self, max_workers: int) -> None:
        self.status = dict.fromkeys(self.step_ids, StepStatus.PENDING)
        graph = self.plan.graph
        by_id = {c.step.id: c for c in self.plan.compiled}
        waiting = {step_id: graph.in_degree(step_id) for step_id in by_id}
        ready = [by_id[step_id] for step_id, count in waiting.items() if count == 0]
        ready.reverse()  # pop() then starts with the first step in dependency order
        running: dict[Future[Any], CompiledStep] = {}
        execute = self._execute if self.cache is None else self._execute_reusing
        with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="fancy-step") as pool:
            while ready or running:
                while ready and not (self.cancel is not None and self.cancel.cancelled):
                    compiled = ready.pop()
                    if self._reads_blocked(compiled):
                        self._skip(compiled.step)
                        ready.extend(self._release(compiled, waiting, by_id))
                    else:
                        running[pool.submit(execute, compiled)] = compiled
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    compiled = running.pop(future)
                    escaped = future.exception()
                    if escaped is not None and self.status[compiled.step_id] is StepStatus.PENDING:
                        # raised past the step (a callback): still that step's failure, never a silent
                        # "cancelled" whose readers would then run without their input
                        self._fail(compiled.step, compiled.function, escaped, 0.0, record_timing=False)
                    ready.extend(self._release(compiled, waiting, by_id))
        self._cancel_rest()

    def _release(self, compiled: CompiledStep, waiting: dict[UUID, int],
                 by_id: dict[UUID, CompiledStep]) -> list[CompiledStep]:
        released = []
        for successor in self.plan.graph.successors(compiled.step.id):
            waiting[successor] -= 1
            if waiting[successor] == 0:
                released.append(by_id[successor])
        return released

    def _execute_reusing(self, compiled: CompiledStep) -> None:
        """Run one step, or reuse its stored result (see `Engine.run`); remember what a run makes."""
        step, function, step_id = compiled[0], compiled[1], compiled[2]
        if not function.cacheable:
            self._execute(compiled)
            return
        recipe = self._recipe(step, function)
        if recipe is None:  # an input that cannot be hashed (or read): the step simply runs
            self._execute(compiled)
            return
        key, input_hashes = recipe
        cache = self.cache
        assert cache is not None
        if self.reuse and key not in self.made:
            try:
                stored = cache.lookup(key)
            except Exception:  # a store that cannot answer: run the step instead
                stored = None
            if stored is not None and self._write_stored(compiled, stored):
                return
        began_at = time.time()
        outputs = self._execute(compiled)
        if outputs is None:
            return
        output_hashes = {name: value_hash(value) for name, value in outputs.items()}
        hashes = self.hashes
        for name, cell_id in step.outputs.items():
            hashes[cell_id.int] = output_hashes.get(name)
        if None in output_hashes.values():
            return  # a later reader could not be keyed anyway
        lineage = Lineage(step_id, function.slug, function.version, input_hashes, key, began_at,
                          self.timings.get(step_id, 0.0))
        self.made.add(key)
        try:
            cache.remember(key, StoredResult(outputs, output_hashes, lineage))  # type: ignore[arg-type]
            for cell_id in step.outputs.values():
                cache.set_lineage(cell_id, lineage)
        except Exception:  # the values are in their cells; only reuse next time is lost
            pass

    def _recipe(self, step: WorkflowStep, function: FancyFunction) -> tuple[str, dict[str, str]] | None:
        """The step's recipe key (see `caching.step_key`) and its input hashes, or None when an input has
        no hash."""
        hashes = self.hashes
        get = self.store.get
        input_hashes = {}
        try:
            for name, cell_id in step.inputs.items():
                digest = hashes.get(cell_id.int, _UNKNOWN)
                if digest is _UNKNOWN:
                    digest = hashes[cell_id.int] = value_hash(get(cell_id).value)
                if digest is None:
                    return None
                input_hashes[name] = digest
            fingerprint = None
            if function.fingerprint is not None:
                token = function.fingerprint(**{name: get(cell_id).value for name, cell_id in step.inputs.items()})
                fingerprint = value_hash(token)
                if fingerprint is None:
                    return None
        except Exception:  # a missing input or a fingerprint that fails: the step runs and says why
            return None
        return step_key(function.slug, function.version, input_hashes, None, fingerprint), input_hashes

    def _write_stored(self, compiled: CompiledStep, stored: StoredResult) -> bool:
        """Write a stored result to the step's output cells and report the step reused; False (nothing
        written) when the result lacks an output the step needs."""
        step, step_id = compiled[0], compiled[2]
        outputs, output_hashes = stored.outputs, stored.output_hashes
        if any(name not in outputs or name not in output_hashes for name in step.outputs):
            return False
        lineage = stored.lineage
        if lineage.step_id != step_id:
            lineage = Lineage(step_id, lineage.slug, lineage.version, lineage.input_hashes, lineage.key,
                              lineage.made_at, lineage.duration)
        store, cache, hashes = self.store, self.cache, self.hashes
        assert cache is not None
        out_key, out_id, out_alias, named = compiled[6], compiled[7], compiled[8], compiled[9]
        try:
            if out_key is not None:
                store.put(outputs[RETURN], out_alias, id=out_id, produced_by=step_id)
            elif named is not None:
                for name, _, cell_id, alias in named:
                    store.put(outputs[name], alias, id=cell_id, produced_by=step_id)
            for name, cell_id in step.outputs.items():
                hashes[cell_id.int] = output_hashes[name]
                cache.set_lineage(cell_id, lineage)
        except Exception:  # the store could not take it back: run the step instead
            return False
        self.status[step_id] = StepStatus.CACHED
        callbacks = self.callbacks
        if callbacks.on_step_cached is not None:
            callbacks.on_step_cached(step)
        elif callbacks.on_step_finished is not None:
            callbacks.on_step_finished(step, 0.0)
        self._progress()
        return True

    def _execute(self, compiled: CompiledStep) -> dict[str, Any] | None:
        """Run one step through the store's own `get` and `put` (any store; the parallel run); its
        outputs by port name when it succeeded, else None."""
        step, function, step_id, func, _, _, out_key, out_id, out_alias, named = compiled
        callbacks = self.callbacks
        store = self.store
        if callbacks.on_step_started is not None:
            callbacks.on_step_started(step)
        begun = time.perf_counter()
        try:
            get = store.get
            result = func(**{name: get(cell_id).value for name, cell_id in step.inputs.items()})
            if named is not None:
                values = function.split_outputs(result)
        except BaseException as exc:  # whatever a step raises is its failure, never propagated
            if not self._interrupted(exc):  # (an interrupted step stays pending: `_cancel_rest`)
                self._fail(step, function, exc, time.perf_counter() - begun)
            return None
        elapsed = time.perf_counter() - begun
        try:
            put = store.put
            if out_key is not None:
                put(result, out_alias, id=out_id, produced_by=step_id)
            elif named is not None:
                for name, _, cell_id, alias in named:
                    put(values[name], alias, id=cell_id, produced_by=step_id)
        except BaseException as exc:  # the store could not keep the result: the step did not get done
            if not self._interrupted(exc):
                self._fail(step, function, exc, elapsed)
            return None
        self.timings[step_id] = elapsed
        self.status[step_id] = StepStatus.DONE
        if callbacks.on_step_finished is not None:
            callbacks.on_step_finished(step, elapsed)
        if callbacks.on_progress is not None:
            self._progress()
        return values if named is not None else {RETURN: result}

    def _interrupted(self, exc: BaseException) -> bool:
        """True when `exc` is the run being interrupted rather than the step failing: a KeyboardInterrupt
        once the run's cancel token is set (the CLI's Ctrl+C handler sets it, then raises). A step's own
        `KeyboardInterrupt`, `SystemExit` or `GeneratorExit` is its failure like any other exception."""
        return isinstance(exc, KeyboardInterrupt) and self.cancel is not None and self.cancel.cancelled

    def _fail(self, step: WorkflowStep, function: FancyFunction, exc: BaseException, elapsed: float,
              *, record_timing: bool = True) -> None:
        error = StepError(step.id, function.slug, _type_name(exc), exception_message(exc),
                          _traceback_text(exc), exc)
        with self.lock:
            self.errors[step.id] = error
            if record_timing:
                self.timings[step.id] = elapsed
            self.status[step.id] = StepStatus.FAILED
            self.blocked.update(cell.int for cell in step.outputs.values())
        if self.callbacks.on_step_failed is not None:
            self.callbacks.on_step_failed(step, error)
        self._progress()

    def _skip(self, step: WorkflowStep) -> None:
        reason = self._missing_function_reason(step)
        with self.lock:
            self.status[step.id] = StepStatus.SKIPPED
            self.blocked.update(cell.int for cell in step.outputs.values())
            if reason is not None:
                self.skip_reasons[step.id] = reason
        if self.callbacks.on_step_skipped is not None:
            self.callbacks.on_step_skipped(step)
        self._progress()

    def _missing_function_reason(self, step: WorkflowStep) -> str | None:
        """Why `step` is skipped, when a missing function is the cause (its own, or one a step before
        it needs); what its outputs' readers will be told is noted on the way."""
        slug = self.plan.unavailable.get(step.id)
        if slug is not None:
            reason = f"function '{slug}' is not installed"
            passed_on = f"depends on step '{step.label or slug}', whose function '{slug}' is not installed"
        else:
            missing = self.missing
            if not missing:
                return None
            reason = next((missing[cell.int] for cell in step.inputs.values() if cell.int in missing), None)
            if reason is None:
                return None
            passed_on = reason
        self.missing.update(dict.fromkeys((cell.int for cell in step.outputs.values()), passed_on))
        return reason

    def _progress(self) -> None:
        on_progress = self.callbacks.on_progress
        if on_progress is None:
            return  # `finished` is only counted for the progress callback: skip the lock
        with self.lock:
            self.finished += 1
            finished = self.finished
        on_progress(finished, self.total)

    def _cancel_rest(self) -> None:
        for step_id, status in self.status.items():
            if status is StepStatus.PENDING:
                self.status[step_id] = StepStatus.CANCELLED


MESSAGE_LIMIT = 10_000
"""Characters of a step's error message kept (a step can raise with a message of any size)."""


def exception_message(exc: BaseException) -> str:
    """What `exc` says, even when its `__str__` (and `__repr__`) raise or return something odd: a step's
    exception is any object, and reporting it must not fail."""
    for describe in (str, repr):
        try:
            text = describe(exc)
        except BaseException:  # noqa: BLE001 - a broken __str__ may raise anything
            continue
        if isinstance(text, str):
            text = text or _type_name(exc)
            return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "… (cut)"
    return f"{_type_name(exc)} (its message could not be read)"


def _type_name(exc: BaseException) -> str:
    name = getattr(type(exc), "__name__", None)
    return name if isinstance(name, str) else "exception"


def _traceback_text(exc: BaseException) -> str:
    try:
        return "".join(traceback.format_exception(exc))
    except BaseException:  # noqa: BLE001 - as exception_message
        return f"{_type_name(exc)}: {exception_message(exc)}"


def _remember_later(store: ResultCache, checked: ExecutionPlan, run: _Run,
                    cells: dict[Any, Cell]) -> Callable[[], None]:
    """The work that keys and remembers what a fast in-memory run made, from `cells` (the store's cells
    as the run left them), for `InMemoryStore.defer_results`. Steps with a fingerprint are left out: it
    would be asked later than the step ran, and could vouch for an outside that has changed since."""
    status, timings = run.status, run.timings

    def remember() -> None:
        hashes: dict[int, str | None] = {}

        def hash_of(cell_id: UUID) -> str | None:
            digest = hashes.get(cell_id.int, _UNKNOWN)
            if digest is _UNKNOWN:
                cell = cells.get(cell_id.int)
                digest = hashes[cell_id.int] = None if cell is None else value_hash(cell[2])
            return digest

        live = store._cells  # type: ignore[attr-defined]
        for compiled in checked.compiled:
            step, function, step_id = compiled[0], compiled[1], compiled[2]
            if status.get(step_id) is not StepStatus.DONE or function is None:
                continue
            if not function.cacheable or function.fingerprint is not None:
                continue
            input_hashes = {name: hash_of(cell_id) for name, cell_id in step.inputs.items()}
            output_cells = {name: cells.get(cell_id.int) for name, cell_id in step.outputs.items()}
            if None in input_hashes.values() or None in output_cells.values():
                continue
            if len(function.outputs) != len(output_cells):
                continue  # an output that no cell took was not kept: this result cannot serve every step
            output_hashes = {name: hash_of(step.outputs[name]) for name in output_cells}
            if None in output_hashes.values():
                continue
            key = step_key(function.slug, function.version, input_hashes)  # type: ignore[arg-type]
            first = next(iter(output_cells.values()), None)
            lineage = Lineage(step_id, function.slug, function.version, input_hashes,  # type: ignore[arg-type]
                              key, first[4] if first is not None else 0.0, timings.get(step_id, 0.0))
            outputs = {name: cell[2] for name, cell in output_cells.items()}  # type: ignore[index]
            store.remember(key, StoredResult(outputs, output_hashes, lineage))  # type: ignore[arg-type]
            for cell_id in step.outputs.values():
                if live.get(cell_id.int) is cells.get(cell_id.int):  # not written since
                    store.set_lineage(cell_id, lineage)

    return remember
