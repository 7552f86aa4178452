"""A new session reuses a step's cells where they are on disk (SqliteStore.reuse_in_place): no value read,
no row written, the watermark still exact."""


from __future__ import annotations

import threading
import typing

from fancy_studio.core import SqliteStore

KEY_A = b"A" * 32


class _Pair(typing.NamedTuple):
    low: float
    high: float


def _split_registry(calls):
    from fancy_studio.core.functions import FunctionRegistry, fancy_function

    reg = FunctionRegistry(load_builtins=False)

    @fancy_function("t.split", registry=reg, version="1")
    def split(x: float) -> _Pair:
        calls.append(x)
        return _Pair(x - 1, x + 1)

    return reg


def _split_workflow(outputs=("low", "high")):
    from fancy_studio.core import Workflow, WorkflowStep

    wf = Workflow()
    x = wf.input_cell("x", 5.0)
    a, b = wf.output_cell("a"), wf.output_cell("b")
    step = WorkflowStep(function_slug="t.split", inputs={"x": x.id}, outputs=dict(zip(outputs, (a.id, b.id))))
    wf.steps.append(step)
    return wf, step, a, b


def test_a_new_session_reuses_cells_in_place_reading_no_value_and_writing_no_row(tmp_path, monkeypatch):
    from fancy_studio.core import Engine, StepStatus, sqlite_values

    calls: list = []
    reg = _split_registry(calls)
    wf, step, a, b = _split_workflow()
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        assert Engine(store, registry=reg).run(wf).ok
        first = store.get(a.id)
    decoded = []
    real_decode = sqlite_values.decode
    monkeypatch.setattr(sqlite_values, "decode", lambda *args: decoded.append(args) or real_decode(*args))
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        mark = store.revision
        traced: list[str] = []
        store._db.set_trace_callback(traced.append)
        result = Engine(store, registry=reg).run(wf)
        assert result.step_status[step.id] is StepStatus.CACHED and calls == [5.0]
        store.flush()
        outputs = (a.id.hex, b.id.hex)  # (the input cell is written again by every run: it is not a result)
        assert not [sql for sql in traced if "cells" in sql and any(cell in sql for cell in outputs)]
        assert decoded == []  # no value was read back to be reused
        changed = store.changed_since(mark)  # exact: the input, then the two cells with their new revisions
        assert len(changed) == 3 and changed[0].value == 5.0
        changed = changed[1:]
        assert [c.id for c in changed] == [a.id, b.id] and changed[0].revision > mark
        assert [c.value for c in changed] == [4.0, 6.0] and changed[0].produced_by == step.id
        assert store.get(a.id) == changed[0] and store.get(a.id).revision > first.revision
        assert [c.id for c in store.changed_since(changed[0].revision)] == [b.id]
        assert [c.id for c in store][-2:] == [a.id, b.id]  # iteration: newest last, as they are now
        assert store.find("b") == changed[1] and store.lineage(b.id).step_id == step.id
        end = store.revision
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:  # the counter never goes back
        assert store.revision >= end and store.get(b.id).value == 6.0


def test_in_place_reuse_needs_the_same_ports_producer_alias_and_a_stored_result(tmp_path):
    from fancy_studio.core import Engine, StepStatus

    calls: list = []
    reg = _split_registry(calls)
    wf, step, a, b = _split_workflow()
    path = tmp_path / "s.db"
    with SqliteStore(path, key=KEY_A) as store:
        Engine(store, registry=reg).run(wf)
    swapped, step2, _, _ = _split_workflow(("high", "low"))  # the same recipe, its ports rewired
    swapped.cells = wf.cells
    swapped.steps[0] = type(step)(id=step.id, function_slug="t.split", inputs=step.inputs,
                                  outputs={"high": a.id, "low": b.id})
    with SqliteStore(path, key=KEY_A) as store:
        result = Engine(store, registry=reg).run(swapped)
        assert result.step_status[step.id] is StepStatus.CACHED and len(calls) == 1
        assert (store.get(a.id).value, store.get(b.id).value) == (6.0, 4.0)  # written from the result
    with SqliteStore(path, key=KEY_A) as store:
        assert (store.get(a.id).value, store.get(b.id).value) == (6.0, 4.0)
        store.forget_results()  # Clear Stored Results: the cells hold the values, but nothing is reused
        assert Engine(store, registry=reg).run(swapped).step_status[step.id] is StepStatus.DONE
        assert len(calls) == 2


def test_a_watermark_reader_misses_nothing_while_cells_are_reused_in_place(tmp_path):
    """changed_since with a watermark stays exact when reused cells only move their revision in memory."""
    from fancy_studio.core import Engine, StepStatus, Workflow, WorkflowStep
    from fancy_studio.core.functions import FunctionRegistry, fancy_function

    reg = FunctionRegistry(load_builtins=False)
    fancy_function("t.inc", registry=reg, version="1")(lambda x: x + 1)
    wf = Workflow()
    cell = wf.input_cell("x0", 0)
    for i in range(300):
        out = wf.output_cell(f"x{i + 1}")
        wf.steps.append(WorkflowStep(function_slug="t.inc", inputs={"x": cell.id}, outputs={"return": out.id}))
        cell = out
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        Engine(store, registry=reg).run(wf)
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        seen: dict = {}
        mark = store.revision
        runner = threading.Thread(target=lambda: seen.setdefault("result", Engine(store, registry=reg).run(wf)))
        runner.start()
        while runner.is_alive() or store.revision > mark:
            for changed in store.changed_since(mark):
                assert changed.revision > mark
                seen[changed.id] = changed.revision
                mark = changed.revision
        runner.join()
        assert seen.pop("result").count(StepStatus.CACHED) == 300
        assert len(seen) == 301 and all(store.get(i).revision == r for i, r in seen.items())
