"""Shipping a workflow to the kernel: only what it lacks, never a stale copy, never a long pause."""

from __future__ import annotations

import pickle
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from fancy_studio.core import (
    CellSpec,
    InMemoryStore,
    SqliteStore,
    StepStatus,
    Workflow,
    WorkflowStep,
    fancy_function,
)
from fancy_studio.core.engine import Engine
from fancy_studio.kernel import Kernel, KernelError
from fancy_studio.kernel import kernel as kernel_module
from fancy_studio.kernel.protocol import CHUNK_MESSAGE, RUN
from fancy_studio.kernel.shipping import CHUNK, ship_workflow
from tests.kernel.kernel_functions import chain, registry_with_builtins


def long_chain(n: int, value: int = 0) -> tuple[Workflow, list[WorkflowStep], list[CellSpec]]:
    workflow = Workflow()
    cell = workflow.input_cell("x0", value)
    steps, cells = [], [cell]
    for i in range(n):
        out = workflow.output_cell(f"x{i + 1}")
        steps.append(workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": cell.id},
                                                    outputs={"return": out.id})))
        cells.append(out)
        cell = out
    return workflow, steps, cells


MISSING = "not in the store"


def read(path: Path, cell_id: Any) -> Any:
    store = SqliteStore(path)
    try:
        return store.get(cell_id).value if cell_id in store else MISSING
    finally:
        store.close()


def in_process(workflow: Workflow, cell_id: Any) -> Any:
    store = InMemoryStore()
    assert Engine(store).run(workflow).ok
    return store.get(cell_id).value if cell_id in store else MISSING


def test_the_same_workflow_run_again_ships_nothing(kernel: Kernel, tmp_path: Path) -> None:
    workflow, _, cells = long_chain(3 * CHUNK)
    first = kernel.run(workflow, store_path=tmp_path / "a.fancystore")
    assert first.ok
    shipped = kernel.last_shipped
    assert shipped.chunks == 3 + 4  # steps in 3 chunks, cells (one more than steps) in 4
    again = kernel.run(workflow, store_path=tmp_path / "b.fancystore")
    assert again.ok and again.step_status == first.step_status
    assert kernel.last_shipped.chunks == 0 and kernel.last_shipped.messages == 1  # the run request alone
    assert kernel.last_shipped.bytes < shipped.bytes / 20
    assert read(tmp_path / "b.fancystore", cells[-1].id) == 3 * CHUNK


def test_a_workflow_edited_in_place_between_runs_runs_as_edited(kernel: Kernel, tmp_path: Path) -> None:
    """The studio edits the very objects it ran: a kernel that ran its stale copy would be wrong."""
    workflow, steps, cells = long_chain(3 * CHUNK)
    last = cells[-1].id
    assert kernel.run(workflow, store_path=tmp_path / "0.fancystore").ok
    edits = [  # (an edit, the chunks it makes new)
        (lambda: setattr(steps[CHUNK + 5], "function_slug", "math.negate"), 1),  # a step in the second chunk
        (lambda: steps[2 * CHUNK].inputs.__setitem__("x", cells[0].id), 1),  # rewired in place: nothing validates
        (lambda: setattr(cells[0], "value", 1000), 1),  # the input cell's value
        (lambda: steps[-1].outputs.clear(), 1),  # the last cell is no longer written...
        (lambda: steps[-1].outputs.__setitem__("return", last), 0),  # ...and again: the kernel kept that chunk
    ]
    for number, (edit, new_chunks) in enumerate(edits, start=1):
        edit()
        path = tmp_path / f"{number}.fancystore"
        result = kernel.run(workflow, store_path=path)
        assert result.ok
        assert kernel.last_shipped.chunks == new_chunks
        assert read(path, last) == in_process(workflow, last)
    assert read(tmp_path / "4.fancystore", last) == MISSING
    assert read(tmp_path / "5.fancystore", last) == 1000 + CHUNK  # the rewired tail: x0, then CHUNK steps


def test_steps_added_and_removed_between_runs(kernel: Kernel, tmp_path: Path) -> None:
    workflow, _, cells = chain("math.increment", "math.increment")
    assert kernel.run(workflow, store_path=None).ok
    out = workflow.output_cell("more")
    added = workflow.add_step(WorkflowStep(function_slug="math.negate", inputs={"x": cells[-1].id},
                                           outputs={"return": out.id}))
    path = tmp_path / "added.fancystore"
    result = kernel.run(workflow, store_path=path)
    assert result.step_status[added.id] is StepStatus.DONE and read(path, out.id) == -3
    workflow.steps.remove(added)
    result = kernel.run(workflow, store_path=None)
    assert added.id not in result.step_status and result.ok


def test_two_workflows_in_turn_ship_nothing_a_third_one_evicts_the_first(kernel: Kernel) -> None:
    a, b, c = long_chain(10)[0], long_chain(20)[0], long_chain(30)[0]
    for workflow in (a, b):
        assert kernel.run(workflow, store_path=None).ok
    for workflow in (a, b):
        assert kernel.run(workflow, store_path=None).ok
        assert kernel.last_shipped.chunks == 0
    assert kernel.run(c, store_path=None).ok  # the kernel keeps the last two: a goes
    assert kernel.run(a, store_path=None).ok
    assert kernel.last_shipped.chunks == 2


