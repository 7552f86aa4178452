"""Arithmetic on numbers."""

from __future__ import annotations

from typing import NamedTuple

from fancy_studio.core.functions import fancy_function

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
    """base raised to exponent (squared by default)."""
    return base**exponent
