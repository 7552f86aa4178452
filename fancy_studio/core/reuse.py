"""Result reuse: a step whose function version, inputs and fingerprint match a stored result is not run.

`ResultReuse` keys each step (`caching.step_key`), looks its result up in the store (a `ResultCache`)
and writes it to the step's cells, or runs the step and remembers what it made. `remember_later` is the
deferred pass after a fast in-memory run that looked nothing up: it keys and remembers that run's
results only when a later run asks (`InMemoryStore.defer_results`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from fancy_studio.core.caching import step_key, value_hash
from fancy_studio.core.functions import RETURN
from fancy_studio.core.result_cache import Lineage, ResultCache, StoredResult
from fancy_studio.core.run_types import StepStatus
from fancy_studio.core.store import Cell
from fancy_studio.core.params import fresh
from fancy_studio.core.validation import (
    CALL_KEYWORDS, CALL_NONE, CALL_ONE, CALL_PARAMS, CompiledStep, ExecutionPlan, positional_names,
)
from fancy_studio.core.workflow import WorkflowStep

if TYPE_CHECKING:
    from fancy_studio.core.step_run import StepRun

_UNKNOWN: Any = object()
"""A cell whose hash this run has not computed yet (None means: it cannot be hashed)."""


class ResultReuse:
    """One run's lookups and remembering: the hashes of the cells it has seen and the keys it made."""

    def __init__(self, run: StepRun, cache: ResultCache, reuse: bool) -> None:
        self.run = run
        self.store = run.store
        self.cache = cache
        self.reuse = reuse
        """False: look nothing up (every step runs), but remember what the steps make."""
        self.hashes: dict[int, str | None] = {}
        """Content hashes of the cells this run has read or written, by `uuid.int` (None: unhashable)."""
        get = run.store.get
        self.value_of: Callable[[UUID], Any] = run.value_of or (lambda cell_id: get(cell_id).value)
        """How an input's whole value is read (see `StepRun.value_of`)."""
        self.in_place: Callable[..., Any] | None = getattr(cache, "reuse_in_place", None)
        """The store's way to reuse a result its cells already hold, without reading it (`SqliteStore`)."""
        self.made: set[str] = set()
        """Keys this run has remembered: a second step with the same recipe in the same run still runs
        (results are reused from earlier runs only, so a first run never shows a step as reused)."""

    def execute(self, compiled: CompiledStep) -> None:
        """Run one step, or reuse its stored result (see `Engine.run`); remember what a run makes."""
        recipe = self.recipe(compiled)
        if recipe is None:  # not cacheable, or an input that cannot be hashed (or read): the step simply runs
            self.run.execute(compiled)
            return
        if self.reuse and self.reused(compiled, recipe[0]):
            return
        began_at = time.time()
        outputs = self.run.execute(compiled)
        if outputs is not None:
            self.remember(compiled, recipe, outputs, began_at)

    def recipe(self, compiled: CompiledStep) -> tuple[str, dict[str, str]] | None:
        """The step's recipe key and input hashes (see `_recipe`), or None when its results are never
        reused (a function that is not cacheable) or an input has no hash."""
        return self._recipe(compiled) if compiled[1].cacheable else None

    def reused(self, compiled: CompiledStep, key: str) -> bool:
        """Reuse the stored result under `key` (see `Engine.run`) when there is one: written to the step's
        cells and the step reported reused. False (nothing written): the step is to run."""
        if key in self.made:
            return False
        if self.in_place is not None and self._reuse_in_place(compiled, key):
            return True
        try:
            stored = self.cache.lookup(key)
        except Exception:  # a store that cannot answer: run the step instead
            stored = None
        return stored is not None and self._write_stored(compiled, stored)

    def remember(self, compiled: CompiledStep, recipe: tuple[str, dict[str, str]], outputs: dict[str, Any],
                 began_at: float) -> None:
        """Remember what the step made (its outputs by port, already in its cells) under its recipe, with
        its lineage, so a later run reuses it."""
        step, function, step_id = compiled[0], compiled[1], compiled[2]
        key, input_hashes = recipe
        cache = self.cache
        output_hashes = {name: value_hash(value) for name, value in outputs.items()}
        hashes = self.hashes
        for name, cell_id in step.outputs.items():
            hashes[cell_id.int] = output_hashes.get(name)
        if None in output_hashes.values():
            return  # a later reader could not be keyed anyway
        lineage = Lineage(step_id, function.slug, function.version, input_hashes, key, began_at,
                          self.run.timings.get(step_id, 0.0))
        self.made.add(key)
        try:  # the lineage first: a store that writes at `remember` (a slow step's) writes both at once
            for cell_id in step.outputs.values():
                cache.set_lineage(cell_id, lineage)
            cache.remember(key, StoredResult(outputs, output_hashes, lineage))  # type: ignore[arg-type]
        except Exception:  # the values are in their cells; only reuse next time is lost
            pass

    def _recipe(self, compiled: CompiledStep) -> tuple[str, dict[str, str]] | None:
        """The step's recipe key (see `caching.step_key`) and its input hashes (a param's hash is that of
        its value, as if a cell held it), or None when an input has no hash."""
        step, function = compiled[0], compiled[1]
        hashes = self.hashes
        value_of = self.value_of
        input_hashes = {}
        params = compiled[5][1] if compiled[4] == CALL_PARAMS else None
        try:
            for name, cell_id in step.inputs.items():
                digest = hashes.get(cell_id.int, _UNKNOWN)
                if digest is _UNKNOWN:
                    digest = hashes[cell_id.int] = value_hash(value_of(cell_id))
                if digest is None:
                    return None
                input_hashes[name] = digest
            if params is not None and not params_hashes(params, input_hashes):
                return None
            fingerprint = None
            if function.fingerprint is not None:
                arguments = {name: value_of(cell_id) for name, cell_id in step.inputs.items()}
                if params is not None:
                    arguments.update(fresh(params))
                token = function.fingerprint(**arguments)
                fingerprint = value_hash(token)
                if fingerprint is None:
                    return None
        except Exception:  # a missing input or a fingerprint that fails: the step runs and says why
            return None
        return step_key(function.slug, function.version, input_hashes, None, fingerprint), input_hashes

    def _reuse_in_place(self, compiled: CompiledStep, key: str) -> bool:
        """Reuse the step's stored result where its output cells already hold it (see
        `SqliteStore.reuse_in_place`); False when they do not (nothing was written)."""
        step, step_id, out_key, named = compiled[0], compiled[2], compiled[6], compiled[9]
        if out_key is not None:
            outputs: Any = ((RETURN, out_key, compiled[7], compiled[8]),)
        elif named is not None:
            outputs = named
        else:
            return False
        try:
            output_hashes = self.in_place(key, step_id, outputs)  # type: ignore[misc]
        except Exception:  # a store that cannot answer: look the result up instead
            return False
        if output_hashes is None:
            return False
        hashes = self.hashes
        for name, cell_id in step.outputs.items():
            hashes[cell_id.int] = output_hashes.get(name)
        self._report_cached(step, step_id)
        return True

    def _report_cached(self, step: WorkflowStep, step_id: UUID) -> None:
        run = self.run
        run.status[step_id] = StepStatus.CACHED
        run.report_not_called(step, run.callbacks.on_step_cached)

    def _write_stored(self, compiled: CompiledStep, stored: StoredResult) -> bool:
        """Write a stored result to the step's output cells and report the step reused; False (nothing
        written) when the result lacks an output the step needs."""
        step, step_id = compiled[0], compiled[2]
        outputs, output_hashes = stored.outputs, stored.output_hashes
        if any(name not in outputs or name not in output_hashes for name in step.outputs):
            return False
        lineage = stored.lineage
        if lineage.step_id != step_id:
            lineage = Lineage(step_id, lineage.slug, lineage.version, lineage.input_hashes, lineage.key,
                              lineage.made_at, lineage.duration)
        store, cache, hashes = self.store, self.cache, self.hashes
        out_key, out_id, out_alias, named = compiled[6], compiled[7], compiled[8], compiled[9]
        try:
            if out_key is not None:
                store.put(outputs[RETURN], out_alias, id=out_id, produced_by=step_id)
            elif named is not None:
                for name, _, cell_id, alias in named:
                    store.put(outputs[name], alias, id=cell_id, produced_by=step_id)
            for name, cell_id in step.outputs.items():
                hashes[cell_id.int] = output_hashes[name]
                cache.set_lineage(cell_id, lineage)
        except Exception:  # the store could not take it back: run the step instead
            return False
        self._report_cached(step, step_id)
        return True


