"""The parallel run (`max_workers > 1`): worker threads that pull ready steps and run chains inline.

Each story checks what a user relies on: the same values as a sequential run, a step started only after
the steps it reads from, every callback once, Stop starting no further step, a failing step's
dependents skipped, and independent steps that release the GIL really running at the same time.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections import Counter
from typing import NamedTuple
from uuid import UUID, uuid4

import pytest

from fancy_studio.core import (
    CancelToken,
    Engine,
    FunctionRegistry,
    InMemoryStore,
    RunCallbacks,
    StepStatus,
    Workflow,
    registry,
)
from fancy_studio.core.functions import describe
from tests.core.helpers import PlainStore, step

STORES = pytest.mark.parametrize("store_type", [InMemoryStore, PlainStore], ids=["in-memory", "general"])
"""The parallel run's two ways of running a step: `InMemoryStore` inlined, any other store's get/put."""


def _slow(x: float) -> float:
    time.sleep(0.01)
    return x + 1


def _explode(x: float) -> float:
    raise ValueError(f"cannot handle {x}")


_meeting = threading.Barrier(2, timeout=10)


def _meet(x: float) -> float:
    """Returns only once another step is inside it too (a sequential run would wait in vain)."""
    _meeting.wait()
    return x + 1


class Around(NamedTuple):
    below: float
    above: float


def _around(x: float) -> Around:
    """Two outputs."""
    return Around(x - 1, x + 1)


def _registry(*extra: tuple[str, object]) -> FunctionRegistry:
    reg = FunctionRegistry(load_builtins=False)
    for slug in ("math.increment", "math.add"):
        reg.register(registry.get(slug))
    own = (("t.slow", _slow), ("t.explode", _explode), ("t.meet", _meet), ("t.around", _around))
    for slug, func in (*own, *extra):
        reg.register(describe(func, slug))  # type: ignore[arg-type]
    return reg


def _random_workflow(seed: int, size: int) -> Workflow:
    """Random steps over the cells made so far: increments, adds (sometimes of one cell twice) and
    `t.around` (two outputs, sometimes both read by one step)."""
    rng = random.Random(seed)
    wf = Workflow(name=f"random {seed}")
    cells = [wf.input_cell(f"in{i}", i + 1).id for i in range(3)]
    for _ in range(size):
        kind = rng.random()
        if kind < 0.4:
            out = uuid4()
            wf.add_step(step("math.increment", {"x": rng.choice(cells[-8:])}, out))
            cells.append(out)
        elif kind < 0.8:
            out = uuid4()
            a = rng.choice(cells)
            wf.add_step(step("math.add", {"a": a, "b": a if rng.random() < 0.2 else rng.choice(cells)}, out))
            cells.append(out)
        else:
            below, above = uuid4(), uuid4()
            wf.add_step(step("t.around", {"x": rng.choice(cells)}, below=below, above=above))
            cells += [below, above]
            if rng.random() < 0.5:  # one step reading both outputs of another
                out = uuid4()
                wf.add_step(step("math.add", {"a": below, "b": above}, out))
                cells.append(out)
    return wf


@pytest.mark.parametrize("seed", range(6))
def test_a_random_workflow_gives_the_same_values_on_any_number_of_workers(seed):
    wf = _random_workflow(seed, 300)
    expected_store = InMemoryStore()
    expected = Engine(expected_store, registry=_registry()).run(wf)
    assert expected.ok
    values = {cell.id: cell.value for cell in expected_store}
    for store_type in (InMemoryStore, PlainStore):
        for workers in (2, 3, 4):
            store = store_type()
            result = Engine(store, registry=_registry()).run(wf, max_workers=workers)
            assert result.ok and result.step_status == expected.step_status
            assert list(result.step_status) == list(expected.step_status)  # in the plan's order
            assert {cell.id: cell.value for cell in store} == values


def _producers(wf: Workflow) -> dict[UUID, set[UUID]]:
    """For each step, the steps that write a cell it reads."""
    writer = {cell: s.id for s in wf.steps for cell in s.outputs.values()}
    return {s.id: {writer[cell] for cell in s.inputs.values() if cell in writer} for s in wf.steps}


def _busy_workflow() -> tuple[Workflow, dict[str, list[UUID]]]:
    """Twelve branches of three increments summed by a tree of adds; a step that raises with two steps
    after it; a step whose function is not installed with one after it."""
    wf = Workflow(name="busy")
    a = wf.input_cell("a", 1).id
    ends = []
    for _ in range(12):
        cell = a
        for _ in range(3):
            out = uuid4()
            wf.add_step(step("math.increment", {"x": cell}, out))
            cell = out
        ends.append(cell)
    while len(ends) > 1:
        out = uuid4()
        wf.add_step(step("math.add", {"a": ends.pop(), "b": ends.pop()}, out))
        ends.insert(0, out)
    broken, after, later, lost, lost_after = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    failing = wf.add_step(step("t.explode", {"x": a}, broken))
    skipped = [wf.add_step(step("math.increment", {"x": broken}, after)),
               wf.add_step(step("math.add", {"a": after, "b": ends[0]}, later)),
               wf.add_step(step("math.increment", {"x": lost}, lost_after))]
    missing = wf.add_step(step("nowhere.missing", {"x": a}, lost))
    return wf, {"failed": [failing.id], "skipped": [s.id for s in skipped] + [missing.id]}


@STORES
@pytest.mark.parametrize("workers", [2, 4])
def test_every_callback_comes_once_and_a_step_starts_after_the_steps_it_reads_from(store_type, workers):
    wf, special = _busy_workflow()
    events: list[tuple[str, UUID]] = []
    progress: list[tuple[int, int]] = []
    callbacks = RunCallbacks(
        on_step_started=lambda s: events.append(("started", s.id)),
        on_step_finished=lambda s, seconds: events.append(("finished", s.id)),
        on_step_failed=lambda s, error: events.append(("failed", s.id)),
        on_step_skipped=lambda s: events.append(("skipped", s.id)),
        on_progress=lambda done, total: progress.append((done, total)))
    result = Engine(store_type(), registry=_registry()).run(wf, callbacks=callbacks, max_workers=workers)

    total = len(wf.steps)
    assert result.count(StepStatus.FAILED) == 1 and result.count(StepStatus.SKIPPED) == 4
    assert result.count(StepStatus.DONE) == total - 5
    assert {s for s, status in result.step_status.items() if status is StepStatus.SKIPPED} == set(
        special["skipped"])
    counted = Counter(events)
    assert all(count == 1 for count in counted.values())
    ended = Counter(step_id for kind, step_id in events if kind != "started")
    assert set(ended) == {s.id for s in wf.steps} and set(ended.values()) == {1}  # one outcome per step
    started = {step_id for kind, step_id in events if kind == "started"}
    assert started == {s for s, status in result.step_status.items() if status in (
        StepStatus.DONE, StepStatus.FAILED)}
    assert sorted(progress) == [(n, total) for n in range(1, total + 1)]
    position = {event: index for index, event in enumerate(events)}
    for step_id, producers in _producers(wf).items():
        if ("started", step_id) in position:
            assert all(position[("finished", p)] < position[("started", step_id)] for p in producers)
        assert position[("started" if ("started", step_id) in position else "skipped", step_id)] > max(
            (position.get(("finished", p), position.get(("failed", p), position.get(("skipped", p), -1)))
             for p in producers), default=-1)


@STORES
def test_a_failing_step_skips_the_join_it_feeds_and_everything_after_it(store_type):
    wf = Workflow(name="diamond")
    a = wf.input_cell("a", 1).id
    left, right, joined, after, other = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    ok = wf.add_step(step("t.slow", {"x": a}, left))
    failing = wf.add_step(step("t.explode", {"x": a}, right))
    join = wf.add_step(step("math.add", {"a": left, "b": right}, joined))
    last = wf.add_step(step("math.increment", {"x": joined}, after))
    independent = wf.add_step(step("math.increment", {"x": a}, other))
    store = store_type()
    result = Engine(store, registry=_registry()).run(wf, max_workers=2)
    assert result.step_status == {ok.id: StepStatus.DONE, failing.id: StepStatus.FAILED,
                                  join.id: StepStatus.SKIPPED, last.id: StepStatus.SKIPPED,
                                  independent.id: StepStatus.DONE}
    assert "cannot handle 1" in result.errors[failing.id].message
    assert store.get(left).value == 2 and store.get(other).value == 2
    assert joined not in store and after not in store


@STORES
def test_stop_during_a_chain_starts_no_further_step_of_it(store_type):
    wf = Workflow(name="slow chain")
    cell = wf.input_cell("a", 0).id
    for _ in range(10):
        out = uuid4()
        wf.add_step(step("t.slow", {"x": cell}, out))
        cell = out
    token = CancelToken()
    started, finished = [], []

    def on_finished(s, seconds):
        finished.append(s.id)
        if len(finished) == 3:
            token.cancel()  # on the worker that would run the next step of the chain

    result = Engine(store_type(), registry=_registry()).run(
        wf, max_workers=2, cancel=token,
        callbacks=RunCallbacks(on_step_started=lambda s: started.append(s.id), on_step_finished=on_finished))
    assert result.cancelled
    assert len(started) == 3
    assert [result.step_status[s.id] for s in wf.steps] == [StepStatus.DONE] * 3 + [StepStatus.CANCELLED] * 7


@STORES
@pytest.mark.parametrize("workers", [2, 3])
def test_stop_during_a_wide_run_starts_at_most_the_steps_other_workers_were_already_starting(store_type,
                                                                                             workers):
    wf = Workflow(name="slow chains")
    a = wf.input_cell("a", 0).id
    for _ in range(6):
        cell = a
        for _ in range(5):
            out = uuid4()
            wf.add_step(step("t.slow", {"x": cell}, out))
            cell = out
    token = CancelToken()
    started: list[UUID] = []

    def on_started(s):
        started.append(s.id)
        if len(started) == 4:
            token.cancel()

    result = Engine(store_type(), registry=_registry()).run(
        wf, max_workers=workers, cancel=token, callbacks=RunCallbacks(on_step_started=on_started))
    assert result.cancelled
    # a worker looks at the token before every step: after Stop, only a worker already past that look
    # can start a step
    assert 4 <= len(started) <= 4 + workers - 1
    assert {s for s, status in result.step_status.items() if status is StepStatus.DONE} == set(started)
    assert result.count(StepStatus.CANCELLED) == len(wf.steps) - len(started)
    seen = len(started)
    time.sleep(0.05)
    assert len(started) == seen  # nothing runs on after the run returned


@STORES
def test_a_step_interrupted_once_the_run_is_cancelled_is_cancelled_with_its_readers(store_type):
    """What the CLI's Ctrl+C does to a running step (the token is set, then KeyboardInterrupt)."""
    token = CancelToken()

    def interrupted(x: float) -> float:
        token.cancel()
        raise KeyboardInterrupt

    wf = Workflow(name="interrupted")
    a = wf.input_cell("a", 1).id
    first, second = uuid4(), uuid4()
    cut = wf.add_step(step("t.interrupted", {"x": a}, first))
    reader = wf.add_step(step("math.increment", {"x": first}, second))
    result = Engine(store_type(), registry=_registry(("t.interrupted", interrupted))).run(
        wf, cancel=token, max_workers=2)
    assert result.cancelled and not result.errors
    assert result.step_status == {cut.id: StepStatus.CANCELLED, reader.id: StepStatus.CANCELLED}


