"""Check a workflow as a graph before anything runs, and turn it into an execution plan.

The graph's nodes are steps; an edge runs from the step that writes a cell to each step that reads it
(networkx answers the graph questions: order, cycles, ancestors). Every problem is a typed
`WorkflowValidationError` that names the step, the function and the cell, so the command line can print
it and the studio can point at the node. `find_problems` lists them all; `plan` raises the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

from fancy_studio.core.errors import (
    CycleError,
    DuplicateProducerError,
    MissingParameterError,
    TypeMismatchError,
    UnknownFunctionError,
    UnknownPortError,
    UnprovidedInputError,
    WorkflowValidationError,
)
from fancy_studio.core.functions import FancyFunction, FunctionRegistry, registry as default_registry
from fancy_studio.core.typecheck import accepts, value_accepted
from fancy_studio.core.workflow import Workflow, WorkflowStep

if TYPE_CHECKING:  # networkx is imported lazily: it costs ~0.3 s at startup
    import networkx as nx


class CompiledStep(NamedTuple):
    """A step with everything the engine needs resolved up front, so running it is lean."""

    step: WorkflowStep
    function: FancyFunction
    inputs: dict[str, UUID]
    """The step's own input wiring (not copied: a plan is only valid until the workflow is edited)."""
    outputs: list[tuple[str, UUID, str | None]]
    """(output name, cell id, the cell's alias)."""


@dataclass
class ExecutionPlan:
    """A checked workflow: its steps in dependency order, each with its function resolved.

    Build it once with `plan()` and run it as often as you like; it does not change when the workflow
    is edited afterwards (check again after an edit).
    """

    workflow: Workflow
    compiled: list[CompiledStep]
    """The steps in dependency order, compiled."""
    steps: list[WorkflowStep]
    """The steps that were checked, in the workflow's order."""
    successors: list[list[int]]
    """For each of `steps` (by index), the indexes of the steps that read its outputs, once per cell read."""
    provided: frozenset[UUID]

    def __len__(self) -> int:
        return len(self.compiled)

    @property
    def order(self) -> list[WorkflowStep]:
        return [c.step for c in self.compiled]

    @property
    def functions(self) -> dict[UUID, FancyFunction]:
        return {c.step.id: c.function for c in self.compiled}

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The steps as a networkx graph (an edge from each step to every step that reads its output)."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(step.id for step in self.steps)
        steps = self.steps
        graph.add_edges_from((steps[a].id, steps[b].id) for a, children in enumerate(self.successors) for b in children)
        return graph


def _topological_order(successors: list[list[int]]) -> list[int] | None:
    """Step indexes in dependency order (Kahn's algorithm, ties in workflow order), None on a cycle.

    This is the one graph question asked on every run, so it works on list indexes rather than a
    networkx graph keyed by UUIDs (whose hashing is Python code); cycles, ancestors and the parallel
    scheduler's graph still come from networkx.
    """
    count = len(successors)
    indegree = [0] * count
    for children in successors:
        for child in children:
            indegree[child] += 1
    order = [index for index in range(count) if indegree[index] == 0]
    position = 0
    while position < len(order):
        for child in successors[order[position]]:
            indegree[child] -= 1
            if indegree[child] == 0:
                order.append(child)
        position += 1
    return order if len(order) == count else None


def _step_name(step: WorkflowStep, function: FancyFunction | None = None) -> str:
    title = step.label or (function.title if function else step.function_slug)
    return f"step '{title}' ({step.function_slug}, {str(step.id)[:8]})"


def _cell_name(aliases: dict[int, str], cell_id: UUID) -> str:
    alias = aliases.get(cell_id.int)
    return f"cell '{alias}' ({str(cell_id)[:8]})" if alias else f"cell {cell_id}"


