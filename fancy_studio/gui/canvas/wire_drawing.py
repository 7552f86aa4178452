"""How the canvas keeps its wires: which wires touch each node, and where each one runs.

A mixin of `WorkflowScene` (`scene.py`), kept apart so each file holds one concern: a wire is drawn from a
step's port to a cell's, coloured by the port's type, and placed again whenever a node at either end moves
(`node_item_moved`, `nodes_dragged`); an index of the wires at each node keeps that to the wires touched.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from PySide6.QtGui import QColor

from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.node_items import NodeItem
from fancy_studio.gui.canvas.overview_drawing import NO_CONTENTS
from fancy_studio.gui.canvas.port_item import PortKind
from fancy_studio.gui.canvas.wire_item import WireItem

WireKey = tuple[UUID, str, str]  # (step id, "inputs" | "outputs", port name)


class WireDrawing:
    """The wiring half of `WorkflowScene` (which sets every attribute used here)."""

    document: Any
    annotations: Any
    overview: bool
    blocks: Any
    _nodes: dict
    _wires: dict
    _wires_at: dict

    def _keys_at(self, node_id: UUID) -> list[WireKey]:
        return list(self._wires_at.get(node_id, ()))

    def _step_wire_keys(self, step_id: UUID) -> list[WireKey]:
        return [k for k in self._keys_at(step_id) if k[0] == step_id]

    def _cell_wire_keys(self, cell_id: UUID) -> list[WireKey]:
        return [k for k in self._keys_at(cell_id) if self._wires[k].cell_id == cell_id]

    def _add_wire(self, key: WireKey, wire: WireItem) -> None:
        self._wires[key] = wire
        self._wires_at.setdefault(key[0], {})[key] = None
        self._wires_at.setdefault(wire.cell_id, {})[key] = None
        wire.set_overview(self.overview)
        if self.blocks is not None:
            wire.setFlag(NO_CONTENTS)
            self.blocks.wires_changed()
        self.addItem(wire)

    def _remove_wire(self, key: WireKey) -> None:
        wire = self._wires.pop(key)
        for node_id in (key[0], wire.cell_id):
            keys = self._wires_at.get(node_id)
            if keys is not None:
                keys.pop(key, None)
                if not keys:
                    del self._wires_at[node_id]
        self.removeItem(wire)
        self.restyle_wires()

    def _rebuild_wires(self, step_id: UUID) -> None:
        for key in self._step_wire_keys(step_id):
            self._remove_wire(key)
        step = self.document.find_step(step_id)
        if step is None or step_id not in self._nodes:
            return
        for side in ("inputs", "outputs"):
            for name, cell_id in getattr(step, side).items():
                if cell_id not in self._nodes:
                    continue  # a cell the workflow does not declare: nothing to draw to
                wire = WireItem(self._wire_color(step_id, side, name, cell_id), (step_id, side, name), cell_id,
                                self.overview)
                self._add_wire((step_id, side, name), wire)
                self._place_wire(wire)

    def _wire_color(self, step_id: UUID, side: str, name: str, cell_id: UUID) -> QColor:
        step_port = self._nodes[step_id].port(PortKind.STEP_INPUT if side == "inputs" else PortKind.STEP_OUTPUT, name)
        if step_port is not None and step_port.hint is not Any:
            return step_port.color
        return style.type_color(self._nodes[cell_id].cell_type()[0])

    def _place_wire(self, wire: WireItem) -> None:
        step_id, side, name = wire.key
        step_item, cell_item = self._nodes[step_id], self._nodes[wire.cell_id]
        if side == "inputs":
            start = cell_item.port(PortKind.CELL_OUTPUT).scenePos()
            port = step_item.port(PortKind.STEP_INPUT, name)
            end = port.scenePos() if port else step_item.mapToScene(0, step_item.boundingRect().center().y())
        else:
            port = step_item.port(PortKind.STEP_OUTPUT, name)
            start = port.scenePos() if port else step_item.mapToScene(step_item.boundingRect().right(), 20)
            end = cell_item.port(PortKind.CELL_INPUT).scenePos()
        if self.annotations.rerouting:  # an end inside a collapsed frame: at its edge
            start, end = self.annotations.wire_ends(wire, start, end)
        wire.set_ends(start, end)
        self.restyle_wires()

    def node_item_moved(self, item: NodeItem) -> None:
        """Place the wires of a node that moved (nodes do not tell: see `NodeItem.mouseMoveEvent`)."""
        self.restyle(item)
        for key in self._keys_at(item.node_id):
            self._place_wire(self._wires[key])

    def nodes_dragged(self, items: list) -> None:
        """The pointer dragged these items (nodes, or other selected items): place each touched wire once.
        A frame among them carries what lies inside it."""
        items = items + self.annotations.carry(items)
        keys = {key: None for item in items if isinstance(item, NodeItem)
                for key in self._wires_at.get(item.node_id, ())}
        for item in items:
            if isinstance(item, NodeItem):
                self.restyle(item)
        for key in keys:
            self._place_wire(self._wires[key])