def params_hashes(params: dict[str, Any], into: dict[str, str]) -> bool:
    """Add each param's content hash to `into` (by input name); False when one has none."""
    for name, value in params.items():
        digest = value_hash(value)
        if digest is None:
            return False
        into[name] = digest
    return True


def wiring_as_run(compiled: CompiledStep) -> tuple[dict[str, int], dict[str, int]]:
    """The step's inputs and outputs (port -> cell key, `uuid.int`) as the plan compiled them, which is
    what the run used: the step object itself may have been rewired since (the studio edits in place).
    Params are not wiring: see `compiled[5][1]` for a `CALL_PARAMS` step."""
    kind, keys = compiled[4], compiled[5]
    if kind == CALL_NONE:
        inputs: dict[str, int] = {}
    elif kind == CALL_KEYWORDS:
        inputs = dict(keys)
    elif kind == CALL_PARAMS:
        inputs = dict(keys[0])
    else:
        names = positional_names(compiled[3])
        inputs = {names[0]: keys} if kind == CALL_ONE else {names[0]: keys[0], names[1]: keys[1]}
    if compiled[9] is not None:
        outputs = {name: key for name, key, _cell_id, _alias in compiled[9]}
    else:
        outputs = {} if compiled[6] is None else {RETURN: compiled[6]}
    return inputs, outputs