def test_targets_and_given_input_cells(kernel: Kernel, tmp_path: Path) -> None:
    workflow, steps, cells = long_chain(5)
    path = tmp_path / "targets.fancystore"
    result = kernel.run(workflow, store_path=path, targets=[steps[1].id])
    assert list(result.step_status) == [steps[0].id, steps[1].id] and result.ok
    assert read(path, cells[2].id) == 2
    given = [CellSpec(id=cells[0].id, alias="x0", value=40)]
    path = tmp_path / "given.fancystore"
    assert kernel.run(workflow, store_path=path, initial_cells=given).ok
    assert read(path, cells[-1].id) == 45
    assert kernel.last_shipped.chunks == 0  # the workflow was there already: only the values travel


def test_a_step_that_changes_its_input_list_in_place_cannot_change_the_next_run(tmp_path: Path) -> None:
    registry = registry_with_builtins()

    @fancy_function("local.grab", registry=registry, cacheable=False)
    def grab(items: list) -> int:
        items.append(len(items))  # in place: the in-memory store handed over the workflow's own list
        return len(items)

    workflow = Workflow()
    source = workflow.input_cell("items", [0, 1])
    out = workflow.output_cell("n")
    workflow.add_step(WorkflowStep(function_slug="local.grab", inputs={"items": source.id},
                                   outputs={"return": out.id}))
    kernel = Kernel()
    try:
        for number in range(3):
            assert kernel.run(workflow, store_path=None, registry=registry).ok
            assert kernel.last_shipped.chunks == (2 if number == 0 else 0)
        path = tmp_path / "last.fancystore"
        assert kernel.run(workflow, store_path=path, registry=registry).ok
        assert read(path, out.id) == 3  # [0, 1] grew by one, once
    finally:
        kernel.shutdown()


def test_a_kernel_that_lacks_what_the_client_believes_it_has_refuses_and_the_next_run_sends_all(
        kernel: Kernel) -> None:
    workflow, _, _ = long_chain(3)
    kernel.run(long_chain(1)[0], store_path=None)  # a ready kernel
    process = kernel._process
    assert process is not None
    process.mirror.run_sent(ship_workflow(workflow))  # wrong: it was never sent
    with pytest.raises(KernelError, match="lacks the workflow part"):
        kernel.run(workflow, store_path=None)
    assert kernel.run(workflow, store_path=None).ok
    assert kernel.last_shipped.chunks == 2


def test_malformed_messages_are_refused_and_the_kernel_lives_on(kernel: Kernel) -> None:
    workflow, _, _ = long_chain(3)
    assert kernel.run(workflow, store_path=None).ok
    process = kernel._process
    assert process is not None
    pid = process.pid
    shipped = ship_workflow(workflow)
    name = shipped.steps[0]
    process.send(CHUNK_MESSAGE + b"\0" * 16 + shipped.chunks[name])  # a chunk whose digest does not match
    process.send(CHUNK_MESSAGE + b"short")
    good = {"id": 10**6, "workflow": shipped.header, "fingerprint": shipped.fingerprint, "steps": shipped.steps,
            "cells": shipped.cells, "step_count": 3, "order": None, "initial": None, "reuse": True, "store": None,
            "functions": {}, "sys_path": []}
    bad_requests = [b"not a pickle", pickle.dumps([1, 2]), pickle.dumps({"id": 1}),
                    pickle.dumps({**good, "order": b"\xff\xff\xff\x7f"}),  # a step index out of range
                    pickle.dumps({**good, "order": (2).to_bytes(4, "little") * 3}),  # a step twice
                    pickle.dumps({**good, "order": b"".join(i.to_bytes(4, "little") for i in (2, 1, 0))}),  # backwards
                    pickle.dumps({**good, "steps": [b"\1" * 16]}),
                    pickle.dumps({**good, "step_count": 4}),
                    pickle.dumps({**good, "functions": {"math.increment": b"junk"}})]
    for request in bad_requests:
        process.send(RUN + request)
    errors = []
    deadline = time.monotonic() + 20
    while len(errors) < len(bad_requests) and time.monotonic() < deadline:
        message = process.inbox.get(timeout=20)
        if message["t"] == "error":
            errors.append(message["message"])
        else:
            assert message["t"] in ("events", "done")
    assert len(errors) == len(bad_requests), errors
    process.mirror.forget()  # (what the kernel holds after this test's own messages is its business)
    assert kernel.run(workflow, store_path=None).ok
    assert kernel.pid == pid


def test_the_callers_thread_pauses_the_gil_while_a_run_ships(kernel: Kernel, monkeypatch) -> None:
    """A watchdog thread keeps ticking while 20,000 steps are encoded and sent: the calling thread never
    holds the GIL through the whole of it (no single C call for the workflow). No time limit is asserted."""
    workflow, _, _ = long_chain(20_000)
    ticks = [0]
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            time.sleep(0.001)
            ticks[0] += 1

    seen: dict[str, int] = {}
    real_ship, real_send = kernel_module.ship_workflow, Kernel._send_run

    def ship(workflow: Workflow) -> Any:
        seen["ship from"] = ticks[0]
        shipped = real_ship(workflow)
        seen["ship to"] = ticks[0]
        return shipped

    def send(self: Kernel, *args: Any) -> None:
        seen["send from"] = ticks[0]
        real_send(self, *args)
        seen["send to"] = ticks[0]

    monkeypatch.setattr(kernel_module, "ship_workflow", ship)
    monkeypatch.setattr(Kernel, "_send_run", send)
    watchdog = threading.Thread(target=tick, daemon=True)
    watchdog.start()
    try:
        time.sleep(0.01)
        assert kernel.run(workflow, store_path=None).ok
    finally:
        stop.set()
        watchdog.join()
    assert kernel.last_shipped.chunks > 100
    assert seen["ship to"] > seen["ship from"]  # it ticked while the workflow was encoded
    assert seen["send to"] >= seen["send from"]
