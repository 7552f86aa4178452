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
from operator import itemgetter
from types import FunctionType
from typing import TYPE_CHECKING, Any
from uuid import UUID

from fancy_studio.core.bypass import pass_through
from fancy_studio.core.errors import (
    CycleError,
    DuplicateProducerError,
    GroupError,
    MissingParameterError,
    TypeMismatchError,
    UnknownFunctionError,
    UnknownPortError,
    UnprovidedInputError,
    WorkflowValidationError,
)
from fancy_studio.core.functions import RETURN, FancyFunction, FunctionRegistry, registry as default_registry
from fancy_studio.core.groups import Flattened, flatten, group_problems, missing_definition
from fancy_studio.core.params import call_params, param_problem
from fancy_studio.core.typecheck import accepts, value_accepted
from fancy_studio.core.workflow import GROUP_SLUG_PREFIX, Workflow, WorkflowStep

if TYPE_CHECKING:  # networkx is imported lazily: it costs ~0.3 s at startup
    import networkx as nx


class CompiledStep(tuple):  # type: ignore[type-arg]
    """A step with everything the engine needs resolved up front, so running it is lean.

    One tuple per step, laid out for the engine's loop (see `_compile`); the public view is
    `step`, `function`, `inputs` and `outputs`.
    """

    __slots__ = ()

    step: WorkflowStep = property(itemgetter(0))  # type: ignore[assignment]
    function: FancyFunction = property(itemgetter(1))  # type: ignore[assignment]
    step_id: UUID = property(itemgetter(2))  # type: ignore[assignment]

    @property
    def inputs(self) -> dict[str, UUID]:
        """The step's own input wiring (not copied: a plan is only valid until the workflow is edited)."""
        return self[0].inputs

    @property
    def outputs(self) -> list[tuple[str, UUID, str | None]]:
        """(output name, cell id, the cell's alias)."""
        if self[9] is not None:
            return [(name, cell_id, alias) for name, _, cell_id, alias in self[9]]
        return [] if self[6] is None else [(RETURN, self[7], self[8])]

    def __repr__(self) -> str:
        return f"CompiledStep(step={self[0]!r}, function={self[1].slug!r})"


# How the engine calls a compiled step's function (item 4 of a `CompiledStep`); item 5 holds the
# inputs' cell keys (`uuid.int`) accordingly.
CALL_NONE = 0
"""No input: `func()`."""
CALL_ONE = 1
"""One positional argument: item 5 is its cell key."""
CALL_TWO = 2
"""Two positional arguments: item 5 is (key, key)."""
CALL_KEYWORDS = 3
"""Keyword arguments: item 5 is ((name, key), …)."""
CALL_PARAMS = 4
"""Keyword arguments, some of them the step's params: item 5 is (((name, key), …), {name: param}) (see
`params.fresh` for what each call gets)."""


def positional_names(func: Any) -> tuple[str, ...] | None:
    """The names of `func`'s leading positional-or-keyword parameters, when calling it positionally is
    exactly the same as calling it by keyword: a plain Python function, not a wrapper whose signature
    came from elsewhere. None otherwise (such functions are always called by keyword)."""
    if type(func) is not FunctionType or hasattr(func, "__wrapped__") or hasattr(func, "__signature__"):
        return None
    code = func.__code__
    if code.co_posonlyargcount:
        return None
    return code.co_varnames[:code.co_argcount]


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
    step_ids: list[UUID] | None = field(default=None, repr=False, compare=False)
    """The ids of `compiled`, in order."""
    unavailable: dict[UUID, str] = field(default_factory=dict)
    """Steps whose function is not installed (step id → slug), when the plan was made to skip them
    (`plan(..., skip_unknown_functions=True)`, as the engine does): they are in `compiled` with no
    function, and a run skips them and every step that depends on them."""
    bypassed: dict[UUID, tuple[str, str] | None] = field(default_factory=dict)
    """Bypassed steps (step id → the (input, output) its value passes through, None when no input has an
    output's type): they are in `compiled` with no Python function, and a run passes the value on
    instead of calling them (see `bypass`)."""
    flattened: Flattened | None = field(default=None, repr=False, compare=False)
    """For a workflow with groups: how it was flattened (`workflow` is then the flattened one, and the
    steps' ids are flattened ids: `Flattened.step_paths` says which group each came from)."""

    def __post_init__(self) -> None:
        if self.step_ids is None:
            self.step_ids = [c.step.id for c in self.compiled]

    def __len__(self) -> int:
        return len(self.compiled)

    @property
    def order(self) -> list[WorkflowStep]:
        return [c.step for c in self.compiled]

    @property
    def functions(self) -> dict[UUID, FancyFunction]:
        """The function of each step that has one (not the `unavailable` steps)."""
        return {c.step.id: c.function for c in self.compiled if c.function is not None}

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
    order = [index for index in range(count) if not indegree[index]]
    for index in order:  # a list iterator also visits what is appended while it runs: a FIFO queue
        for child in successors[index]:
            left = indegree[child] - 1
            indegree[child] = left
            if not left:
                order.append(child)
    return order if len(order) == count else None


