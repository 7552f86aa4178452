"""Show Lineage's question, asked of the workflow alone: which steps and cells a datum came from."""

from __future__ import annotations

from uuid import UUID, uuid4

from fancy_studio.core import Workflow, load_workflow
from fancy_studio.core.lineage_graph import upstream
from tests.core.helpers import chain, step
from tests.example_ids import ADD, CELSIUS, EXAMPLE, FACTOR, FAHRENHEIT, MULTIPLY, SCALED

OFFSET = UUID("5f0c6a86-4a44-4a55-9a55-000000000012")
TEMPLATE = UUID("5f0c6a86-4a44-4a55-9a55-000000000013")
SENTENCE = UUID("5f0c6a86-4a44-4a55-9a55-000000000016")
TEXT = UUID("5f0c6a86-4a44-4a55-9a55-000000000022")


def test_fahrenheit_comes_from_its_two_steps_and_their_inputs_but_not_from_what_reads_it():
    found = upstream(load_workflow(EXAMPLE), [FAHRENHEIT])
    assert found.steps == {MULTIPLY, ADD}
    assert found.cells == {FAHRENHEIT, SCALED, CELSIUS, FACTOR, OFFSET}
    assert not found.nodes & {TEXT, SENTENCE, TEMPLATE}


def test_the_sentence_comes_from_the_whole_example():
    workflow = load_workflow(EXAMPLE)
    found = upstream(workflow, [SENTENCE])
    assert found.steps == {step.id for step in workflow.steps}
    assert found.cells == {cell.id for cell in workflow.cells}


def test_an_input_comes_from_itself_only_and_a_step_from_what_it_reads():
    workflow = load_workflow(EXAMPLE)
    assert upstream(workflow, [CELSIUS]).nodes == {CELSIUS}
    assert upstream(workflow, [ADD]).nodes == {ADD, SCALED, OFFSET, MULTIPLY, CELSIUS, FACTOR}
    assert upstream(workflow, [uuid4()]).nodes == frozenset()


def test_a_diamond_is_walked_once_and_a_long_chain_does_not_recurse():
    wf = Workflow(name="diamond")
    a = wf.input_cell("a", 1)
    left, right, joined = uuid4(), uuid4(), uuid4()
    steps = [wf.add_step(step("math.increment", {"x": a.id}, left)),
             wf.add_step(step("math.increment", {"x": a.id}, right)),
             wf.add_step(step("math.add", {"a": left, "b": right}, joined))]
    assert upstream(wf, [joined]).steps == {s.id for s in steps}
    long, first, cells = chain(5000)
    found = upstream(long, [cells[-1]])
    assert len(found.steps) == 5000 and len(found.cells) == 5001 and first.id in found.cells
    assert upstream(long, [cells[10]]).cells == set(cells[:11])


def test_a_cell_only_a_step_names_counts_too():
    wf = Workflow(name="script")
    undeclared_in, out = uuid4(), uuid4()
    made = wf.add_step(step("math.increment", {"x": undeclared_in}, out))
    assert upstream(wf, [out]).nodes == {out, made.id, undeclared_in}
