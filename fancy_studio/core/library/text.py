"""Working with text: joining, splitting, changing case, searching and replacing (plainly or with
regular expressions)."""

from __future__ import annotations

import re
import string
from typing import Any

from fancy_studio.core.functions import fancy_function
from fancy_studio.core.library.limits import MAX_LENGTH, ResultTooLargeError, check_length


@fancy_function("text.concatenate", title="Concatenate")
def concatenate(a: str, b: str, separator: str = "") -> str:
    """a followed by b, with `separator` between them (nothing by default)."""
    return f"{a}{separator}{b}"


@fancy_function("text.format", title="Format")
def format_text(template: str, value: Any) -> str:
    """Put `value` into `template` where it says {} or {value}; a format spec works too, for example
    "Total: {:.2f}" or "{value:>8}"."""
    try:
        return _SizedFormatter().vformat(template, (value,), {"value": value})
    except (KeyError, IndexError) as exc:
        raise ValueError(
            f"the template {template!r} asks for {exc}, but only {{}} or {{value}} can be filled in"
        ) from None


_NUMBERS = re.compile(r"\d+")


class _SizedFormatter(string.Formatter):
    """`str.format`, refusing a width or precision (nested ones included, once filled in) beyond
    `MAX_LENGTH`, and a result growing past it, before formatting each field."""

    def __init__(self) -> None:
        self.made = 0

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        """Only `{}`, `{0}` or `{value}`: a template from a file may not walk the value's attributes or
        items (`{value.__class__.__mro__}` would read the interpreter's internals into the result)."""
        if "." in field_name or "[" in field_name:
            raise ValueError(f"the template asks for {{{_short(field_name)}}}: only {{}} or {{value}} can be "
                             "filled in, without attributes or items")
        return super().get_field(field_name, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> Any:
        for number in _NUMBERS.findall(format_spec):  # a width or a precision
            if len(number) > 8 or int(number) > MAX_LENGTH:
                raise ResultTooLargeError(f"format: the width or precision {_short(number)} in "
                                          f"{_short(format_spec)!r} is too large; at most {MAX_LENGTH:,}")
        text = super().format_field(value, format_spec)
        self.made += len(text)
        check_length(self.made, "format")
        return text


def _short(text: str) -> str:
    return text if len(text) <= 20 else f"{text[:10]}… ({len(text):,} characters)"


@fancy_function("text.upper", title="Upper Case")
def upper(text: str) -> str:
    """The text in capital letters."""
    return text.upper()


@fancy_function("text.lower", title="Lower Case")
def lower(text: str) -> str:
    """The text in small letters."""
    return text.lower()


@fancy_function("text.title_case", title="Title Case")
def title_case(text: str) -> str:
    """The text with the first letter of every word in capitals."""
    return text.title()


@fancy_function("text.strip", title="Strip")
def strip(text: str) -> str:
    """The text without spaces, tabs and line breaks at its start and end."""
    return text.strip()


@fancy_function("text.split", title="Split")
def split(text: str, separator: str = " ") -> list[str]:
    """Cut the text into a list of pieces at every `separator` (a space by default). An empty
    separator splits at any run of spaces, tabs and line breaks and drops empty pieces."""
    if separator == "":
        return text.split()
    return text.split(separator)


@fancy_function("text.lines", title="Split into Lines")
def lines(text: str) -> list[str]:
    """The lines of the text, as a list, without their line breaks."""
    return text.splitlines()


@fancy_function("text.join", title="Join")
def join(items: list, separator: str = " ") -> str:
    """The items of a list joined into one text, with `separator` between them (a space by default).
    Items that are not text are written as text first."""
    pieces = [item if isinstance(item, str) else str(item) for item in items]
    check_length(sum(map(len, pieces)) + len(separator) * max(len(pieces) - 1, 0), "join")
    return separator.join(pieces)


@fancy_function("text.length", title="Text Length")
def length(text: str) -> int:
    """The number of characters in the text."""
    return len(text)


@fancy_function("text.replace", title="Replace")
def replace(text: str, old: str, new: str) -> str:
    """The text with every occurrence of `old` replaced by `new`."""
    if old == "":
        raise ValueError("replace: the text to look for (old) must not be empty")
    if len(new) > len(old):
        check_length(len(text) + text.count(old) * (len(new) - len(old)), "replace")
    return text.replace(old, new)


@fancy_function("text.contains", title="Contains")
def contains(text: str, part: str) -> bool:
    """True if `part` occurs anywhere in the text."""
    return part in text


@fancy_function("text.starts_with", title="Starts With")
def starts_with(text: str, prefix: str) -> bool:
    """True if the text begins with `prefix`."""
    return text.startswith(prefix)


@fancy_function("text.ends_with", title="Ends With")
def ends_with(text: str, suffix: str) -> bool:
    """True if the text ends with `suffix`."""
    return text.endswith(suffix)


@fancy_function("text.count", title="Count Occurrences")
def count(text: str, part: str) -> int:
    """How many times `part` occurs in the text (without overlapping)."""
    if part == "":
        raise ValueError("count: the text to look for (part) must not be empty")
    return text.count(part)


def _compiled(pattern: str, what: str) -> re.Pattern[str]:
    """`pattern` compiled by Python's `re`, or a ValueError with re's own message (what and where)."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{what}: the pattern {_short(pattern)!r} is not a valid regular expression: "
                         f"{exc}") from None


@fancy_function("text.regex_find_all", title="Find All (Regex)")
def regex_find_all(text: str, pattern: str) -> list[str]:
    """Every piece of `text` that the regular expression `pattern` matches, in order, as a list of texts
    (the whole match each time, even when the pattern has groups). `pattern` uses Python's `re` syntax:
    `\\w+` finds the words, `\\d+` the numbers."""
    return [match.group(0) for match in _compiled(pattern, "regex_find_all").finditer(text)]


@fancy_function("text.regex_replace", title="Replace (Regex)")
def regex_replace(text: str, pattern: str, replacement: str) -> str:
    """`text` with every match of the regular expression `pattern` replaced by `replacement`, which may
    name the pattern's groups (`\\1`, `\\g<name>`). Both use Python's `re` syntax; `text` is the text
    to change."""
    compiled = _compiled(pattern, "regex_replace")
    made = len(text)

    def replace_one(match: re.Match[str]) -> str:
        nonlocal made
        try:
            piece = match.expand(replacement)
        except (re.error, IndexError) as exc:
            raise ValueError(f"regex_replace: the replacement {_short(replacement)!r} is not valid for the "
                             f"pattern {_short(pattern)!r}: {exc}") from None
        made += len(piece) - (match.end() - match.start())
        check_length(made, "regex_replace")
        return piece

    return compiled.sub(replace_one, text)
