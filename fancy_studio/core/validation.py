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
from typing import Any
from uuid import UUID

import networkx as nx

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


@dataclass
class ExecutionPlan:
    """A checked workflow: its steps in dependency order, each with its function resolved.

    Build it once with `plan()` and run it as often as you like; it does not change when the workflow
    is edited afterwards (check again after an edit).
    """

    workflow: Workflow
    order: list[WorkflowStep]
    functions: dict[UUID, FancyFunction]
    edges: list[tuple[UUID, UUID]]
    """(producer step, reader step), once per cell read; `graph` is built from these on first use."""
    provided: frozenset[UUID]
    aliases: dict[UUID, str | None] = field(default_factory=dict)
    checked_steps: list[WorkflowStep] | None = field(default=None, repr=False, compare=False)
    """The steps that were checked, in the workflow's order (the graph's node order); None: `order`."""

    def __len__(self) -> int:
        return len(self.order)

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The steps as a networkx graph (an edge from each step to every step that reads its output)."""
        return _graph(self.order if self.checked_steps is None else self.checked_steps, self.edges)


def _graph(steps: Iterable[WorkflowStep], edges: list[tuple[UUID, UUID]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(step.id for step in steps)
    graph.add_edges_from(edges)
    return graph


def _topological_order(steps: list[WorkflowStep], edges: list[tuple[UUID, UUID]]) -> list[WorkflowStep] | None:
    """Steps in the very order `nx.topological_sort` gives on the same graph, or None on a cycle.

    Same algorithm (Kahn's, generation by generation), same tie-breaking (nodes in insertion order,
    successors in edge order, a repeated edge counted once), without building a networkx graph.
    """
    successors: dict[UUID, dict[UUID, None]] = {step.id: {} for step in steps}
    for source, target in edges:
        successors[source][target] = None
    indegree = dict.fromkeys(successors, 0)
    for children in successors.values():
        for child in children:
            indegree[child] += 1
    by_id = {step.id: step for step in steps}
    order: list[WorkflowStep] = []
    generation = [step_id for step_id, degree in indegree.items() if degree == 0]
    while generation:
        following = []
        for step_id in generation:
            order.append(by_id[step_id])
            for child in successors[step_id]:
                indegree[child] -= 1
                if indegree[child] == 0:
                    following.append(child)
        generation = following
    return order if len(order) == len(indegree) else None


def _step_name(step: WorkflowStep, function: FancyFunction | None = None) -> str:
    title = step.label or (function.title if function else step.function_slug)
    return f"step '{title}' ({step.function_slug}, {str(step.id)[:8]})"


def _cell_name(workflow: Workflow, aliases: dict[UUID, str | None], cell_id: UUID) -> str:
    alias = aliases.get(cell_id)
    return f"cell '{alias}' ({str(cell_id)[:8]})" if alias else f"cell {cell_id}"


def select_steps(workflow: Workflow, targets: Iterable[UUID]) -> list[WorkflowStep]:
    """The target steps and every step they depend on, in the workflow's order."""
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
    if provided is None:
        provided = {cell.id: cell.value for cell in workflow.cells if cell.has_value}
    steps = workflow.steps if steps is None else steps
    aliases: dict[UUID, str | None] = {cell.id: cell.alias or None for cell in workflow.cells}
    problems: list[WorkflowValidationError] = []
    functions: dict[UUID, FancyFunction] = {}
    producers: dict[UUID, tuple[WorkflowStep, str]] = {}

    # functions, ports and producers
    for step in steps:
        function = registry.find(step.function_slug)
        if function is None:
            problems.append(UnknownFunctionError(step.function_slug, step.id))
            _collect_producers(workflow, aliases, step, None, producers, problems)
            continue
        functions[step.id] = function
        _check_ports(aliases, workflow, step, function, problems)
        _collect_producers(workflow, aliases, step, function, producers, problems)

    # dependencies, unprovided inputs and types
    edges = []
    for step in steps:
        function = functions.get(step.id)
        for name, cell_id in step.inputs.items():
            source = producers.get(cell_id)
            if source is not None:
                edges.append((source[0].id, step.id))
                if function is not None:
                    producer_function = functions.get(source[0].id)
                    port = _output_port(producer_function, source[1]) if producer_function else None
                    expected = _input_port(function, name)
                    if port is not None and expected is not None and not accepts(expected.type, port.type):
                        problems.append(_mismatch(workflow, aliases, step, function, name, cell_id,
                                                  f"{_step_name(source[0], producer_function)} "
                                                  f"gives {port.type_name}", expected.type_name))
            elif cell_id in provided:
                expected = _input_port(function, name) if function is not None else None
                value = provided[cell_id]
                if expected is not None and not value_accepted(expected.type, value):
                    problems.append(_mismatch(workflow, aliases, step, function, name, cell_id,
                                              f"its value {value!r:.40} is a {type(value).__name__}",
                                              expected.type_name))
            else:
                problems.append(UnprovidedInputError(
                    f"{_step_name(step, function)} reads {_cell_name(workflow, aliases, cell_id)} "
                    f"for input '{name}', but no step writes that cell and it has no value",
                    step_id=step.id, function_slug=step.function_slug, cell_id=cell_id))

    order = _topological_order(steps, edges)
    if order is None:
        problems.insert(0, _cycle_error(workflow, aliases, _graph(steps, edges), steps, functions, producers))
    if problems:
        return problems, None
    assert order is not None
    return [], ExecutionPlan(workflow, order, functions, edges, frozenset(provided), aliases, steps)


