"""The kernel's side of shipping: the workflow chunks it holds, and the plan it runs, kept between runs.

Chunks arrive as messages before the run that names them (see `shipping`). Each is checked against its
digest, decoded once into `WorkflowStep`s or `CellSpec`s (built without validation: the studio's models
were valid) and kept while one of the last `KEPT_RUNS` run requests names it; the studio mirrors that
rule, so it sends only what is missing. A run names its workflow by chunk digests, so a chunk the studio
changed is a different chunk: the kernel can never run a stale workflow.

The kernel does not check the workflow again: the studio checked it and sends its plan's order. What it
still checks is that the message makes sense (every chunk there, indexes in range and each once, every
input written by an earlier step of the plan or given, no cell written twice); anything else is a
`MalformedRun`, answered as an error, and the kernel lives on. The last plans are kept by fingerprint,
order and functions: running the same workflow again costs no decoding or planning at all.
"""

from __future__ import annotations

import pickle
import uuid
from array import array
from collections import OrderedDict, deque
from typing import Any, NamedTuple

from fancy_studio.core.functions import FancyFunction, FunctionRegistry
from fancy_studio.core.validation import ExecutionPlan, _compile
from fancy_studio.core.workflow import CellSpec, Workflow, WorkflowStep
from fancy_studio.kernel.shipping import CELL_CHUNK, DIGEST_SIZE, KEPT_RUNS, STEP_CHUNK, digest

PLANS_KEPT = 2


class MalformedRun(ValueError):
    """A run message the kernel cannot make sense of (it is refused; the kernel lives on)."""


class LoadError(Exception):
    """A run the kernel cannot start: a function it cannot load, a store it cannot open."""


_new_uuid = uuid.UUID.__new__
_set = object.__setattr__
_UNKNOWN = uuid.SafeUUID.unknown


def make_uuid(value: int) -> uuid.UUID:
    """`UUID(int=value)` without its argument checks (the value came from a UUID)."""
    made = _new_uuid(uuid.UUID)
    _set(made, "int", value)
    _set(made, "is_safe", _UNKNOWN)
    return made


_STEP_FIELDS = frozenset(WorkflowStep.model_fields)


def trusted_step(fields: dict[str, Any]) -> WorkflowStep:
    """The `WorkflowStep` of these (valid, complete) fields, as `model_construct` makes it but without its
    loop over every field in Python (a third of decoding a workflow the kernel never saw)."""
    step = _new_model(WorkflowStep)
    _set(step, "__dict__", fields)
    _set(step, "__pydantic_fields_set__", set(_STEP_FIELDS))
    _set(step, "__pydantic_extra__", None)
    _set(step, "__pydantic_private__", None)
    return step


_new_model = object.__new__


def build_steps(rows: list[tuple[Any, ...]]) -> list[WorkflowStep]:
    ids: dict[int, uuid.UUID] = {}
    steps = []

    def wiring(names: Any, keys: Any) -> dict[str, uuid.UUID]:
        """Port name -> cell id, each cell's UUID made once however many ports name it."""
        ports = {}
        for name, key in zip(names, keys):
            cell = ids.get(key)
            if cell is None:
                cell = ids[key] = make_uuid(key)
            ports[name] = cell
        return ports

    for step_id, slug, label, timeout, in_names, in_cells, out_names, out_cells, params, bypass in rows:
        inputs, outputs = wiring(in_names, in_cells), wiring(out_names, out_cells)
        steps.append(trusted_step({"id": make_uuid(step_id), "function_slug": slug, "inputs": inputs,
                                   "outputs": outputs, "label": label, "timeout": timeout,
                                   "params": params or {}, "bypass": bypass}))
    return steps


def build_cells(rows: list[tuple[Any, ...]]) -> list[CellSpec]:
    construct = CellSpec.model_construct
    cells = []
    for cell_id, alias, description, has_value, value in rows:
        if has_value:
            cells.append(construct(id=make_uuid(cell_id), alias=alias, description=description, value=value))
        else:
            cells.append(construct(id=make_uuid(cell_id), alias=alias, description=description))
    return cells


