"""How big a result one built-in step may make, checked before it is computed.

A few built-ins make a result whose size grows with a number they are given rather than with their
inputs' size: an exponent, a repeat count, a width or precision in a format, a range's length, a
separator or replacement repeated once per item. One such call runs inside CPython without letting go
of the interpreter (`2 ** 10**10` froze the studio for 79 s, `"{:>1500000000}"` made 1.5 GB), so the
step refuses a size beyond these limits with a clear error instead of computing it. A result bounded by
the sum of its inputs' sizes (concatenation, append) is not checked: its inputs already fit.
"""

from __future__ import annotations

import math

MAX_INT_BITS = 1 << 22
"""Bits in a whole number one step may compute: about 1.26 million decimal digits (half a megabyte);
the largest such power takes well under a second."""

MAX_LENGTH = 10_000_000
"""Characters in a text, items in a list, or the width or precision of a formatted value, one step may
make."""


class ResultTooLargeError(ValueError):
    """A built-in was asked for a result beyond the limits above; nothing was computed."""


def _count(n: float) -> str:
    return f"{n:,.0f}" if n < 1e18 else f"{n:.3g}"


def check_int_bits(bits: float, what: str) -> None:
    """Refuse a whole-number result of about `bits` bits when it is beyond `MAX_INT_BITS`."""
    if bits > MAX_INT_BITS:
        raise ResultTooLargeError(
            f"{what}: the result would be a whole number of about {_count(bits * math.log10(2))} digits; "
            f"a step may make at most {_count(MAX_INT_BITS * math.log10(2))} digits")


def check_length(length: float, what: str, unit: str = "characters") -> None:
    """Refuse a text or list result of `length` characters or items when it is beyond `MAX_LENGTH`."""
    if length > MAX_LENGTH:
        raise ResultTooLargeError(
            f"{what}: the result would have {_count(length)} {unit}; a step may make at most "
            f"{_count(MAX_LENGTH)}")


def power_bits(base: int, exponent: int) -> float:
    """About how many bits `base ** exponent` has (whole numbers, exponent ≥ 0)."""
    size = abs(base)
    if size <= 1 or exponent <= 1:
        return float(size.bit_length())
    return exponent * math.log2(size)


def check_repeat(sequence: object, times: object, what: str) -> None:
    """Refuse `sequence * times` (text or list repeated) beyond `MAX_LENGTH`."""
    if isinstance(sequence, (str, list, tuple, bytes)) and isinstance(times, int):
        unit = "characters" if isinstance(sequence, str) else "items"
        check_length(len(sequence) * max(times, 0), what, unit)
