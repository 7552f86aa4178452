"""`table.filter_rows`: keep the rows whose cell in one column passes a test, chosen from a fixed list.

The test is structured (a column, an operator from `FILTER_OPS`, a value), never an expression string:
nothing a workflow holds is evaluated as code (no `DataFrame.query` or `eval`).

A parameter typed in the studio may be text where a number is meant ("100"), so the value is converted to
the column's kind before comparing: text that reads as a number for a number column, "true"/"false" for a
column of yes/no values, a date or time for a date column. A value that cannot be converted is an error
naming the column, not an empty result. A number compared with a text column is compared as text for
`==`, `!=` and `in` ("02134" == 2134 is false, "2134" == 2134 is true).

Missing cells (empty in the CSV, NaN, None) pass only `!=` (a missing value is not equal to anything);
`== None` keeps the rows whose cell is missing and `!= None` the rows whose cell is present.
"""

from __future__ import annotations

import numbers
from typing import Any, Literal

from fancy_studio.core.data_types import DataFrame
from fancy_studio.core.functions import fancy_function
from fancy_studio.core.library.tables_checks import check_choice, check_columns, check_table, column_kind

FilterOp = Literal["==", "!=", "<", "<=", ">", ">=", "contains", "startswith", "in"]
FILTER_OPS: tuple[str, ...] = ("==", "!=", "<", "<=", ">", ">=", "contains", "startswith", "in")

_WHAT = "table.filter_rows"
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


@fancy_function("table.filter_rows", title="Filter Rows")
def filter_rows(table: DataFrame, column: str, op: FilterOp, value: Any) -> DataFrame:
    """Keep the rows whose cell in `column` passes the test `op` against `value`; the rows kept are
    renumbered from 0. `table`: the table to filter; `column`: the column to test; `op`: one of ==, !=, <,
    <=, >, >= (compare), contains or startswith (text: the cell contains, or begins with, `value`), in (the
    cell is one of the items of `value`, a list); `value`: what to compare with. Text that reads as a
    number is compared as a number in a number column ("100" as 100). A missing cell passes only !=;
    `== None` keeps the rows whose cell is missing."""
    check_table(table, _WHAT)
    check_columns(table, [column], _WHAT)
    check_choice(op, FILTER_OPS, _WHAT, "op")
    cells = table[column]
    if cells.ndim != 1:
        raise ValueError(f"{_WHAT}: the table has more than one column named {column!r}")
    keep = _mask(cells, column, op, value)
    return table.loc[keep.to_numpy(dtype=bool, na_value=False)].reset_index(drop=True)


def _mask(cells: Any, column: str, op: str, value: Any) -> Any:
    """True for each cell that passes (a boolean Series)."""
    if op == "in":
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise TypeError(f"{_WHAT}: 'in' needs a list of values to look for; the value is a "
                            f"{type(value).__name__} ({value!r:.60})")
        wanted = [_converted(cells, column, item, op) for item in value]
        present = [item for item in wanted if item is not None]
        mask = cells.isin(present)
        return mask | cells.isna() if len(present) < len(wanted) else mask
    if op in ("contains", "startswith"):
        if value is None or isinstance(value, (list, dict)):
            raise TypeError(f"{_WHAT}: '{op}' looks for a piece of text; the value is {value!r:.60}")
        text = cells.astype("string")  # numbers and dates as they read; missing stays missing
        piece = value if isinstance(value, str) else str(value)
        found = text.str.contains(piece, regex=False) if op == "contains" else text.str.startswith(piece)
        return found.fillna(False)
    if value is None:
        if op == "==":
            return cells.isna()
        if op == "!=":
            return cells.notna()
        raise TypeError(f"{_WHAT}: '{op}' cannot compare with a missing value (None); use == or !=")
    if isinstance(value, (list, dict)):
        raise TypeError(f"{_WHAT}: '{op}' compares with one value; the value is a {type(value).__name__}"
                        + (" (use 'in' for a list)" if isinstance(value, list) else ""))
    target = _converted(cells, column, value, op)
    try:
        passed = _compare(cells, op, target)
    except TypeError:
        raise TypeError(f"{_WHAT}: cannot compare column {column!r} (of {column_kind(cells)}) with "
                        f"{value!r:.60} using {op}") from None
    return passed | cells.isna() if op == "!=" else passed


def _compare(cells: Any, op: str, target: Any) -> Any:
    if op == "==":
        return cells == target
    if op == "!=":
        return cells != target
    if op == "<":
        return cells < target
    if op == "<=":
        return cells <= target
    if op == ">":
        return cells > target
    return cells >= target


def _converted(cells: Any, column: str, value: Any, op: str) -> Any:
    """`value` as the kind of value `cells` hold (see the module docstring); None stays None."""
    from pandas.api import types

    if value is None:
        return None
    dtype = cells.dtype
    if types.is_bool_dtype(dtype):
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE or word in _FALSE:
                return word in _TRUE
            raise ValueError(f"{_WHAT}: column {column!r} holds yes/no values; "
                             f"{value!r:.60} is not true or false")
        return value
    if types.is_numeric_dtype(dtype):
        if isinstance(value, str):
            return _number(value, column)
        return value
    if types.is_datetime64_any_dtype(dtype):
        import pandas as pd

        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise ValueError(f"{_WHAT}: column {column!r} holds dates; {value!r:.60} is not a date") from None
        zone = getattr(dtype, "tz", None)
        if zone is not None and stamp.tzinfo is None:
            return stamp.tz_localize(zone)
        return stamp
    if (types.is_string_dtype(dtype) and op in ("==", "!=", "in")
            and isinstance(value, numbers.Number) and not isinstance(value, bool)):
        return _number_text(value)
    return value


def _number(text: str, column: str) -> int | float:
    cleaned = text.strip().replace("_", "")
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        raise ValueError(f"{_WHAT}: column {column!r} holds numbers; {text!r:.60} is not a number") from None


def _number_text(value: Any) -> str:
    """A number as a text cell would hold it: 2134 → "2134", 2.5 → "2.5", 3.0 → "3"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
