"""Small builders for workflows in tests."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from fancy_studio.core import CellSpec, InMemoryStore, Workflow, WorkflowStep


class PlainStore(InMemoryStore):
    """An InMemoryStore the engine does not treat as its own: the general (get/put) path, remembering at
    once rather than on the next run."""


PATHS = pytest.mark.parametrize("store_type, workers", [(InMemoryStore, 1), (PlainStore, 1), (InMemoryStore, 2)],
                                ids=["fast path", "general path", "parallel"])
"""Each execution path: the fast in-memory loop, the general one on any store, the parallel one."""


def step(slug: str, inputs: dict[str, UUID], output: UUID | None = None, **outputs: UUID) -> WorkflowStep:
    outs = dict(outputs)
    if output is not None:
        outs["return"] = output
    return WorkflowStep(function_slug=slug, inputs=inputs, outputs=outs)


def chain(length: int, start: int = 0, slug: str = "math.increment") -> tuple[Workflow, CellSpec, list[UUID]]:
    """An input cell and `length` steps of `slug` (increments), each reading the previous cell."""
    wf = Workflow(name=f"chain of {length}")
    first = wf.input_cell("start", start)
    cells = [first.id]
    for _ in range(length):
        out = uuid4()
        wf.add_step(step(slug, {"x": cells[-1]}, out))
        cells.append(out)
    return wf, first, cells


def failing_middle(failing_slug: str) -> tuple[Workflow, list[UUID]]:
    """Four steps: increment → `failing_slug` (it should raise) → increment (so skipped), and an
    independent increment. Returns the workflow and the step ids in that order."""
    wf = Workflow(name="failing middle")
    a = wf.input_cell("a", 1)
    first, broken, after, other = uuid4(), uuid4(), uuid4(), uuid4()
    steps = [wf.add_step(step("math.increment", {"x": a.id}, first)),
             wf.add_step(step(failing_slug, {"x": first}, broken)),
             wf.add_step(step("math.increment", {"x": broken}, after)),
             wf.add_step(step("math.increment", {"x": a.id}, other))]
    return wf, [s.id for s in steps]
