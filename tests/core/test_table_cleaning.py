"""The cleaning functions on the messy contacts table the "Cleaning a messy table" example reads."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fancy_studio.core.functions import registry
from fancy_studio.core.library import table_cleaning as tc
from fancy_studio.resources import examples_dir

MESSY = examples_dir() / "data" / "contacts_messy.csv"


def test_registered_under_their_slugs():
    for slug in ("table.clean_text", "table.replace_values", "table.to_numbers", "table.drop_missing",
                 "table.fill_missing", "table.drop_duplicates", "table.count_values", "table.from_list"):
        assert slug in registry


def test_clean_text_strips_and_changes_case_of_text_only():
    table = pd.DataFrame({"name": ["  Ada ", "grace hopper", None], "n": [1, 2, 3]})
    result = tc.clean_text(table, ["name"], "strip and title")
    assert result["name"].tolist()[:2] == ["Ada", "Grace Hopper"] and pd.isna(result["name"][2])
    assert table["name"][0] == "  Ada "  # the input is never changed
    assert tc.clean_text(table, [], "upper")["n"].tolist() == [1, 2, 3]


def test_clean_text_names_a_missing_column_and_a_wrong_choice():
    table = pd.DataFrame({"name": ["a"]})
    with pytest.raises(KeyError, match="no column 'nmae'; the table has: name"):
        tc.clean_text(table, ["nmae"])
    with pytest.raises(ValueError, match="'change' must be one of"):
        tc.clean_text(table, ["name"], "shout")


def test_replace_values_compares_as_text():
    table = pd.DataFrame({"country": ["uk", "U.K.", "USA", None], "n": [42, 1, 2, 3]})
    result = tc.replace_values(table, "country", {"uk": "UK", "U.K.": "UK"})
    assert result["country"].tolist()[:3] == ["UK", "UK", "USA"] and pd.isna(result["country"][3])
    assert tc.replace_values(table, "n", {"42": 0})["n"].tolist() == [0, 1, 2, 3]


def test_to_numbers_makes_blanks_and_words_missing():
    table = pd.DataFrame({"orders": ["  42", "n/a", "", " 31 ", None]})
    values = tc.to_numbers(table, ["orders"])["orders"].tolist()
    assert values[0] == 42 and values[3] == 31
    assert all(math.isnan(v) for v in (values[1], values[2], values[4]))


def test_drop_missing_counts_blank_text_as_missing_unless_told_not_to():
    table = pd.DataFrame({"name": ["Ada", "  ", None, "Alan"], "email": ["a@x", "b@x", "c@x", None]})
    assert tc.drop_missing(table, ["name"])["name"].tolist() == ["Ada", "Alan"]
    kept = tc.drop_missing(table, ["name"], blank_text_is_missing=False)
    assert kept["name"].tolist() == ["Ada", "  ", "Alan"]
    assert tc.drop_missing(table, [])["name"].tolist() == ["Ada"]
    assert tc.drop_missing(table, ["name"]).index.tolist() == [0, 1]


def test_fill_missing_and_drop_duplicates():
    table = pd.DataFrame({"a": [1, 1, 2], "b": ["x", "x", " "]})
    assert tc.fill_missing(table, "b", "?")["b"].tolist() == ["x", "x", "?"]
    assert tc.drop_duplicates(table)["a"].tolist() == [1, 2]
    assert tc.drop_duplicates(table, ["b"]).shape == (2, 2)


def test_count_values_most_frequent_first():
    table = tc.from_list(["the", "engine", "the", "of", "the", "of"], "word")
    counts = tc.count_values(table, "word")
    assert counts.columns.tolist() == ["word", "count"]
    assert counts.values.tolist() == [["the", 3], ["of", 2], ["engine", 1]]


@pytest.mark.parametrize("function, args", [
    (tc.clean_text, ()), (tc.to_numbers, ([],)), (tc.drop_missing, ()), (tc.drop_duplicates, ()),
    (tc.count_values, ("a",)), (tc.fill_missing, ("a", 0)), (tc.replace_values, ("a", {})),
])
def test_an_empty_table_stays_an_empty_table(function, args):
    table = pd.DataFrame({"a": pd.Series([], dtype=object)})
    assert len(function(table, *args)) == 0


def test_from_list_of_nothing_and_of_not_a_list():
    assert tc.from_list([]).shape == (0, 1)
    with pytest.raises(TypeError, match="must be a list"):
        tc.from_list("abc")


def test_the_messy_contacts_come_out_clean():
    table = pd.read_csv(MESSY, dtype=str, keep_default_na=False)
    table = tc.clean_text(table, [], "strip")
    table = tc.clean_text(table, ["Full Name"], "title")
    table = tc.clean_text(table, ["E-mail"], "lower")
    spellings = {"uk": "UK", "U.K.": "UK", "usa": "USA", "netherlands": "Netherlands"}
    table = tc.replace_values(table, "Country", spellings)
    table = tc.drop_missing(table, ["Full Name"])
    table = tc.drop_duplicates(table, ["Full Name"])
    table = tc.to_numbers(table, ["Orders"])
    assert table["Full Name"].tolist() == ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra",
                                           "Barbara Liskov", "Donald Knuth", "Margaret Hamilton"]
    assert set(table["Country"]) == {"UK", "USA", "Netherlands"}
    assert table["Orders"].sum() == 42 + 17 + 23 + 31 + 56 + 12
