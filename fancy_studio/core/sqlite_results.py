"""The reuse side of `SqliteStore`: results by recipe key, reuse in place, and each datum's lineage.

A mixin of `SqliteStore` (`sqlite_store.py`), kept apart so each file holds one concern, as the writing
half is (`sqlite_writes.py`): it reads and writes the store's dictionaries and file under the store's
lock. See `core/result_cache.py` for the protocol and docs/spec/007-stores.md for the rules.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from fancy_studio.core import sqlite_values as values
from fancy_studio.core.result_cache import Lineage, StoredResult
from fancy_studio.core.sqlite_values import StoredValueError
from fancy_studio.core.sqlite_writes import _id_key
from fancy_studio.core.store import Cell, _key, _new_cell

_LOOKUP = "SELECT encoding, outputs, output_hashes, lineage FROM results WHERE key=?"
_LOOKUP_ALL = "SELECT key, encoding, outputs, output_hashes, lineage FROM results"
_SUMMARIES = ("SELECT id, alias, produced_by, value_hash, result_key FROM cells "
              "WHERE result_key IS NOT NULL AND typeof(id)='blob'")
PREFETCH_BYTES = 64 << 20
"""Up to this many bytes of stored results, the first `lookup` that is not in memory reads them all
in one query (a query per step would cost more than the step); above it, each is read when asked for."""
_now = time.time
_lineage_from = values.lineage_from
_from_bytes = int.from_bytes


class StoredResults:
    """The `ResultCache` half of `SqliteStore` (which sets every attribute used here)."""

    _lock: Any
    _db: Any

    def lookup(self, key: str) -> StoredResult | None:
        """The result stored under `key`, or None (also when it cannot be read back safely)."""
        result = self._results.get(key)
        if result is None:
            if self._stored_rows == {}:  # every stored result is in memory (a new file, or all read)
                return None
            with self._lock:
                if self._stored_rows is None and self._bytes <= PREFETCH_BYTES:
                    self._prefetch()
                if self._stored_rows is not None:
                    row = self._stored_rows.pop(key, None)
                else:
                    row = self._db.execute(_LOOKUP, (key,)).fetchone()
                if row is None:
                    return None
                encoding, blob, hashes, lineage = row
                try:
                    outputs = values.decode_outputs(encoding, blob, self._key)
                except StoredValueError:
                    return None  # another user's, damaged, or another process's in-memory value: run again
                result = StoredResult(outputs, values.hashes_from(hashes), _lineage_from(lineage))
                self._results[key] = result
                self._read_lineages[id(result.lineage)] = (result.lineage, lineage)
        self._touched[key] = _now()
        return result

    def _prefetch(self) -> None:
        self._stored_rows = {row[0]: row[1:] for row in self._db.execute(_LOOKUP_ALL)}

    def _output_hashes(self, key: str) -> Any:
        """The output hashes of the result stored under `key` (None: there is none), without reading its
        values; called with the lock."""
        result = self._results.get(key)
        if result is not None:
            return result.output_hashes
        hashes = self._hashes_read.get(key)
        if hashes is None:
            if self._stored_rows is None and self._bytes <= PREFETCH_BYTES:
                self._prefetch()
            rows = self._stored_rows
            row = rows.get(key) if rows is not None else self._db.execute(_LOOKUP, (key,)).fetchone()
            if row is None:
                return None
            hashes = self._hashes_read[key] = values.hashes_from(row[2])
        return hashes

    def reuse_in_place(self, key: str, step_id: UUID,
                       outputs: tuple[tuple[str, int, UUID, str | None], ...]) -> Any:
        """Reuse the result stored under `key` for step `step_id` where it already is: when the row of each
        output cell (port, `uuid.int`, id, alias to give it) holds that very result — the same recipe key,
        producing step, value hash and alias, nothing pending — and the result is still stored, the cells
        are written again in memory only (a new revision and time; the row keeps its value, lineage and
        revision), no value is read, and the output hashes by port are
        returned. None when any of that does not hold: the caller looks the result up instead."""
        if not outputs:
            return None
        with self._lock:
            hashes = self._output_hashes(key)
            if hashes is None:
                return None
            if not self._disk_read:
                self._read_disk()
            disk, pending, pending_lineages = self._disk, self._pending, self._pending_lineages
            step = step_id.int
            for port, cell_key, _, alias in outputs:
                row = disk.get(cell_key)
                if (row is None or row[3] != key or row[1] != step or row[2] != hashes.get(port)
                        or (alias is not None and alias != row[0]) or cell_key in pending
                        or cell_key in pending_lineages):
                    return None
            now = _now()
            cells, stale = self._cells, self._stale
            for _, cell_key, cell_id, _ in outputs:
                revision = self._revision + 1
                alias = disk[cell_key][0]
                stale[cell_key] = (cell_id, alias, step_id, now, revision)
                old = cells.get(cell_key)
                if old is not None:
                    cells[cell_key] = _new_cell(Cell, (cell_id, alias, old[2], step_id, now, revision))
                self._revision = revision
            self._touched[key] = now
        return hashes

    def _read_disk(self) -> None:
        """Fill `_disk` from the rows of the cells not written by this store yet (called with the lock)."""
        disk = self._disk
        for stored_id, alias, produced_by, digest, result_key in self._db.execute(_SUMMARIES):
            cell_key = _from_bytes(stored_id, "big")
            if cell_key not in disk and produced_by is not None:
                disk[cell_key] = (alias, _from_bytes(produced_by, "big"), digest, result_key)
        self._disk_read = True

    def remember(self, key: str, result: StoredResult) -> None:
        """Keep `result`; written within `commit_interval`, or before this returns once the results
        waiting to be written took `commit_interval` or more to compute (see `_pending_work`)."""
        with self._lock:
            self._results[key] = self._pending_results[key] = result
            self._touched[key] = _now()  # its last_used
            self._pending_work += result.lineage.duration
            if self._pending_work >= self.commit_interval:
                self._write_pending()
            elif self._timer is None:
                self._schedule()

    def set_lineage(self, cell_id: UUID, lineage: Lineage) -> None:
        """Record where the cell's current value came from (a later `put` of the cell forgets it)."""
        key = _key(cell_id)
        with self._lock:
            self._lineages[key] = lineage
            self._pending_lineages[key] = (cell_id, lineage)
            if self._timer is None:
                self._schedule()

    def lineage(self, cell_id: UUID) -> Lineage | None:
        key = _key(cell_id)
        known = self._lineages.get(key)
        if known is not None or key in self._pending:  # a pending cell's lineage is known here, if any
            return known
        with self._lock:
            row = self._db.execute("SELECT lineage FROM cells WHERE id=?", (_id_key(cell_id),)).fetchone()
        return _lineage_from(row[0]) if row and row[0] else None

    def forget_results(self) -> None:
        with self._lock:
            self._results.clear()
            self._hashes_read.clear()
            self._read_lineages.clear()
            self._stored_rows = {}
            self._pending_results.clear()
            self._touched.clear()
            self._bytes = 0
            self._write_pending(("DELETE FROM results", ()))
