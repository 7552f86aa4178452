"""Content hashes and recipe keys (core/caching.py): stable across processes, never by repr."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import namedtuple

import pytest

from fancy_studio.core.caching import code_version, function_version, step_key, value_hash
from fancy_studio.core.functions import FunctionRegistry, fancy_function

SAMPLES = [
    None, True, False, 0, 1, -7, 2**100, 1.0, 0.0, -0.0, 1.5, "", "a", "é\U0001F600",
    b"", b"abc", bytearray(b"abc"), [1, 2], (1, 2), [], (), {"b": 1, "a": [1.0, "x"]}, {1: "a", "1": "b"},
    {3, 1, 2}, frozenset({"x", "y"}), [[{"k": (1, None)}]],
]


def test_different_values_hash_differently():
    digests = [value_hash(v) for v in SAMPLES]
    assert all(isinstance(d, str) and len(d) == 32 for d in digests)
    assert len(set(digests)) == len(SAMPLES)


def test_int_float_bool_are_distinguished_inside_containers():
    assert len({value_hash([1]), value_hash([1.0]), value_hash([True])}) == 3
    assert len({value_hash({"a": 1}), value_hash({"a": 1.0}), value_hash({"a": True})}) == 3


def test_dict_key_order_does_not_matter_and_sets_are_ordered():
    assert value_hash({"a": 1, "b": 2}) == value_hash({"b": 2, "a": 1})
    assert value_hash({"x", "y", "z"}) == value_hash({"z", "y", "x"})


def test_bytes_like_values_hash_by_content_and_kind():
    data = bytes(range(256)) * 10
    assert value_hash(memoryview(data)) == value_hash(memoryview(bytearray(data)))
    assert value_hash(data) != value_hash(bytearray(data))
    assert value_hash(memoryview(data)[::2]) == value_hash(memoryview(data[::2]))


class Opaque:
    """Equal objects whose repr differs (the address): the hash must not follow repr."""

    def __init__(self, n):
        self.n = n


def test_other_objects_hash_by_pickle_not_repr():
    assert value_hash(Opaque(1)) == value_hash(Opaque(1))
    assert value_hash(Opaque(1)) != value_hash(Opaque(2))
    Point = namedtuple("Point", "x y")
    assert value_hash(Point(1, 2)) != value_hash((1, 2))


def test_unpicklable_values_have_no_hash():
    assert value_hash(threading.Lock()) is None
    assert value_hash([1, threading.Lock()]) is None
    assert value_hash(lambda: 1) is None


def _in_subprocess(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "12345"})
    return out.stdout.strip()


def test_hashes_and_keys_are_stable_across_processes():
    values = [{"b": [1, 2.5, None], "a": {"x", "y", "z"}}, "text", 3, 2.5, b"raw"]
    here = [value_hash(v) for v in values] + [step_key("math.add", "7", {"b": "h2", "a": "h1"}, {"k": 1})]
    code = (
        "import json\nfrom fancy_studio.core.caching import value_hash, step_key\n"
        "values = [{'b': [1, 2.5, None], 'a': {'x', 'y', 'z'}}, 'text', 3, 2.5, b'raw']\n"
        "print(json.dumps([value_hash(v) for v in values]"
        " + [step_key('math.add', '7', {'a': 'h1', 'b': 'h2'}, {'k': 1})]))"
    )
    assert json.loads(_in_subprocess(code)) == here


def test_step_key_covers_every_part_of_the_recipe():
    base = step_key("m.f", "1", {"x": "aa"}, None)
    assert base == step_key("m.f", "1", {"x": "aa"}, {})
    variants = [
        step_key("m.g", "1", {"x": "aa"}), step_key("m.f", "2", {"x": "aa"}), step_key("m.f", "1", {"x": "ab"}),
        step_key("m.f", "1", {"y": "aa"}), step_key("m.f", "1", {"x": "aa"}, {"p": 1}),
        step_key("m.f", "1", {"x": "aa"}, fingerprint="f1"),
    ]
    assert len({base, *variants}) == len(variants) + 1
    # framing: moving text between parts never gives the same key
    assert step_key("m.f", "1a", {"x": "b"}) != step_key("m.f", "1", {"ax": "b"})
    with pytest.raises(TypeError):
        step_key("m.f", "1", {}, {"p": threading.Lock()})


def test_function_version_follows_the_code_unless_pinned():
    reg = FunctionRegistry(load_builtins=False)

    def make(offset):
        def f(x: float) -> float:
            return x + offset
        return f

    def g(x: float) -> float:
        return x + 1

    def h(x: float) -> float:
        return x + 2

    fancy_function("t.g", registry=reg)(g)
    fancy_function("t.h", registry=reg)(h)
    fancy_function("t.pinned", registry=reg, version="2")(g)
    assert function_version(reg.get("t.g")) != function_version(reg.get("t.h"))
    assert function_version(reg.get("t.g")) == code_version(g)
    assert function_version(reg.get("t.pinned")) == "2"
    assert code_version(make(1)) == code_version(make(1))


def test_nested_code_is_part_of_the_version():
    def outer_a(x):
        def inner():
            return x * 2
        return inner()

    def outer_b(x):
        def inner():
            return x * 3
        return inner()

    assert code_version(outer_a) != code_version(outer_b)
