"""A table value as named column arrays, read a page at a time, sorted and filtered without a Python loop.

The table viewer shows tables of a million rows; it must never turn the whole table into Python objects,
nor sort through Qt's proxy (79 s for 100k rows). `TableSource` keeps one numpy array per column and
answers a page (`page(start, count, query)`) as plain JSON lists, so the same answer serves the studio
directly and crosses the kernel's pipe as JSON. Sorting is pyarrow's stable `array_sort_indices` (missing
values last, either way); the filter is pyarrow's `match_substring` on each column cast to text once. An
ordering or a filter is computed once per query and kept (`ORDERS_KEPT`).

What counts as a table: a pandas DataFrame or Series, a pyarrow Table or RecordBatch, a 2-D numpy array
(columns "0".."n-1"), a list of dicts (columns: the union of the keys, in the order the first 1,000 rows
give them, then later ones as they come). numpy, pandas and pyarrow are imported only when a table is read.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from fancy_studio.core.value_kinds import is_table
from fancy_studio.core.value_summary import StoredSummary

ORDERS_KEPT = 4
"""Row orders (a sort, a filter, both) kept per source: going back to the previous one is instant."""
KEYS_SCANNED = 1000
"""Rows of a list of dicts whose keys decide the column order."""
SUMMARY_TABLE_TYPES = {"DataFrame", "Series", "Table", "RecordBatch"}


class TableSourceError(ValueError):
    """The value is not a table this module can read, or a query names a column it lacks."""


def looks_like_table(value: Any) -> bool:
    """True for a table (see the module docstring), also when only its `StoredSummary` is at hand (by the
    stored type's name and preview: a 2-D array's preview starts `array([[`, a list of dicts' `[{`)."""
    if type(value) is StoredSummary:
        if value.type_name in SUMMARY_TABLE_TYPES:
            return True
        preview = value.preview.lstrip()
        return (value.type_name == "ndarray" and preview.startswith("array([[")) or (
            value.type_name == "list" and preview.startswith("[{"))
    return is_table(value)


@dataclass(frozen=True)
class TableQuery:
    """Which rows, in which order: sorted by one column (its index) or not, filtered by text or not.

    The filter keeps the rows where `filter_text` is in the cell's text (ignoring case): in any column, or
    in `filter_column` only when given."""

    sort_column: int | None = None
    descending: bool = False
    filter_text: str = ""
    filter_column: int | None = None

    @property
    def plain(self) -> bool:
        return self.sort_column is None and not self.filter_text


class TableSource:
    """Named column arrays of equal length, with their type names; pages of them as JSON lists."""

    def __init__(self, names: list[str], arrays: list[Any], dtypes: list[str]) -> None:
        lengths = {len(array) for array in arrays}
        if len(lengths) > 1:
            raise TableSourceError(f"the columns differ in length: {sorted(lengths)}")
        self.columns = names
        self.dtypes = dtypes
        self.arrays = arrays
        self.total_rows = lengths.pop() if lengths else 0
        self._lock = threading.RLock()
        """Held while an order is computed or looked up: a viewer's export may read while a sort runs."""
        self._orders: OrderedDict[TableQuery, Any] = OrderedDict()
        self._arrow: dict[int, Any] = {}
        self._text: dict[int, Any] = {}
        self._lower: dict[int, Any] = {}

    # --- building ----------------------------------------------------------------------------------

    @classmethod
    def from_value(cls, value: Any) -> TableSource:
        """Any table-like value as columns; `TableSourceError` for anything else."""
        if isinstance(value, TableSource):
            return value
        module = (type(value).__module__ or "").split(".", 1)[0]
        name = type(value).__name__
        if module == "pandas" and is_table(value):
            return cls._from_pandas(value)
        if module == "pyarrow" and is_table(value):
            return cls._from_arrow(value)
        if module == "numpy" and getattr(value, "ndim", 0) in (1, 2):
            return cls._from_numpy(value)
        if type(value) is list and all(type(row) is dict for row in value):
            return cls._from_records(value)
        raise TableSourceError(f"a {name} is not a table (a DataFrame, Series, pyarrow Table, 2-D array "
                               "or list of dicts)")

    @classmethod
    def _from_pandas(cls, value: Any) -> TableSource:
        frame = value.to_frame(name=value.name if value.name is not None else "value") \
            if type(value).__name__ == "Series" or not hasattr(value, "columns") else value
        names, arrays, dtypes = [], [], []
        index = frame.index
        if not _plain_range(index):
            for level in range(index.nlevels):
                values = index.get_level_values(level)
                label = index.names[level]
                names.append(str(label) if label is not None else ("index" if index.nlevels == 1 else
                                                                   f"index {level}"))
                arrays.append(_pandas_column(values))
                dtypes.append(str(values.dtype))
        for position in range(frame.shape[1]):
            column = frame.iloc[:, position]
            label = frame.columns[position]
            names.append(" / ".join(map(str, label)) if isinstance(label, tuple) else str(label))
            arrays.append(_pandas_column(column))
            dtypes.append(str(column.dtype))
        return cls(names, arrays, dtypes)

    @classmethod
    def _from_arrow(cls, value: Any) -> TableSource:
        arrays = [_arrow_or_numpy(column) for column in value.columns]
        return cls([str(name) for name in value.column_names], arrays,
                   [str(field.type) for field in value.schema])

    @classmethod
    def _from_numpy(cls, value: Any) -> TableSource:
        import numpy as np

        if value.ndim == 1:
            return cls(["0"], [value], [str(value.dtype)])
        arrays = [np.ascontiguousarray(value[:, column]) for column in range(value.shape[1])]
        names = [str(column) for column in range(value.shape[1])]
        return cls(names, arrays, [str(value.dtype)] * len(arrays))

    @classmethod
    def _from_records(cls, rows: list[dict]) -> TableSource:
        import pandas as pd

        keys: dict[Any, None] = {}
        for row in rows[:KEYS_SCANNED]:
            keys.update(dict.fromkeys(row))
        for row in rows[KEYS_SCANNED:]:
            if not row.keys() <= keys.keys():
                keys.update(dict.fromkeys(row))
        frame = pd.DataFrame.from_records(rows, columns=list(keys))
        return cls._from_pandas(frame)

    # --- queries -----------------------------------------------------------------------------------

    def column_index(self, column: int | str) -> int:
        """The position of a column given by position or name; `TableSourceError` naming it if absent."""
        if isinstance(column, int) and not isinstance(column, bool):
            if 0 <= column < len(self.columns):
                return column
        elif column in self.columns:
            return self.columns.index(column)
        raise TableSourceError(f"the table has no column {column!r} (its columns: {', '.join(self.columns)})")

    def order(self, query: TableQuery = TableQuery()) -> Any:
        """The rows `query` shows, in order, as row numbers (an int64 array); None: all, as they are."""
        if query.plain:
            return None
        with self._lock:
            return self._order(query)

    def _order(self, query: TableQuery) -> Any:
        kept = self._orders.get(query)
        if kept is not None:
            self._orders.move_to_end(query)
            return kept
        import numpy as np

        rows = None
        if query.sort_column is not None:
            rows = self._sorted(self.column_index(query.sort_column), query.descending)
        if query.filter_text:
            mask = self._matches(query.filter_text, query.filter_column)
            rows = np.flatnonzero(mask) if rows is None else rows[mask[rows]]
        self._orders[query] = rows
        while len(self._orders) > ORDERS_KEPT:
            self._orders.popitem(last=False)
        return rows

    def row_count(self, query: TableQuery = TableQuery()) -> int:
        rows = self.order(query)
        return self.total_rows if rows is None else len(rows)

    def page(self, start: int, count: int, query: TableQuery = TableQuery()) -> dict[str, Any]:
        """Rows `start` to `start + count` of what `query` shows: {columns, dtypes, row_count, total_rows,
        start, rows (the row numbers in the table), cells (one JSON list per column)}."""
        import numpy as np

        rows = self.order(query)
        shown = self.total_rows if rows is None else len(rows)
        start = max(0, min(int(start), shown))
        stop = max(start, min(shown, start + max(0, int(count))))
        picked = np.arange(start, stop) if rows is None else rows[start:stop]
        cells = [_page_of(array, picked, start, stop, rows is None) for array in self.arrays]
        return {"columns": list(self.columns), "dtypes": list(self.dtypes), "row_count": shown,
                "total_rows": self.total_rows, "start": start, "rows": picked.tolist(), "cells": cells}

    # --- sorting and filtering ---------------------------------------------------------------------

    def _arrow_column(self, column: int) -> Any:
        """The column as a pyarrow array (NaN and None as null), made once; a column of mixed Python
        objects becomes their text."""
        kept = self._arrow.get(column)
        if kept is None:
            import pyarrow as pa

            array = self.arrays[column]
            if not isinstance(array, _numpy_array()):
                kept = array.combine_chunks() if hasattr(array, "combine_chunks") else array
                self._arrow[column] = kept
                return kept
            try:
                kept = pa.array(array, from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError):
                kept = pa.array(_texts(array), from_pandas=True)
            self._arrow[column] = kept
        return kept

    def _sorted(self, column: int, descending: bool) -> Any:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        array = self._arrow_column(column)
        try:
            order = pc.array_sort_indices(array, order="descending" if descending else "ascending",
                                          null_placement="at_end")
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):  # a type arrow cannot order: by its text
            order = pc.array_sort_indices(self._text_column(column), null_placement="at_end",
                                          order="descending" if descending else "ascending")
        return np.asarray(order, dtype=np.int64)

    def _text_column(self, column: int) -> Any:
        kept = self._text.get(column)
        if kept is None:
            import pyarrow as pa
            import pyarrow.compute as pc

            array = self._arrow_column(column)
            try:
                kept = pc.cast(array, pa.large_string())
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
                kept = pa.array(_texts(self.arrays[column]), type=pa.large_string(), from_pandas=True)
            self._text[column] = kept
        return kept

    def _search_text(self, column: int) -> Any:
        """The column's text in lower case, made once: a search is then a plain substring match (arrow's
        `ignore_case` goes through a regular expression, several times slower). Numbers, dates and
        booleans cast to text are lower case already."""
        kept = self._lower.get(column)
        if kept is None:
            import pyarrow.compute as pc
            from pyarrow import types

            kind = self._arrow_column(column).type
            text = self._text_column(column)
            lower_already = types.is_integer(kind) or types.is_floating(kind) or types.is_boolean(kind) or (
                types.is_temporal(kind) and not getattr(kind, "tz", None))
            kept = text if lower_already else pc.utf8_lower(text)
            self._lower[column] = kept
        return kept

    def _matches(self, text: str, column: int | str | None) -> Any:
        """A boolean array: the rows where `text` is in the chosen column's text (any column's: None),
        ignoring case."""
        import numpy as np
        import pyarrow.compute as pc

        columns = range(len(self.columns)) if column is None else [self.column_index(column)]
        mask = np.zeros(self.total_rows, dtype=bool)
        pattern = text.lower()
        for index in columns:
            if not _could_be_in(self._arrow_column(index).type, pattern):
                continue  # e.g. letters in a column of numbers: no need to make its text
            found = pc.match_substring(self._search_text(index), pattern)
            mask |= np.asarray(pc.fill_null(found, False), dtype=bool)
        return mask


