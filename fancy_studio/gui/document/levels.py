"""Which graph the studio edits: the workflow's top level, or the inside of one group definition.

The document always holds the whole `Workflow`; its *level* says which part the canvas shows and the
edits change. At the top level that is the workflow itself; inside a group it is the `GroupDefinition`,
entered through one instance (its `Level.path`: the instance ids from the top level inwards, which is
also where a run's news about the inner steps is found, see `groups.flat_id`). Both have `steps`, `cells`
and `layout`, so the document's indexes, queries and model changes work on `document.graph` alike.

Every command remembers the level it was made at (`LevelUndoStack`): undoing or redoing it first goes
back to that level, so an edit is always undone where it was made (and the user sees it undone). Undo is
last-in-first-out, so that level exists again whenever its command is undone or redone.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from PySide6.QtGui import QUndoCommand

from fancy_studio.core.functions import Port
from fancy_studio.core.groups import flat_id
from fancy_studio.core.workflow import CellSpec, GroupDefinition, Workflow, WorkflowStep
from fancy_studio.gui.document.edit_lock import LockableUndoStack

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument

Graph = Workflow | GroupDefinition
"""What one level shows: steps, cells and their layout."""


@dataclass(frozen=True)
class Level:
    """The inside of a group definition, entered through the instances `path` (outermost first)."""

    path: tuple[UUID, ...]
    definition_id: UUID

    @property
    def instance_id(self) -> UUID:
        """The instance it was entered through."""
        return self.path[-1]


@dataclass(frozen=True)
class ExposedInput:
    """Inside a group, an inner step's input that the group exposes as a parameter of its node."""

    port: str
    """The parameter's name on the group's node (of the group being edited)."""
    set_by: WorkflowStep | None
    """The group's node on the way in whose param gives the input its value for the instance entered (the
    outermost, when a group around it exposes that param again); None when none sets it, and the inner
    step's own value applies (the group's default)."""
    value: Any = None
    """What `set_by` sets it to."""


def resolve(workflow: Workflow, path: Iterable[UUID]) -> list[tuple[WorkflowStep, GroupDefinition]] | None:
    """Each instance on `path` with its definition, walking inwards from the top level; None when the path
    no longer leads anywhere (an instance or a definition is gone)."""
    definitions = {d.id: d for d in workflow.groups}
    graph: Graph = workflow
    found = []
    for instance_id in path:
        instance = next((step for step in graph.steps if step.id == instance_id), None)
        definition = definitions.get(instance.group_id) if instance is not None and instance.group_id \
            else None
        if definition is None:
            return None
        found.append((instance, definition))
        graph = definition
    return found


def contains(workflow: Workflow, outer_id: UUID, inner_id: UUID) -> bool:
    """Whether definition `outer_id` is `inner_id` or holds an instance of it (at any depth): an instance
    of `outer_id` may then not be placed inside `inner_id`."""
    definitions = {d.id: d for d in workflow.groups}
    todo, seen = [outer_id], set()
    while todo:
        current = todo.pop()
        if current == inner_id:
            return True
        if current in seen or current not in definitions:
            continue
        seen.add(current)
        todo.extend(step.group_id for step in definitions[current].steps if step.group_id is not None)
    return False


class LevelUndoStack(LockableUndoStack):
    """Binds each pushed command to the document's level: its `redo` and `undo` first return there (see the
    module docstring), and it merges only with a command of the same level."""

    def __init__(self, document: WorkflowDocument) -> None:
        super().__init__(document)
        self._document = document

    def push(self, command: QUndoCommand) -> None:
        if self._refused_macros or self.locked:
            super().push(command)  # refused there, with the reason
            return
        bind_to_level(command, self._document)
        super().push(command)


def bind_to_level(command: QUndoCommand, document: WorkflowDocument) -> None:
    """Make `command` return to the document's current level before it is undone or redone.

    PySide calls a Python override found on the instance, so each command gets bound methods of its own:
    no command class needs to know about levels."""
    level = document.level
    command.level = level  # type: ignore[attr-defined]
    for name in ("redo", "undo"):
        method = getattr(command, name)
        setattr(command, name, types.MethodType(_at_level(document, level, method), command))
    merge = command.mergeWith
    command.mergeWith = types.MethodType(
        lambda _self, other: getattr(other, "level", None) == level and merge(other), command)


def _at_level(document: WorkflowDocument, level: Level | None,
              method: Callable[[], Any]) -> Callable[[Any], Any]:
    def run(_command: Any) -> Any:
        document.show_level(level)
        return method()
    return run


