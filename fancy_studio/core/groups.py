"""Groups run as the plain workflow they stand for: `flatten` replaces each instance by its definition's steps.

A flattened step's id is made from the instance's id and the inner step's (`uuid5`), so it is the same run
after run and reuse finds its results; an inner cell's id is made the same way, except that a port's inner
cell becomes the instance's cell outside. An instance's params override the inner steps' params its
definition exposes. Nested instances flatten in turn; `Flattened.step_paths` says which instance path each
flattened step came from (to show a run on the group's node, and inside it), and `in_groups` rewrites a
validation problem found in the flattened workflow so that it names the group and the inner step.

`group_problems` checks what flattening relies on (every instance's definition exists, no definition
contains itself, ports and exposed params name what is there); validation asks it before anything else.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from uuid import UUID, uuid5

from fancy_studio.core.errors import (
    GroupError,
    RecursiveGroupError,
    UnknownPortError,
    WorkflowValidationError,
)
from fancy_studio.core.functions import FunctionRegistry
from fancy_studio.core.workflow import (
    GROUP_SLUG_PREFIX,
    CellSpec,
    GroupDefinition,
    Workflow,
    WorkflowStep,
)

__all__ = ["Flattened", "flat_id", "flatten", "group_problems", "missing_definition"]


def flat_id(path: Iterable[UUID]) -> UUID:
    """The id a node gets in the flattened workflow from its path: the outermost instance's id, the ids of
    the nested instances in their definitions, then the node's own id in its definition."""
    ids = iter(path)
    current = next(ids)
    for inner in ids:
        current = uuid5(current, str(inner))
    return current


@dataclass
class Flattened:
    """A workflow with its group instances replaced by their steps, and where each of those came from: a
    snapshot of the workflow as it was (flatten again after an edit)."""

    workflow: Workflow
    """What the engine runs: the very workflow given when it has no instance."""
    source: Workflow
    """The workflow that was flattened."""
    step_paths: dict[UUID, tuple[UUID, ...]] = field(default_factory=dict)
    """Flattened step id → (outermost instance id, nested instance ids…, inner step id); only the steps
    that came from a group (the others keep their ids)."""
    cell_paths: dict[UUID, tuple[UUID, ...]] = field(default_factory=dict)
    """Flattened cell id → (instance ids…, inner cell id), for the cells inside groups (a port's cell is
    the instance's cell outside, which keeps its id)."""
    inner_literals: list[CellSpec] = field(default_factory=list)
    """The cells with a value that come from definitions (an input port's value for an unwired port, an
    inner constant): a run provides them whatever input cells its caller gives."""

    @property
    def grouped(self) -> bool:
        return self.workflow is not self.source

    def steps_of(self, instance_id: UUID) -> list[UUID]:
        """The flattened steps an instance stands for: a top-level instance by its id, a nested one by its
        flattened id (`flat_id` of its path)."""
        paths = self.step_paths
        found = [step_id for step_id, path in paths.items() if path[0] == instance_id]
        if found:
            return found
        return [step_id for step_id, path in paths.items()
                if any(flat_id(path[:depth]) == instance_id for depth in range(2, len(path)))]

    def instances(self, step_id: UUID) -> list[tuple[WorkflowStep, GroupDefinition]]:
        """The instances (outermost first) a flattened step came from, each with its definition."""
        path = self.step_paths.get(step_id)
        if path is None:
            return []
        definitions, inner_steps = self._definitions, self._inner_steps
        found = []
        instance = self._outer_steps[path[0]]
        for inner in (*path[1:-1], None):
            definition = definitions[instance.group_id]  # type: ignore[index]
            found.append((instance, definition))
            if inner is not None:
                instance = inner_steps[definition.id][inner]
        return found

    @cached_property
    def _outer_steps(self) -> dict[UUID, WorkflowStep]:
        return {step.id: step for step in self.source.steps}

    @cached_property
    def _definitions(self) -> dict[UUID, GroupDefinition]:
        return {definition.id: definition for definition in self.source.groups}

    @cached_property
    def _inner_steps(self) -> dict[UUID, dict[UUID, WorkflowStep]]:
        return {d.id: {step.id: step for step in d.steps} for d in self.source.groups}

    def where(self, step_id: UUID) -> str:
        """"in group 'Adder' › group 'Inner' ('Scale', 1a2b3c4d)" for a step from a group, else ""."""
        parts = []
        for instance, definition in self.instances(step_id):
            label = f" as '{instance.label}'" if instance.label and instance.label != definition.name else ""
            parts.append(f"group '{definition.name}'{label} ({str(instance.id)[:8]})")
        return "in " + " › ".join(parts) if parts else ""

    def in_groups(self, problem: WorkflowValidationError) -> WorkflowValidationError:
        """`problem`, found in the flattened workflow, as the user sees it: about the outermost instance
        (`step_id`), saying where in the groups (message, `group_path`); a cell inside a group is no cell
        the user can point at outside (`cell_id` None). Problems outside groups are left as they are."""
        path = self.step_paths.get(problem.step_id) if problem.step_id is not None else None
        if path is None:
            return problem
        problem.args = (f"{self.where(problem.step_id)}: {problem.args[0]}", *problem.args[1:])  # type: ignore[arg-type]
        problem.group_path = path
        problem.step_id = path[0]
        if problem.cell_id is not None and problem.cell_id in self.cell_paths:
            problem.cell_id = None
        step_ids = getattr(problem, "step_ids", None)
        if step_ids:
            problem.step_ids = list(dict.fromkeys(self.step_paths.get(s, (s,))[0] for s in step_ids))  # type: ignore[attr-defined]
        return problem

    def flat_steps(self, steps: Iterable[WorkflowStep]) -> list[WorkflowStep]:
        """`steps` (of the source workflow, or of any flattening of it) as this flattening's own objects, an
        instance standing for all its steps."""
        by_id = {step.id: step for step in self.workflow.steps}
        chosen: dict[UUID, WorkflowStep] = {}
        for step in steps:
            if step.group_id is not None and step.id not in by_id:
                for inner in self.steps_of(step.id):
                    chosen.setdefault(inner, by_id[inner])
            else:
                chosen.setdefault(step.id, by_id.get(step.id, step))
        return list(chosen.values())

    def target_ids(self, targets: Iterable[UUID]) -> list[UUID]:
        """Run targets as flattened step ids: an instance's id stands for its steps."""
        flat = {step.id for step in self.workflow.steps}
        chosen: list[UUID] = []
        for target in targets:
            chosen.extend([target] if target in flat else self.steps_of(target) or [target])
        return chosen


