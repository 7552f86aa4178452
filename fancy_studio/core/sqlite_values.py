"""How `SqliteStore` writes a value to disk and reads it back, safely.

A value is kept in the plainest format that holds it *exactly*: JSON when it is made only of
`None`, `bool`, `int`, finite `float`, `str`, `list` and `dict` with `str` keys (so reading it back
gives the same types, never a list for a tuple or a float for an int); otherwise a pickle signed with
an HMAC-SHA256 under a per-user key. A pickle is only ever unpickled after its signature verifies, so a
store file from anywhere else cannot run code: its values are refused (`StoredValueError`). A value
that cannot be pickled is kept in the process's memory only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import pickle
import secrets
from pathlib import Path
from typing import Any
from uuid import UUID

from fancy_studio.core.errors import FancyError
from fancy_studio.core.result_cache import Lineage

JSON, SIGNED_PICKLE, IN_MEMORY = 0, 1, 2
"""A stored value's encoding (the `encoding` column)."""
RETURN_ONLY = 10
"""Added to a result's encoding when its outputs are the one port "return": the blob is that value's
(the very bytes its cell was written with), not a mapping's; its `output_hashes` is then the bare hash."""
_RETURN = "return"

_MAC_SIZE = 32  # HMAC-SHA256
_encoder = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False)


