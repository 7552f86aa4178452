"""One run inside the kernel: take its plan (`child_workflow`), run the engine, stream what happens.

Events leave in batches: a flusher thread sends what is new every `FLUSH_INTERVAL` (the timings log's
new entries, and the steps that failed, were skipped or reused), never one message per step. Steps are
named by their position in the run's plan, which is the studio's: the kernel runs the order it is sent.
The store is closed (everything written and committed) before the run's result is sent, because the
studio reads the same file as soon as `run` returns.
"""

from __future__ import annotations

import copy
import gc
import sys
import threading
import traceback
from typing import Any
from uuid import UUID

from fancy_studio.core.engine import Engine, RunCallbacks, RunResult, StepError, StepStatus
from fancy_studio.core.store import InMemoryStore
from fancy_studio.core.workflow import WorkflowStep
from fancy_studio.kernel.child_workflow import GivenCell, KernelCache
from fancy_studio.kernel.executors import ExecutorKeeper
from fancy_studio.kernel.protocol import StepSlot

FLUSH_INTERVAL = 0.025
"""Seconds between two event batches while a run goes."""
BATCH_LIMIT = 2000
"""Log entries per event message at most."""

STATUS_CODES = {StepStatus.DONE: "d", StepStatus.FAILED: "f", StepStatus.SKIPPED: "s",
                StepStatus.CANCELLED: "x", StepStatus.CACHED: "c", StepStatus.BYPASSED: "b",
                StepStatus.PENDING: "x"}


class EventBatcher:
    """Collects a run's events where the engine reports them and sends them in batches."""

    def __init__(self, outbox: Any, positions: dict[int, int], *, out_of_order: bool = False) -> None:
        self.outbox = outbox
        self.positions = positions
        """Plan position by `id(step)` (a C-level hash: the per-step cost stays tiny)."""
        self.out_of_order = out_of_order
        """The steps end in any order (a Dask executor: no timings log): each finished step is sent as an
        "ended" entry, and every batch says `"ended"` so the studio files failures and skips at once."""
        self.log: list[float | None] = []
        self.failed: list[list[Any]] = []
        self.skipped: list[int] = []
        self.cached: list[int] = []
        self.bypassed: list[int] = []
        self.ended: list[list[Any]] = []
        """[position, seconds] of each step that finished (out-of-order runs only)."""
        self.placed: list[list[Any]] = []
        """[position, worker address] of each step a Dask worker ran."""
        self._sent = [0, 0, 0, 0, 0, 0, 0]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._flush_loop, name="kernel-events", daemon=True)

    def callbacks(self, slot: StepSlot) -> RunCallbacks:
        positions, write = self.positions, slot.setter()

        def started(step: WorkflowStep) -> None:
            write(0, positions[id(step)])

        def failed(step: WorkflowStep, error: StepError) -> None:
            self.failed.append([positions[id(step)], error.type_name, error.message, error.traceback])

        def placed(step: WorkflowStep, address: str) -> None:
            self.placed.append([positions[id(step)], str(address)])

        def finished(step: WorkflowStep, seconds: float) -> None:
            self.ended.append([positions[id(step)], seconds])

        return RunCallbacks(on_step_started=started, on_step_failed=failed,
                            on_step_finished=finished if self.out_of_order else None,
                            on_step_skipped=lambda step: self.skipped.append(positions[id(step)]),
                            on_step_cached=lambda step: self.cached.append(positions[id(step)]),
                            on_step_bypassed=lambda step: self.bypassed.append(positions[id(step)]),
                            on_step_placed=placed,
                            timings_log=None if self.out_of_order else self.log)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.flush()

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_INTERVAL):
            self.flush()

    def flush(self) -> None:
        """Send what is new; the log's length is read first, so each entry's failure or skip (recorded
        before its entry) is in this batch or an earlier one. At most `BATCH_LIMIT` log entries go in one
        message (the studio decodes each in one C call)."""
        logged = len(self.log)
        sent_log, sent_failed, sent_skipped, sent_cached, sent_bypassed, sent_ended, sent_placed = self._sent
        failed, skipped, cached, bypassed = len(self.failed), len(self.skipped), len(self.cached), len(self.bypassed)
        ended, placed = len(self.ended), len(self.placed)
        if (logged, failed, skipped, cached, bypassed, ended, placed) == tuple(self._sent):
            return
        self._sent = [logged, failed, skipped, cached, bypassed, ended, placed]
        start = sent_log
        while True:
            end = min(logged, start + BATCH_LIMIT)
            last = end == logged
            message = {"t": "events", "from": start, "log": self.log[start:end],
                       "failed": self.failed[sent_failed:failed] if last else [],
                       "skipped": self.skipped[sent_skipped:skipped] if last else [],
                       "cached": self.cached[sent_cached:cached] if last else [],
                       "bypassed": self.bypassed[sent_bypassed:bypassed] if last else []}
            if last and placed > sent_placed:
                message["placed"] = self.placed[sent_placed:placed]
            if self.out_of_order:
                message["ended"] = self.ended[sent_ended:ended] if last else []
            self.outbox.send(message)
            if last:
                return
            start = end


