"""The built-in function library: every function is described, and a sample of each module works."""

from __future__ import annotations

import inspect
import math
import typing
from decimal import Decimal
from fractions import Fraction
from uuid import uuid4

import pytest

from fancy_studio.core import TypeMismatchError, Workflow, WorkflowStep, find_problems
from fancy_studio.core.functions import RETURN, FancyFunction, registry

LIBRARY_MODULES = ("math", "text", "lists", "convert")


def library_functions() -> list[FancyFunction]:
    return [f for f in registry if f.func.__module__.startswith("fancy_studio.core.library.")]


def call(slug: str, *args, **kwargs):
    return registry.get(slug).func(*args, **kwargs)


def test_every_module_registers_functions() -> None:
    modules = {f.func.__module__.rsplit(".", 1)[-1] for f in library_functions()}
    assert set(LIBRARY_MODULES) <= modules


@pytest.mark.parametrize("function", library_functions(), ids=lambda f: f.slug)
def test_builtin_is_described(function: FancyFunction) -> None:
    assert function.title.strip()
    assert function.description.strip()
    assert function.category.strip()
    module = function.func.__module__.rsplit(".", 1)[-1]
    assert function.slug.split(".")[0] == function.category
    assert module.startswith(function.category)  # a family may span files: tables.py, tables_io.py for table.*


@pytest.mark.parametrize("function", library_functions(), ids=lambda f: f.slug)
def test_builtin_is_fully_type_hinted(function: FancyFunction) -> None:
    signature = inspect.signature(function.func)
    for name, param in signature.parameters.items():
        assert param.annotation is not inspect.Parameter.empty, f"{function.slug}: '{name}' has no hint"
    assert signature.return_annotation is not inspect.Signature.empty, f"{function.slug}: no return hint"


def test_titles_are_unique_within_a_category() -> None:
    seen: dict[tuple[str, str], str] = {}
    for function in library_functions():
        key = (function.category, function.title)
        assert key not in seen, f"{function.slug} and {seen[key]} share the title {function.title!r}"
        seen[key] = function.slug


# --- math ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "args", "expected"),
    [
        ("math.add", (2, 3), 5),
        ("math.negate", (4.5,), -4.5),
        ("math.absolute", (-3,), 3),
        ("math.round", (2.567, 2), 2.57),
        ("math.round", (3.5,), 4),
        ("math.floor", (-2.3,), -3),
        ("math.ceil", (2.1,), 3),
        ("math.min", (7, 2), 2),
        ("math.max", (7, 2), 7),
        ("math.modulo", (10, 3), 1),
        ("math.sqrt", (16,), 4),
        ("math.clamp", (15, 0, 10), 10),
        ("math.clamp", (-5, 0, 10), 0),
        ("math.clamp", (5, 0, 10), 5),
        ("math.power", (3,), 9),
    ],
)
def test_math(slug: str, args: tuple, expected: object) -> None:
    assert call(slug, *args) == pytest.approx(expected)


def test_math_errors() -> None:
    with pytest.raises(ValueError):
        call("math.sqrt", -1)
    with pytest.raises(ValueError):
        call("math.clamp", 1, 10, 0)
    with pytest.raises(ZeroDivisionError):
        call("math.modulo", 1, 0)


def test_divmod_splits_into_quotient_and_remainder() -> None:
    function = registry.get("math.divmod")
    assert [p.name for p in function.outputs] == ["quotient", "remainder"]
    assert function.returns_named_tuple
    assert function.split_outputs(function.func(17, 5)) == {"quotient": 3, "remainder": 2}


def test_single_output_is_return() -> None:
    function = registry.get("math.add")
    assert [p.name for p in function.outputs] == [RETURN]
    assert function.split_outputs(function.func(1, 2)) == {RETURN: 3}


# --- text ------------------------------------------------------------------------------------------


def test_text() -> None:
    assert call("text.concatenate", "foo", "bar") == "foobar"
    assert call("text.concatenate", "foo", "bar", separator=", ") == "foo, bar"
    assert call("text.format", "Total: {}", 3) == "Total: 3"
    assert call("text.format", "Total: {value:.2f}", 3.14159) == "Total: 3.14"
    assert call("text.upper", "abc") == "ABC"
    assert call("text.lower", "ABC") == "abc"
    assert call("text.strip", "  hi \n") == "hi"
    assert call("text.split", "a b c") == ["a", "b", "c"]
    assert call("text.split", "a,b", separator=",") == ["a", "b"]
    assert call("text.split", " a \t b\n", separator="") == ["a", "b"]
    assert call("text.join", ["a", "b"], ", ") == "a, b"
    assert call("text.join", [1, 2, 3], separator="-") == "1-2-3"
    assert call("text.length", "hello") == 5
    assert call("text.replace", "a-b-c", "-", "+") == "a+b+c"
    assert call("text.contains", "pipeline", "line") is True
    assert call("text.starts_with", "pipeline", "pipe") is True
    assert call("text.ends_with", "pipeline", "pipe") is False
    assert call("text.lines", "one\ntwo\r\nthree") == ["one", "two", "three"]


def test_split_then_join_round_trips() -> None:
    text = "the quick brown fox"
    assert call("text.join", call("text.split", text)) == text


def test_format_with_unknown_field_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="name"):
        call("text.format", "Hello {name}", "Ada")


# --- lists -----------------------------------------------------------------------------------------


