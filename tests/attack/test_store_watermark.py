"""Issue 10, case 14: a reader that follows `changed_since` with a watermark never misses a cell, however
many threads write (the Datums dock reads the store this way while a parallel run writes it)."""

from __future__ import annotations

import sys
import threading
from uuid import uuid4

import pytest

from fancy_studio.core import Engine, InMemoryStore, Workflow
from tests.core.helpers import step


@pytest.fixture
def eager_thread_switches():
    """Switch threads as often as CPython allows, so a write interrupted halfway happens often."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def _read_until_done(store: InMemoryStore, done: threading.Event, seen: set,
                     take_store_revision: bool) -> None:
    """Poll `changed_since(watermark)` into `seen` until `done` is set, then take one last look.

    The reader moves its watermark to the newest cell it was given (the Datums dock's way) or, with
    `take_store_revision`, to `store.revision` read before asking."""
    watermark = 0
    while True:
        finished = done.is_set()
        revision = store.revision
        changed = store.changed_since(watermark)
        seen.update(cell.id for cell in changed)
        if take_store_revision:
            watermark = revision
        elif changed:
            watermark = changed[-1].revision
        if finished:  # one last look after every writer finished
            seen.update(cell.id for cell in store.changed_since(watermark))
            return


def _follow(store: InMemoryStore, *, take_store_revision: bool, writers: int = 4,
            per_writer: int = 5_000) -> tuple[set, set]:
    """Writers put cells while a reader follows them (`_read_until_done`); returns (written, seen)."""
    written: list[list] = [[] for _ in range(writers)]
    done = threading.Event()
    seen: set = set()

    def write(mine: list) -> None:
        for _ in range(per_writer):
            mine.append(store.put(0, id=uuid4()).id)

    reader = threading.Thread(target=_read_until_done, args=(store, done, seen, take_store_revision))
    threads = [threading.Thread(target=write, args=(mine,)) for mine in written]
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    reader.join()
    return {cell_id for mine in written for cell_id in mine}, seen


@pytest.mark.parametrize("take_store_revision", [False, True], ids=["newest-cell", "store-revision"])
def test_a_reader_following_changed_since_sees_every_cell_of_several_writers(eager_thread_switches,
                                                                              take_store_revision):
    for _ in range(20):
        written, seen = _follow(InMemoryStore(), take_store_revision=take_store_revision)
        assert len(written) == 20_000
        assert written - seen == set()


@pytest.mark.parametrize("workers", [1, 4], ids=["sequential", "parallel"])
@pytest.mark.parametrize("take_store_revision", [False, True], ids=["newest-cell", "store-revision"])
def test_a_reader_following_a_running_engine_sees_every_cell(eager_thread_switches, workers,
                                                              take_store_revision):
    """The engine's own writes (the sequential loop inlines `put`) keep the same promise."""

    for _ in range(5):
        wf = Workflow(name="wide")
        x = wf.input_cell("x", 1)
        outputs = [uuid4() for _ in range(5_000)]
        for out in outputs:
            wf.add_step(step("math.increment", {"x": x.id}, out))
        store = InMemoryStore()
        done = threading.Event()
        seen: set = set()
        reader = threading.Thread(target=_read_until_done, args=(store, done, seen, take_store_revision))
        reader.start()
        result = Engine(store).run(wf, max_workers=workers)
        done.set()
        reader.join()
        assert result.ok
        assert set(outputs) - seen == set()
