"""Dragging a wire from a port: live preview, accepting ports lit, and the drop turned into edits.

The drag holds only what the gesture needs (source port, live item); the connection itself is made
through the document, in one undo step (a macro when it takes several edits).
"""

from __future__ import annotations

import copy
import json
import typing
from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QPointF

from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.node_items import NodeItem, StepNodeItem
from fancy_studio.gui.canvas.port_item import PortItem, PortKind
from fancy_studio.gui.canvas.wire_item import WireItem
from fancy_studio.gui.panels.value_editor import default_for, kind_for_hint

if TYPE_CHECKING:
    from fancy_studio.gui.canvas.scene import WorkflowScene

_NA = object()
"""A port that plays no part in the current drag (wrong direction, same port)."""


class WireDrag:
    """One wire drag at a time, driven by the scene's mouse handlers."""

    def __init__(self, scene: WorkflowScene) -> None:
        self.scene = scene
        self.source: PortItem | None = None
        self.detach: tuple[UUID, str, str] | None = None  # the model wire being re-wired, if any
        self.live: WireItem | None = None
        self._reasons: dict[PortItem, object] = {}
        self._hidden: WireItem | None = None

    @property
    def document(self):
        return self.scene.document

    @property
    def active(self) -> bool:
        return self.source is not None

    # --- gesture ---------------------------------------------------------------------------------------

    def start(self, port: PortItem, pos: QPointF) -> None:
        """Begin at `port`; an already-wired input is picked up from its far end to be re-wired."""
        self.cancel()
        source, detach = port, None
        if port.kind == PortKind.STEP_INPUT:
            cell_id = self.document.find_step(port.node_id).inputs.get(port.name)
            cell_item = self.scene.item_for(cell_id) if cell_id else None
            if cell_item is not None:
                source, detach = cell_item.port(PortKind.CELL_OUTPUT), (port.node_id, "inputs", port.name)
        elif port.kind == PortKind.CELL_INPUT:
            producer = self.document.producer_of(port.node_id)
            step_item = self.scene.item_for(producer[0].id) if producer else None
            step_port = step_item.port(PortKind.STEP_OUTPUT, producer[1]) if step_item else None
            if step_port is not None:
                source, detach = step_port, (producer[0].id, "outputs", producer[1])
        self.source, self.detach = source, detach
        if detach is not None and (wire := self.scene.wire_for(*detach)) is not None:
            wire.setVisible(False)
            self._hidden = wire
        self.live = WireItem(source.color)
        self.live.set_dashed(True)
        self.live.setZValue(10)
        self.scene.addItem(self.live)
        for other in self.scene.all_ports():
            reason = self._why_not(other)
            self._reasons[other] = reason
            other.set_accepting(None if reason is _NA else reason is None)
        self.move(pos)

    def target_at(self, pos: QPointF) -> PortItem | None:
        """The port under the pointer; a wire from an output dragged over a step's input row (its value's
        field, or its label) goes to that input's port, a larger target than the port's circle."""
        port = self.scene.port_at(pos)
        if port is not None or self.source is None or self.source.kind.is_input:
            return port
        for item in self.scene.items(pos):
            if isinstance(item, StepNodeItem):
                name = item.input_name_at(item.mapFromScene(pos))
                return item.port(PortKind.STEP_INPUT, name) if name is not None else None
        return None

    def move(self, pos: QPointF) -> None:
        if self.live is None:
            return
        target = self.target_at(pos)
        end = target.scenePos() if target is not None and self._reasons.get(target) is None else pos
        start = self.source.scenePos()
        if self.source.kind.is_input:  # wires always run output → input, left to right
            self.live.set_ends(end, start)
        else:
            self.live.set_ends(start, end)

    def finish(self, pos: QPointF) -> None:
        """Drop: connect, refuse with a reason, or (on empty canvas) create / disconnect."""
        if not self.active:
            return
        target = self.target_at(pos)
        reason = self._reasons.get(target, _NA) if target is not None else _NA
        source, detach = self.source, self.detach
        on_node = any(isinstance(i, NodeItem) for i in self.scene.items(pos))
        self.cancel()  # clear visuals first: the edits below rebuild wire items
        if target is not None and reason is None:
            self._connect(source, target, detach)
        elif target is not None and isinstance(reason, str):
            self.scene.notify(reason, pos)
        elif target is None and not on_node:
            self._drop_on_empty(source, detach, pos)

    def cancel(self) -> None:
        if self.live is not None and self.live.scene() is self.scene:
            self.scene.removeItem(self.live)
        if self._hidden is not None and self._hidden.scene() is self.scene:
            self._hidden.setVisible(True)
        for port in self._reasons:
            if port.scene() is self.scene:
                port.set_accepting(None)
        self.source, self.detach, self.live, self._hidden = None, None, None, None
        self._reasons = {}

    # --- rules ---------------------------------------------------------------------------------------

    def _why_not(self, target: PortItem) -> object:
        """None if `target` accepts the drag, a reason string if it refuses, `_NA` if not involved."""
        s, t, doc = self.source, target, self.document
        if t is s:
            return _NA
        pair = (s.kind, t.kind)
        if pair == (PortKind.CELL_OUTPUT, PortKind.STEP_INPUT):
            if self.detach == (t.node_id, "inputs", t.name):
                return None  # dropping back where it was: fine, nothing changes
            return doc.why_not_connect_input(t.node_id, t.name, s.node_id)
        if pair == (PortKind.STEP_OUTPUT, PortKind.CELL_INPUT):
            return doc.why_not_connect_output(s.node_id, s.name, t.node_id)
        if self.detach is not None:
            return _NA
        if pair == (PortKind.STEP_OUTPUT, PortKind.STEP_INPUT):
            return self.document.why_not_chain(s.node_id, s.name, t.node_id, t.name)
        if pair == (PortKind.STEP_INPUT, PortKind.CELL_OUTPUT):
            return doc.why_not_connect_input(s.node_id, s.name, t.node_id)
        if pair == (PortKind.STEP_INPUT, PortKind.STEP_OUTPUT):
            return self.document.why_not_chain(t.node_id, t.name, s.node_id, s.name)
        if pair == (PortKind.CELL_INPUT, PortKind.STEP_OUTPUT):
            return doc.why_not_connect_output(t.node_id, t.name, s.node_id)
        return _NA

    # --- edits ---------------------------------------------------------------------------------------

    def _connect(self, s: PortItem, t: PortItem, detach: tuple[UUID, str, str] | None) -> None:
        doc = self.document
        pair = (s.kind, t.kind)
        if pair == (PortKind.CELL_OUTPUT, PortKind.STEP_INPUT):
            if detach is None:
                doc.connect_input(t.node_id, t.name, s.node_id)
            elif detach != (t.node_id, "inputs", t.name):
                with _macro(doc, f"Re-wire {detach[2]} to {t.name}"):
                    doc.connect_input(detach[0], detach[2], None)
                    doc.connect_input(t.node_id, t.name, s.node_id)
        elif pair == (PortKind.STEP_OUTPUT, PortKind.CELL_INPUT):
            if doc.find_step(s.node_id).outputs.get(s.name) != t.node_id:
                doc.connect_output(s.node_id, s.name, t.node_id)
        elif pair == (PortKind.STEP_INPUT, PortKind.CELL_OUTPUT):
            doc.connect_input(s.node_id, s.name, t.node_id)
        elif pair == (PortKind.CELL_INPUT, PortKind.STEP_OUTPUT):
            doc.connect_output(t.node_id, t.name, s.node_id)
        elif pair == (PortKind.STEP_OUTPUT, PortKind.STEP_INPUT):
            self._chain(s, t)
        elif pair == (PortKind.STEP_INPUT, PortKind.STEP_OUTPUT):
            self._chain(t, s)

    def _chain(self, out_port: PortItem, in_port: PortItem) -> None:
        """Function → function: put a new cell halfway between them, wired on both sides."""
        doc = self.document
        mid = (out_port.scenePos() + in_port.scenePos()) / 2
        x, y = mid.x() - style.CELL_WIDTH / 2, mid.y() - style.CELL_HEIGHT / 2
        with _macro(doc, f"Connect {out_port.name} to {in_port.name}"):
            cell = doc.add_cell(self._alias_for(out_port), x, y)
            doc.connect_output(out_port.node_id, out_port.name, cell.id)
            doc.connect_input(in_port.node_id, in_port.name, cell.id)

    def _drop_on_empty(self, s: PortItem, detach: tuple[UUID, str, str] | None, pos: QPointF) -> None:
        doc = self.document
        if detach is not None:  # an existing wire pulled off into nothing: disconnect it
            if detach[1] == "inputs":
                doc.connect_input(detach[0], detach[2], None)
            else:
                doc.connect_output(detach[0], detach[2], None)
        elif s.kind == PortKind.STEP_OUTPUT:
            with _macro(doc, f"New cell for {s.name}"):
                cell = doc.add_cell(self._alias_for(s), pos.x(), pos.y() - style.CELL_HEIGHT / 2)
                doc.connect_output(s.node_id, s.name, cell.id)
        elif s.kind == PortKind.STEP_INPUT:  # an input port asks for a value: an input cell, ready to edit
            with _macro(doc, f"New cell for {s.name}"):
                cell = doc.add_cell(self._unique_alias(s.name), pos.x() - style.CELL_WIDTH,
                                    pos.y() - style.CELL_HEIGHT / 2, value=self._starting_value(s))
                doc.connect_input(s.node_id, s.name, cell.id)
            self.scene.select_ids({cell.id})

    def _starting_value(self, in_port: PortItem) -> Any:
        """The input's param if the step has one, else its default if it has one, else the empty value of
        its type (0, 0.0, "", [] …)."""
        step = self.document.find_step(in_port.node_id)
        if in_port.name in step.params:  # the value shown on the node goes on in the cell
            return copy.deepcopy(step.params[in_port.name])
        if step.group_id is not None:  # a group's input: the value its cell inside keeps, else by the type
            return group_input_value(self.document, step, in_port.name)
        function = self.document.function_of(step)
        port = function.input(in_port.name) if function is not None else None
        if port is None:
            return None
        if not port.required:
            try:  # a cell holds JSON: a copy of the default as JSON (a tuple becomes a list; not inf or NaN)
                return json.loads(json.dumps(port.default, allow_nan=False))
            except (TypeError, ValueError):
                pass
        return empty_value_for(port.type)

    def _alias_for(self, out_port: PortItem) -> str:
        if out_port.name and out_port.name != "return":
            return self._unique_alias(out_port.name)
        slug = self.document.find_step(out_port.node_id).function_slug
        return self._unique_alias(slug.rsplit(".", 1)[-1])

    def _unique_alias(self, base: str) -> str:
        taken = {c.alias for c in self.document.graph.cells}
        alias, n = base, 2
        while alias in taken:
            alias, n = f"{base}_{n}", n + 1
        return alias


