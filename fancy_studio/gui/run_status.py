"""What the last (or current) run did to each step: the state the canvas and the progress bar draw.

It is not part of the workflow (nothing here is saved); it is the run's own model. The worker's batched
events are applied here in one go, and one `changed` signal per batch names the steps whose state moved,
so a 10,000-step run repaints a handful of times rather than once per step.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from PySide6.QtCore import QObject, Signal

from fancy_studio.core import DatumStore, RunResult, StepError, StepStatus, Workflow


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

    @property
    def finished(self) -> bool:
        return self.state in (StepState.DONE, StepState.FAILED, StepState.SKIPPED)


IDLE = StepRunInfo(StepState.IDLE)

_FROM_ENGINE = {
    StepStatus.DONE: StepState.DONE,
    StepStatus.FAILED: StepState.FAILED,
    StepStatus.SKIPPED: StepState.SKIPPED,
    StepStatus.CANCELLED: StepState.CANCELLED,
    StepStatus.PENDING: StepState.CANCELLED,
}


class RunStatusModel(QObject):
    """Per-step run state plus access to the values the run stored."""

    changed = Signal(object)
    """A set of step ids whose state changed."""
    values_changed = Signal(object)
    """A set of cell ids the run has just written."""
    progress = Signal(int, int)
    """(steps finished, steps in the run)."""

    def __init__(self, store: DatumStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._info: dict[UUID, StepRunInfo] = {}
        self._outputs: dict[UUID, tuple[UUID, ...]] = {}
        self.total = 0
        self.finished = 0

    # --- reading -----------------------------------------------------------------------------------

    def info(self, step_id: UUID) -> StepRunInfo:
        return self._info.get(step_id, IDLE)

    def count(self, state: StepState) -> int:
        return sum(1 for info in self._info.values() if info.state is state)

    def errors(self) -> list[StepError]:
        return [info.error for info in self._info.values() if info.error is not None]

    def computed_value(self, cell_id: UUID) -> tuple[bool, Any]:
        """(True, value) when the store holds a value for the cell, else (False, None)."""
        if cell_id in self.store:
            return True, self.store.get(cell_id).value
        return False, None

    # --- changing (from the run controller) ----------------------------------------------------------

    def begin(self, workflow: Workflow, step_ids: Iterable[UUID]) -> None:
        """A run starts: every step it will run is queued, every other step goes back to idle."""
        touched = set(self._info)
        steps = {step.id: step for step in workflow.steps}
        queued = StepRunInfo(StepState.QUEUED)
        self._info = {}
        self._outputs = {}
        for step_id in step_ids:
            self._info[step_id] = queued
            step = steps.get(step_id)
            self._outputs[step_id] = tuple(step.outputs.values()) if step is not None else ()
        self.total, self.finished = len(self._info), 0
        self.changed.emit(touched | set(self._info))
        self.progress.emit(0, self.total)

    def apply(self, events: list[tuple[str, UUID, Any]]) -> None:
        """Apply a batch of worker events: ("started" | "done" | "failed" | "skipped", step id, detail)."""
        changed: set[UUID] = set()
        written: set[UUID] = set()
        info = self._info
        for kind, step_id, detail in events:
            if kind == "started":
                info[step_id] = StepRunInfo(StepState.RUNNING)
            elif kind == "done":
                info[step_id] = StepRunInfo(StepState.DONE, detail)
                written.update(self._outputs.get(step_id, ()))
                self.finished += 1
            elif kind == "failed":
                info[step_id] = StepRunInfo(StepState.FAILED, None, detail)
                self.finished += 1
            elif kind == "skipped":
                info[step_id] = StepRunInfo(StepState.SKIPPED)
                self.finished += 1
            changed.add(step_id)
        if changed:
            self.changed.emit(changed)
            self.progress.emit(self.finished, self.total)
        if written:
            self.values_changed.emit(written)

    def end(self, result: RunResult | None) -> None:
        """The run is over: steps it never reached are cancelled; a step left 'running' too."""
        changed = set()
        for step_id, current in self._info.items():
            final = current
            if result is not None and step_id in result.step_status:
                state = _FROM_ENGINE[result.step_status[step_id]]
                if state is not current.state:
                    final = StepRunInfo(state, result.timings.get(step_id), result.errors.get(step_id))
            elif current.state in (StepState.QUEUED, StepState.RUNNING):
                final = StepRunInfo(StepState.CANCELLED)
            if final is not current:
                self._info[step_id] = final
                changed.add(step_id)
        if changed:
            self.changed.emit(changed)

    def clear(self) -> None:
        touched = set(self._info)
        self._info, self._outputs = {}, {}
        self.total = self.finished = 0
        if touched:
            self.changed.emit(touched)
