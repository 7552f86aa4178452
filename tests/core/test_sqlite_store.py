"""SqliteStore: a DatumStore like InMemoryStore, a ResultCache, on disk, safe to read and hard to break."""

from __future__ import annotations

import math
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from uuid import UUID, uuid4

import pytest

from fancy_studio.core import CellNotFoundError, DatumStore, InMemoryStore, SqliteStore
from fancy_studio.core.result_cache import Lineage, ResultCache, StoredResult
from fancy_studio.core.sqlite_values import StoredValueError, StoreFormatError, load_or_create_key

KEY_A = b"A" * 32
KEY_B = b"B" * 32


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    if request.param == "memory":
        yield InMemoryStore()
    else:
        sqlite = SqliteStore(tmp_path / "store.db", key=KEY_A)
        yield sqlite
        sqlite.close()


def _same(a, b) -> bool:
    """Equal and of the same types all the way down (1 and 1.0 or a list and a tuple are not the same)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


# --- DatumStore parity with InMemoryStore ------------------------------------------------------------


def test_put_get_and_iterate(store):
    cell = store.put(10, "my_input")
    assert store.get(cell.id).value == 10 and cell.alias == "my_input"
    assert list(store) == [cell] and len(store) == 1 and cell.id in store
    assert isinstance(store, DatumStore)


def test_rewriting_a_cell_keeps_its_alias_and_records_the_producer(store):
    cell = store.put(1, "a")
    step_id = uuid4()
    again = store.put(2, id=cell.id, produced_by=step_id)
    assert again.alias == "a" and again.produced_by == step_id and again.revision > cell.revision
    assert store.get(cell.id) == again


def test_changed_since_gives_only_new_writes_and_removals_move_the_revision(store):
    a = store.put(1, "a")
    mark = store.revision
    b = store.put(2, "b")
    assert store.changed_since(mark) == [b]
    before = store.revision
    store.remove(a.id)
    assert store.revision > before and a.id not in store and list(store) == [b]
    with pytest.raises(CellNotFoundError):
        store.remove(a.id)
    store.clear()
    assert len(store) == 0 and list(store) == []


def test_find_gives_the_newest_cell_with_an_alias(store):
    store.put(1, "x")
    newer = store.put(2, "x")
    assert store.find("x") == newer and store.find("nobody") is None


def test_unknown_cell(store):
    with pytest.raises(CellNotFoundError, match="no cell"):
        store.get(uuid4())


def test_ids_that_are_not_uuids_still_work_and_never_match_a_uuid(store):
    store.put("by string", id="some-id")  # type: ignore[arg-type]
    assert "some-id" in store and store.get("some-id").value == "by string"  # type: ignore[arg-type]
    store.put("by uuid", id=UUID(int=5))
    assert 5 not in store and UUID(int=5) in store and store.get(UUID(int=5)).value == "by uuid"
    store.remove("some-id")  # type: ignore[arg-type]
    assert "some-id" not in store and len(store) == 1


def test_a_reader_following_the_watermark_misses_nothing_while_threads_write(store):
    writers = [threading.Thread(target=lambda: [store.put(i) for i in range(300)]) for _ in range(3)]
    seen: dict[UUID, int] = {}
    mark = 0
    for writer in writers:
        writer.start()
    while any(w.is_alive() for w in writers) or store.revision > mark:
        for cell in store.changed_since(mark):
            seen[cell.id] = cell.revision
            mark = max(mark, cell.revision)
    for writer in writers:
        writer.join()
    seen.update((c.id, c.revision) for c in store.changed_since(mark))
    assert len(seen) == 900 == len(store)


# --- values on disk ----------------------------------------------------------------------------------

VALUES = [0, -7, 2**80, 1.0, 0.1, -0.0, True, None, "text ✓", [1, [2.5, "x"]], {"a": [1, {"b": None}]},
          (1, 2), [1, (2,)], {1: "int key"}, {"a": 1.0, "b": 1}, float("nan"), math.inf, b"\x00bytes",
          {1, 2}, complex(1, 2)]


def test_every_value_reads_back_with_the_same_types_from_a_new_store(tmp_path):
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as first:
        ids = [first.put(value).id for value in VALUES]
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as second:
        for value, cell_id in zip(VALUES, ids):
            assert _same(second.get(cell_id).value, value), value


def test_plain_values_are_json_and_others_signed_pickles(tmp_path):
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        as_json = store.put([1, 2.5, {"a": "b"}]).id
        as_pickle = store.put((1, 2.5)).id
    db = sqlite3.connect(tmp_path / "s.db")
    rows = dict(db.execute("SELECT id, encoding FROM cells"))
    assert rows[as_json.bytes] == 0 and rows[as_pickle.bytes] == 1
    stored = db.execute("SELECT value FROM cells WHERE id=?", (as_json.bytes,)).fetchone()[0]
    assert stored == b'[1,2.5,{"a":"b"}]'


def test_a_value_that_cannot_be_pickled_stays_in_this_process_only(tmp_path):
    lock = threading.Lock()
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        cell = store.put(lock, "lock")
        plain = store.put(1)
        assert store.get(cell.id).value is lock and store.in_memory_only(cell.id)
        assert not store.in_memory_only(plain.id) and len(store) == 2
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as other:  # as another process sees it
        assert cell.id not in other and len(other) == 1 and list(other) == [other.get(plain.id)]
        assert other.in_memory_only(cell.id)
        with pytest.raises(CellNotFoundError):
            other.get(cell.id)


def test_values_persist_across_processes(tmp_path):
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        tuple_cell = store.put((1, 2.5), "pair")
        store.put({"x": [1, 2]}, "mapping")
    script = textwrap.dedent(f"""
        from uuid import UUID
        from fancy_studio.core import SqliteStore
        store = SqliteStore({str(tmp_path / "s.db")!r}, key={KEY_A!r})
        print(repr(store.get(UUID({str(tuple_cell.id)!r})).value), repr(store.find("mapping").value))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["(1,", "2.5)", "{'x':", "[1,", "2]}"]