def _step_name(step: WorkflowStep, function: FancyFunction | None = None) -> str:
    title = step.label or (function.title if function else step.function_slug)
    return f"step '{title}' ({step.function_slug}, {str(step.id)[:8]})"


def _cell_name(aliases: dict[int, str], cell_id: UUID) -> str:
    alias = aliases.get(cell_id.int)
    return f"cell '{alias}' ({str(cell_id)[:8]})" if alias else f"cell {cell_id}"


def select_steps(workflow: Workflow, targets: Iterable[UUID]) -> list[WorkflowStep]:
    """The target steps and every step they depend on, in the workflow's order. In a workflow with groups,
    steps of the flattened workflow (see `groups.flatten`): a target may be a group instance, standing for
    its steps, or a step inside one (by its flattened id)."""
    import networkx as nx

    if workflow.groups:
        try:
            flattened = flatten(workflow)
        except WorkflowValidationError:
            flattened = None  # validation reports it
        if flattened is not None and flattened.grouped:
            workflow, targets = flattened.workflow, flattened.target_ids(targets)
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
    """Every reason the workflow cannot run as a whole (a function that is not installed included).
    `provided` maps the cells given at the start to values. A workflow with groups is checked as it runs,
    flattened (see `groups.flatten`), each problem inside a group naming the group and the inner step."""
    if workflow.groups:
        grouped = _flattened(workflow, provided, steps, registry)
        if isinstance(grouped, list):
            return grouped
        flattened, flat, provided, steps = grouped
        return [flattened.in_groups(problem) for problem in _analyse(flat, provided, registry, steps)[0]]
    return _analyse(workflow, provided, registry, steps)[0]


def plan(
    workflow: Workflow,
    provided: dict[UUID, Any] | None = None,
    *,
    registry: FunctionRegistry = default_registry,
    steps: list[WorkflowStep] | None = None,
    skip_unknown_functions: bool = False,
) -> ExecutionPlan:
    """Check the workflow and order its steps; raise the first problem found.

    With `skip_unknown_functions`, a step whose function is not installed is no problem: the plan keeps
    it (in `unavailable`) for the engine to skip with its dependents, so the rest can still run.
    """
    flattened = None
    if workflow.groups:
        grouped = _flattened(workflow, provided, steps, registry)
        if isinstance(grouped, list):
            problems, result = grouped, None
        else:
            flattened, flat, provided, steps = grouped
            problems, result = _analyse(flat, provided, registry, steps, skip_unknown_functions)
            problems = [flattened.in_groups(problem) for problem in problems]
    else:
        problems, result = _analyse(workflow, provided, registry, steps, skip_unknown_functions)
    if problems:
        first = problems[0]
        if len(problems) > 1:
            first.args = (f"{first.args[0]} (and {len(problems) - 1} more problems)",)
        raise first
    assert result is not None
    if flattened is not None and flattened.grouped:
        result.flattened = flattened
    return result


def _flattened(workflow: Workflow, provided: dict[UUID, Any] | None, steps: list[WorkflowStep] | None,
               registry: FunctionRegistry) -> list[WorkflowValidationError] | tuple[Any, Workflow, Any, Any]:
    """The problems of the workflow's groups, or (the flattening, the flattened workflow, what is provided
    with the groups' own input values, the chosen steps as flattened ones)."""
    problems = group_problems(workflow, registry)
    if problems:
        return problems
    flattened = flatten(workflow)
    if not flattened.grouped:
        return flattened, workflow, provided, steps
    if provided is not None:
        provided = {**{cell.id: cell.value for cell in flattened.inner_literals}, **provided}
    if steps is not None:
        steps = flattened.flat_steps(steps)
    return flattened, flattened.workflow, provided, steps


_MISSING: Any = object()


