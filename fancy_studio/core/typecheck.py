"""Can a value of one type feed an input that expects another? Answered from type hints.

The check is deliberately lenient: it flags only what is certainly wrong (a `str` cell into an `int`
input), and says yes whenever a hint is missing, generic or too clever to judge. Numbers widen as in
Python's numeric tower (an `int` feeds a `float` input).
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from typing import Any

from fancy_studio.core.data_types import canonical_type

_WIDENS_TO: dict[type, tuple[type, ...]] = {
    float: (int, bool),
    complex: (float, int, bool),
}


def _is_unknown(hint: Any) -> bool:
    return hint is Any or hint is object or hint is inspect.Parameter.empty or isinstance(hint, typing.TypeVar)


def _members(hint: Any) -> tuple[Any, ...] | None:
    """The members of a union (`int | None`, `Optional[int]`), or None for a non-union."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(hint)
    return None


def _base(hint: Any) -> Any:
    """`list[int]` → `list`; a plain class stays itself; `None` → `NoneType`."""
    if hint is None:
        return type(None)
    origin = typing.get_origin(hint)
    return origin if origin is not None else hint


@functools.lru_cache(maxsize=4096)
def _accepts_cached(expected: Any, provided: Any) -> bool:
    return _accepts(expected, provided)


def accepts(expected: Any, provided: Any) -> bool:
    """True unless a value of type `provided` can never be a valid `expected`."""
    try:
        return _accepts_cached(expected, provided)
    except TypeError:  # unhashable hint
        return _accepts(expected, provided)


def _accepts(expected: Any, provided: Any) -> bool:
    if _is_unknown(expected) or _is_unknown(provided):
        return True
    expected, provided = canonical_type(expected), canonical_type(provided)
    expected_members = _members(expected)
    if expected_members is not None:
        return any(_accepts(member, provided) for member in expected_members)
    provided_members = _members(provided)
    if provided_members is not None:
        return any(_accepts(expected, member) for member in provided_members)
    if typing.get_origin(expected) is typing.Literal or typing.get_origin(provided) is typing.Literal:
        return True
    expected_base, provided_base = _base(expected), _base(provided)
    if not isinstance(expected_base, type) or not isinstance(provided_base, type):
        return True
    if expected_base is typing.Protocol or getattr(expected_base, "_is_protocol", False):
        return True
    try:
        if issubclass(provided_base, expected_base):  # abstract bases (Sequence, Number) included
            return True
    except TypeError:
        return True
    return provided_base in _WIDENS_TO.get(expected_base, ())


def value_accepted(expected: Any, value: Any) -> bool:
    """True unless `value` can never be a valid `expected` (checks the value's own type)."""
    return accepts(expected, type(value))
