"""The studio's side of a kernel run: each step's outcome, replayed into the caller's callbacks in order.

The kernel names steps by plan position. A run may take several kernel runs (after a death or a timeout
the independent steps are resumed on a fresh kernel, whose plan is a part of the first one); every
outcome is filed by its position in the *studio's* plan, and handed to the callbacks in that order, as
`Engine.run` would: a step's callback, then progress, then its entry in `timings_log` (the seconds it
ran, or None when it did not). Callbacks receive the caller's own `WorkflowStep` objects.
"""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple
from uuid import UUID

from fancy_studio.core.engine import RunCallbacks, RunResult, StepError, StepStatus
from fancy_studio.core.validation import ExecutionPlan

CODES = {"d": StepStatus.DONE, "f": StepStatus.FAILED, "s": StepStatus.SKIPPED, "x": StepStatus.CANCELLED,
         "c": StepStatus.CACHED}


class Outcome(NamedTuple):
    status: StepStatus
    seconds: float | None = None
    error: StepError | None = None
    reason: str | None = None


class Replay:
    """Outcomes by plan position, and the cursor up to which the callbacks have been told."""

    def __init__(self, checked: ExecutionPlan, callbacks: RunCallbacks | None) -> None:
        self.steps = [compiled.step for compiled in checked.compiled]
        self.slugs = [compiled.step.function_slug for compiled in checked.compiled]
        self.ids: list[UUID] = list(checked.step_ids or [])
        self.position = {step_id: i for i, step_id in enumerate(self.ids)}
        self.outcomes: list[Outcome | None] = [None] * len(self.ids)
        self.callbacks = callbacks or RunCallbacks()
        self.cursor = 0
        self.finished = 0
        self._started: set[int] = set()
        self._marks: dict[int, Any] = {}
        """What a kernel run said of a step (by studio position) before the step's log entry came."""

    # --- what the kernel says ----------------------------------------------------------------------

    def running(self, position: int) -> None:
        """The kernel started this step (seen in the shared slot): say so once."""
        if position in self._started or self.outcomes[position] is not None:
            return
        self._started.add(position)
        if self.callbacks.on_step_started is not None:
            self.callbacks.on_step_started(self.steps[position])

    def events(self, message: dict[str, Any], mapping: list[int]) -> None:
        """A batch: failures, skips and reuses are marked, then the log entries become outcomes."""
        marks = self._marks
        for sub, type_name, text, trace in message["failed"]:
            position = mapping[sub]
            marks[position] = StepError(self.ids[position], self.slugs[position], type_name, text, trace)
        for sub in message["skipped"]:
            marks[mapping[sub]] = StepStatus.SKIPPED
        for sub in message["cached"]:
            marks[mapping[sub]] = StepStatus.CACHED
        outcomes = self.outcomes
        for sub, seconds in enumerate(message["log"], start=message["from"]):
            position = mapping[sub]
            if outcomes[position] is not None:
                continue  # known from an earlier kernel run (a resumed run reuses it)
            mark = marks.pop(position, None) if marks else None
            if mark is None:
                outcomes[position] = Outcome(StepStatus.DONE, seconds)
            elif isinstance(mark, StepError):
                outcomes[position] = Outcome(StepStatus.FAILED, seconds, mark)
            else:
                outcomes[position] = Outcome(mark)
        self.emit()

    def finished_run(self, message: dict[str, Any], mapping: list[int]) -> None:
        """A kernel run's whole result: every step of its plan not known yet gets its outcome."""
        errors = {sub: (type_name, text, trace) for sub, type_name, text, trace in message["errors"]}
        reasons = dict(message["skip_reasons"])
        timings = message["timings"]
        outcomes = self.outcomes
        for sub, code in enumerate(message["status"]):
            position = mapping[sub]
            if outcomes[position] is not None:
                continue
            status = CODES[code]
            error = None
            if sub in errors:
                error = StepError(self.ids[position], self.slugs[position], *errors[sub])
            outcomes[position] = Outcome(status, timings[sub], error, reasons.get(sub))
        self._marks.clear()
        self.emit()

    def failed(self, position: int, type_name: str, message: str, seconds: float | None) -> None:
        """The step the kernel was running when it died or was killed; its downstream steps are skipped."""
        self._marks.clear()  # what the lost kernel run said of steps it never logged
        if self.outcomes[position] is None:
            error = StepError(self.ids[position], self.slugs[position], type_name, message, message)
            self.outcomes[position] = Outcome(StepStatus.FAILED, seconds, error)
        for later in self.downstream(position):
            if self.outcomes[later] is None:
                self.outcomes[later] = Outcome(StepStatus.SKIPPED)
        self.emit()

    def cancel_rest(self) -> None:
        self.outcomes = [Outcome(StepStatus.CANCELLED) if o is None else o for o in self.outcomes]
        self.emit()

    # --- questions ---------------------------------------------------------------------------------

    def known(self, position: int) -> bool:
        return self.outcomes[position] is not None

    def unknown(self) -> list[UUID]:
        """The steps with no outcome yet, in plan order (what a resumed run targets)."""
        return [self.ids[i] for i, outcome in enumerate(self.outcomes) if outcome is None]

    def downstream(self, position: int) -> list[int]:
        """The positions of every step that reads, directly or not, what this step writes."""
        readers: dict[UUID, list[int]] = {}
        for i, step in enumerate(self.steps):
            for cell_id in step.inputs.values():
                readers.setdefault(cell_id, []).append(i)
        found: set[int] = set()
        todo = deque([position])
        while todo:
            for cell_id in self.steps[todo.popleft()].outputs.values():
                for reader in readers.get(cell_id, ()):
                    if reader not in found:
                        found.add(reader)
                        todo.append(reader)
        return sorted(found)

    # --- telling the caller ------------------------------------------------------------------------

    def emit(self) -> None:
        """Tell the callbacks every outcome from the cursor on that is known, in plan order."""
        callbacks, outcomes, steps = self.callbacks, self.outcomes, self.steps
        log = callbacks.timings_log
        started, finished = callbacks.on_step_started, callbacks.on_step_finished
        progress, total = callbacks.on_progress, len(outcomes)
        cursor = self.cursor
        while cursor < total and (outcome := outcomes[cursor]) is not None:
            status = outcome.status
            if status is StepStatus.CANCELLED:
                cursor += 1
                continue  # the engine reports nothing for a step it never reached
            step = steps[cursor]
            if status is StepStatus.DONE or status is StepStatus.FAILED:
                if started is not None and cursor not in self._started:
                    started(step)
                if status is StepStatus.DONE:
                    if finished is not None:
                        finished(step, outcome.seconds or 0.0)
                elif callbacks.on_step_failed is not None:
                    callbacks.on_step_failed(step, outcome.error)  # type: ignore[arg-type]
                entry = outcome.seconds
            elif status is StepStatus.SKIPPED:
                if callbacks.on_step_skipped is not None:
                    callbacks.on_step_skipped(step)
                entry = None
            else:  # cached
                if callbacks.on_step_cached is not None:
                    callbacks.on_step_cached(step)
                elif finished is not None:
                    finished(step, 0.0)
                entry = None
            if progress is not None:
                self.finished += 1
                progress(self.finished, total)
            if log is not None:
                log.append(entry)
            cursor += 1
        self.cursor = cursor

    def result(self, duration: float, cancelled: bool) -> RunResult:
        """The `RunResult` naming every planned step in plan order."""
        status: dict[UUID, StepStatus] = {}
        errors: dict[UUID, StepError] = {}
        timings: dict[UUID, float] = {}
        reasons: dict[UUID, str] = {}
        for step_id, outcome in zip(self.ids, self.outcomes):
            if outcome is None:
                outcome = Outcome(StepStatus.CANCELLED)
            status[step_id] = outcome.status
            if outcome.error is not None:
                errors[step_id] = outcome.error
            if outcome.seconds is not None and outcome.status in (StepStatus.DONE, StepStatus.FAILED):
                timings[step_id] = outcome.seconds
            if outcome.reason is not None:
                reasons[step_id] = outcome.reason
        return RunResult(status, errors, timings, duration, cancelled, reasons)
