"""Types are checked at wiring to the element: `list[str]` does not feed `lists.sum` (issue 14).

`typecheck.accepts` compares the item types of containers when both hints name them, and stays lenient
where either does not (a bare `list`, `Any`, a TypeVar)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar
from uuid import uuid4

import pytest

from fancy_studio.core import Engine, InMemoryStore, TypeMismatchError, Workflow, find_problems
from fancy_studio.core.functions import RETURN, FunctionRegistry, fancy_function, registry
from fancy_studio.core.typecheck import accepts, value_accepted
from tests.core.helpers import step

T = TypeVar("T")


@pytest.mark.parametrize("expected, provided, fits", [
    (list[int | float], list[str], False),
    (list[int | float], list, True),           # a bare list says nothing about its items
    (list, list[int], True),
    (list[int], list[bool], True),             # bool widens to int, as a bare bool does
    (list[float], list[int], True),
    (list[int], list[float], False),
    (dict[str, float], dict[str, int], True),
    (dict[str, int], dict[str, str], False),
    (dict[int, str], dict[str, str], False),   # keys are checked too
    (list[int], list[Any], True),
    (list[int], list[T], True),
    (list[list[int]], list[list[str]], False),  # nested
    (set[int], set[str], False),
    (Sequence[float], tuple[int, ...], True),
    (Sequence[float], tuple[int, str], False),
    (tuple[int, str], tuple[int, str], True),
    (tuple[int, str], tuple[int, int], False),
    (tuple[int, str], tuple[int], False),      # a different length
    (Iterable[str], dict[str, int], True),      # a dict iterates over its keys
    (Iterable[int], dict[str, int], False),
    (Mapping[str, int], dict[str, int], True),
    (list[int] | None, list[str], False),
    (list[float], list[int | str], True),      # lenient: some of its items may fit
    (list[str], str, False),
])
def test_container_items_are_compared_when_both_sides_name_them(expected, provided, fits):
    assert accepts(expected, provided) is fits


def test_a_value_is_judged_by_its_own_type_not_its_items():
    """A cell's value is checked by its type only: the same answer for ten items or ten million, and a
    check the validator may remember per type. The function itself refuses the wrong items when it runs."""
    assert value_accepted(list[int | float], [1, "a"])
    assert not value_accepted(list[int | float], "1, 2")
    wf = Workflow(name="mixed items")
    mixed = wf.input_cell("mixed", [1, "a"])
    total = wf.add_step(step("lists.sum", {"items": mixed.id}, uuid4()))
    assert find_problems(wf) == []
    result = Engine(InMemoryStore()).run(wf)
    assert "sum: needs numbers, but item 1 ('a') is a str" in str(result.errors[total.id])


def test_sum_and_mean_declare_number_items_and_text_functions_declare_text_items():
    for slug in ("lists.sum", "lists.mean"):
        assert registry.get(slug).input("items").type_name == "list[int | float]"
    for slug in ("text.split", "text.lines", "text.regex_find_all"):
        assert registry.get(slug).output(RETURN).type == list[str]
    assert registry.get("lists.range").output(RETURN).type == list[int]


def _split_then(slug: str) -> Workflow:
    wf = Workflow(name="words into " + slug)
    text = wf.input_cell("text", "1 2 3")
    words, result = uuid4(), uuid4()
    wf.add_step(step("text.split", {"text": text.id}, words))
    wf.add_step(step(slug, {"items": words}, result))
    return wf


def test_workflow_validation_refuses_text_items_into_sum_naming_both_types():
    problems = find_problems(_split_then("lists.sum"))
    assert [type(p) for p in problems] == [TypeMismatchError]
    message = str(problems[0])
    assert "list[str]" in message and "list[int | float]" in message, message
    with pytest.raises(TypeMismatchError, match=r"list\[str\]"):
        Engine(InMemoryStore()).run(_split_then("lists.mean"))


def test_text_items_still_feed_functions_of_any_list():
    for slug in ("lists.length", "lists.sort", "lists.unique", "lists.count_values"):
        assert find_problems(_split_then(slug)) == [], slug


def test_numbers_from_range_feed_sum_and_a_bare_list_is_trusted():
    wf = Workflow(name="range into sum")
    stop = wf.input_cell("stop", 5)
    numbers, total, parts, total2 = uuid4(), uuid4(), uuid4(), uuid4()
    wf.add_step(step("lists.range", {"stop": stop.id}, numbers))
    wf.add_step(step("lists.sum", {"items": numbers}, total))
    given = wf.input_cell("given", [1, 2])
    wf.add_step(step("lists.concat", {"a": given.id, "b": given.id}, parts))  # returns a bare list
    wf.add_step(step("lists.sum", {"items": parts}, total2))
    assert find_problems(wf) == []
    Engine(store := InMemoryStore()).run(wf)
    assert store.get(total).value == 10 and store.get(total2).value == 6


def test_a_users_function_with_element_types_is_checked_both_ways():
    reg = FunctionRegistry()

    @fancy_function("t.names", registry=reg)
    def names() -> list[str]:
        """Some names."""
        return ["a"]

    @fancy_function("t.scores", registry=reg)
    def scores(values: dict[str, float]) -> float:
        """Adds up the scores."""
        return sum(values.values())

    produced = reg.get("t.names").output(RETURN).type
    assert not accepts(registry.get("lists.sum").input("items").type, produced)
    assert accepts(reg.get("t.scores").input("values").type, dict[str, int])
    assert not accepts(reg.get("t.scores").input("values").type, dict[str, str])
