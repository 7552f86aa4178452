"""Changing tables: choosing, renaming and dropping columns, sorting, grouping, joining, summarising.

Every function returns a new table and leaves the one it was given unchanged. Rows are numbered 0, 1, 2, …
in every result (the index is reset after rows are dropped, sorted, grouped or joined), so the viewer shows
a plain row number and a written file has no index column to carry. A column name the table lacks is an
error naming it and listing the columns the table has. pandas is imported inside the functions.
"""

from __future__ import annotations

from typing import Any, Literal

from fancy_studio.core.data_types import DataFrame
from fancy_studio.core.functions import fancy_function
from fancy_studio.core.library.tables_checks import (
    check_choice,
    check_columns,
    check_name,
    check_table,
    column_kind,
    column_names,
)
from fancy_studio.core.library.tables_filter import filter_rows  # noqa: F401  (registers it)

Aggregate = Literal["sum", "mean", "min", "max", "count", "median"]
AGGREGATES: tuple[str, ...] = ("sum", "mean", "min", "max", "count", "median")
_NEEDS_NUMBERS = ("sum", "mean", "median")

JoinHow = Literal["inner", "left", "right", "outer"]
JOIN_HOWS: tuple[str, ...] = ("inner", "left", "right", "outer")


@fancy_function("table.select_columns", title="Select Columns")
def select_columns(table: DataFrame, columns: list[str]) -> DataFrame:
    """Keep only the `columns` named, in the order they are named. `table`: the table; `columns`: the
    names of the columns to keep (a list)."""
    what = "table.select_columns"
    check_table(table, what)
    names = column_names(columns, what)
    check_columns(table, names, what)
    return table.loc[:, names].copy()


@fancy_function("table.rename_columns", title="Rename Columns")
def rename_columns(table: DataFrame, mapping: dict[str, str]) -> DataFrame:
    """Give columns new names. `table`: the table; `mapping`: each old name with its new name, such as
    {"amt": "amount"}; columns not named keep their names."""
    what = "table.rename_columns"
    check_table(table, what)
    if not isinstance(mapping, dict):
        raise TypeError(f"{what}: 'mapping' must pair old names with new ones, like {{\"amt\": \"amount\"}}; "
                        f"it is a {type(mapping).__name__}")
    check_columns(table, list(mapping), what)
    for new in mapping.values():
        check_name(new, what)
    names = [mapping.get(name, name) for name in table.columns]
    seen: set[Any] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what}: two columns would be named {name!r}; rename one of them too")
        seen.add(name)
    return table.rename(columns=mapping)


@fancy_function("table.drop_columns", title="Drop Columns")
def drop_columns(table: DataFrame, columns: list[str]) -> DataFrame:
    """Remove the `columns` named and keep the rest. `table`: the table; `columns`: the names of the
    columns to remove (a list)."""
    what = "table.drop_columns"
    check_table(table, what)
    names = column_names(columns, what)
    check_columns(table, names, what)
    return table.drop(columns=names)


@fancy_function("table.sort", title="Sort Rows")
def sort(table: DataFrame, by: str | list[str], descending: bool = False) -> DataFrame:
    """The rows in order of the column `by` (or of several columns, the first deciding first), smallest
    first, or largest first when `descending` is on; rows with the same value keep their order, and
    missing values come last. `table`: the table; `by`: a column name or a list of names; `descending`:
    largest first."""
    what = "table.sort"
    check_table(table, what)
    names = column_names(by, what, "by")
    if not names:
        raise ValueError(f"{what}: 'by' names no column to sort by")
    check_columns(table, names, what)
    if not isinstance(descending, bool):
        raise TypeError(f"{what}: 'descending' must be true or false; it is {descending!r:.60}")
    try:
        ordered = table.sort_values(names, ascending=not descending, kind="stable", na_position="last")
    except TypeError:
        raise TypeError(f"{what}: cannot sort by {', '.join(map(repr, names))}: a column mixes values "
                        "that cannot be ordered together (numbers and text, say)") from None
    return ordered.reset_index(drop=True)


