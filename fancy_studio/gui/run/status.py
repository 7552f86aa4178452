"""What the last (or current) run did to each step: the state the canvas and the progress bar draw.

It is not part of the workflow (nothing here is saved); it is the run's own model. The worker's batches
are applied here in one go, and one `changed` signal per batch names the steps whose state moved, so a
10,000-step run repaints a handful of times rather than once per step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter, is_not
from typing import Any
from uuid import UUID

from PySide6.QtCore import QObject, Signal

from fancy_studio.core import (
    DatumStore, RunResult, StepError, StepStatus, Workflow, WorkflowStep, WorkflowValidationError,
)
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.run.worker import RunBatch


class StepState(str, enum.Enum):
    """What a step node shows."""

    IDLE = "idle"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    CACHED = "cached"
    """Not run: the store held its result for the same function, inputs and parameters (reused)."""
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not run because a step it reads from failed."""
    CANCELLED = "cancelled"
    BYPASSED = "bypassed"
    """Not called, on purpose (`WorkflowStep.bypass`): its input passed through to its output."""


@dataclass(frozen=True)
class StepRunInfo:
    state: StepState
    seconds: float | None = None
    error: StepError | None = None
    reason: str | None = None
    """Why a skipped step could not run, when it was not a failure before it (`RunResult.skip_reasons`:
    a function that is not installed); known once the run is over."""
    stale: str | None = None
    """Why the step's last result is out of date (an edit upstream since), e.g. "input 'celsius' changed"."""
    worker: str | None = None
    """The address of the Dask worker that ran it ("tcp://127.0.0.1:40123"), in a run on a cluster."""


IDLE = StepRunInfo(StepState.IDLE)

_FROM_ENGINE = {
    StepStatus.DONE: StepState.DONE,
    StepStatus.CACHED: StepState.CACHED,
    StepStatus.FAILED: StepState.FAILED,
    StepStatus.SKIPPED: StepState.SKIPPED,
    StepStatus.CANCELLED: StepState.CANCELLED,
    StepStatus.BYPASSED: StepState.BYPASSED,
    StepStatus.PENDING: StepState.CANCELLED,
}
_INT = attrgetter("int")
_OUT_OF_ORDER = frozenset(("placed", "running", "done", "cached"))
"""Outcome kinds only a run whose steps end in any order sends (with "placed": any run on a cluster)."""


