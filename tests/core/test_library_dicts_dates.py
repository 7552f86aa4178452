"""Dicts, dates, `control.choose`, `lists.map` and `lists.count_values` (issue 14), and a word count
built from them: read a text file, lower-case it, find the words, count each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from uuid import uuid4

import pytest

from fancy_studio.core import Engine, InMemoryStore, StepStatus, Workflow, WorkflowStep, find_problems
from fancy_studio.core.functions import RETURN, fancy_function, registry
from fancy_studio.core.library import control, dates, dicts, lists
from fancy_studio.core.library.limits import ResultTooLargeError

NEW_MODULES = ("plot", "files", "dicts", "dates", "control")
NEW_IN_OLD_MODULES = ("lists.map", "lists.count_values", "text.regex_find_all", "text.regex_replace")


def test_the_palette_describes_every_input_of_the_new_functions():
    """The palette shows a function's docstring: each input is named in it (in backticks)."""
    new = [f for f in registry if f.func.__module__.rsplit(".", 1)[-1] in NEW_MODULES
           or f.slug in NEW_IN_OLD_MODULES]
    assert len(new) == 29  # 5 plot, 11 files, 5 dicts, 4 dates, 1 control, 4 in lists and text
    undescribed = {f.slug: [p.name for p in f.inputs if f"`{p.name}`" not in f.description] for f in new}
    assert {slug: names for slug, names in undescribed.items() if names} == {}


# --- dicts -----------------------------------------------------------------------------------------


def test_dicts_read_and_make_new_dicts_leaving_theirs_unchanged():
    prices = {"apple": 1.5, "pear": 2}
    assert dicts.get_value(prices, "pear") == 2
    assert dicts.get_value(prices, "plum") is None and dicts.get_value(prices, "plum", 0) == 0
    updated = dicts.set_value(prices, "plum", 3)
    assert updated == {"apple": 1.5, "pear": 2, "plum": 3} and prices == {"apple": 1.5, "pear": 2}
    assert dicts.keys(prices) == ["apple", "pear"] and dicts.values(prices) == [1.5, 2]
    assert dicts.merge(prices, {"pear": 9, "fig": 1}) == {"apple": 1.5, "pear": 9, "fig": 1}
    assert dicts.merge({}, {}) == {}


def test_dicts_refuse_what_is_not_a_dict_or_cannot_be_a_key():
    with pytest.raises(TypeError, match="'mapping' must be a dict; it is a list"):
        dicts.keys([1, 2])
    with pytest.raises(TypeError, match="'second' must be a dict"):
        dicts.merge({}, "x")
    with pytest.raises(TypeError, match="a list cannot be a key"):
        dicts.set_value({}, [1], 2)


# --- dates -----------------------------------------------------------------------------------------


def test_parse_iso_and_a_given_format():
    assert dates.parse("2024-03-15") == dt.datetime(2024, 3, 15)
    assert dates.parse(" 2024-03-15T09:30:00Z ") == dt.datetime(2024, 3, 15, 9, 30, tzinfo=dt.timezone.utc)
    assert dates.parse("15/03/2024 18:05", "%d/%m/%Y %H:%M") == dt.datetime(2024, 3, 15, 18, 5)


@pytest.mark.parametrize("args, message", [
    (("15/03/2024",), "not a date in ISO 8601"),
    (("2024-02-30",), "not a date in ISO 8601"),
    (("2024-03-15", "%d/%m/%Y"), "not a date in the format '%d/%m/%Y'"),
])
def test_a_text_that_is_not_a_date_is_named(args, message):
    with pytest.raises(ValueError, match=message):
        dates.parse(*args)


def test_format_add_and_difference():
    start = dt.datetime(2024, 3, 15, 9, 30)
    assert dates.format_date(start) == "2024-03-15"
    assert dates.format_date(start, "%d %B %Y %H:%M") == "15 March 2024 09:30"
    later = dates.add(start, days=1, hours=2.5, minutes=-30, seconds=15)
    assert later == dt.datetime(2024, 3, 16, 11, 30, 15)
    assert dates.difference(later, start) == 26 * 3600 + 15
    assert dates.difference(start, later) == -(26 * 3600 + 15)
    assert registry.get("dates.difference").output(RETURN).type is float


def test_dates_refuse_mixed_time_zones_overflow_and_non_dates():
    aware = dates.parse("2024-03-15T00:00:00+01:00")
    with pytest.raises(ValueError, match="one date has a time zone and the other has none"):
        dates.difference(aware, dt.datetime(2024, 3, 14))
    with pytest.raises(ValueError, match="outside the years 1 to 9999"):
        dates.add(dt.datetime(9999, 12, 31), days=1)
    with pytest.raises(TypeError, match="'date' must be a date"):
        dates.format_date("2024-03-15")
    with pytest.raises(ResultTooLargeError):
        dates.format_date(dt.datetime(2024, 1, 1), "%Y" * 50_000)


# --- control ---------------------------------------------------------------------------------------


