"""What a store keeps so that a step can be reused instead of run again, and where each datum came from.

A step's *key* is its recipe: the function's slug and version, the content hashes of its input values
and its parameters (computed by a pure function in `core/caching.py`). A store that is also a
`ResultCache` maps keys to the values a step made with that recipe, and records each stored datum's
`Lineage`. The engine asks `lookup` before running a step and calls `remember` after; `InMemoryStore`
(for the life of the store) and `SqliteStore` (on disk, across processes) both implement it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where a datum came from: the step and function (with its version) that made it, from which
    inputs (port -> content hash, hex), under which recipe key, when and in how long."""

    step_id: UUID
    slug: str
    version: str
    input_hashes: Mapping[str, str]
    key: str
    made_at: float
    duration: float


@dataclass(frozen=True, slots=True)
class StoredResult:
    """What one run of a step made: its outputs by port name, their content hashes (hex, so later
    steps' keys can be computed without hashing the values again), and its lineage."""

    outputs: Mapping[str, Any]
    output_hashes: Mapping[str, str]
    lineage: Lineage


@runtime_checkable
class ResultCache(Protocol):
    """The reuse side of a store (see the module docstring)."""

    def lookup(self, key: str) -> StoredResult | None:
        """The result stored under this recipe key, or None (a value that cannot be read back, such as
        an unsigned pickle from elsewhere, is None too: the step runs again)."""
        ...

    def remember(self, key: str, result: StoredResult) -> None:
        """Keep `result` under `key` (replacing what was there)."""
        ...

    def set_lineage(self, cell_id: UUID, lineage: Lineage) -> None:
        """Record where the datum `cell_id` of this store came from."""
        ...

    def lineage(self, cell_id: UUID) -> Lineage | None:
        """Where the datum `cell_id` came from, if a step of a run made it."""
        ...

    def forget_results(self) -> None:
        """Drop every stored result (Datums ▸ Clear Stored Results): the next run recomputes all."""
        ...
