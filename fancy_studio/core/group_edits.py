"""Editing groups as plain model changes an undo command can make and unmake: group, ungroup, expose.

Each function looks at a workflow and returns an edit without changing anything; `edit.apply(workflow)`
makes the change in place and `edit.undo(workflow)` puts back exactly what was there (the same objects at
the same places in the lists), so an undo command keeps the edit and calls one or the other.

Grouping a selection makes a definition of its steps and of the cells only they touch, and one instance in
their place. A cell a step outside the selection reads or writes stays outside: it is one of the group's
ports, and the definition's cell for that port has the same id, so ungrouping gives every node its own id
back. Ungrouping the only instance of a definition whose ids are free in the workflow (what grouping made)
restores those ids; another instance's nodes get the ids they have in the flattened workflow
(`groups.flat_id`), so ungrouping it keeps the results a run stored for them.

"Exactly", for group then ungroup: the same steps and cells (ids, wiring, params, labels, values) at the
same positions (shifted by as much as the instance was moved), the definition gone. The lists' order is
the same too when the grouped steps were consecutive and the group's own cells came just before the first
cell it writes (a workflow built in order); otherwise the same nodes come back in another order, which
changes nothing that runs. An edit's `undo` is exact in every case. Each edit is made for the workflow as
it is: apply it before any other change (an undo stack does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid5

from fancy_studio.core.workflow import (
    CellSpec,
    ExposedParam,
    GroupDefinition,
    Position,
    Workflow,
    WorkflowStep,
    group_slug,
)

__all__ = ["GroupEdit", "ParamEdit", "UngroupEdit", "expose_param", "group_selection", "unexpose_param", "ungroup"]


@dataclass
class GroupEdit:
    """A selection made into a group (`group_selection`)."""

    definition: GroupDefinition
    instance: WorkflowStep
    index: int
    """Where the instance goes in `workflow.steps`: where the first grouped step was."""
    position: Position | None
    """The instance's position: the top-left of the grouped nodes' positions (None: none was placed)."""
    steps: list[tuple[int, WorkflowStep]]
    """The grouped steps, each with its index in `workflow.steps` before the edit."""
    cells: list[tuple[int, CellSpec]]
    """The cells moved into the group, each with its index in `workflow.cells` before the edit."""
    layout: dict[UUID, Position] = field(default_factory=dict)
    """The moved nodes' positions before the edit (the definition keeps them as they were)."""

    def apply(self, workflow: Workflow) -> None:
        for items, removed in ((workflow.steps, self.steps), (workflow.cells, self.cells)):
            for index, _item in reversed(removed):
                del items[index]
        for node_id in self.layout:
            workflow.layout.pop(node_id, None)
        workflow.steps.insert(self.index, self.instance)
        workflow.groups.append(self.definition)
        if self.position is not None:
            workflow.layout[self.instance.id] = self.position

    def undo(self, workflow: Workflow) -> None:
        _remove(workflow.steps, self.instance.id)
        _remove(workflow.groups, self.definition.id)
        workflow.layout.pop(self.instance.id, None)
        for items, removed in ((workflow.cells, self.cells), (workflow.steps, self.steps)):
            for index, item in removed:
                items.insert(index, item)
        workflow.layout.update(self.layout)


