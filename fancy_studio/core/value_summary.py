"""What a reader sees of a large stored value without loading it: its type, a short preview and its size.

The studio shows values it did not make (the kernel process made them and wrote them to the store), and a
step may return hundreds of megabytes. So the writer adds a small summary to the row of every value whose
encoded blob exceeds `SUMMARY_BYTES`, and a store opened with `summaries=True` (the studio's) gives that
summary, a `StoredSummary`, as the cell's value; the whole value is read only when the user asks for it
(`whole_value`: the value viewer, Copy, Export). See `docs/spec/007-stores.md`, "Summaries".
"""

from __future__ import annotations

import json
import reprlib
from dataclasses import dataclass
from typing import Any

SUMMARY_BYTES = 256 << 10
"""A value whose encoded blob is larger than this gets a summary in its row (smaller ones are read whole:
decoding them costs less than a second query would)."""
PREVIEW_CHARS = 400
"""The longest preview kept in a summary (the Datums dock shows 80 characters, its tooltip more)."""


@dataclass(frozen=True, slots=True)
class StoredSummary:
    """A large value left on disk: what the canvas and the Datums dock show of it.

    `size` is the bytes its encoded form takes in the store; `length` is `len(value)` when it has one."""

    cell_id: Any
    type_name: str
    preview: str
    size: int
    length: int | None = None


class _BoundedRepr(reprlib.Repr):
    """reprlib, with bytes previewed from their start (plain reprlib would repr them whole first)."""

    def repr_bytes(self, value: bytes, level: int) -> str:
        head = repr(bytes(value[: self.maxstring]))
        return head if len(value) <= self.maxstring else head[:-1] + "…" + head[-1]

    repr_bytearray = repr_memoryview = repr_bytes


_repr = _BoundedRepr()
_repr.maxlevel, _repr.maxlist, _repr.maxtuple = 3, 20, 20
_repr.maxdict, _repr.maxset, _repr.maxfrozenset = 12, 20, 20
_repr.maxstring, _repr.maxother, _repr.maxlong = 200, 200, 80


def preview_of(value: Any) -> str:
    """At most `PREVIEW_CHARS` characters: text from its start, anything else as a bounded repr."""
    if isinstance(value, str):
        text = value[:PREVIEW_CHARS]
    else:
        try:
            text = _repr.repr(value)
        except Exception:  # noqa: BLE001 - a broken __repr__ must not keep a value from being stored
            text = f"<{type(value).__name__}: repr failed>"
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def summary_json(value: Any, size: int) -> str:
    """The summary text written to a row (JSON: type, preview, size, length)."""
    try:
        length = len(value)
    except Exception:  # noqa: BLE001 - no len(), or a broken one
        length = None
    if type(length) is not int:
        length = None
    return json.dumps({"type": type(value).__name__, "preview": preview_of(value), "size": size,
                       "length": length}, ensure_ascii=False)


def summary_from(cell_id: Any, text: str) -> StoredSummary:
    data = json.loads(text)
    return StoredSummary(cell_id, str(data["type"]), str(data["preview"]), int(data["size"]),
                         data.get("length"))


def whole_value(store: Any, cell: Any) -> Any:
    """The cell's whole value: read from `store` when the cell holds only its `StoredSummary`. Raises what
    `full_value` raises (the cell is gone, or its value cannot be read back safely)."""
    value = cell.value
    if type(value) is StoredSummary:
        return store.full_value(cell.id)
    return value


def size_text(size: int) -> str:
    """A size for people: 512 bytes, 1.5 KB, 200.0 MB (powers of 1000, as file managers show them)."""
    if size < 1000:
        return f"{size} bytes"
    amount = float(size)
    for unit in ("KB", "MB", "GB"):
        amount /= 1000
        if amount < 1000:
            return f"{amount:.1f} {unit}"
    return f"{amount / 1000:.1f} TB"
