"""Cleaning a messy table: trimming text, fixing spellings, making numbers, dropping repeats and blanks.

What a spreadsheet export needs before it can be grouped or joined: "  Ada Lovelace " and "ada lovelace"
are one person, "uk" and "U.K." one country, " 42" and "n/a" a number and a missing one. Each function
returns a new table (the input is never changed) with a fresh 0..n-1 index. pandas is imported inside.
"""

from __future__ import annotations

from typing import Any, Literal

from fancy_studio.core.data_types import DataFrame
from fancy_studio.core.functions import fancy_function
from fancy_studio.core.library.tables_checks import check_choice, check_columns, check_table, column_names

TextChange = Literal["strip", "lower", "upper", "title", "strip and lower", "strip and title"]
_TEXT_CHANGES = ("strip", "lower", "upper", "title", "strip and lower", "strip and title")


def _columns_or_all(table: Any, columns: Any, what: str) -> list[str]:
    names = column_names(columns, what) if columns not in (None, "", []) else list(table.columns)
    check_columns(table, names, what)
    return names


@fancy_function("table.clean_text", title="Clean Text Columns")
def clean_text(table: DataFrame, columns: list[str] | None = None, change: TextChange = "strip") -> DataFrame:
    """Tidy the text in `columns` (every text column when empty): `strip` removes spaces at both ends,
    `lower`/`upper`/`title` change the case, and the combined choices do both. Cells that are not text
    (numbers, blanks) are left as they are."""
    what = "table.clean_text"
    check_table(table, what)
    check_choice(change, _TEXT_CHANGES, what, "change")
    names = _columns_or_all(table, columns, what)
    result = table.copy()
    for name in names:
        column = result[name]
        if column.dtype != object and str(column.dtype) not in ("string", "str"):
            continue
        texts = column.map(lambda v: v if isinstance(v, str) else None)
        is_text = texts.notna()
        changed = texts[is_text]
        if change.startswith("strip"):
            changed = changed.str.strip()
        if change.endswith("lower"):
            changed = changed.str.lower()
        elif change.endswith("upper"):
            changed = changed.str.upper()
        elif change.endswith("title"):
            changed = changed.str.title()
        result[name] = column.where(~is_text, changed)
    return result


@fancy_function("table.replace_values", title="Replace Values")
def replace_values(table: DataFrame, column: str, mapping: dict[str, Any]) -> DataFrame:
    """In `column`, replace each value that is a key of `mapping` by the key's value ({"uk": "UK",
    "U.K.": "UK"}); other values stay. Keys are compared as text, so "42" matches the number 42."""
    what = "table.replace_values"
    check_table(table, what)
    check_columns(table, [column], what)
    if not isinstance(mapping, dict):
        raise TypeError(f"{what}: 'mapping' must be a dict of old value → new value; it is a "
                        f"{type(mapping).__name__}")
    result = table.copy()
    result[column] = result[column].map(lambda v: mapping.get(str(v), v) if v is not None else v)
    return result


@fancy_function("table.to_numbers", title="Make Numbers")
def to_numbers(table: DataFrame, columns: list[str]) -> DataFrame:
    """Turn the text in `columns` into numbers (" 42" → 42); text that is not a number ("n/a", "") becomes
    a missing value, which the count of `table.describe` and `table.drop_missing` then see."""
    import pandas as pd

    what = "table.to_numbers"
    check_table(table, what)
    names = _columns_or_all(table, columns, what)
    result = table.copy()
    for name in names:
        column = result[name]
        if column.dtype == object or str(column.dtype) in ("string", "str"):
            column = column.map(lambda v: v.strip() if isinstance(v, str) else v)
        result[name] = pd.to_numeric(column, errors="coerce")
    return result


@fancy_function("table.drop_missing", title="Drop Rows with Blanks")
def drop_missing(table: DataFrame, columns: list[str] | None = None, blank_text_is_missing: bool = True
                 ) -> DataFrame:
    """Keep only the rows that have a value in every one of `columns` (every column when empty). With
    `blank_text_is_missing`, text of only spaces counts as missing too (as a spreadsheet's empty cell)."""
    what = "table.drop_missing"
    check_table(table, what)
    names = _columns_or_all(table, columns, what)
    present = table[names].notna()
    if blank_text_is_missing:
        present &= ~table[names].map(lambda v: isinstance(v, str) and not v.strip())
    return table[present.all(axis=1)].reset_index(drop=True)


@fancy_function("table.fill_missing", title="Fill Blanks")
def fill_missing(table: DataFrame, column: str, value: Any) -> DataFrame:
    """Put `value` into the missing cells of `column` (NaN, None, and text of only spaces)."""
    what = "table.fill_missing"
    check_table(table, what)
    check_columns(table, [column], what)
    result = table.copy()
    cells = result[column].astype(object)
    blank = cells.isna() | cells.map(lambda v: isinstance(v, str) and not v.strip())
    result[column] = cells.where(~blank, value)
    if not blank.all():
        result[column] = result[column].infer_objects()
    return result


@fancy_function("table.drop_duplicates", title="Drop Repeated Rows")
def drop_duplicates(table: DataFrame, columns: list[str] | None = None) -> DataFrame:
    """Keep the first of rows that repeat: the same values in all of `columns` (every column when
    empty). Clean the text first ("Clean Text Columns") so "Ada " and "ada" count as the same."""
    what = "table.drop_duplicates"
    check_table(table, what)
    names = _columns_or_all(table, columns, what)
    if table.empty:
        return table.copy()
    return table.drop_duplicates(subset=names, keep="first").reset_index(drop=True)


@fancy_function("table.count_values", title="Count Values")
def count_values(table: DataFrame, column: str) -> DataFrame:
    """How often each value of `column` occurs: a table of the value (under the column's name) and its
    `count`, the most frequent first (ties in the order the values first appear)."""
    import pandas as pd

    what = "table.count_values"
    check_table(table, what)
    check_columns(table, [column], what)
    counts = table[column].value_counts(sort=False, dropna=True)
    result = pd.DataFrame({column: counts.index, "count": counts.to_numpy()})
    return result.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


@fancy_function("table.from_list", title="Table from List")
def from_list(items: list, column: str = "value") -> DataFrame:
    """A one-column table of the list's items, the column called `column`."""
    import pandas as pd

    if not isinstance(items, list):
        raise TypeError(f"table.from_list: 'items' must be a list; it is a {type(items).__name__}")
    return pd.DataFrame({column: pd.Series(items, dtype=object if not items else None)})