@dataclass
class UngroupEdit:
    """An instance replaced by the nodes of its definition (`ungroup`)."""

    instance: WorkflowStep
    index: int
    """The instance's index in `workflow.steps`; the restored steps go there, in the definition's order."""
    position: Position | None
    steps: list[WorkflowStep]
    cells: list[CellSpec]
    """The group's own cells (its ports' cells are outside already)."""
    cell_index: int
    """Where they go in `workflow.cells`: before the first cell the instance writes, else at the end."""
    layout: dict[UUID, Position]
    definition: GroupDefinition | None
    """The definition when no other instance uses it (it goes with its last instance), else None."""
    definition_index: int = 0

    def apply(self, workflow: Workflow) -> None:
        del workflow.steps[self.index]
        workflow.steps[self.index:self.index] = self.steps
        workflow.cells[self.cell_index:self.cell_index] = self.cells
        workflow.layout.pop(self.instance.id, None)
        workflow.layout.update(self.layout)
        if self.definition is not None:
            del workflow.groups[self.definition_index]

    def undo(self, workflow: Workflow) -> None:
        del workflow.steps[self.index:self.index + len(self.steps)]
        workflow.steps.insert(self.index, self.instance)
        del workflow.cells[self.cell_index:self.cell_index + len(self.cells)]
        for node_id in self.layout:
            workflow.layout.pop(node_id, None)
        if self.position is not None:
            workflow.layout[self.instance.id] = self.position
        if self.definition is not None:
            workflow.groups.insert(self.definition_index, self.definition)


@dataclass
class ParamEdit:
    """A parameter exposed on a group, or no longer (`expose_param`, `unexpose_param`)."""

    definition: GroupDefinition
    name: str
    param: ExposedParam
    exposing: bool
    instance_values: dict[UUID, Any] = field(default_factory=dict)
    """What the instances set the parameter to (an unexposed parameter takes them away)."""

    def apply(self, workflow: Workflow) -> None:
        self._set(workflow, self.exposing)

    def undo(self, workflow: Workflow) -> None:
        self._set(workflow, not self.exposing)

    def _set(self, workflow: Workflow, exposed: bool) -> None:
        params = dict(self.definition.params)
        if exposed:
            params[self.name] = self.param
        else:
            params.pop(self.name, None)
        self.definition.params = params
        for instance in _instances(workflow, self.definition.id):
            if instance.id in self.instance_values:
                values = dict(instance.params)
                if exposed:
                    values[self.name] = self.instance_values[instance.id]
                else:
                    values.pop(self.name, None)
                instance.params = values


def group_selection(workflow: Workflow, step_ids: Iterable[UUID], cell_ids: Iterable[UUID] = (),
                    name: str = "Group") -> GroupEdit:
    """The edit that makes the selected steps and cells one group instance (see the module docstring).
    Raises ValueError for a selection without a step and KeyError for an id the workflow does not have."""
    chosen_steps, chosen_cells = set(step_ids), set(cell_ids)
    steps = [(index, step) for index, step in enumerate(workflow.steps) if step.id in chosen_steps]
    if not steps:
        raise ValueError("a group needs at least one step")
    declared = {cell.id for cell in workflow.cells}
    for missing in (chosen_steps - {step.id for _, step in steps}) | (chosen_cells - declared):
        raise KeyError(f"no step or cell {missing} in workflow '{workflow.name}'")
    producer: dict[UUID, UUID] = {}
    readers: dict[UUID, set[UUID]] = {}
    for step in workflow.steps:
        for cell_id in step.outputs.values():
            producer[cell_id] = step.id
        for cell_id in step.inputs.values():
            readers.setdefault(cell_id, set()).add(step.id)

    def inside(cell_id: UUID) -> bool:
        """Whether the cell goes into the group: no step outside touches it, and it is selected or lies
        between grouped steps (written and read by them)."""
        touching = readers.get(cell_id, set()) | ({producer[cell_id]} if cell_id in producer else set())
        if not touching <= chosen_steps:
            return False
        return cell_id in chosen_cells or (cell_id in producer and bool(readers.get(cell_id)))

    moved = [(index, cell) for index, cell in enumerate(workflow.cells) if inside(cell.id)]
    moved_ids = {cell.id for _, cell in moved}
    specs = {cell.id: cell for cell in workflow.cells}
    inputs: dict[str, UUID] = {}
    outputs: dict[str, UUID] = {}
    for _, step in steps:
        for ports, wiring in ((inputs, step.inputs), (outputs, step.outputs)):
            for port, cell_id in wiring.items():
                if cell_id in moved_ids or cell_id in ports.values() or inside(cell_id):
                    continue  # inside the group (an undeclared cell too), or a port already
                if ports is inputs and producer.get(cell_id) in chosen_steps:
                    continue  # written inside: an output port if anything outside reads it
                spec = specs.get(cell_id)
                ports[_port_name(spec.alias if spec is not None else "", port, ports)] = cell_id
    port_cells = [CellSpec(id=cell_id, alias=specs[cell_id].alias, description=specs[cell_id].description)
                  for cell_id in (*inputs.values(), *outputs.values()) if cell_id in specs]
    nodes = [step.id for _, step in steps] + [cell.id for _, cell in moved]
    before = {node: workflow.layout[node] for node in nodes if node in workflow.layout}
    positions = {**before, **{cell.id: workflow.layout[cell.id].model_copy() for cell in port_cells
                              if cell.id in workflow.layout}}
    definition = GroupDefinition(name=name, cells=[cell for _, cell in moved] + port_cells,
                                 steps=[step for _, step in steps], layout=positions, inputs=inputs, outputs=outputs)
    instance = WorkflowStep(function_slug=group_slug(definition.id), inputs=dict(inputs), outputs=dict(outputs))
    return GroupEdit(definition, instance, steps[0][0], _top_left(before.values()), steps, moved, before)