# --- ResultCache -------------------------------------------------------------------------------------


def _lineage(key: str = "k1") -> Lineage:
    return Lineage(step_id=uuid4(), slug="math.increment", version="abc", input_hashes={"x": "ff00"},
                   key=key, made_at=1700000000.5, duration=0.25)


def test_results_and_lineage_round_trip_through_a_new_store(tmp_path):
    lineage = _lineage()
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        cell_id = store.put((3, 4), "out").id
        assert isinstance(store, ResultCache)
        assert store.lookup("k1") is None and store.lineage(cell_id) is None
        store.remember("k1", StoredResult({"out": (3, 4), "n": 1}, {"out": "aa", "n": "bb"}, lineage))
        store.set_lineage(cell_id, lineage)
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        found = store.lookup("k1")
        assert found is not None and _same(dict(found.outputs), {"out": (3, 4), "n": 1})
        assert found.output_hashes == {"out": "aa", "n": "bb"} and found.lineage == lineage
        assert store.lineage(cell_id) == lineage
        store.forget_results()
        assert store.lookup("k1") is None and store.lineage(cell_id) == lineage
        store.put((5, 6), id=cell_id)  # a new value by hand: its lineage no longer holds
        assert store.lineage(cell_id) is None
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        assert store.lineage(cell_id) is None


class TouchesSentinel:
    """Unpickling this creates a file: the proof that a pickle was loaded."""

    def __init__(self, sentinel: pathlib.Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self):
        return (pathlib.Path.touch, (self.sentinel,))


