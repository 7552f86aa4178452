"""A `DatumStore` and `ResultCache` on disk: one SQLite file (standard library, WAL mode).

Results survive a restart and can be shared by processes (the studio, `fancy-studio run --store`).
Values are written as exact JSON or as pickles signed with the user's key (`sqlite_values`).

Speed: a SQLite commit costs some 20 µs and a query some 5 µs here, more than a whole trivial step may
take, so the store keeps the cells, results and lineage this process wrote or read in dictionaries
(reads are dictionary lookups) and writes new ones in groups (`sqlite_writes`): at most `commit_interval`
seconds after a write, or at once when the results waiting took that long to compute, so a killed
process loses at most the running step and `commit_interval` of work, and never corrupts the file. A
reused step whose cells already hold its result is rewritten in memory only (`reuse_in_place`). One
process writes a store file at a time (the studio keeps one per workflow); others may read it. Beyond
`max_bytes` of stored results the least recently used are evicted. A large value's row also holds a
small summary (`value_summary`), which a store opened with `summaries=True` reads instead of the value.
"""

from __future__ import annotations

import atexit
import json
import operator
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from fancy_studio.core import sqlite_values as values
from fancy_studio.core.errors import CellNotFoundError
from fancy_studio.core.result_cache import Lineage, StoredResult
from fancy_studio.core.sqlite_values import StoreFormatError, StoredValueError
from fancy_studio.core.sqlite_results import PREFETCH_BYTES, StoredResults  # noqa: F401 - re-exported
from fancy_studio.core.sqlite_writes import BatchedWrites, _id_key
from fancy_studio.core.store import Cell, _key, _new_cell
from fancy_studio.core.value_summary import StoredSummary, summary_from

SCHEMA_VERSION = 3
"""`PRAGMA user_version` of the files this code writes; a newer file is refused, an older one migrated."""

_CELLS = """
CREATE TABLE IF NOT EXISTS cells (
    id BLOB PRIMARY KEY, alias TEXT, produced_by BLOB, produced_at REAL NOT NULL,
    revision INTEGER NOT NULL, encoding INTEGER NOT NULL, value_hash TEXT, size INTEGER NOT NULL,
    last_used REAL NOT NULL, lineage TEXT, result_key TEXT, summary TEXT, value BLOB);
CREATE INDEX IF NOT EXISTS cells_revision ON cells(revision);
CREATE INDEX IF NOT EXISTS cells_alias ON cells(alias);
"""
"""The value comes last: SQLite reads a row's columns in order, so any column after a 200 MB blob would
cost walking its 50,000 overflow pages (some 50 ms) to read."""
_SCHEMA = _CELLS + """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY, encoding INTEGER NOT NULL, outputs BLOB, output_hashes TEXT NOT NULL,
    lineage TEXT NOT NULL, size INTEGER NOT NULL, last_used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value);
"""
_COLUMNS_2 = ("id, alias, produced_by, produced_at, revision, encoding, value, value_hash, size, last_used, "
              "lineage, result_key")
_MIGRATIONS = {
    1: "ALTER TABLE cells ADD COLUMN result_key TEXT",
    2: (f"ALTER TABLE cells RENAME TO cells_2; DROP INDEX IF EXISTS cells_revision; DROP INDEX IF EXISTS "
        f"cells_alias; {_CELLS}; INSERT INTO cells ({_COLUMNS_2}) SELECT {_COLUMNS_2} FROM cells_2; "
        "DROP TABLE cells_2"),
}
"""The statement that takes a file from the format of its key to the next."""
_CELL_COLUMNS = "id, alias, produced_by, produced_at, revision, encoding, value, NULL"
_SUMMARY_COLUMNS = ("id, alias, produced_by, produced_at, revision, encoding, "
                    "CASE WHEN summary IS NULL THEN value END, summary")
"""What a summaries store reads of a row: a large value's summary instead of its blob (never read)."""
_GET, _FIND = "WHERE id=?", "WHERE alias=? ORDER BY revision DESC"
_CHANGED = "WHERE revision>? ORDER BY revision"
_ALIASES = "SELECT id, alias FROM cells WHERE alias IS NOT NULL"
DEFAULT_MAX_BYTES = 4 << 30
_now = time.time