def _ports(ports: tuple[Any, ...]) -> dict[str, Any]:
    by_name: dict[str, Any] = {}
    for port in ports:
        by_name.setdefault(port.name, port)  # the first of a name wins, as in FancyFunction.input
    return by_name


# FancyFunction is frozen, so its ports never change: index them by name once per function object.
_PORTS: dict[int, tuple[FancyFunction, dict[str, Any], dict[str, Any]]] = {}


def _indexed(function: FancyFunction) -> tuple[FancyFunction, dict[str, Any], dict[str, Any]]:
    entry = _PORTS.get(id(function))
    if entry is None or entry[0] is not function:
        if len(_PORTS) > 4096:
            _PORTS.clear()
        entry = _PORTS[id(function)] = (function, _ports(function.inputs), _ports(function.outputs))
    return entry


def _input_port(function: FancyFunction, name: str) -> Any:
    return _indexed(function)[1].get(name)


def _output_port(function: FancyFunction, name: str) -> Any:
    return _indexed(function)[2].get(name)


def _check_ports(aliases: dict[UUID, str | None], workflow: Workflow, step: WorkflowStep,
                 function: FancyFunction, problems: list[WorkflowValidationError]) -> None:
    names = function.input_names
    inputs = step.inputs
    if len(inputs) == len(names) and all(name in names for name in inputs):
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


def _collect_producers(workflow: Workflow, aliases: dict[UUID, str | None], step: WorkflowStep,
                       function: FancyFunction | None, producers: dict[UUID, tuple[WorkflowStep, str]],
                       problems: list[WorkflowValidationError]) -> None:
    for name, cell_id in step.outputs.items():
        if function is not None and _output_port(function, name) is None:
            known = ", ".join(p.name for p in function.outputs)
            problems.append(UnknownPortError(
                f"{_step_name(step, function)} wires output '{name}', which {function.slug} does not "
                f"have (its outputs: {known})",
                step_id=step.id, function_slug=function.slug, cell_id=cell_id))
            continue
        other = producers.get(cell_id)
        if other is not None:
            problems.append(DuplicateProducerError(
                f"{_cell_name(workflow, aliases, cell_id)} is written by two steps: "
                f"{_step_name(other[0])} and {_step_name(step, function)}",
                step_id=step.id, function_slug=step.function_slug, cell_id=cell_id))
            continue
        producers[cell_id] = (step, name)


def _mismatch(workflow: Workflow, aliases: dict[UUID, str | None], step: WorkflowStep,
              function: FancyFunction, name: str, cell_id: UUID, what: str,
              expected: str) -> TypeMismatchError:
    return TypeMismatchError(
        f"{_step_name(step, function)}: input '{name}' expects {expected}, but "
        f"{_cell_name(workflow, aliases, cell_id)} cannot be one: {what}",
        step_id=step.id, function_slug=function.slug, cell_id=cell_id)


def _cycle_error(workflow: Workflow, aliases: dict[UUID, str | None], graph: nx.DiGraph,
                 steps: list[WorkflowStep], functions: dict[UUID, FancyFunction],
                 producers: dict[UUID, tuple[WorkflowStep, str]]) -> CycleError:
    by_id = {step.id: step for step in steps}
    loop = [edge[0] for edge in nx.find_cycle(graph)]
    cells = []
    for index, step_id in enumerate(loop):
        reader = by_id[loop[(index + 1) % len(loop)]]
        cells.append(next(c for c in reader.inputs.values() if producers.get(c, (None,))[0] is by_id[step_id]))
    parts = [
        f"{_step_name(by_id[step_id], functions.get(step_id))} writes {_cell_name(workflow, aliases, cell)}"
        for step_id, cell in zip(loop, cells)
    ]
    return CycleError(
        "the steps form a cycle, so none of them can run first: " + ", which feeds ".join(parts)
        + f", which feeds {_step_name(by_id[loop[0]], functions.get(loop[0]))} again",
        step_ids=loop, cell_ids=cells)
