"""One run's state and the steps' outcomes: run a step, record it failed, skipped or cancelled.

`StepRun` is shared by the ways a plan is executed: the general sequential loop here (any store), the
fast in-memory loop (`fast_run`), the parallel one (`parallel_run`) and result reuse (`reuse`). It
knows nothing of Qt and reports through `RunCallbacks`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from fancy_studio.core.bypass import bypass_step
from fancy_studio.core.fast_run import execute_in_memory
from fancy_studio.core.functions import RETURN, FancyFunction
from fancy_studio.core.run_types import CancelToken, RunCallbacks, StepError, StepStatus
from fancy_studio.core.store import DatumStore, InMemoryStore
from fancy_studio.core.params import fresh
from fancy_studio.core.validation import CALL_PARAMS, CompiledStep, ExecutionPlan
from fancy_studio.core.workflow import WorkflowStep

if TYPE_CHECKING:
    from fancy_studio.core.reuse import ResultReuse

_NOT_CALLED = -1
"""A key in `StepRun.blocked` that no cell has: the plan has steps that are not called (a function that
is not installed, a bypassed step)."""


class StepRun:
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
        if checked.unavailable or checked.bypassed:
            # the loops look for blocked inputs only once something is blocked; this key (no cell's:
            # `uuid.int` is never negative) turns that on, so they meet the steps that are not called
            self.blocked.add(_NOT_CALLED)
        self.finished = 0
        self.lock = threading.Lock()
        summaries = getattr(store, "summaries", False)
        self.value_of: Any = store.full_value if summaries else None  # type: ignore[attr-defined]
        """A store that reads large values as summaries (the studio's `SqliteStore(summaries=True)`): how a
        step reads an input's whole value. None: `store.get(cell_id).value` is the whole value."""
        self.reuser: ResultReuse | None = None
        """Looks up and remembers results when the store is a `ResultCache` (see `reuse`), else None."""

    def execute_sequential(self) -> None:
        if type(self.store) is InMemoryStore and self.reuser is None:
            execute_in_memory(self)
            return
        self.status = dict.fromkeys(self.step_ids, StepStatus.PENDING)
        cancel = self.cancel
        blocked = self.blocked
        execute = self.execute if self.reuser is None else self.reuser.execute
        log = self.callbacks.timings_log
        timings = self.timings
        for compiled in self.plan.compiled:
            if cancel is not None and cancel.cancelled:
                break
            if blocked and self.reads_blocked(compiled):
                self.not_called(compiled)
            else:
                execute(compiled)
            if log is not None:
                log.append(timings.get(compiled.step_id))
        self.cancel_rest()

    def reads_blocked(self, compiled: CompiledStep) -> bool:
        """True when the step is not to be called: an input will never be written, its function is
        missing, or it is bypassed (see `not_called`)."""
        if compiled[3] is None:
            return True
        blocked = self.blocked
        return any(cell.int in blocked for cell in compiled.inputs.values())

    def not_called(self, compiled: CompiledStep) -> None:
        """What becomes of a step `reads_blocked` stops: a bypassed one passes its value on (unless what
        it passes will never come), any other is skipped."""
        if compiled[3] is None and compiled[1] is not None:
            bypass_step(self, compiled)
        else:
            self.skip(compiled[0])

    def execute(self, compiled: CompiledStep) -> dict[str, Any] | None:
        """Run one step through the store's own `get` and `put` (any store; the parallel run); its
        outputs by port name when it succeeded, else None."""
        step, function, _step_id, func, kind, keys, _out_key, _out_id, _out_alias, named = compiled
        callbacks = self.callbacks
        store = self.store
        if callbacks.on_step_started is not None:
            callbacks.on_step_started(step)
        begun = time.perf_counter()
        try:
            value_of = self.value_of
            if value_of is None:
                get = store.get
                arguments = {name: get(cell_id).value for name, cell_id in step.inputs.items()}
            else:
                arguments = {name: value_of(cell_id) for name, cell_id in step.inputs.items()}
            if kind == CALL_PARAMS:
                arguments.update(fresh(keys[1]))
            result = func(**arguments)
            if named is not None:
                values = function.split_outputs(result)
        except BaseException as exc:  # whatever a step raises is its failure, never propagated
            if not self.interrupted(exc):  # (an interrupted step stays pending: `cancel_rest`)
                self.fail(step, function, exc, time.perf_counter() - begun)
            return None
        outputs = values if named is not None else {RETURN: result}
        return outputs if self.record_outputs(compiled, outputs, time.perf_counter() - begun) else None

    def record_outputs(self, compiled: CompiledStep, outputs: dict[str, Any], elapsed: float) -> bool:
        """A step's function returned `outputs` (by port; here or on a Dask worker): write them to its
        cells and report it done. False when the store could not keep them: the step failed."""
        step, step_id, out_key, out_id, out_alias, named = (compiled[0], compiled[2], compiled[6], compiled[7],
                                                              compiled[8], compiled[9])
        try:
            put = self.store.put
            if out_key is not None:
                put(outputs[RETURN], out_alias, id=out_id, produced_by=step_id)
            elif named is not None:
                for name, _, cell_id, alias in named:
                    put(outputs[name], alias, id=cell_id, produced_by=step_id)
        except BaseException as exc:  # the store could not keep the result: the step did not get done
            if not self.interrupted(exc):
                self.fail(step, compiled[1], exc, elapsed)
            return False
        self.timings[step_id] = elapsed
        self.status[step_id] = StepStatus.DONE
        callbacks = self.callbacks
        if callbacks.on_step_finished is not None:
            callbacks.on_step_finished(step, elapsed)
        if callbacks.on_progress is not None:
            self.progress()
        return True

    def interrupted(self, exc: BaseException) -> bool:
        """True when `exc` is the run being interrupted rather than the step failing: a KeyboardInterrupt
        once the run's cancel token is set (the CLI's Ctrl+C handler sets it, then raises). A step's own
        `KeyboardInterrupt`, `SystemExit` or `GeneratorExit` is its failure like any other exception."""
        return isinstance(exc, KeyboardInterrupt) and self.cancel is not None and self.cancel.cancelled

    def fail(self, step: WorkflowStep, function: FancyFunction, exc: BaseException, elapsed: float,
              *, record_timing: bool = True) -> None:
        self.record_failure(step, StepError.from_exception(step.id, function.slug, exc), elapsed,
                            record_timing=record_timing)

    def record_failure(self, step: WorkflowStep, error: StepError, elapsed: float, *,
                       record_timing: bool = True) -> None:
        """Record the step failed with `error` (made elsewhere: a Dask worker's) and report it."""
        with self.lock:
            self.errors[step.id] = error
            if record_timing:
                self.timings[step.id] = elapsed
            self.status[step.id] = StepStatus.FAILED
            self.blocked.update(cell.int for cell in step.outputs.values())
        if self.callbacks.on_step_failed is not None:
            self.callbacks.on_step_failed(step, error)
        self.progress()

    def skip(self, step: WorkflowStep) -> None:
        reason = self._missing_function_reason(step)
        with self.lock:
            self.status[step.id] = StepStatus.SKIPPED
            self.blocked.update(cell.int for cell in step.outputs.values())
            if reason is not None:
                self.skip_reasons[step.id] = reason
        if self.callbacks.on_step_skipped is not None:
            self.callbacks.on_step_skipped(step)
        self.progress()

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

    def report_not_called(self, step: WorkflowStep, own_callback: Callable[[WorkflowStep], None] | None) -> None:
        """Report a step that took its outcome without being called (bypassed, reused): through its own
        callback when the caller set one, else as finished in no time; then count it for progress."""
        if own_callback is not None:
            own_callback(step)
        elif self.callbacks.on_step_finished is not None:
            self.callbacks.on_step_finished(step, 0.0)
        self.progress()

    def progress(self) -> None:
        on_progress = self.callbacks.on_progress
        if on_progress is None:
            return  # `finished` is only counted for the progress callback: skip the lock
        with self.lock:
            self.finished += 1
            finished = self.finished
        on_progress(finished, self.total)

    def cancel_rest(self) -> None:
        for step_id, status in self.status.items():
            if status is StepStatus.PENDING:
                self.status[step_id] = StepStatus.CANCELLED


