"""A step node's rows: its outputs, then one row per input; an unwired input shows its value in a field.

As in Blender and ComfyUI, an input no wire feeds is edited on the node itself. Its row is a field with
the input's name on the left and its value on the right: the step's param, drawn bright; else the
function's default, drawn dim; else "required" in red (the step cannot run without a value). A wire
into the input hides the field (the wire wins; the param stays in the file for when the wire goes).

Nothing here is a widget: the node item draws the rows as part of its cached picture, and the canvas
opens an editor over a field only when it is clicked (`param_editor.py`), so a canvas of thousands of
steps costs no widget per param.
"""

from __future__ import annotations

import enum
import json
import typing
from typing import Any, NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from fancy_studio.core import FancyFunction, WorkflowStep
from fancy_studio.core.functions import Port
from fancy_studio.gui.canvas import style
from fancy_studio.gui.panels.value_editor import BOOL, JSON, kind_for_hint

CHOICE = "choice"
"""The editor kind of an input whose type hint is a `Literal` or an `Enum`: a drop-down."""

WIRED, SET, DEFAULT, REQUIRED = "wired", "set", "default", "required"
"""What an input row shows: a wire's label; the step's param; the function's default; a missing value."""
EXPOSED = "exposed"
"""Inside a group, an input the group exposes and the group's node entered sets: "from group: <value>",
edited on that node, not here (see `group_node_item.from_group`)."""

FIELD_LEFT = 14.0
"""Where a field starts, right of the input's port (whose grab circle it must not cover)."""
FIELD_HEIGHT = 16.0
BODY_PADDING = 8.0
"""Room under the last row."""
ROWS_TOP = style.HEADER_HEIGHT + 4
"""The top of the first row."""


class InputRow(NamedTuple):
    """One input as its node shows it (a tuple: thousands are made as a large workflow opens)."""

    name: str
    port: Port | None
    """The function's port; None on a placeholder (its function is not installed)."""
    state: str
    """WIRED, SET, DEFAULT, REQUIRED or EXPOSED."""
    value: Any = None
    """The param (SET) or the default (DEFAULT)."""
    kind: str = ""
    """How the value is edited: INT, FLOAT, BOOL, STR, JSON or CHOICE; "" when it cannot be."""
    type_name: str = "?"

    @property
    def has_field(self) -> bool:
        return self.state != WIRED

    @property
    def editable(self) -> bool:
        return self.state != WIRED and self.state != EXPOSED and self.kind != ""

    @property
    def text(self) -> str:
        """What the field says (a check box's word, for its tooltip and for tests)."""
        if self.state == REQUIRED:
            return "required"
        if self.state == EXPOSED:
            return f"from group: {value_text(self.value)}"
        return value_text(self.value)


def _enum(hint: Any) -> type[enum.Enum] | None:
    return hint if isinstance(hint, type) and issubclass(hint, enum.Enum) else None


def kind_for_port(port: Port) -> str:
    """The editor an input's type hint asks for: a drop-down for a Literal or an Enum, a number field,
    a check box, a line of text, else JSON (any value, any type)."""
    if _enum(port.type) is not None or typing.get_origin(port.type) is typing.Literal:
        return CHOICE
    return kind_for_hint(port.type) or JSON


def choices(port: Port) -> list[tuple[str, Any]]:
    """(label, param value) for each choice of a Literal or Enum input (an Enum's param is a member name)."""
    members = _enum(port.type)
    if members is not None:
        return [(name, name) for name in members.__members__]
    return [(value_text(value), value) for value in typing.get_args(port.type)]


def as_param(value: Any) -> Any:
    """A default as a param could hold it: an Enum member as its name, a tuple as a list; None when JSON
    cannot hold it (the caller then starts from an empty value)."""
    if isinstance(value, enum.Enum):
        return value.name
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        return None


