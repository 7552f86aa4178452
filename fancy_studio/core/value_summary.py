"""What a reader sees of a large stored value without loading it: its type, a short preview and its size.

The studio shows values it did not make (the kernel process made them and wrote them to the store), and a
step may return hundreds of megabytes. So the writer adds a small summary to the row of every value whose
encoded blob exceeds `SUMMARY_BYTES`, and a store opened with `summaries=True` (the studio's) gives that
summary, a `StoredSummary`, as the cell's value; the whole value is read only when the user asks for it
(`whole_value`: the value viewer, Copy, Export). See `docs/spec/007-stores.md`, "Summaries".

A table's summary also says its shape and first column names (`table_outline`), and an image's carries a
small PNG thumbnail, so the canvas can preview them (`gui/canvas/cell_preview.py`). Both are optional:
rows written before them, and values of other kinds, have none.
"""

from __future__ import annotations

import base64
import binascii
import json
import reprlib
from dataclasses import dataclass
from typing import Any

from fancy_studio.core.value_kinds import is_image, is_table

SUMMARY_BYTES = 256 << 10
"""A value whose encoded blob is larger than this gets a summary in its row (smaller ones are read whole:
decoding them costs less than a second query would)."""
PREVIEW_CHARS = 400
"""The longest preview kept in a summary (the Datums dock shows 80 characters, its tooltip more)."""
OUTLINE_NAMES = 20
"""At most this many column names are kept of a table (the canvas shows the first few)."""
NAME_CHARS = 60
"""A column name longer than this is cut (with "…")."""


@dataclass(frozen=True, slots=True)
class TableOutline:
    """A table's size and its first column names (at most `OUTLINE_NAMES`), for a preview."""

    rows: int
    columns: int
    names: tuple[str, ...] = ()

    def size_text(self) -> str:
        """'1,000 rows × 5 columns' (singular for one)."""
        rows = f"{self.rows:,} row{'s' if self.rows != 1 else ''}"
        return f"{rows} × {self.columns:,} column{'s' if self.columns != 1 else ''}"


def _name(name: Any) -> str:
    text = str(name)
    return text if len(text) <= NAME_CHARS else text[: NAME_CHARS - 1] + "…"


def table_outline(value: Any) -> TableOutline | None:
    """The outline of a table (`value_kinds.is_table`: pandas DataFrame or Series, pyarrow Table, 2-D numpy
    array, list of dicts), read from its shape and column index only; None for any other value."""
    if not is_table(value):
        return None
    try:
        module = type(value).__module__.split(".", 1)[0]
        if module == "pandas":
            if value.ndim == 1:  # a Series: one column, under its name
                names = () if value.name is None else (_name(value.name),)
                return TableOutline(len(value), 1, names)
            rows, columns = value.shape
            return TableOutline(rows, columns, tuple(_name(n) for n in value.columns[:OUTLINE_NAMES]))
        if module == "pyarrow":
            return TableOutline(value.num_rows, value.num_columns,
                                tuple(_name(n) for n in value.column_names[:OUTLINE_NAMES]))
        if module == "numpy":
            rows, columns = value.shape
            return TableOutline(rows, columns)
        first = list(value[0])  # a list of dicts: the first row's keys
        return TableOutline(len(value), len(first), tuple(_name(n) for n in first[:OUTLINE_NAMES]))
    except Exception:  # noqa: BLE001 - an odd table (a broken subclass) has no outline, never an error
        return None


@dataclass(frozen=True, slots=True)
class StoredSummary:
    """A large value left on disk: what the canvas and the Datums dock show of it.

    `size` is the bytes its encoded form takes in the store; `length` is `len(value)` when it has one.
    A table's has its `outline`; an image's its `thumbnail` (PNG bytes, at most `THUMBNAIL_SIDE` pixels)."""

    cell_id: Any
    type_name: str
    preview: str
    size: int
    length: int | None = None
    outline: TableOutline | None = None
    thumbnail: bytes | None = None


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


def thumbnail_of(value: Any) -> bytes | None:
    """A small PNG of an image value (see `core.image_png`), or None: not an image, or it cannot be drawn
    (a summary is written whatever happens to its thumbnail)."""
    if not is_image(value):
        return None
    from fancy_studio.core.image_png import png_of, thumbnail_png

    try:
        png = png_of(value)
        return thumbnail_png(png) if png is not None else None
    except Exception:  # noqa: BLE001 - a figure that fails to draw, a damaged PIL image
        return None


def summary_json(value: Any, size: int) -> str:
    """The summary text written to a row (JSON: type, preview, size, length; a table's `shape` and
    `columns`, an image's `thumbnail` as base64 PNG)."""
    try:
        length = len(value)
    except Exception:  # noqa: BLE001 - no len(), or a broken one
        length = None
    if type(length) is not int:
        length = None
    data: dict[str, Any] = {"type": type(value).__name__, "preview": preview_of(value), "size": size,
                            "length": length}
    outline = table_outline(value)
    if outline is not None:
        data["shape"], data["columns"] = [outline.rows, outline.columns], list(outline.names)
    thumbnail = thumbnail_of(value)
    if thumbnail is not None:
        data["thumbnail"] = base64.b64encode(thumbnail).decode("ascii")
    return json.dumps(data, ensure_ascii=False)


def _outline_from(data: dict[str, Any]) -> TableOutline | None:
    shape, names = data.get("shape"), data.get("columns") or []
    if not (isinstance(shape, list) and len(shape) == 2 and all(type(n) is int and n >= 0 for n in shape)):
        return None
    if not isinstance(names, list):
        return None
    return TableOutline(shape[0], shape[1], tuple(str(name) for name in names[:OUTLINE_NAMES]))


def _thumbnail_from(data: dict[str, Any]) -> bytes | None:
    text = data.get("thumbnail")
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def summary_from(cell_id: Any, text: str) -> StoredSummary:
    """The `StoredSummary` of a row's summary text; its optional parts (outline, thumbnail) are left out
    when absent (rows written before them) or malformed."""
    data = json.loads(text)
    return StoredSummary(cell_id, str(data["type"]), str(data["preview"]), int(data["size"]),
                         data.get("length"), _outline_from(data), _thumbnail_from(data))


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
