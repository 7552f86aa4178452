"""A `DatumStore` and `ResultCache` on disk: one SQLite file (standard library, WAL mode).

Results survive a restart and can be shared by processes (the studio, `fancy-studio run --store`).
Values are written as exact JSON or as pickles signed with the user's key (`sqlite_values`). Each cell,
result and lineage row is written inside a transaction; to keep a chain of trivial steps fast, the
transaction is committed at most `commit_interval` seconds after its first write (a background timer
commits when nothing else does), so a killed process loses at most that much recent work and never
corrupts the file. `commit_interval=0` commits every write. Beyond `max_bytes` of stored results the
least recently used are evicted.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
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
from fancy_studio.core.store import Cell

SCHEMA_VERSION = 1
"""`PRAGMA user_version` of the files this code writes; a newer file is refused, an older one migrated."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cells (
    id BLOB PRIMARY KEY, alias TEXT, produced_by BLOB, produced_at REAL NOT NULL,
    revision INTEGER NOT NULL, encoding INTEGER NOT NULL, value BLOB, value_hash TEXT,
    size INTEGER NOT NULL, last_used REAL NOT NULL);
CREATE INDEX IF NOT EXISTS cells_revision ON cells(revision);
CREATE INDEX IF NOT EXISTS cells_alias ON cells(alias);
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY, encoding INTEGER NOT NULL, outputs BLOB, output_hashes TEXT NOT NULL,
    lineage TEXT NOT NULL, size INTEGER NOT NULL, last_used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS lineage (cell_id BLOB PRIMARY KEY, lineage TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value);
