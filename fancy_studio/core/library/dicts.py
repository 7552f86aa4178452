"""Working with dicts (keys that name values, as in a JSON object): reading, setting, listing, merging.

Every function returns a new dict and leaves the dicts it was given unchanged.
"""

from __future__ import annotations

from typing import Any

from fancy_studio.core.functions import fancy_function


def _check(mapping: Any, what: str, name: str = "mapping") -> None:
    if not isinstance(mapping, dict):
        raise TypeError(f"{what}: '{name}' must be a dict; it is a {type(mapping).__name__}")


@fancy_function("dicts.get", title="Get Value")
def get_value(mapping: dict, key: Any, default: Any = None) -> Any:
    """The value stored under `key` in `mapping`, or `default` when there is none. `mapping`: the dict to
    look in; `key`: the key (usually text); `default`: what to give for a missing key (nothing by
    default)."""
    _check(mapping, "dicts.get")
    try:
        return mapping.get(key, default)
    except TypeError:
        raise TypeError(f"dicts.get: a {type(key).__name__} cannot be a key (a list or dict cannot)") \
            from None


@fancy_function("dicts.set", title="Set Value")
def set_value(mapping: dict, key: Any, value: Any) -> dict:
    """A copy of `mapping` with `value` stored under `key` (replacing what was there). `mapping`: the dict
    to start from (unchanged); `key`: the key (usually text); `value`: the value to store."""
    _check(mapping, "dicts.set")
    try:
        return {**mapping, key: value}
    except TypeError:
        raise TypeError(f"dicts.set: a {type(key).__name__} cannot be a key (a list or dict cannot)") \
            from None


@fancy_function("dicts.keys", title="Keys")
def keys(mapping: dict) -> list:
    """The keys of `mapping`, as a list, in the dict's order."""
    _check(mapping, "dicts.keys")
    return list(mapping)


@fancy_function("dicts.values", title="Values")
def values(mapping: dict) -> list:
    """The values of `mapping`, as a list, in the dict's order."""
    _check(mapping, "dicts.values")
    return list(mapping.values())


@fancy_function("dicts.merge", title="Merge Dicts")
def merge(first: dict, second: dict) -> dict:
    """One dict with the keys of both: `first`'s, then those of `second`; where both have a key,
    `second`'s value wins."""
    _check(first, "dicts.merge", "first")
    _check(second, "dicts.merge", "second")
    return {**first, **second}
