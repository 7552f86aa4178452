"""Copy, cut, paste and duplicate of steps, cells, frames and notes.

A copied selection is a `Fragment`: the selected steps and cells (with their wiring and positions), frames
and notes as JSON, put on the system clipboard under `FRAGMENT_MIME` and as plain text. Pasting gives every
item a fresh id (remapped consistently, so wires among the pasted nodes survive), keeps inputs that read
a cell outside the fragment when that cell still exists in the document, drops every other dangling wire,
and adds everything as ONE undo step (`AddNodes`, with `AddAnnotations` and `AddGroups` in a macro). A
pasted frame comes expanded: collapsed, it would hide whatever nodes happen to lie under it where it lands.
A copied group's node carries its definition (and those of the groups inside it), which the paste adds
where it is missing or different (`pasted_groups.py`), so the pasted node is that group, never a missing
one.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, Field, ValidationError
from PySide6.QtCore import QMimeData, QObject
from PySide6.QtWidgets import QApplication

from fancy_studio.core import CellSpec, Frame, GroupDefinition, Note, Position, WorkflowStep
from fancy_studio.gui.document.annotation_commands import AddAnnotations, plural
from fancy_studio.gui.document.commands import AddNodes
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.document.group_commands import AddGroups
from fancy_studio.gui.document.levels import contains
from fancy_studio.gui.document.pasted_groups import carried_groups, merge_groups

FRAGMENT_MIME = "application/x-fancy-studio-fragment"
PASTE_OFFSET = 40.0
FRAGMENT_KIND = "fancy-studio-fragment"


class Fragment(BaseModel):
    """A piece of a workflow: some steps and cells with their positions, frames and notes, and the
    definitions of the groups whose nodes it holds (ids are the originals)."""

    kind: Literal["fancy-studio-fragment"] = FRAGMENT_KIND
    steps: list[WorkflowStep] = Field(default_factory=list)
    cells: list[CellSpec] = Field(default_factory=list)
    positions: dict[UUID, Position] = Field(default_factory=dict)
    frames: list[Frame] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    groups: list[GroupDefinition] = Field(default_factory=list)
    """The definitions the steps use, with the ones those use (a copy made before groups had none)."""

    @property
    def empty(self) -> bool:
        return not self.steps and not self.cells and not self.frames and not self.notes


def make_fragment(document: WorkflowDocument, ids: set[UUID]) -> Fragment:
    """The steps, cells, frames and notes among `ids`, in document order, with the nodes' positions."""
    workflow = document.graph  # the level shown (a group has no frames nor notes)
    steps = [s.model_copy(deep=True) for s in workflow.steps if s.id in ids]
    cells = [c.model_copy(deep=True) for c in workflow.cells if c.id in ids]
    positions = {node.id: workflow.layout[node.id].model_copy()
                 for node in (*steps, *cells) if node.id in workflow.layout}
    return Fragment(steps=steps, cells=cells, positions=positions,
                    groups=carried_groups(document.workflow.groups, steps),
                    frames=[f.model_copy() for f in getattr(workflow, "frames", ()) if f.id in ids],
                    notes=[n.model_copy() for n in getattr(workflow, "notes", ()) if n.id in ids])


def instantiate_annotations(fragment: Fragment, offset: float) -> list[Frame | Note]:
    """Fresh copies of the fragment's frames (expanded) and notes, moved by (`offset`, `offset`)."""
    moved = [frame.model_copy(update={"id": uuid4(), "x": frame.x + offset, "y": frame.y + offset,
                                      "collapsed": False}) for frame in fragment.frames]
    return moved + [note.model_copy(update={"id": uuid4(), "x": note.x + offset, "y": note.y + offset})
                    for note in fragment.notes]


def instantiate(document: WorkflowDocument, fragment: Fragment, offset: float
                ) -> tuple[list[WorkflowStep], list[CellSpec], dict[UUID, tuple[float, float]]]:
    """Fresh copies of the fragment's nodes for `document`, moved by (`offset`, `offset`)."""
    fresh = {node.id: uuid4() for node in (*fragment.steps, *fragment.cells)}
    cells = [cell.model_copy(deep=True, update={"id": fresh[cell.id]}) for cell in fragment.cells]
    steps = []
    for step in fragment.steps:
        inputs = {}
        for name, cell_id in step.inputs.items():
            if cell_id in fresh:
                inputs[name] = fresh[cell_id]
            elif document.find_cell(cell_id) is not None:
                inputs[name] = cell_id  # reads a cell outside the fragment that is still there
        # an output may only write a pasted cell: a cell outside already has its producer
        outputs = {name: fresh[cell_id] for name, cell_id in step.outputs.items() if cell_id in fresh}
        steps.append(step.model_copy(deep=True, update={"id": fresh[step.id], "inputs": inputs,
                                                        "outputs": outputs}))
    positions = {}
    for old, new in fresh.items():
        pos = fragment.positions.get(old)
        x, y = (pos.x, pos.y) if pos is not None else (0.0, 0.0)
        positions[new] = (x + offset, y + offset)
    return steps, cells, positions