def flatten(workflow: Workflow) -> Flattened:
    """The plain workflow `workflow` stands for (see the module docstring). Raises a `GroupError` when an
    instance's definition is missing, `RecursiveGroupError` when a definition contains itself; other
    mistakes (a port the definition lacks) are left for `group_problems` to report."""
    if not workflow.groups or not any(step.function_slug.startswith(GROUP_SLUG_PREFIX) for step in workflow.steps):
        return Flattened(workflow, workflow)
    result = Flattened(workflow, workflow)
    definitions = {d.id: d for d in workflow.groups}
    steps: list[WorkflowStep] = []
    cells: list[CellSpec] = list(workflow.cells)
    for step in workflow.steps:
        if not step.function_slug.startswith(GROUP_SLUG_PREFIX):
            steps.append(step)
        else:
            _expand(step, step.id, (step.id,), (), definitions, steps, cells, result)
    result.workflow = Workflow.model_construct(
        schema_version=workflow.schema_version, id=workflow.id, name=workflow.name,
        description=workflow.description, cells=cells, steps=steps, layout={}, metadata={}, frames=[], notes=[],
        groups=[])
    return result


_construct_step = WorkflowStep.model_construct
_construct_cell = CellSpec.model_construct


def _expand(instance: WorkflowStep, flat: UUID, path: tuple[UUID, ...], chain: tuple[GroupDefinition, ...],
            definitions: dict[UUID, GroupDefinition], steps: list[WorkflowStep], cells: list[CellSpec],
            result: Flattened) -> None:
    """Append the steps and cells `instance` (flattened id `flat`) stands for."""
    definition = _definition_of(instance, definitions, chain)
    chain = (*chain, definition)
    mapping: dict[UUID, UUID] = {}
    for ports, outer in ((definition.inputs, instance.inputs), (definition.outputs, instance.outputs)):
        for port, inner in ports.items():
            if port in outer:
                mapping[inner] = outer[port]
    cell_paths = result.cell_paths

    def cell(inner: UUID) -> UUID:
        made = mapping.get(inner)
        if made is None:
            made = mapping[inner] = uuid5(flat, str(inner))
            cell_paths[made] = (*path, inner)
        return made

    for spec in definition.cells:
        if spec.id in mapping:
            continue  # a port the instance wires: its cell is the one outside
        fields: dict[str, Any] = {"id": cell(spec.id), "alias": spec.alias, "description": spec.description}
        if spec.has_value:
            made = _construct_cell(**fields, value=spec.value)
            result.inner_literals.append(made)
        else:
            made = _construct_cell(**fields)
        cells.append(made)
    overrides: dict[UUID, dict[str, Any]] = {}
    for port, value in instance.params.items():
        exposed = definition.params.get(port)
        if exposed is not None:
            overrides.setdefault(exposed.step, {})[exposed.input] = value
    for inner in definition.steps:
        step_id = uuid5(flat, str(inner.id))
        params = inner.params
        if inner.id in overrides:
            params = {**params, **overrides[inner.id]}
        made = _construct_step(id=step_id, function_slug=inner.function_slug, label=inner.label,
                               timeout=inner.timeout, bypass=inner.bypass, params=params,
                               inputs={name: cell(c) for name, c in inner.inputs.items()},
                               outputs={name: cell(c) for name, c in inner.outputs.items()})
        if inner.function_slug.startswith(GROUP_SLUG_PREFIX):
            _expand(made, step_id, (*path, inner.id), chain, definitions, steps, cells, result)
        else:
            steps.append(made)
            result.step_paths[step_id] = (*path, inner.id)