def test_choose():
    assert control.choose(True, "yes", "no") == "yes"
    assert control.choose(False, [1], [2]) == [2]
    with pytest.raises(TypeError, match="'condition' must be true or false; it is a str"):
        control.choose("false", 1, 2)  # a non-empty text would be "true" in Python: refused instead


# --- lists.map and lists.count_values --------------------------------------------------------------


def test_map_applies_a_registered_function_by_slug():
    assert lists.map_items(["a", "b"], "text.upper") == ["A", "B"]
    assert lists.map_items([1, 2.5], "math.increment") == [2, 3.5]
    assert lists.map_items([], "text.upper") == []
    assert lists.map_items(["1", "2"], "convert.to_int") == [1, 2]


def test_map_names_an_unknown_slug_and_suggests_near_ones():
    with pytest.raises(ValueError, match="no function is registered as 'text.uper'; did you mean text.upper"):
        lists.map_items(["a"], "text.uper")
    with pytest.raises(ValueError, match="no function is registered as 'os.system'"):
        lists.map_items(["ls"], "os.system")  # a slug is looked up, never imported


def test_map_refuses_a_function_with_other_required_inputs_and_names_a_failing_item():
    with pytest.raises(ValueError, match="text.concatenate also needs b; .* must have defaults"):
        lists.map_items(["a"], "text.concatenate")
    with pytest.raises(TypeError, match=r"item 1 \('x'\) is a str, but math.increment's input 'x' expects"):
        lists.map_items([1, "x"], "math.increment")
    with pytest.raises(ValueError, match=r"lists.first failed on item 1 \(\[\]\): IndexError"):
        lists.map_items([[1], []], "lists.first")


def test_map_in_a_workflow_reruns_when_the_applied_function_changes():
    calls = []

    def register(version: str) -> None:
        @fancy_function("test_map.tag", version=version)
        def tag(x: str, suffix: str = "!") -> str:
            """Tags a text."""
            calls.append(x)
            return f"{x}{suffix}{version}"

    register("1")
    try:
        wf = Workflow(name="map")
        items = wf.input_cell("items", ["a", "b"])
        out = uuid4()
        mapped = wf.add_step(WorkflowStep(function_slug="lists.map", inputs={"items": items.id},
                                          params={"function": "test_map.tag"}, outputs={RETURN: out}))
        engine = Engine(InMemoryStore())
        for _ in range(2):
            assert engine.run(wf).ok
        assert engine.run(wf).step_status[mapped.id] is StepStatus.CACHED
        assert engine.store.get(out).value == ["a!1", "b!1"]
        registry.unregister("test_map.tag")
        register("2")
        assert engine.run(wf).step_status[mapped.id] is StepStatus.DONE
        assert engine.store.get(out).value == ["a!2", "b!2"]
    finally:
        registry.unregister("test_map.tag")


def test_map_over_a_function_that_is_never_reused_runs_every_time():
    @fancy_function("test_map.stamp", cacheable=False)
    def stamp(x: int) -> int:
        """Counts its calls."""
        return x

    try:
        wf = Workflow(name="map")
        items = wf.input_cell("items", [1])
        mapped = wf.add_step(WorkflowStep(function_slug="lists.map", inputs={"items": items.id},
                                          params={"function": "test_map.stamp"}, outputs={RETURN: uuid4()}))
        engine = Engine(InMemoryStore())
        statuses = [engine.run(wf).step_status[mapped.id] for _ in range(3)]
        assert statuses == [StepStatus.DONE] * 3
    finally:
        registry.unregister("test_map.stamp")


def test_count_values_most_frequent_first():
    assert lists.count_values(["b", "a", "b", "c", "a", "b"]) == {"b": 3, "a": 2, "c": 1}
    assert list(lists.count_values(["x", "y"])) == ["x", "y"]  # ties in the order they first appear
    assert lists.count_values([]) == {}
    with pytest.raises(TypeError, match="a list or dict item cannot be counted"):
        lists.count_values([[1]])


def test_word_count_pipeline(tmp_path: Path):
    """Read a text file, lower-case it, find the words, count each: a workflow of built-ins only."""
    (tmp_path / "poem.txt").write_text("The cat saw the hat.\nThe hat was red; the CAT was not!\n")
    wf = Workflow(name="word count")
    contents, lowered, words, counts = uuid4(), uuid4(), uuid4(), uuid4()
    wf.add_step(WorkflowStep(function_slug="files.read_text", params={"path": "poem.txt"},
                             outputs={RETURN: contents}))
    wf.add_step(WorkflowStep(function_slug="text.lower", inputs={"text": contents},
                             outputs={RETURN: lowered}))
    wf.add_step(WorkflowStep(function_slug="text.regex_find_all", inputs={"text": lowered},
                             params={"pattern": r"[a-z']+"}, outputs={RETURN: words}))
    wf.add_step(WorkflowStep(function_slug="lists.count_values", inputs={"items": words},
                             outputs={RETURN: counts}))
    assert find_problems(wf) == []
    engine = Engine(InMemoryStore())
    assert engine.run(wf, folder=tmp_path).ok
    assert engine.store.get(counts).value == {"the": 4, "cat": 2, "hat": 2, "was": 2, "saw": 1, "red": 1,
                                              "not": 1}