def fragment_from_mime(data: QMimeData | None) -> Fragment | None:
    """The fragment the mime data carries, or None for anything else (text, images, bad JSON)."""
    if data is None:
        return None
    if data.hasFormat(FRAGMENT_MIME):
        raw = bytes(data.data(FRAGMENT_MIME)).decode("utf-8", errors="replace")
    elif data.hasText() and FRAGMENT_KIND in data.text():
        raw = data.text()  # the plain-text copy, e.g. after a round trip through a text editor
    else:
        return None
    try:
        fragment = Fragment.model_validate_json(raw)
    except (ValidationError, ValueError):
        return None
    return None if fragment.empty else fragment


def fragment_to_mime(fragment: Fragment) -> QMimeData:
    text = fragment.model_dump_json(indent=2)
    data = QMimeData()
    data.setData(FRAGMENT_MIME, text.encode("utf-8"))
    data.setText(text)
    return data


class ClipboardController(QObject):
    """The Edit menu's copy / cut / paste / duplicate for one document and its scene."""

    def __init__(self, document: WorkflowDocument, scene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.scene = scene
        self._last_json: str | None = None
        self._pastes = 0

    def _selection(self) -> set[UUID]:
        return self.scene.selected_ids() | self.scene.selected_annotation_ids()

    def copy(self) -> bool:
        """Put the selection on the clipboard; False (clipboard untouched) when nothing is selected."""
        fragment = make_fragment(self.document, self._selection())
        if fragment.empty:
            return False
        QApplication.clipboard().setMimeData(fragment_to_mime(fragment))
        self._last_json = fragment.model_dump_json()
        self._pastes = 0
        return True

    def cut(self) -> None:
        ids = self._selection()
        if not self.copy():
            return
        stack = self.document.undo_stack
        stack.beginMacro(f"Cut {plural(len(ids), 'item')}")
        try:
            self.document.remove_items(ids)
        finally:
            stack.endMacro()

    def paste(self) -> list[UUID]:
        """Paste the clipboard's fragment (+40 px further each successive paste); [] when there is none."""
        fragment = fragment_from_mime(QApplication.clipboard().mimeData())
        if fragment is None:
            return []
        key = fragment.model_dump_json()
        if key != self._last_json:  # copied elsewhere (another window, another app): start over
            self._last_json, self._pastes = key, 0
        self._pastes += 1
        return self._add(fragment, PASTE_OFFSET * self._pastes, "Paste")

    def duplicate(self) -> list[UUID]:
        """Copy and paste the selection in one go, leaving the clipboard alone."""
        fragment = make_fragment(self.document, self._selection())
        if fragment.empty:
            return []
        return self._add(fragment, PASTE_OFFSET, "Duplicate")

    def _add(self, fragment: Fragment, offset: float, verb: str) -> list[UUID]:
        document = self.document
        steps, cells, positions = instantiate(document, fragment, offset)
        merge = merge_groups(document.workflow.groups, fragment.groups)
        steps = [merge.retarget(step) for step in steps]
        if document.level is not None:  # no group inside itself, nor inside one it holds
            pool = SimpleNamespace(groups=[*document.workflow.groups, *merge.added])
            here = document.level.definition_id
            kept = [step for step in steps
                    if step.group_id is None or not contains(pool, step.group_id, here)]
            if len(kept) != len(steps):
                steps = kept
                document.undo_stack.refused.emit("A group cannot be pasted inside itself")
        groups = merge.used_by(steps)
        top_level = document.graph is document.workflow
        # frames and notes are the top level's: inside a group, only the nodes are pasted
        annotations = instantiate_annotations(fragment, offset) if top_level else []
        text = f"{verb} {plural(len(steps) + len(cells) + len(annotations), 'item')}"
        stack = document.undo_stack
        macro = bool(annotations or groups)
        if macro:
            stack.beginMacro(text)
        try:
            if groups:  # before the nodes that use them
                stack.push(AddGroups(document, groups, text))
            if steps or cells:
                stack.push(AddNodes(document, steps=steps, cells=cells, positions=positions, text=text))
            if annotations:
                stack.push(AddAnnotations(document, annotations, text))
        finally:
            if macro:
                stack.endMacro()
        forked = [(here, new) for here, new in merge.forked if any(d.name == new for d in groups)]
        if forked and stack.locked_reason is None:
            here, new = forked[0]
            self.scene.message.emit(f"Pasted as a new group '{new}': this workflow's '{here}' differs from "
                                    "the one copied, and stays as it is")
        ids = [c.id for c in cells] + [s.id for s in steps] + [a.id for a in annotations]
        self.scene.select_ids(ids)
        return ids
