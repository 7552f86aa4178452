"""The document refuses a wire whose items cannot fit, naming both types: the canvas shows that reason
while the wire is dragged (issue 14: `list[str]` does not feed `lists.sum`)."""

from __future__ import annotations

import pytest

from fancy_studio.gui.document.document import WorkflowDocument


@pytest.fixture
def document(qapp):
    return WorkflowDocument()


def test_split_words_cannot_feed_sum_but_can_feed_length(document: WorkflowDocument):
    split = document.add_step("text.split")
    words = document.add_cell("words")
    document.connect_output(split.id, "return", words.id)
    total = document.add_step("lists.sum")
    reason = document.why_not_connect_input(total.id, "items", words.id)
    assert reason is not None and "list[str]" in reason and "list[int | float]" in reason, reason
    length = document.add_step("lists.length")
    assert document.why_not_connect_input(length.id, "items", words.id) is None
    assert "list[str]" in document.why_not_chain(split.id, "return", total.id, "items")


def test_numbers_feed_sum_and_a_wire_to_sum_refuses_a_text_list_writer(document: WorkflowDocument):
    numbers = document.add_step("lists.range")
    total = document.add_step("lists.sum")
    assert document.why_not_chain(numbers.id, "return", total.id, "items") is None
    cell = document.add_cell("items")
    document.connect_input(total.id, "items", cell.id)
    split = document.add_step("text.split")
    reason = document.why_not_connect_output(split.id, "return", cell.id)
    assert reason is not None and "list[str] cannot feed" in reason, reason
    assert document.why_not_connect_output(numbers.id, "return", cell.id) is None
