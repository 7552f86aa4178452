"""Turning values of one kind into another: text into numbers, numbers into text, JSON."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from fancy_studio.core.functions import fancy_function
from fancy_studio.core.library.limits import ResultTooLargeError, check_length

_TRUE = frozenset({"true", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "no", "n", "off", "0", ""})


@fancy_function("convert.to_int", title="To Whole Number")
def to_int(value: Any) -> int:
    """The value as a whole number. Text such as "42" or " 3.7 " is read as a number; the fractional
    part is dropped (3.7 → 3, −3.7 → −3), so use Round first to round instead."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"cannot read {value!r} as a whole number") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot turn {value} into a whole number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"cannot turn {value!r} ({type(value).__name__}) into a whole number") from None


@fancy_function("convert.to_float", title="To Number")
def to_float(value: Any) -> float:
    """The value as a number (with decimals). Text such as "3.14", " 2 " or "1e3" is read as a number."""
    try:
        return float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise ValueError(f"cannot read {value!r} as a number") from None


@fancy_function("convert.to_str", title="To Text")
def to_str(value: Any) -> str:
    """The value written as text, for example 42 → "42". A whole number of more than 4,300 digits
    cannot be written (Python's limit, which keeps the conversion from taking minutes)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and value.bit_length() > 14_000:  # 4,300 digits is 14,284 bits
        try:
            return str(value)
        except ValueError:
            raise ValueError(f"cannot write a whole number of about {int(value.bit_length() * 0.30103):,} "
                             f"digits as text; at most {sys.get_int_max_str_digits():,} digits") from None
    return str(value)


@fancy_function("convert.to_bool", title="To True/False")
def to_bool(value: Any) -> bool:
    """The value as True or False. Text "true", "yes", "on" or "1" is True and "false", "no", "off",
    "0" or empty text is False (any case); a number is True unless it is 0; an empty list is False."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(f"cannot read {value!r} as true or false")
    return bool(value)


@fancy_function("convert.parse_json", title="Parse JSON")
def parse_json(text: str) -> Any:
    """The value that a JSON text describes: an object becomes a dict, an array a list."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None


@fancy_function("convert.to_json", title="To JSON")
def to_json(value: Any, indent: int = 0) -> str:
    """The value written as JSON text; with `indent` above 0 it is spread over lines, indented by
    that many spaces."""
    if indent <= 0:
        try:
            return json.dumps(value, ensure_ascii=False)  # no larger than a few times the value
        except (TypeError, ValueError) as exc:
            raise ValueError(f"cannot write as JSON: {exc}") from None
    check_length(indent, "to_json (indent)")
    # indented, every line repeats the indent: the text is built piece by piece and measured on the way
    pieces, made = [], 0
    try:
        for piece in json.JSONEncoder(indent=indent, ensure_ascii=False).iterencode(value):
            made += len(piece)
            check_length(made, "to_json")
            pieces.append(piece)
    except ResultTooLargeError:
        raise
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cannot write as JSON: {exc}") from None
    return "".join(pieces)
