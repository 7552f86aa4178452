"""The one place where engine events become Qt signals: a worker object living on a QThread.

The engine reports from the thread that runs the steps. Emitting a queued signal per step would post
10,000 events for a 10,000-step run and stall the GUI thread replaying them, so the worker collects what
the engine reports and emits it in batches, at most every `BATCH_SECONDS` while the run goes; the run's
result says how it ended.
"""

from __future__ import annotations

import threading
import traceback
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from PySide6.QtCore import QObject, Signal, Slot

from fancy_studio.core import (
    CancelToken, DatumStore, Engine, FunctionRegistry, RunCallbacks, RunResult, Workflow, WorkflowStep,
    WorkflowValidationError, find_problems, registry as default_registry,
)
from fancy_studio.core.validation import select_steps

if TYPE_CHECKING:
    from fancy_studio.kernel import Kernel
    from fancy_studio.kernel.executors import ExecutorKeeper

BATCH_SECONDS = 0.04
"""How often, at most, a running workflow's events reach the GUI thread."""


@dataclass
class RunRequest:
    """What to run. The workflow is read, never changed; the window keeps it locked meanwhile."""

    workflow: Workflow
    store: DatumStore
    targets: list[UUID] | None = None
    """Run only these steps and what they need; None runs everything."""
    cancel: CancelToken = field(default_factory=CancelToken)
    reuse: bool = True
    """Reuse a step's stored result when its function, inputs and parameters match; False recomputes all."""
    registry: FunctionRegistry = default_registry
    kernel: Kernel | None = None
    """Run the steps in this kernel process rather than on the worker thread itself."""
    store_path: Path | None = None
    """The file of `store`, which the kernel opens in its own process (None: it keeps results in memory)."""
    folder: Path | None = None
    """Where the workflow's relative paths point (its file's folder; see `core.paths`)."""
    executor: dict | None = None
    """Where the steps go (see `kernel.executors`: a local Dask cluster, a scheduler); None: the kernel
    or this process itself. With a kernel, the kernel is the cluster's client."""
    executors: ExecutorKeeper | None = None
    """Keeps this window's Dask client between runs when the steps run in the studio's process."""


@dataclass
class RunOutcome:
    """How a run ended: a result, or the problems that kept it from starting, or a crash."""

    result: RunResult | None = None
    problems: list[WorkflowValidationError] = field(default_factory=list)
    crash: str | None = None
    """A traceback when the engine itself failed (a bug, never a step's error)."""
    in_kernel: bool = False
    """The steps ran in the kernel process: the values are in the store's file, not in `store`'s memory."""
    refused: str | None = None
    """Why the run could not start where it was sent (a Dask scheduler out of reach, workers lacking a
    function, a kernel that cannot take it): one line for the user; nothing ran."""
    workers: dict[UUID, str] = field(default_factory=dict)
    """The Dask worker (its address) that ran each step, for a run on a cluster."""
    cluster: dict | None = None
    """The cluster the run used: "dashboard" (an address or None), "workers" (a count), "where"."""

    @property
    def started(self) -> bool:
        return self.result is not None


class RunWorker(QObject):
    """Runs requests on whatever thread it lives on and reports through signals."""

    planned = Signal(object)
    """The ids of the steps the run will execute, in order (after the check passed)."""
    events = Signal(object)
    """A `RunBatch`: what the run did since the last one (at most every `BATCH_SECONDS`)."""
    finished = Signal(object)
    """A `RunOutcome`, always emitted once per request, last."""

    @Slot(object)
    def run(self, request: RunRequest) -> None:
        try:
            outcome = self._run(request)
        except Exception as exc:  # an engine bug must still end the run in the window
            outcome = RunOutcome(crash=traceback.format_exc())
            if _refusal(exc):  # not a bug: the run could not start where it was sent
                # (after a kernel's refusal the store's file is opened afresh, as after its runs)
                outcome = RunOutcome(refused=str(exc), in_kernel=request.kernel is not None)
        self.finished.emit(outcome)

    def _run(self, request: RunRequest) -> RunOutcome:
        workflow = request.workflow
        initial = workflow.literal_cells()
        try:
            checked = Engine(request.store, registry=request.registry).check(workflow, initial,
                                                                             targets=request.targets)
        except WorkflowValidationError:
            return RunOutcome(problems=self._problems(request, initial))
        kernel, keeper = request.kernel, request.executors
        executor = None
        if request.executor is not None and kernel is None and keeper is not None:
            executor = keeper.executor(request.executor)  # reached (or started) before anything runs
        elif keeper is not None:
            keeper.close()  # not on a cluster from here: one kept for earlier runs is let go
        self.planned.emit(list(checked.step_ids))
        out_of_order = request.executor is not None  # a cluster's steps end in any order, told as they end
        with _Batcher(self.events, out_of_order=out_of_order) as batch:
            if kernel is not None:  # the kernel checks the same plan and runs it in its process
                result = kernel.run(workflow, store_path=request.store_path, initial_cells=initial,
                                    targets=request.targets, reuse=request.reuse,
                                    callbacks=batch.callbacks(), cancel=request.cancel,
                                    registry=request.registry, checked=checked, folder=request.folder,
                                    executor=request.executor)
                cluster = kernel.cluster_info if request.executor is not None else None
                return RunOutcome(result=result, in_kernel=True, workers=batch.workers, cluster=cluster)
            engine = Engine(request.store, registry=request.registry, executor=executor)
            result = engine.run_plan(checked, initial, callbacks=batch.callbacks(), cancel=request.cancel,
                                     reuse=request.reuse, folder=request.folder)
        cluster = keeper.info() if executor is not None and keeper is not None else None
        return RunOutcome(result=result, workers=batch.workers, cluster=cluster)

    @staticmethod
    def _problems(request: RunRequest, initial: Iterable) -> list[WorkflowValidationError]:
        """Every problem, not just the first, so the problems list shows them all at once."""
        steps = select_steps(request.workflow, request.targets) if request.targets is not None else None
        provided = {cell.id: cell.value for cell in initial}
        return find_problems(request.workflow, provided, registry=request.registry, steps=steps)


