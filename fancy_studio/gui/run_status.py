"""What the last (or current) run did to each step: the state the canvas and the progress bar draw.

It is not part of the workflow (nothing here is saved); it is the run's own model. The worker's batched
events are applied here in one go, and one `changed` signal per batch names the steps whose state moved,
so a 10,000-step run repaints a handful of times rather than once per step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from PySide6.QtCore import QObject, Signal

from fancy_studio.core import DatumStore, RunResult, StepError, StepStatus


class StepState(str, enum.Enum):
    """What a step node shows."""

    IDLE = "idle"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not run because a step it reads from failed."""
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class StepRunInfo:
    state: StepState
    seconds: float | None = None
    error: StepError | None = None


IDLE = StepRunInfo(StepState.IDLE)

_FROM_ENGINE = {
    StepStatus.DONE: StepState.DONE,
    StepStatus.FAILED: StepState.FAILED,
    StepStatus.SKIPPED: StepState.SKIPPED,
    StepStatus.CANCELLED: StepState.CANCELLED,
    StepStatus.PENDING: StepState.CANCELLED,
}


class RunStatusModel(QObject):
    """Per-step run state plus access to the values the run stored.

    A 10,000-step run can deliver 20,000 events in one batch, so the bookkeeping is a tight loop of
    dictionary writes keyed by `UUID.int` (hashed in C; `UUID.__hash__` is Python code), and `changed`
    carries a plain list of ids (duplicates allowed) that the canvas works through in slices.
    `info()` assembles a `StepRunInfo` only for the node that asks.
    """

    changed = Signal(object)
    """A list of step ids whose state changed (an id may appear more than once)."""
    progress = Signal(int, int)
    """(steps finished, steps in the run)."""

    def __init__(self, store: DatumStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._ids: list[UUID] = []
        self._state: dict[int, StepState] = {}
        self._seconds: dict[int, float] = {}
        self._errors: dict[int, StepError] = {}
        self.total = 0
        self.finished = 0
        self.active = False
        """True from `begin` to `end`: a run is delivering events."""
        self._began = False

    # --- reading -----------------------------------------------------------------------------------

    def info(self, step_id: UUID) -> StepRunInfo:
        key = step_id.int
        state = self._state.get(key)
        if state is None:
            return IDLE
        return StepRunInfo(state, self._seconds.get(key), self._errors.get(key))

    def state(self, step_id: UUID) -> StepState:
        return self._state.get(step_id.int, StepState.IDLE)

    def computed_value(self, cell_id: UUID) -> tuple[bool, Any]:
        """(True, value) when the store holds a value for the cell, else (False, None)."""
        if cell_id in self.store:
            return True, self.store.get(cell_id).value
        return False, None

    # --- changing (from the run controller) ----------------------------------------------------------

    def begin(self, step_ids: list[UUID]) -> None:
        """A run starts: every step it will run is queued, every other step goes back to idle."""
        touched = self._ids
        self._ids = list(step_ids)
        self._state = dict.fromkeys([step_id.int for step_id in step_ids], StepState.QUEUED)
        self._seconds, self._errors = {}, {}
        self.total, self.finished = len(self._state), 0
        self.active = True
        self._began = True
        self.changed.emit(touched + self._ids)
        self.progress.emit(0, self.total)

    def apply(self, events: list[tuple[str, UUID, Any]]) -> None:
        """Apply a batch of worker events: ("started" | "done" | "failed" | "skipped", step id, detail)."""
        state, seconds, errors = self._state, self._seconds, self._errors
        running, done, failed, skipped = StepState.RUNNING, StepState.DONE, StepState.FAILED, StepState.SKIPPED
        finished = 0
        for kind, step_id, detail in events:
            key = step_id.int
            if kind == "done":
                state[key] = done
                seconds[key] = detail
                finished += 1
            elif kind == "started":
                state[key] = running
            elif kind == "failed":
                state[key] = failed
                errors[key] = detail
                finished += 1
            elif kind == "skipped":
                state[key] = skipped
                finished += 1
        if events:
            self.finished += finished
            self.changed.emit([event[1] for event in events])
            self.progress.emit(self.finished, self.total)

    def end(self, result: RunResult | None) -> None:
        """The run is over: steps it never reached are cancelled (a step left 'running' too)."""
        self.active = False
        if not self._began:  # it never started (a problem, or a crash): the last run's nodes go idle
            touched, self._ids = self._ids, []
            self.changed.emit(touched)
            return
        if result is not None and self.finished == self.total:
            self.changed.emit([])  # nothing left queued or running; the canvas may catch up at once
            return
        changed = []
        open_states = (StepState.QUEUED, StepState.RUNNING)
        for step_id in self._ids:
            key = step_id.int
            if self._state.get(key) not in open_states:
                continue
            final = StepState.CANCELLED
            if result is not None and step_id in result.step_status:
                final = _FROM_ENGINE[result.step_status[step_id]]
                if step_id in result.timings:
                    self._seconds[key] = result.timings[step_id]
                if step_id in result.errors:
                    self._errors[key] = result.errors[step_id]
            self._state[key] = final
            changed.append(step_id)
        self.changed.emit(changed)

    def clear(self, *, starting: bool = False) -> None:
        """Forget the last run; `starting`: a new run is about to begin (its events will follow)."""
        touched = self._ids
        self._ids, self._state, self._seconds, self._errors = [], {}, {}, {}
        self.total = self.finished = 0
        self.active = starting
        if starting:
            self._ids = touched  # `begin` (or `end`, if the run cannot start) repaints them once
            self._began = False
            return
        if touched:
            self.changed.emit(touched)
