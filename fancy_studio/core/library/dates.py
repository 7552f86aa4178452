"""Dates and times: reading them from text, writing them as text, adding to them, measuring between them.

A date here is a Python `datetime.datetime` (a date and a time of day; midnight when only a date is given),
with or without a time zone, as the text it was read from says.
"""

from __future__ import annotations

import datetime as dt

from fancy_studio.core.functions import fancy_function
from fancy_studio.core.library.limits import check_length

_STRFTIME_GROWTH = 256
"""How many times longer than its format `strftime` may make a text (CPython's own bound)."""


def _check(value: object, what: str, name: str = "date") -> None:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{what}: '{name}' must be a date (from dates.parse); it is a {type(value).__name__}")


@fancy_function("dates.parse", title="Parse Date")
def parse(text: str, format: str = "") -> dt.datetime:
    """The date and time written in `text`. `text`: for example "2024-03-15" or "2024-03-15T09:30:00+01:00";
    `format`: how it is written, in `strftime` codes ("%d/%m/%Y" for "15/03/2024"); empty (the default)
    reads ISO 8601 ("2024-03-15", "2024-03-15 09:30", "…Z")."""
    if not isinstance(text, str):
        raise TypeError(f"dates.parse: 'text' must be text; it is a {type(text).__name__}")
    try:
        if format:
            return dt.datetime.strptime(text.strip(), format)
        return dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        how = f"the format {format!r}" if format else "ISO 8601 (like 2024-03-15 or 2024-03-15T09:30)"
        raise ValueError(f"dates.parse: {text!r:.60} is not a date in {how}: {exc}") from None


@fancy_function("dates.format", title="Format Date")
def format_date(date: dt.datetime, format: str = "%Y-%m-%d") -> str:
    """The date as text. `date`: the date to write; `format`: how, in `strftime` codes: "%Y-%m-%d" (the
    default) gives 2024-03-15, "%d %B %Y %H:%M" gives 15 March 2024 09:30."""
    _check(date, "dates.format")
    check_length(len(format) * _STRFTIME_GROWTH, "dates.format")
    try:
        return date.strftime(format)
    except ValueError as exc:
        raise ValueError(f"dates.format: cannot write the date with {format!r:.60}: {exc}") from None


@fancy_function("dates.add", title="Add to Date")
def add(date: dt.datetime, days: float = 0, hours: float = 0, minutes: float = 0,
        seconds: float = 0) -> dt.datetime:
    """The date moved forward by the given time (back for negative numbers). `date`: where to start;
    `days`, `hours`, `minutes`, `seconds`: how far (each 0 by default; fractions allowed)."""
    _check(date, "dates.add")
    try:
        return date + dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise ValueError(f"dates.add: the result is outside the years {dt.MINYEAR} to {dt.MAXYEAR}") from None


@fancy_function("dates.difference", title="Time Between Dates")
def difference(later: dt.datetime, earlier: dt.datetime) -> float:
    """How many seconds `later` is after `earlier` (negative when it is before); divide by 86400 for
    days. Both dates must have a time zone, or neither."""
    _check(later, "dates.difference", "later")
    _check(earlier, "dates.difference", "earlier")
    try:
        return (later - earlier).total_seconds()
    except TypeError:
        raise ValueError("dates.difference: one date has a time zone and the other has none, so the time "
                         "between them is not known") from None