def _definition_of(instance: WorkflowStep, definitions: dict[UUID, GroupDefinition],
                   chain: tuple[GroupDefinition, ...]) -> GroupDefinition:
    definition = definitions.get(instance.group_id) if instance.group_id is not None else None
    if definition is None:
        raise GroupError(missing_definition(instance, chain[-1] if chain else None), step_id=instance.id,
                         function_slug=instance.function_slug)
    if any(d is definition for d in chain):
        start = next(i for i, d in enumerate(chain) if d is definition)
        loop = [*chain[start:], definition]
        raise RecursiveGroupError(_recursion_text(loop), chain=[d.id for d in loop])
    return definition


def missing_definition(step: WorkflowStep, inside: GroupDefinition | None = None) -> str:
    """Why an instance cannot be flattened: its slug names no definition of the workflow."""
    where = f"in group '{inside.name}': " if inside is not None else ""
    named = step.function_slug[len(GROUP_SLUG_PREFIX):]
    if step.group_id is None:
        return f"{where}{_name(step)} names group '{named:.60}', which is not a group id"
    return f"{where}{_name(step)} uses group {named}, which this workflow does not define"


def _name(step: WorkflowStep, definition: GroupDefinition | None = None) -> str:
    """"step 'Label' (1a2b3c4d)"; an instance without a label is named by its group."""
    if not step.label and definition is not None:
        return f"group '{definition.name}' ({str(step.id)[:8]})"
    return f"step '{step.label or step.function_slug}' ({str(step.id)[:8]})"


def _recursion_text(loop: list[GroupDefinition]) -> str:
    text = f"group '{loop[0].name}'"
    for definition in loop[1:]:
        text += f" contains group '{definition.name}', which"
    return text.removesuffix(", which") + ": a group cannot contain itself"


def group_problems(workflow: Workflow, registry: FunctionRegistry | None = None) -> list[WorkflowValidationError]:
    """Every reason the workflow's groups cannot be flattened as they are meant: see the module docstring.
    With a registry, an exposed param's inner input is checked against the inner step's function too."""
    definitions = {d.id: d for d in workflow.groups}
    problems: list[WorkflowValidationError] = []
    for step in workflow.steps:
        if step.function_slug.startswith(GROUP_SLUG_PREFIX):
            _check_instance(step, None, definitions, problems)
    for definition in workflow.groups:
        for step in definition.steps:
            if step.function_slug.startswith(GROUP_SLUG_PREFIX):
                _check_instance(step, definition, definitions, problems)
        _check_definition(definition, definitions, registry, problems)
    problems.extend(_recursions(workflow.groups, definitions))
    return problems


