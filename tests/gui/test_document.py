"""The document: every edit is one undoable command on the model; undo restores ids and wires exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from fancy_studio.core import Workflow, WorkflowFileError
from fancy_studio.gui.document.document import WorkflowDocument

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "temperature.json"


@pytest.fixture
def document(qapp):
    return WorkflowDocument()


def test_add_wire_and_undo_each_edit(document: WorkflowDocument):
    step = document.add_step("math.increment", 10, 20)
    cell = document.add_cell("x", 0, 0, value=1)
    document.connect_input(step.id, "x", cell.id)
    assert document.workflow.steps[0].inputs == {"x": cell.id}
    assert document.position(step.id) == (10, 20)
    assert document.undo_stack.count() == 3 and document.modified
    document.undo_stack.undo()
    assert document.workflow.steps[0].inputs == {}
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.workflow.steps == [] and document.workflow.cells == []
    document.undo_stack.redo()
    assert document.workflow.steps[0].id == step.id


def test_delete_then_undo_restores_ids_wires_and_positions(document: WorkflowDocument):
    document.open(EXAMPLE)
    before = document.workflow.model_dump_json()
    ids = {c.id for c in document.workflow.cells if c.alias == "fahrenheit"} | {document.workflow.steps[0].id}
    document.remove_nodes(ids)
    assert all(c.alias != "fahrenheit" for c in document.workflow.cells)
    assert all(ids.isdisjoint(s.inputs.values()) and ids.isdisjoint(s.outputs.values()) for s in document.workflow.steps)
    document.undo_stack.undo()
    assert document.workflow == Workflow.model_validate_json(before)  # same ids, wires, positions


def test_rename_and_value_edits_are_undoable(document: WorkflowDocument):
    cell = document.add_cell("a", value=1)
    document.rename_cell(cell.id, "b")
    document.set_cell_value(cell.id, 5)
    assert (document.find_cell(cell.id).alias, document.find_cell(cell.id).value) == ("b", 5)
    document.set_cell_value(cell.id, ...)
    assert not document.find_cell(cell.id).has_value
    document.undo_stack.undo()
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert (document.find_cell(cell.id).alias, document.find_cell(cell.id).value) == ("a", 1)


def test_the_model_refuses_a_cycle_a_second_producer_and_a_type_mismatch(document: WorkflowDocument):
    first = document.add_step("math.increment")
    second = document.add_step("math.increment")
    a, b = document.add_cell("a"), document.add_cell("b")
    document.connect_output(first.id, "return", a.id)
    document.connect_input(second.id, "x", a.id)
    document.connect_output(second.id, "return", b.id)
    assert "cycle" in document.why_not_connect_input(first.id, "x", b.id)
    assert "already written" in document.why_not_connect_output(second.id, "return", a.id)
    shout = document.add_step("text.upper")
    assert "cannot feed" in document.why_not_connect_input(shout.id, "text", a.id)
    text = document.add_cell("t", value="hello")
    assert document.why_not_connect_input(shout.id, "text", text.id) is None


def test_a_bad_file_leaves_the_document_untouched(document: WorkflowDocument, tmp_path: Path):
    document.open(EXAMPLE)
    before = document.workflow.model_dump_json()
    bad = tmp_path / "bad.json"
    bad.write_text('{"steps": [')
    with pytest.raises(WorkflowFileError):
        document.open(bad)
    assert document.workflow.model_dump_json() == before and document.path == EXAMPLE


def test_save_marks_clean_and_reopens_the_same(document: WorkflowDocument, tmp_path: Path):
    document.open(EXAMPLE)
    document.move_nodes({document.workflow.steps[0].id: (5.0, 6.0)})
    assert document.modified
    target = tmp_path / "saved.json"
    document.save(target)
    assert not document.modified
    other = WorkflowDocument()
    other.open(target)
    assert other.workflow == document.workflow


def _assert_indexes_exact(document: WorkflowDocument) -> None:
    """The incrementally kept indexes equal a fresh rebuild, and answer like a scan of the model."""
    live = document.index_snapshot()
    workflow = document.workflow
    for step in workflow.steps:
        assert document.find_step(step.id) is next(s for s in workflow.steps if s.id == step.id)
    for cell_id in workflow.cell_ids():
        assert document.find_cell(cell_id) is next((c for c in workflow.cells if c.id == cell_id), None)
        scan = next(((s, n) for s in workflow.steps for n, c in s.outputs.items() if c == cell_id), None)
        found = document.producer_of(cell_id)
        assert (found is None) if scan is None else (found[0] is scan[0] and found[1] == scan[1])
        readers = [(id(s), n) for s in workflow.steps for n, c in s.inputs.items() if c == cell_id]
        assert [(id(s), n) for s, n in document.readers_of(cell_id)] == readers
    assert WorkflowDocument(document.workflow).index_snapshot() == live  # a fresh index of the same objects


def test_indexes_stay_exact_through_edits_undo_and_redo(document: WorkflowDocument):
    document.open(EXAMPLE)
    _assert_indexes_exact(document)
    stack = document.undo_stack
    step = document.add_step("math.increment", 10, 20)
    cell = document.add_cell("x", 0, 0, value=1)
    out = document.add_cell("y", 50, 0)
    document.connect_input(step.id, "x", cell.id)
    document.connect_output(step.id, "return", out.id)
    other = document.workflow.steps[0]
    name = next(iter(other.inputs))
    document.connect_input(other.id, name, out.id)
    document.rename_cell(cell.id, "renamed")
    document.set_cell_value(cell.id, 2)
    document.move_nodes({step.id: (30.0, 40.0)})
    _assert_indexes_exact(document)
    # delete a step in the middle of the list and a cell that other steps read and write
    document.remove_nodes({other.id, out.id})
    _assert_indexes_exact(document)
    document.connect_output(step.id, "return", None)
    _assert_indexes_exact(document)
    count = stack.count()
    for _ in range(count):
        stack.undo()
        _assert_indexes_exact(document)
    for _ in range(count):
        stack.redo()
        _assert_indexes_exact(document)
    for _ in range(3):
        stack.undo()
    _assert_indexes_exact(document)
    document.replace(Workflow(name="fresh"))
    _assert_indexes_exact(document)