class GivenCell(NamedTuple):
    """An input cell the run gives (not one of the workflow's own): what the engine stores before it runs."""

    id: uuid.UUID
    alias: str
    value: Any


class Prepared(NamedTuple):
    plan: ExecutionPlan
    positions: dict[int, int]
    """Plan position by `id(step)` (the event batcher's map)."""


class KernelCache:
    """Chunks, functions and plans the kernel keeps between runs."""

    def __init__(self) -> None:
        self.chunks: dict[bytes, tuple[str, list[Any]]] = {}
        self._runs: deque[frozenset[bytes]] = deque(maxlen=KEPT_RUNS)
        self._functions: dict[bytes, FancyFunction] = {}
        self._plans: OrderedDict[tuple[Any, ...], Prepared] = OrderedDict()
        self.decoded = 0
        """Chunks decoded so far (tests look)."""
        self.built = False
        """Set when chunks were decoded or a plan built (see `child_run.settle_new_objects`)."""

    # --- chunks ------------------------------------------------------------------------------------

    def receive(self, message: bytes) -> None:
        """A chunk message (kind byte, digest, body). A chunk whose digest does not match, or that does
        not decode, is dropped: the run that names it is refused as malformed."""
        name, body = message[1:1 + DIGEST_SIZE], message[1 + DIGEST_SIZE:]
        if name in self.chunks or digest(body) != name:
            return
        kind = body[:1].decode("latin-1")
        try:
            rows = pickle.loads(body[1:])
            items: list[Any] = build_steps(rows) if kind == STEP_CHUNK else build_cells(rows) \
                if kind == CELL_CHUNK else None  # type: ignore[assignment]
        except Exception:  # noqa: BLE001 - a malformed chunk is a missing one
            return
        if items is None:
            return
        self.chunks[name] = (kind, items)
        self.decoded += 1
        self.built = True

    def _named(self, request: dict[str, Any]) -> None:
        """A run request was read: keep exactly the chunks of the last `KEPT_RUNS` requests (the studio's
        `ChunkMirror` assumes the same)."""
        self._runs.append(frozenset(request["steps"]) | frozenset(request["cells"]))
        kept = frozenset().union(*self._runs)
        for name in [name for name in self.chunks if name not in kept]:
            del self.chunks[name]

    def _items(self, names: list[bytes], kind: str) -> list[Any]:
        items: list[Any] = []
        for name in names:
            chunk = self.chunks.get(name)
            if chunk is None or chunk[0] != kind:
                raise MalformedRun(f"the kernel lacks the workflow part {bytes(name).hex()[:12]}")
            items.extend(chunk[1])
        return items

    # --- a run -------------------------------------------------------------------------------------

    def prepare(self, request: dict[str, Any]) -> tuple[Prepared, list[Any] | None]:
        """The plan to run and the input cells (None: the workflow's own). Raises `MalformedRun` or
        `LoadError`."""
        try:
            steps_named, cells_named = list(request["steps"]), list(request["cells"])
            order_bytes, initial = request["order"], request["initial"]
            functions: dict[str, bytes] = dict(request["functions"])
            header = request["workflow"]
            fingerprint = bytes(request["fingerprint"])
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedRun(f"the kernel could not read the run: {exc!r}") from exc
        self._named({"steps": steps_named, "cells": cells_named})
        given = None if initial is None else [GivenCell(make_uuid(key), alias, pickle.loads(value))
                                              for key, alias, value in initial]
        key = (fingerprint, order_bytes, tuple(sorted(functions.items()))) if given is None else None
        if key is not None and key in self._plans:
            self._plans.move_to_end(key)
            return self._plans[key], None
        workflow = Workflow.model_construct(id=make_uuid(header[0]), name=header[1], description=header[2],
                                            steps=self._items(steps_named, STEP_CHUNK),
                                            cells=self._items(cells_named, CELL_CHUNK))
        if len(workflow.steps) != request.get("step_count"):
            raise MalformedRun("the run's workflow does not have the steps it names")
        registry = self._registry(functions)
        plan = trusted_plan(workflow, order_steps(workflow, order_bytes), registry,
                            workflow.literal_cells() if given is None else given)
        prepared = Prepared(plan, {id(compiled[0]): i for i, compiled in enumerate(plan.compiled)})
        self.built = True
        if key is not None:
            self._plans[key] = prepared
            while len(self._plans) > PLANS_KEPT:
                self._plans.popitem(last=False)
        return prepared, given

    def _registry(self, shipped: dict[str, bytes]) -> FunctionRegistry:
        """The run's registry: exactly the functions the studio's registry gave the run's steps. A
        function sent again as the same bytes is the one loaded before (as in the studio's process, where
        the same function object serves run after run)."""
        registry = FunctionRegistry(load_builtins=False)
        loaded: dict[bytes, FancyFunction] = {}
        for slug, blob in shipped.items():
            function = self._functions.get(blob)
            if function is None:
                try:
                    function = pickle.loads(blob)
                except BaseException as exc:
                    raise LoadError(f"function '{slug}' could not be loaded in the kernel: {exc!r}") from exc
            if not isinstance(function, FancyFunction) or function.slug != slug:
                raise MalformedRun(f"function '{slug}' is not what the run names")
            registry.register(function)
            loaded[blob] = function
        self._functions = loaded
        return registry


