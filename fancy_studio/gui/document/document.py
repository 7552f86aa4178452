"""The open workflow as a Qt object: the core's `Workflow` plus signals and an undo stack.

The workflow model is the single truth. The canvas listens to these signals and draws; every edit is a
`QUndoCommand` (see `commands.py`) pushed on `undo_stack`, and the commands change the model only
through the document's model changes (`insert_nodes`, `delete_nodes`, `set_wire`, …), which keep the
indexes exact and emit the signals. Saving writes the model.

The document holds the whole workflow but edits one level of it at a time: `graph` is the workflow, or
the group definition entered through an instance (`level`; see `levels.py`). The indexes, queries and
model changes below all work on `graph`; group edits are `group_commands.py`'s.

What only reads or only pushes commands is mixed in from beside it: the connection checks
(`connection_checks.py`), the frames-and-notes edits (`annotation_edits.py`) and the params and bypass
edits (`param_edits.py`), and a cell's Show Preview choice (`preview_edits.py`). The signals, indexes and
model changes stay here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from PySide6.QtCore import QObject, Signal

from fancy_studio.core import CellSpec, FancyFunction, Frame, Note, Position, Workflow, WorkflowStep, registry
from fancy_studio.core.workflow_file import load_workflow, save_workflow
from fancy_studio.gui.document.annotation_edits import AnnotationEdits
from fancy_studio.gui.document.connection_checks import ConnectionChecks
from fancy_studio.gui.document.group_commands import GroupEditing
from fancy_studio.gui.document.levels import GroupLevels, LevelUndoStack
from fancy_studio.gui.document.param_edits import ParamEdits
from fancy_studio.gui.document.preview_edits import PreviewEdits


class WorkflowDocument(GroupLevels, GroupEditing, ConnectionChecks, AnnotationEdits, ParamEdits, PreviewEdits,
                       QObject):
    """One open workflow file; the studio edits it only through undoable commands."""

    step_added = Signal(object)  # WorkflowStep
    step_removed = Signal(object)  # step id
    step_changed = Signal(object)  # step id: wiring, label, params or bypass changed
    cell_added = Signal(object)  # CellSpec
    cell_removed = Signal(object)  # cell id
    cell_changed = Signal(object)  # cell id: alias or value changed
    node_moved = Signal(object, float, float)  # step or cell id, x, y
    nodes_moved = Signal(object)  # {id: (x, y)}: many nodes placed at once (a layout), drawn in one pass
    about_to_reset = Signal(object)  # the Workflow coming in: the old one's state can go (see `replace`)
    reset = Signal()  # a whole new workflow: redraw everything
    path_changed = Signal(object)  # Path | None
    annotation_added = Signal(object)  # Frame | Note
    annotation_removed = Signal(object)  # frame or note id
    annotation_changed = Signal(object)  # frame or note id: moved, resized, renamed, recoloured, collapsed…
    level_changed = Signal(object)  # Level | None: the canvas shows another level (see `levels.py`)
    groups_changed = Signal()  # group definitions came, went, or changed their name, ports or parameters
    many_changing = Signal()
    many_changed = Signal()
    """Around a change of many nodes at once (delete, paste, undo of a delete): listeners may hold per-node
    work (a selection update, refreshing neighbours) until `many_changed`, and do it once."""

    def __init__(self, workflow: Workflow | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workflow = workflow if workflow is not None else Workflow(name="Untitled")
        self.path: Path | None = None
        self.untitled_folder: Path | None = None
        """Where an untitled document's relative paths point (an example copy's data folder); None: the
        working folder. A document with a file uses its file's folder (`folder`)."""
        self.undo_stack = LevelUndoStack(self)
        """Every edit is pushed here; locked while a run reads the workflow."""
        self._changing_depth = 0
        self._init_levels()
        self._rebuild_indexes()

    # --- files ---------------------------------------------------------------------------------------

    def open(self, path: str | Path) -> None:
        """Replace the document with a file's workflow; on any error nothing changes."""
        workflow = load_workflow(path)  # raises WorkflowFileError, leaving this document untouched
        self.replace(workflow, Path(path))

    def replace(self, workflow: Workflow, path: Path | None = None) -> None:
        if self.undo_stack.locked:
            raise RuntimeError(f"cannot replace the workflow: {self.undo_stack.locked_reason}")
        workflow.declare_referenced_cells()  # a script's workflow may name its cells only in its steps
        self.about_to_reset.emit(workflow)  # before the canvas redraws: what it draws of the last run must go
        self.workflow = workflow
        self._init_levels()  # a new workflow opens at its top level
        self._rebuild_indexes()
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.path = path
        self.untitled_folder = None
        self.reset.emit()
        self.path_changed.emit(path)

    def save(self, path: str | Path | None = None, *, overwrite_read_only: bool = False) -> None:
        """Write the workflow (atomically, see `save_workflow`); a read-only file raises `ReadOnlyFileError`
        unless `overwrite_read_only` (the window asks the user first)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("the document has no file yet: give a path")
        save_workflow(self.workflow, target, overwrite_read_only=overwrite_read_only)
        self.undo_stack.setClean()
        if target != self.path:
            self.path = target
            self.path_changed.emit(target)

    @property
    def folder(self) -> Path | None:
        """Where the workflow's relative paths (`data/sales.csv`) point when it runs: its file's folder."""
        return self.path.resolve().parent if self.path is not None else self.untitled_folder

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    # --- indexes (derived caches of `workflow`, kept exact by the model changes below) -----------------
    #
    # Each maps an id to the list of entries having it; a list longer than one only happens in an
    # invalid workflow (a duplicated id, a cell written by two steps), where the queries fall back to a
    # scan of the model so that "the first in list order" stays the answer. Entries hold the model's own
    # objects, compared by identity.

    def _rebuild_indexes(self) -> None:
        """Index the whole workflow from scratch (a new workflow; also what the tests compare against)."""
        self._steps_by_id: dict[UUID, list[WorkflowStep]] = {}
        self._cells_by_id: dict[UUID, list[CellSpec]] = {}
        self._producers: dict[UUID, list[tuple[WorkflowStep, str]]] = {}
        self._readers: dict[UUID, list[tuple[WorkflowStep, str]]] = {}
        self._step_rank: dict[int, int] | None = None  # id(step object) -> index in workflow.steps
        for cell in self.graph.cells:
            self._cells_by_id.setdefault(cell.id, []).append(cell)
        for step in self.graph.steps:
            self._index_step(step)

    def _index_step(self, step: WorkflowStep) -> None:
        self._steps_by_id.setdefault(step.id, []).append(step)
        self._index_wires(step)

    def _unindex_step(self, step: WorkflowStep) -> None:
        self._unindex_wires(step)
        self._drop(self._steps_by_id, step.id, lambda entry: entry is step)

    def _index_wires(self, step: WorkflowStep) -> None:
        for name, cell_id in step.outputs.items():
            self._producers.setdefault(cell_id, []).append((step, name))
        for name, cell_id in step.inputs.items():
            self._readers.setdefault(cell_id, []).append((step, name))

    def _unindex_wires(self, step: WorkflowStep) -> None:
        for index, side in ((self._producers, step.outputs), (self._readers, step.inputs)):
            for name, cell_id in side.items():
                self._drop(index, cell_id, lambda entry, n=name: entry[0] is step and entry[1] == n)

    @staticmethod
    def _drop(index: dict, key: UUID, match) -> None:
        entries = index.get(key)
        if entries is None:
            return
        for i, entry in enumerate(entries):
            if match(entry):
                del entries[i]
                break
        if not entries:
            del index[key]

    def _ranks(self) -> dict[int, int]:
        if self._step_rank is None:
            self._step_rank = {id(step): i for i, step in enumerate(self.graph.steps)}
        return self._step_rank

    def index_snapshot(self) -> dict[str, Any]:
        """The indexes in a canonical form (order-free, objects by identity), to compare with a rebuild."""
        def canon(index: dict) -> dict:
            return {key: sorted((id(e[0]), e[1]) if isinstance(e, tuple) else (id(e), "") for e in entries)
                    for key, entries in index.items()}
        return {"steps": canon(self._steps_by_id), "cells": canon(self._cells_by_id),
                "producers": canon(self._producers), "readers": canon(self._readers)}

    # --- queries -------------------------------------------------------------------------------------

    def function_of(self, step: WorkflowStep) -> FancyFunction | None:
        """The step's function, or None for a placeholder (function not installed)."""
        return registry.find(step.function_slug)

    def find_step(self, step_id: UUID) -> WorkflowStep | None:
        return _first_by_id(self._steps_by_id, self.graph.steps, step_id)

    def find_cell(self, cell_id: UUID) -> CellSpec | None:
        return _first_by_id(self._cells_by_id, self.graph.cells, cell_id)

    def position(self, node_id: UUID) -> tuple[float, float]:
        pos = self.graph.layout.get(node_id)
        return (pos.x, pos.y) if pos else (0.0, 0.0)

    def producer_of(self, cell_id: UUID) -> tuple[WorkflowStep, str] | None:
        found = self._producers.get(cell_id)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        for step in self.graph.steps:  # written twice (an invalid workflow): the first in list order
            for name, out in step.outputs.items():
                if out == cell_id:
                    return step, name
        return None

    def readers_of(self, cell_id: UUID) -> list[tuple[WorkflowStep, str]]:
        """(step, input name) for each input reading the cell, in step order then input order."""
        found = self._readers.get(cell_id)
        if not found:
            return []
        if len(found) == 1:
            return list(found)
        return [(s, n) for s in self._in_step_order(found) for n, c in s.inputs.items() if c == cell_id]

    def steps_using(self, cell_id: UUID) -> list[WorkflowStep]:
        """Every step with an input or output wired to the cell, in step order."""
        return self._in_step_order(self._producers.get(cell_id, []) + self._readers.get(cell_id, []))

    def _in_step_order(self, entries: list[tuple[WorkflowStep, str]]) -> list[WorkflowStep]:
        unique = list({id(step): step for step, _ in entries}.values())
        if len(unique) > 1:
            ranks = self._ranks()
            unique.sort(key=lambda step: ranks[id(step)])
        return unique

    # --- edits: each pushes one undoable command -------------------------------------------------------

    def add_step(self, slug: str, x: float = 0.0, y: float = 0.0) -> WorkflowStep:
        from fancy_studio.gui.document.commands import AddNodes

        step = WorkflowStep(function_slug=slug)
        self.undo_stack.push(AddNodes(self, steps=[step], positions={step.id: (x, y)},
                                      text=f"Add {self.title_of(step)}"))
        return step

    def add_cell(self, alias: str, x: float = 0.0, y: float = 0.0, *, value: Any = ...) -> CellSpec:
        from fancy_studio.gui.document.commands import AddNodes

        cell = CellSpec(alias=alias) if value is ... else CellSpec(alias=alias, value=value)
        self.undo_stack.push(AddNodes(self, cells=[cell], positions={cell.id: (x, y)}, text=f"Add cell {alias}"))
        return cell

    def remove_nodes(self, ids: set[UUID]) -> None:
        from fancy_studio.gui.document.commands import RemoveNodes

        ports = {node_id for node_id in ids if self.port_of(node_id) is not None}
        staying = {port: why for port in ports if (why := self.why_not_remove_port(port)) is not None}
        if staying:  # inside a group, the ports its nodes wire stay (their wires go through them)
            ids = set(ids) - set(staying)
            self.undo_stack.refused.emit(next(iter(staying.values())))
        freed = ports - set(staying)
        if not ids:
            return
        command = RemoveNodes(self, ids)
        if not freed:
            self.undo_stack.push(command)
            return
        self.undo_stack.beginMacro(command.text())  # an unused port goes with its cell, as one step
        try:
            for port in freed:
                self.undo_stack.push(self._port_removal(port))
            self.undo_stack.push(RemoveNodes(self, ids))
        finally:
            self.undo_stack.endMacro()

    def move_nodes(self, moves: dict[UUID, tuple[float, float]]) -> None:
        from fancy_studio.gui.document.commands import MoveNodes

        if moves:
            self.undo_stack.push(MoveNodes(self, moves))

    def arrange_nodes(self, positions: dict[UUID, tuple[float, float]], text: str = "Arrange") -> bool:
        """Move many nodes at once (Auto Layout) as ONE undo step; False when none had to move."""
        from fancy_studio.gui.document.commands import ArrangeNodes

        moves = {node_id: p for node_id, p in positions.items() if self.position(node_id) != p}
        if not moves:
            return False
        self.undo_stack.push(ArrangeNodes(self, moves, text))
        return True

    def nudge_nodes(self, ids: set[UUID], dx: float, dy: float) -> None:
        """Move nodes by (dx, dy); nudges in a row of the same nodes are one undo step."""
        from fancy_studio.gui.document.commands import NudgeNodes

        moves = {}
        for node_id in ids:
            x, y = self.position(node_id)
            moves[node_id] = (x + dx, y + dy)
        if moves:
            self.undo_stack.push(NudgeNodes(self, moves))

    def connect_input(self, step_id: UUID, name: str, cell_id: UUID | None) -> None:
        from fancy_studio.gui.document.commands import SetWire

        self.undo_stack.push(SetWire(self, step_id, "inputs", name, cell_id))

    def connect_output(self, step_id: UUID, name: str, cell_id: UUID | None) -> None:
        from fancy_studio.gui.document.commands import SetWire

        self.undo_stack.push(SetWire(self, step_id, "outputs", name, cell_id))

    def rename_cell(self, cell_id: UUID, alias: str) -> None:
        from fancy_studio.gui.document.commands import EditCell

        self.undo_stack.push(EditCell(self, cell_id, alias=alias))

    def rename_step(self, step_id: UUID, label: str) -> None:
        """Label a step (an empty label: it is called by its function's title again)."""
        from fancy_studio.gui.document.commands import RenameStep

        step = self.find_step(step_id)
        if step is not None and label != step.label:
            self.undo_stack.push(RenameStep(self, step_id, label))

    def change_step_timeout(self, step_id: UUID, timeout: float | None) -> None:
        """Give a step a timeout in seconds (None: no limit), undoably; a run in the kernel enforces it."""
        from fancy_studio.gui.document.commands import SetStepTimeout

        step = self.find_step(step_id)
        if step is not None and timeout != step.timeout:
            self.undo_stack.push(SetStepTimeout(self, step_id, timeout))

    def set_cell_value(self, cell_id: UUID, value: Any) -> None:
        """Give the cell a literal value (`...` makes it a computed cell again)."""
        from fancy_studio.gui.document.commands import EditCell

        self.undo_stack.push(EditCell(self, cell_id, value=value))

    def new_id(self) -> UUID:
        return uuid4()

    def title_of(self, step: WorkflowStep) -> str:
        """What the canvas calls the step: its label, else its function's title (a group's name), else its slug."""
        if step.group_id is not None and (definition := self.definition_of(step)) is not None:
            return step.label or definition.name
        function = self.function_of(step)
        return step.label or (function.title if function else step.function_slug)

    # --- model changes: what the undo commands call ---------------------------------------------------
    #
    # Each changes the workflow, keeps the indexes exact and emits the signals the canvas draws from. None
    # is recorded on the undo stack: the studio edits through the undoable methods above, whose commands
    # call these in `redo` and `undo`.

    def insert_nodes(self, steps: list[WorkflowStep], cells: list[CellSpec],
                     positions: dict[UUID, tuple[float, float]]) -> None:
        """Append steps and cells (the objects given, not copies) and place nodes at `positions`."""
        with self.changing_many():
            for node_id, (x, y) in positions.items():
                self.graph.layout[node_id] = Position(x=x, y=y)
            for cell in cells:
                self.graph.cells.append(cell)
                self._cells_by_id.setdefault(cell.id, []).append(cell)
                self.cell_added.emit(cell)
            for step in steps:
                self.graph.steps.append(step)
                self._index_step(step)
                if self._step_rank is not None:
                    self._step_rank[id(step)] = len(self.graph.steps) - 1
                self.step_added.emit(step)

    def reinsert_nodes(self, cells: list[tuple[int, CellSpec]], steps: list[tuple[int, WorkflowStep]]) -> None:
        """Put removed cells and steps back at their old list indexes (undo of a delete), each list in one pass."""
        with self.changing_many():
            self.graph.cells[:] = _merged(self.graph.cells, cells)
            for _, cell in cells:
                self._cells_by_id.setdefault(cell.id, []).append(cell)
                self.cell_added.emit(cell)
            self.graph.steps[:] = _merged(self.graph.steps, steps)
            self._step_rank = None
            for _, step in steps:
                self._index_step(step)
                self.step_added.emit(step)

    def delete_nodes(self, step_ids: set[UUID], cell_ids: set[UUID]) -> None:
        """Take steps and cells out of the workflow with their positions (wires to them are not cut)."""
        with self.changing_many():
            kept = []
            for step in self.graph.steps:
                if step.id in step_ids:
                    self._unindex_step(step)
                else:
                    kept.append(step)
            self.graph.steps[:] = kept
            self._step_rank = None
            for step_id in step_ids:
                self.graph.layout.pop(step_id, None)
                self.step_removed.emit(step_id)
            kept_cells = []
            for cell in self.graph.cells:
                if cell.id in cell_ids:
                    self._drop(self._cells_by_id, cell.id, lambda entry, c=cell: entry is c)
                else:
                    kept_cells.append(cell)
            self.graph.cells[:] = kept_cells
            for cell_id in cell_ids:
                self.graph.layout.pop(cell_id, None)
                self.cell_removed.emit(cell_id)

    @contextmanager
    def changing_many(self) -> Iterator[None]:
        """Bracket a change of many nodes with `many_changing` / `many_changed`, once however nested (a command
        that makes several changes may wrap them all)."""
        self._changing_depth += 1
        if self._changing_depth == 1:
            self.many_changing.emit()
        try:
            yield
        finally:
            self._changing_depth -= 1
            if not self._changing_depth:
                self.many_changed.emit()

    def set_wire(self, step_id: UUID, side: str, name: str, cell_id: UUID | None) -> None:
        """Wire a step's input or output (`side`: "inputs" or "outputs") to a cell; None unwires it."""
        step = self.find_step(step_id)
        wires = dict(getattr(step, side))
        if cell_id is None:
            wires.pop(name, None)
        else:
            wires[name] = cell_id
        self._unindex_wires(step)
        setattr(step, side, wires)
        self._index_wires(step)
        self.step_changed.emit(step_id)

    def set_cell(self, cell_id: UUID, alias: str, value: Any) -> None:
        """Give a cell its alias and literal value (`...`: no value, a computed cell)."""
        cell = self.find_cell(cell_id)
        cell.alias = alias
        if value is ...:
            cell.clear_value()
        else:
            cell.value = value
        self.cell_changed.emit(cell_id)

    def set_step_label(self, step_id: UUID, label: str) -> None:
        """Label a step (an empty label: it is called by its function's title)."""
        self.find_step(step_id).label = label
        self.step_changed.emit(step_id)

    def set_step_timeout(self, step_id: UUID, timeout: float | None) -> None:
        """A step's timeout in seconds, or None."""
        self.find_step(step_id).timeout = timeout
        self.step_changed.emit(step_id)

    def set_step_params(self, step_id: UUID, params: dict[str, Any]) -> None:
        """A step's params, replaced whole (the model checks them: finite JSON values only)."""
        self.find_step(step_id).params = params
        self.step_changed.emit(step_id)

    def set_step_bypass(self, step_id: UUID, bypass: bool) -> None:
        """Bypass a step, or stop bypassing it."""
        self.find_step(step_id).bypass = bypass
        self.step_changed.emit(step_id)

    def set_positions(self, moves: dict[UUID, tuple[float, float]]) -> None:
        """Move nodes to these scene positions."""
        for node_id, (x, y) in moves.items():
            self.graph.layout[node_id] = Position(x=x, y=y)
            self.node_moved.emit(node_id, x, y)

    def set_layout(self, positions: dict[UUID, tuple[float, float]]) -> None:
        """Move many nodes to these scene positions with one `nodes_moved` (the canvas moves them in one pass)."""
        layout = self.graph.layout
        for node_id, (x, y) in positions.items():
            layout[node_id] = Position(x=x, y=y)
        self.nodes_moved.emit(dict(positions))

    def fill_layout(self, positions: dict[UUID, tuple[float, float]]) -> None:
        """Place nodes a file left without a position. Not an edit: no undo step, and the document stays
        unmodified (the file holds the same workflow; a save adds the positions). See `place_unplaced`."""
        self.set_layout(positions)

    def insert_annotations(self, items: list[Frame | Note], indexes: dict[UUID, int] | None = None) -> None:
        """Add frames and notes (the objects given), each at its index in its list if `indexes` has one
        (the undo of a delete), else at the end."""
        indexes = indexes or {}
        for kind, target in ((Frame, self.workflow.frames), (Note, self.workflow.notes)):
            placed = [(indexes.get(item.id, len(target) + i), item)
                      for i, item in enumerate(item for item in items if isinstance(item, kind))]
            if placed:
                target[:] = _merged(target, placed)
        for item in items:
            self.annotation_added.emit(item)

    def delete_annotations(self, ids: set[UUID]) -> None:
        """Take frames and notes out of the workflow (the nodes inside a frame stay where they are)."""
        for target in (self.workflow.frames, self.workflow.notes):
            gone = [item.id for item in target if item.id in ids]
            if gone:
                target[:] = [item for item in target if item.id not in ids]
                for item_id in gone:
                    self.annotation_removed.emit(item_id)

    def update_annotations(self, changes: dict[UUID, dict[str, Any]]) -> None:
        """Set fields of frames and notes ({id: {field: value}}), each checked by the model as it is set."""
        for item_id, fields in changes.items():
            item = self.find_annotation(item_id)
            for name, value in fields.items():
                setattr(item, name, value)
            self.annotation_changed.emit(item_id)

    def order_layout(self, node_ids: list[UUID]) -> None:
        """Put the layout's entries in this order (others after them), so an undone delete saves as before."""
        layout = self.graph.layout
        rank = {node_id: i for i, node_id in enumerate(node_ids)}
        ordered = sorted(layout.items(), key=lambda kv: rank.get(kv[0], len(rank)))
        layout.clear()
        layout.update(ordered)


def _merged(items: list[Any], placed: list[tuple[int, Any]]) -> list[Any]:
    """`items` with each of `placed` (index, item) put back at its index (ascending): a list.insert each, in one pass."""
    merged: list[Any] = []
    rest = iter(items)
    for index, item in sorted(placed, key=lambda entry: entry[0]):
        while len(merged) < index:
            following = next(rest, None)
            if following is None:
                break
            merged.append(following)
        merged.append(item)
    merged.extend(rest)
    return merged


def _first_by_id(index: dict[UUID, list[Any]], items: list[Any], item_id: UUID) -> Any:
    """The indexed item with this id; with duplicated ids (an invalid file), the first in list order."""
    found = index.get(item_id)
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    return next((item for item in items if item.id == item_id), None)
