"""The one place where engine events become Qt signals: a worker object living on a QThread.

The engine calls plain callbacks from the thread that runs the steps. Emitting a queued signal per
callback would post 10,000 events for a 10,000-step run and stall the GUI thread replaying them, so the
worker collects events and emits them in batches, at most every `BATCH_SECONDS` (and once at the end).
"""

from __future__ import annotations

import threading
import traceback
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from PySide6.QtCore import QObject, Signal, Slot

from fancy_studio.core import (
    CancelToken, DatumStore, Engine, FunctionRegistry, RunCallbacks, RunResult, Workflow, WorkflowStep,
    WorkflowValidationError, find_problems, registry as default_registry,
)
from fancy_studio.core.validation import select_steps

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
    registry: FunctionRegistry = default_registry


@dataclass
class RunOutcome:
    """How a run ended: a result, or the problems that kept it from starting, or a crash."""

    result: RunResult | None = None
    problems: list[WorkflowValidationError] = field(default_factory=list)
    crash: str | None = None
    """A traceback when the engine itself failed (a bug, never a step's error)."""

    @property
    def started(self) -> bool:
        return self.result is not None


class RunWorker(QObject):
    """Runs requests on whatever thread it lives on and reports through signals."""

    planned = Signal(object)
    """The ids of the steps the run will execute, in order (after the check passed)."""
    events = Signal(object)
    """A batch of (kind, step id, detail) tuples; kind is started, done, failed or skipped."""
    finished = Signal(object)
    """A `RunOutcome`, always emitted once per request, last."""

    @Slot(object)
    def run(self, request: RunRequest) -> None:
        try:
            outcome = self._run(request)
        except Exception:  # an engine bug must still end the run in the window
            outcome = RunOutcome(crash=traceback.format_exc())
        self.finished.emit(outcome)

    def _run(self, request: RunRequest) -> RunOutcome:
        engine = Engine(request.store, registry=request.registry)
        workflow = request.workflow
        initial = workflow.literal_cells()
        try:
            checked = engine.check(workflow, initial, targets=request.targets)
        except WorkflowValidationError:
            return RunOutcome(problems=self._problems(request, initial))
        self.planned.emit(list(checked.step_ids))
        with _Batcher(self.events) as batch:
            result = engine.run_plan(checked, initial, callbacks=batch.callbacks(), cancel=request.cancel)
        return RunOutcome(result=result)

    @staticmethod
    def _problems(request: RunRequest, initial: Iterable) -> list[WorkflowValidationError]:
        """Every problem, not just the first, so the problems list shows them all at once."""
        steps = select_steps(request.workflow, request.targets) if request.targets is not None else None
        provided = {cell.id: cell.value for cell in initial}
        return find_problems(request.workflow, provided, registry=request.registry, steps=steps)


class _Batcher:
    """Collects engine callbacks and emits them as one signal per time slice while the run goes.

    The engine's thread only appends to deques (cheap, atomic; "started" is `deque.append` itself, no
    Python frame per step); a small flusher thread drains them every `BATCH_SECONDS`, so a step that
    runs for minutes still shows as running while it runs. The studio runs sequentially, so a batch
    needs at most one "started" event: the step still running when it was taken.
    """

    def __init__(self, signal) -> None:
        self.signal = signal
        self.started: deque[WorkflowStep] = deque()
        self.pending: deque[tuple[str, UUID, object]] = deque()
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
        # After a run, the events since the last batch are not sent: the run's result holds every step's
        # outcome, and the window takes them from it in one go (`RunStatusModel.end`).

    def callbacks(self) -> RunCallbacks:
        add = self.pending.append
        return RunCallbacks(
            on_step_started=self.started.append,
            on_step_finished=lambda step, seconds: add(("done", step.id, seconds)),
            on_step_failed=lambda step, error: add(("failed", step.id, error)),
            on_step_skipped=lambda step: add(("skipped", step.id, None)),
        )

    def _flush_periodically(self) -> None:
        while not self._stop.wait(BATCH_SECONDS):
            self.flush()

    def flush(self) -> None:
        # Outcomes first, then starts: a step that starts and ends between the two drains then has its
        # end in the next batch, after its start, never the other way round.
        outcomes = _drain(self.pending)
        started = _drain(self.started)
        if not (started or outcomes):
            return
        # The run is sequential: of the steps started since the last batch, every one but the last has
        # its outcome among `outcomes` (or in an earlier batch). Only the last can still be running.
        running = started[-1].id if started else None
        if running is not None and _last_run(outcomes) == running:
            running = None  # it has ended too
        self.signal.emit(outcomes + [("started", running, None)] if running is not None else outcomes)


def _last_run(outcomes: list[tuple[str, UUID, object]]) -> UUID | None:
    """The step that ran last among `outcomes` (skipped steps never ran, and may be reported late)."""
    for kind, step_id, _ in reversed(outcomes):
        if kind != "skipped":
            return step_id
    return None


def _drain(queue: deque) -> list:
    """Take what is in `queue` now (appends from the engine's thread go on meanwhile)."""
    popleft = queue.popleft
    return [popleft() for _ in range(len(queue))]