class GroupLevels:
    """The level half of `WorkflowDocument` (which defines the signals and indexes used here)."""

    workflow: Workflow
    level_changed: Any
    _rebuild_indexes: Callable[[], None]

    def _init_levels(self) -> None:
        self.level: Level | None = None
        """None: the top level; else the group definition being edited and the instances that lead to it."""
        self.graph: Graph = self.workflow
        """What the canvas shows and the edits change: the workflow, or the definition of `level`."""

    # --- queries -------------------------------------------------------------------------------------

    def definition(self, definition_id: UUID | None) -> GroupDefinition | None:
        for definition in self.workflow.groups:
            if definition.id == definition_id:
                return definition
        return None

    def definition_of(self, step: WorkflowStep) -> GroupDefinition | None:
        """The definition a group instance uses (None for a plain step, or a definition that is missing)."""
        return self.definition(step.group_id) if step.group_id is not None else None

    def input_ports(self, step: WorkflowStep, name: str) -> list[Port]:
        """What the step's input `name` expects, as type hints go: its function's input; for a group's node,
        the inputs of the steps inside that the port's cell feeds (at any depth). [] when it cannot be told
        (a function not installed, a missing definition): then anything may feed it."""
        return self._input_ports(step, name, ())

    def output_port(self, step: WorkflowStep, name: str) -> Port | None:
        """What the step's output `name` gives: its function's output; for a group's node, the output of the
        step inside that writes the port's cell (at any depth). None when it cannot be told."""
        return self._output_port(step, name, ())

    def _input_ports(self, step: WorkflowStep, name: str, seen: tuple[UUID, ...]) -> list[Port]:
        if step.group_id is None:
            function = self.function_of(step)  # type: ignore[attr-defined]
            port = function.input(name) if function is not None else None
            return [port] if port is not None else []
        definition = self.definition_of(step)
        if definition is None or definition.id in seen or name not in definition.inputs:
            return []
        inner, seen = definition.inputs[name], (*seen, definition.id)
        return [port for reader in definition.steps for input_name, cell in reader.inputs.items()
                if cell == inner for port in self._input_ports(reader, input_name, seen)]

    def _output_port(self, step: WorkflowStep, name: str, seen: tuple[UUID, ...]) -> Port | None:
        if step.group_id is None:
            function = self.function_of(step)  # type: ignore[attr-defined]
            return function.output(name) if function is not None else None
        definition = self.definition_of(step)
        if definition is None or definition.id in seen or name not in definition.outputs:
            return None
        inner, seen = definition.outputs[name], (*seen, definition.id)
        for writer in definition.steps:
            for output_name, cell in writer.outputs.items():
                if cell == inner:
                    return self._output_port(writer, output_name, seen)
        return None

    def trail(self) -> list[tuple[Level | None, str]]:
        """Where the canvas is, for the breadcrumb: (level, its name), the top level first."""
        trail: list[tuple[Level | None, str]] = [(None, self.workflow.name or "Workflow")]
        if self.level is not None:
            path = self.level.path
            for depth, (instance, definition) in enumerate(resolve(self.workflow, path) or ()):
                trail.append((Level(path[:depth + 1], definition.id), instance.label or definition.name))
        return trail

    def port_of(self, cell_id: UUID) -> tuple[str, str] | None:
        """("input" | "output", port name) when the cell is a port of the group being edited, else None."""
        if self.level is None:
            return None
        definition = self.graph
        for side, ports in (("input", definition.inputs), ("output", definition.outputs)):  # type: ignore[union-attr]
            for name, inner in ports.items():
                if inner == cell_id:
                    return side, name
        return None

    def outer_cell(self, cell_id: UUID) -> CellSpec | None:
        """Inside a group: the input cell with a value whose wire brings the value of the input port
        `cell_id` (looked for outwards through the instances entered); None when there is none."""
        chain = resolve(self.workflow, self.level.path) if self.level is not None else None
        current = cell_id
        for depth in range(len(chain or ()) - 1, -1, -1):
            instance, definition = chain[depth]  # type: ignore[index]
            port = next((name for name, inner in definition.inputs.items() if inner == current), None)
            if port is None or port not in instance.inputs:
                return None
            current = instance.inputs[port]
            outside: Graph = self.workflow if depth == 0 else chain[depth - 1][1]  # type: ignore[index]
            spec = next((cell for cell in outside.cells if cell.id == current), None)
            if spec is not None and spec.has_value:
                return spec
        return None

    def exposed_input(self, step_id: UUID, input_name: str) -> ExposedInput | None:
        """Inside a group: the parameter of the group's node that sets this inner input, and what the
        instance entered sets it to (see `ExposedInput`); None when the group does not expose it."""
        if self.level is None:
            return None
        port = next((name for name, exposed in self.graph.params.items()  # type: ignore[union-attr]
                     if exposed.step == step_id and exposed.input == input_name), None)
        if port is None:
            return None
        found: tuple[WorkflowStep, Any] | None = None
        current, name = step_id, input_name
        for instance, definition in reversed(resolve(self.workflow, self.level.path) or ()):
            outer = next((p for p, exposed in definition.params.items()
                          if exposed.step == current and exposed.input == name), None)
            if outer is None:
                break
            if outer in instance.params:  # an outer instance's value wins, as a run flattens them
                found = (instance, instance.params[outer])
            current, name = instance.id, outer
        return ExposedInput(port, *found) if found is not None else ExposedInput(port, None)

    def run_id(self, node_id: UUID) -> UUID:
        """The id a run gives a node of this level (a run runs the flattened workflow, `groups.flatten`): at
        the top level its own; inside a group a step's `flat_id` of the instance path and its id, a cell's
        made the same way, except that a wired port's cell is the instance's cell outside."""
        level = self.level
        if level is None:
            return node_id
        chain = resolve(self.workflow, level.path) or []
        if node_id in {step.id for step in self.graph.steps}:
            return flat_id((*level.path, node_id))
        current = node_id
        for depth in range(len(chain) - 1, -1, -1):
            instance, definition = chain[depth]
            outer = None
            for ports, wiring in ((definition.inputs, instance.inputs),
                                  (definition.outputs, instance.outputs)):
                for port, inner in ports.items():
                    if inner == current and port in wiring:
                        outer = wiring[port]
            if outer is None:
                return uuid5(flat_id(level.path[:depth + 1]), str(current))
            current = outer
        return current

    def instances_of(self, definition_id: UUID) -> list[WorkflowStep]:
        """Every instance of a definition: at the top level and inside definitions."""
        found = [step for step in self.workflow.steps if step.group_id == definition_id]
        inside = [step for d in self.workflow.groups for step in d.steps if step.group_id == definition_id]
        return found + inside

    def usable_groups(self) -> list[GroupDefinition]:
        """The definitions an instance of which may be placed at this level (none that contains this one)."""
        if self.level is None:
            return list(self.workflow.groups)
        here = self.level.definition_id
        return [d for d in self.workflow.groups if not contains(self.workflow, d.id, here)]

    # --- moving between levels -----------------------------------------------------------------------

    def enter_group(self, instance_id: UUID) -> bool:
        """Edit the definition of the instance `instance_id` (drawn at this level); False if it is none."""
        step = next((s for s in self.graph.steps if s.id == instance_id), None)
        definition = self.definition_of(step) if step is not None else None
        if definition is None:
            return False
        path = (*self.level.path, instance_id) if self.level is not None else (instance_id,)
        self.show_level(Level(path, definition.id))
        return True

    def leave_group(self) -> bool:
        """Back to the level the group was entered from; False at the top level."""
        if self.level is None:
            return False
        self.show_level(self._level_at(self.level.path[:-1]))
        return True

    def show_level(self, level: Level | None) -> None:
        """Edit `level` (None: the top level). A level that no longer leads anywhere gives the deepest level
        of its path that still does."""
        if level is not None and self._level_at(level.path) != level:
            level = self._deepest(level.path)
        if level == self.level:
            return
        graph: Graph = self.workflow if level is None else self.definition(level.definition_id)  # type: ignore[assignment]
        self.level, self.graph = level, graph
        self._rebuild_indexes()
        self.level_changed.emit(level)

    def check_level(self) -> None:
        """After an edit: if the level being edited went away (its instance was ungrouped or deleted by an
        undo), go to the deepest level of its path that is still there."""
        if self.level is not None and self._level_at(self.level.path) != self.level:
            self.show_level(self._deepest(self.level.path))

    def _level_at(self, path: tuple[UUID, ...]) -> Level | None:
        found = resolve(self.workflow, path) if path else None
        return Level(path, found[-1][1].id) if found else None

    def _deepest(self, path: tuple[UUID, ...]) -> Level | None:
        for depth in range(len(path), 0, -1):
            level = self._level_at(path[:depth])
            if level is not None:
                return level
        return None
