"""How `SqliteStore` writes to its file: what changed, in groups, in one transaction each; and the size cap.

A mixin of `SqliteStore` (`sqlite_store.py`), kept apart so each file holds one concern: it reads and
writes the store's pending dictionaries under the store's lock. See `docs/spec/007-stores.md`, "Writes,
crashes and speed", for the rule of when a change reaches the disk.
"""

from __future__ import annotations

import gc
import json
import threading
import time
from typing import Any
from uuid import UUID

from fancy_studio.core import sqlite_values as values
from fancy_studio.core.result_cache import Lineage
from fancy_studio.core.value_summary import SUMMARY_BYTES, summary_json

_PUT = ("INSERT OR REPLACE INTO cells (id, alias, produced_by, produced_at, revision, encoding, value, "
        "value_hash, size, last_used, lineage, result_key, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
_REMEMBER = "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?)"
_SET_LINEAGE = "UPDATE cells SET lineage=?, value_hash=?, result_key=? WHERE id=?"
_TOUCH = "UPDATE results SET last_used=? WHERE key=?"
_now = time.time
_lineage_json = values.lineage_json


def _id_key(cell_id: object) -> bytes | str:
    """How a cell id is kept: a UUID as its 16 bytes (a BLOB), anything else as JSON text (never equal)."""
    return cell_id.bytes if type(cell_id) is UUID else json.dumps(cell_id)


class BatchedWrites:
    """The writing half of `SqliteStore` (which sets every attribute used here)."""

    _lock: Any
    _db: Any

    def _schedule(self) -> None:
        """Called with the lock held after a change: write it now, or within `commit_interval`."""
        if self.commit_interval <= 0:
            self._write_pending()
        elif self._timer is None:
            self._timer = threading.Timer(self.commit_interval, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def _write_pending(self, *more: tuple[str, tuple]) -> None:
        """Write every pending change (and `more` statements) in one transaction; called with the lock.

        The garbage collector is paused meanwhile: the rows are thousands of new tuples (no cycles), and
        each 700 of them would start a collection that walks the run's whole workflow — a third of the
        time of writing a batch of trivial steps (measured on the 10,000-step chain)."""
        if not (self._pending or self._pending_results or self._pending_lineages or more):
            return
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._write_batch(more)
        finally:
            if collecting:
                gc.enable()

    def _write_batch(self, more: tuple[tuple[str, tuple], ...]) -> None:
        self._pending_work = 0.0
        key, results_known, disk = self._key, self._results, self._disk
        memo: dict[int, str] = {}  # a step's cells and its result share one Lineage: write its JSON once
        read = self._read_lineages

        def lineage_json(lineage: Lineage) -> str:
            text = memo.get(id(lineage))
            if text is None:
                known = read.get(id(lineage))
                text = known[1] if known is not None and known[0] is lineage else _lineage_json(lineage)
                memo[id(lineage)] = text
            return text

        def value_hash(lineage: Lineage, value: Any) -> str | None:
            """The hash of `value` when it is an output of the result `lineage` describes (it is known)."""
            result = results_known.get(lineage.key)
            if result is not None:
                for port, output in result.outputs.items():
                    if output is value:
                        return result.output_hashes.get(port)
            return None

        cells, summaries, encoded = [], [], {}
        lineages = dict(self._pending_lineages)
        encode, pop = values.encode, lineages.pop
        for cell_key, cell in self._pending.items():
            cell_id, alias, value, produced_by, produced_at, revision = cell
            pending_lineage = pop(cell_key, None)  # a cell's lineage goes in its row
            if pending_lineage is None:
                lineage_text = digest = result_key = None
            else:
                lineage = pending_lineage[1]
                lineage_text, digest, result_key = lineage_json(lineage), value_hash(lineage, value), lineage.key
            encoding, blob = encoded[id(value)] = encode(value, key)
            size = len(blob) if blob is not None else 0
            cells.append((cell_key.to_bytes(16, "big") if type(cell_id) is UUID else _id_key(cell_id), alias,
                          produced_by.int.to_bytes(16, "big") if produced_by is not None else None, produced_at,
                          revision, encoding, blob, digest, size, produced_at, lineage_text, result_key,
                          summary_json(value, size) if size > SUMMARY_BYTES else None))
            summaries.append((cell_key, cell, digest, result_key))
        results = []
        now = _now()
        for result_key, result in self._pending_results.items():
            encoding, blob, hashes = values.encode_outputs(result.outputs, result.output_hashes, key, encoded)
            size = len(blob) if blob is not None else 0
            results.append((result_key, encoding, blob, hashes, lineage_json(result.lineage), size, now))
            self._bytes += size
        set_lineages = []
        for cell_key, (cell_id, lineage) in lineages.items():  # a lineage for a cell written before
            cell = self._cells.get(cell_key)
            digest = value_hash(lineage, cell.value) if cell is not None else None
            set_lineages.append((lineage_json(lineage), digest, lineage.key, _id_key(cell_id)))
            if cell is not None:
                summaries.append((cell_key, cell, digest, lineage.key))
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(_PUT, cells)
            db.executemany(_REMEMBER, results)
            db.executemany(_SET_LINEAGE, set_lineages)
            for statement, parameters in more:
                db.execute(statement, parameters)
            if self._bytes > self.max_bytes:
                self._evict()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        for cell_key, cell, digest, result_key in summaries:
            if digest is not None and type(cell_key) is int:
                producer = cell.produced_by
                disk[cell_key] = (cell.alias, producer.int if producer is not None else None, digest, result_key)
            else:
                disk.pop(cell_key, None)
        self._pending.clear()
        self._pending_results.clear()
        self._pending_lineages.clear()

    def _write_touches(self) -> None:
        if self._touched:
            self._db.executemany(_TOUCH, [(t, k) for k, t in self._touched.items()])
            self._touched.clear()

    def _evict(self) -> None:
        """Drop the least recently used results until they take at most `max_bytes` (cells, the datums
        of the latest run, are never evicted: a running step may be about to read them)."""
        db = self._db
        self._write_touches()
        total = db.execute("SELECT coalesce(sum(size),0) FROM results").fetchone()[0]
        for key, size in db.execute("SELECT key, size FROM results ORDER BY last_used").fetchall():
            if total <= self.max_bytes:
                break
            db.execute("DELETE FROM results WHERE key=?", (key,))
            self._results.pop(key, None)
            self._hashes_read.pop(key, None)
            if self._stored_rows is not None:
                self._stored_rows.pop(key, None)
            total -= size
        self._bytes = total