def run_request(request: dict[str, Any], slot: StepSlot, outbox: Any, cancel: Any, cache: KernelCache,
                executors: ExecutorKeeper | None = None) -> None:
    """Run one request and answer with its result, or with an error when it cannot start (also: its
    executor's cluster cannot be started or reached). `executors` keeps the Dask client between runs."""
    slot.set(-1)
    store: Any = None
    executor: Any = None
    try:
        spec = request.get("executor")
        if spec is not None:
            executors = executors if executors is not None else ExecutorKeeper()
            executor = executors.executor(spec)  # before anything else: an unreachable scheduler runs nothing
            outbox.send({"t": "cluster", **(executors.info() or {})})
    except BaseException as exc:  # noqa: BLE001 - one line for the studio: why the cluster is not there
        outbox.send({"t": "error", "message": str(exc) or repr(exc), "traceback": traceback.format_exc()})
        return
    try:
        if sys.path != request["sys_path"]:
            sys.path[:] = request["sys_path"]
        reuse = bool(request["reuse"])
        try:
            gc.disable()
            prepared, initial = cache.prepare(request)
        finally:
            settle_new_objects(cache)
        checked = prepared.plan
        store = open_store(request["store"])
        engine = Engine(store, executor=executor)
        if initial is None:
            initial = own_input_cells(checked.workflow)
    except BaseException as exc:  # noqa: BLE001 - reported to the studio as text
        close_quietly(store)
        outbox.send({"t": "error", "message": str(exc) or repr(exc), "traceback": traceback.format_exc()})
        return
    order: list[UUID] = checked.step_ids or []
    batcher = EventBatcher(outbox, prepared.positions, out_of_order=executor is not None)
    callbacks = batcher.callbacks(slot)
    batcher.start()
    refused: str | None = None
    try:
        result = engine.run_plan(checked, initial, callbacks=callbacks, cancel=cancel, reuse=reuse,
                                 folder=request.get("folder"))
    except Exception as exc:  # an executor's refusal before any step (workers lacking a function)
        if executor is None:
            raise
        refused = str(exc) or repr(exc)
        trace = traceback.format_exc()
    finally:
        batcher.stop()  # its last batch leaves before the answer: nothing of this run follows it
        close_quietly(store)
    if refused is not None:
        outbox.send({"t": "error", "message": refused, "traceback": trace})
        return
    outbox.send(result_message(result, order, len(batcher.log)))


def own_input_cells(workflow: Any) -> list[Any]:
    """The workflow's input cells for one run. The kernel keeps the workflow from run to run, and a step
    may change a list or dict it was given in place (an in-memory store hands over the value itself):
    such values are copied, so the next run starts from the studio's value, not from what a step made."""
    cells = []
    for cell in workflow.literal_cells():
        if isinstance(cell.value, (list, dict)):
            cell = GivenCell(cell.id, cell.alias, copy.deepcopy(cell.value))
        cells.append(cell)
    return cells


def settle_new_objects(cache: KernelCache) -> None:
    """The workflow and plan just built live run after run: they go to the collector's permanent
    generation (`gc.freeze`) rather than count towards a full collection, which would look at all of
    them (about 150 ms for 10,000 steps, every new workflow). Frozen objects are still freed when the
    last reference goes (an evicted chunk); only a reference cycle left unreachable at this moment would
    stay, so the young generations are collected first."""
    if cache.built:
        cache.built = False
        gc.collect(1)
        gc.freeze()
    gc.enable()


def open_store(path: str | None) -> Any:
    if path is None:
        return InMemoryStore()
    from fancy_studio.core.sqlite_store import SqliteStore

    return SqliteStore(path)


def close_quietly(store: Any) -> None:
    close = getattr(store, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # noqa: BLE001 - a result the store could not write is lost, not fatal
            pass


def result_message(result: RunResult, order: list[UUID], logged: int) -> dict[str, Any]:
    """The rest of the run's outcome, by plan position: the status letter and timing of each step the
    event batches did not log (a run cancelled part way: the steps it never reached), the errors of
    those steps, every skip reason, the duration. Only what the batches did not say: the studio decodes
    the message in one C call, which must stay short however long the run was."""
    status = result.step_status
    timings = result.timings
    rest = order[logged:]
    position = {step_id: i for i, step_id in enumerate(order)}
    return {
        "t": "done",
        "from": logged,
        "status": "".join(STATUS_CODES[status[step_id]] for step_id in rest),
        "timings": [timings.get(step_id) for step_id in rest],
        "errors": [[position[step_id], error.type_name, error.message, error.traceback]
                   for step_id, error in result.errors.items() if position[step_id] >= logged],
        "skip_reasons": [[position[step_id], reason] for step_id, reason in result.skip_reasons.items()],
        "duration": result.duration,
        "cancelled": result.cancelled,
    }
