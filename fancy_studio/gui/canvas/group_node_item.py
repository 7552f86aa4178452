"""A group on the canvas: an instance drawn as a step, and a group's ports when it is entered.

An instance (a step whose slug is `group:<definition id>`) is drawn like any step, titled with its
definition's name, with the definition's input ports on its left, its output ports on its right and the
parameters it exposes as fields (edited on the node as a step's params are: they set the instance's
`params`). A card drawn behind it says it holds more than one node. Its run state is the state of the
steps inside it, which the scene's run view aggregates (see `gui/run/level_status.py`).

Inside a group, the cells that are its ports are drawn as cells with an "input" or "output" tab on the
side the instance's wire arrives or leaves: what flows in and out of the group. An inner input the group
exposes is driven from outside, as a Blender group's input is: when the group's node entered sets it, its
field says "from group: <value>" (that node's value) and is edited there, not here; when that node sets
none, the field is the inner step's own value, the group's default, edited here as any field (its tooltip
says which).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from fancy_studio.core import GroupDefinition, WorkflowStep
from fancy_studio.gui.canvas import param_rows, style
from fancy_studio.gui.canvas.node_items import CellNodeItem, NodeItem, StepNodeItem
from fancy_studio.gui.canvas.port_item import PortItem, PortKind
from fancy_studio.gui.document.levels import resolve

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument

CARD_OFFSET = (4.0, 3.0)
"""How far the card behind a group's node shows, right and down (within the node's bounding rect)."""


def group_color() -> QColor:
    """A group's header: the same on every group, apart from the categories' colours."""
    return QColor("#c9c3ec") if style.BACKGROUND.lightness() > 128 else QColor("#5a4f9c")


def make_step_item(document: WorkflowDocument, step_id: UUID) -> StepNodeItem:
    """The item for a step: a group's node for a group instance, else a step's (inside a group, one whose
    exposed inputs come from the group's node)."""
    step = document.find_step(step_id)
    if step is not None and step.group_id is not None:
        return GroupNodeItem(document, step_id)
    return InnerStepItem(document, step_id) if document.level is not None else StepNodeItem(document, step_id)


def make_cell_item(document: WorkflowDocument, cell_id: UUID) -> CellNodeItem:
    """The item for a cell: inside a group, a port's cell is drawn as the group's input or output."""
    if document.level is not None and document.port_of(cell_id) is not None:
        return PortCellItem(document, cell_id)
    return CellNodeItem(document, cell_id)


def group_body_height(definition: GroupDefinition) -> float:
    """The height of a group's node as drawn, from the model alone (Auto Layout measures nodes with it)."""
    inputs = len(definition.inputs) + len(definition.params)
    return param_rows.body_height(len(definition.outputs), inputs, False)


def port_types(document: WorkflowDocument, instance: WorkflowStep, name: str, side: str) -> tuple[Any, str]:
    """The type of a group's port, as the steps inside see it (at any depth): an input port's first reader's
    input type, an output port's producer's output type; Any when it cannot be told. A wire to the port is
    checked against every reader inside (`WorkflowDocument.input_ports`)."""
    if side == "input":
        found = document.input_ports(instance, name)
        port = found[0] if found else None
    else:
        port = document.output_port(instance, name)
    return (port.type, port.type_name) if port is not None else (Any, "?")


def exposed_rows(document: WorkflowDocument, step: WorkflowStep,
                 definition: GroupDefinition) -> list[param_rows.InputRow]:
    """The parameters the group exposes, as fields: the instance's value, else the inner step's own param
    (dim, as a default), else its function's default."""
    inner = {s.id: s for s in definition.steps}
    rows = []
    for name, exposed in definition.params.items():
        target = inner.get(exposed.step)
        function = document.function_of(target) if target is not None else None
        port = function.input(exposed.input) if function is not None else None
        kind = param_rows.kind_for_port(port) if port is not None else param_rows.JSON
        type_name = port.type_name if port is not None else "?"
        if name in step.params:
            rows.append(param_rows.InputRow(name, port, param_rows.SET, step.params[name], kind, type_name))
        elif target is not None and exposed.input in target.params:
            value = target.params[exposed.input]
            rows.append(param_rows.InputRow(name, port, param_rows.DEFAULT, value, kind, type_name))
        elif port is not None and not port.required:
            rows.append(param_rows.InputRow(name, port, param_rows.DEFAULT, port.default, kind, type_name))
        else:
            rows.append(param_rows.InputRow(name, port, param_rows.REQUIRED, None, kind, type_name))
    return rows


def from_group(document: WorkflowDocument, step_id: UUID,
               rows: list[param_rows.InputRow]) -> list[param_rows.InputRow]:
    """Inside a group, the step's input rows with each exposed input the group's node entered sets shown
    as that node's value ("from group: …", not editable here); the rows unchanged elsewhere."""
    if document.level is None:
        return rows
    shown = []
    for row in rows:
        exposed = document.exposed_input(step_id, row.name) if row.has_field else None
        if exposed is not None and exposed.set_by is not None:
            row = param_rows.InputRow(row.name, row.port, param_rows.EXPOSED, exposed.value, "",
                                      row.type_name)
        shown.append(row)
    return shown


def exposed_tip(document: WorkflowDocument, step_id: UUID, row: param_rows.InputRow) -> str:
    """What the tooltip says about an inner input the group exposes ("" when it does not)."""
    exposed = document.exposed_input(step_id, row.name) if row.has_field else None
    if exposed is None:
        return ""
    chain = resolve(document.workflow, document.level.path) if document.level is not None else None
    entered = chain[-1][0] if chain else None
    if exposed.set_by is not None:
        node = document.title_of(exposed.set_by)
        value = param_rows.value_text(exposed.value)
        return (f"'{row.name}' is the group's parameter '{exposed.port}', set from outside: the group's node "
                f"'{node}' gives it {value}. Edit it there (or Stop Exposing it)")
    node = f" '{document.title_of(entered)}'" if entered is not None else ""
    return (f"'{row.name}' is the group's parameter '{exposed.port}'. The group's node{node} sets none, so "
            "this value applies: the group's default, for each of its nodes that sets none")


class FromGroup:
    """Mixin for a step's item (listed before it): inside a group, its exposed inputs show what the group's
    node entered gives them, and the tooltip over such a field says where it is set."""

    _pointer: QPointF | None = None
    """Where the pointer last hovered (the node's coordinates): which field a tooltip is about."""

    def show_from_group(self) -> None:
        """Call at the end of `refresh`."""
        if self.document.level is not None and self.document.find_step(self.node_id) is not None:
            rows = from_group(self.document, self.node_id, [row for row, _y in self.input_layout])
            self.input_layout = [(row, y) for row, (_row, y) in zip(rows, self.input_layout)]

    def hoverMoveEvent(self, event) -> None:
        self._pointer = event.pos()
        super().hoverMoveEvent(event)

    def tooltip_text(self) -> str:
        row = self.input_row_at(self._pointer) if self._pointer is not None else None
        tip = exposed_tip(self.document, self.node_id, row) if row is not None else ""
        return f"{tip}\n\n{super().tooltip_text()}" if tip else super().tooltip_text()


class InnerStepItem(FromGroup, StepNodeItem):
    """A step inside a group (see `FromGroup`)."""

    def refresh(self) -> None:
        super().refresh()
        self.show_from_group()


class GroupNodeItem(FromGroup, StepNodeItem):
    """A group instance: its definition's ports and exposed parameters, a card behind it (inside another
    group, a parameter that group exposes in turn shows what the group's node entered gives it)."""

    def refresh(self) -> None:
        step = self.document.find_step(self.node_id)
        if step is None:
            return
        self.prepareGeometryChange()
        definition = self.document.definition_of(step)
        self.placeholder = placeholder = definition is None
        self.bypass, self.passes = False, None  # a group is never bypassed (its steps may be)
        if definition is not None:
            self.title = step.label or definition.name
            self.subtitle = ""
            self.header = group_color()
            document = self.document
            inputs = [(name, *port_types(document, step, name, "input")) for name in definition.inputs]
            outputs = [(name, *port_types(document, step, name, "output")) for name in definition.outputs]
            params = exposed_rows(self.document, step, definition)
            count = len(definition.steps)
            self.description = (f"Group '{definition.name}': {count} step{'s' if count != 1 else ''} inside. "
                                "Double-click or Tab to open it; Ctrl+Shift+G ungroups it")
        else:
            self.title = step.label or "Missing group"
            self.subtitle = "its definition is missing"
            self.header = style.PLACEHOLDER
            inputs = [(name, Any, "?") for name in step.inputs]
            outputs = [(name, Any, "?") for name in step.outputs]
            params = []
            self.description = f"This group's definition ({step.function_slug[6:]}) is not in the workflow"
        self._clear_ports()
        rows = [param_rows.InputRow(name, None, param_rows.WIRED, type_name=tname)
                for name, _hint, tname in inputs]
        rows += params
        height = param_rows.body_height(len(outputs), len(rows), placeholder)
        self._size = QRectF(0, 0, style.STEP_WIDTH, height)
        self.input_layout = [(row, param_rows.row_centre(len(outputs) + i, placeholder))
                             for i, row in enumerate(rows)]
        self.output_layout = [(name, tname, param_rows.row_centre(i, placeholder))
                              for i, (name, _hint, tname) in enumerate(outputs)]
        for (name, hint, tname), (_row, y) in zip(inputs, self.input_layout):
            port = PortItem(self, self.node_id, PortKind.STEP_INPUT, name, hint, tname)
            port.setPos(0.0, y)
            self._add_port(port)
        for (name, hint, tname), (_name, _tname, y) in zip(outputs, self.output_layout):
            port = PortItem(self, self.node_id, PortKind.STEP_OUTPUT, name, hint, tname)
            port.setPos(style.STEP_WIDTH, y)
            self._add_port(port)
        self.show_from_group()
        self.update()

    def paint_detail(self, painter: QPainter, lod: float) -> None:
        """A card behind the node (a group holds more than one), then the node as a step is drawn."""
        card = self._size.translated(*CARD_OFFSET)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(style.NODE_BORDER, 1.0))
        painter.setBrush(self.header.darker(130) if not self.placeholder else style.NODE_BODY)
        painter.drawRoundedRect(card, 8, 8)
        super().paint_detail(painter, lod)


