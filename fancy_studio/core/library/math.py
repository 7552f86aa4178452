"""Arithmetic on numbers."""

from __future__ import annotations

import math as _math
from typing import NamedTuple

from fancy_studio.core.functions import fancy_function
from fancy_studio.core.library.limits import check_int_bits, check_repeat, power_bits

Number = float


@fancy_function("math.increment", title="Increment")
def increment(x: float) -> float:
    """Add one to x."""
    return x + 1


@fancy_function("math.add", title="Add")
def add(a: float, b: float) -> float:
    """a + b."""
    return a + b


@fancy_function("math.subtract", title="Subtract")
def subtract(a: float, b: float) -> float:
    """a − b."""
    return a - b


@fancy_function("math.multiply", title="Multiply")
def multiply(a: float, b: float) -> float:
    """a × b."""
    if type(a) is int and type(b) is int:
        check_int_bits(a.bit_length() + b.bit_length(), "multiply")
    elif not isinstance(a, (int, float)) or not isinstance(b, (int, float)):  # text or a list repeated
        check_repeat(a, b, "multiply")
        check_repeat(b, a, "multiply")
    return a * b


@fancy_function("math.divide", title="Divide")
def divide(a: float, b: float) -> float:
    """a ÷ b. Raises ZeroDivisionError when b is 0."""
    return a / b


class QuotientRemainder(NamedTuple):
    quotient: int
    remainder: int


@fancy_function("math.divmod", title="Divide with Remainder")
def divide_with_remainder(a: int, b: int) -> QuotientRemainder:
    """Whole-number division: the quotient and the remainder of a ÷ b."""
    q, r = divmod(a, b)
    return QuotientRemainder(q, r)


@fancy_function("math.power", title="Power")
def power(base: float, exponent: float = 2) -> float:
    """base raised to exponent (squared by default). A whole-number result of more than about 1.26
    million digits is refused (it would take minutes and freeze everything)."""
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        check_int_bits(power_bits(base, exponent), "power")
    return base**exponent


@fancy_function("math.negate", title="Negate")
def negate(x: float) -> float:
    """The number with its sign flipped: −x."""
    return -x


@fancy_function("math.absolute", title="Absolute Value")
def absolute(x: float) -> float:
    """The distance of x from zero: x without its sign."""
    return abs(x)


@fancy_function("math.round", title="Round")
def round_number(x: float, digits: int = 0) -> float:
    """x rounded to `digits` decimal places (0 by default). Halves round to the even neighbour, as in
    Python: 2.5 → 2, 3.5 → 4."""
    if isinstance(x, int) and isinstance(digits, int) and -digits > x.bit_length() * 0.302 + 2:
        return 0  # x is less than half of 10 ** -digits (Python would compute that power first)
    return round(x, digits)


@fancy_function("math.floor", title="Round Down")
def floor(x: float) -> int:
    """The largest whole number not greater than x: 2.7 → 2, −2.3 → −3."""
    return _math.floor(x)


@fancy_function("math.ceil", title="Round Up")
def ceil(x: float) -> int:
    """The smallest whole number not less than x: 2.3 → 3, −2.7 → −2."""
    return _math.ceil(x)


@fancy_function("math.min", title="Smaller of Two")
def minimum(a: float, b: float) -> float:
    """The smaller of a and b."""
    return min(a, b)


@fancy_function("math.max", title="Larger of Two")
def maximum(a: float, b: float) -> float:
    """The larger of a and b."""
    return max(a, b)


@fancy_function("math.modulo", title="Modulo")
def modulo(a: float, b: float) -> float:
    """The remainder of a ÷ b (a % b); it has the sign of b. Raises ZeroDivisionError when b is 0."""
    return a % b


@fancy_function("math.sqrt", title="Square Root")
def square_root(x: float) -> float:
    """The square root of x. Raises ValueError when x is negative."""
    if x < 0:
        raise ValueError(f"cannot take the square root of a negative number ({x})")
    return _math.sqrt(x)


@fancy_function("math.clamp", title="Clamp")
def clamp(x: float, low: float, high: float) -> float:
    """x limited to the range low…high: low if x is below it, high if x is above it, else x itself."""
    if low > high:
        raise ValueError(f"clamp: low ({low}) must not be greater than high ({high})")
    return max(low, min(x, high))
