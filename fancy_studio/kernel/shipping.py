"""What the studio sends its kernel for a run: the workflow in chunks, the functions, the request.

**The workflow** is sent as plain tuples (ids as integers, slugs, aliases, values), never as pickled
pydantic models (which pickle and unpickle slowly: ~100 ms each way for 10,000 steps). Its steps and
cells are cut in chunks of `CHUNK` items; each chunk is encoded by a Python loop and pickled on its own,
so the studio's thread never holds the GIL for long in one C call (a GUI thread waiting for it would
freeze), and each chunk is named by a digest of its bytes (BLAKE2b, 128 bits). The workflow's
*fingerprint* is the digest of its header and its chunks' digests: a content fingerprint, computed anew
on every run (the studio edits the very same objects in place between runs, so identity says nothing).
The kernel keeps the chunks of the last `KEPT_RUNS` runs; the studio remembers which (`ChunkMirror`,
one per kernel process) and sends only the chunks the kernel lacks: nothing when the same workflow runs
again unchanged, one chunk when one step was edited. The kernel checks each chunk's digest on arrival.

**The functions**: every function the run's steps use is sent with the run, taken from the studio's own
registry, so the kernel runs what the studio checked the workflow against. cloudpickle decides how: by
reference (module and qualified name) when the function can be imported under its name and resolves to
the very function registered (built-ins, plugins, a user's module on `sys.path`), so the kernel imports
the code itself; by value when it cannot (a function defined in a script's `__main__`, or inside another
function). A function sent by reference is imported afresh by a restarted kernel: an edited file takes
effect.

**The request** names the chunks, the plan (the studio's checked order, as indexes into the workflow's
steps: the kernel runs exactly that order and does not check the workflow again, see
`child_workflow`), the store, reuse, the functions and `sys.path`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import sys
from array import array
from collections import deque
from collections.abc import Sequence
from typing import Any

from fancy_studio.core.validation import ExecutionPlan
from fancy_studio.kernel.protocol import CHUNK_MESSAGE, RUN

CHUNK = 256
"""Steps (or cells) per chunk: each is encoded, pickled and hashed on its own (well under a millisecond
of C code at a time), and an edit re-sends one chunk."""
DIGEST_SIZE = 16
KEPT_RUNS = 2
"""The kernel keeps the chunks named by its last this-many run requests (two open documents, or a
workflow and its last edit, cost nothing to run again)."""
STEP_CHUNK, CELL_CHUNK = "s", "c"


class ShippingError(Exception):
    """Something the run needs cannot be sent to the kernel (a function or a value pickle refuses)."""


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


def encode_steps(steps: Sequence[Any]) -> list[tuple[Any, ...]]:
    """(id, slug, label, timeout, input names, input cells, output names, output cells, params, bypass)
    per step, ids as `uuid.int`; params None when there are none (most steps)."""
    encoded = []
    append = encoded.append
    for step in steps:
        fields = step.__dict__  # pydantic keeps the fields there: no attribute machinery per field
        inputs, outputs = fields["inputs"], fields["outputs"]
        append((fields["id"].int, fields["function_slug"], fields["label"], fields["timeout"],
                tuple(inputs), tuple([cell.int for cell in inputs.values()]),
                tuple(outputs), tuple([cell.int for cell in outputs.values()]),
                fields["params"] or None, fields["bypass"]))
    return encoded


def encode_cells(cells: Sequence[Any]) -> list[tuple[Any, ...]]:
    """(id, alias, description, has a value, value) per declared cell."""
    encoded = []
    append = encoded.append
    for cell in cells:
        fields = cell.__dict__
        has_value = "value" in cell.__pydantic_fields_set__
        append((fields["id"].int, fields["alias"], fields["description"], has_value,
                fields["value"] if has_value else None))
    return encoded


@dataclasses.dataclass
class ShippedWorkflow:
    """A workflow as the kernel receives it: its header, and its chunks by digest."""

    header: tuple[int, str, str]
    """(id, name, description)."""
    steps: list[bytes]
    """The digests of the step chunks, in order."""
    cells: list[bytes]
    chunks: dict[bytes, bytes]
    """digest → the chunk's message body (kind, then the pickle)."""
    fingerprint: bytes
    step_count: int

    @property
    def digests(self) -> frozenset[bytes]:
        return frozenset(self.chunks)


