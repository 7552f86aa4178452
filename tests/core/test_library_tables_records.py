"""Tables to and from plain values (issue 14): from_records, to_records (JSON-friendly: numpy numbers made
Python's, NaN None, timestamps ISO text), column, and add_column (a registered function, named by slug,
applied per row; never imported or evaluated)."""

from __future__ import annotations

import json
import math
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

from fancy_studio.core.functions import fancy_function, registry
from fancy_studio.core.library.tables_checks import ColumnNotFoundError


def call(slug: str, *args, **kwargs):
    return registry.get(slug).func(*args, **kwargs)


class Split(NamedTuple):
    whole: int
    rest: float


def mixed() -> pd.DataFrame:
    return pd.DataFrame({
        "id": np.array([1, 2, 3], dtype="int64"),
        "price": [1.5, np.nan, 3.0],
        "ok": np.array([True, False, True]),
        "name": ["a", None, "c"],
        "when": pd.to_datetime(["2024-03-01 09:30", None, "2024-12-31 00:00"]),
        "spent": pd.to_timedelta(["1h", "2h", None]),
    })


# --- from_records ---------------------------------------------------------------------------------------


def test_from_records_makes_columns_from_keys_in_first_seen_order() -> None:
    table = call("table.from_records", [{"region": "West", "amount": 120}, {"amount": 80, "note": "late"}])
    assert list(table.columns) == ["region", "amount", "note"]
    assert table["amount"].tolist() == [120, 80] and table["amount"].dtype == "int64"
    assert pd.isna(table["region"].iloc[1]) and pd.isna(table["note"].iloc[0])
    assert call("table.from_records", []).shape == (0, 0)
    assert call("table.from_records", [{}, {}]).shape == (2, 0)


def test_from_records_refuses_what_is_not_rows() -> None:
    with pytest.raises(TypeError, match="'records' must be a list of dicts .* it is a dict"):
        call("table.from_records", {"a": [1, 2]})
    with pytest.raises(TypeError, match=r"row 1 is a list \(\[1, 2\]\); each row must be a dict"):
        call("table.from_records", [{"a": 1}, [1, 2]])
    with pytest.raises(TypeError, match="a column name must be text"):
        call("table.from_records", [{("a", "b"): 1}])


# --- to_records and column ---------------------------------------------------------------------------


def test_to_records_gives_plain_json_friendly_values() -> None:
    records = call("table.to_records", mixed())
    assert records == [
        {"id": 1, "price": 1.5, "ok": True, "name": "a", "when": "2024-03-01T09:30:00",
         "spent": "0 days 01:00:00"},
        {"id": 2, "price": None, "ok": False, "name": None, "when": None, "spent": "0 days 02:00:00"},
        {"id": 3, "price": 3.0, "ok": True, "name": "c", "when": "2024-12-31T00:00:00", "spent": None},
    ]
    kinds = {name: type(value) for name, value in records[0].items()}
    assert kinds == {"id": int, "price": float, "ok": bool, "name": str, "when": str, "spent": str}
    json.dumps(records, allow_nan=False)  # no NaN, no numpy value, no timestamp


def test_to_records_of_nullable_and_empty_tables() -> None:
    nullable = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"),
                             "s": pd.array(["x", None], dtype="string")})
    assert call("table.to_records", nullable) == [{"n": 1, "s": "x"}, {"n": None, "s": None}]
    assert type(call("table.to_records", nullable)[0]["n"]) is int
    assert call("table.to_records", pd.DataFrame()) == []
    assert call("table.to_records", pd.DataFrame({"a": []})) == []
    assert call("table.to_records", pd.DataFrame(index=range(2))) == [{}, {}]
    with pytest.raises(ValueError, match="more than one column named 'a'"):
        call("table.to_records", pd.DataFrame([[1, 2]], columns=["a", "a"]))


def test_numpy_scalars_are_made_plain() -> None:
    from fancy_studio.core.library.tables_records import plain

    assert plain(np.datetime64("2024-03-01T09:30:00.000000000")) == "2024-03-01T09:30:00"
    assert plain(np.datetime64("NaT")) is None
    assert plain(np.timedelta64(90, "s")) == "0 days 00:01:30"
    assert [type(plain(v)) for v in (np.int8(1), np.uint64(2), np.float32(0.5), np.bool_(True))] == [
        int, int, float, bool]
    assert plain(np.float64("nan")) is None and plain(float("inf")) == float("inf")


def test_records_round_trip() -> None:
    records = [{"region": "West", "amount": 120.5, "units": 3}, {"region": None, "amount": None, "units": 1}]
    assert call("table.to_records", call("table.from_records", records)) == records