class RunStatusModel(QObject):
    """Per-step run state plus access to the values the run stored.

    A batch can name thousands of steps, so states are kept in dictionaries keyed by `UUID.int` (hashed in
    C; `UUID.__hash__` is Python code) and updated in C-level passes over the plan's order, and `changed`
    carries a plain list of ids (duplicates allowed) that the canvas works through in slices. `info()`
    assembles a `StepRunInfo` only for the node that asks.
    """

    changed = Signal(object)
    """A list of step ids whose state changed (an id may appear more than once)."""
    progress = Signal(int, int)
    """(steps finished, steps in the run), while the run goes (its end is the controller's `finished`)."""

    def __init__(self, store: DatumStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._ids: list[UUID] = []
        self._keys: list[int] = []
        """`uuid.int` of each of `_ids`, in the same order."""
        self._state: dict[int, StepState] = {}
        self._seconds: dict[int, float] = {}
        self._errors: dict[int, StepError] = {}
        """Durations and errors (by `uuid.int`) reported while the run goes; then `_result` has them all."""
        self._result: RunResult | None = None
        self._ended_otherwise: dict[int, StepState] = {}
        """Steps reported failed or skipped while the run goes (by `uuid.int`)."""
        self._workers: dict[int, str] = {}
        """The Dask worker that ran each step of the last run on a cluster (by `uuid.int`)."""
        self.total = 0
        self.finished = 0
        self.active = False
        """True from `begin` to `end`: a run is delivering events."""
        self._began = False
        self._stale: dict[int, str] = {}
        """Steps and computed cells (by `uuid.int`) whose last result an edit since has made out of date."""
        self._staleness: Staleness | None = None
        self._holds_values: tuple[int | None, bool] = (None, False)
        """(the store's revision when asked, whether it held a datum then): see `holds_values`."""

    def watch(self, document: WorkflowDocument) -> None:
        """Mark what is downstream of each edit of `document` stale, at once (before any run)."""
        self._staleness = Staleness(self, document)

    # --- reading -----------------------------------------------------------------------------------

    def info(self, step_id: UUID) -> StepRunInfo:
        key = step_id.int
        state = self._state.get(key)
        if state is None:
            return StepRunInfo(StepState.IDLE, stale=self._stale[key]) if key in self._stale else IDLE
        seconds, error = self._seconds.get(key), self._errors.get(key)
        if self._result is not None and seconds is None and error is None:
            seconds, error = self._result.timings.get(step_id), self._result.errors.get(step_id)
        reason = self._result.skip_reasons.get(step_id) if self._result is not None else None
        return StepRunInfo(state, seconds, error, reason, self._stale.get(key), self._workers.get(key))

    def worker(self, step_id: UUID) -> str | None:
        """The address of the Dask worker that ran the step in the last run, if one did."""
        return self._workers.get(step_id.int)

    def state(self, step_id: UUID) -> StepState:
        return self._state.get(step_id.int, StepState.IDLE)

    def stale_reason(self, node_id: UUID) -> str | None:
        """Why a step's or a computed cell's last result is out of date, or None when it is not."""
        return self._stale.get(node_id.int)

    def computed_value(self, cell_id: UUID) -> tuple[bool, Any]:
        """(True, value) when the store holds a value for the cell, else (False, None) (also when the
        stored value cannot be read back: a drawing never fails on a store)."""
        try:  # one read, not `in` and then `get`: on a store file each is a query
            return True, self.store.get(cell_id).value
        except Exception:  # noqa: BLE001 - CellNotFoundError, StoredValueError, a store on a vanished disk
            return False, None

    def set_store(self, store: DatumStore) -> None:
        """Read computed values from `store` from now on (another workflow's)."""
        self.store = store
        self._holds_values = (None, False)

    def holds_values(self) -> bool:
        """True when the store holds any datum: a node added now may have a value to show. Asked per node
        as a canvas is built, so a store's size (a query on disk) is asked once per store revision."""
        revision = self.store.revision
        known, holds = self._holds_values
        if known != revision:
            holds = len(self.store) > 0
            self._holds_values = (revision, holds)
        return holds

    # --- changing (from the run controller) ----------------------------------------------------------

    def begin(self, step_ids: list[UUID]) -> None:
        """A run starts: every step it will run is queued, every other step goes back to idle."""
        touched = self._ids
        if self._staleness is not None and (self._stale or self._staleness.edited_groups):
            touched = touched + self._staleness.refreshing(step_ids)
        self._ids = list(step_ids)
        self._keys = list(map(_INT, step_ids))
        self._state = dict.fromkeys(self._keys, StepState.QUEUED)
        self._seconds, self._errors, self._result, self._ended_otherwise = {}, {}, None, {}
        self._workers = {}
        self.total, self.finished = len(self._state), 0
        self.active = True
        self._began = True
        self.changed.emit(touched + self._ids)
        self.progress.emit(0, self.total)

    def apply(self, batch: RunBatch) -> None:
        """Apply a batch of the worker's news (see `RunBatch`): a few C-level passes, whatever its size."""
        first, times, outcomes, running = batch[:4]
        end = first + len(times)
        state = self._state
        keys = self._keys[first:end]
        if keys:  # every step with a log entry has ended: done, unless reported failed or skipped
            state.update(dict.fromkeys(keys, StepState.DONE))
            self._seconds.update(zip(keys, times))
        for kind, step_id, detail in outcomes:
            key = step_id.int
            if kind == "failed":
                self._ended_otherwise[key] = StepState.FAILED
                self._errors[key] = detail
            elif kind == "bypassed":
                self._ended_otherwise[key] = StepState.BYPASSED
            elif kind in _OUT_OF_ORDER:  # a run whose steps end in any order (see `RunBatch`)
                self._out_of_order(kind, key, detail)
            else:
                self._ended_otherwise[key] = StepState.SKIPPED
        # a failure or skip is reported before the step's log entry, perhaps a batch earlier: it stays
        state.update(self._ended_otherwise)
        if running is not None:
            state[running.int] = StepState.RUNNING
        changed = self._ids[first:end]
        changed.extend(outcome[1] for outcome in outcomes)
        if running is not None:
            changed.append(running)
        self.finished = max(self.finished, end) + batch.ended
        self.changed.emit(changed)
        self.progress.emit(self.finished, self.total)

    def _out_of_order(self, kind: str, key: int, detail: object) -> None:
        if kind == "placed":
            self._workers[key] = detail  # type: ignore[assignment]
        elif kind == "running":
            if self._state.get(key) is StepState.QUEUED:
                self._state[key] = StepState.RUNNING
        elif kind == "done":
            self._ended_otherwise[key] = StepState.DONE
            self._seconds[key] = detail  # type: ignore[assignment]
        else:
            self._ended_otherwise[key] = StepState.CACHED

    def take_workers(self, workers: dict[UUID, str]) -> None:
        """The Dask worker of each step of the run that just ended (the run's last batch is not sent)."""
        self._workers.update((step_id.int, address) for step_id, address in workers.items())

    def end(self, result: RunResult | None) -> None:
        """The run is over: every step takes its outcome from `result`; without one (the engine crashed),
        steps still queued or running are cancelled.

        The worker does not send the events of the run's last moments (a fast run's only batch): the
        result holds every step's outcome already, and taking it in one go here costs a few C-level
        passes instead of a Python call per event on each side.
        """
        self.active = False
        if not self._began:  # it never started (a problem, or a crash): the last run's nodes go idle
            touched, self._ids, self._keys = self._ids, [], []
            self.changed.emit(touched)
            return
        if self._staleness is not None:
            self._staleness.remember(only_new=True)  # what this run read: later edits are compared with it
        if result is None:
            self._cancel_open()
            return
        # the result names every step of the plan, in plan order (see RunResult), as `_keys` does
        final = dict(zip(self._keys, map(_FROM_ENGINE.__getitem__, result.step_status.values())))
        self._result = result  # durations and errors: `info` reads them from it when asked
        # `final` has the keys of `_state` in the same order: compare them pairwise, in C
        changed = list(compress(self._ids, map(is_not, self._state.values(), final.values())))
        self._state = final
        self.finished = self.total - list(final.values()).count(StepState.CANCELLED)
        self.changed.emit(changed)

    def values_reloaded(self) -> None:
        """The store was opened afresh after the run (the kernel wrote it): every step of the run, and the
        cells it computed, are drawn again from it."""
        if self._ids:
            self.changed.emit(list(self._ids))

    def _cancel_open(self) -> None:
        """Steps still queued or running will not run now."""
        changed = []
        open_states = (StepState.QUEUED, StepState.RUNNING)
        for step_id, key in zip(self._ids, self._keys):
            if self._state.get(key) in open_states:
                self._state[key] = StepState.CANCELLED
                changed.append(step_id)
        self.changed.emit(changed)

    def clear(self, *, starting: bool = False) -> None:
        """Forget the last run; `starting`: a new run is about to begin (its events will follow)."""
        touched = self._ids
        self._ids, self._keys, self._state, self._seconds, self._errors = [], [], {}, {}, {}
        self._result, self._ended_otherwise, self._workers = None, {}, {}
        if not starting:
            touched = touched + [UUID(int=key) for key in self._stale]
            self._stale = {}
            if self._staleness is not None:
                self._staleness.remember()
        self.total = self.finished = 0
        self.active = starting
        if starting:
            self._ids = touched  # `begin` (or `end`, if the run cannot start) repaints them once
            self._began = False
            return
        if touched:
            self.changed.emit(touched)


class Staleness:
    """Turns the document's edits into stale marks on the status model: an input cell's new value, or a
    step's new wiring, makes every step and computed cell downstream of it out of date.

    Downstream is walked over the document's own reader and producer indexes (a breadth-first search that
    touches only what is downstream), so an edit costs nothing for the rest of a large workflow. What the
    last run read is remembered, so renaming a cell or relabelling a step (no change to any result) marks
    nothing.
    """

    def __init__(self, model: RunStatusModel, document: WorkflowDocument) -> None:
        self.model, self.document = model, document
        self._values: dict[int, tuple[type, Any]] = {}
        self._wiring: dict[int, tuple] = {}
        self._titles: dict[int, str] = {}
        self.remember()
        document.cell_changed.connect(self._cell_changed)
        document.step_changed.connect(self._step_changed)
        document.step_removed.connect(self._step_removed)
        document.reset.connect(self._reset)
        self.edited_groups: dict[UUID, str] = {}
        """Groups edited from inside since the last look at the top level (definition id → its name)."""
        document.level_changed.connect(self._level_changed)

    def _reset(self) -> None:
        """A whole new workflow: nothing of it is stale (its stored results are checked when it runs)."""
        self.model._stale = {}
        self.remember()

    def remember(self, *, only_new: bool = False) -> None:
        """What the workflow is now: the input values and wiring the last run read.

        `only_new` (at the end of a run): every edit since the last look already updated what it changed
        (see `_cell_changed`, `_step_changed`), so only steps and cells added since are taken in; a full
        look at a 10,000-step workflow is some 60-100 ms of the GUI thread after every run."""
        workflow = self.document.workflow
        if only_new and self._wiring:
            values, wiring, titles = self._values, self._wiring, self._titles
            for cell in workflow.cells:
                if cell.has_value and cell.id.int not in values:
                    values[cell.id.int] = (type(cell.value), cell.value)
            for step in workflow.steps:
                if step.id.int not in wiring:
                    wiring[step.id.int] = _wiring(step)
                    if step.label:
                        titles[step.id.int] = step.label
            return
        self._values = {cell.id.int: (type(cell.value), cell.value) for cell in workflow.cells if cell.has_value}
        self._wiring = {step.id.int: _wiring(step) for step in workflow.steps}
        self._titles = {step.id.int: step.label for step in workflow.steps if step.label}
        """Steps the user named, by `uuid.int`: a deleted step is named as it was (others by function)."""

    def refreshing(self, step_ids: list[UUID]) -> list[UUID]:
        """A run is about to compute (or reuse) these steps: they and their cells are no longer stale."""
        stale, find_step, fresh = self.model._stale, self.document.find_step, []
        groups: set[UUID] = set()
        if self.document.workflow.groups:  # the run's steps are flattened (see `groups.flatten`)
            find_step, groups = _flattened_steps(self.document.workflow, step_ids)
            self._group_edits_run(groups)
        for step_id in step_ids:
            if stale.pop(step_id.int, None) is not None:
                fresh.append(step_id)
            step = find_step(step_id)
            if step is not None:
                fresh.extend(cell for cell in step.outputs.values() if stale.pop(cell.int, None) is not None)
        fresh.extend(instance for instance in groups if stale.pop(instance.int, None) is not None)
        return fresh

    def _group_edits_run(self, instances: set[UUID]) -> None:
        """A run of these top-level instances' steps reads the groups edited inside as they are now: a group
        whose every instance runs is out of date no more."""
        from fancy_studio.gui.document.levels import contains

        workflow = self.document.workflow
        for definition_id in list(self.edited_groups):
            users = {step.id for step in workflow.steps
                     if step.group_id is not None and contains(workflow, step.group_id, definition_id)}
            if users <= instances:
                del self.edited_groups[definition_id]

    def _moving(self) -> bool:
        """True while a group edit moves steps into or out of a group: what they computed is not out of
        date (see `WorkflowDocument.regrouping`). An edit inside a group is remembered: on the way back to
        the top level, every instance of the group is out of date (`_level_changed`)."""
        document = self.document
        if document.regrouping:
            return True
        if document.level is not None:
            self.edited_groups[document.level.definition_id] = document.graph.name
        return False

    def _level_changed(self, level: object) -> None:
        """Into a group: what its steps and values are now, to compare edits with (by the ids the run gives
        them in this instance, `WorkflowDocument.run_id`). Back at the top level: every instance of a group
        edited from inside is out of date."""
        if level is not None:
            run_id, graph = self.document.run_id, self.document.graph
            self._values.update({run_id(cell.id).int: (type(cell.value), cell.value)
                                 for cell in graph.cells if cell.has_value})
            self._wiring.update({run_id(step.id).int: _wiring(step) for step in graph.steps})
            return
        if not self.edited_groups:
            return
        from fancy_studio.gui.document.levels import contains

        edited, self.edited_groups = self.edited_groups, {}
        workflow = self.document.workflow
        for definition_id, name in edited.items():
            instances = [step for step in workflow.steps
                         if step.group_id is not None and contains(workflow, step.group_id, definition_id)]
            self._mark(instances, f"group '{name}' changed")

    def _cell_changed(self, cell_id: UUID) -> None:
        if self._moving():
            return
        cell = self.document.find_cell(cell_id)
        if cell is None or not cell.has_value:
            return
        key = self.document.run_id(cell_id).int  # (inside a group, the id the run knows it by)
        before = self._values.get(key)
        if before is not None and before[0] is type(cell.value) and _same(before[1], cell.value):
            return  # its alias changed, or its value is back to what the last run read
        self._values[key] = (type(cell.value), cell.value)
        self._mark([step for step, _name in self.document.readers_of(cell_id)],
                   f"input '{cell.alias or 'unnamed'}' changed")

    def _step_changed(self, step_id: UUID) -> None:
        if self._moving():
            return
        step = self.document.find_step(step_id)
        if step is None:
            return
        key = self.document.run_id(step_id).int
        if step.label:
            self._titles[key] = step.label
        else:
            self._titles.pop(key, None)
        wiring = _wiring(step)
        if self._wiring.get(key) == wiring:
            return  # only its label changed
        self._wiring[key] = wiring
        self._mark([step], f"step '{self.document.title_of(step)}' changed")

    def _step_removed(self, step_id: UUID) -> None:
        """The cells a deleted step computed hold a value nothing makes any more: they, and what reads
        them, are out of date (an undo brings the step back; the next run then reuses its result)."""
        if self._moving():
            return
        run_id = self.document.run_id
        key = run_id(step_id).int
        wiring = self._wiring.pop(key, None)
        if wiring is None:
            return
        slug, _inputs, outputs = wiring[:3]
        title = self._titles.pop(key, None) or self.document.title_of(WorkflowStep(function_slug=slug))
        reason = f"step '{title}' was deleted"
        model, document = self.model, self.document
        marked = []
        for _port, cell_id in outputs:
            if document.find_cell(cell_id) is not None and (run := run_id(cell_id)) in model.store:
                model._stale.setdefault(run.int, reason)
                marked.append(run)
        if marked and not model.active:
            model.changed.emit(marked)
        self._mark([step for _port, cell_id in outputs for step, _name in document.readers_of(cell_id)], reason)

    def _mark(self, first: list[WorkflowStep], reason: str) -> None:
        """Every step from `first` on down, and the cells they compute, that have a result to be out of date."""
        model, store, document = self.model, self.model.store, self.document
        stale, states = model._stale, model._state
        run_id = document.run_id if document.level is not None else _itself  # inside a group: the run's ids
        seen: set[int] = set()
        todo, marked = list(first), []
        while todo:
            step = todo.pop()
            if step.id.int in seen:
                continue
            seen.add(step.id.int)
            outputs = list(step.outputs.values())
            runs = [run_id(cell) for cell in outputs]
            step_run = run_id(step.id)
            if step_run.int in states or any(run in store for run in runs):
                marked.append(step_run)
                stale.setdefault(step_run.int, reason)
            for cell, run in zip(outputs, runs):
                if run in store:
                    marked.append(run)
                    stale.setdefault(run.int, reason)
                todo.extend(reader for reader, _name in document.readers_of(cell))
        if marked and not model.active:
            model.changed.emit(marked)


def _itself(node_id: UUID) -> UUID:
    return node_id


def _flattened_steps(workflow: Workflow, step_ids: list[UUID]):
    """For a run of a workflow with groups: how to find a step of the run by its flattened id, and the
    top-level instances the run's steps come from."""
    from fancy_studio.core.groups import flatten

    try:
        flattened = flatten(workflow)
    except WorkflowValidationError:
        return (lambda _step_id: None), set()
    steps = {step.id: step for step in flattened.workflow.steps}
    paths = flattened.step_paths
    return steps.get, {paths[step_id][0] for step_id in step_ids if step_id in paths}


def _wiring(step: WorkflowStep) -> tuple:
    """What a step's result depends on in the step itself: its function, wires, the params of its unwired
    inputs and whether it is bypassed (its label is not among them)."""
    return (step.function_slug, tuple(step.inputs.items()), tuple(step.outputs.items()),
            tuple(step.used_params.items()), step.bypass)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # an array's == is not a bool
        return False
