"""Working with lists: making, measuring, sorting, picking items and combining.

Every function returns a new list and leaves the lists it was given unchanged.
"""

from __future__ import annotations

import builtins
import collections
import difflib
import numbers
from typing import Any

from fancy_studio.core import functions
from fancy_studio.core.functions import FancyFunction, fancy_function
from fancy_studio.core.library.limits import check_length
from fancy_studio.core.typecheck import value_accepted


@fancy_function("lists.range", title="Range of Numbers")
def number_range(stop: int, start: int = 0, step: int = 1) -> list[int]:
    """The whole numbers from `start` (0 by default) up to but not including `stop`, counting by
    `step`: stop 5 gives [0, 1, 2, 3, 4]. A negative step counts down."""
    if step == 0:
        raise ValueError("range: step must not be 0")
    if isinstance(start, int) and isinstance(stop, int) and isinstance(step, int):
        # how many numbers, counted without `len`, which fails beyond sys.maxsize
        check_length(max(0, (stop - start + step - (1 if step > 0 else -1)) // step), "range", "numbers")
    return list(builtins.range(start, stop, step))


@fancy_function("lists.length", title="List Length")
def length(items: list) -> int:
    """The number of items in the list."""
    return len(items)


@fancy_function("lists.sum", title="Sum")
def total(items: list[int | float]) -> int | float:
    """All the numbers in the list added up (0 for an empty list): a whole number when every item is
    one, else a float."""
    result = _added_up(items, "sum")
    if type(result) is int or type(result) is float:
        return result
    # what the output declares, for numbers of other kinds (numpy's, fractions); a Decimal would lose
    # its exactness as a float, so it is refused rather than rounded
    if isinstance(result, numbers.Integral):
        return int(result)
    if isinstance(result, numbers.Real):
        return float(result)
    raise TypeError(f"sum: adds whole numbers and floats; the items add up to a {type(result).__name__}")


@fancy_function("lists.mean", title="Mean (Average)")
def mean(items: list[int | float]) -> float:
    """The average of the numbers in the list: their sum divided by how many there are."""
    if not items:
        raise ValueError("mean: the list is empty, so it has no average")
    return _added_up(items, "mean") / len(items)


def _added_up(items: list, what: str) -> Any:
    """`sum(items)`; when an item is not a number, an error naming the first such item (looked for only
    then, so a list of numbers costs nothing more)."""
    try:
        return builtins.sum(items)
    except TypeError:
        for index, item in enumerate(items):
            if not isinstance(item, numbers.Number):
                raise TypeError(f"{what}: needs numbers, but item {index} ({item!r:.40}) is a "
                                f"{type(item).__name__}") from None
        raise


@fancy_function("lists.min", title="Smallest Item")
def smallest(items: list) -> Any:
    """The smallest item of the list (numbers by value, text alphabetically)."""
    if not items:
        raise ValueError("min: the list is empty, so it has no smallest item")
    return builtins.min(items)


@fancy_function("lists.max", title="Largest Item")
def largest(items: list) -> Any:
    """The largest item of the list (numbers by value, text alphabetically)."""
    if not items:
        raise ValueError("max: the list is empty, so it has no largest item")
    return builtins.max(items)


@fancy_function("lists.sort", title="Sort")
def sort(items: list, reverse: bool = False) -> list:
    """The items in order, smallest first (largest first if `reverse` is on)."""
    return sorted(items, reverse=reverse)


@fancy_function("lists.reverse", title="Reverse")
def reverse(items: list) -> list:
    """The items in the opposite order."""
    return list(reversed(items))


@fancy_function("lists.first", title="First Item")
def first(items: list) -> Any:
    """The first item of the list."""
    if not items:
        raise IndexError("first: the list is empty")
    return items[0]


@fancy_function("lists.last", title="Last Item")
def last(items: list) -> Any:
    """The last item of the list."""
    if not items:
        raise IndexError("last: the list is empty")
    return items[-1]


@fancy_function("lists.get", title="Item at Position")
def get(items: list, index: int) -> Any:
    """The item at position `index`, counting from 0; a negative index counts from the end (−1 is the
    last item)."""
    try:
        return items[index]
    except IndexError:
        raise IndexError(f"get: position {index} is outside a list of {len(items)} items") from None


@fancy_function("lists.take", title="Take First Items")
def take(items: list, n: int) -> list:
    """The first n items of the list (all of them if it has fewer)."""
    return list(items[: builtins.max(n, 0)])


@fancy_function("lists.skip", title="Skip First Items")
def skip(items: list, n: int) -> list:
    """The list without its first n items."""
    return list(items[builtins.max(n, 0):])


@fancy_function("lists.unique", title="Unique Items")
def unique(items: list) -> list:
    """The items with repeats removed, each kept where it first appears."""
    result: list = []
    seen: set = set()
    for item in items:
        try:
            if item in seen:
                continue
            seen.add(item)
        except TypeError:  # unhashable (a list, a dict): compare one by one
            if item in result:
                continue
        result.append(item)
    return result


@fancy_function("lists.contains", title="List Contains")
def contains(items: list, item: Any) -> bool:
    """True if `item` is one of the items of the list."""
    return item in items


@fancy_function("lists.count", title="Count Item")
def count(items: list, item: Any) -> int:
    """How many times `item` occurs in the list."""
    return items.count(item)


@fancy_function("lists.append", title="Append")
def append(items: list, item: Any) -> list:
    """The list with `item` added at the end."""
    return [*items, item]


@fancy_function("lists.concat", title="Concatenate Lists")
def concat(a: list, b: list) -> list:
    """The items of a followed by the items of b, in one list."""
    return [*a, *b]


@fancy_function("lists.count_values", title="Count Each Value")
def count_values(items: list) -> dict:
    """How many times each different item occurs: a dict from item to count, the most frequent first
    (equal counts in the order they first appear). `items`: the list to count, for example words."""
    try:
        return dict(collections.Counter(items).most_common())
    except TypeError:
        raise TypeError("count_values: counts items that can be dict keys (text, numbers, tuples); "
                        "a list or dict item cannot be counted") from None


def _target(slug: str) -> FancyFunction:
    """The registered function `lists.map` applies: looked up by slug in the registry only."""
    found = functions.registry.find(slug) if isinstance(slug, str) else None
    if found is None:
        near = difflib.get_close_matches(str(slug), [f.slug for f in functions.registry], n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise ValueError(f"map: no function is registered as {str(slug)!r:.80}{hint}")
    return found


def _map_fingerprint(items: list, function: str) -> str:
    """The applied function's version is part of the recipe, so editing it runs the map again; one that
    must not be reused (or reads the outside world) makes the map run every time."""
    target = _target(function)
    if not target.cacheable or target.fingerprint is not None:
        raise ValueError(f"{target.slug} is never reused, so neither is a map over it")
    return target.version


@fancy_function("lists.map", title="Apply to Each Item", fingerprint=_map_fingerprint)
def map_items(items: list, function: str) -> list:
    """A new list of what `function` gives for each item of `items`. `function` is the slug of a
    registered function (for example "text.upper" or "math.increment"), never code: its first required
    input takes each item, and all its other inputs must have defaults."""
    target = _target(function)
    required = [port for port in target.inputs if port.required]
    if not required:
        raise ValueError(f"map: {target.slug} has no required input to take each item")
    if len(required) > 1:
        others = ", ".join(port.name for port in required[1:])
        raise ValueError(f"map: {target.slug} also needs {others}; map can only fill its first input "
                         f"({required[0].name}), so the others must have defaults")
    port = required[0]
    result = []
    for index, item in enumerate(items):
        if not value_accepted(port.type, item):
            raise TypeError(f"map: item {index} ({item!r:.40}) is a {type(item).__name__}, but "
                            f"{target.slug}'s input '{port.name}' expects {port.type_name}")
        try:
            result.append(target.func(**{port.name: item}))
        except Exception as exc:
            raise ValueError(f"map: {target.slug} failed on item {index} ({item!r:.40}): "
                             f"{type(exc).__name__}: {exc}") from exc
    return result
