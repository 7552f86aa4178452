"""The JSON examples in docs/spec/004-workflows.md are real workflow files: each loads and runs to what the
text before it says `fancy-studio run` prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fancy_studio.core import Engine, InMemoryStore, parse_workflow

SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec" / "004-workflows.md"


def _examples() -> list[tuple[str, str]]:
    """(what `fancy-studio run` prints, the JSON) for each example of the "Examples" section."""
    text = SPEC.read_text(encoding="utf-8").split("## Examples", 1)[1]
    return re.findall(r"prints\s+`([^`]+)`.*?```json\n(.*?)\n```", text, flags=re.DOTALL)


def test_the_spec_has_its_two_examples():
    assert [printed for printed, _ in _examples()] == ["sum = 5", "rounded = 70.7"]


@pytest.mark.parametrize("printed, text", _examples(), ids=lambda value: value[:14])
def test_an_example_runs_to_what_the_spec_says(printed: str, text: str):
    workflow = parse_workflow(text)
    assert workflow.schema_version == 2
    store = InMemoryStore()
    assert Engine(store).run(workflow).ok
    alias, value = printed.split(" = ")
    cell = next(cell for cell in workflow.cells if cell.alias == alias)
    assert repr(store.get(cell.id).value) == value