def test_column_as_a_list_of_plain_values() -> None:
    table = mixed()
    assert call("table.column", table, "id") == [1, 2, 3]
    assert all(type(value) is int for value in call("table.column", table, "id"))
    assert call("table.column", table, "price") == [1.5, None, 3.0]
    assert call("table.column", table, "when") == ["2024-03-01T09:30:00", None, "2024-12-31T00:00:00"]
    assert call("table.column", pd.DataFrame({"a": []}), "a") == []
    expected = "table.column: no column 'ID'; the table has: id, price, ok"
    with pytest.raises(ColumnNotFoundError, match=expected):
        call("table.column", table, "ID")


# --- add_column ------------------------------------------------------------------------------------------


def test_add_column_applies_a_registered_function_per_row() -> None:
    table = pd.DataFrame({"amount": [1, 2, 3], "region": ["west", None, "north"]})
    added = call("table.add_column", table, "next", "math.increment", "amount")
    assert added["next"].tolist() == [2, 3, 4] and list(added.columns) == ["amount", "region", "next"]
    upper = call("table.add_column", table, "region", "text.upper", "region")  # replaces the column
    assert upper["region"].tolist()[::2] == ["WEST", "NORTH"] and pd.isna(upper["region"].iloc[1])
    assert list(upper.columns) == ["amount", "region"]
    as_given = pd.DataFrame({"amount": [1, 2, 3], "region": ["west", None, "north"]})
    pd.testing.assert_frame_equal(table, as_given)
    # a function whose other inputs have defaults: only the first is given (math.power's exponent is 2)
    assert call("table.add_column", table, "square", "math.power", "amount")["square"].tolist() == [1, 4, 9]
    empty = call("table.add_column", table.head(0), "next", "math.increment", "amount")
    assert empty.empty and list(empty.columns) == ["amount", "region", "next"]


def test_add_column_gives_the_function_plain_values() -> None:
    seen: list = []

    @fancy_function("tabletest.remember", title="Remember")
    def remember(value: object) -> str:
        seen.append(value)
        return type(value).__name__

    try:
        table = pd.DataFrame({"n": np.array([7], dtype="int32"), "when": pd.to_datetime(["2024-01-02"])})
        assert call("table.add_column", table, "kind", "tabletest.remember", "n")["kind"].tolist() == ["int"]
        call("table.add_column", table, "kind", "tabletest.remember", "when")
        assert seen == [7, "2024-01-02T00:00:00"]
    finally:
        registry.unregister("tabletest.remember")


@pytest.mark.parametrize(("slug", "words"), [
    ("math.nonexistent", "no installed function has the slug 'math.nonexistent'"),
    ("os.system", "no installed function has the slug 'os.system'"),
    ("__import__('os').system('true')", "no installed function has the slug"),
    ("math.add", ("math.add needs more than one input without a default (a, b); add_column gives it only "
                  "each row's value, as a")),
])
def test_add_column_refuses_unknown_slugs_and_functions_needing_more(slug: str, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        call("table.add_column", pd.DataFrame({"x": [1]}), "y", slug, "x")
    assert words in str(caught.value) and str(caught.value).startswith("table.add_column: ")


def test_add_column_refuses_functions_without_inputs_or_with_several_outputs() -> None:
    @fancy_function("tabletest.split", title="Split")
    def split(x: float) -> Split:
        return Split(int(x), x - int(x))

    @fancy_function("tabletest.nothing", title="Nothing")
    def nothing() -> int:
        return 1

    try:
        with pytest.raises(ValueError, match="tabletest.split has 2 outputs"):
            call("table.add_column", pd.DataFrame({"x": [1.5]}), "y", "tabletest.split", "x")
        with pytest.raises(ValueError, match="tabletest.nothing takes no inputs"):
            call("table.add_column", pd.DataFrame({"x": [1.5]}), "y", "tabletest.nothing", "x")
    finally:
        registry.unregister("tabletest.split")
        registry.unregister("tabletest.nothing")


def test_add_column_names_the_row_a_function_failed_on() -> None:
    table = pd.DataFrame({"x": [4.0, 9.0, -1.0]})
    with pytest.raises(ValueError) as caught:
        call("table.add_column", table, "root", "math.sqrt", "x")
    assert str(caught.value).startswith("table.add_column: math.sqrt failed on row 2 (x = -1.0): ")
    assert call("table.add_column", table.head(2), "root", "math.sqrt", "x")["root"].tolist() == [2.0, 3.0]
    with pytest.raises(ColumnNotFoundError, match="no column 'y'; the table has: x"):
        call("table.add_column", table, "root", "math.sqrt", "y")
    assert not math.isnan(table["x"].iloc[2])  # the input is left as it was
