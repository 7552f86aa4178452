"""The table functions that change tables (issue 14): each with its edge cases — an empty table (no rows,
and no columns), a missing column (named, with the columns the table has), a wrong choice, missing values.
Called through the registry, as a workflow calls them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fancy_studio.core import Workflow, WorkflowStep, find_problems
from fancy_studio.core.functions import registry
from fancy_studio.core.library.tables_checks import ColumnNotFoundError


def call(slug: str, *args, **kwargs):
    return registry.get(slug).func(*args, **kwargs)


def sales() -> pd.DataFrame:
    return pd.DataFrame({"region": ["West", "East", "West", "North", None],
                         "amount": [120, 80, 300, 100, None],
                         "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-01", None,
                                                 "2024-04-01"])})


NO_ROWS = pd.DataFrame({"region": pd.Series([], dtype="str"), "amount": pd.Series([], dtype="float64")})
NO_COLUMNS = pd.DataFrame()


def unchanged(before: pd.DataFrame, after: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(before, after)


# --- filter_rows ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "value", "regions"), [
    (">", 100, ["West", "West"]),
    (">", "100", ["West", "West"]),  # a param typed as text in a number column: compared as a number
    (">=", " 100 ", ["West", "West", "North"]),
    ("<", 100.5, ["East", "North"]),
    ("<=", "1e2", ["East", "North"]),
    ("==", "80", ["East"]),
    ("!=", 120, ["East", "West", "North", None]),  # a missing amount is not equal to 120
    ("in", [80, "300"], ["East", "West"]),
])
def test_filter_rows_compares_numbers(op, value, regions) -> None:
    table = sales()
    kept = call("table.filter_rows", table, "amount", op, value)
    assert [r if isinstance(r, str) else None for r in kept["region"]] == regions
    assert list(kept.index) == list(range(len(regions)))  # renumbered from 0
    unchanged(sales(), table)


def test_filter_rows_missing_values_pass_only_not_equal_and_none_selects_them() -> None:
    table = sales()
    assert call("table.filter_rows", table, "region", "==", None)["amount"].isna().tolist() == [True]
    assert call("table.filter_rows", table, "region", "!=", None)["region"].tolist() == [
        "West", "East", "West", "North"]
    assert call("table.filter_rows", table, "region", "!=", "West")["amount"].tolist()[:2] == [80, 100]
    assert len(call("table.filter_rows", table, "region", "!=", "West")) == 3
    assert call("table.filter_rows", table, "amount", "in", [None, 80])["region"].tolist()[0] == "East"
    assert len(call("table.filter_rows", table, "amount", "in", [None, 80])) == 2
    with pytest.raises(TypeError, match="cannot compare with a missing value"):
        call("table.filter_rows", table, "amount", ">", None)


def test_filter_rows_text_operators() -> None:
    table = sales()
    assert call("table.filter_rows", table, "region", "contains", "est")["region"].tolist() == [
        "West", "West"]
    assert call("table.filter_rows", table, "region", "startswith", "N")["region"].tolist() == ["North"]
    # contains is plain text, never a regular expression
    assert call("table.filter_rows", table, "region", "contains", ".*").empty
    # on a number column, the numbers as they read
    starting = call("table.filter_rows", table, "amount", "startswith", "1")
    assert starting["region"].tolist() == ["West", "North"]
    among = call("table.filter_rows", table, "region", "in", ["East", "North", "South"])
    assert among["amount"].tolist() == [80, 100]


def test_filter_rows_converts_to_the_columns_kind() -> None:
    table = sales()
    assert call("table.filter_rows", table, "date", ">=", "2024-03-01")["region"].tolist()[0] == "West"
    assert len(call("table.filter_rows", table, "date", ">=", "2024-03-01")) == 2
    flags = pd.DataFrame({"ok": [True, False, True], "n": [1, 2, 3]})
    assert call("table.filter_rows", flags, "ok", "==", "true")["n"].tolist() == [1, 3]
    assert call("table.filter_rows", flags, "ok", "==", False)["n"].tolist() == [2]
    codes = pd.DataFrame({"zip": ["2134", "02134", "90210"]})
    assert call("table.filter_rows", codes, "zip", "==", 2134)["zip"].tolist() == ["2134"]
    assert call("table.filter_rows", codes, "zip", "in", [90210.0])["zip"].tolist() == ["90210"]


@pytest.mark.parametrize(("column", "op", "value", "error", "words"), [
    ("amount", ">", "lots", ValueError, "column 'amount' holds numbers; 'lots' is not a number"),
    ("date", "<", "someday", ValueError, "column 'date' holds dates; 'someday' is not a date"),
    ("region", "<", 5, TypeError, "cannot compare column 'region' (of text) with 5 using <"),
    ("region", "in", "East", TypeError, "'in' needs a list"),
    ("region", "==", ["East"], TypeError, "use 'in' for a list"),
    ("region", "contains", None, TypeError, "looks for a piece of text"),
    ("region", "~=", "x", ValueError, "'op' must be one of ==, !=, <, <=, >, >=, contains, startswith, in"),
    ("region", "__import__('os')", "x", ValueError, "'op' must be one of"),
])
def test_filter_rows_refuses_what_cannot_be_compared(column, op, value, error, words) -> None:
    with pytest.raises(error) as caught:
        call("table.filter_rows", sales(), column, op, value)
    assert words in str(caught.value) and str(caught.value).startswith("table.filter_rows: ")


def test_a_missing_column_is_named_with_the_columns_the_table_has() -> None:
    with pytest.raises(KeyError) as caught:
        call("table.filter_rows", sales(), "regoin", "==", "West")
    assert isinstance(caught.value, ColumnNotFoundError) and caught.value.column == "regoin"
    assert str(caught.value) == "table.filter_rows: no column 'regoin'; the table has: region, amount, date"
    with pytest.raises(KeyError, match="no column 'region'; the table has no columns"):
        call("table.filter_rows", NO_COLUMNS, "region", "==", "West")


@pytest.mark.parametrize(("slug", "args"), [
    ("table.select_columns", (["amount", "regoin"],)),
    ("table.drop_columns", (["regoin"],)),
    ("table.rename_columns", ({"regoin": "area"},)),
    ("table.sort", ("regoin",)),
    ("table.group_by", ("regoin", "amount", "sum")),
    ("table.group_by", ("region", "amuont", "sum")),
    ("table.filter_rows", ("regoin", "==", 1)),
])
def test_every_function_names_a_missing_column(slug, args) -> None:
    with pytest.raises(ColumnNotFoundError) as caught:
        call(slug, sales(), *args)
    missing = caught.value.column
    assert str(caught.value) == f"{slug}: no column {missing!r}; the table has: region, amount, date"


def test_filter_rows_of_an_empty_table() -> None:
    kept = call("table.filter_rows", NO_ROWS, "amount", ">", "100")
    assert kept.empty and list(kept.columns) == ["region", "amount"]
    assert call("table.filter_rows", NO_ROWS, "region", "contains", "W").empty


def test_a_table_is_required() -> None:
    expected = r"table.sort: 'table' must be a table \(a pandas DataFrame\); it is a list"
    with pytest.raises(TypeError, match=expected):
        call("table.sort", [{"a": 1}], "a")


# --- columns ----------------------------------------------------------------------------------------


def test_select_columns_in_the_order_named() -> None:
    table = sales()
    picked = call("table.select_columns", table, ["amount", "region"])
    assert list(picked.columns) == ["amount", "region"] and len(picked) == 5
    picked.loc[0, "amount"] = -1  # the result is its own table
    unchanged(sales(), table)
    assert list(call("table.select_columns", table, []).columns) == []
    assert list(call("table.select_columns", NO_ROWS, ["amount"]).columns) == ["amount"]
    with pytest.raises(ValueError, match="the column 'amount' is named twice"):
        call("table.select_columns", table, ["amount", "amount"])
    with pytest.raises(TypeError, match="a column name must be text"):
        call("table.select_columns", table, [["amount"]])


def test_rename_and_drop_columns() -> None:
    table = sales()
    renamed = call("table.rename_columns", table, {"amount": "total", "region": "area"})
    assert list(renamed.columns) == ["area", "total", "date"]
    assert list(call("table.drop_columns", table, ["date", "region"]).columns) == ["amount"]
    assert list(call("table.drop_columns", table, "date").columns) == ["region", "amount"]  # one name
    unchanged(sales(), table)
    with pytest.raises(ValueError, match="two columns would be named 'amount'"):
        call("table.rename_columns", table, {"region": "amount"})
    # swapping two names is fine
    assert list(call("table.rename_columns", table, {"region": "amount", "amount": "region"}).columns) == [
        "amount", "region", "date"]
    with pytest.raises(TypeError, match="'mapping' must pair old names with new ones"):
        call("table.rename_columns", table, [("region", "area")])
    assert list(call("table.rename_columns", NO_ROWS, {}).columns) == ["region", "amount"]
    assert list(call("table.drop_columns", NO_COLUMNS, []).columns) == []


# --- sort, head --------------------------------------------------------------------------------------


def test_sort_missing_last_stable_and_renumbered() -> None:
    table = sales()
    ordered = call("table.sort", table, "amount")
    assert ordered["amount"].tolist()[:4] == [80, 100, 120, 300] and math.isnan(ordered["amount"].iloc[4])
    assert list(ordered.index) == [0, 1, 2, 3, 4]
    down = call("table.sort", table, "amount", descending=True)
    assert down["amount"].tolist()[:4] == [300, 120, 100, 80] and math.isnan(down["amount"].iloc[4])
    both = call("table.sort", table, ["region", "amount"], True)
    assert both["amount"].tolist()[:3] == [300, 120, 100]
    unchanged(sales(), table)
    ties = pd.DataFrame({"k": [1, 0, 1, 0], "order": [0, 1, 2, 3]})
    assert call("table.sort", ties, "k")["order"].tolist() == [1, 3, 0, 2]
    assert call("table.sort", NO_ROWS, "amount").empty


def test_sort_refuses_unorderable_and_bad_inputs() -> None:
    mixed = pd.DataFrame({"v": [1, "a", 2.5]})
    with pytest.raises(TypeError, match="cannot sort by 'v'"):
        call("table.sort", mixed, "v")
    with pytest.raises(ValueError, match="'by' names no column"):
        call("table.sort", sales(), [])
    with pytest.raises(TypeError, match="'descending' must be true or false"):
        call("table.sort", sales(), "amount", "yes")


def test_head() -> None:
    table = call("table.sort", sales(), "amount", True)
    assert call("table.head", table)["amount"].tolist()[:4] == [300, 120, 100, 80]
    assert len(call("table.head", table, 2)) == 2 and len(call("table.head", table, 50)) == 5
    none = call("table.head", table, 0)
    assert none.empty and list(none.columns) == list(table.columns)
    assert call("table.head", NO_COLUMNS, 3).shape == (0, 0)
    with pytest.raises(ValueError, match="'n' must not be negative"):
        call("table.head", table, -1)
    with pytest.raises(TypeError, match="'n' must be a whole number"):
        call("table.head", table, 2.5)


# --- group_by ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("agg", "expected"), [
    ("sum", [80, 100, 420]),
    ("mean", [80, 100, 210]),
    ("min", [80, 100, 120]),
    ("max", [80, 100, 300]),
    ("median", [80, 100, 210]),
    ("count", [1, 1, 2]),
])
def test_group_by_one_row_per_group_with_the_column_under_its_own_name(agg, expected) -> None:
    table = sales()
    grouped = call("table.group_by", table, "region", "amount", agg)
    assert list(grouped.columns) == ["region", "amount"]
    assert list(grouped.index) == list(range(len(grouped)))  # no MultiIndex, no region index
    assert grouped["region"].tolist()[:3] == ["East", "North", "West"]
    assert grouped["amount"].tolist()[:3] == expected
    assert len(grouped) == 4 and pd.isna(grouped["region"].iloc[3])  # the missing region is a group, last
    unchanged(sales(), table)


def test_group_by_counts_are_whole_numbers_and_grouping_by_the_column_itself() -> None:
    counted = call("table.group_by", sales(), "region", "region", "count")
    assert list(counted.columns) == ["region", "region_count"]
    assert counted["region_count"].dtype == "int64" and counted["region_count"].tolist()[:3] == [1, 1, 2]


def test_group_by_empty_table_gives_the_two_columns() -> None:
    for agg in ("sum", "mean", "min", "max", "count", "median"):
        grouped = call("table.group_by", NO_ROWS, "region", "amount", agg)
        assert grouped.empty and list(grouped.columns) == ["region", "amount"], agg
    with pytest.raises(KeyError, match="the table has no columns"):
        call("table.group_by", NO_COLUMNS, "region", "amount", "sum")


def test_group_by_refuses_an_unknown_agg_and_text_sums() -> None:
    expected = "'agg' must be one of sum, mean, min, max, count, median; it is 'total'"
    with pytest.raises(ValueError, match=expected):
        call("table.group_by", sales(), "region", "amount", "total")
    with pytest.raises(TypeError, match="column 'region' holds text; the mean needs numbers"):
        call("table.group_by", sales(), "amount", "region", "mean")
    assert call("table.group_by", sales(), "amount", "region", "max")["region"].tolist()[0] == "East"


def test_a_literal_choice_param_is_checked_when_the_workflow_is_validated() -> None:
    wf = Workflow(name="wrong agg")
    table, out = wf.input_cell("t", None), wf.output_cell("g")
    wf.add_step(WorkflowStep(function_slug="table.group_by", inputs={"table": table.id},
                             outputs={"return": out.id}, label="Totals",
                             params={"by": "region", "column": "amount", "agg": "total"}))
    problems = [str(problem) for problem in find_problems(wf)]
    assert any("'Totals'" in text and "input 'agg'" in text and "'total' is not one of" in text
               for text in problems), problems


# --- join ---------------------------------------------------------------------------------------------


def targets() -> pd.DataFrame:
    return pd.DataFrame({"region": ["West", "East", "South"], "target": [400, 50, 10], "amount": [1, 2, 3]})


@pytest.mark.parametrize(("how", "regions"), [
    ("inner", ["West", "East", "West"]),
    ("left", ["West", "East", "West", "North", None]),
    ("right", ["West", "West", "East", "South"]),
    ("outer", ["East", "North", "South", "West", "West", None]),
])
def test_join(how, regions) -> None:
    left, right = sales(), targets()
    joined = call("table.join", left, right, "region", how)
    assert [r if isinstance(r, str) else None for r in joined["region"]] == regions
    assert list(joined.columns) == ["region", "amount", "date", "target", "amount_right"]
    assert list(joined.index) == list(range(len(regions)))
    unchanged(sales(), left)
    unchanged(targets(), right)


def test_join_errors_name_the_table_missing_the_column() -> None:
    with pytest.raises(KeyError, match="no column 'date'; the right table has: region, target, amount"):
        call("table.join", sales(), targets(), ["region", "date"])
    with pytest.raises(ValueError, match="'how' must be one of inner, left, right, outer"):
        call("table.join", sales(), targets(), "region", "cross")
    with pytest.raises(TypeError, match="'right' must be a table"):
        call("table.join", sales(), None, "region")
    numbers = pd.DataFrame({"region": [1, 2], "n": [1, 2]})
    expected = "cannot join on 'region': it holds numbers in the left table and text in the right one"
    with pytest.raises(ValueError, match=expected):
        call("table.join", numbers, targets(), "region")
    empty = call("table.join", NO_ROWS, targets(), "region")
    assert empty.empty and "target" in empty.columns


# --- describe -------------------------------------------------------------------------------------------


def test_describe_has_the_statistic_names_as_a_column() -> None:
    table = pd.DataFrame({"amount": [1.0, 2.0, 3.0, None], "region": ["a", "b", "a", "c"]})
    described = call("table.describe", table)
    assert list(described.columns) == ["statistic", "amount"]
    assert described["statistic"].tolist() == ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]
    assert described.set_index("statistic")["amount"]["mean"] == 2.0
    text = call("table.describe", pd.DataFrame({"region": ["a", "b", "a"]}))
    assert text["statistic"].tolist() == ["count", "unique", "top", "freq"]
    assert call("table.describe", NO_COLUMNS).columns.tolist() == ["statistic"]
    assert call("table.describe", NO_ROWS).set_index("statistic")["amount"]["count"] == 0
    clash = call("table.describe", pd.DataFrame({"statistic": [1, 2]}))
    assert list(clash.columns) == ["statistic_", "statistic"]