_NUMBER_TEXT = frozenset("0123456789-+.e") | frozenset("nainf")
"""Every character a number's text can hold (1e+20, -1.5e-07, nan, inf)."""
_TIME_TEXT = frozenset("0123456789-: .")
"""Every character a date's or a duration's text (without a time zone) can hold."""


def _could_be_in(kind: Any, pattern: str) -> bool:
    """False when no cell of a column of this arrow type can contain `pattern` (lower case) as text."""
    from pyarrow import types

    if types.is_integer(kind) or types.is_floating(kind):
        return set(pattern) <= _NUMBER_TEXT
    if types.is_boolean(kind):
        return pattern in "true" or pattern in "false"
    if types.is_temporal(kind) and not getattr(kind, "tz", None):
        return set(pattern) <= _TIME_TEXT
    return True


def _numpy_array() -> type:
    import numpy as np

    return np.ndarray


def _pandas_column(values: Any) -> Any:
    """A pandas column (or index level) as a numpy array when numpy holds it (numbers, dates: no copy),
    else as a pyarrow array (pandas' text, categories, nullable numbers: no Python object per row); a
    column of mixed Python objects stays a numpy object array."""
    kind = getattr(values.dtype, "kind", "O")
    if type(values.dtype).__module__.startswith("numpy") and kind in "biufmMUS":
        return values.to_numpy()
    import pyarrow as pa

    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError):
        return values.to_numpy(dtype=object)


