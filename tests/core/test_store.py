"""The in-memory store: cells, provenance, and reading while another thread writes."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest

from fancy_studio.core import CellNotFoundError, DatumStore, InMemoryStore


def test_put_get_and_iterate():
    store = InMemoryStore()
    cell = store.put(10, "my_input")
    assert store.get(cell.id).value == 10 and cell.alias == "my_input"
    assert list(store) == [cell] and len(store) == 1 and cell.id in store
    assert isinstance(store, DatumStore)


def test_rewriting_a_cell_keeps_its_alias_and_records_the_producer():
    store = InMemoryStore()
    cell = store.put(1, "a")
    step_id = uuid4()
    again = store.put(2, id=cell.id, produced_by=step_id)
    assert again.alias == "a" and again.produced_by == step_id and again.revision > cell.revision
    assert store.get(cell.id).value == 2


def test_changed_since_gives_only_new_writes():
    store = InMemoryStore()
    store.put(1, "a")
    mark = store.revision
    b = store.put(2, "b")
    assert store.changed_since(mark) == [b]


def test_unknown_cell():
    with pytest.raises(CellNotFoundError, match="no cell"):
        InMemoryStore().get(uuid4())


def test_reading_while_another_thread_writes():
    store = InMemoryStore()
    stop = threading.Event()

    def write() -> None:
        for i in range(20_000):
            store.put(i)
        stop.set()

    writer = threading.Thread(target=write)
    writer.start()
    seen = 0
    while not stop.is_set():
        seen = max(seen, sum(1 for _ in store))
    writer.join()
    assert len(store) == 20_000 and seen <= 20_000


def test_ids_that_are_not_uuids_still_work_and_never_match_a_uuid():
    from uuid import UUID

    store = InMemoryStore()
    store.put("by string", id="some-id")  # type: ignore[arg-type]
    assert "some-id" in store and store.get("some-id").value == "by string"  # type: ignore[arg-type]
    uuid_cell = store.put("by uuid", id=UUID(int=5))
    assert 5 not in store and (5,) not in store and UUID(int=5) in store
    assert store.get(UUID(int=5)) is uuid_cell
    store.remove("some-id")  # type: ignore[arg-type]
    assert "some-id" not in store and len(store) == 1
    with pytest.raises(CellNotFoundError):
        store.get(5)  # type: ignore[arg-type]
