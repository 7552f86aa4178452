"""TableSource: any table-like value as named columns, read a page at a time, sorted (stable, missing values
last either way) and filtered by text without a Python loop over the rows."""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from fancy_studio.core.table_source import TableQuery, TableSource, TableSourceError, looks_like_table
from fancy_studio.core.value_summary import StoredSummary

EVERY_ROW = TableQuery()


def cells(source: TableSource, query: TableQuery = EVERY_ROW, start: int = 0, count: int = 100) -> list:
    return source.page(start, count, query)["cells"]


def test_a_dataframe_gives_its_columns_types_and_pages_as_json() -> None:
    frame = pd.DataFrame({"n": [3, 1, 2], "x": [0.5, np.nan, 1.5], "s": ["a", None, "c"],
                          "when": pd.to_datetime(["2024-01-01 00:00", None, "2024-02-01 10:30"])})
    source = TableSource.from_value(frame)
    assert source.columns == ["n", "x", "s", "when"]
    assert source.dtypes[:2] == ["int64", "float64"] and source.dtypes[3].startswith("datetime64")
    page = source.page(1, 5)
    assert page["start"] == 1 and page["row_count"] == page["total_rows"] == 3 and page["rows"] == [1, 2]
    assert page["cells"][0] == [1, 2]
    assert math.isnan(page["cells"][1][0]) and page["cells"][2] == [None, "c"]
    assert page["cells"][3] == [None, "2024-02-01 10:30"]
    json.loads(json.dumps(page))  # crosses the kernel's pipe as JSON


def test_a_named_index_becomes_a_column_and_the_default_one_does_not() -> None:
    frame = pd.DataFrame({"total": [10, 20]}, index=pd.Index(["north", "south"], name="region"))
    assert TableSource.from_value(frame).columns == ["region", "total"]
    assert TableSource.from_value(frame.reset_index()).columns == ["region", "total"]


def test_a_series_is_one_column_under_its_name() -> None:
    assert TableSource.from_value(pd.Series([1, 2], name="price")).columns == ["price"]
    assert TableSource.from_value(pd.Series([1, 2])).columns == ["value"]


def test_a_pyarrow_table_a_2d_array_and_a_list_of_dicts() -> None:
    arrow = TableSource.from_value(pa.table({"id": [1, 2], "tag": ["a", None]}))
    assert arrow.columns == ["id", "tag"] and arrow.dtypes == ["int64", "string"]
    assert cells(arrow) == [[1, 2], ["a", None]]
    array = TableSource.from_value(np.arange(6).reshape(2, 3))
    assert array.columns == ["0", "1", "2"] and cells(array) == [[0, 3], [1, 4], [2, 5]]
    records = [{"b": 1, "a": "x"}, {"a": "y", "c": date(2024, 5, 1)}]
    source = TableSource.from_value(records)
    assert source.columns == ["b", "a", "c"]  # the keys' order as the rows give them
    assert cells(source)[1:] == [["x", "y"], [None, "2024-05-01"]]


def test_keys_that_first_appear_after_the_first_thousand_rows_come_last() -> None:
    rows = [{"a": i} for i in range(1500)]
    rows[1200] = {"a": 1200, "late": "here"}
    source = TableSource.from_value(rows)
    assert source.columns == ["a", "late"]
    assert cells(source, start=1200, count=1)[1] == ["here"]


def test_what_is_not_a_table_is_refused_by_name() -> None:
    with pytest.raises(TableSourceError, match="a int is not a table"):
        TableSource.from_value(42)
    with pytest.raises(TableSourceError, match="a list is not a table"):
        TableSource.from_value([1, 2])


def test_sorting_is_stable_with_missing_values_last_either_way() -> None:
    frame = pd.DataFrame({"k": [2.0, np.nan, 1.0, 2.0, None, 1.0], "tag": list("abcdef")})
    source = TableSource.from_value(frame)
    ascending = source.page(0, 10, TableQuery(sort_column=0))
    assert ascending["rows"] == [2, 5, 0, 3, 1, 4]
    descending = source.page(0, 10, TableQuery(sort_column="k", descending=True))
    assert descending["rows"] == [0, 3, 2, 5, 1, 4]  # ties keep the table's order, missing values last


def test_text_and_objects_sort_and_a_mixed_column_sorts_by_its_text() -> None:
    frame = pd.DataFrame({"s": ["pear", None, "apple", "fig"],
                          "mixed": pd.Series([3, "b", Decimal("1.5"), None], dtype=object)})
    source = TableSource.from_value(frame)
    assert cells(source, TableQuery(sort_column=0))[0] == ["apple", "fig", "pear", None]
    assert cells(source, TableQuery(sort_column=1))[1] == ["1.5", 3, "b", None]