def select_steps(workflow: Workflow, targets: Iterable[UUID]) -> list[WorkflowStep]:
    """The target steps and every step they depend on, in the workflow's order."""
    import networkx as nx

    wanted = set(targets)
    producers = {cell: step.id for step in workflow.steps for cell in step.outputs.values()}
    graph = nx.DiGraph()
    graph.add_nodes_from(step.id for step in workflow.steps)
    graph.add_edges_from(
        (producers[cell], step.id)
        for step in workflow.steps
        for cell in step.inputs.values()
        if cell in producers
    )
    missing = wanted - set(graph.nodes)
    if missing:
        raise KeyError(f"no step {sorted(map(str, missing))[0]} in workflow '{workflow.name}'")
    needed = set(wanted)
    for target in wanted:
        needed |= nx.ancestors(graph, target)
    return [step for step in workflow.steps if step.id in needed]


def find_problems(
    workflow: Workflow,
    provided: dict[UUID, Any] | None = None,
    *,
    registry: FunctionRegistry = default_registry,
    steps: list[WorkflowStep] | None = None,
) -> list[WorkflowValidationError]:
    """Every reason the workflow cannot run. `provided` maps the cells given at the start to values."""
    return _analyse(workflow, provided, registry, steps)[0]


def plan(
    workflow: Workflow,
    provided: dict[UUID, Any] | None = None,
    *,
    registry: FunctionRegistry = default_registry,
    steps: list[WorkflowStep] | None = None,
) -> ExecutionPlan:
    """Check the workflow and order its steps; raise the first problem found."""
    problems, result = _analyse(workflow, provided, registry, steps)
    if problems:
        first = problems[0]
        if len(problems) > 1:
            first.args = (f"{first.args[0]} (and {len(problems) - 1} more problems)",)
        raise first
    assert result is not None
    return result


def _analyse(
    workflow: Workflow,
    provided: dict[UUID, Any] | None,
    registry: FunctionRegistry,
    steps: list[WorkflowStep] | None,
) -> tuple[list[WorkflowValidationError], ExecutionPlan | None]:
    # Cells are keyed by `uuid.int` here: the same identity, but hashed in C.
    if provided is None:
        provided = {cell.id: cell.value for cell in workflow.cells if cell.has_value}
    given = {cell_id.int: value for cell_id, value in provided.items()}
    steps = workflow.steps if steps is None else steps
    aliases: dict[int, str] = {cell.id.int: cell.alias for cell in workflow.cells if cell.alias}
    problems: list[WorkflowValidationError] = []
    functions: list[FancyFunction | None] = []
    producers: dict[int, tuple[int, str]] = {}
    find = registry.find

    # functions, ports and producers
    for index, step in enumerate(steps):
        function = find(step.function_slug)
        functions.append(function)
        if function is None:
            problems.append(UnknownFunctionError(step.function_slug, step.id))
        else:
            _check_ports(aliases, step, function, problems)
        _collect_producers(aliases, steps, index, function, producers, problems)

    # dependencies, unprovided inputs and types
    successors: list[list[int]] = [[] for _ in steps]
    for index, step in enumerate(steps):
        function = functions[index]
        for name, cell_id in step.inputs.items():
            key = cell_id.int
            source = producers.get(key)
            if source is not None:
                successors[source[0]].append(index)
                producer_function = functions[source[0]]
                if function is None or producer_function is None:
                    continue
                port, expected = producer_function.output(source[1]), function.input(name)
                if port is not None and expected is not None and not accepts(expected.type, port.type):
                    problems.append(_mismatch(aliases, step, function, name, cell_id,
                                              f"{_step_name(steps[source[0]], producer_function)} "
                                              f"gives {port.type_name}", expected.type_name))
            elif key in given:
                expected = function.input(name) if function is not None else None
                value = given[key]
                if expected is not None and not value_accepted(expected.type, value):
                    problems.append(_mismatch(aliases, step, function, name, cell_id,
                                              f"its value {value!r:.40} is a {type(value).__name__}",
                                              expected.type_name))
            else:
                problems.append(UnprovidedInputError(
                    f"{_step_name(step, function)} reads {_cell_name(aliases, cell_id)} "
                    f"for input '{name}', but no step writes that cell and it has no value",
                    step_id=step.id, function_slug=step.function_slug, cell_id=cell_id))

    order = _topological_order(successors)
    if order is None:
        problems.insert(0, _cycle_error(aliases, steps, functions, successors, producers))
    if problems:
        return problems, None
    assert order is not None
    compiled = []
    for index in order:
        step = steps[index]
        compiled.append(CompiledStep(
            step, functions[index], step.inputs,  # type: ignore[arg-type]
            [(name, cell, aliases.get(cell.int)) for name, cell in step.outputs.items()]))
    return [], ExecutionPlan(workflow, compiled, list(steps), successors, frozenset(provided))