def test_ctrl_c_while_the_run_waits_for_its_workers_starts_no_further_step_and_is_raised():
    """A KeyboardInterrupt in the thread that waits (a plain Ctrl+C, no cancel token): the steps running
    finish, no other starts, every worker has ended when it is raised."""
    wf = Workflow(name="slow chains")
    a = wf.input_cell("a", 0).id
    for _ in range(4):
        cell = a
        for _ in range(5):
            out = uuid4()
            wf.add_step(step("t.slow", {"x": cell}, out))
            cell = out
    started: list[UUID] = []
    finished: list[UUID] = []
    main = threading.main_thread().ident
    assert threading.current_thread().ident == main
    handled = threading.Event()

    def on_ctrl_c(signum, frame):  # Python's own handler, and a note that the waiting thread got it
        handled.set()
        raise KeyboardInterrupt

    def on_started(s):
        started.append(s.id)
        if len(started) == 3:
            signal.pthread_kill(main, signal.SIGINT)  # type: ignore[arg-type]
            assert handled.wait(10)  # this step goes on only once the waiting thread is interrupted

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        with pytest.raises(KeyboardInterrupt):
            Engine(InMemoryStore(), registry=_registry()).run(
                wf, max_workers=2, callbacks=RunCallbacks(on_step_started=on_started,
                                                          on_step_finished=lambda s, t: finished.append(s.id)))
    finally:
        signal.signal(signal.SIGINT, previous)
    assert sorted(finished) == sorted(started)  # the steps that had started ended before it was raised
    assert 3 <= len(started) <= 4 < len(wf.steps)
    time.sleep(0.05)
    assert len(started) == len(finished) <= 4  # and nothing started since