def _arrow_or_numpy(column: Any) -> Any:
    """A pyarrow column: numbers as numpy (no copy when there are no nulls), anything else kept as it is."""
    from pyarrow import types

    if (types.is_integer(column.type) or types.is_floating(column.type)) and column.null_count == 0:
        return column.to_numpy()
    return column


def _page_of(array: Any, picked: Any, start: int, stop: int, in_order: bool) -> list[Any]:
    if isinstance(array, _numpy_array()):
        return json_cells(array[start:stop] if in_order else array[picked])
    import pyarrow as pa

    part = array.slice(start, stop - start) if in_order else array.take(pa.array(picked))
    return json_objects(part.to_pylist())


def _plain_range(index: Any) -> bool:
    """A DataFrame's default index (0, 1, 2, …): not worth a column."""
    start, step = getattr(index, "start", None), getattr(index, "step", None)
    return type(index).__name__ == "RangeIndex" and start == 0 and step == 1 and index.name is None


def _texts(array: Any) -> list[Any]:
    """Each object's text (None stays None): for a column of mixed objects arrow cannot type."""
    return [None if item is None or (isinstance(item, float) and math.isnan(item)) else str(item)
            for item in array.tolist()]


_PLAIN = (str, int, float, bool, type(None))


def json_cells(array: Any) -> list[Any]:
    """A page of one column as JSON-friendly values: numbers, text, booleans, None; anything else
    (dates, decimals, objects) as its text. NaN stays a float NaN (the kernel's JSON allows it)."""
    kind = getattr(getattr(array, "dtype", None), "kind", "O")
    if kind in "biuf":
        return array.tolist()
    if kind in "US":
        return [item if isinstance(item, str) else repr(item) for item in array.tolist()]
    if kind == "M":
        import numpy as np

        texts = np.datetime_as_string(array, unit="auto").tolist()
        return [None if text == "NaT" else text.replace("T", " ") for text in texts]
    if kind == "m":
        return [None if text == "NaT" else text for text in (str(item) for item in array)]
    return json_objects(array.tolist())


def json_objects(items: list[Any]) -> list[Any]:
    """Python objects as JSON-friendly values (see `json_cells`)."""
    out = []
    for item in items:
        kind_of = type(item)
        if kind_of in _PLAIN:
            out.append(item)
        elif kind_of.__name__ in ("NAType", "NaTType"):
            out.append(None)
        elif kind_of is bytes:
            out.append(repr(item))
        else:
            out.append(str(item))
    return out