def _refuse(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _c_dumps() -> Any:
    """json's C encoder made once (`json.dumps` makes one per call, a third of its time on small values);
    None where this Python has none or it does not behave like `JSONEncoder.encode`."""
    make = getattr(json.encoder, "c_make_encoder", None)
    try:
        encode = make(None, _refuse, json.encoder.encode_basestring, None, ":", ",", False, False, False)
        sample = {"a": [1, 2.5, "é", None, True]}
        if "".join(encode(sample, 0)) != _encoder.encode(sample):
            return None
    except Exception:  # noqa: BLE001 - a private API: use the public one instead
        return None
    return lambda value: "".join(encode(value, 0))


dumps = _c_dumps() or _encoder.encode
"""Compact JSON of a value `_exact_json` accepts (or of lineage and hashes), as `json.dumps` writes it."""
_dumps = dumps
_loads = json.loads


class StoredValueError(FancyError, ValueError):
    """A stored value that cannot be read back: an unsigned or wrongly signed pickle (a store written
    under another user's key, or tampered with) or a damaged blob."""


class StoreFormatError(FancyError):
    """A store file that is not a Fancy Studio store, or was written by a newer version."""


def key_path() -> Path:
    """Where the per-user signing key lives: ``$XDG_CONFIG_HOME/fancy-studio/store.key``
    (``~/.config/fancy-studio/store.key`` when the variable is not set)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fancy-studio" / "store.key"


def load_or_create_key(path: Path | None = None) -> bytes:
    """The user's signing key, created on first use (32 random bytes, the file 0600 in a 0700 folder)."""
    path = path or key_path()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_bytes()
    with os.fdopen(fd, "wb") as file:
        file.write(key)
    return key


def _exact_json(value: Any, depth: int = 0) -> bool:
    """True when JSON gives `value` back with the same types and values."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if depth > 200:
        return False
    if kind is list:
        return all(_exact_json(item, depth + 1) for item in value)
    if kind is dict:
        return all(type(k) is str and _exact_json(v, depth + 1) for k, v in value.items())
    return False


def encode(value: Any, key: bytes) -> tuple[int, bytes | None]:
    """`(encoding, blob)` for `value`; `(IN_MEMORY, None)` when it cannot be pickled."""
    kind = type(value)
    if kind is int:
        return JSON, b"%d" % value
    if kind is float and math.isfinite(value):
        return JSON, repr(value).encode()  # what json.dumps writes for a float
    if kind is str or value is None or _exact_json(value):
        return JSON, _dumps(value).encode()
    try:
        data = pickle.dumps(value, protocol=5)
    except Exception:  # noqa: BLE001 - anything pickle raises means "cannot go to disk"
        return IN_MEMORY, None
    return SIGNED_PICKLE, hmac.new(key, data, hashlib.sha256).digest() + data


def decode(encoding: int, blob: bytes | None, key: bytes) -> Any:
    """The value `encode` gave `blob` for; a pickle only after its signature verifies."""
    if encoding == JSON and blob is not None:
        try:
            return _loads(blob)
        except ValueError as exc:
            raise StoredValueError(f"a stored value is damaged (not valid JSON: {exc})") from None
    if encoding == SIGNED_PICKLE and blob is not None:
        mac, data = blob[:_MAC_SIZE], blob[_MAC_SIZE:]
        expected = hmac.new(key, data, hashlib.sha256).digest()
        if len(mac) != _MAC_SIZE or not hmac.compare_digest(mac, expected):
            raise StoredValueError(
                "a stored value was refused: its signature does not match this user's key (the store "
                "was written by someone else, or changed since); it was not loaded and will be recomputed"
            )
        try:
            return pickle.loads(data)  # noqa: S301 - signed by this user's key, verified above
        except Exception as exc:  # noqa: BLE001 - e.g. a class that no longer exists
            raise StoredValueError(f"a stored value could not be unpickled: {exc}") from None
    raise StoredValueError(f"a stored value has an unknown encoding {encoding}")


_heads: dict[tuple[str, str], str] = {}


def lineage_json(lineage: Lineage) -> str:
    """A lineage as JSON text (the step's id as 32 hex digits; `lineage_from` reads it back). Built by
    hand, the function's part made once per function: it is written for every step a run makes."""
    slug, version = lineage.slug, lineage.version
    head = _heads.get((slug, version))
    if head is None:
        if len(_heads) > 1000:
            _heads.clear()
        head = _heads[slug, version] = f',"slug":{_dumps(slug)},"version":{_dumps(version)},"input_hashes":'
    step_id, hashes, made_at, duration = lineage.step_id, lineage.input_hashes, lineage.made_at, lineage.duration
    return "".join((
        '{"step_id":', f'"{step_id.hex}"' if step_id is not None else "null", head,
        _dumps(hashes if type(hashes) is dict else dict(hashes)), ',"key":', _dumps(lineage.key),
        ',"made_at":', repr(made_at) if type(made_at) is float and math.isfinite(made_at) else _dumps(made_at),
        ',"duration":', repr(duration) if type(duration) is float and math.isfinite(duration) else _dumps(duration),
        "}"))


def lineage_from(text: str) -> Lineage:
    data = _loads(text)
    step_id = data.get("step_id")
    if step_id is not None:
        data["step_id"] = UUID(step_id)
    return Lineage(**data)


def encode_outputs(outputs: Any, hashes: Any, key: bytes, encoded: dict[int, tuple[int, bytes | None]]
                   ) -> tuple[int, bytes | None, str]:
    """`(encoding, blob, output hashes text)` of a result's outputs; a value already in `encoded` (by id:
    its cell's, written in the same transaction) is not encoded again."""
    if len(outputs) == 1 and _RETURN in outputs and _RETURN in hashes:
        value = outputs[_RETURN]
        done = encoded.get(id(value))
        encoding, blob = done if done is not None else encode(value, key)
        return encoding + RETURN_ONLY, blob, hashes[_RETURN]
    encoding, blob = encode(dict(outputs), key)
    return encoding, blob, _dumps(dict(hashes))


def decode_outputs(encoding: int, blob: bytes | None, key: bytes) -> Any:
    if encoding >= RETURN_ONLY:
        return {_RETURN: decode(encoding - RETURN_ONLY, blob, key)}
    return decode(encoding, blob, key)


def hashes_from(text: str) -> Any:
    """The output hashes `encode_outputs` wrote as `text`."""
    return _loads(text) if text.startswith("{") else {_RETURN: text}