@STORES
def test_steps_that_wait_for_each_other_run_at_the_same_time(store_type):
    """Two `t.meet` steps return only when both are inside: they need two workers at once, also when
    one step releases both (its worker keeps one and hands the other to the idle worker)."""
    wf = Workflow(name="meeting")
    a = wf.input_cell("a", 1).id
    source, left, right = uuid4(), uuid4(), uuid4()
    wf.add_step(step("t.slow", {"x": a}, source))  # meanwhile the other worker waits for work
    wf.add_step(step("t.meet", {"x": source}, left))
    wf.add_step(step("t.meet", {"x": source}, right))
    store = store_type()
    result = Engine(store, registry=_registry()).run(wf, max_workers=2)
    assert result.ok, result.errors
    assert store.get(left).value == store.get(right).value == 3


def test_a_bug_in_the_scheduling_is_raised_by_the_run_instead_of_hanging_it(monkeypatch):
    from fancy_studio.core import parallel_run

    def broken(self, readers):
        raise RuntimeError("the scheduler lost its way")

    monkeypatch.setattr(parallel_run._Schedule, "release", broken)
    wf = Workflow(name="fork")
    a = wf.input_cell("a", 1).id
    source = uuid4()
    wf.add_step(step("math.increment", {"x": a}, source))
    for _ in range(3):
        wf.add_step(step("math.increment", {"x": source}, uuid4()))
    with pytest.raises(RuntimeError, match="lost its way"):
        Engine(InMemoryStore(), registry=_registry()).run(wf, max_workers=3)


@pytest.mark.parametrize("workers", [2, 8])
def test_more_workers_than_steps_and_no_steps_at_all(workers):
    empty = Workflow(name="empty")
    assert Engine(InMemoryStore()).run(empty, max_workers=workers).step_status == {}
    wf = Workflow(name="one")
    out = uuid4()
    only = wf.add_step(step("math.increment", {"x": wf.input_cell("a", 1).id}, out))
    store = InMemoryStore()
    assert Engine(store).run(wf, max_workers=workers).step_status == {only.id: StepStatus.DONE}
    assert store.get(out).value == 2
