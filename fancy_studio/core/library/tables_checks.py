"""Checks the table functions share, so every one of them says the same thing about the same mistake.

A wrong input to a table function is the user's mistake in a workflow (a typo in a column name, a text
where a table goes): each check raises an error that names the function, what was wrong and what would
be right ("table.filter_rows: no column 'regoin'; the table has: region, amount, date"). The engine adds
the step (its label or title) when it reports the failure. Only `column_kind` imports pandas, when called.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fancy_studio.core.data_types import DataFrame

_LISTED = 30
"""Column names listed in an error at most (a table may have thousands)."""


class ColumnNotFoundError(KeyError):
    """A column name the table does not have. A `KeyError` (as pandas raises), with a readable message."""

    def __init__(self, message: str, column: Any) -> None:
        self.column = column
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return str(self.args[0])


def column_list(columns: Iterable[Any]) -> str:
    """The column names, comma separated, for an error message ("no columns" for none)."""
    names = [str(name) for name in columns]
    if not names:
        return "no columns"
    shown = ", ".join(names[:_LISTED])
    return shown if len(names) <= _LISTED else f"{shown}, … ({len(names):,} columns)"


def check_table(value: Any, what: str, name: str = "table") -> None:
    """Refuse a `value` for the input `name` that is not a pandas DataFrame."""
    if not isinstance(value, DataFrame):
        raise TypeError(f"{what}: '{name}' must be a table (a pandas DataFrame); "
                        f"it is a {type(value).__name__}")


def check_columns(table: Any, columns: Iterable[Any], what: str, table_name: str = "the table") -> None:
    """Refuse column names `table` does not have, naming the first missing one and listing those it has."""
    have = table.columns
    for column in columns:
        check_name(column, what)
        if column not in have:
            has = column_list(have)
            described = f"{table_name} has: {has}" if len(have) else f"{table_name} has no columns"
            raise ColumnNotFoundError(f"{what}: no column {column!r}; {described}", column)


def check_name(column: Any, what: str) -> None:
    """Refuse a column name that is not text (or a whole number, as pandas names a table's columns when it
    was given none)."""
    if not isinstance(column, (str, int)) or isinstance(column, bool):
        raise TypeError(f"{what}: a column name must be text; {column!r:.60} is a {type(column).__name__}")


def check_choice(value: Any, choices: tuple[str, ...], what: str, name: str) -> None:
    """Refuse a `value` for a choice input (a `Literal` port) that is not one of `choices`. Validation
    refuses a wrong parameter before the run; a value from a wired cell is checked only here."""
    if not (isinstance(value, str) and value in choices):
        raise ValueError(f"{what}: '{name}' must be one of {', '.join(choices)}; it is {value!r:.60}")


def column_names(columns: Any, what: str, name: str = "columns") -> list[str]:
    """`columns` as a list of names: a list of texts, or one text for a single column. Repeats refused."""
    names = [columns] if isinstance(columns, str) else columns
    if not isinstance(names, (list, tuple)):
        raise TypeError(f"{what}: '{name}' must be a list of column names; it is a {type(columns).__name__}")
    seen: set[str] = set()
    for column in names:
        check_name(column, what)
        if column in seen:
            raise ValueError(f"{what}: the column {column!r} is named twice in '{name}'")
        seen.add(column)
    return list(names)


def column_kind(cells: Any) -> str:
    """What a column (a pandas Series) holds, in words, for messages: "numbers", "text", "dates", …"""
    from pandas.api import types

    dtype = cells.dtype
    if types.is_bool_dtype(dtype):
        return "yes/no values"
    if types.is_numeric_dtype(dtype):
        return "numbers"
    if types.is_datetime64_any_dtype(dtype):
        return "dates"
    if types.is_string_dtype(dtype):
        return "text"
    return f"values of type {dtype}"