def ungroup(workflow: Workflow, instance_id: UUID) -> UngroupEdit:
    """The edit that replaces a group instance by its definition's nodes (see the module docstring): its
    ports' cells are the instance's cells outside, its exposed params are set on the inner steps."""
    index, instance = next(((i, s) for i, s in enumerate(workflow.steps) if s.id == instance_id), (None, None))
    if instance is None or index is None or instance.group_id is None:
        raise KeyError(f"no group instance {instance_id} in workflow '{workflow.name}'")
    definition_index, definition = next(((i, d) for i, d in enumerate(workflow.groups)
                                         if d.id == instance.group_id), (None, None))
    if definition is None or definition_index is None:
        raise KeyError(f"the definition of group instance {instance_id} is not in workflow '{workflow.name}'")
    mapping: dict[UUID, UUID] = {}
    for ports, outer in ((definition.inputs, instance.inputs), (definition.outputs, instance.outputs)):
        for port, inner in ports.items():
            if port in outer:
                mapping[inner] = outer[port]
    only = len(_instances(workflow, definition.id)) == 1
    taken = {s.id for s in workflow.steps} | workflow.cell_ids()
    taken |= {item.id for item in (*getattr(workflow, "frames", ()), *getattr(workflow, "notes", ()))}
    own = {s.id for s in definition.steps} | {c.id for c in definition.cells if c.id not in mapping}
    own |= {c for s in definition.steps for c in (*s.inputs.values(), *s.outputs.values()) if c not in mapping}
    keep_ids = only and not (own & taken)

    def new_id(inner: UUID) -> UUID:
        made = mapping.get(inner)
        if made is None:
            made = mapping[inner] = inner if keep_ids else uuid5(instance.id, str(inner))
        return made

    overrides: dict[UUID, dict[str, Any]] = {}
    for port, value in instance.params.items():
        exposed = definition.params.get(port)
        if exposed is not None:
            overrides.setdefault(exposed.step, {})[exposed.input] = value
    steps = [inner.model_copy(update={
        "id": new_id(inner.id), "params": {**inner.params, **overrides.get(inner.id, {})},
        "inputs": {port: new_id(cell) for port, cell in inner.inputs.items()},
        "outputs": {port: new_id(cell) for port, cell in inner.outputs.items()}}, deep=True)
        for inner in definition.steps]
    outside = _port_cells(definition, instance)
    cells = [cell.model_copy(update={"id": new_id(cell.id)}, deep=True)
             for cell in definition.cells if cell.id not in outside]
    placed = {node: position for node, position in definition.layout.items() if node not in outside}
    origin = _top_left(placed.values())
    at = workflow.layout.get(instance.id)
    dx, dy = (at.x - origin.x, at.y - origin.y) if at is not None and origin is not None else (0.0, 0.0)
    layout = {new_id(node): Position(x=p.x + dx, y=p.y + dy) for node, p in placed.items()}
    written = set(instance.outputs.values())
    cell_index = next((i for i, cell in enumerate(workflow.cells) if cell.id in written), len(workflow.cells))
    return UngroupEdit(instance, index, at, steps, cells, cell_index, layout, definition if only else None,
                       definition_index)


