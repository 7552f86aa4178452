"""Choosing between values."""

from __future__ import annotations

from typing import Any

from fancy_studio.core.functions import fancy_function


@fancy_function("control.choose", title="Choose")
def choose(condition: bool, if_true: Any, if_false: Any) -> Any:
    """`if_true` when `condition` is true, else `if_false`. `condition`: a true/false value; `if_true`,
    `if_false`: the two values to choose from. Both are computed before the choice (the steps that make
    them run either way); only one is passed on."""
    if not isinstance(condition, bool) and type(condition).__module__ != "numpy":  # numpy's bool too
        raise TypeError(f"choose: 'condition' must be true or false; it is a {type(condition).__name__} "
                        f"({condition!r:.40})")
    return if_true if bool(condition) else if_false