def ship_workflow(workflow: Any) -> ShippedWorkflow:
    """Encode and fingerprint `workflow` chunk by chunk (see the module docstring)."""
    chunks: dict[bytes, bytes] = {}
    named: dict[str, list[bytes]] = {STEP_CHUNK: [], CELL_CHUNK: []}
    for kind, items, encode in ((STEP_CHUNK, workflow.steps, encode_steps), (CELL_CHUNK, workflow.cells, encode_cells)):
        names = named[kind]
        for start in range(0, len(items), CHUNK):
            body = kind.encode() + pickle.dumps(encode(items[start:start + CHUNK]), protocol=pickle.HIGHEST_PROTOCOL)
            name = digest(body)
            chunks[name] = body
            names.append(name)
    header = (workflow.id.int, workflow.name, workflow.description)
    whole = hashlib.blake2b(pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL), digest_size=DIGEST_SIZE)
    for kind in (STEP_CHUNK, CELL_CHUNK):
        whole.update(kind.encode() + len(named[kind]).to_bytes(8, "big") + b"".join(named[kind]))
    return ShippedWorkflow(header, named[STEP_CHUNK], named[CELL_CHUNK], chunks, whole.digest(),
                           len(workflow.steps))


def chunk_message(name: bytes, body: bytes) -> bytes:
    return CHUNK_MESSAGE + name + body


class ChunkMirror:
    """What one kernel process holds: the chunks named by the last `KEPT_RUNS` run requests it was sent
    (the kernel keeps exactly these, see `child_workflow.ChunkStore`), plus what was sent since."""

    def __init__(self) -> None:
        self._runs: deque[frozenset[bytes]] = deque(maxlen=KEPT_RUNS)
        self.sent_chunks = 0
        """Chunks sent to this process so far (tests and benchmarks count them)."""

    def missing(self, shipped: ShippedWorkflow) -> list[bytes]:
        held = frozenset().union(*self._runs)
        return [name for name in shipped.chunks if name not in held]

    def run_sent(self, shipped: ShippedWorkflow) -> None:
        self._runs.append(shipped.digests)

    def forget(self) -> None:
        """The kernel refused a run: assume it holds nothing (the next run sends every chunk again)."""
        self._runs.clear()


def plan_order(workflow: Any, checked: ExecutionPlan) -> bytes | None:
    """The plan's order as indexes into `workflow.steps` (uint32 bytes), or None when it is every step in
    the workflow's own order (a chain built in order, and most workflows)."""
    index = {id(step): i for i, step in enumerate(workflow.steps)}
    order = [index[id(compiled[0])] for compiled in checked.compiled]
    if len(order) == len(workflow.steps) and order == list(range(len(order))):
        return None
    return array("I", order).tobytes()


def pack_functions(checked: ExecutionPlan) -> dict[str, bytes]:
    """slug → the pickled `FancyFunction`, for every function the plan's steps call."""
    import cloudpickle

    packed: dict[str, bytes] = {}
    for compiled in checked.compiled:
        function = compiled.function
        if function is None or function.slug in packed:
            continue  # not installed: the kernel's plan skips the step too
        # a copy without the cached code version: the kernel hashes the code it actually imported
        fresh = dataclasses.replace(function)
        try:
            packed[function.slug] = cloudpickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise ShippingError(f"function '{function.slug}' cannot be sent to the kernel: {exc}") from exc
    return packed


def pack_initial(workflow: Any, initial: Sequence[Any] | None) -> list[tuple[int, str, bytes]] | None:
    """The run's input cells: None when they are the workflow's own input cells (the very objects: the
    kernel takes them from the workflow it has), else (id, alias, pickled value) per cell, each value
    pickled on its own (cloudpickle for one that plain pickle refuses, such as a lambda)."""
    if initial is None:
        return None
    literal = workflow.literal_cells()
    if len(literal) == len(initial) and all(a is b for a, b in zip(literal, initial)):
        return None
    packed = []
    for cell in initial:
        try:
            value = pickle.dumps(cell.value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - pickle refuses in many ways: cloudpickle may not
            import cloudpickle

            try:
                value = cloudpickle.dumps(cell.value, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                raise ShippingError(f"the run's input values cannot be sent to the kernel: {exc}") from exc
        packed.append((cell.id.int, cell.alias or "", value))
    return packed


def pack_run(run_id: int, shipped: ShippedWorkflow, initial: list[tuple[int, str, bytes]] | None, *,
             order: bytes | None, reuse: bool, store: str | None, functions: dict[str, bytes],
             folder: str | None = None, executor: dict[str, Any] | None = None) -> bytes:
    """The run message: its kind byte, then the pickled request (small: the workflow is named by its
    chunks' digests, and the values were pickled one by one). `executor`: where the kernel runs the steps
    (a description, see `executors`; None: in the kernel itself)."""
    request = {"id": run_id, "workflow": shipped.header, "fingerprint": shipped.fingerprint,
               "steps": shipped.steps, "cells": shipped.cells, "step_count": shipped.step_count,
               "order": order, "initial": initial, "reuse": reuse, "store": store, "functions": functions,
               "sys_path": list(sys.path), "folder": folder, "executor": executor}  # as it is now: a script may have added a folder since the start
    return RUN + pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
