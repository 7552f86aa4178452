"""`text.format`'s template comes from a workflow file: it may fill in the value, never walk the value's
attributes or items into the result (`{value.__class__.__mro__}`, `{0.__init__.__globals__}`)."""

from __future__ import annotations

import pytest

from fancy_studio.core import registry


def fmt(template: str, value: object) -> str:
    return registry.get("text.format").func(template, value)


@pytest.mark.parametrize("template", [
    "{value.__class__.__mro__}",
    "{0.__class__}",
    "{.real}",
    "{value[0]}",
    "{value:{value.__class__}}",  # a nested field in the format spec
])
def test_a_template_cannot_read_attributes_or_items(template):
    with pytest.raises(ValueError, match="without attributes or items"):
        fmt(template, [1.5])


@pytest.mark.parametrize(("template", "value", "expected"), [
    ("It is {} °F", 70.7, "It is 70.7 °F"),
    ("{value:>6.1f}|", 3.14159, "   3.1|"),
    ("{0}-{value}", "x", "x-x"),
    ("{value:{value}}", 5, "    5"),
])
def test_plain_fields_still_fill_in(template, value, expected):
    assert fmt(template, value) == expected