def _analyse(
    workflow: Workflow,
    provided: dict[UUID, Any] | None,
    registry: FunctionRegistry,
    steps: list[WorkflowStep] | None,
    skip_unknown_functions: bool = False,
) -> tuple[list[WorkflowValidationError], ExecutionPlan | None]:
    # Cells are keyed by `uuid.int` here: the same identity, but hashed in C. This runs once per step
    # on every run, so the common case (a known function, every port fine) stays inline and cheap;
    # every problem is described by a helper off that path.
    if provided is None:
        provided = {cell.id: cell.value for cell in workflow.cells if cell.has_value}
    given = {cell_id.int: value for cell_id, value in provided.items()}
    steps = workflow.steps if steps is None else steps
    aliases: dict[int, str] = {cell.id.int: cell.alias for cell in workflow.cells if cell.alias}
    problems: list[WorkflowValidationError] = []
    functions: list[FancyFunction | None] = []
    producers: dict[int, int] = {}
    """Cell key → index of the step that writes it."""
    output_names: dict[int, str] = {}
    """Cell key → the output that writes it, for the (rare) outputs not named `return`."""
    find = registry.find
    by_slug: dict[str, FancyFunction | None] = {}
    unavailable: dict[UUID, str] = {}
    """Step id → slug, for the steps whose function is not installed (when they are to be skipped)."""

    # functions, ports and producers
    special: set[int] = set()
    """Indexes of the steps with params or bypassed (few or none): only they pay for looking at either."""
    for index, step in enumerate(steps):
        fields = step.__dict__  # pydantic keeps the fields there: dictionary lookups, not attribute ones
        slug = fields["function_slug"]
        params = fields["params"]
        if params or fields["bypass"]:
            special.add(index)
        function = by_slug.get(slug, _MISSING)
        if function is _MISSING:
            function = by_slug[slug] = find(slug)
        functions.append(function)
        if function is None:
            if slug.startswith(GROUP_SLUG_PREFIX):  # an instance with no definition: never "not installed"
                problems.append(GroupError(missing_definition(step), step_id=step.id, function_slug=slug))
            elif skip_unknown_functions:
                unavailable[step.id] = slug
            else:
                problems.append(UnknownFunctionError(slug, step.id))
            output_ports = None
        else:
            names = function.input_names
            inputs = fields["inputs"]
            if not (len(inputs) == len(names) and names.issuperset(inputs)) or params:
                _check_ports(aliases, step, function, problems)
            output_ports = function.output_ports
        for name, cell_id in fields["outputs"].items():
            if output_ports is not None and name not in output_ports:
                _unknown_output(step, function, name, cell_id, problems)  # type: ignore[arg-type]
                continue
            key = cell_id.int
            other = producers.setdefault(key, index)
            if other != index:
                _duplicate_producer(aliases, steps, other, step, function, cell_id, problems)
            elif name != RETURN:
                output_names[key] = name

    # dependencies, unprovided inputs and types
    children_of: list[list[int] | None] = [None] * len(steps)
    """Becomes `successors`; a step's list is made with its first reader (sized for one) or at the end."""
    compatible: dict[tuple[Any, ...], bool] = {}
    """Type checks already answered, by (id(producer function), output, id(function), input) or
    (id(function), input, type of the given value): most ports repeat across a large workflow."""
    last: dict[str, tuple[Any, ...]] = {}
    """Input name → the last (producer function, function, output, ok) check for an input of that
    name, tried first: in a large workflow it is usually the same again."""
    for index, step in enumerate(steps):
        function = functions[index]
        for name, cell_id in step.inputs.items():
            key = cell_id.int
            source_index = producers.get(key)
            if source_index is not None:
                children = children_of[source_index]
                if children is None:
                    children_of[source_index] = [index]
                else:
                    children.append(index)
                producer_function = functions[source_index]
                if function is None or producer_function is None:
                    continue
                output = output_names.get(key, RETURN) if output_names else RETURN
                hit = last.get(name)
                if hit is not None and hit[0] is producer_function and hit[1] is function and hit[2] == output:
                    ok = hit[3]
                else:
                    pair = (id(producer_function), output, id(function), name)
                    ok = compatible.get(pair)
                    if ok is None:
                        port, expected = producer_function.output(output), function.input(name)
                        ok = compatible[pair] = (port is None or expected is None
                                                 or accepts(expected.type, port.type))
                    last[name] = (producer_function, function, output, ok)
                if not ok:
                    port, expected = producer_function.output(output), function.input(name)
                    problems.append(_mismatch(aliases, step, function, name, cell_id,  # type: ignore[union-attr]
                                              f"{_step_name(steps[source_index], producer_function)} "
                                              f"gives {port.type_name}", expected.type_name))  # type: ignore[union-attr]
            elif key in given:
                if function is None:
                    continue
                value = given[key]
                pair = (id(function), name, type(value))
                ok = compatible.get(pair)
                if ok is None:
                    expected = function.input(name)
                    ok = compatible[pair] = expected is None or value_accepted(expected.type, value)
                if not ok:
                    expected = function.input(name)
                    problems.append(_mismatch(aliases, step, function, name, cell_id,
                                              f"its value {value!r:.40} is a {type(value).__name__}",
                                              expected.type_name))  # type: ignore[union-attr]
            else:
                problems.append(UnprovidedInputError(
                    f"{_step_name(step, function)} reads {_cell_name(aliases, cell_id)} "
                    f"for input '{name}', but no step writes that cell and it has no value",
                    step_id=step.id, function_slug=step.function_slug, cell_id=cell_id))
    for index in sorted(special):
        if functions[index] is not None and steps[index].params:
            _check_params(steps[index], functions[index], problems)  # type: ignore[arg-type]

    successors: list[list[int]] = [[] if children is None else children for children in children_of]
    del children_of
    order = _topological_order(successors)
    if order is None:
        problems.insert(0, _cycle_error(aliases, steps, functions, successors, producers))
    if problems:
        return problems, None
    assert order is not None
    compiled, bypassed = _compile(steps, functions, order, aliases, special)
    step_ids = [c[2] for c in compiled]
    return [], ExecutionPlan(workflow, compiled, list(steps), successors, frozenset(provided), step_ids,
                             unavailable, bypassed)


