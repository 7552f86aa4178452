"""Content hashes of values and functions, and a step's recipe key: what reuse compares.

A step can be reused when its *key* is one a store has seen: the key covers the function's slug and
version, the content hash of each input value, its parameters and (for a function that reads the outside
world) its fingerprint. Everything here is a pure function of its arguments, stable across processes and
machines (never `repr`, never `hash()`, which Python salts per process), so a key written by one
interpreter is found by the next.

Values are hashed with xxhash's xxh3_128 over a type-tagged serialisation: JSON-like values canonically
(dict keys in a fixed order, `1`, `1.0` and `True` all different), bytes-like values directly from their
buffer (no copy), sets in a fixed order, and anything else by its pickle (protocol 5, large buffers hashed
out of band, no copy). A value that cannot be pickled has no hash (`None`): its step is not reused.
A pickle that differs for equal values (an object holding a set of strings, whose order Python salts)
only costs a miss, never a wrong reuse.
"""

from __future__ import annotations

import inspect
import pickle
import struct
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import xxhash

if TYPE_CHECKING:
    from fancy_studio.core.functions import FancyFunction

_digest = xxhash.xxh3_128_hexdigest
_hasher = xxhash.xxh3_128
_pack_float = struct.Struct("<d").pack
_BYTES_TAGS = {bytes: b"b", bytearray: b"y", memoryview: b"m"}
KEY_FORMAT = "fancy-step/1"
"""Changes whenever the key's layout changes, so old stored keys simply stop matching."""


class _Unhashable(Exception):
    """A value (or part of one) that cannot be serialised: its step is not reused."""


def value_hash(value: Any) -> str | None:
    """The content hash (32 hex digits) of `value`, or None when it cannot be hashed."""
    kind = type(value)
    # the common scalars in one call each (no hasher object)
    if kind is float:
        return _digest(b"f" + _pack_float(value))
    if kind is int:
        return _digest(b"i%d" % value)
    if kind is str:
        return _digest(b"s" + value.encode("utf-8", "surrogatepass"))
    if kind is bytes:
        hasher = _hasher(b"b%d:" % len(value))
        hasher.update(value)
        return hasher.hexdigest()
    hasher = _hasher()
    try:
        _feed(hasher, value)
    except _Unhashable:
        return None
    return hasher.hexdigest()


def _feed(hasher: Any, value: Any) -> None:
    """Write `value`'s tagged serialisation into `hasher` (see the module docstring)."""
    update = hasher.update
    kind = type(value)
    if value is None:
        update(b"N")
    elif kind is bool:
        update(b"T" if value else b"F")
    elif kind is int:
        update(b"i%d;" % value)
    elif kind is float:
        update(b"f" + _pack_float(value))
    elif kind is str:
        data = value.encode("utf-8", "surrogatepass")
        update(b"s%d:" % len(data))
        update(data)
    elif kind is bytes or kind is bytearray or kind is memoryview:
        view = memoryview(value)
        if not view.c_contiguous:
            view = memoryview(view.tobytes())
        update(_BYTES_TAGS[kind] + b"%d:" % view.nbytes)
        update(view.cast("B") if view.ndim != 1 or view.format != "B" else view)
    elif kind is list or kind is tuple:
        update(b"%s%d[" % (b"l" if kind is list else b"t", len(value)))
        for item in value:
            _feed(hasher, item)
    elif kind is dict:
        # keys in a fixed order whatever their type: sorted by their own hashes
        update(b"d%d{" % len(value))
        for key_hash, item in sorted((_part_hash(key), item) for key, item in value.items()):
            update(key_hash.encode())
            _feed(hasher, item)
    elif kind is set or kind is frozenset:
        update(b"%s%d{" % (b"S" if kind is set else b"Z", len(value)))
        for item_hash in sorted(_part_hash(item) for item in value):
            update(item_hash.encode())
    else:
        _feed_pickle(hasher, value)


def _part_hash(value: Any) -> str:
    hasher = _hasher()
    _feed(hasher, value)
    return hasher.hexdigest()


def _feed_pickle(hasher: Any, value: Any) -> None:
    buffers: list[pickle.PickleBuffer] = []
    try:
        data = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    except Exception as exc:  # any object may refuse to pickle, in any way
        raise _Unhashable(str(exc)) from exc
    hasher.update(b"p%d:" % len(data))
    hasher.update(data)
    for buffer in buffers:
        _feed(hasher, buffer.raw())


def function_version(function: FancyFunction) -> str:
    """The version a function's results are stored under: its pinned `version=` if it has one, else a
    hash of its code (bytecode, constants and names, nested functions too, and its source when Python
    can find it) and its defaults, so editing the function invalidates what it made."""
    return function.version


def code_version(func: Any) -> str:
    """A hash of a callable's code (see `function_version`)."""
    hasher = _hasher(b"code/1")
    target = inspect.unwrap(func) if callable(func) else func
    code = getattr(target, "__code__", None)
    if code is None:  # a builtin, a class, a partial: known by name only
        hasher.update(f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', type(target).__qualname__)}"
                      .encode())
        return hasher.hexdigest()
    _feed_code(hasher, code)
    for extra in (getattr(target, "__defaults__", None), getattr(target, "__kwdefaults__", None)):
        digest = value_hash(extra)
        hasher.update((digest or "unhashable").encode())
    try:
        source = inspect.getsource(target)
    except (OSError, TypeError):
        source = ""
    hasher.update(source.encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


def _feed_code(hasher: Any, code: types.CodeType) -> None:
    hasher.update(code.co_code)
    hasher.update("\x00".join(code.co_names).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(hasher, const)
        else:
            hasher.update((value_hash(const) or type(const).__qualname__).encode())


def step_key(slug: str, version: str, input_hashes: Mapping[str, str],
             params: Mapping[str, Any] | None = None, fingerprint: str | None = None) -> str:
    """A step's recipe key: the same for the same function version, input contents, parameters and
    fingerprint (a hash, see `value_hash`), whatever the order of `input_hashes`. Pure.

    Raises TypeError when `params` cannot be hashed."""
    # every part framed by its length, so no two different recipes give the same text
    text = f"{KEY_FORMAT}\x00{len(slug)}:{slug}\x00{len(version)}:{version}"
    names = input_hashes if len(input_hashes) < 2 else sorted(input_hashes)
    for name in names:
        digest = input_hashes[name]
        text += f"\x00{len(name)}:{name}\x00{len(digest)}:{digest}"
    if params:
        digest = value_hash(dict(params))
        if digest is None:
            raise TypeError("the step's parameters cannot be hashed")
        text += f"\x00params\x00{digest}"
    if fingerprint is not None:
        text += f"\x00fingerprint\x00{len(fingerprint)}:{fingerprint}"
    return _digest(text.encode("utf-8", "surrogatepass"))
