"""Can a value of one type feed an input that expects another? Answered from type hints.

The check is deliberately lenient: it flags only what is certainly wrong (a `str` cell into an `int`
input), and says yes whenever a hint is missing, generic or too clever to judge. Numbers widen as in
Python's numeric tower (an `int` feeds a `float` input).

Containers are judged to the element when both hints name their elements: `list[str]` does not feed
`list[int | float]`, `dict[str, int]` feeds `dict[str, float]`, `tuple[int, ...]` feeds `Sequence[float]`.
A bare `list` on either side says nothing about its items, so it fits any list. A value given in a cell is
judged by its own type only (`value_accepted`): its items are not looked at, which keeps the check the same
for a list of ten items and of ten million, and lets a check be remembered per type.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections import abc
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
            return _elements_accepted(expected, provided)
    except TypeError:
        return True
    return provided_base in _WIDENS_TO.get(expected_base, ())


_MAPPINGS = (dict, abc.Mapping, abc.MutableMapping)


def _element_hints(hint: Any) -> tuple[str, tuple[Any, ...]] | None:
    """What a container hint says of its items: ("items", (T,)) for `list[T]`, `set[T]`, `tuple[T, ...]`,
    `Sequence[T]`…; ("fixed", (A, B)) for `tuple[A, B]`; ("mapping", (K, V)) for `dict[K, V]`; None when it
    says nothing (a bare `list`, `tuple[()]`, a generic of any other kind)."""
    args = typing.get_args(hint)
    if not args:
        return None
    origin = typing.get_origin(hint)
    if origin in _MAPPINGS:
        return ("mapping", args) if len(args) == 2 else None
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return "items", args[:1]
        return ("fixed", args) if args != ((),) else None
    if isinstance(origin, type) and issubclass(origin, abc.Iterable) and len(args) == 1:
        return "items", args
    return None


def _elements_accepted(expected: Any, provided: Any) -> bool:
    """For containers whose bases already fit: do their items fit too (when both hints name them)?"""
    wanted, given = _element_hints(expected), _element_hints(provided)
    if wanted is None or given is None:
        return True
    (wanted_kind, wanted_args), (given_kind, given_args) = wanted, given
    if wanted_kind == "mapping" or given_kind == "mapping":
        if wanted_kind != given_kind:  # a dict iterates over its keys
            return _accepts(wanted_args[0], given_args[0]) if wanted_kind == "items" else True
        return all(_accepts(w, g) for w, g in zip(wanted_args, given_args))
    if wanted_kind == "items":
        return all(_accepts(wanted_args[0], g) for g in given_args)
    if given_kind == "fixed":
        return len(wanted_args) == len(given_args) and all(map(_accepts, wanted_args, given_args))
    return all(_accepts(w, given_args[0]) for w in wanted_args)  # tuple[T, ...] into tuple[A, B]


def value_accepted(expected: Any, value: Any) -> bool:
    """True unless `value` can never be a valid `expected` (checks the value's own type)."""
    return accepts(expected, type(value))