def _compile(steps: list[WorkflowStep], functions: list[FancyFunction | None], order: list[int],
             aliases: dict[int, str], special: set[int]) -> tuple[list[CompiledStep], dict[UUID, tuple[str, str] | None]]:
    """One `CompiledStep` tuple per step, in `order`:
    (step, function, step id, the Python function, call kind, input keys,
     output key, output cell id, output alias, named outputs);
    and the bypassed steps (see `ExecutionPlan.bypassed`). `special`: the indexes of the steps that
    have params or are bypassed (no other step is looked at for either).

    The call kind and input keys say how to call the function (see `CALL_ONE` …); the output key, id
    and alias describe the single `return` output (key None when it is not wired); named outputs are
    ((name, key, cell id, alias), …) for a function returning a named tuple, else None. A step whose
    function is not installed (see `ExecutionPlan.unavailable`) has None for its function, a bypassed
    step None for its Python function: neither is ever called.
    """
    new = tuple.__new__
    positional: dict[int, tuple[str, ...] | None] = {}
    compiled: list[CompiledStep] = []
    bypassed: dict[UUID, tuple[str, str] | None] = {}
    append = compiled.append
    last_function: FancyFunction | None = None
    for index in order:
        step = steps[index]
        function = functions[index]
        if function is None:  # not installed: the engine skips it
            append(new(CompiledStep, (step, None, step.id, None, CALL_NONE, None, None, None, None, None)))
            continue
        if function is not last_function:  # consecutive steps often call the same function
            last_function = function
            func = function.func
            names = positional.get(id(func), _MISSING)
            if names is _MISSING:
                names = positional[id(func)] = positional_names(func)
            named_tuple = function.returns_named_tuple
        fields = step.__dict__  # dictionary lookups, not attribute ones (see `_analyse`)
        inputs = fields["inputs"]
        count = len(inputs)
        params = step.used_params if special and index in special else None
        if params:
            wired = tuple([(name, cell_id.int) for name, cell_id in inputs.items()])
            kind, keys = CALL_PARAMS, (wired, call_params(function.input_ports, params))
        elif count == 0:
            kind, keys = CALL_NONE, None
        else:
            if names is not None and count == 1 and names and names[0] in inputs:
                kind, keys = CALL_ONE, inputs[names[0]].int
            elif names is not None and count == 2 and len(names) > 1 and names[0] in inputs and names[1] in inputs:
                kind, keys = CALL_TWO, (inputs[names[0]].int, inputs[names[1]].int)
            else:
                kind, keys = CALL_KEYWORDS, tuple([(name, cell_id.int) for name, cell_id in inputs.items()])
        call = func
        if params is not None and step.bypass:
            call = None  # never called: the run passes an input through instead (see `bypass`)
            bypassed[fields["id"]] = pass_through(function)
        outputs = fields["outputs"]
        step_id = fields["id"]
        if named_tuple:
            named = tuple([(name, cell_id.int, cell_id, aliases.get(cell_id.int))
                           for name, cell_id in outputs.items()])
            append(new(CompiledStep, (step, function, step_id, call, kind, keys, None, None, None, named)))
        else:
            cell_id = outputs.get(RETURN)
            if cell_id is None:
                append(new(CompiledStep, (step, function, step_id, call, kind, keys, None, None, None, None)))
            else:
                key = cell_id.int
                append(new(CompiledStep, (step, function, step_id, call, kind, keys, key, cell_id,
                                          aliases.get(key), None)))
    return compiled, bypassed