def remember_later(store: ResultCache, checked: ExecutionPlan, run: StepRun,
                   cells: dict[Any, Cell]) -> Callable[[], None]:
    """The work that keys and remembers what a fast in-memory run made, from `cells` (the store's cells
    as the run left them), for `InMemoryStore.defer_results`. Steps with a fingerprint are left out: it
    would be asked later than the step ran, and could vouch for an outside that has changed since. The
    wiring comes from the compiled plan, never from the steps, which may have been edited since."""
    status, timings = run.status, run.timings

    def remember() -> None:
        hashes: dict[int, str | None] = {}

        def hash_of(key: int) -> str | None:
            digest = hashes.get(key, _UNKNOWN)
            if digest is _UNKNOWN:
                cell = cells.get(key)
                digest = hashes[key] = None if cell is None else value_hash(cell[2])
            return digest

        live = store._cells  # type: ignore[attr-defined]
        for compiled in checked.compiled:
            function, step_id = compiled[1], compiled[2]
            if status.get(step_id) is not StepStatus.DONE or function is None:
                continue
            if not function.cacheable or function.fingerprint is not None:
                continue
            inputs, outputs = wiring_as_run(compiled)
            input_hashes = {name: hash_of(key) for name, key in inputs.items()}
            output_cells = {name: cells.get(key) for name, key in outputs.items()}
            if None in input_hashes.values() or None in output_cells.values():
                continue
            if compiled[4] == CALL_PARAMS and not params_hashes(compiled[5][1], input_hashes):  # type: ignore[arg-type]
                continue
            if len(function.outputs) != len(output_cells):
                continue  # an output that no cell took was not kept: this result cannot serve every step
            output_hashes = {name: hash_of(key) for name, key in outputs.items()}
            if None in output_hashes.values():
                continue
            key = step_key(function.slug, function.version, input_hashes)  # type: ignore[arg-type]
            first = next(iter(output_cells.values()), None)
            lineage = Lineage(step_id, function.slug, function.version, input_hashes,  # type: ignore[arg-type]
                              key, first[4] if first is not None else 0.0, timings.get(step_id, 0.0))
            outputs_made = {name: cell[2] for name, cell in output_cells.items()}  # type: ignore[index]
            store.remember(key, StoredResult(outputs_made, output_hashes, lineage))  # type: ignore[arg-type]
            for cell in output_cells.values():
                if live.get(cell[0].int) is cell:  # type: ignore[index]  # not written since
                    store.set_lineage(cell[0], lineage)  # type: ignore[index]

    return remember
