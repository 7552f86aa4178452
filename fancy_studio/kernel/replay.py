"""The studio's side of a kernel run: each step's outcome, replayed into the caller's callbacks in order.

The kernel names steps by plan position. A run may take several kernel runs (after a death or a timeout
the independent steps are resumed on a fresh kernel, whose plan is a part of the first one); every
outcome is filed by its position in the *studio's* plan, and handed to the callbacks in that order, as
`Engine.run` would: a step's callback, then progress, then its entry in `timings_log` (the seconds it
ran, or None when it did not). Callbacks receive the caller's own `WorkflowStep` objects.
"""

from __future__ import annotations

from collections import deque
from typing import Any
from uuid import UUID

from fancy_studio.core.engine import RunCallbacks, RunResult, StepError, StepStatus
from fancy_studio.core.validation import ExecutionPlan

UNKNOWN = 0
STATUSES = (None, StepStatus.DONE, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELLED, StepStatus.CACHED,
            StepStatus.BYPASSED)
"""Outcome codes (a byte per step in `Replay.codes`) → status; 0: no outcome yet."""
DONE, FAILED, SKIPPED, CANCELLED, CACHED, BYPASSED = 1, 2, 3, 4, 5, 6
CODES = {"d": DONE, "f": FAILED, "s": SKIPPED, "x": CANCELLED, "c": CACHED, "b": BYPASSED}
"""The kernel's status letters → outcome codes."""


