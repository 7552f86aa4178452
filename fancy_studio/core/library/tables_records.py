"""Between tables and plain Python values: rows as dicts, a column as a list, a column computed per row.

What leaves a table is plain, JSON-friendly Python (the values other functions, the workflow file and the
Datums dock understand): numpy's numbers become `int`, `float` or `bool`, missing values (NaN, None, NaT,
pandas' NA) become None, dates and times ISO 8601 text ("2024-03-01T09:30:00"), a time span its text.
Infinite floats stay floats.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from fancy_studio.core.data_types import DataFrame
from fancy_studio.core.functions import fancy_function
from fancy_studio.core.library.tables_checks import check_columns, check_name, check_table


def plain(value: Any) -> Any:
    """`value` as a plain Python value (see the module docstring)."""
    # the common kinds first: this runs once per cell
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return None if math.isnan(value) else value
    if kind.__name__ in ("datetime64", "timedelta64"):  # numpy's: their item() may be a count of ns
        import pandas as pd

        value = (pd.Timestamp if kind.__name__ == "datetime64" else pd.Timedelta)(value)
        kind = type(value)
    item = getattr(value, "item", None)  # a numpy scalar
    if item is not None and getattr(value, "shape", None) == () and callable(item):
        value = item()
        kind = type(value)
        if kind is float and math.isnan(value):
            return None
    if kind.__name__ in ("NaTType", "NAType"):
        return None
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _check_unique_names(table: Any, what: str) -> None:
    if not table.columns.is_unique:
        repeated = sorted({str(name) for name in table.columns[table.columns.duplicated()]})
        raise ValueError(f"{what}: the table has more than one column named {', '.join(map(repr, repeated))}")


@fancy_function("table.from_records", title="Table from Records")
def from_records(records: list[dict]) -> DataFrame:
    """A table made of rows given as dicts, one per row: [{"region": "West", "amount": 120}, …]. The
    columns are the keys, in the order they first appear; a key a row lacks is a missing value there.
    `records`: the rows (a list of dicts; an empty list makes an empty table)."""
    what = "table.from_records"
    if not isinstance(records, list):
        raise TypeError(f"{what}: 'records' must be a list of dicts (one per row); "
                        f"it is a {type(records).__name__}")
    for number, row in enumerate(records):
        if not isinstance(row, dict):
            raise TypeError(f"{what}: row {number} is a {type(row).__name__} ({row!r:.60}); "
                            "each row must be a dict of column name → value")
        for key in row:
            check_name(key, what)
    import pandas as pd

    return pd.DataFrame(records)


@fancy_function("table.to_records", title="Table to Records")
def to_records(table: DataFrame) -> list[dict]:
    """The table's rows as a list of dicts, one per row, column name → value, in plain values: missing
    values are None, dates are ISO text ("2024-03-01T09:30:00"). `table`: the table."""
    what = "table.to_records"
    check_table(table, what)
    _check_unique_names(table, what)
    names = [name if isinstance(name, str) else plain(name) for name in table.columns]
    columns = [[plain(value) for value in table.iloc[:, index].tolist()] for index in range(len(names))]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)] if names else (
        [{} for _ in range(len(table))])


@fancy_function("table.column", title="Column to List")
def column(table: DataFrame, column: str) -> list:
    """The values of one column, top to bottom, as a list of plain values (missing values are None,
    dates ISO text). `table`: the table; `column`: the column's name."""
    what = "table.column"
    check_table(table, what)
    check_columns(table, [column], what)
    cells = table[column]
    if cells.ndim != 1:
        raise ValueError(f"{what}: the table has more than one column named {column!r}")
    return [plain(value) for value in cells.tolist()]


@fancy_function("table.add_column", title="Add Column from Function")
def add_column(table: DataFrame, name: str, function: str, column: str) -> DataFrame:
    """A copy of the table with a new column `name`, computed row by row: the registered function whose
    slug is `function` (such as "math.increment" or "text.upper") is called with the row's value in
    `column` as its first input; its other inputs take their defaults, so it may need only one input
    without a default. A missing value stays missing (the function is not called for it). A column
    already named `name` is replaced. `table`: the table; `name`: the new column's name; `function`: the
    slug of the function to apply; `column`: the column whose values it is given."""
    what = "table.add_column"
    check_table(table, what)
    check_name(name, what)
    check_columns(table, [column], what)
    target = _row_function(function, what)
    cells = table[column]
    if cells.ndim != 1:
        raise ValueError(f"{what}: the table has more than one column named {column!r}")
    values = []
    for number, value in enumerate(cells.tolist()):
        value = plain(value)
        if value is None:
            values.append(None)
            continue
        try:
            values.append(target(value))
        except Exception as exc:
            if not _rebuildable(exc):
                raise
            raise type(exc)(f"{what}: {function} failed on row {number} ({column} = {value!r:.60}): "
                            f"{exc}") from exc
    result = table.copy()
    import pandas as pd

    result[name] = pd.Series(values, index=table.index, dtype=None if values else "object")
    return result


def _row_function(slug: Any, what: str) -> Any:
    """The registered function `slug` names, wrapped to take one value; looked up in the registry only
    (never imported or evaluated). A clear error for an unknown slug or a function that needs more."""
    from fancy_studio.core.functions import registry

    if not isinstance(slug, str) or not slug:
        raise TypeError(f"{what}: 'function' must be a function's slug, such as 'math.increment'; "
                        f"it is {slug!r:.60}")
    function = registry.find(slug)
    if function is None:
        raise ValueError(f"{what}: no installed function has the slug {slug!r} (see the palette, or "
                         "`fancy-studio functions`, for the slugs there are)")
    if not function.inputs:
        raise ValueError(f"{what}: {slug} takes no inputs, so it cannot be given each row's value")
    if len(function.outputs) != 1:
        raise ValueError(f"{what}: {slug} has {len(function.outputs)} outputs; add_column needs a function "
                         "with one")
    first, *rest = function.inputs
    required = [port.name for port in rest if port.required]
    if required:
        raise ValueError(f"{what}: {slug} needs more than one input without a default ({first.name}, "
                         f"{', '.join(required)}); add_column gives it only each row's value, "
                         f"as {first.name}")
    return lambda value: function.func(**{first.name: value})


def _rebuildable(exc: Exception) -> bool:
    """True when `exc` can be raised again as its own type with a new message (most built-in errors)."""
    return type(exc) in (ValueError, TypeError, ArithmeticError, ZeroDivisionError, OverflowError,
                         IndexError, AttributeError, RuntimeError)
