"""One step of a parallel run on an `InMemoryStore`, with the store's `get` and `put` inlined.

The parallel run's workers call this instead of `StepRun.execute` when the store is the engine's own
`InMemoryStore` and nothing is looked up (see `Engine.run_plan`): it does what `execute` does, and what
the fast sequential loop (`fast_run`) does for one step, writing the same `Cell`s under the store's
write lock. It exists so that a parallel run of light steps costs about what a sequential one does
(`tests/benchmarks/bench_parallel.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fancy_studio.core.fast_run import _missing_input as missing_input_error
from fancy_studio.core.params import fresh
from fancy_studio.core.run_types import StepStatus
from fancy_studio.core.store import Cell
from fancy_studio.core.validation import CALL_KEYWORDS, CALL_ONE, CALL_PARAMS, CALL_TWO, CompiledStep

if TYPE_CHECKING:
    from fancy_studio.core.step_run import StepRun


def in_memory_step(run: StepRun) -> Callable[[CompiledStep], None]:
    """How a worker runs one step of `run` (whose store is an `InMemoryStore`): outcome in `run.status`,
    time in `run.timings`, callbacks from the worker's thread, as `StepRun.execute`."""
    store = run.store
    cells: dict[Any, Cell] = store._cells  # type: ignore[attr-defined]
    revisions = store._revisions  # type: ignore[attr-defined]
    write_lock = store._write_lock  # type: ignore[attr-defined]
    callbacks = run.callbacks
    on_started, on_finished = callbacks.on_step_started, callbacks.on_step_finished
    report_progress = callbacks.on_progress is not None
    status, timings = run.status, run.timings
    done = StepStatus.DONE
    perf_counter, now, new = time.perf_counter, time.time, tuple.__new__

    def execute(compiled: CompiledStep) -> None:
        step, function, step_id, func, kind, keys, out_key, out_id, out_alias, named = compiled
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
            run.fail(step, function, missing_input_error(run, compiled), perf_counter() - begun)
            return
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
        except BaseException as exc:  # noqa: BLE001 - whatever a step raises is its failure
            if not run.interrupted(exc):  # (an interrupted step stays pending: `cancel_rest`)
                run.fail(step, function, exc, perf_counter() - begun)
            return
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
        timings[step_id] = elapsed
        status[step_id] = done
        if on_finished is not None:
            on_finished(step, elapsed)
        if report_progress:
            run.progress()

    return execute