def _check_ports(aliases: dict[int, str], step: WorkflowStep, function: FancyFunction,
                 problems: list[WorkflowValidationError]) -> None:
    names = function.input_names
    inputs = step.inputs
    if len(inputs) == len(names) and names.issuperset(inputs):
        return  # the common case: every parameter wired, nothing unknown
    for name, cell_id in inputs.items():
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            problems.append(UnknownPortError(
                f"{_step_name(step, function)} wires input '{name}', which {function.slug} does not "
                f"have (its inputs: {known})",
                step_id=step.id, function_slug=function.slug, cell_id=cell_id))
    for port in function.inputs:
        if port.required and port.name not in inputs:
            problems.append(MissingParameterError(
                f"{_step_name(step, function)}: required input '{port.name}' "
                f"({port.type_name}) is not connected to a cell",
                step_id=step.id, function_slug=function.slug))


def _collect_producers(aliases: dict[int, str], steps: list[WorkflowStep], index: int,
                       function: FancyFunction | None, producers: dict[int, tuple[int, str]],
                       problems: list[WorkflowValidationError]) -> None:
    step = steps[index]
    for name, cell_id in step.outputs.items():
        if function is not None and function.output(name) is None:
            known = ", ".join(p.name for p in function.outputs)
            problems.append(UnknownPortError(
                f"{_step_name(step, function)} wires output '{name}', which {function.slug} does not "
                f"have (its outputs: {known})",
                step_id=step.id, function_slug=function.slug, cell_id=cell_id))
            continue
        other = producers.get(cell_id.int)
        if other is not None:
            problems.append(DuplicateProducerError(
                f"{_cell_name(aliases, cell_id)} is written by two steps: "
                f"{_step_name(steps[other[0]])} and {_step_name(step, function)}",
                step_id=step.id, function_slug=step.function_slug, cell_id=cell_id))
            continue
        producers[cell_id.int] = (index, name)


def _mismatch(aliases: dict[int, str], step: WorkflowStep, function: FancyFunction, name: str,
              cell_id: UUID, what: str, expected: str) -> TypeMismatchError:
    return TypeMismatchError(
        f"{_step_name(step, function)}: input '{name}' expects {expected}, but "
        f"{_cell_name(aliases, cell_id)} cannot be one: {what}",
        step_id=step.id, function_slug=function.slug, cell_id=cell_id)


def _cycle_error(aliases: dict[int, str], steps: list[WorkflowStep], functions: list[FancyFunction | None],
                 successors: list[list[int]], producers: dict[int, tuple[int, str]]) -> CycleError:
    import networkx as nx

    graph = nx.DiGraph((a, b) for a, children in enumerate(successors) for b in children)
    loop = [edge[0] for edge in nx.find_cycle(graph)]
    cells = []
    for position, index in enumerate(loop):
        reader = steps[loop[(position + 1) % len(loop)]]
        cells.append(next(c for c in reader.inputs.values() if producers.get(c.int, (None,))[0] == index))
    parts = [
        f"{_step_name(steps[index], functions[index])} writes {_cell_name(aliases, cell)}"
        for index, cell in zip(loop, cells)
    ]
    return CycleError(
        "the steps form a cycle, so none of them can run first: " + ", which feeds ".join(parts)
        + f", which feeds {_step_name(steps[loop[0]], functions[loop[0]])} again",
        step_ids=[steps[index].id for index in loop], cell_ids=cells)
