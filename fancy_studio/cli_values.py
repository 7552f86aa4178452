"""How the `fancy-studio run` command writes a value: as a line of text, and as JSON.

Any value a step returns must print without failing: a whole number too long for Python to write (over
4,300 digits), a value whose `repr` raises, a list nested 100,000 deep, a list of millions of items.

* Text (`value_text`): like `repr`, abbreviated: nesting deeper than `MAX_DEPTH` shows as `…`, and the
  whole stops at `MAX_TEXT` characters with a note of how much was left out.
* JSON (`json_value`): a structure `json.dumps(..., allow_nan=False)` always writes as valid JSON. Values JSON
  holds are written exactly; the rest by rule: NaN, Infinity and -Infinity (JSON has no such numbers, and a
  workflow file refuses them too) as the strings "NaN", "Infinity" and "-Infinity"; a whole number over
  4,300 digits as a string (its leading and trailing digits and its length); a tuple as a list; a key
  that is not text, and any other object, as its abbreviated `repr`; nesting deeper than `MAX_DEPTH` as
  the string "…".
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from fancy_studio.core.data_types import Image
from fancy_studio.core.value_summary import TableOutline, table_outline

MAX_DEPTH = 100
"""Levels of nesting written out; deeper ones are shown as `…`."""

MAX_TEXT = 10_000
"""Characters of one value's text."""

DEEPER = "…"


TABLE_HEAD_ROWS = 20
"""Rows of a table `json_value` writes (with the table's size and column names)."""


def _outline_text(outline: TableOutline) -> str:
    shown = ", ".join(outline.names[:12]) + (", …" if outline.columns > 12 else "")
    return f"table: {outline.size_text()}" + (f" ({shown})" if outline.names else "")


def value_text(value: Any) -> str:
    """`repr(value)`, abbreviated to at most `MAX_TEXT` characters (and a note); never raises. A table is
    its size and column names (its repr runs over many lines)."""
    outline = table_outline(value)
    if outline is not None:
        return _outline_text(outline)
    parts: list[str] = []
    length = 0
    for piece in _repr_pieces(value, 0):
        if length + len(piece) > MAX_TEXT:
            parts.append(piece[: MAX_TEXT - length])
            parts.append(f"… (cut at {MAX_TEXT:,} characters)")
            break
        parts.append(piece)
        length += len(piece)
    return "".join(parts)


def _repr_pieces(value: Any, depth: int) -> Iterator[str]:
    kind = type(value)
    if kind is int:
        yield _int_text(value)
    elif kind is str:
        if len(value) <= MAX_TEXT:
            yield repr(value)
        else:
            yield repr(value[:MAX_TEXT]) + f"…({len(value):,} characters)"
    elif kind is float or kind is bool or value is None:
        yield repr(value)
    elif kind is list or kind is tuple or kind is dict:
        if depth >= MAX_DEPTH:
            yield DEEPER
            return
        opening, closing = {list: "[]", tuple: "()", dict: "{}"}[kind]
        yield opening
        if kind is dict:
            for i, (key, item) in enumerate(value.items()):
                if i:
                    yield ", "
                yield from _repr_pieces(key, depth + 1)
                yield ": "
                yield from _repr_pieces(item, depth + 1)
        else:
            for i, item in enumerate(value):
                if i:
                    yield ", "
                yield from _repr_pieces(item, depth + 1)
            if kind is tuple and len(value) == 1:
                yield ","
        yield closing
    else:
        yield _object_text(value)


def _int_text(value: int) -> str:
    """A whole number's digits, or, beyond what Python writes (4,300 digits), its first and last digits
    and its length (found without writing it: that is what takes minutes)."""
    if value.bit_length() < 14_000:  # under 4,215 digits: always written
        return str(value)
    try:
        return str(value)
    except ValueError:
        pass
    size = abs(value)
    digits = math.floor(math.log10(size)) + 1
    leading = f"{10 ** (math.log10(size) % 1):.12f}".replace(".", "")[:10]
    trailing = f"{size % 10**10:010d}"
    return f"{'-' if value < 0 else ''}{leading}…{trailing} ({digits:,} digits)"


def _object_text(value: Any) -> str:
    """`repr(value)` for any other object, cut to `MAX_TEXT`, or a description when its repr fails."""
    try:
        text = repr(value)
        if not isinstance(text, str):
            raise TypeError
    except BaseException:  # noqa: BLE001 - a value's broken __repr__ may raise anything
        name = getattr(type(value), "__name__", "object")
        return f"<{name if isinstance(name, str) else 'object'} object (its repr failed)>"
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def json_value(value: Any, depth: int = 0) -> Any:
    """`value` as something `json.dumps(..., allow_nan=False)` writes (see the module docstring)."""
    if value is None or isinstance(value, (str, bool)):
        return str(value) if isinstance(value, str) and type(value) is not str else value
    if isinstance(value, int):
        value = int(value)
        return value if value.bit_length() < 14_000 else _big_int_json(value)
    if isinstance(value, float):
        value = float(value)
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (list, tuple, dict)):
        if depth >= MAX_DEPTH:
            return DEEPER
        if isinstance(value, dict):
            return {key if type(key) is str else value_text(key): json_value(item, depth + 1)
                    for key, item in value.items()}
        return [json_value(item, depth + 1) for item in value]
    outline = table_outline(value)
    if outline is not None and hasattr(value, "head"):  # pandas
        head = value.head(TABLE_HEAD_ROWS)
        records = head.to_frame().to_dict("records") if head.ndim == 1 else head.to_dict("records")
        columns = [str(c) for c in (head.to_frame() if head.ndim == 1 else head).columns]
        return {"type": "table", "rows": outline.rows, "columns": columns,
                "head": json_value([{str(k): v for k, v in row.items()} for row in records], depth + 1)}
    if (type(value).__module__ or "").split(".")[0] == "numpy" and hasattr(value, "item"):
        return json_value(value.item(), depth)  # a numpy number of a table's row: the Python number
    if hasattr(value, "isoformat") and (type(value).__module__ or "").split(".")[0] in ("pandas", "datetime"):
        return value.isoformat()
    if type(value) is Image:
        return {"type": "image", "width": value.width, "height": value.height, "png_bytes": len(value.png)}
    return value_text(value)


def _big_int_json(value: int) -> int | str:
    try:
        str(value)  # written as a number when Python can write it
    except ValueError:
        return _int_text(value)
    return value