def value_text(value: Any) -> str:
    """A param or default in one line: text as it is, numbers and JSON as written, a member by name."""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, str):  # quoted when its spaces would not show: "", " ", " x"
        return json.dumps(value, ensure_ascii=False) if value.strip() == "" or value != value.strip() \
            else value.replace("\n", "⏎")
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def input_rows(step: WorkflowStep, function: FancyFunction | None) -> list[InputRow]:
    """The step's inputs as its node shows them, in the function's order."""
    inputs, params = step.inputs, step.params
    if function is None:  # a placeholder: its wired inputs, then its params (kept, not editable)
        rows = [InputRow(name, None, WIRED) for name in inputs]
        rows += [InputRow(name, None, SET, value) for name, value in params.items() if name not in inputs]
        return rows
    rows = []
    for port in function.inputs:
        name = port.name
        if name in inputs:
            rows.append(InputRow(name, port, WIRED, type_name=port.type_name))
            continue
        kind = kind_for_port(port)
        if name in params:
            rows.append(InputRow(name, port, SET, params[name], kind, port.type_name))
        elif not port.required:
            rows.append(InputRow(name, port, DEFAULT, port.default, kind, port.type_name))
        else:
            rows.append(InputRow(name, port, REQUIRED, None, kind, port.type_name))
    return rows


def row_tip(row: InputRow) -> str:
    """The tooltip of an input's field: its type, whose value it holds, what a click does."""
    what = f"{row.name}: {row.type_name}"
    if row.state == SET:
        port = row.port
        default = "" if port is None or port.required else f" (its default: {value_text(port.default)})"
        return (f"{what} = {row.text}, the step's own value{default}\n"
                "Click to edit it; right-click to convert it to a cell")
    if row.state == DEFAULT:
        return f"{what}: the function's default, {row.text}\nClick to give the step a value of its own"
    if row.state == REQUIRED:
        return f"{what} is required: click to give it a value, or wire a cell to it"
    return what


# --- geometry ----------------------------------------------------------------------------------------


def row_count(outputs: int, inputs: int, placeholder: bool) -> int:
    """Rows in a step's body: a row per output, then a row per input (at least one), and a placeholder's
    line saying what is missing."""
    return max(outputs + inputs, 1) + (1 if placeholder else 0)


def body_height(outputs: int, inputs: int, placeholder: bool) -> float:
    return ROWS_TOP + row_count(outputs, inputs, placeholder) * style.ROW_HEIGHT + BODY_PADDING - 4


def row_centre(index: int, placeholder: bool) -> float:
    """The y of the centre of row `index` (outputs first, then inputs), where its port sits."""
    return ROWS_TOP + (index + (1 if placeholder else 0)) * style.ROW_HEIGHT + style.ROW_HEIGHT / 2


def field_rect(centre_y: float, width: float) -> QRectF:
    """An input's field, in its node's coordinates."""
    return QRectF(FIELD_LEFT, centre_y - FIELD_HEIGHT / 2, width - FIELD_LEFT - 8, FIELD_HEIGHT)


def step_body_height(step: WorkflowStep, function: FancyFunction | None) -> float:
    """The height of a step's body as drawn, from the model alone (Auto Layout measures nodes with it)."""
    if function is None:
        extra = sum(1 for name in step.params if name not in step.inputs)
        return body_height(len(step.outputs), len(step.inputs) + extra, True)
    return body_height(len(function.outputs), len(function.inputs), False)


# --- drawing -----------------------------------------------------------------------------------------

_DEFAULT_FONT = QFont(style.LABEL_FONT)
_DEFAULT_FONT.setItalic(True)
"""A default's value: italic and dim, until the step sets its own."""
_NAME_SHARE = 0.5
"""Of a field's width, at most this much goes to the input's name; its value gets the rest."""


