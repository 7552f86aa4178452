"""Workflows with groups for the tests: a flat workflow and the same made into groups."""

from __future__ import annotations

from uuid import UUID

from fancy_studio.core import CellSpec, Workflow, WorkflowStep
from fancy_studio.core.workflow import ExposedParam, GroupDefinition, Position, group_slug


def flat_twin() -> tuple[Workflow, dict[str, WorkflowStep], dict[str, CellSpec]]:
    """x (3) → increment → ×2 (param) → negate, and x → increment again on its own: every node placed.
    Its cells are listed in the order a workflow built step by step has them."""
    wf = Workflow(name="flat twin")
    x = wf.input_cell("x", 3.0)
    cells = {"x": x}
    steps: dict[str, WorkflowStep] = {}
    for name, slug, source, params in (("inc", "math.increment", "x", {}), ("double", "math.multiply", "inc", {"b": 2}),
                                       ("neg", "math.negate", "double", {}), ("other", "math.increment", "x", {})):
        out = cells[name] = wf.output_cell(name)
        port = "a" if slug == "math.multiply" else "x"
        steps[name] = wf.add_step(WorkflowStep(function_slug=slug, inputs={port: cells[source].id},
                                               outputs={"return": out.id}, params=params))
    for number, node in enumerate([*cells.values(), *steps.values()]):
        wf.layout[node.id] = Position(x=100.0 * number, y=10.0 * number)
    return wf, steps, cells


def adder_definition(name: str = "Add then scale") -> GroupDefinition:
    """in → add `offset` (exposed as 'offset', default 1) → ×factor (exposed as 'factor', default 2) → out."""
    definition = GroupDefinition(name=name)
    inner_in, middle, inner_out = CellSpec(alias="in"), CellSpec(alias="middle"), CellSpec(alias="out")
    add = WorkflowStep(function_slug="math.add", inputs={"a": inner_in.id}, outputs={"return": middle.id},
                       params={"b": 1}, label="Offset")
    scale = WorkflowStep(function_slug="math.multiply", inputs={"a": middle.id}, outputs={"return": inner_out.id},
                         params={"b": 2}, label="Scale")
    definition.cells = [inner_in, middle, inner_out]
    definition.steps = [add, scale]
    definition.inputs = {"in": inner_in.id}
    definition.outputs = {"out": inner_out.id}
    definition.params = {"offset": ExposedParam(step=add.id, input="b"), "factor": ExposedParam(step=scale.id, input="b")}
    return definition


def instance(wf: Workflow, definition: GroupDefinition, source: UUID, alias: str, **params: float) -> WorkflowStep:
    out = wf.output_cell(alias)
    return wf.add_step(WorkflowStep(function_slug=group_slug(definition.id), inputs={"in": source},
                                    outputs={"out": out.id}, params=params))
