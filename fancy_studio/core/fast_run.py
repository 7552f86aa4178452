"""The fast sequential run on an `InMemoryStore`: the loop whose cost per step is the engine's speed.

Kept apart so it stays one flat loop: no function-call layers inside it (a fast step costs about as
much as a method call). `tests/benchmarks/bench_engine.py` measures it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fancy_studio.core.errors import CellNotFoundError
from fancy_studio.core.run_types import CancelToken, StepStatus
from fancy_studio.core.store import Cell
from fancy_studio.core.params import fresh
from fancy_studio.core.validation import CALL_KEYWORDS, CALL_ONE, CALL_PARAMS, CALL_TWO, CompiledStep

if TYPE_CHECKING:
    from fancy_studio.core.step_run import StepRun



def execute_in_memory(run: StepRun) -> None:
    """The sequential run on an `InMemoryStore`, with the store's `put` and `get` inlined.

    It does what `StepRun.execute` does for each step, writing the same `Cell`s (see `InMemoryStore.put`),
    but reads and writes the store's dictionary by `uuid.int` directly, calls one- and two-input
    functions positionally (see `validation.positional_names`) and builds the status and timing
    dictionaries once at the end.
    """
    store = run.store
    cells: dict[Any, Cell] = store._cells  # type: ignore[attr-defined]
    revisions = store._revisions  # type: ignore[attr-defined]
    write_lock = store._write_lock  # type: ignore[attr-defined]
    callbacks = run.callbacks
    on_started, on_finished = callbacks.on_step_started, callbacks.on_step_finished
    report_progress = callbacks.on_progress is not None
    cancel = run.cancel
    # a plain CancelToken's flag is read directly (no call per step); anything else is asked
    token: CancelToken | None = None
    cancelled: Callable[[], bool] | None = None
    if type(cancel) is CancelToken:
        token = cancel
    elif cancel is not None:
        cancelled = lambda: cancel.cancelled  # noqa: E731
    blocked = run.blocked
    log = callbacks.timings_log
    times: list[float | None] = log if log is not None else []
    record = times.append
    perf_counter, now, new = time.perf_counter, time.time, tuple.__new__
    skipped = False
    for compiled in run.plan.compiled:
        if token is not None:
            if token.requested:
                break
        elif cancelled is not None and cancelled():
            break
        step, function, step_id, func, kind, keys, out_key, out_id, out_alias, named = compiled
        if blocked and run.reads_blocked(compiled):
            run.not_called(compiled)
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
            elif kind == CALL_PARAMS:
                arguments = {name: cells[key][2] for name, key in keys[0]}
                arguments.update(fresh(keys[1]))
        except KeyError:
            error: BaseException = _missing_input(run, compiled)
        else:
            try:
                if kind == CALL_ONE:
                    result = func(first)
                elif kind == CALL_TWO:
                    result = func(first, second)
                elif kind >= CALL_KEYWORDS:
                    result = func(**arguments)
                else:
                    result = func()
                if named is not None:
                    values = function.split_outputs(result)
            except BaseException as exc:  # whatever a step raises is its failure, never propagated
                if run.interrupted(exc):
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
                    run.progress()
                continue
        elapsed = perf_counter() - begun
        run.fail(step, function, error, elapsed, record_timing=False)
        record(elapsed)  # after the failure is reported: see RunCallbacks.timings_log
    _finish_in_memory(run, times, skipped, keep_times=log is not None)


def _missing_input(run: StepRun, compiled: CompiledStep) -> Exception:
    """The error `store.get` raises for the first input cell that is not in the store."""
    store = run.store
    for cell_id in compiled.inputs.values():
        if cell_id not in store:
            try:
                store.get(cell_id)
            except Exception as exc:
                return exc
    return CellNotFoundError(next(iter(compiled.inputs.values())))


def _finish_in_memory(run: StepRun, times: list[float | None], skipped: bool, *, keep_times: bool) -> None:
    """Build `timings` (steps that ran, in order) and `status` (every step, in plan order)."""
    step_ids = run.step_ids
    if skipped:
        run.timings = {step_id: t for step_id, t in zip(step_ids, times) if t is not None}
    else:
        run.timings = dict(zip(step_ids, times))  # type: ignore[arg-type]
    reached = len(times)
    if not keep_times:  # (the caller's timings log is the caller's)
        times.clear()  # before `status` is built: a lower memory peak
    if len(run.timings) == len(step_ids):
        # every step ran: same keys in the same order, and `fromkeys` of a dict reuses the hashes
        # (UUID.__hash__ is Python code: this saves one call per step)
        status = dict.fromkeys(run.timings, StepStatus.DONE)
    else:
        status = dict.fromkeys(step_ids, StepStatus.DONE)
        if reached < len(step_ids):  # cancelled: the steps not reached
            status.update(dict.fromkeys(step_ids[reached:], StepStatus.CANCELLED))
    status.update(run.status)  # the steps that failed or were skipped
    run.status = status