def test_a_category_sorts_and_filters() -> None:
    frame = pd.DataFrame({"region": pd.Categorical(["west", "east", None, "north"])})
    source = TableSource.from_value(frame)
    assert source.dtypes == ["category"]
    assert cells(source, TableQuery(sort_column=0))[0] == ["east", "north", "west", None]
    assert cells(source, TableQuery(filter_text="ST"))[0] == ["west", "east"]


def test_the_filter_looks_in_every_column_or_one_ignoring_case() -> None:
    frame = pd.DataFrame({"name": ["Alpha", "beta", "Gamma"], "code": [101, 202, 301],
                          "note": ["one", None, "alphabet"]})
    source = TableSource.from_value(frame)
    anywhere = source.page(0, 10, TableQuery(filter_text="ALPHA"))
    assert anywhere["rows"] == [0, 2] and anywhere["row_count"] == 2 and anywhere["total_rows"] == 3
    assert source.page(0, 10, TableQuery(filter_text="alpha", filter_column="name"))["rows"] == [0]
    assert source.page(0, 10, TableQuery(filter_text="01", filter_column=1))["rows"] == [0, 2]
    assert source.row_count(TableQuery(filter_text="nothing like it")) == 0


def test_a_filter_and_a_sort_together() -> None:
    frame = pd.DataFrame({"name": ["b1", "a1", "c2", "a2"], "n": [4, 3, 2, 1]})
    source = TableSource.from_value(frame)
    page = source.page(0, 10, TableQuery(sort_column=1, filter_text="a"))
    assert page["rows"] == [3, 1] and page["cells"][0] == ["a2", "a1"]


def test_a_missing_column_is_named_with_the_columns_there_are() -> None:
    source = TableSource.from_value(pd.DataFrame({"a": [1], "b": [2]}))
    with pytest.raises(TableSourceError, match="no column 'total' \\(its columns: a, b\\)"):
        source.page(0, 1, TableQuery(sort_column="total"))


def test_an_empty_table_and_pages_past_the_end() -> None:
    empty = TableSource.from_value(pd.DataFrame({"a": pd.Series([], dtype="int64")}))
    assert empty.page(0, 10) == {"columns": ["a"], "dtypes": ["int64"], "row_count": 0, "total_rows": 0,
                                 "start": 0, "rows": [], "cells": [[]]}
    assert empty.page(0, 10, TableQuery(sort_column=0, filter_text="x"))["cells"] == [[]]
    source = TableSource.from_value(pd.DataFrame({"a": range(5)}))
    assert source.page(3, 10)["cells"] == [[3, 4]]
    assert source.page(9, 10)["cells"] == [[]]


def test_a_million_rows_sorted_and_filtered_give_what_pandas_gives() -> None:
    rng = np.random.default_rng(7)
    size = 1_000_000
    frame = pd.DataFrame({"value": rng.integers(0, 50_000, size),
                          "label": pd.Series(rng.integers(0, 100_000, size)).map("k{}".format)})
    source = TableSource.from_value(frame)
    expected = frame["value"].sort_values(ascending=False, kind="stable").index.to_numpy()
    page = source.page(size - 1000, 1000, TableQuery(sort_column=0, descending=True))
    assert page["rows"] == expected[-1000:].tolist()
    found = frame.index[frame["label"].str.contains("k9999", regex=False)].to_numpy()
    assert source.page(0, 10_000, TableQuery(filter_text="k9999"))["rows"] == found.tolist()


def test_a_summary_is_recognised_as_a_table_by_its_type_and_preview() -> None:
    def summary(type_name: str, preview: str) -> StoredSummary:
        return StoredSummary(None, type_name, preview, 1 << 20)

    assert looks_like_table(summary("DataFrame", "   a  b\n0  1  2"))
    assert looks_like_table(summary("ndarray", "array([[1, 2],"))
    assert not looks_like_table(summary("ndarray", "array([1, 2, 3])"))
    assert looks_like_table(summary("list", "[{'a': 1}, {'a': 2}]"))
    assert not looks_like_table(summary("list", "[1, 2, 3]"))
    assert not looks_like_table(summary("str", "text"))


def test_the_filter_finds_numbers_dates_and_booleans_by_their_text() -> None:
    frame = pd.DataFrame({"x": [1e20, 2.5, 3.0], "flag": [True, False, True],
                          "when": pd.to_datetime(["2024-01-05", "2023-12-31", "2024-02-01"])})
    source = TableSource.from_value(frame)

    def rows(text: str) -> list[int]:
        return source.page(0, 10, TableQuery(filter_text=text))["rows"]

    assert rows("e+20") == [0]
    assert rows("2.5") == [1]
    assert rows("TRU") == [0, 2]
    assert rows("2024-0") == [0, 2]
    assert rows("12-31") == [1]
    assert rows("xyz") == []