def _check_ports(aliases: dict[int, str], step: WorkflowStep, function: FancyFunction,
                 problems: list[WorkflowValidationError]) -> None:
    names = function.input_names
    inputs = step.inputs
    if len(inputs) == len(names) and names.issuperset(inputs) and not step.params:
        return  # the common case: every parameter wired, nothing unknown
    for name, cell_id in inputs.items():
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            problems.append(UnknownPortError(
                f"{_step_name(step, function)} wires input '{name}', which {function.slug} does not "
                f"have (its inputs: {known})",
                step_id=step.id, function_slug=function.slug, cell_id=cell_id))
    params = step.params
    for name in params:
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            problems.append(UnknownPortError(
                f"{_step_name(step, function)} sets parameter '{name}', which {function.slug} does not "
                f"have (its inputs: {known})",
                step_id=step.id, function_slug=function.slug))
    for port in function.inputs:
        if port.required and port.name not in inputs and port.name not in params:
            problems.append(MissingParameterError(
                f"{_step_name(step, function)}: required input '{port.name}' "
                f"({port.type_name}) is not connected to a cell and has no value",
                step_id=step.id, function_slug=function.slug))


def _check_params(step: WorkflowStep, function: FancyFunction, problems: list[WorkflowValidationError]) -> None:
    """Each param the step runs with (see `WorkflowStep.used_params`) can be what its input expects."""
    for name, value in step.used_params.items():
        port = function.input(name)
        if port is None:
            continue  # an unknown input: `_check_ports` said so
        problem = param_problem(port, value)
        if problem is not None:
            problems.append(TypeMismatchError(
                f"{_step_name(step, function)}: input '{name}' expects {port.type_name}, but {problem}",
                step_id=step.id, function_slug=function.slug))


def _unknown_output(step: WorkflowStep, function: FancyFunction, name: str, cell_id: UUID,
                    problems: list[WorkflowValidationError]) -> None:
    known = ", ".join(p.name for p in function.outputs)
    problems.append(UnknownPortError(
        f"{_step_name(step, function)} wires output '{name}', which {function.slug} does not "
        f"have (its outputs: {known})",
        step_id=step.id, function_slug=function.slug, cell_id=cell_id))


def _duplicate_producer(aliases: dict[int, str], steps: list[WorkflowStep], other: int, step: WorkflowStep,
                        function: FancyFunction | None, cell_id: UUID,
                        problems: list[WorkflowValidationError]) -> None:
    problems.append(DuplicateProducerError(
        f"{_cell_name(aliases, cell_id)} is written by two steps: "
        f"{_step_name(steps[other])} and {_step_name(step, function)}",
        step_id=step.id, function_slug=step.function_slug, cell_id=cell_id))


def _mismatch(aliases: dict[int, str], step: WorkflowStep, function: FancyFunction, name: str,
              cell_id: UUID, what: str, expected: str) -> TypeMismatchError:
    return TypeMismatchError(
        f"{_step_name(step, function)}: input '{name}' expects {expected}, but "
        f"{_cell_name(aliases, cell_id)} cannot be one: {what}",
        step_id=step.id, function_slug=function.slug, cell_id=cell_id)


def _cycle_error(aliases: dict[int, str], steps: list[WorkflowStep], functions: list[FancyFunction | None],
                 successors: list[list[int]], producers: dict[int, int]) -> CycleError:
    import networkx as nx

    graph = nx.DiGraph((a, b) for a, children in enumerate(successors) for b in children)
    loop = [edge[0] for edge in nx.find_cycle(graph)]
    cells = []
    for position, index in enumerate(loop):
        reader = steps[loop[(position + 1) % len(loop)]]
        cells.append(next(c for c in reader.inputs.values() if producers.get(c.int) == index))
    parts = [
        f"{_step_name(steps[index], functions[index])} writes {_cell_name(aliases, cell)}"
        for index, cell in zip(loop, cells)
    ]
    return CycleError(
        "the steps form a cycle, so none of them can run first: " + ", which feeds ".join(parts)
        + f", which feeds {_step_name(steps[loop[0]], functions[loop[0]])} again",
        step_ids=[steps[index].id for index in loop], cell_ids=cells)