def test_a_store_written_under_another_key_never_unpickles(tmp_path):
    sentinel = tmp_path / "sentinel"
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        cell = store.put(TouchesSentinel(sentinel))
        store.remember("k", StoredResult({"out": TouchesSentinel(sentinel)}, {"out": "00"}, _lineage("k")))
    with SqliteStore(tmp_path / "s.db", key=KEY_B) as other:
        with pytest.raises(StoredValueError, match="signature does not match"):
            other.get(cell.id)
        assert other.lookup("k") is None and list(other) == []
    assert not sentinel.exists()
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as own:  # the owner's key does load it
        own.get(cell.id)
    assert sentinel.exists()


def test_a_damaged_value_is_refused_with_a_clear_message(tmp_path):
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        pickled, plain = store.put((1, 2)).id, store.put([1, 2]).id
        store.remember("k", StoredResult({"out": (1,)}, {"out": "00"}, _lineage("k")))
    db = sqlite3.connect(tmp_path / "s.db")
    blob = db.execute("SELECT value FROM cells WHERE id=?", (pickled.bytes,)).fetchone()[0]
    db.execute("UPDATE cells SET value=? WHERE id=?", (blob[:-2] + b"X" + blob[-1:], pickled.bytes))
    db.execute("UPDATE cells SET value=? WHERE id=?", (b"[1,", plain.bytes))
    db.execute("UPDATE results SET outputs=substr(outputs, 1, 40)")
    db.commit()
    db.close()
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        with pytest.raises(StoredValueError, match="signature"):
            store.get(pickled)
        with pytest.raises(StoredValueError, match="damaged"):
            store.get(plain)
        assert store.lookup("k") is None and list(store) == []


def test_a_file_that_is_not_a_store_or_from_a_newer_version_is_refused(tmp_path):
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreFormatError, match="not a usable"):
        SqliteStore(tmp_path / "junk.db", key=KEY_A)
    db = sqlite3.connect(tmp_path / "new.db")
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(StoreFormatError, match="newer"):
        SqliteStore(tmp_path / "new.db", key=KEY_A)