def _check_instance(step: WorkflowStep, inside: GroupDefinition | None, definitions: dict[UUID, GroupDefinition],
                    problems: list[WorkflowValidationError]) -> None:
    definition = definitions.get(step.group_id) if step.group_id is not None else None
    where = f"in group '{inside.name}': " if inside is not None else ""
    if definition is None:
        problems.append(GroupError(missing_definition(step, inside), step_id=step.id, function_slug=step.function_slug))
        return
    name = _name(step, definition)
    for side, wired, ports in (("input", step.inputs, definition.inputs), ("output", step.outputs, definition.outputs)):
        for port, cell_id in wired.items():
            if port not in ports:
                known = ", ".join(ports) or "none"
                problems.append(UnknownPortError(
                    f"{where}{name} wires {side} '{port}', which group '{definition.name}' does not have "
                    f"(its {side}s: {known})", step_id=step.id, function_slug=step.function_slug, cell_id=cell_id))
    for port in step.params:
        if port not in definition.params:
            known = ", ".join(definition.params) or "none"
            problems.append(UnknownPortError(
                f"{where}{name} sets parameter '{port}', which group '{definition.name}' does not expose "
                f"(its parameters: {known})", step_id=step.id, function_slug=step.function_slug))
    if step.bypass:
        problems.append(GroupError(f"{where}{name} is bypassed, but a group cannot be: bypass steps inside it",
                                   step_id=step.id, function_slug=step.function_slug))


def _check_definition(definition: GroupDefinition, definitions: dict[UUID, GroupDefinition],
                      registry: FunctionRegistry | None, problems: list[WorkflowValidationError]) -> None:
    written = {cell for step in definition.steps for cell in step.outputs.values()}
    used = written | {cell for step in definition.steps for cell in step.inputs.values()}
    used |= {cell.id for cell in definition.cells}
    named = f"group '{definition.name}'"
    ports: dict[UUID, str] = {}
    for side, side_ports in (("input", definition.inputs), ("output", definition.outputs)):
        for port, cell_id in side_ports.items():
            if cell_id not in used or (side == "output" and cell_id not in written):
                doing = "writes" if side == "output" else "reads or writes, and the group does not declare"
                problems.append(GroupError(f"{named}: {side} '{port}' stands for cell {cell_id}, which no step "
                                           f"of the group {doing}", cell_id=cell_id))
            elif cell_id in ports:
                problems.append(GroupError(f"{named}: ports '{ports[cell_id]}' and '{port}' stand for the same "
                                           f"cell {cell_id}: each port needs a cell of its own", cell_id=cell_id))
            else:
                ports[cell_id] = port
    inner_steps = {step.id: step for step in definition.steps}
    for port, exposed in definition.params.items():
        inner = inner_steps.get(exposed.step)
        if inner is None:
            problems.append(GroupError(f"{named}: parameter '{port}' sets an input of step {exposed.step}, which "
                                       f"is not in the group"))
            continue
        inputs = _input_names(inner, definitions, registry)
        if inputs is not None and exposed.input not in inputs:
            problems.append(GroupError(
                f"{named}: parameter '{port}' sets input '{exposed.input}' of {_name(inner)}, which it does not "
                f"have (its inputs: {', '.join(sorted(inputs)) or 'none'})", function_slug=inner.function_slug))


def _input_names(step: WorkflowStep, definitions: dict[UUID, GroupDefinition],
                 registry: FunctionRegistry | None) -> set[str] | None:
    """What can be set on an inner step: its function's inputs, or what an inner instance's group exposes;
    None when that cannot be told (no registry, a function not installed, a missing definition)."""
    if step.function_slug.startswith(GROUP_SLUG_PREFIX):
        definition = definitions.get(step.group_id) if step.group_id is not None else None
        return None if definition is None else set(definition.params)
    function = None if registry is None else registry.find(step.function_slug)
    return None if function is None else set(function.input_names)


def _recursions(groups: list[GroupDefinition], definitions: dict[UUID, GroupDefinition]) -> list[RecursiveGroupError]:
    """One error per loop of definitions containing each other (networkx finds them; the first ten)."""
    import networkx as nx

    graph = nx.DiGraph()
    for definition in groups:
        for step in definition.steps:
            if step.group_id in definitions:
                graph.add_edge(definition.id, step.group_id)
    found = []
    for loop in itertools.islice(nx.simple_cycles(graph), 10):
        chain = [definitions[d] for d in (*loop, loop[0])]
        found.append(RecursiveGroupError(_recursion_text(chain), chain=[d.id for d in chain]))
    return found