def order_steps(workflow: Workflow, order: bytes | None) -> list[WorkflowStep]:
    steps = workflow.steps
    if order is None:
        return list(steps)
    try:
        indexes = array("I")
        indexes.frombytes(order)
        chosen = [steps[index] for index in indexes]
    except (TypeError, ValueError, IndexError) as exc:
        raise MalformedRun(f"the run's plan does not fit its workflow: {exc!r}") from exc
    if len(set(indexes)) != len(indexes):
        raise MalformedRun("the run's plan names a step twice")
    return chosen


def trusted_plan(workflow: Workflow, steps: list[WorkflowStep], registry: FunctionRegistry,
                 initial: list[Any]) -> ExecutionPlan:
    """The plan for steps the studio checked and ordered: no type checks, no ordering, only what keeps a
    malformed message from running wrongly (each input written by an earlier step or given, each cell
    written once). A step whose function was not sent is unavailable: the studio did not have it either."""
    producers: dict[int, int] = {}
    for position, step in enumerate(steps):
        for cell in step.outputs.values():
            if producers.setdefault(cell.int, position) != position:
                raise MalformedRun(f"cell {cell} is written by two steps of the run")
    provided = {cell.id.int for cell in initial}
    successors: list[list[int]] = [[] for _ in steps]
    find = registry.find
    by_slug: dict[str, FancyFunction | None] = {}
    functions: list[FancyFunction | None] = []
    unavailable = {}
    special = set()
    for position, step in enumerate(steps):
        fields = step.__dict__
        if fields["params"] or fields["bypass"]:  # (few steps: see `validation._compile`)
            special.add(position)
        for cell in step.inputs.values():
            source = producers.get(cell.int)
            if source is None:
                if cell.int not in provided:
                    raise MalformedRun(f"step {step.id} reads cell {cell}, which nothing writes or gives")
            elif source >= position:
                raise MalformedRun(f"step {step.id} reads cell {cell} before the step that writes it")
            else:
                successors[source].append(position)
        slug = step.function_slug
        if slug not in by_slug:
            by_slug[slug] = find(slug)
        function = by_slug[slug]
        if function is None:
            unavailable[step.id] = slug
        functions.append(function)
    aliases = {cell.id.int: cell.alias for cell in workflow.cells if cell.alias}
    compiled, bypassed = _compile(steps, functions, list(range(len(steps))), aliases, special)
    return ExecutionPlan(workflow, compiled, steps, successors, frozenset(cell.id for cell in initial),
                         [c[2] for c in compiled], unavailable, bypassed)
