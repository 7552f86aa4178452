"""The parallel run: independent steps run at once on worker threads (`Engine.run(max_workers=N)`).

N worker threads share one queue of ready steps. A worker takes a step, runs it, and releases the steps
that were waiting only for it: it runs the first of them itself, at once (so a chain runs on one thread
with no hand-off), and queues the others for any idle worker. Only a step that releases more than one
successor touches the queue, so a light step costs a few µs more than in a sequential run on the same
store (on an `InMemoryStore` it runs with get/put inlined: `parallel_step`). Threads pay only for steps
that release the GIL (waiting on I/O, numpy, pandas, hashing): see docs/spec/006-running.md.

A step is started only when every step it depends on has ended; each worker looks at the cancel token
before every step, so Stop starts no further step (the ones running finish). A step that cannot run (a
failed or missing input, a function not installed) is skipped, and a bypassed one passes its value on,
without being called; either releases its successors in turn. Whatever escapes a step (a callback that
raises) is that step's failure.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from contextvars import copy_context
from typing import TYPE_CHECKING, Any

from fancy_studio.core.parallel_step import in_memory_step
from fancy_studio.core.run_types import CancelToken, StepStatus
from fancy_studio.core.store import InMemoryStore
from fancy_studio.core.validation import CompiledStep

if TYPE_CHECKING:
    from fancy_studio.core.step_run import StepRun

THREAD_PREFIX = "fancy-step"
"""Worker threads are named `fancy-step_0`, `fancy-step_1`, …"""


class _Schedule:
    """The shared state of one parallel run: the ready queue, the counts of producers still awaited, and
    whether the workers are to stop. Steps are named by their index in `plan.steps`, whose table of
    readers (`plan.successors`) the run follows: building the plan's networkx graph and asking it would
    cost more than running a fast step."""

    def __init__(self, run: StepRun) -> None:
        self.run = run
        if run.reuser is not None:
            self.execute: Callable[[CompiledStep], Any] = run.reuser.execute
        elif type(run.store) is InMemoryStore and run.value_of is None:
            self.execute = in_memory_step(run)
        else:
            self.execute = run.execute
        checked = run.plan
        index_of = {id(step): index for index, step in enumerate(checked.steps)}
        order = [index_of[id(compiled[0])] for compiled in checked.compiled]
        nodes: list[Any] = [None] * len(checked.steps)
        for index, compiled in zip(order, checked.compiled):
            nodes[index] = compiled
        self.nodes: list[CompiledStep] = nodes
        """Each step's compiled form, by index."""
        self.readers = checked.successors
        """The steps that read what a step writes, by index: once per cell read (a reader of two of a
        step's cells is there twice, and counted twice in `producers`: it is released once)."""
        producers = [0] * len(nodes)
        for readers in self.readers:
            for reader in readers:
                producers[reader] += 1
        self.producers = producers
        """How many steps each step reads from (more than one: its count in `waiting` is shared)."""
        self.waiting = producers.copy()
        """How many of its producers have not ended yet (only kept for steps with more than one)."""
        self.ready = deque(index for index in order if not producers[index])
        """Steps whose producers have all ended, in the order they were released (the plan's, for the
        first ones): a worker takes the oldest."""
        self.guard = threading.Lock()
        """Guards `ready`, `waiting`, `busy` and `stopped` (`with guard` is a C call, where `with` on
        the condition is a Python one)."""
        self.ready_lock = threading.Condition(self.guard)
        """Idle workers wait on it for a step to be queued, or for the run's end."""
        self.busy = 0
        """Workers running a step (or a chain of them) now; the run is over when none is and the queue
        is empty."""
        self.stopped = False
        """Set once a worker saw the run cancelled (or the waiting thread was interrupted). A worker sets
        it without the guard (a flag), then takes the guard and wakes the others."""
        self.workers = 0
        """Worker threads started and not yet through (`wait_for_workers`)."""
        self.crash: BaseException | None = None
        """An error in the scheduling itself (never a step's: those are failures): raised by the run."""

    def work(self) -> None:
        """One worker: take the oldest ready step and run from it (`run_from`), until nothing is ready
        and no worker is busy, or the run stops."""
        lock = self.ready_lock
        ready = self.ready
        lock.acquire()
        try:
            while True:
                while not ready and self.busy and not self.stopped:
                    lock.wait()
                if self.stopped or not ready:
                    return
                index = ready.popleft()
                self.busy += 1
                lock.release()
                try:
                    self.run_from(index)
                finally:
                    lock.acquire()
                    self.busy -= 1
        except BaseException as exc:  # noqa: BLE001 - a bug here, not a step's failure: the run raises it
            self.crash = self.crash or exc
            self.stopped = True
        finally:  # (holding the lock)
            self.workers -= 1
            lock.notify_all()  # the others, and the waiting thread, see the end or the stop too
            lock.release()

    def run_from(self, index: int | None) -> None:
        """Run step `index`, then the first step it releases, and so on (`release` queues the others)."""
        run = self.run
        cancel = run.cancel
        token = cancel if type(cancel) is CancelToken else None  # its flag is read directly: no call
        status, blocked, execute = run.status, run.blocked, self.execute
        nodes, readers_of, producers, waiting = self.nodes, self.readers, self.producers, self.waiting
        while index is not None:
            if self.stopped or (cancel is not None and (token.requested if token else cancel.cancelled)):
                self.stopped = True
                return
            compiled = nodes[index]
            try:
                if blocked and run.reads_blocked(compiled):
                    run.not_called(compiled)
                else:
                    execute(compiled)
            except BaseException as escaped:  # noqa: BLE001
                # raised past the step (a callback): still that step's failure, never a silent
                # "cancelled" whose readers would then run without their input
                if status[compiled[2]] is StepStatus.PENDING:
                    run.fail(compiled[0], compiled[1], escaped, 0.0, record_timing=False)
            if cancel is not None and cancel.cancelled and status[compiled[2]] is StepStatus.PENDING:
                return  # interrupted (the run is cancelled): its readers will never have their input
            readers = readers_of[index]
            if len(readers) != 1:
                index = self.release(readers) if readers else None
                continue
            index = readers[0]  # the common case, inline: the one reader runs next,
            if producers[index] > 1:  # unless it waits for another producer too
                with self.guard:
                    left = waiting[index] - 1
                    waiting[index] = left
                if left:
                    return

    def wait_for_workers(self, *, stop: bool = False) -> None:
        """Wait until every worker is through (with `stop`, after telling them to start no further step).

        Counted here rather than by `Thread.join`: a join that a Ctrl+C interrupts marks the thread as
        ended though it still runs (CPython's bpo-45274 handling), so joining it again would not wait."""
        with self.guard:
            if stop:
                self.stopped = True
                self.ready_lock.notify_all()
            while self.workers:
                self.ready_lock.wait()

    def release(self, readers: list[int]) -> int | None:
        """The readers of a step that ended and that wait for nothing else now: the first is returned
        (the caller runs it), the others are queued for any worker."""
        released = []
        producers = self.producers
        with self.guard:
            waiting = self.waiting
            for reader in readers:
                if producers[reader] > 1:
                    left = waiting[reader] - 1
                    waiting[reader] = left
                    if left:
                        continue
                released.append(reader)
            if len(released) > 1:
                self.ready.extend(released[1:])
                self.ready_lock.notify(len(released) - 1)
        return released[0] if released else None


def execute_parallel(run: StepRun, max_workers: int) -> None:
    """Run the plan on `max_workers` threads; this thread waits for them (see the module docstring).
    Interrupted while it waits (Ctrl+C), it lets the running steps end, starts no other, and raises."""
    run.status = dict.fromkeys(run.step_ids, StepStatus.PENDING)
    schedule = _Schedule(run)
    try:
        for number in range(max_workers):
            # each worker sees this thread's context: the workflow's folder (`paths`)
            worker = threading.Thread(target=copy_context().run, args=(schedule.work,),
                                      name=f"{THREAD_PREFIX}_{number}")
            with schedule.guard:
                schedule.workers += 1
            try:
                worker.start()
            except BaseException:
                with schedule.guard:
                    schedule.workers -= 1
                raise
        schedule.wait_for_workers()
    except BaseException:
        schedule.wait_for_workers(stop=True)
        raise
    if schedule.crash is not None:
        raise schedule.crash
    run.cancel_rest()
