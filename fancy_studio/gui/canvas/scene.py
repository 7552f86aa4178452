"""The scene mirrors the document: items are rebuilt from the model's signals, gestures become edits."""

from __future__ import annotations

import gc
from uuid import UUID

from PySide6.QtCore import QLineF, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent, QGraphicsSimpleTextItem, QToolTip

from fancy_studio.core import CellSpec, WorkflowStep
from fancy_studio.core.layout import DEFAULT_ASPECT
from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.annotation_layer import AnnotationLayer
from fancy_studio.gui.canvas.auto_layout import place_unplaced
from fancy_studio.gui.canvas.blocks_layer import BlocksLayer
from fancy_studio.gui.canvas.group_node_item import (
    GroupNodeItem,
    PortCellItem,
    make_cell_item,
    make_step_item,
)
from fancy_studio.gui.canvas.level_scene import LevelScenes
from fancy_studio.gui.canvas.node_items import CellNodeItem, NodeItem, StepNodeItem
from fancy_studio.gui.canvas.overview_drawing import NO_CONTENTS, OverviewDrawing
from fancy_studio.gui.canvas.port_item import PortItem
from fancy_studio.gui.canvas.run_drawing import RunDrawing
from fancy_studio.gui.canvas.wire_drag import WireDrag
from fancy_studio.gui.canvas.wire_drawing import WireDrawing, WireKey
from fancy_studio.gui.canvas.wire_item import WireItem
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.run.status import RunStatusModel

TOAST_MS = 2000
SPINNER_MS = 80
GRID_SIZE = 20.0
"""Dragged nodes land on multiples of this when `snap_to_grid` is on."""
BSP_DEPTH = 8
"""Depth of the scene's item index (256 cells). Qt's automatic depth grows with the item count (18, or
262,144 cells, at 180,000 items), and an item is filed in every cell its bounding rect crosses: the long
wires of a fan-out cross thousands, and re-filing them (every wire's pen changes when the zoom crosses
the overview threshold) took 38 s for a 3,000-branch fan. At 8 that is 0.14 s, opening it is twice as
fast, and a lookup under the pointer in a 10,000-step chain stays under 0.2 ms."""