def group_input_value(document, instance, name: str) -> Any:
    """What a new input cell for a group's input starts with: the value the port's cell inside keeps (used
    when the port is left unwired), else the empty value of what the steps inside expect."""
    definition = document.definition_of(instance)
    inner = definition.inputs.get(name) if definition is not None else None
    spec = next((cell for cell in definition.cells if cell.id == inner), None) if inner is not None else None
    if spec is not None and spec.has_value:
        return copy.deepcopy(spec.value)
    ports = document.input_ports(instance, name)
    return empty_value_for(ports[0].type) if ports else None


def empty_value_for(hint: Any) -> Any:
    """A value of the type `hint` names, for a new input cell: 0, 0.0, False, "", [], {} (None if unknown)."""
    kind = kind_for_hint(hint)
    if kind is not None:
        return default_for(kind)
    origin = typing.get_origin(hint) or hint
    if origin in (list, tuple, set, frozenset):
        return []
    if origin is dict:
        return {}
    return None


class _macro:
    """`with _macro(doc, text):` — several edits, one undo step."""

    def __init__(self, document, text: str) -> None:
        self.stack, self.text = document.undo_stack, text

    def __enter__(self) -> None:
        self.stack.beginMacro(self.text)

    def __exit__(self, *exc) -> None:
        self.stack.endMacro()