def _id_from(key: bytes | str) -> Any:
    return UUID(bytes=key) if isinstance(key, bytes) else json.loads(key)


_lineage_json, _lineage_from = values.lineage_json, values.lineage_from
_revision_of = operator.attrgetter("revision")
_from_bytes = int.from_bytes


class SqliteStore(BatchedWrites, StoredResults):
    """Cells, results and lineage in one SQLite file; see the module docstring.

    One connection serves every thread, guarded by a lock (the engine's writer and the studio's readers
    take turns). A write takes its revision and publishes its cell under the lock and only then moves
    `revision` on, and every query first writes what is pending, so `changed_since` with a watermark is
    exact, as in `InMemoryStore`.
    """

    def __init__(self, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, key: bytes | None = None,
                 commit_interval: float = 0.02, summaries: bool = False) -> None:
        self.path = Path(path)
        self.summaries = summaries
        """True: a cell whose row holds a summary (a large value) is read as a `StoredSummary`, its value
        left on disk until `full_value` (the studio, which shows values another process made)."""
        self._select = f"SELECT {_SUMMARY_COLUMNS if summaries else _CELL_COLUMNS} FROM cells "
        self.max_bytes = max_bytes
        self.commit_interval = commit_interval
        self._key = key if key is not None else values.load_or_create_key()
        self._lock = threading.RLock()
        self._cells: dict[Any, Cell] = {}
        """The cells this process wrote or read, by `_key(id)` (a value that cannot be pickled lives
        only here; its row says IN_MEMORY)."""
        self._pending: dict[Any, Cell] = {}
        self._disk: dict[int, tuple] = {}
        """What the rows of cells that hold a step's result say, by `uuid.int`: (alias, producing step's
        `int`, value hash, result key); `reuse_in_place` compares a step against it. Kept as rows are
        written, and read from the file for the others at the first `reuse_in_place`."""
        self._disk_read = False
        self._following = False
        """True after `follow`: another process writes the file; nothing of its cells is kept here."""
        self._disk_aliases: dict[Any, str] | None = None
        """The aliases of the named cells on disk when first needed (a `put` by id without an alias keeps
        the cell's alias: one query for all, not one per step of a fresh run)."""
        self._stale: dict[int, tuple] = {}
        """Cells rewritten in place with the very value, producer and lineage their rows hold: only the
        revision and time moved (id, alias, producer, produced_at, revision). Never written: the row keeps
        the revision its value was written with; `changed_since`, `find` and iteration take them from here. A cell missing from `_cells` is
        read from its row only when asked for (its value was never needed)."""
        self._results: dict[str, StoredResult] = {}
        self._stored_rows: dict[str, tuple] | None = None
        """The rows of the results on disk not yet read (see `PREFETCH_BYTES`), once read."""
        self._read_lineages: dict[int, tuple[Lineage, str]] = {}
        """The JSON each lineage read from disk was read from (by id; the object is kept, so the id is
        its own): a reused step writes that lineage to its cells without making its JSON again."""
        self._pending_results: dict[str, StoredResult] = {}
        self._hashes_read: dict[str, Any] = {}
        """The output hashes of results on disk read by `reuse_in_place` (their values left unread)."""
        self._lineages: dict[Any, Lineage] = {}
        self._pending_lineages: dict[Any, tuple[Any, Lineage]] = {}
        self._touched: dict[str, float] = {}
        """When results were last remembered or looked up (written to `last_used` before an eviction and
        on closing: an UPDATE per reused step would cost more than the step)."""
        self._pending_work = 0.0
        """Seconds the pending results took to compute: from `commit_interval` on, `remember` writes them
        at once, so a killed process never loses more than that much work (and the running step)."""
        self._closed = False
        self._timer: threading.Timer | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreFormatError(f"{self.path} is not a usable Fancy Studio store: {exc}") from None
        self._bytes = self._db.execute("SELECT coalesce(sum(size),0) FROM results").fetchone()[0]
        """How many bytes the stored results take."""
        close = weakref.WeakMethod(self.close)
        atexit.register(lambda: (method := close()) is not None and method())  # write the last changes

    def _open(self) -> None:
        db = self._db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreFormatError(
                f"{self.path} was written by a newer Fancy Studio (store format {version})"
            )
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        if version == 0:  # a new file
            db.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        elif version < SCHEMA_VERSION:  # an older file: migrated step by step, all or nothing
            steps = "; ".join(_MIGRATIONS[v] for v in range(version, SCHEMA_VERSION))
            db.executescript(f"BEGIN; {steps}; PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        stored = db.execute("SELECT value FROM meta WHERE name='revision'").fetchone()
        top = db.execute("SELECT max(revision) FROM cells").fetchone()[0]
        self._revision = self._opened_at = max(stored[0] if stored else 0, top or 0)
        """`_opened_at`: every cell written after it is in `_cells` or `_stale` (see `changed_since`)."""
        self._removals = 0

    # --- writing to disk --------------------------------------------------------------------------

    def flush(self) -> None:
        """Write and commit what is pending (the background timer calls this; so does `close`)."""
        with self._lock:
            self._timer = None
            if not self._closed:
                self._write_pending()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            if self._timer is not None:
                self._timer.cancel()
            self.flush()
            if self._touched or self._stale:
                # last_used; cells reused in place keep on disk the revision their value was written with
                # (their content is the same), and the counter is kept so it never goes back
                db = self._db
                db.execute("BEGIN IMMEDIATE")
                try:
                    self._write_touches()
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('revision', ?)", (self._revision,))
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
            self._db.close()
            self._closed = True

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- DatumStore -------------------------------------------------------------------------------

    def put(self, value: Any, alias: str | None = None, *, id: UUID | None = None,
            produced_by: UUID | None = None) -> Cell:
        """Store `value`; with `id`, replace that cell (keeping its alias unless a new one is given)."""
        cell_id = id if id is not None else uuid4()
        key = cell_id.int if type(cell_id) is UUID else _key(cell_id)
        with self._lock:
            if alias is None and id is not None:
                old = self._cells.get(key)
                if old is not None:
                    alias = old.alias
                else:  # a cell of an earlier session: its alias, read once for all of them
                    aliases = self._disk_aliases
                    if aliases is None:
                        aliases = self._disk_aliases = {
                            _key(_id_from(stored)): name for stored, name in self._db.execute(_ALIASES)}
                    alias = aliases.get(key)
            revision = self._revision + 1
            if self._stale:
                self._stale.pop(key, None)
            if self._lineages:  # a new value: where it came from is for `set_lineage` to say again
                self._lineages.pop(key, None)
                self._pending_lineages.pop(key, None)
            self._cells[key] = self._pending[key] = cell = _new_cell(
                Cell, (cell_id, alias, value, produced_by, _now(), revision))
            self._revision = revision
            if self._timer is None:
                self._schedule()
        return cell

    def _cell(self, row: tuple) -> Cell | None:
        """The cell of a `_CELL_COLUMNS` row (from this process's cells when it is theirs); None for
        another process's in-memory-only value."""
        stored_id, alias, produced_by, produced_at, revision, encoding, blob, summary = row
        cell_id = _id_from(stored_id)
        key = _key(cell_id)
        known = self._cells.get(key)
        stale = self._stale.get(key)  # type: ignore[call-overload]
        if known is not None and (known.revision == revision or stale is not None):
            return known
        if encoding == values.IN_MEMORY:
            return None
        if summary is not None:
            try:
                value: Any = summary_from(cell_id, summary)
            except (ValueError, KeyError, TypeError):
                raise StoredValueError("a stored value's summary is damaged") from None
        else:
            value = values.decode(encoding, blob, self._key)
        if stale is not None:  # rewritten in place: its revision and time are the ones in memory
            cell = self._cells[key] = Cell(cell_id, alias, value, stale[2], stale[3], stale[4])
            return cell
        producer = produced_by and UUID(bytes=produced_by)
        return Cell(cell_id, alias, value, producer, produced_at, revision)

    def get(self, cell_id: UUID) -> Cell:
        """The cell; `StoredValueError` when its value cannot be read back safely."""
        cell = self._cells.get(cell_id.int if type(cell_id) is UUID else _key(cell_id))
        if cell is not None:
            return cell
        with self._lock:
            row = self._db.execute(self._select + _GET, (_id_key(cell_id),)).fetchone()
            cell = self._cell(row) if row is not None else None
            if cell is None:
                raise CellNotFoundError(cell_id)
            if not self._following:
                self._cells[_key(cell_id)] = cell
        return cell

    def full_value(self, cell_id: UUID) -> Any:
        """The cell's whole value, also when `get` gives only its `StoredSummary` (then read and decoded
        from the file now, and not kept: the user asked to see it, Copy or Export it). Raises as `get`."""
        value = self.get(cell_id).value
        if type(value) is not StoredSummary:
            return value
        with self._lock:
            row = self._db.execute("SELECT encoding, value FROM cells WHERE id=?",
                                   (_id_key(cell_id),)).fetchone()
        if row is None or row[0] == values.IN_MEMORY:
            raise CellNotFoundError(cell_id)
        return values.decode(row[0], row[1], self._key)

    def stored_hash(self, cell_id: UUID) -> str | None:
        """The content hash its row holds for the cell's value (a step's result), without reading the value;
        None when the row has none (a value put by hand), or the cell's latest value is not written yet."""
        key = _key(cell_id)
        with self._lock:
            if key in self._pending:
                return None
            row = self._db.execute("SELECT value_hash FROM cells WHERE id=?", (_id_key(cell_id),)).fetchone()
        return row[0] if row is not None else None

    def follow(self) -> None:
        """Another process writes this file from now on (a run in the kernel): forget what this object
        knows of the cells, write nothing more, and answer every read from the file, so a reader sees each
        value as soon as the writer has committed it and never an older one kept here. Open the file
        afresh (a new `SqliteStore`) once the writer is done."""
        with self._lock:
            self._write_pending()
            self._following = True
            self._opened_at = float("inf")  # `changed_since` always asks the file
            self._cells.clear()
            self._stale.clear()
            self._disk.clear()
            self._disk_read = False
            self._disk_aliases = None

    def _query(self, sql: str, parameters: tuple = ()) -> list[tuple]:
        """Rows of a query over what is written so far (pending changes are written first)."""
        with self._lock:
            self._write_pending()
            return self._db.execute(sql, parameters).fetchall()

    def _readable(self, rows: list[tuple]) -> list[Cell]:
        """The cells of `rows` that can be read (others are skipped: a reader never breaks on one)."""
        cells = []
        for row in rows:
            try:
                cell = self._cell(row)
            except StoredValueError:
                continue
            if cell is not None:
                cells.append(cell)
        return cells

    def _stale_cells(self, stale: dict[int, tuple]) -> list[Cell]:
        """The cells of these `_stale` entries, those not in memory read from their rows (in one query per
        500; a value that cannot be read is left out, as in `_readable`)."""
        cells, unread = [], []
        for key, entry in stale.items():
            cell = self._cells.get(key)
            if cell is not None and cell.revision == entry[4]:
                cells.append(cell)
            else:
                unread.append(entry[0].bytes)
        for start in range(0, len(unread), 500):
            chunk = unread[start:start + 500]
            rows = self._query(f"{self._select}WHERE id IN ({','.join('?' * len(chunk))})",
                               tuple(chunk))
            cells += self._readable(rows)
        return cells

    def _merged(self, rows: list[tuple], stale: dict[int, tuple]) -> list[Cell]:
        """The cells of `rows` (see `_readable`) with those rewritten in place (`stale`) as they are now."""
        if stale:
            rows = [row for row in rows if type(row[0]) is not bytes or _from_bytes(row[0]) not in stale]
        cells = self._readable(rows) + self._stale_cells(stale)
        cells.sort(key=_revision_of)
        return cells

    def find(self, alias: str) -> Cell | None:
        """The most recently written cell with this alias, if any."""
        rows = self._query(self._select + _FIND, (alias,))
        stale = {key: entry for key, entry in self._stale.copy().items() if entry[1] == alias}
        if stale:
            return next(reversed(self._merged(rows, stale)), None)
        return next(iter(self._readable(rows)), None)

    def in_memory_only(self, cell_id: UUID, *, wait: bool = True) -> bool | None:
        """True when the cell's value could not be serialised: it lives in one process only. A value still
        waiting to be written is written first; with `wait=False` the answer is None instead (ask again
        later), so a reader on the GUI thread never makes the store write a batch while a run goes."""
        with self._lock:
            if _key(cell_id) in self._pending:
                if not wait:
                    return None
                self._write_pending()
            row = self._db.execute("SELECT encoding FROM cells WHERE id=?", (_id_key(cell_id),)).fetchone()
        return row is not None and row[0] == values.IN_MEMORY

    def remove(self, cell_id: UUID) -> None:
        stored = _id_key(cell_id)
        with self._lock:
            self._write_pending()
            if self._db.execute("SELECT 1 FROM cells WHERE id=?", (stored,)).fetchone() is None:
                raise CellNotFoundError(cell_id)
            self._cells.pop(_key(cell_id), None)
            self._disk.pop(_key(cell_id), None)  # type: ignore[call-overload]
            self._stale.pop(_key(cell_id), None)  # type: ignore[call-overload]
            self._lineages.pop(_key(cell_id), None)
            if self._disk_aliases is not None:
                self._disk_aliases.pop(_key(cell_id), None)
            self._removals += 1
            self._revision += 1
            self._write_pending(("DELETE FROM cells WHERE id=?", (stored,)),
                                ("INSERT OR REPLACE INTO meta VALUES ('revision', ?)", (self._revision,)))

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._pending_lineages.clear()
            self._cells.clear()
            self._disk.clear()
            self._stale.clear()
            self._lineages.clear()
            self._disk_aliases = {}
            self._removals += 1
            self._revision += 1
            self._write_pending(("DELETE FROM cells", ()),
                                ("INSERT OR REPLACE INTO meta VALUES ('revision', ?)", (self._revision,)))

    @property
    def removals(self) -> int:
        """A counter that grows with every `remove` and `clear` (see `InMemoryStore.removals`)."""
        return self._removals

    @property
    def revision(self) -> int:
        """A counter that grows with every write; compare it to see whether anything changed."""
        return self._revision

    def changed_since(self, revision: int) -> list[Cell]:
        """Cells written after `revision`, oldest first. From `_opened_at` on, every such cell is one this
        store wrote, so the answer comes from memory (nothing is written or queried first)."""
        with self._lock:  # a consistent view of the cells, the cells rewritten in place and the revision
            if revision >= self._opened_at:
                cells = self._cells.copy()
                stale = {key: entry for key, entry in self._stale.items() if entry[4] > revision}
            else:
                self._write_pending()
                rows = self._db.execute(self._select + _CHANGED, (revision,)).fetchall()
                stale = self._stale.copy()
        if revision >= self._opened_at:
            found = [cell for key, cell in cells.items() if cell.revision > revision and key not in stale]
            found += self._stale_cells(stale)
            found.sort(key=_revision_of)
            return found
        return self._merged(rows, stale)

    def __contains__(self, cell_id: object) -> bool:
        key = _key(cell_id)
        if key in self._cells:
            return True
        with self._lock:
            row = self._db.execute("SELECT encoding FROM cells WHERE id=?", (_id_key(cell_id),)).fetchone()
        return row is not None and row[0] != values.IN_MEMORY

    def __iter__(self) -> Iterator[Cell]:
        return iter(self.changed_since(-1))

    def __len__(self) -> int:
        rows = self._query("SELECT id FROM cells WHERE encoding=?", (values.IN_MEMORY,))
        with self._lock:
            total = self._db.execute("SELECT count(*) FROM cells").fetchone()[0]
        return total - sum(1 for (stored,) in rows if _key(_id_from(stored)) not in self._cells)

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    # --- size cap ---------------------------------------------------------------------------------