def expose_param(workflow: Workflow, definition_id: UUID, step_id: UUID, input_name: str,
                 name: str | None = None) -> ParamEdit:
    """The edit that makes an inner step's unwired input a parameter of its group, named `name` (else the
    input's own name, made unique). ValueError when it is exposed already or wired inside the group."""
    definition = _definition(workflow, definition_id)
    step = definition.step(step_id)
    if input_name in step.inputs:
        raise ValueError(f"input '{input_name}' is wired inside group '{definition.name}': only an unwired input "
                         "can be a parameter")
    for port, exposed in definition.params.items():
        if exposed.step == step_id and exposed.input == input_name:
            raise ValueError(f"input '{input_name}' is the parameter '{port}' of group '{definition.name}' already")
    if name is None:
        name = _port_name("", input_name, definition.params)
    elif name in definition.params:
        raise ValueError(f"group '{definition.name}' has a parameter '{name}' already")
    return ParamEdit(definition, name, ExposedParam(step=step_id, input=input_name), exposing=True)


def unexpose_param(workflow: Workflow, definition_id: UUID, name: str) -> ParamEdit:
    """The edit that makes a group's parameter an inner step's own again; the values its instances set go
    (and come back with undo)."""
    definition = _definition(workflow, definition_id)
    if name not in definition.params:
        raise KeyError(f"group '{definition.name}' has no parameter '{name}'")
    values = {step.id: step.params[name] for step in _instances(workflow, definition_id) if name in step.params}
    return ParamEdit(definition, name, definition.params[name], exposing=False, instance_values=values)


def _instances(workflow: Workflow, definition_id: UUID) -> list[WorkflowStep]:
    """Every instance of the definition: in the workflow, and inside definitions."""
    slug = group_slug(definition_id)
    found = [step for step in workflow.steps if step.function_slug == slug]
    found += [step for d in workflow.groups if d.steps is not workflow.steps  # (a definition edited as the
              for step in d.steps if step.function_slug == slug]                # workflow: its steps once)
    return found


def _definition(workflow: Workflow, definition_id: UUID) -> GroupDefinition:
    for definition in workflow.groups:
        if definition.id == definition_id:
            return definition
    raise KeyError(f"no group {definition_id} in workflow '{workflow.name}'")


def _port_cells(definition: GroupDefinition, instance: WorkflowStep) -> set[UUID]:
    """The definition's port cells the instance wires (they are cells outside)."""
    wired = {inner for port, inner in definition.inputs.items() if port in instance.inputs}
    return wired | {inner for port, inner in definition.outputs.items() if port in instance.outputs}


_NOT_A_NAME = re.compile(r"\s+")


def _port_name(alias: str, fallback: str, taken: Any) -> str:
    """The cell's alias (else the step's port name), with " 2", " 3" … when another port has it."""
    base = _NOT_A_NAME.sub(" ", alias).strip() or fallback
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base} {count}"
    return name


def _top_left(positions: Iterable[Position]) -> Position | None:
    placed = list(positions)
    if not placed:
        return None
    return Position(x=min(p.x for p in placed), y=min(p.y for p in placed))


def _remove(items: list[Any], item_id: UUID) -> None:
    for index, item in enumerate(items):
        if item.id == item_id:
            del items[index]
            return