def _refusal(exc: Exception) -> bool:
    """A run that could not start where it was sent (a cluster, a kernel), as opposed to an engine bug."""
    from fancy_studio.core import FancyError

    return isinstance(exc, FancyError) or type(exc).__name__ in ("KernelError", "KernelBusy")


class RunBatch(NamedTuple):
    """What a run did since the last batch. Steps are named by their position in the plan (the order of
    `RunWorker.planned`), so a batch of thousands of finished steps is one slice of the timings log."""

    first: int
    """The plan position of the first step in `times`."""
    times: list[float | None]
    """Seconds for each step that ended since the last batch, in plan order; None: it did not run."""
    outcomes: list[tuple[str, UUID, object]]
    """("failed", step id, StepError), ("skipped", step id, None) and ("bypassed", step id, None), in the
    order they happened; ("placed", step id, worker address) for a step a Dask worker ran. A run whose
    steps end in any order (a Dask executor in this process: no timings log) also has ("running", step id,
    None), ("done", step id, seconds) and ("cached", step id, None)."""
    running: UUID | None
    """The step running when the batch was taken, if it started since the last batch."""
    ended: int = 0
    """Steps that ended among `outcomes` (a run whose steps end in any order; else `times` says)."""


class _Batcher:
    """Collects what the engine reports and emits it as one `RunBatch` per time slice while the run goes.

    Per step, the engine only appends: its time to the timings log, and the step to `started` (that
    callback is `deque.append` itself), so a fast step costs no Python call here. Failures and skips,
    which are rare, come as callbacks. A small flusher thread takes what is new every `BATCH_SECONDS`, so
    a step that runs for minutes still shows as running while it runs. When the run is over, what is left
    is not sent: the run's result holds every step's outcome (see `RunStatusModel.end`).
    """

    def __init__(self, signal, *, out_of_order: bool = False) -> None:
        self.signal = signal
        self.out_of_order = out_of_order
        """The steps end in any order (a Dask executor in this process): each is an outcome of its own."""
        self.workers: dict[UUID, str] = {}
        """The Dask worker that ran each step (the run's end hands them over: its last batch is not sent)."""
        self.log: list[float | None] = []
        self.started: deque[WorkflowStep] = deque()
        self.pending: deque[tuple[str, UUID, object]] = deque()
        self._read = 0
        """How much of the log earlier batches took."""
        self._started = self._ran = 0
        """Steps started, and steps that ran to an end (log entries that are not None), in those batches."""
        self._stop = threading.Event()
        self._flusher = threading.Thread(target=self._flush_periodically, name="fancy-run-events", daemon=True)

    def __enter__(self) -> _Batcher:
        self._flusher.start()
        return self

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        self._stop.set()
        self._flusher.join()
        if exc_type is not None:  # the engine crashed: what it did report still shows
            self.flush()  # after the join: the last batch is emitted after every earlier one

    def callbacks(self) -> RunCallbacks:
        add = self.pending.append

        def placed(step: WorkflowStep, address: str) -> None:
            self.workers[step.id] = address
            add(("placed", step.id, address))

        if self.out_of_order:
            return RunCallbacks(
                on_step_started=lambda step: add(("running", step.id, None)),
                on_step_finished=lambda step, seconds: add(("done", step.id, seconds)),
                on_step_failed=lambda step, error: add(("failed", step.id, error)),
                on_step_skipped=lambda step: add(("skipped", step.id, None)),
                on_step_cached=lambda step: add(("cached", step.id, None)),
                on_step_bypassed=lambda step: add(("bypassed", step.id, None)),
                on_step_placed=placed,
            )
        return RunCallbacks(
            on_step_started=self.started.append,
            on_step_failed=lambda step, error: add(("failed", step.id, error)),
            on_step_skipped=lambda step: add(("skipped", step.id, None)),
            on_step_bypassed=lambda step: add(("bypassed", step.id, None)),
            on_step_placed=placed,
            timings_log=self.log,
        )

    def _flush_periodically(self) -> None:
        while not self._stop.wait(BATCH_SECONDS):
            self.flush()

    def flush(self) -> None:
        # The log first, then the callbacks: the engine reports a failure or a skip before the step's log
        # entry, so every entry taken here has its failure or skip in this batch or an earlier one.
        end = len(self.log)
        times = self.log[self._read:end]
        first, self._read = self._read, end
        outcomes = _drain(self.pending)
        started = _drain(self.started)
        if not (times or outcomes or started):
            return
        # The run is sequential: every step that started and has a time has ended; one more start than
        # that means the last step started is running now.
        if self.out_of_order:
            ended = sum(1 for outcome in outcomes if outcome[0] not in _NOT_AN_END)
            self.signal.emit(RunBatch(first, times, outcomes, None, ended))
            return
        self._started += len(started)
        self._ran += len(times) - times.count(None)
        running = started[-1].id if started and self._started > self._ran else None
        self.signal.emit(RunBatch(first, times, outcomes, running))


_NOT_AN_END = frozenset(("placed", "running"))


def _drain(queue: deque) -> list:
    """Take what is in `queue` now (appends from the engine's thread go on meanwhile)."""
    popleft = queue.popleft
    return [popleft() for _ in range(len(queue))]