def test_the_signing_key_is_made_once_private_to_the_user(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    key = load_or_create_key()
    path = tmp_path / "config" / "fancy-studio" / "store.key"
    assert len(key) == 32 and path.read_bytes() == key and load_or_create_key() == key
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    with SqliteStore(tmp_path / "s.db") as store:
        assert store.get(store.put((1,)).id).value == (1,)


def test_a_process_killed_while_writing_leaves_a_usable_store(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from fancy_studio.core import SqliteStore
        from fancy_studio.core.result_cache import Lineage, StoredResult
        from uuid import uuid4
        store = SqliteStore({str(tmp_path / "s.db")!r}, key={KEY_A!r})
        i = 0
        while True:
            i += 1
            store.put((i, "x" * (i % 5000)), f"c{{i}}")
            store.remember(f"k{{i}}", StoredResult({{"out": [i]}}, {{"out": "00"}},
                           Lineage(uuid4(), "s", "1", {{}}, f"k{{i}}", 0.0, 0.0)))
            if i == 2000:
                store.flush()  # the first 2000 are on disk now; the rest are written as it goes
                print("going", flush=True)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "going\n"
    time.sleep(0.2)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        cells = list(store)
        assert len(cells) >= 2000 and len(cells) == len(store)
        for cell in cells:
            i = cell.value[0]
            assert cell.alias == f"c{i}" and cell.value == (i, "x" * (i % 5000))
        assert store.lookup("k1").outputs == {"out": [1]}
        store.put("after the crash", "next")  # and it can still be written


def test_the_size_cap_evicts_the_least_recently_used_results(tmp_path):
    with SqliteStore(tmp_path / "s.db", key=KEY_A, max_bytes=5000, commit_interval=0) as store:
        for i in range(4):
            store.remember(f"k{i}", StoredResult({"out": "x" * 1000}, {"out": "00"}, _lineage(f"k{i}")))
            time.sleep(0.01)
        assert store.lookup("k0") is not None  # k0 is now the most recently used
        for i in range(4, 6):
            time.sleep(0.01)
            store.remember(f"k{i}", StoredResult({"out": "x" * 1000}, {"out": "00"}, _lineage(f"k{i}")))
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as reopened:
        kept = [i for i in range(6) if reopened.lookup(f"k{i}") is not None]
    assert kept == [0, 3, 4, 5]


def test_writing_the_same_value_again_records_the_new_write_and_a_changed_list_its_contents(tmp_path):
    text, items = "same text", [1, 2]
    step = uuid4()
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        a = store.put(text, "a")
        b = store.put(items, "b")
        store.flush()
        again = store.put(text, id=a.id, produced_by=step)  # a reused step writes its value again
        store.set_lineage(a.id, _lineage())
        items.append(3)  # changed in place, then written again
        store.put(items, id=b.id)
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        assert store.get(a.id) == again and store.lineage(a.id) is not None
        assert store.get(b.id).value == [1, 2, 3] and store.revision == again.revision + 1


@pytest.mark.parametrize("prefetch", [True, False])
def test_a_new_store_finds_results_read_all_at_once_or_one_by_one(tmp_path, monkeypatch, prefetch):
    import fancy_studio.core.sqlite_store as sqlite_store

    monkeypatch.setattr(sqlite_store, "PREFETCH_BYTES", 1 << 30 if prefetch else 0)
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        for i in range(3):
            store.remember(f"k{i}", StoredResult({"out": (i,)}, {"out": f"{i:02x}"}, _lineage(f"k{i}")))
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        assert store.lookup("k9") is None
        assert [store.lookup(f"k{i}").outputs["out"] for i in range(3)] == [(0,), (1,), (2,)]
        assert store.lookup("k1").output_hashes == {"out": "01"}
        store.forget_results()
        assert store.lookup("k2") is None


def test_a_lineage_read_back_is_written_again_unchanged(tmp_path):
    lineage = _lineage()
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        store.remember("k1", StoredResult({"out": 1}, {"out": "aa"}, lineage))
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:  # a new session reuses the result
        found = store.lookup("k1")
        cell = store.put(found.outputs["out"], "out")
        store.set_lineage(cell.id, found.lineage)
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        assert store.lineage(cell.id) == lineage and store.get(cell.id).value == 1


_SLOW_STEPS = '''
"""Functions for the kill test: a slow step, then one that says it started and never ends."""
import os, pathlib, time
from fancy_studio.core.functions import FunctionRegistry, fancy_function

FOLDER = pathlib.Path(os.environ["KILL_TEST_FOLDER"])
registry = FunctionRegistry(load_builtins=False)


@fancy_function("kill.slow", registry=registry, version="1")
def slow(x: int) -> int:
    with open(FOLDER / "calls", "a") as calls:
        calls.write("slow\\n")
    time.sleep(0.3)
    return x + 1


@fancy_function("kill.hang", registry=registry, version="1")
def hang(x: int) -> int:
    (FOLDER / "started").write_text("the slow step is done")
    time.sleep(3600)
    return x
'''


def _slow_then_hang():
    from fancy_studio.core import Workflow, WorkflowStep

    wf = Workflow(name="slow then hang")
    x = wf.input_cell("x", 1)
    y, z = wf.output_cell("y"), wf.output_cell("z")
    slow = WorkflowStep(function_slug="kill.slow", inputs={"x": x.id}, outputs={"return": y.id})
    hang = WorkflowStep(function_slug="kill.hang", inputs={"x": y.id}, outputs={"return": z.id})
    wf.steps += [slow, hang]
    return wf, slow, y


def test_a_slow_step_is_on_disk_before_the_next_one_starts_so_a_kill_never_loses_it(tmp_path, monkeypatch):
    """A step that took longer than `commit_interval` (0.3 s, against 0.25) is committed before the engine
    moves on: killing the process while the next step runs loses only that running step. (Before that
    rule, the slow step waited for the timer, 0.25 s later, and the kill came first.)"""
    (tmp_path / "kill_steps.py").write_text(_SLOW_STEPS)
    monkeypatch.setenv("KILL_TEST_FOLDER", str(tmp_path))
    monkeypatch.syspath_prepend(str(tmp_path))
    wf, slow, y = _slow_then_hang()
    from fancy_studio.core.workflow_file import save_workflow

    save_workflow(wf, tmp_path / "wf.fancy.json")
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from kill_steps import registry
        from fancy_studio.core import Engine, SqliteStore
        from fancy_studio.core.workflow_file import load_workflow
        store = SqliteStore({str(tmp_path / "s.db")!r}, key={KEY_A!r}, commit_interval=0.25)
        Engine(store, registry=registry).run(load_workflow({str(tmp_path / "wf.fancy.json")!r}))
    """)
    child = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "KILL_TEST_FOLDER": str(tmp_path)})
    try:
        for _ in range(6000):  # the marker says the slow step has finished (a timeout, never a timing)
            if (tmp_path / "started").exists() or child.poll() is not None:
                break
            time.sleep(0.01)
        assert (tmp_path / "started").exists(), "the hanging step never started"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert (tmp_path / "calls").read_text() == "slow\n"
    import kill_steps

    from fancy_studio.core import Engine, StepStatus
    from fancy_studio.core.functions import FunctionRegistry, fancy_function

    registry = FunctionRegistry(load_builtins=False)
    registry.register(kill_steps.registry.get("kill.slow"))
    fancy_function("kill.hang", registry=registry, version="1")(lambda x: x)  # it returns at once now
    with SqliteStore(tmp_path / "s.db", key=KEY_A) as store:
        assert store.get(y.id).value == 2 and store.lineage(y.id).step_id == slow.id
        result = Engine(store, registry=registry).run(wf)
        assert result.step_status[slow.id] is StepStatus.CACHED and result.ok
    assert (tmp_path / "calls").read_text() == "slow\n"  # the slow step did not run again


# --- a reused step whose cells already hold its result: nothing is read or written -------------------




def test_a_put_by_id_keeps_the_alias_of_a_cell_from_an_earlier_session_without_a_query_per_put(tmp_path):
    """A fresh run writes each step's cell by id without an alias: the alias on disk (if any) stays, read
    for all cells at once rather than by one query per step."""
    with SqliteStore(tmp_path / "a.db", key=KEY_A) as store:
        named = store.put(1, "named").id
        unnamed = store.put(2).id
        gone = store.put(3, "gone").id
    with SqliteStore(tmp_path / "a.db", key=KEY_A) as store:
        statements = []
        store._db.set_trace_callback(statements.append)
        assert store.put(10, id=named).alias == "named"
        assert store.put(20, id=unnamed).alias is None
        fresh = [store.put(n, id=uuid4()) for n in range(50)]
        assert all(cell.alias is None for cell in fresh)
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(reads) == 1, reads
        store.remove(gone)
        assert store.put(30, id=gone).alias is None  # removed: its old name went with it


def test_a_follower_reads_what_another_store_object_commits_and_never_an_older_value(tmp_path):
    """The studio follows the file while its kernel writes it from another process (here: another
    object on the same file)."""
    path = tmp_path / "f.db"
    with SqliteStore(path, key=KEY_A) as first:
        cell = first.put(1, "x")
    follower = SqliteStore(path, key=KEY_A)
    assert follower.get(cell.id).value == 1  # known to the follower before the writer starts
    seen = follower.revision
    follower.follow()
    with SqliteStore(path, key=KEY_A, commit_interval=0) as writer:
        writer.put(2, id=cell.id)
        other = writer.put(3, "y")
        assert follower.get(cell.id).value == 2  # not the 1 it had read
        changed = follower.changed_since(seen)
        assert [(c.alias, c.value) for c in changed] == [("x", 2), ("y", 3)]
        assert other.id in follower
    follower.close()