def draw_inputs(painter: QPainter, width: float, rows: list[tuple[InputRow, float]]) -> None:
    """Each input row at its centre y: a wire's label, or a field with the name and the value."""
    font = style.LABEL_FONT
    metrics = QFontMetricsF(font)
    painter.setFont(font)
    elide = Qt.TextElideMode.ElideRight
    left_v = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    right_v = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for row, y in rows:
        if not row.has_field:
            label = f"{row.name}: {row.type_name}" if row.type_name != "?" else row.name
            painter.setPen(style.TEXT_DIM)
            painter.drawText(QRectF(12, y - 9, width - 24, 18), left_v,
                             metrics.elidedText(label, elide, width - 24))
            continue
        box = field_rect(y, width)
        required = row.state == REQUIRED
        painter.setPen(QPen(style.REFUSE if required else style.NODE_BORDER, 1.0))
        painter.setBrush(style.BACKGROUND)
        painter.drawRoundedRect(box, 4, 4)
        inner = box.adjusted(6, 0, -6, 0)
        name_width = min(metrics.horizontalAdvance(row.name), inner.width() * _NAME_SHARE)
        painter.setPen(style.TEXT_DIM)
        painter.drawText(QRectF(inner.left(), inner.top(), name_width, inner.height()), left_v,
                         metrics.elidedText(row.name, elide, name_width))
        value_box = inner.adjusted(name_width + 8, 0, 0, 0)
        colour = style.REFUSE if required else style.TEXT if row.state in (SET, EXPOSED) else style.TEXT_DIM
        if row.kind == BOOL and not required:
            _draw_check(painter, value_box, bool(row.value), colour)
            continue
        if row.kind == CHOICE:
            _draw_arrow(painter, value_box, colour)
            value_box.setRight(value_box.right() - 10)
        italic = row.state == DEFAULT
        if italic:
            painter.setFont(_DEFAULT_FONT)
        painter.setPen(colour)
        painter.drawText(value_box, right_v, metrics.elidedText(row.text, elide, value_box.width()))
        if italic:
            painter.setFont(font)


def _draw_check(painter: QPainter, box: QRectF, checked: bool, colour) -> None:
    """A check box at the right end of the field."""
    side = 10.0
    square = QRectF(box.right() - side, box.center().y() - side / 2, side, side)
    painter.setPen(QPen(colour, 1.2))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(square, 2, 2)
    if checked:
        painter.setPen(QPen(colour, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPolyline([QPointF(square.left() + 2, square.center().y()),
                              QPointF(square.center().x() - 0.5, square.bottom() - 2.2),
                              QPointF(square.right() - 1.8, square.top() + 2)])


def _draw_arrow(painter: QPainter, box: QRectF, colour) -> None:
    """A drop-down's small triangle at the right end of the field."""
    x, y = box.right() - 3, box.center().y()
    path = QPainterPath()
    path.moveTo(x - 3.5, y - 2)
    path.lineTo(x + 3.5, y - 2)
    path.lineTo(x, y + 2.5)
    path.closeSubpath()
    painter.fillPath(path, colour)


def draw_outputs(painter: QPainter, width: float, outputs: list[tuple[str, str, float]]) -> None:
    """Each output's "name: type" at the right, by its port."""
    metrics = QFontMetricsF(style.LABEL_FONT)
    painter.setFont(style.LABEL_FONT)
    painter.setPen(style.TEXT_DIM)
    right_v = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for name, type_name, y in outputs:
        label = f"{name}: {type_name}" if type_name != "?" else name
        painter.drawText(QRectF(12, y - 9, width - 24, 18), right_v,
                         metrics.elidedText(label, Qt.TextElideMode.ElideRight, width - 24))


def draw_pass_through(painter: QPainter, start: QPointF, end: QPointF, colour) -> None:
    """A bypassed step's wire through its body: from the input that passes to the output it feeds."""
    path = QPainterPath(start)
    dx = max(30.0, (end.x() - start.x()) / 2)
    path.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end)
    painter.setPen(QPen(colour, 2.0, Qt.PenStyle.DashLine, Qt.PenCapStyle.RoundCap))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