"""
_PUT = (
    "INSERT INTO cells VALUES (?,?,?,?,?,?,?,NULL,?,?) ON CONFLICT(id) DO UPDATE SET "
    "alias=coalesce(excluded.alias, alias), produced_by=excluded.produced_by, "
    "produced_at=excluded.produced_at, revision=excluded.revision, encoding=excluded.encoding, "
    "value=excluded.value, value_hash=NULL, size=excluded.size, last_used=excluded.last_used RETURNING alias"
)
_CELL_COLUMNS = "id, alias, produced_by, produced_at, revision, encoding, value"
_GET = f"SELECT {_CELL_COLUMNS} FROM cells WHERE id=?"
_LOOKUP = "SELECT encoding, outputs, output_hashes, lineage FROM results WHERE key=?"
_TOUCH = "UPDATE results SET last_used=? WHERE key=?"
DEFAULT_MAX_BYTES = 4 << 30
_now = time.time


def _id_key(cell_id: object) -> bytes | str:
    """How a cell id is kept: a UUID as its 16 bytes (a BLOB), anything else as JSON text (never equal)."""
    return cell_id.bytes if type(cell_id) is UUID else json.dumps(cell_id)


def _id_from(key: bytes | str) -> Any:
    return UUID(bytes=key) if isinstance(key, bytes) else json.loads(key)


def _lineage_json(lineage: Lineage) -> str:
    return json.dumps({f.name: (str(v) if isinstance(v := getattr(lineage, f.name), UUID) else v)
                       for f in dataclasses.fields(lineage)})


def _lineage_from(text: str) -> Lineage:
    data = json.loads(text)
    for f in dataclasses.fields(Lineage):
        if "UUID" in str(f.type) and data.get(f.name) is not None:
            data[f.name] = UUID(data[f.name])
    return Lineage(**data)


class SqliteStore:
    """Cells, results and lineage in one SQLite file; see the module docstring.

    One connection serves every thread, guarded by a lock (the engine's writer and the studio's readers
    take turns; SQLite statements on small rows take microseconds). The revision counter is taken and
    the row written under the lock, so `changed_since` with a watermark is exact, as in `InMemoryStore`.
    """

    def __init__(self, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, key: bytes | None = None,
                 commit_interval: float = 0.02) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.commit_interval = commit_interval
        self._key = key if key is not None else values.load_or_create_key()
        self._lock = threading.RLock()
        self._memory: dict[bytes | str, Any] = {}
        """Values of this process that could not be pickled, by id key (their rows say IN_MEMORY)."""
        self._memory_results: dict[str, StoredResult] = {}
        self._touched: dict[str, float] = {}
        """Results read since the last commit (their `last_used` is written with the next commit)."""
        self._in_transaction = False
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
        """About how many bytes the stored results take (exact after each eviction)."""
        flush = weakref.WeakMethod(self.flush)
        atexit.register(lambda: (method := flush()) is not None and method())  # commit the last writes

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
        if version < SCHEMA_VERSION:  # 0: a new file (later versions migrate here, step by step)
            db.executescript(f"BEGIN; {_SCHEMA} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        stored = db.execute("SELECT value FROM meta WHERE name='revision'").fetchone()
        top = db.execute("SELECT max(revision) FROM cells").fetchone()[0]
        self._revision = max(stored[0] if stored else 0, top or 0)

    # --- transactions -----------------------------------------------------------------------------

    def _begin(self) -> None:
        """Open the write transaction (called with the lock held); `_written` schedules its commit."""
        if not self._in_transaction:
            self._db.execute("BEGIN IMMEDIATE")
            self._in_transaction = True

    def _written(self) -> None:
        if self._bytes > self.max_bytes:
            self._evict()
        if self.commit_interval <= 0:
            self._commit()
        elif self._timer is None:
            self._timer = threading.Timer(self.commit_interval, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def _commit(self) -> None:
        if self._touched:
            self._db.executemany(_TOUCH, [(t, k) for k, t in self._touched.items()])
            self._touched.clear()
        if self._in_transaction:
            self._db.execute("COMMIT")
            self._in_transaction = False

    def flush(self) -> None:
        """Commit what was written (the background timer calls this; so does `close`)."""
        with self._lock:
            self._timer = None
            if self._closed:
                return
            if self._in_transaction or self._touched:
                self._begin()
                self._commit()

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self.flush()
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
        key = _id_key(cell_id)
        encoding, blob = values.encode(value, self._key)
        size = len(blob) if blob is not None else 0
        now = _now()
        with self._lock:
            self._begin()
            revision = self._revision + 1
            producer = produced_by.bytes if produced_by else None
            row = (key, alias, producer, now, revision, encoding, blob, size, now)
            alias = self._db.execute(_PUT, row).fetchone()[0]
            if encoding == values.IN_MEMORY:
                self._memory[key] = value
            else:
                self._memory.pop(key, None)
            self._revision = revision
            self._written()
        return Cell(cell_id, alias, value, produced_by, now, revision)

    def _cell(self, row: tuple) -> Cell | None:
        """The cell of a `_CELL_COLUMNS` row; None for another process's in-memory-only value."""
        key, alias, produced_by, produced_at, revision, encoding, blob = row
        if encoding == values.IN_MEMORY:
            if key not in self._memory:
                return None
            value = self._memory[key]
        else:
            value = values.decode(encoding, blob, self._key)
        producer = produced_by and UUID(bytes=produced_by)
        return Cell(_id_from(key), alias, value, producer, produced_at, revision)

    def get(self, cell_id: UUID) -> Cell:
        """The cell; `StoredValueError` when its value cannot be read back safely."""
        with self._lock:
            row = self._db.execute(_GET, (_id_key(cell_id),)).fetchone()
        cell = self._cell(row) if row is not None else None
        if cell is None:
            raise CellNotFoundError(cell_id)
        return cell

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

    def find(self, alias: str) -> Cell | None:
        """The most recently written cell with this alias, if any."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_CELL_COLUMNS} FROM cells WHERE alias=? ORDER BY revision DESC",
                                    (alias,)).fetchall()
        return next(iter(self._readable(rows)), None)

    def in_memory_only(self, cell_id: UUID) -> bool:
        """True when the cell's value could not be serialised: it lives in this process only."""
        with self._lock:
            row = self._db.execute("SELECT encoding FROM cells WHERE id=?", (_id_key(cell_id),)).fetchone()
        return row is not None and row[0] == values.IN_MEMORY

    def remove(self, cell_id: UUID) -> None:
        key = _id_key(cell_id)
        with self._lock:
            self._begin()
            if self._db.execute("DELETE FROM cells WHERE id=?", (key,)).rowcount == 0:
                raise CellNotFoundError(cell_id)
            self._db.execute("DELETE FROM lineage WHERE cell_id=?", (key,))
            self._memory.pop(key, None)
            self._bump()

    def clear(self) -> None:
        with self._lock:
            self._begin()
            self._db.execute("DELETE FROM cells")
            self._db.execute("DELETE FROM lineage")
            self._memory.clear()
            self._bump()

    def _bump(self) -> None:
        """Move the revision on for a removal (kept in `meta`, so it never goes back on reopening)."""
        self._revision += 1
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('revision', ?)", (self._revision,))
        self._written()

    @property
    def revision(self) -> int:
        """A counter that grows with every write; compare it to see whether anything changed."""
        return self._revision

    def changed_since(self, revision: int) -> list[Cell]:
        """Cells written after `revision`, oldest first."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_CELL_COLUMNS} FROM cells WHERE revision>? ORDER BY revision",
                                    (revision,)).fetchall()
        return self._readable(rows)

    def __contains__(self, cell_id: object) -> bool:
        key = _id_key(cell_id)
        with self._lock:
            row = self._db.execute("SELECT encoding FROM cells WHERE id=?", (key,)).fetchone()
        return row is not None and (row[0] != values.IN_MEMORY or key in self._memory)

    def __iter__(self) -> Iterator[Cell]:
        return iter(self.changed_since(-1))

    def __len__(self) -> int:
        with self._lock:
            rows = self._db.execute("SELECT id FROM cells WHERE encoding=?", (values.IN_MEMORY,)).fetchall()
            total = self._db.execute("SELECT count(*) FROM cells").fetchone()[0]
        return total - sum(1 for (key,) in rows if key not in self._memory)

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    # --- ResultCache ------------------------------------------------------------------------------

    def lookup(self, key: str) -> StoredResult | None:
        """The result stored under `key`, or None (also when it cannot be read back safely)."""
        with self._lock:
            row = self._db.execute(_LOOKUP, (key,)).fetchone()
            if row is None:
                return None
            self._touched[key] = _now()
        encoding, blob, hashes, lineage = row
        if encoding == values.IN_MEMORY:
            return self._memory_results.get(key)
        try:
            outputs = values.decode(encoding, blob, self._key)
        except StoredValueError:
            return None
        return StoredResult(outputs, json.loads(hashes), _lineage_from(lineage))

    def remember(self, key: str, result: StoredResult) -> None:
        encoding, blob = values.encode(dict(result.outputs), self._key)
        size = len(blob) if blob is not None else 0
        with self._lock:
            self._begin()
            self._db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?)",
                             (key, encoding, blob, json.dumps(dict(result.output_hashes)),
                              _lineage_json(result.lineage), size, _now()))
            if encoding == values.IN_MEMORY:
                self._memory_results[key] = result
            else:
                self._memory_results.pop(key, None)
            self._touched.pop(key, None)
            self._bytes += size
            self._written()

    def set_lineage(self, cell_id: UUID, lineage: Lineage) -> None:
        with self._lock:
            self._begin()
            row = (_id_key(cell_id), _lineage_json(lineage))
            self._db.execute("INSERT OR REPLACE INTO lineage VALUES (?,?)", row)
            self._written()

    def lineage(self, cell_id: UUID) -> Lineage | None:
        with self._lock:
            key = _id_key(cell_id)
            row = self._db.execute("SELECT lineage FROM lineage WHERE cell_id=?", (key,)).fetchone()
        return _lineage_from(row[0]) if row else None

    def forget_results(self) -> None:
        with self._lock:
            self._begin()
            self._db.execute("DELETE FROM results")
            self._memory_results.clear()
            self._touched.clear()
            self._bytes = 0
            self._written()

    # --- size cap ---------------------------------------------------------------------------------

    def _evict(self) -> None:
        """Drop the least recently used results until they take at most `max_bytes` (cells, the datums
        of the latest run, are never evicted: a running step may be about to read them)."""
        db = self._db
        if self._touched:
            db.executemany(_TOUCH, [(t, k) for k, t in self._touched.items()])
            self._touched.clear()
        total = db.execute("SELECT coalesce(sum(size),0) FROM results").fetchone()[0]
        for key, size in db.execute("SELECT key, size FROM results ORDER BY last_used").fetchall():
            if total <= self.max_bytes:
                break
            db.execute("DELETE FROM results WHERE key=?", (key,))
            self._memory_results.pop(key, None)
            total -= size
        self._bytes = total
