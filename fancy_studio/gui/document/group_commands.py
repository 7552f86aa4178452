"""Undoable group edits: Group (Ctrl+G), Ungroup (Ctrl+Shift+G), Expose on Group and back, Rename Group, the
definitions a paste brings (`AddGroups`, see `pasted_groups.py`), and a group's ports changed from inside it
(`PortEdit`: a cell inside made an input or an output of the group, or no longer one).

The core works each edit out (`core/group_edits.py`: an edit object that applies and undoes itself on the
model); `GroupChange` is the one undo command around such an edit, and `GroupEditing` is the document's
half that pushes them and, as their model change, applies an edit at the level it was made at and tells
the canvas which nodes came and went (`apply_group_edit`).

A selection inside a group is grouped (and an instance inside one ungrouped) the same way: the edit then
sees the definition being edited as its "workflow" (`_Inside`: that definition's nodes, the workflow's
definitions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtGui import QUndoCommand

from fancy_studio.core import CellSpec, GroupDefinition, Workflow, WorkflowStep
from fancy_studio.core.group_edits import (
    GroupEdit,
    ParamEdit,
    UngroupEdit,
    expose_param,
    group_selection,
    unexpose_param,
    ungroup,
)

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument



@dataclass
class PortEdit:
    """A cell inside a group made one of its ports (`adding`), or no longer one: the definition's `inputs` or
    `outputs` gain or lose the entry, at the place it had (the cell itself stays, a plain cell inside)."""

    definition: GroupDefinition
    side: str
    """"inputs" or "outputs"."""
    name: str
    cell_id: UUID
    adding: bool
    index: int
    """Where the entry is among its side's ports (a new one: at the end)."""

    def apply(self) -> None:
        self._set(self.adding)

    def undo(self) -> None:
        self._set(not self.adding)

    def _set(self, present: bool) -> None:
        ports = [(name, cell) for name, cell in getattr(self.definition, self.side).items()
                 if name != self.name]
        if present:
            ports.insert(self.index, (self.name, self.cell_id))
        setattr(self.definition, self.side, dict(ports))


Edit = GroupEdit | UngroupEdit | ParamEdit | PortEdit


class GroupChange(QUndoCommand):
    """One group edit (see the module docstring); redo applies it, undo puts back exactly what was there."""

    def __init__(self, document: WorkflowDocument, edit: Edit, text: str) -> None:
        super().__init__(text)
        self.document, self.edit = document, edit

    def redo(self) -> None:
        self.document.apply_group_edit(self.edit)

    def undo(self) -> None:
        self.document.apply_group_edit(self.edit, undo=True)


class RenameGroup(QUndoCommand):
    """Rename a group definition: every instance without a label of its own takes the new name."""

    def __init__(self, document: WorkflowDocument, definition_id: UUID, name: str) -> None:
        definition = document.definition(definition_id)
        super().__init__(f"Rename group {definition.name!r}")  # type: ignore[union-attr]
        self.document, self.definition_id = document, definition_id
        self.before, self.after = definition.name, name  # type: ignore[union-attr]

    def redo(self) -> None:
        self.document.set_group_name(self.definition_id, self.after)

    def undo(self) -> None:
        self.document.set_group_name(self.definition_id, self.before)


class AddGroups(QUndoCommand):
    """Add group definitions the workflow lacks (a paste's, before its nodes); undo takes them out again.
    The same objects each time, as the core's group edits keep theirs: later edits may hold them."""

    def __init__(self, document: WorkflowDocument, definitions: list[GroupDefinition], text: str) -> None:
        super().__init__(text)
        self.document, self.definitions = document, list(definitions)

    def redo(self) -> None:
        self.document.insert_groups(self.definitions)

    def undo(self) -> None:
        self.document.delete_groups({definition.id for definition in self.definitions})


class _Inside:
    """The definition being edited, as the core's group edits see a workflow: its steps, cells and layout
    (the very lists, changed in place), and the workflow's definitions."""

    def __init__(self, definition: GroupDefinition, workflow: Workflow) -> None:
        self.name = definition.name
        self.steps, self.cells, self.layout = definition.steps, definition.cells, definition.layout
        self.groups = workflow.groups

    def cell_ids(self) -> set[UUID]:
        ids = {cell.id for cell in self.cells}
        for step in self.steps:
            ids.update(step.inputs.values())
            ids.update(step.outputs.values())
        return ids


