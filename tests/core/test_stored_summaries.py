"""Large values stay on disk for a reader that only shows them: summaries, `full_value`, format 3."""

from __future__ import annotations

import sqlite3
from collections import Counter
from uuid import uuid4

import pytest

from fancy_studio.core import Engine, SqliteStore, StepStatus, StoredSummary, Workflow
from fancy_studio.core import sqlite_values
from fancy_studio.core.functions import FunctionRegistry, fancy_function
from fancy_studio.core.sqlite_store import _COLUMNS_2
from fancy_studio.core.valid_results import valid_cells
from fancy_studio.core.value_summary import PREVIEW_CHARS, SUMMARY_BYTES, whole_value
from tests.core.helpers import step

KEY = b"S" * 32
MEGABYTE = b"\x01\x02" * (1 << 19)


def _write(path, *values):
    with SqliteStore(path, key=KEY) as store:
        return [store.put(value, f"v{i}").id for i, value in enumerate(values)]


def test_a_large_value_reads_as_its_summary_and_whole_on_request(tmp_path):
    path = tmp_path / "s.fancystore"
    big, small, text = _write(path, MEGABYTE, [1, 2, 3], "x" * (SUMMARY_BYTES + 1))
    with SqliteStore(path, key=KEY, summaries=True) as store:
        summary = store.get(big).value
        assert isinstance(summary, StoredSummary)
        assert (summary.cell_id, summary.type_name, summary.length) == (big, "bytes", len(MEGABYTE))
        assert len(MEGABYTE) < summary.size < len(MEGABYTE) + 200  # the signed pickle's bytes on disk
        assert summary.preview.startswith("b'\\x01\\x02\\x01\\x02") and len(summary.preview) <= PREVIEW_CHARS
        assert store.get(small).value == [1, 2, 3]  # a small value is itself
        assert store.get(text).value.preview == "x" * PREVIEW_CHARS
        assert {type(cell.value) for cell in store} == {StoredSummary, list}
        assert {type(cell.value) for cell in store.changed_since(0)} == {StoredSummary, list}
        assert isinstance(store.find("v0").value, StoredSummary)
        assert store.full_value(big) == MEGABYTE
        assert store.full_value(small) == [1, 2, 3]
        assert whole_value(store, store.get(big)) == MEGABYTE
    with SqliteStore(path, key=KEY) as store:  # a store not in summary mode (the kernel's) reads it all
        assert store.get(big).value == MEGABYTE


def test_a_summary_is_never_larger_than_its_limit_whatever_the_value(tmp_path):
    nested = {f"key{i}": list(range(10_000)) for i in range(100)}
    ids = _write(tmp_path / "s.fancystore", nested, bytearray(MEGABYTE), ["a" * 100_000] * 10)
    with SqliteStore(tmp_path / "s.fancystore", key=KEY, summaries=True) as store:
        summaries = [store.get(cell_id).value for cell_id in ids]
    assert [s.type_name for s in summaries] == ["dict", "bytearray", "list"]
    assert all(len(s.preview) <= PREVIEW_CHARS for s in summaries)
    assert summaries[0].length == 100 and summaries[0].preview.startswith("{'key0': [0, 1, 2")


def test_summary_mode_never_reads_the_blob_of_a_large_value(tmp_path, monkeypatch):
    path = tmp_path / "s.fancystore"
    (big,) = _write(path, MEGABYTE)
    decoded = []
    real = sqlite_values.decode
    monkeypatch.setattr(sqlite_values, "decode", lambda *a: decoded.append(a) or real(*a))
    with SqliteStore(path, key=KEY, summaries=True) as store:
        list(store), store.get(big), store.changed_since(0)
        assert decoded == []
        store.full_value(big)
        assert len(decoded) == 1