def test_sum_returns_what_its_output_declares() -> None:
    """`lists.sum` is a whole number for whole numbers (exact, of any size) and a float otherwise, and
    its declared output type says so, so a wire from it is checked against the truth."""
    declared = registry.get("lists.sum").output(RETURN).type
    declared_types = typing.get_args(declared) or (declared,)
    for items, expected in (([1, 2, 3], 6), ([], 0), ([10**30, 1], 10**30 + 1), ([1, 2.5], 3.5),
                            ([True, 2], 3), ([Fraction(1, 2), 1], 1.5)):
        result = call("lists.sum", items)
        assert result == expected and type(result) in declared_types, (items, result)
    assert type(call("lists.sum", [1.0, 2.0])) is float
    with pytest.raises(TypeError, match="Decimal"):
        call("lists.sum", [Decimal("0.1"), 1])


def test_sum_wires_into_number_inputs_but_not_text() -> None:
    wf = Workflow(name="sum")
    values = wf.input_cell("values", [1, 2, 3])
    total, more, shout = uuid4(), uuid4(), uuid4()
    wf.add_step(WorkflowStep(function_slug="lists.sum", inputs={"items": values.id}, outputs={RETURN: total}))
    wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": total}, outputs={RETURN: more}))
    assert find_problems(wf) == []
    wf.add_step(WorkflowStep(function_slug="text.upper", inputs={"text": total}, outputs={RETURN: shout}))
    assert [type(p) for p in find_problems(wf)] == [TypeMismatchError]


def test_lists() -> None:
    assert call("lists.range", 5) == [0, 1, 2, 3, 4]
    assert call("lists.range", 10, start=2, step=3) == [2, 5, 8]
    assert call("lists.range", 0, start=3, step=-1) == [3, 2, 1]
    assert call("lists.sum", [1, 2, 3.5]) == 6.5
    assert call("lists.sum", []) == 0
    assert call("lists.length", [1, 2, 3]) == 3
    assert call("lists.sort", [3, 1, 2]) == [1, 2, 3]
    assert call("lists.sort", [3, 1, 2], reverse=True) == [3, 2, 1]
    assert call("lists.reverse", [1, 2, 3]) == [3, 2, 1]
    assert call("lists.first", [1, 2, 3]) == 1
    assert call("lists.last", [1, 2, 3]) == 3
    assert call("lists.get", ["a", "b", "c"], -2) == "b"
    assert call("lists.take", [1, 2, 3], 2) == [1, 2]
    assert call("lists.take", [1, 2, 3], 10) == [1, 2, 3]
    assert call("lists.skip", [1, 2, 3], 1) == [2, 3]
    assert call("lists.unique", [3, 1, 3, 2, 1]) == [3, 1, 2]
    assert call("lists.unique", [[1], [1], [2]]) == [[1], [2]]
    assert call("lists.min", [4, 2, 8]) == 2
    assert call("lists.max", ["pear", "apple"]) == "pear"
    assert call("lists.mean", [1, 2, 3, 4]) == 2.5
    assert call("lists.append", [1, 2], 3) == [1, 2, 3]
    assert call("lists.concat", [1], [2, 3]) == [1, 2, 3]
    assert call("lists.contains", [1, 2], 2) is True
    assert call("lists.count", [1, 2, 1], 1) == 2


@pytest.mark.parametrize("slug", ["lists.mean", "lists.min", "lists.max"])
def test_empty_list_is_a_clear_error(slug: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        call(slug, [])


@pytest.mark.parametrize("slug", ["lists.first", "lists.last"])
def test_first_last_of_empty_list(slug: str) -> None:
    with pytest.raises(IndexError, match="empty"):
        call(slug, [])


def test_range_stop_is_required() -> None:
    function = registry.get("lists.range")
    assert function.input("stop").required
    assert not function.input("start").required
    assert not function.input("step").required


@pytest.mark.parametrize(
    ("slug", "args"),
    [
        ("lists.sort", ()),
        ("lists.reverse", ()),
        ("lists.append", (9,)),
        ("lists.take", (1,)),
        ("lists.unique", ()),
        ("lists.concat", ([7],)),
    ],
)
def test_list_functions_leave_their_input_unchanged(slug: str, args: tuple) -> None:
    items = [3, 1, 2, 3]
    result = call(slug, items, *args)
    assert items == [3, 1, 2, 3]
    assert result is not items


# --- convert ---------------------------------------------------------------------------------------


def test_convert() -> None:
    assert call("convert.to_int", "42") == 42
    assert call("convert.to_int", " 3.7 ") == 3
    assert call("convert.to_int", -3.7) == -3
    assert call("convert.to_int", True) == 1
    assert call("convert.to_float", "3.5") == 3.5
    assert call("convert.to_float", 2) == 2.0
    assert call("convert.to_str", 42) == "42"
    assert call("convert.to_str", "x") == "x"
    assert call("convert.to_bool", "Yes") is True
    assert call("convert.to_bool", "false") is False
    assert call("convert.to_bool", 0) is False
    assert call("convert.to_bool", [1]) is True
    assert call("convert.parse_json", '{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    assert call("convert.to_json", {"a": [1, True]}) == '{"a": [1, true]}'
    assert call("convert.to_json", [1], indent=2) == "[\n  1\n]"


def test_json_round_trips() -> None:
    value = {"name": "Zoë", "scores": [1, 2.5], "ok": False, "none": None}
    assert call("convert.parse_json", call("convert.to_json", value)) == value


@pytest.mark.parametrize(
    ("slug", "value"),
    [
        ("convert.to_int", "abc"),
        ("convert.to_int", math.inf),
        ("convert.to_int", None),
        ("convert.to_float", "abc"),
        ("convert.to_bool", "maybe"),
        ("convert.parse_json", "{not json"),
        ("convert.to_json", {1, 2}),
    ],
)
def test_convert_errors_are_value_errors(slug: str, value: object) -> None:
    with pytest.raises(ValueError):
        call(slug, value)
