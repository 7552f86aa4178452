"""How the canvas goes into a group and back out: the level left behind is kept, not drawn again.

A mixin of `WorkflowScene` (`scene.py`). Entering a group draws its nodes afresh; the items of the level
left (a top level of thousands of nodes, say) are taken out of the scene and kept, with their wires and the
blocks layer, so that leaving the group puts them back as they were instead of building them all again.
Only the levels on the way to the one shown are kept (they cannot change meanwhile: every edit, and every
undo, is made at the level shown, see `document/levels.py`); the rest is dropped. Whatever the run did
meanwhile is caught up with in the run's slices (`run_drawing.py`), and a group's node is read again (its
definition may have new parameters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fancy_studio.gui.canvas.group_node_item import GroupNodeItem
from fancy_studio.gui.canvas.node_items import StepNodeItem


@dataclass
class KeptLevel:
    """The items of a level the canvas left for a group inside it."""

    path: tuple[UUID, ...]
    nodes: dict
    wires: dict
    wires_at: dict
    blocks: Any
    overview: bool
    came_from: UUID | None = None
    """The group's node that was entered (selected again on the way back)."""


def _path(level: Any) -> tuple[UUID, ...]:
    return level.path if level is not None else ()


class LevelScenes:
    """The level half of `WorkflowScene` (which defines every attribute used here)."""

    _kept: Sequence[KeptLevel] = ()
    """The levels on the way to the one shown, outermost first (assigned, never changed in place)."""
    _shown_path: tuple[UUID, ...] = ()

    def forget_levels(self) -> None:
        """Everything is drawn afresh (another workflow, another look): nothing kept is any good."""
        self._kept = ()
        self._shown_path = _path(self.document.level)

    def _level_changed(self, level: Any) -> None:
        """Show `level`: its kept items if the canvas came from it, else drawn afresh; keep the level left
        when going deeper."""
        left, path = self._shown_path, _path(level)
        self._shown_path = path
        kept = [k for k in self._kept if path[:len(k.path)] == k.path and k.path != path]
        back = next((k for k in self._kept if k.path == path), None)
        if path[:len(left)] == left and path != left:  # into a group of the level left: keep that level
            kept.append(self._take_items(left, path[len(left)]))
        self._kept = kept
        if back is None:
            saved = self._kept
            self.rebuild()
            self._kept, self._shown_path = saved, path
        else:
            self._put_back(back)

    def _take_items(self, path: tuple[UUID, ...], entered: UUID) -> KeptLevel:
        """Take the level's items out of the scene (kept alive by the returned record)."""
        self.wire_drag.cancel()
        self.clearSelection()
        blocks = self.blocks
        kept = KeptLevel(path, self._nodes, self._wires, self._wires_at, blocks, self.overview, entered)
        for item in (*self._nodes.values(), *self._wires.values()):
            self.removeItem(item)
        if blocks is not None and blocks.scene() is self:
            self.removeItem(blocks)
        self._nodes, self._wires, self._wires_at, self.blocks = {}, {}, {}, None
        return kept

    def _put_back(self, kept: KeptLevel) -> None:
        """Show a kept level again: its items, wires and blocks as they were, then catch up with the run."""
        self.wire_drag.cancel()
        blocks = self.blocks
        if blocks is not None and blocks.scene() is self:
            self.removeItem(blocks)
        self.clear()  # the inner level's items (and the frames and notes, made again below)
        self._cells_to_add.clear()
        self._steps_to_wire.clear()
        self._cells_to_refresh.clear()
        self._nodes, self._wires, self._wires_at = kept.nodes, kept.wires, kept.wires_at
        self.overview, self.blocks = kept.overview, kept.blocks
        for item in self._nodes.values():
            self.addItem(item)
        for wire in self._wires.values():
            self.addItem(wire)
        if self.blocks is not None and self._nodes:
            self.addItem(self.blocks)
        self.annotations.rebuild()
        for item in list(self._nodes.values()):
            if isinstance(item, GroupNodeItem):  # its definition may expose other parameters now
                self._on_step_changed(item.node_id)
        if self.run_status is not None:  # what a run did meanwhile, in the run's slices
            for node_id, item in self._nodes.items():
                (self._dirty_steps if isinstance(item, StepNodeItem) else self._dirty_cells).append(node_id)
            self._generation += 1
            self._schedule_catch_up()
        if kept.came_from is not None and kept.came_from in self._nodes:
            self.select_ids({kept.came_from})