class GroupEditing:
    """The group half of `WorkflowDocument` (its signals, indexes and level are defined there)."""

    workflow: Workflow
    regrouping = False
    """True while a group edit changes the model: the steps it takes away are moved, not deleted (so what
    they computed is not out of date)."""

    # --- edits: each pushes one undoable command ---------------------------------------------------------

    def group_nodes(self, ids: set[UUID], name: str | None = None) -> WorkflowStep | None:
        """Make the selected steps (and the cells only they use) one group; its instance, or None when the
        selection holds no step (or edits are locked)."""
        graph = self.graph
        step_ids = [step.id for step in graph.steps if step.id in ids]
        if not step_ids or not self.undo_stack.allows_edit():
            return None
        cell_ids = [cell.id for cell in graph.cells if cell.id in ids and self.port_of(cell.id) is None]
        name = name or self._new_group_name()
        edit = group_selection(self._edit_target(), step_ids, cell_ids, name=name)
        count = len(step_ids)
        text = f"Group {count} step{'s' if count != 1 else ''} as {name!r}"
        self.undo_stack.push(GroupChange(self, edit, text))
        return edit.instance

    def ungroup_nodes(self, ids: set[UUID]) -> list[UUID]:
        """Put the nodes of each selected group instance in its place (one undo step); their ids."""
        instances = [step.id for step in self.graph.steps if step.id in ids and step.group_id is not None
                     and self.definition_of(step) is not None]
        if not instances or not self.undo_stack.allows_edit():
            return []
        restored: list[UUID] = []
        stack = self.undo_stack
        stack.beginMacro(f"Ungroup {len(instances)} groups" if len(instances) > 1 else
                         f"Ungroup {self.title_of(self.find_step(instances[0]))!r}")
        try:
            for instance_id in instances:  # each worked out on the model as the one before left it
                edit = ungroup(self._edit_target(), instance_id)
                stack.push(GroupChange(self, edit, "Ungroup"))
                restored += [step.id for step in edit.steps] + [cell.id for cell in edit.cells]
        finally:
            stack.endMacro()
        return restored

    def expose_on_group(self, step_id: UUID, input_name: str, name: str | None = None) -> str | None:
        """Make an inner step's input a parameter of the group being edited (set on each instance); its
        name, or None. Raises ValueError when the input is wired or exposed already."""
        if self.level is None or not self.undo_stack.allows_edit():
            return None
        edit = expose_param(self.workflow, self.level.definition_id, step_id, input_name, name)
        self.undo_stack.push(GroupChange(self, edit, f"Expose {input_name!r} on group {self.graph.name!r}"))
        return edit.name

    def unexpose_on_group(self, definition_id: UUID, name: str) -> None:
        """A group's parameter is its inner step's own again (the values its instances set go)."""
        if not self.undo_stack.allows_edit():
            return
        edit = unexpose_param(self.workflow, definition_id, name)
        definition = self.definition(definition_id)
        self.undo_stack.push(GroupChange(self, edit, f"Stop exposing {name!r} on group {definition.name!r}"))

    def rename_group(self, definition_id: UUID, name: str) -> None:
        """Rename a group definition (every instance shows the new name, unless it has a label)."""
        definition = self.definition(definition_id)
        name = name.strip()
        if definition is not None and name and name != definition.name:
            self.undo_stack.push(RenameGroup(self, definition_id, name))

    # --- a group's ports, changed from inside it -----------------------------------------------------

    def why_not_make_port(self, cell_id: UUID) -> str | None:
        """None when the cell, inside the group being edited, can become one of its ports (an input if no step
        inside writes it, else an output), else the reason it cannot."""
        cell = self.find_cell(cell_id)
        if self.level is None or cell is None:
            return "only a cell inside a group can be one of its inputs or outputs"
        if self.port_of(cell_id) is not None:
            return f"'{cell.alias or 'cell'}' is one of the group's {self.port_of(cell_id)[0]}s already"
        return None

    def make_port(self, cell_id: UUID) -> str | None:
        """Make a cell inside the group being edited one of its ports, named by its alias: an input (its
        value, if any, is used by the group's nodes that leave it unwired) when no step inside writes it,
        else an output. One undo step; the port's name, or None (`why_not_make_port` says why)."""
        if self.why_not_make_port(cell_id) is not None or not self.undo_stack.allows_edit():
            return None
        definition, cell = self.graph, self.find_cell(cell_id)
        side = "outputs" if self.producer_of(cell_id) is not None else "inputs"
        taken = {*definition.inputs, *definition.outputs, *definition.params}  # type: ignore[union-attr]
        name = _free_port_name(cell.alias or side[:-1], taken)  # type: ignore[union-attr]
        ports = getattr(definition, side)
        edit = PortEdit(definition, side, name, cell_id, True, len(ports))  # type: ignore[arg-type]
        what = "an input" if side == "inputs" else "an output"
        self.undo_stack.push(GroupChange(self, edit, f"Make {name!r} {what} of group {definition.name!r}"))
        return name

    def port_users(self, cell_id: UUID) -> list[WorkflowStep]:
        """The group's nodes that wire the port `cell_id` of the group being edited (anywhere)."""
        port = self.port_of(cell_id)
        if port is None:
            return []
        side, name = port
        return [step for step in self.instances_of(self.level.definition_id)  # type: ignore[union-attr]
                if name in (step.inputs if side == "input" else step.outputs)]

    def why_not_remove_port(self, cell_id: UUID) -> str | None:
        """None when the port `cell_id` of the group being edited may go, else why not: a node of the group
        wires it (unwire it there first)."""
        port = self.port_of(cell_id)
        if port is None:
            return "not one of the group's inputs or outputs"
        users = self.port_users(cell_id)
        if users:
            nodes = ", ".join(f"'{self.title_of(step)}'" for step in users[:3])
            nodes += " …" if len(users) > 3 else ""
            return (f"A group's inputs and outputs stay while its nodes wire them: {port[0]} '{port[1]}' is "
                    f"wired on {nodes}")
        return None

    def remove_port(self, cell_id: UUID) -> bool:
        """The port `cell_id` of the group being edited is a plain cell inside it again (one undo step);
        False when `why_not_remove_port` says why not (or edits are locked)."""
        if self.why_not_remove_port(cell_id) is not None or not self.undo_stack.allows_edit():
            return False
        self.undo_stack.push(self._port_removal(cell_id))
        return True

    def _port_removal(self, cell_id: UUID) -> GroupChange:
        side, name = self.port_of(cell_id)  # type: ignore[misc]
        definition = self.graph
        ports = getattr(definition, side + "s")
        index = list(ports).index(name)
        edit = PortEdit(definition, side + "s", name, cell_id, False, index)  # type: ignore[arg-type]
        return GroupChange(self, edit, f"Remove {side} {name!r} of group {definition.name!r}")

    def exposed_param_of(self, step_id: UUID, input_name: str) -> str | None:
        """The name of the parameter of the group being edited that sets this input, or None."""
        if self.level is None:
            return None
        for name, exposed in self.graph.params.items():  # type: ignore[union-attr]
            if exposed.step == step_id and exposed.input == input_name:
                return name
        return None

    # --- model changes: what the commands call ---------------------------------------------------------

    def apply_group_edit(self, edit: Edit, *, undo: bool = False) -> None:
        """Apply (or undo) a group edit at this level, then tell the canvas which steps and cells went and
        came (a grouped selection goes and its instance comes; ungrouping the other way round)."""
        if isinstance(edit, PortEdit):
            (edit.undo if undo else edit.apply)()
            self.groups_changed.emit()  # (the canvas draws the cell as a port, or as a plain cell again)
            return
        if isinstance(edit, ParamEdit):
            (edit.undo if undo else edit.apply)(self.workflow)
            for step in self.graph.steps:
                if step.group_id == edit.definition.id:
                    self.step_changed.emit(step.id)
            if self.graph is edit.definition and self.find_step(edit.param.step) is not None:
                self.step_changed.emit(edit.param.step)  # its field comes from the group's node, or no longer
            self.groups_changed.emit()
            return
        graph = self.graph
        steps_before, cells_before = _by_identity(graph.steps), _by_identity(graph.cells)
        self.regrouping = True
        try:
            (edit.undo if undo else edit.apply)(self._edit_target())
            self._rebuild_indexes()
            steps_after, cells_after = _by_identity(graph.steps), _by_identity(graph.cells)
            with self.changing_many():
                for key in steps_before.keys() - steps_after.keys():
                    self.step_removed.emit(steps_before[key].id)
                for key in cells_before.keys() - cells_after.keys():
                    self.cell_removed.emit(cells_before[key].id)
                for cell in graph.cells:
                    if id(cell) not in cells_before:
                        self.cell_added.emit(cell)
                for step in graph.steps:
                    if id(step) not in steps_before:
                        self.step_added.emit(step)
        finally:
            self.regrouping = False
        self.groups_changed.emit()

    def insert_groups(self, definitions: list[GroupDefinition]) -> None:
        """Append group definitions (the objects given: `AddGroups`)."""
        self.workflow.groups.extend(definitions)
        self.groups_changed.emit()

    def delete_groups(self, ids: set[UUID]) -> None:
        """Take group definitions out (`AddGroups` undone: no instance of them is left)."""
        self.workflow.groups[:] = [d for d in self.workflow.groups if d.id not in ids]
        self.groups_changed.emit()

    def set_group_name(self, definition_id: UUID, name: str) -> None:
        """Rename a definition (`RenameGroup`); its instances here draw it again."""
        self.definition(definition_id).name = name  # type: ignore[union-attr]
        self.groups_changed.emit()

    def _edit_target(self) -> Any:
        return self.workflow if self.level is None else _Inside(self.graph, self.workflow)  # type: ignore[arg-type]

    def _new_group_name(self) -> str:
        """"Group", "Group 2", … : a name no definition has yet."""
        taken = {d.name for d in self.workflow.groups}
        if "Group" not in taken:
            return "Group"
        numbers = [int(m.group(1)) for name in taken if (m := re.fullmatch(r"Group (\d+)", name))]
        return f"Group {max(numbers, default=1) + 1}"


def _free_port_name(base: str, taken: set[str]) -> str:
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base} {count}"
    return name


def _by_identity(items: list[WorkflowStep] | list[CellSpec]) -> dict[int, Any]:
    return {id(item): item for item in items}