@fancy_function("table.group_by", title="Group and Aggregate")
def group_by(table: DataFrame, by: str, column: str, agg: Aggregate) -> DataFrame:
    """One row per distinct value of the column `by`, with `column` aggregated over the rows of each
    group: its sum, mean, min, max, median, or count (of the cells that are not missing). The result has
    two columns: `by` and the aggregated column under its own name (`column`_`agg` when it is `by` itself).
    Groups are sorted by their value; rows whose `by` is missing form a group of their own, last; missing
    values of `column` are left out (a group with none has a sum of 0 and a count of 0). `table`:
    the table; `by`: the column to group by; `column`: the column to aggregate; `agg`: how."""
    what = "table.group_by"
    check_table(table, what)
    check_columns(table, [by, column], what)
    check_choice(agg, AGGREGATES, what, "agg")
    cells = table[column]
    if agg in _NEEDS_NUMBERS:
        _check_numbers(cells, column, agg, what)
    name = f"{column}_{agg}" if column == by else column
    grouped = table.groupby(by, dropna=False, sort=True)[column]
    try:
        result = grouped.agg(agg)
    except TypeError:
        raise TypeError(f"{what}: cannot take the {agg} of column {column!r}: its values cannot be "
                        f"{'compared' if agg in ('min', 'max') else 'added up'}") from None
    frame = result.rename(name).reset_index()
    if agg == "count":
        frame[name] = frame[name].astype("int64")
    return frame


def _check_numbers(cells: Any, column: str, agg: str, what: str) -> None:
    """Refuse the sum, mean or median of text (pandas would join the texts end to end for a sum)."""
    from pandas.api import types

    if types.is_numeric_dtype(cells.dtype) or cells.dropna().empty:
        return
    if types.is_string_dtype(cells.dtype) and cells.dropna().map(type).isin([str]).any():
        raise TypeError(f"{what}: column {column!r} holds text; the {agg} needs numbers "
                        "(count, min and max work on text)")


@fancy_function("table.join", title="Join Tables")
def join(left: DataFrame, right: DataFrame, on: str | list[str], how: JoinHow = "inner") -> DataFrame:
    """Combine the rows of two tables that have the same value in the column `on` (or columns). `left`,
    `right`: the tables; `on`: the column (or list of columns) both tables have; `how`: inner keeps only
    rows that match, left keeps every row of `left`, right every row of `right`, outer every row of both
    (missing values where there was no match). A column both tables have besides `on` appears twice, the
    right table's with "_right" after its name."""
    what = "table.join"
    check_table(left, what, "left")
    check_table(right, what, "right")
    names = column_names(on, what, "on")
    if not names:
        raise ValueError(f"{what}: 'on' names no column to join on")
    check_columns(left, names, what, "the left table")
    check_columns(right, names, what, "the right table")
    check_choice(how, JOIN_HOWS, what, "how")
    try:
        joined = left.merge(right, on=names, how=how, suffixes=("", "_right"))
    except ValueError as exc:  # columns of kinds that cannot be matched (numbers and text)
        for name in names:
            kinds = column_kind(left[name]), column_kind(right[name])
            if kinds[0] != kinds[1]:
                raise ValueError(f"{what}: cannot join on {name!r}: it holds {kinds[0]} in the left table "
                                 f"and {kinds[1]} in the right one; both must hold the same kind") from None
        raise ValueError(f"{what}: cannot join on {', '.join(map(repr, names))}: {exc}") from None
    return joined.reset_index(drop=True)


@fancy_function("table.head", title="First Rows")
def head(table: DataFrame, n: int = 5) -> DataFrame:
    """The first `n` rows of the table (all of them if it has fewer). `table`: the table; `n`: how many
    rows (5 by default)."""
    what = "table.head"
    check_table(table, what)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what}: 'n' must be a whole number; it is {n!r:.60}")
    if n < 0:
        raise ValueError(f"{what}: 'n' must not be negative; it is {n}")
    return table.head(n).reset_index(drop=True)


@fancy_function("table.describe", title="Describe (Statistics)")
def describe(table: DataFrame) -> DataFrame:
    """Summary statistics of the table's columns, one row per statistic, its name in the first column
    ("statistic"): for number columns count, mean, std (standard deviation), min, 25%, 50% (the median),
    75% and max; for a table without number columns, count, unique, top (the most frequent value) and freq
    (how often it occurs). `table`: the table to describe."""
    what = "table.describe"
    check_table(table, what)
    import pandas as pd

    label = "statistic"
    while label in table.columns:
        label = f"{label}_"
    if len(table.columns) == 0:
        return pd.DataFrame({label: pd.Series([], dtype="str")})
    return table.describe().reset_index(names=label)