class Replay:
    """Outcomes by plan position, and the cursor up to which the callbacks have been told.

    An outcome is a byte (`codes`), the seconds the step ran (`seconds`, None when it did not) and, for
    the few steps that have them, an error or a skip reason: no object per step, so a run of 20,000
    steps leaves the garbage collector next to nothing to look at (a full collection is one long C call
    that stops every other thread of the studio)."""

    def __init__(self, checked: ExecutionPlan, callbacks: RunCallbacks | None) -> None:
        self.steps = [compiled[0] for compiled in checked.compiled]
        self.slugs = [step.function_slug for step in self.steps]
        self.ids: list[UUID] = list(checked.step_ids or [])
        self.position = {step_id: i for i, step_id in enumerate(self.ids)}
        self.codes = bytearray(len(self.ids))
        self.seconds: list[float | None] = [None] * len(self.ids)
        self.errors: dict[int, StepError] = {}
        self.reasons: dict[int, str] = {}
        self.callbacks = callbacks or RunCallbacks()
        self.cursor = 0
        self.finished = 0
        self._started: set[int] = set()
        self._told: set[int] = set()
        """Steps past the cursor whose callbacks were told as they ended (a run whose steps end in any
        order: `_ended`); `emit` then only files their log entries."""
        self._marks: dict[int, Any] = {}
        """What a kernel run said of a step (by studio position) before the step's log entry came:
        its error, or its outcome code."""

    # --- what the kernel says ----------------------------------------------------------------------

    def running(self, position: int) -> None:
        """The kernel started this step (seen in the shared slot): say so once."""
        if position in self._started or self.codes[position]:
            return
        self._started.add(position)
        if self.callbacks.on_step_started is not None:
            self.callbacks.on_step_started(self.steps[position])

    def events(self, message: dict[str, Any], mapping: list[int]) -> None:
        """A batch: failures, skips and reuses are marked, then the log entries become outcomes. A batch
        of a run whose steps end in any order (a Dask executor's: it has "ended" entries and no log) files
        every outcome at once; its "placed" entries go to `on_step_placed` as they come."""
        placed = self.callbacks.on_step_placed
        if placed is not None:
            for sub, address in message.get("placed", ()):
                placed(self.steps[mapping[sub]], address)
        if "ended" in message:
            self._ended(message, mapping)
            return
        marks = self._marks
        for sub, type_name, text, trace in message["failed"]:
            position = mapping[sub]
            marks[position] = StepError(self.ids[position], self.slugs[position], type_name, text, trace)
        for sub in message["skipped"]:
            marks[mapping[sub]] = SKIPPED
        for sub in message["cached"]:
            marks[mapping[sub]] = CACHED
        for sub in message["bypassed"]:
            marks[mapping[sub]] = BYPASSED
        codes, seconds_of = self.codes, self.seconds
        for sub, seconds in enumerate(message["log"], start=message["from"]):
            position = mapping[sub]
            if codes[position]:
                continue  # known from an earlier kernel run (a resumed run reuses it)
            mark = marks.pop(position, None) if marks else None
            if mark is None:
                codes[position] = DONE
                seconds_of[position] = seconds
            elif isinstance(mark, StepError):
                codes[position] = FAILED
                seconds_of[position] = seconds
                self.errors[position] = mark
            else:
                codes[position] = mark
        self.emit()

    def _ended(self, message: dict[str, Any], mapping: list[int]) -> None:
        """An out-of-order batch: each outcome is filed where it belongs and told at once, so a branch that
        ends early shows before the ones planned ahead of it; `emit` then files the log in plan order."""
        codes, seconds_of = self.codes, self.seconds
        filed: list[int] = []
        for sub, type_name, text, trace in message["failed"]:
            position = mapping[sub]
            if not codes[position]:
                codes[position] = FAILED
                self.errors[position] = StepError(self.ids[position], self.slugs[position], type_name, text, trace)
                filed.append(position)
        for key, code in (("skipped", SKIPPED), ("cached", CACHED), ("bypassed", BYPASSED)):
            for sub in message[key]:
                if not codes[mapping[sub]]:
                    codes[mapping[sub]] = code
                    filed.append(mapping[sub])
        for sub, seconds in message["ended"]:
            position = mapping[sub]
            if not codes[position]:
                codes[position] = DONE
                seconds_of[position] = seconds
                filed.append(position)
        self.emit()  # what is now known from the cursor on, in order
        told, cursor = self._told, self.cursor
        for position in sorted(filed):
            if position >= cursor and position not in told:  # past a step still running: told now
                self._tell(position, codes[position])
                told.add(position)

    def finished_run(self, message: dict[str, Any], mapping: list[int]) -> None:
        """A kernel run's end: the steps its event batches did not log get their outcome from it (from
        `from` on, in its plan), and skip reasons are filed."""
        errors = {sub: (type_name, text, trace) for sub, type_name, text, trace in message["errors"]}
        first = message["from"]
        timings = message["timings"]
        codes, seconds_of = self.codes, self.seconds
        for sub, letter in enumerate(message["status"], start=first):
            position = mapping[sub]
            if codes[position]:
                continue
            code = codes[position] = CODES[letter]
            if code == DONE or code == FAILED:
                seconds_of[position] = timings[sub - first]
            if sub in errors:
                self.errors[position] = StepError(self.ids[position], self.slugs[position], *errors[sub])
        for sub, reason in message["skip_reasons"]:
            position = mapping[sub]
            if position not in self.reasons and (codes[position] == SKIPPED or codes[position] == BYPASSED):
                self.reasons[position] = reason
        self._marks.clear()
        self.emit()

    def failed(self, position: int, type_name: str, message: str, seconds: float | None) -> None:
        """The step the kernel was running when it died or was killed; its downstream steps are skipped."""
        self._marks.clear()  # what the lost kernel run said of steps it never logged
        codes = self.codes
        if not codes[position]:
            self.errors[position] = StepError(self.ids[position], self.slugs[position], type_name, message, message)
            codes[position] = FAILED
            self.seconds[position] = seconds
        for later in self.downstream(position):
            if not codes[later]:
                codes[later] = SKIPPED
        self.emit()

    def cancel_rest(self) -> None:
        self.codes = self.codes.replace(b"\0", bytes([CANCELLED]))
        self.emit()

    # --- questions ---------------------------------------------------------------------------------

    def known(self, position: int) -> bool:
        return bool(self.codes[position])

    def unknown(self) -> list[UUID]:
        """The steps with no outcome yet, in plan order (what a resumed run targets)."""
        ids = self.ids
        return [ids[i] for i, code in enumerate(self.codes) if not code]

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
        """Tell the callbacks every outcome from the cursor on that is known, in plan order (a step already
        told out of order, see `_ended`, only gets its `timings_log` entry here)."""
        log = self.callbacks.timings_log
        codes, told = self.codes, self._told
        total = len(codes)
        cursor = self.cursor
        while cursor < total and (code := codes[cursor]):
            if code == CANCELLED:
                cursor += 1
                continue  # the engine reports nothing for a step it never reached
            if told and cursor in told:
                entry = self.seconds[cursor] if code == DONE or code == FAILED else None
            else:
                entry = self._tell(cursor, code)
            if log is not None:
                log.append(entry)
            cursor += 1
        self.cursor = cursor

    def _tell(self, position: int, code: int) -> float | None:
        """One step's callback and progress; its `timings_log` entry (the seconds it ran, or None)."""
        callbacks, step = self.callbacks, self.steps[position]
        started, finished = callbacks.on_step_started, callbacks.on_step_finished
        entry = None
        if code == DONE or code == FAILED:
            if started is not None and position not in self._started:
                started(step)
            entry = self.seconds[position]
            if code == DONE:
                if finished is not None:
                    finished(step, entry or 0.0)
            elif callbacks.on_step_failed is not None:
                callbacks.on_step_failed(step, self.errors[position])
        elif code == SKIPPED:
            if callbacks.on_step_skipped is not None:
                callbacks.on_step_skipped(step)
        elif code == BYPASSED:
            if callbacks.on_step_bypassed is not None:
                callbacks.on_step_bypassed(step)
            elif finished is not None:
                finished(step, 0.0)
        else:  # cached
            if callbacks.on_step_cached is not None:
                callbacks.on_step_cached(step)
            elif finished is not None:
                finished(step, 0.0)
        if callbacks.on_progress is not None:
            self.finished += 1
            callbacks.on_progress(self.finished, len(self.codes))
        return entry

    def result(self, duration: float, cancelled: bool) -> RunResult:
        """The `RunResult` naming every planned step in plan order (a Python loop, never one long C call)."""
        ids, codes, seconds_of = self.ids, self.codes, self.seconds
        status: dict[UUID, StepStatus] = {}
        timings: dict[UUID, float] = {}
        for position, step_id in enumerate(ids):
            code = codes[position] or CANCELLED
            status[step_id] = STATUSES[code]
            if code == DONE or code == FAILED:
                seconds = seconds_of[position]
                if seconds is not None:
                    timings[step_id] = seconds
        errors = {ids[position]: error for position, error in sorted(self.errors.items())}
        reasons = {ids[position]: reason for position, reason in sorted(self.reasons.items())}
        return RunResult(status, errors, timings, duration, cancelled, reasons)