class WorkflowScene(LevelScenes, RunDrawing, OverviewDrawing, WireDrawing, QGraphicsScene):
    """Draws `document.workflow`; node moves and wire drags are pushed back as document edits."""

    message = Signal(str)
    """A short user-facing note (e.g. why a connection was refused), for the status bar."""

    def __init__(self, document: WorkflowDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._nodes: dict[UUID, NodeItem] = {}
        self._wires: dict[WireKey, WireItem] = {}
        self._wires_at: dict[UUID, dict[WireKey, None]] = {}
        """Keys of the wires touching each node (by step id and by cell id), in insertion order."""
        self.wire_drag = WireDrag(self)
        self.snap_to_grid = True
        """Round node positions committed after a drag to the `GRID_SIZE` grid."""
        self.setBackgroundBrush(style.BACKGROUND)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setBspTreeDepth(BSP_DEPTH)
        self.overview = False
        self.blocks: BlocksLayer | None = None
        """Zoomed out below `blocks_layer.BLOCKS_LOD`: the layer that paints every node's block (see
        `set_blocks`); None otherwise."""
        self.layout_aspect = DEFAULT_ASPECT
        """Width over height of the view, for laying out a file opened without positions (the view sets it)."""
        """Zoomed far out: see `set_overview`."""
        self.run_status: RunStatusModel | None = None
        """How the last run went per step; nodes read it when they paint."""
        self.spinner_phase = 0
        self._running_ids: set[UUID] = set()
        self._spinner = QTimer(self)
        self._spinner.setInterval(SPINNER_MS)
        self._spinner.timeout.connect(self._turn_spinners)
        self._generation = 0
        """Counts run notifications; a node shown in the current generation is skipped if listed again."""
        self._dirty_steps: list[UUID] = []
        self._dirty_cells: list[UUID] = []
        """Nodes to repaint after run events (duplicates are harmless), worked through in slices."""
        self._dirty_timer = QTimer(self)
        self._dirty_timer.setSingleShot(True)
        self._dirty_timer.setInterval(0)
        self._dirty_timer.timeout.connect(self._show_run_changes)
        self._many_changing = False
        """Inside the document's `many_changing` … `many_changed`: see `_begin_many`."""
        self._paused_gc = False
        """`_begin_many` turned the garbage collector off (it was on), so `_end_many` turns it back on."""
        self._selection_lost = False
        self._cells_to_refresh: set[UUID] = set()
        self._cells_to_add: dict[UUID, None] = {}
        self._steps_to_wire: dict[UUID, None] = {}
        self.selectionChanged.connect(self._selection_to_blocks)
        document.many_changing.connect(self._begin_many)
        document.many_changed.connect(self._end_many)
        document.reset.connect(self.rebuild)
        document.level_changed.connect(self._level_changed)
        document.groups_changed.connect(self._groups_changed)
        document.step_added.connect(self._on_step_added)
        document.step_removed.connect(self._on_step_removed)
        document.step_changed.connect(self._on_step_changed)
        document.cell_added.connect(self._on_cell_added)
        document.cell_removed.connect(self._on_cell_removed)
        document.cell_changed.connect(self._on_cell_changed)
        document.node_moved.connect(self._on_node_moved)
        document.nodes_moved.connect(self._on_nodes_moved)
        self.annotations = AnnotationLayer(self)
        """The frames and notes, and what collapsed frames hide (after the scene's own slots, so it sees
        the nodes as they are)."""
        self.rebuild()

    # --- public API ----------------------------------------------------------------------------------

    def item_for(self, node_id: UUID) -> NodeItem | None:
        return self._nodes.get(node_id)

    def wire_for(self, step_id: UUID, side: str, name: str) -> WireItem | None:
        return self._wires.get((step_id, side, name))

    def node_items(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def wire_items(self) -> list[WireItem]:
        return list(self._wires.values())

    def selected_ids(self) -> set[UUID]:
        return {item.node_id for item in self.selectedItems() if isinstance(item, NodeItem)}

    def selected_annotation_ids(self) -> set[UUID]:
        """The selected frames and notes."""
        return self.annotations.selected_ids()

    def select_ids(self, ids: set[UUID] | list[UUID]) -> None:
        """Select exactly these nodes, frames and notes (ids without an item are ignored)."""
        wanted = set(ids)
        self.blockSignals(True)
        try:
            self.clearSelection()
            for node_id in wanted:
                if (item := self._nodes.get(node_id)) is not None or \
                        (item := self.annotations.item_for(node_id)) is not None:
                    item.setSelected(True)
        finally:
            self.blockSignals(False)
        self.selectionChanged.emit()

    def nodes_rect(self) -> QRectF:
        """What the workflow covers: its nodes, frames and notes."""
        rect = QRectF()
        for item in self._nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        for item in self.annotations.items():
            if item.isVisible():
                rect = rect.united(item.mapRectToScene(item.rect()))  # not a frame's room for its title
        return rect

    def notify(self, text: str, scene_pos: QPointF | None = None) -> None:
        """Tell the user something briefly: a fading label near `scene_pos` and the `message` signal."""
        self.message.emit(text)
        if scene_pos is None:
            return
        label = QGraphicsSimpleTextItem(text)
        font = QFont()
        font.setBold(True)
        label.setFont(font)
        label.setBrush(style.REFUSE.lighter(130))
        label.setZValue(100)
        label.setFlag(label.GraphicsItemFlag.ItemIgnoresTransformations)
        label.setPos(scene_pos + QPointF(12, 12))
        self.addItem(label)
        timer = QTimer(self)
        steps = {"left": 10}

        def fade() -> None:
            if label.scene() is not self:
                timer.stop()
                timer.deleteLater()
                return
            steps["left"] -= 1
            label.setOpacity(steps["left"] / 10)
            if steps["left"] <= 0:
                timer.stop()
                timer.deleteLater()
                self.removeItem(label)

        timer.timeout.connect(fade)
        QTimer.singleShot(TOAST_MS - 500, self, lambda: timer.start(50))

    def port_at(self, pos: QPointF) -> PortItem | None:
        """The port nearest `pos` within grabbing distance (ports are small; be forgiving)."""
        r = style.PORT_HIT_RADIUS + 2
        best, best_dist = None, r
        for item in self.items(QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r)):
            if isinstance(item, PortItem) and item.isVisible():
                dist = QLineF(item.scenePos(), pos).length()
                if dist <= best_dist:
                    best, best_dist = item, dist
        return best

    def all_ports(self) -> list[PortItem]:
        return [port for node in self._nodes.values() for port in node.ports]

    # --- building from the model ---------------------------------------------------------------------

    def rebuild(self) -> None:
        """Throw every item away and draw the workflow again (a new file, or `reset`)."""
        self.wire_drag.cancel()
        self.forget_levels()  # (a group entered or left keeps the levels on its way: see `level_scene.py`)
        blocks = self.blocks
        if blocks is not None:
            if blocks.scene() is self:
                self.removeItem(blocks)  # clear() would delete it under its Python owner
            self.blocks = None  # made again once every item is in
        if self._nodes or self._wires or self.items():
            self.clear()  # nothing to throw away on a fresh scene: skip clear()'s work
        self._nodes.clear()
        self._wires.clear()
        self._wires_at.clear()
        self._cells_to_add.clear()
        self._steps_to_wire.clear()
        self._cells_to_refresh.clear()
        place_unplaced(self.document, self.layout_aspect)  # before the items: nothing is ever piled up
        graph = self.document.graph  # the top level, or the inside of the group being edited
        for cell in graph.cells:
            self._add_node(make_cell_item(self.document, cell.id))
        for step in graph.steps:
            self._add_node(make_step_item(self.document, step.id))
        for step in graph.steps:
            self._rebuild_wires(step.id)
        self.annotations.rebuild()
        if blocks is not None:
            self.set_blocks(True)

    def _add_node(self, item: NodeItem) -> None:
        self._nodes[item.node_id] = item
        if self.overview:
            item.set_ports_visible(False)
        if self.blocks is not None:
            item.setFlag(NO_CONTENTS)
        self.addItem(item)
        self._seat_blocks()
        self.restyle(item)
        status = self.run_status
        if status is not None and (status.total or status.holds_values()):
            item.show_run_state()  # e.g. an undone delete brings back a node the last run computed

    def helpEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Tooltips are worded when asked for, from the model (not stored on 10,000 items per run)."""
        for item in self.items(event.scenePos()):
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if item is not None:
                QToolTip.showText(event.screenPos(), item.tooltip_text(), event.widget())
                event.accept()
                return
        QToolTip.hideText()
        event.ignore()

    def _remove_node(self, node_id: UUID) -> None:
        item = self._nodes.pop(node_id, None)
        if item is None:
            return
        if self.blocks is not None:
            self.blocks.node_removed(node_id)
            if not self._nodes:
                self._seat_blocks()
        if self._many_changing and item.isSelected():
            # Qt emits selectionChanged for each selected item removed, and each one makes the window
            # update the inspector and the Datums table: during a bulk change, once at its end instead.
            self._selection_lost = True
            blocked = self.blockSignals(True)
            try:
                self.removeItem(item)
            finally:
                self.blockSignals(blocked)
        else:
            self.removeItem(item)

    def _begin_many(self) -> None:
        """Many nodes are about to come or go: until the end, hold the selection signal, and build new cells
        (whose type follows their producer, which may come later) and wires once everything is in.

        Python's cyclic garbage collector is paused meanwhile: the tens of thousands of items and model
        copies a bulk change makes would set off collections of the whole heap on the way (a tenth of
        undoing a 3,000-step delete), and none of them is garbage until the change is over."""
        self._many_changing = True
        self._paused_gc = gc.isenabled()
        gc.disable()

    def _end_many(self) -> None:
        self._many_changing = False
        try:
            self._finish_many()
        finally:
            if self._paused_gc:
                self._paused_gc = False
                gc.enable()

    def _finish_many(self) -> None:
        added, self._cells_to_add = self._cells_to_add, {}
        to_wire, self._steps_to_wire = self._steps_to_wire, {}
        to_refresh, self._cells_to_refresh = self._cells_to_refresh, set()
        for cell_id in added:
            if cell_id not in self._nodes and self.document.find_cell(cell_id) is not None:
                self._add_node(make_cell_item(self.document, cell_id))
        for cell_id in added:
            for step in self.document.steps_using(cell_id):
                to_wire[step.id] = None
        for step_id in to_wire:
            self._rebuild_wires(step_id)
        self._refresh_cells(to_refresh.difference(added))
        if self._selection_lost:
            self._selection_lost = False
            self.selectionChanged.emit()

    # --- document signals ----------------------------------------------------------------------------

    def _groups_changed(self) -> None:
        """A definition changed its name, ports or parameters: its instances here draw it again, and inside a
        group a cell that became one of its ports (or no longer is one) is drawn as such."""
        document = self.document
        for item in list(self._nodes.values()):
            if isinstance(item, GroupNodeItem):
                self._on_step_changed(item.node_id)
            elif document.level is not None and isinstance(item, CellNodeItem) \
                    and isinstance(item, PortCellItem) != (document.port_of(item.node_id) is not None):
                self._on_cell_added(document.find_cell(item.node_id))

    def _on_step_added(self, step: WorkflowStep) -> None:
        self._remove_node(step.id)
        self._add_node(make_step_item(self.document, step.id))
        if self._many_changing:
            self._steps_to_wire[step.id] = None
        else:
            self._rebuild_wires(step.id)
        self._refresh_cells_soon(set(step.outputs.values()))

    def _on_step_removed(self, step_id: UUID) -> None:
        keys = self._step_wire_keys(step_id)
        touched = {self._wires[k].cell_id for k in keys}
        for key in keys:
            self._remove_wire(key)
        self._remove_node(step_id)
        self._refresh_cells_soon(touched)

    def _on_step_changed(self, step_id: UUID) -> None:
        touched = {self._wires[k].cell_id for k in self._step_wire_keys(step_id)}
        if (item := self._nodes.get(step_id)) is not None:
            item.refresh()
            self.restyle(item)
        self._rebuild_wires(step_id)
        step = self.document.find_step(step_id)
        self._refresh_cells(touched | (set(step.outputs.values()) if step else set()))

    def _refresh_cells_soon(self, cell_ids: set[UUID]) -> None:
        """Refresh these cells now, or at the end of a bulk change (once each, and not the ones it removes)."""
        if self._many_changing:
            self._cells_to_refresh |= cell_ids
        else:
            self._refresh_cells(cell_ids)

    def _refresh_cells(self, cell_ids: set[UUID]) -> None:
        """A cell's type follows its producer, so re-read cells whose wiring changed."""
        for cell_id in cell_ids:
            if isinstance(item := self._nodes.get(cell_id), CellNodeItem):
                item.refresh()
                self.node_item_moved(item)

    def _on_cell_added(self, cell: CellSpec) -> None:
        self._remove_node(cell.id)
        if self._many_changing:
            self._cells_to_add[cell.id] = None
            return
        self._add_node(make_cell_item(self.document, cell.id))
        for step in self.document.steps_using(cell.id):
            self._rebuild_wires(step.id)

    def _on_cell_removed(self, cell_id: UUID) -> None:
        self._cells_to_add.pop(cell_id, None)
        for key in self._cell_wire_keys(cell_id):
            self._remove_wire(key)
        self._remove_node(cell_id)

    def _on_cell_changed(self, cell_id: UUID) -> None:
        self._refresh_cells({cell_id})
        for key in self._cell_wire_keys(cell_id):
            wire = self._wires[key]
            wire.color = self._wire_color(key[0], key[1], key[2], cell_id)
            wire.set_dashed(False)
            self.restyle_wires()

    def _on_nodes_moved(self, positions: dict[UUID, tuple[float, float]]) -> None:
        """Many nodes placed at once (Auto Layout, its undo): move them with the scene's item index off, then
        place each touched wire once and rebuild the index in one go. Moving item by item re-files each
        one in the index, and its wires twice: 98 s for a 10,000-step chain."""
        moves = [(item, x, y) for node_id, (x, y) in positions.items()
                 if (item := self._nodes.get(node_id)) is not None and (item.x(), item.y()) != (x, y)]
        if not moves:
            return
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        for item, x, y in moves:
            item.setPos(x, y)
        keys = {key: None for item, _, _ in moves for key in self._wires_at.get(item.node_id, ())}
        for key in keys:
            self._place_wire(self._wires[key])
        for item, _, _ in moves:
            self.restyle(item)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setBspTreeDepth(BSP_DEPTH)

    def _on_node_moved(self, node_id: UUID, x: float, y: float) -> None:
        if (item := self._nodes.get(node_id)) is not None and (item.x(), item.y()) != (x, y):
            item.setPos(x, y)
            self.node_item_moved(item)

    # --- gestures ------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.annotations.forget_drag()  # a drag whose release never came (the window lost the pointer)
        if event.button() == Qt.MouseButton.LeftButton and not self.wire_drag.active:
            port = self.port_at(event.scenePos())
            if port is not None:
                if self.document.undo_stack.allows_edit():  # no wiring while a run reads the graph
                    self.wire_drag.start(port, event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.wire_drag.active:
            self.wire_drag.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.wire_drag.active:
            if event.button() == Qt.MouseButton.LeftButton:
                self.wire_drag.finish(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.commit_moves()

    def commit_moves(self) -> None:
        """Push ONE move command for every node the user dragged away from its model position.

        With `snap_to_grid` on, the committed positions are rounded to the `GRID_SIZE` grid (a node
        that snaps back onto its old position just jumps back, with no command).
        """
        carried, annotation_moves = self.annotations.end_drag(
            self.snapped if self.snap_to_grid else (lambda x, y: (x, y)))
        moves = dict(carried)
        for node_id, item in self._nodes.items():
            if node_id in carried:
                continue
            current = (item.x(), item.y())
            model = self.document.position(node_id)
            if current == model:
                continue
            target = self.snapped(*current) if self.snap_to_grid else current
            if target != model:
                moves[node_id] = target
            else:
                item.setPos(*model)
                self.node_item_moved(item)
        if (moves or annotation_moves) and self.document.undo_stack.locked:  # refused below: put them back
            for node_id in moves:
                self._nodes[node_id].setPos(*self.document.position(node_id))
                self.node_item_moved(self._nodes[node_id])
            self.annotations.put_back()
        self.document.move_items(moves, annotation_moves, self.annotations.carrier)

    @staticmethod
    def snapped(x: float, y: float) -> tuple[float, float]:
        return (round(x / GRID_SIZE) * GRID_SIZE, round(y / GRID_SIZE) * GRID_SIZE)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.wire_drag.active:
            self.wire_drag.cancel()
            event.accept()
            return
        super().keyPressEvent(event)
