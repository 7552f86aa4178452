"""Where datums live: cells (a value with a UUID and an alias) in a store.

The engine writes cells from its worker thread while the studio's datum panel reads them from the GUI
thread, so every store is safe for one writer and many readers. Each stored cell remembers what
produced it (which step, when), and the store counts its changes so a reader can ask "what changed
since I last looked?" instead of rescanning everything.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, Protocol, runtime_checkable
from uuid import UUID, uuid4

from fancy_studio.core.errors import CellNotFoundError
from fancy_studio.core.result_cache import Lineage, StoredResult


class Cell(NamedTuple):
    """One stored datum. Immutable (a named tuple, cheap to create: the engine makes one per output);
    writing a cell again replaces it with a new `Cell`."""

    id: UUID
    alias: str | None
    value: Any
    produced_by: UUID | None = None
    """The id of the step that computed this value; `None` for a value put in by hand."""
    produced_at: float = 0.0
    """When the value was stored (seconds since the epoch)."""
    revision: int = 0
    """The store's change counter at the moment this cell was written."""


_now = time.time
_new_cell = tuple.__new__  # builds a Cell without NamedTuple's Python-level __new__ (hot path)


def _key(cell_id: object) -> object:
    """The key a cell id is stored under in `InMemoryStore`: a UUID's `int`; anything else (not a
    proper id, but accepted as before) wrapped in a 1-tuple so it can never equal a UUID's key."""
    return cell_id.int if isinstance(cell_id, UUID) else (cell_id,)


@runtime_checkable
class DatumStore(Protocol):
    """What the engine and the studio need of a store; an in-memory one ships, others can drop in."""

    def put(
        self,
        value: Any,
        alias: str | None = None,
        *,
        id: UUID | None = None,
        produced_by: UUID | None = None,
    ) -> Cell: ...

    def get(self, cell_id: UUID) -> Cell: ...

    def __contains__(self, cell_id: object) -> bool: ...

    def __iter__(self) -> Iterator[Cell]: ...

    def __len__(self) -> int: ...

    def remove(self, cell_id: UUID) -> None: ...

    @property
    def revision(self) -> int: ...

    def changed_since(self, revision: int) -> list[Cell]: ...


class InMemoryStore:
    """A dictionary of cells keyed by id, safe for many writer and many reader threads.

    Reads iterate over a copy (one atomic step in CPython). A write takes its revision and publishes
    the cell under one lock, and only then moves `revision` on: cells appear in revision order and
    `revision` is never ahead of what a reader can see, so a reader that follows `changed_since` with a
    watermark (the newest revision it was given, or `revision` read before asking) misses nothing, however
    many threads write. (Without the lock, a writer holding revision 5 could publish after another
    published 6, and a reader already past 6 would never see 5.) The engine's sequential loop inlines
    `put` with the same order: publish, then move `revision`.
    """

    def __init__(self) -> None:
        self._cells: dict[Any, Cell] = {}
        """Cells keyed by `_key(cell id)`: a UUID's `int` (the same identity, hashed in C rather than by
        `UUID.__hash__`, which is Python code and ran several times per engine step)."""
        self._revisions = itertools.count(1)
        self._revision = 0
        self._removals = 0
        self._write_lock = threading.Lock()
        """Held while a write takes its revision and publishes (see the class docstring)."""
        self._results: dict[str, StoredResult] = {}
        self._lineages: dict[int, Lineage] = {}
        self._pending_results: list[Callable[[], None]] = []
        """Work that hashes and remembers a finished run's results, put off until something asks
        (see `defer_results`)."""

    def put(
        self,
        value: Any,
        alias: str | None = None,
        *,
        id: UUID | None = None,
        produced_by: UUID | None = None,
    ) -> Cell:
        """Store `value`; with `id`, replace that cell (keeping its alias unless a new one is given)."""
        cell_id = id if id is not None else uuid4()
        key = cell_id.int if type(cell_id) is UUID else _key(cell_id)
        cells = self._cells
        with self._write_lock:
            if alias is None:
                old = cells.get(key)
                if old is not None:
                    alias = old.alias
            revision = next(self._revisions)
            cells[key] = cell = _new_cell(Cell, (cell_id, alias, value, produced_by, _now(), revision))
            self._revision = revision
        return cell

    def get(self, cell_id: UUID) -> Cell:
        try:
            return self._cells[cell_id.int if type(cell_id) is UUID else _key(cell_id)]
        except KeyError:
            raise CellNotFoundError(cell_id) from None

    def find(self, alias: str) -> Cell | None:
        """The most recently written cell with this alias, if any."""
        matches = [cell for cell in self if cell.alias == alias]
        return max(matches, key=lambda c: c.revision) if matches else None

    def remove(self, cell_id: UUID) -> None:
        with self._write_lock:
            if self._cells.pop(_key(cell_id), None) is None:
                raise CellNotFoundError(cell_id)
            self._removals += 1
            self._revision = next(self._revisions)

    def clear(self) -> None:
        with self._write_lock:
            self._cells.clear()
            self._removals += 1
            self._revision = next(self._revisions)

    @property
    def revision(self) -> int:
        """A counter that grows with every write; compare it to see whether anything changed."""
        return self._revision

    @property
    def removals(self) -> int:
        """A counter that grows with every `remove` and `clear`: a reader that follows `changed_since`
        learns from it, without counting the cells, that some of what it holds may be gone."""
        return self._removals

    def changed_since(self, revision: int) -> list[Cell]:
        """Cells written after `revision`, oldest first."""
        return sorted((c for c in self._snapshot() if c.revision > revision), key=lambda c: c.revision)

    def _snapshot(self) -> list[Cell]:
        return list(self._cells.copy().values())  # dict.copy() is one atomic step

    def __contains__(self, cell_id: object) -> bool:
        return _key(cell_id) in self._cells

    def __iter__(self) -> Iterator[Cell]:
        """Iterate over a snapshot, so a writer on another thread never breaks the loop."""
        return iter(self._snapshot())

    def __len__(self) -> int:
        return len(self._cells)

    def __repr__(self) -> str:
        return f"InMemoryStore({len(self)} cells)"

    # --- ResultCache (see core/result_cache.py): reuse within the store's lifetime --------------------

    def lookup(self, key: str) -> StoredResult | None:
        if self._pending_results:
            self.settle_results()
        return self._results.get(key)

    def remember(self, key: str, result: StoredResult) -> None:
        self._results[key] = result

    def set_lineage(self, cell_id: UUID, lineage: Lineage) -> None:
        self._lineages[cell_id.int] = lineage

    def lineage(self, cell_id: UUID) -> Lineage | None:
        if self._pending_results:
            self.settle_results()
        return self._lineages.get(cell_id.int)

    def forget_results(self) -> None:
        self._pending_results.clear()
        self._results.clear()
        self._lineages.clear()

    def has_results(self) -> bool:
        """True when a run could find something to reuse here."""
        return bool(self._results or self._pending_results)

    def defer_results(self, work: Callable[[], None]) -> None:
        """Keep `work` (which hashes and remembers a run's results) until a lookup needs it: a run on a
        fresh store then costs no hashing at all, and the hashing is paid by the run that reuses."""
        self._pending_results.append(work)

    def settle_results(self) -> None:
        """Do the deferred work now, oldest first."""
        while self._pending_results:
            self._pending_results.pop(0)()