def test_a_format_2_file_is_migrated_and_still_readable(tmp_path):
    path = tmp_path / "old.fancystore"
    (big, small) = _write(path, MEGABYTE, "small")
    db = sqlite3.connect(path)  # make it what format 2 wrote: its table, no summary column
    db.executescript(f"""BEGIN;
        CREATE TABLE cells_2 (id BLOB PRIMARY KEY, alias TEXT, produced_by BLOB, produced_at REAL NOT NULL,
            revision INTEGER NOT NULL, encoding INTEGER NOT NULL, value BLOB, value_hash TEXT,
            size INTEGER NOT NULL, last_used REAL NOT NULL, lineage TEXT, result_key TEXT);
        INSERT INTO cells_2 SELECT {_COLUMNS_2} FROM cells; DROP TABLE cells; ALTER TABLE cells_2 RENAME TO cells;
        CREATE INDEX cells_revision ON cells(revision); CREATE INDEX cells_alias ON cells(alias);
        PRAGMA user_version=2; COMMIT;""")
    db.close()
    with SqliteStore(path, key=KEY, summaries=True) as store:
        assert store.get(big).value == MEGABYTE  # no summary was written then: read whole, as before
        assert store.get(small).value == "small"
        later = store.put(MEGABYTE * 2, id=uuid4())
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    columns = [row[1] for row in db.execute("PRAGMA table_info(cells)")]
    assert columns[-2:] == ["summary", "value"]  # the value last: reading any other column never walks it
    assert {row[1] for row in db.execute("PRAGMA index_list(cells)")} >= {"cells_revision", "cells_alias"}
    db.close()
    with SqliteStore(path, key=KEY, summaries=True) as store:
        assert store.get(later.id).value.size > 2 * len(MEGABYTE)


def _registry(calls: Counter, length_version: str = "1") -> FunctionRegistry:
    reg = FunctionRegistry(load_builtins=False)

    @fancy_function("t.big", registry=reg, version="1")
    def big(n: int) -> bytes:
        calls["big"] += 1
        return b"\x07" * n

    @fancy_function("t.length", registry=reg, version=length_version)
    def length(data: bytes) -> int:
        calls["length"] += 1
        return len(data)

    return reg


def _workflow() -> tuple[Workflow, dict]:
    wf = Workflow(name="big values")
    n, data, size = wf.input_cell("n", 1 << 20), wf.output_cell("data"), wf.output_cell("size")
    wf.add_step(step("t.big", {"n": n.id}, data.id))
    wf.add_step(step("t.length", {"data": data.id}, size.id))
    return wf, {"n": n, "data": data, "size": size}


def test_valid_results_vouch_for_a_large_value_without_decoding_it(tmp_path, monkeypatch):
    wf, cells = _workflow()
    reg = _registry(Counter())
    with SqliteStore(tmp_path / "s.fancystore", key=KEY) as store:
        Engine(store, registry=reg).run(wf, initial_cells=wf.literal_cells())
    decoded = []
    real = sqlite_values.decode
    monkeypatch.setattr(sqlite_values, "decode", lambda *a: decoded.append(len(a[1] or b"")) or real(*a))
    with SqliteStore(tmp_path / "s.fancystore", key=KEY, summaries=True) as store:
        assert valid_cells(wf, store, reg) == {cell.id for cell in cells.values()}
    assert decoded and max(decoded) < SUMMARY_BYTES  # only the small values were read


def test_a_run_in_the_studios_process_reads_whole_values_from_a_summary_store(tmp_path):
    """The studio's store (summary mode) also serves runs in its own process: a step reads the whole
    value, and reuse keys it by its real content."""
    wf, cells = _workflow()
    calls = Counter()
    reg = _registry(calls)
    with SqliteStore(tmp_path / "s.fancystore", key=KEY) as store:
        Engine(store, registry=reg).run(wf, initial_cells=wf.literal_cells())
    reg = _registry(calls, length_version="2")  # the reader changed: it runs on the stored big value
    with SqliteStore(tmp_path / "s.fancystore", key=KEY, summaries=True) as store:
        result = Engine(store, registry=reg).run(wf, initial_cells=wf.literal_cells())
        assert [result.step_status[s.id] for s in wf.steps] == [StepStatus.CACHED, StepStatus.DONE]
        assert store.get(cells["size"].id).value == 1 << 20
    with SqliteStore(tmp_path / "s.fancystore", key=KEY, summaries=True) as store:
        result = Engine(store, registry=reg).run(wf, initial_cells=wf.literal_cells())
        assert [result.step_status[s.id] for s in wf.steps] == [StepStatus.CACHED, StepStatus.CACHED]
    assert calls == Counter(big=1, length=2)


@pytest.mark.parametrize("summaries", [False, True])
def test_stored_hash_is_the_rows_and_none_for_a_value_put_by_hand(tmp_path, summaries):
    wf, cells = _workflow()
    with SqliteStore(tmp_path / "s.fancystore", key=KEY) as store:
        Engine(store, registry=_registry(Counter())).run(wf, initial_cells=wf.literal_cells())
    with SqliteStore(tmp_path / "s.fancystore", key=KEY, summaries=summaries) as store:
        assert store.stored_hash(cells["data"].id) is not None
        assert store.stored_hash(cells["n"].id) is None
        store.put(b"new", id=cells["data"].id)
        assert store.stored_hash(cells["data"].id) is None  # not written yet: the row's is not its hash
