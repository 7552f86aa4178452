"""Small builders for workflows in tests."""

from __future__ import annotations

from uuid import UUID, uuid4

from fancy_studio.core import CellSpec, Workflow, WorkflowStep


def step(slug: str, inputs: dict[str, UUID], output: UUID | None = None, **outputs: UUID) -> WorkflowStep:
    outs = dict(outputs)
    if output is not None:
        outs["return"] = output
    return WorkflowStep(function_slug=slug, inputs=inputs, outputs=outs)


def chain(length: int, start: int = 0) -> tuple[Workflow, CellSpec, list[UUID]]:
    """An input cell and `length` increments, each reading the previous cell."""
    wf = Workflow(name=f"chain of {length}")
    first = wf.input_cell("start", start)
    cells = [first.id]
    for _ in range(length):
        out = uuid4()
        wf.add_step(step("math.increment", {"x": cells[-1]}, out))
        cells.append(out)
    return wf, first, cells