class PortCellItem(CellNodeItem):
    """A port of the group being edited: a cell with a tab over it saying "input" (the instance's wire
    arrives here) or "output" (it leaves from here). An input shows the value its wire brings."""

    TAB_HEIGHT = 14.0

    def refresh(self) -> None:
        port = self.document.port_of(self.node_id)
        self.side, self.port_name = port if port is not None else ("input", "")
        super().refresh()
        what = "what its node is given there" if self.side == "input" else "what its node gives out there"
        self.setToolTip(f"The group's {self.side} '{self.port_name}': {what}\n{self.toolTip()}")
        self.fit_bounds()  # room for the tab (`cell_preview.bounds`), and for a preview

    def show_value(self) -> None:
        super().show_value()
        if self.side == "input" and not self.literal and not self.computed:
            outer = self.document.outer_cell(self.node_id)
            if outer is not None:  # the value the wire brings in, before any run
                self.value_text = f"= {style.preview(outer.value)}"
                self.computed = True
                self.repaint()

    def paint_detail(self, painter: QPainter, lod: float) -> None:
        super().paint_detail(painter, lod)
        rect = self._size
        radius = rect.height() / 2
        accent = group_color()
        painter.setPen(QPen(accent.lighter(140) if style.BACKGROUND.lightness() < 128 else accent.darker(160),
                            1.5, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(2.5, 2.5, -2.5, -2.5), radius - 2.5, radius - 2.5)
        font = style.LABEL_FONT
        painter.setFont(font)
        text = f"group {self.side}"
        box = QRectF(0, 0, QFontMetricsF(font).horizontalAdvance(text) + 10, self.TAB_HEIGHT)
        box.moveBottom(rect.top() + 1)
        if self.side == "input":
            box.moveLeft(rect.left() + radius - 4)
        else:
            box.moveRight(rect.right() - radius + 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(accent)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(style.TEXT)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def is_group_item(item: NodeItem | None) -> bool:
    return isinstance(item, GroupNodeItem)
