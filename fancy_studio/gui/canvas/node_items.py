"""Step and cell nodes: they draw what the document says and rebuild themselves from it on refresh()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem, QWidget

from fancy_studio.core.bypass import pass_through
from fancy_studio.core.durations import duration_text
from fancy_studio.gui.canvas import cell_preview, param_rows, status_badge, style
from fancy_studio.gui.canvas.hover import HoverHighlight
from fancy_studio.gui.canvas.node_titles import cell_lines, draw_overview_title, title_font
from fancy_studio.gui.canvas.port_item import PortItem, PortKind, draw_port
from fancy_studio.gui.run.status import IDLE, StepRunInfo, StepState

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument

BYPASSED_INFO = StepRunInfo(StepState.BYPASSED)
"""What a bypassed step's badge shows before a run."""
_TITLE_FONT = style.TITLE_FONT
_LABEL_FONT = style.LABEL_FONT
_CORNER = 8.0
"""Radius of a node's rounded corners."""
CELL_TEXT_MARGIN = 12.0
"""Room left and right of a cell's text, for its ports and the round ends of its pill."""


def header_path(width: float, height: float, radius: float = _CORNER) -> QPainterPath:
    """A step's header: rounded top corners like the body, a straight bottom edge.

    One outline, so no fill rule can leave holes (a rounded rect united with a rect under the
    odd-even rule showed the body through the overlap and left coloured "ears" at the corners)."""
    path = QPainterPath()
    path.moveTo(0, height)
    path.lineTo(0, radius)
    path.arcTo(QRectF(0, 0, 2 * radius, 2 * radius), 180, -90)
    path.lineTo(width - radius, 0)
    path.arcTo(QRectF(width - 2 * radius, 0, 2 * radius, 2 * radius), 90, -90)
    path.lineTo(width, height)
    path.closeSubpath()
    return path


_NODE_FLAGS = (QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
               | QGraphicsItem.GraphicsItemFlag.ItemContainsChildrenInShape)
"""No ItemSendsGeometryChanges and no itemChange() override: see `NodeItem.mouseMoveEvent`."""
_NO_PEN = QPen(Qt.PenStyle.NoPen)
"""Shared by every node (made once, not converted from the pen style for each of thousands)."""


class NodeItem(HoverHighlight, QGraphicsRectItem):
    """Common behaviour: movable, selectable, cached, hover feedback, tells the scene when it moves.

    A `QGraphicsRectItem` (its rect is the bounding box) so that Qt asks C++, not Python, for the
    bounding rect on every frame: while a run's worker thread computes in Python, each call into Python
    from a paint would wait for the GIL, and a frame of thousands of nodes would stall the window.
    With the device cache, an unchanged node is painted without any Python call at all.

    Its bounding rect and shape take in its ports, and it tells Qt so (`ItemContainsChildrenInShape`):
    a node outside the view is skipped with its ports, instead of each port being asked, in Python, for
    its own bounds on every frame (at 30,000 steps that made a frame at 100 % cost ten times a small
    workflow's).
    """

    def __init__(self, document: WorkflowDocument, node_id: UUID) -> None:
        super().__init__()
        self.setPen(_NO_PEN)
        self.document, self.node_id = document, node_id
        self.ports: list[PortItem] = []
        self.shown_generation = -1
        """The scene's run-notification generation this node last showed (see `WorkflowScene`)."""
        self._port_index: dict[tuple[PortKind, str | None], PortItem] = {}  # (kind, name) -> first such port
        self._hover = False
        self._shape: QPainterPath | None = None
        self._size = QRectF(0, 0, 100, 40)
        self.setPos(*document.position(node_id))
        self.setFlags(_NODE_FLAGS)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    @property
    def _size(self) -> QRectF:
        return self._body

    @_size.setter
    def _size(self, rect: QRectF) -> None:
        self._body = rect
        self._shape = None
        # the bounding rect, answered in C++: the body, its border, and the ports on its left and right edges
        side = max(3.0, style.PORT_HIT_RADIUS)
        self.setRect(rect.adjusted(-side, -3, side, 3))

    def body_rect(self) -> QRectF:
        """The node's body in its own coordinates (its bounding rect adds the border and the ports)."""
        return QRectF(self._size)

    def shape(self) -> QPainterPath:
        """The body and its ports' circles (made when first asked: building thousands of nodes asks none)."""
        if self._shape is None:
            path = QPainterPath()
            path.setFillRule(Qt.FillRule.WindingFill)  # overlapping parts stay inside
            path.addRoundedRect(self._size, _CORNER, _CORNER)
            for port in self.ports:
                path.addEllipse(port.pos(), style.PORT_HIT_RADIUS, style.PORT_HIT_RADIUS)
            self._shape = path
        return self._shape

    def port(self, kind: PortKind, name: str | None = None) -> PortItem | None:
        return self._port_index.get((kind, name))

    def _add_port(self, port: PortItem) -> None:
        scene = self.scene()
        if scene is not None and getattr(scene, "overview", False):
            port.setVisible(False)  # rebuilt while zoomed far out: stays hidden like its siblings
        self.ports.append(port)
        self._port_index.setdefault((port.kind, port.name), port)
        self._shape = None

    def set_ports_visible(self, visible: bool) -> None:
        for port in self.ports:
            port.setVisible(visible)

    def _clear_ports(self) -> None:
        for port in self.ports:
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        self.ports = []
        self._port_index = {}

    def _border_pen(self) -> QPen:
        if self.isSelected():
            return QPen(style.SELECTED, 2.0)
        return QPen(style.HOVER if self._hover else style.NODE_BORDER, 1.5 if self._hover else 1.0)

    def mouseMoveEvent(self, event) -> None:
        """Qt drags this node and every selected one: keep their wires attached.

        Told here rather than by an itemChange() override: Qt calls an item's itemChange() for every
        flag, z value, tooltip, child, scene and selection change, some ten calls into Python per node
        as it is built, which made up a fifth of undoing the delete of 3,000 steps. Whoever else moves
        a node (the scene, from the model) places its wires itself."""
        super().mouseMoveEvent(event)
        scene = self.scene()
        if scene is not None:
            scene.nodes_dragged([self, *scene.selectedItems()])


    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Zoomed far out, a node is a filled block (cheap for thousands); otherwise its full drawing."""
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < style.LOW_DETAIL:
            fill = style.SELECTED if self.isSelected() else self.low_detail_color()
            painter.fillRect(self._size, fill)
            draw_overview_title(painter, self._size, lod, self.overview_title(), fill)
            return
        self.paint_detail(painter, lod)
        self.draw_ports(painter)

    def run_status(self):
        """The scene's `RunStatusModel`, or None (a scene without runs, e.g. in a test)."""
        scene = self.scene()
        return getattr(scene, "run_status", None) if scene is not None else None

    drawn_by_layer = False
    """Zoomed far out, the scene's blocks layer draws this node and the item paints nothing (set by
    `WorkflowScene.set_blocks`)."""

    def show_run_state(self) -> None:
        """Re-read what the run model says about this node and repaint."""
        self.repaint()

    def repaint(self) -> None:
        """`update()`, unless the blocks layer draws the node: Qt would still file and map a dirty item that
        paints nothing, and a run's catch-up marking 20,000 of them cost 60–90 ms of C++ in one turn."""
        if not self.drawn_by_layer:
            self.update()

    def tooltip_text(self) -> str:
        """The node's tooltip, worded when the pointer rests on it (see `WorkflowScene.helpEvent`)."""
        return self.toolTip()

    def draw_ports(self, painter: QPainter) -> None:
        """The ports at rest, as part of the node's cached picture (see `PortItem`)."""
        for port in self.ports:
            draw_port(painter, port.pos(), port.color)

    def low_detail_color(self) -> QColor:
        raise NotImplementedError

    def overview_title(self) -> str:
        """What the node's block says in the overview."""
        raise NotImplementedError

    def paint_detail(self, painter: QPainter, lod: float) -> None:
        """The full drawing at level of detail `lod` (titles grow as it falls, see `node_titles`)."""
        raise NotImplementedError

class StepNodeItem(NodeItem):
    """A function call: coloured header, inputs on the left, outputs on the right."""

    def __init__(self, document: WorkflowDocument, step_id: UUID) -> None:
        super().__init__(document, step_id)
        self.setZValue(2)
        self.refresh()

    def refresh(self) -> None:
        """Re-read title and ports from the model (a placeholder's ports follow its wired names)."""
        step = self.document.find_step(self.node_id)
        if step is None:
            return
        self.prepareGeometryChange()
        function = self.document.function_of(step)
        self.placeholder = placeholder = function is None
        if function is not None:
            self.title = step.label or function.title
            self.subtitle = ""
            self.header = style.category_color(function.category)
            outputs = [(p.name, p.type, p.type_name) for p in function.outputs]
        else:
            self.title = step.label or step.function_slug
            self.subtitle = f"missing: {step.function_slug}"
            self.header = style.PLACEHOLDER
            outputs = [(n, Any, "?") for n in step.outputs]
        self.description = function.description if function else f"Function '{step.function_slug}' is not installed"
        self.bypass = step.bypass
        self.passes = pass_through(function) if step.bypass and function is not None else None
        """(input, output) a bypassed step passes its value through, or None."""
        self._clear_ports()
        rows = param_rows.input_rows(step, function)
        height = param_rows.body_height(len(outputs), len(rows), placeholder)
        self._size = QRectF(0, 0, style.STEP_WIDTH, height)
        # outputs first, then a row per input (its value's field, when no wire feeds it): see `param_rows`
        first_input = len(outputs)
        self.input_layout = [(row, param_rows.row_centre(first_input + i, placeholder))
                             for i, row in enumerate(rows)]
        self.output_layout = [(name, tname, param_rows.row_centre(i, placeholder))
                              for i, (name, _hint, tname) in enumerate(outputs)]
        for row, y in self.input_layout:
            port = PortItem(self, self.node_id, PortKind.STEP_INPUT, row.name,
                            row.port.type if row.port is not None else Any, row.type_name)
            port.setPos(0.0, y)
            self._add_port(port)
        for (name, hint, tname), (_name, _tname, y) in zip(outputs, self.output_layout, strict=True):
            port = PortItem(self, self.node_id, PortKind.STEP_OUTPUT, name, hint, tname)
            port.setPos(style.STEP_WIDTH, y)
            self._add_port(port)
        self.update()

    def input_row_at(self, pos) -> param_rows.InputRow | None:
        """The input whose field is at `pos` (the node's coordinates), or None."""
        width = self._size.width()
        for row, y in self.input_layout:
            if row.has_field and param_rows.field_rect(y, width).contains(pos):
                return row
        return None

    def input_name_at(self, pos) -> str | None:
        """The input whose row (its field or its label, the node's width across) is at `pos`, or None."""
        if not 0 <= pos.x() <= self._size.width():
            return None
        half = style.ROW_HEIGHT / 2
        return next((row.name for row, y in self.input_layout if y - half <= pos.y() < y + half), None)

    def field_rect(self, name: str) -> QRectF | None:
        """Where an input's field is drawn (the node's coordinates), or None when a wire feeds it."""
        for row, y in self.input_layout:
            if row.name == name and row.has_field:
                return param_rows.field_rect(y, self._size.width())
        return None

    def run_info(self) -> StepRunInfo:
        status = self.run_status()
        return status.info(self.node_id) if status is not None else IDLE

    pointer = None
    """Where the pointer rests on the node (its coordinates), for the tooltip of the field under it."""

    def hoverMoveEvent(self, event) -> None:
        self.pointer = event.pos()
        super().hoverMoveEvent(event)

    def tooltip_text(self) -> str:
        """Over an input's field, what it holds and what a click does; elsewhere the function's description,
        after the run state (a failed step's carries the exception)."""
        if self.pointer is not None and (row := self.input_row_at(self.pointer)) is not None:
            return param_rows.row_tip(row)
        info = self.run_info()
        tip = self.description
        bypassed = info.state is StepState.IDLE or info.state is StepState.BYPASSED
        if self.bypass and bypassed and not status_badge.shows_stale(info):
            passes = f"input '{self.passes[0]}' passes through to output '{self.passes[1]}'" if self.passes \
                else "no input has an output's type: its outputs get no value"
            return f"Bypassed (Ctrl+B): {passes}\n\n{tip}"
        if status_badge.shows_stale(info):
            tip = f"Stale: {info.stale}\n\n{tip}"
        elif info.state is StepState.FAILED and info.error is not None:
            where = status_badge.worker_note(info)
            tip = f"Failed{where}: {info.error.type_name}: {info.error.message}\n\n{tip}"
        elif info.state is StepState.DONE:
            tip = f"Done in {duration_text(info.seconds)}{status_badge.worker_note(info)}\n\n{tip}"
        elif info.state is StepState.CACHED:
            tip = f"Cached, {status_badge.CACHED_TIP}\n\n{tip}"
        elif info.state is StepState.SKIPPED:
            tip = f"Skipped: {info.reason or 'a step it reads from failed'}\n\n{tip}"
        elif info.state is not StepState.IDLE:
            tip = f"{info.state.value.capitalize()}\n\n{tip}"
        return tip

    def low_detail_color(self) -> QColor:
        state = self.run_info().state
        if self.bypass and state is StepState.IDLE:
            state = StepState.BYPASSED
        return status_badge.LOW_DETAIL.get(state, self.header)

    def overview_title(self) -> str:
        return self.title

    def paint_detail(self, painter: QPainter, lod: float) -> None:
        rect = self._size
        info = self.run_info()
        if self.bypass:  # drawn dimmed, with a "bypassed" badge until a run says more
            painter.setOpacity(0.45)
            if info.state is StepState.IDLE and info.stale is None:
                info = BYPASSED_INFO
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        body = QPainterPath()
        body.addRoundedRect(rect, 8, 8)
        painter.fillPath(body, style.NODE_BODY)
        painter.fillPath(header_path(rect.width(), style.HEADER_HEIGHT), self.header)
        pen = self._border_pen()
        if self.placeholder and not self.isSelected():
            pen = QPen(style.TEXT_DIM, 1.5, Qt.PenStyle.DashLine)
        elif info.state in status_badge.BORDER and not self.isSelected():
            pen = QPen(status_badge.BORDER[info.state], 2.0)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(body)
        font = title_font(_TITLE_FONT, lod, style.HEADER_HEIGHT - 3)
        painter.setFont(font)
        painter.setPen(style.TEXT)
        metrics = QFontMetricsF(font)
        title_width = rect.width() - 16 - status_badge.width(info)
        title = metrics.elidedText(self.title, Qt.TextElideMode.ElideRight, title_width)
        painter.drawText(QRectF(8, 0, title_width, style.HEADER_HEIGHT), Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(_LABEL_FONT)
        if self.subtitle:
            painter.setPen(style.REFUSE.lighter(120))
            painter.drawText(QRectF(8, style.HEADER_HEIGHT + 2, rect.width() - 16, style.ROW_HEIGHT),
                             Qt.AlignmentFlag.AlignVCenter, self.subtitle)
        param_rows.draw_outputs(painter, rect.width(), self.output_layout)
        param_rows.draw_inputs(painter, rect.width(), self.input_layout)
        painter.setOpacity(1.0)
        if self.passes is not None:
            ends = [y for row, y in self.input_layout if row.name == self.passes[0]]
            ends += [y for name, _t, y in self.output_layout if name == self.passes[1]]
            if len(ends) == 2:
                param_rows.draw_pass_through(painter, QPointF(0, ends[0]), QPointF(rect.width(), ends[1]),
                                             status_badge.BYPASSED)
        status_badge.paint(painter, QRectF(0, 0, rect.width(), style.HEADER_HEIGHT), info,
                           getattr(self.scene(), "spinner_phase", 0))


class CellNodeItem(NodeItem):
    """A value: a pill with alias and preview; producer arrives on the left, readers leave on the right."""

    def __init__(self, document: WorkflowDocument, cell_id: UUID) -> None:
        super().__init__(document, cell_id)
        self.setZValue(2)
        self._size = QRectF(0, 0, style.CELL_WIDTH, style.CELL_HEIGHT)
        self.refresh()

    def cell_type(self) -> tuple[Any, str]:
        """The best-known type of the cell: its value's, else its producer's output type."""
        cell = self.document.find_cell(self.node_id)
        if cell is not None and cell.has_value:
            return type(cell.value), type(cell.value).__name__
        producer = self.document.producer_of(self.node_id)
        if producer is not None:
            function = self.document.function_of(producer[0])
            port = function.output(producer[1]) if function else None
            if port is not None:
                return port.type, port.type_name
        return Any, "any"

    def refresh(self) -> None:
        cell = self.document.find_cell(self.node_id)
        if cell is None:
            return
        self.alias = cell.alias or str(cell.id)[:8]
        self.literal = cell.has_value
        self.show_value()
        hint, tname = self.cell_type()
        self.color = style.type_color(hint)
        self.setToolTip(f"{self.alias} ({tname})" + (f"\n{cell.description}" if cell.description else ""))
        self._clear_ports()
        h = style.CELL_HEIGHT / 2
        for kind, x in ((PortKind.CELL_INPUT, 0.0), (PortKind.CELL_OUTPUT, style.CELL_WIDTH)):
            port = PortItem(self, self.node_id, kind, None, hint, tname)
            port.setPos(x, h)
            self._add_port(port)
        self.update()

    value_outdated = False
    """The stored value changed while the blocks layer drew this cell: read it when the cell is drawn
    again (`WorkflowScene.set_blocks`)."""
    preview: cell_preview.CellPreview | None = None
    """The image thumbnail or table outline drawn under the pill (see `cell_preview`), or None."""
    preview_kind: str | None = None

    def show_run_state(self) -> None:
        if self.drawn_by_layer:  # a block shows no value: leave the store alone until one is drawn
            self.value_outdated = True
            return
        self.show_value()

    def show_value(self) -> None:
        """A literal shows its value; a computed cell shows what the last run stored, if anything."""
        cell = self.document.find_cell(self.node_id)
        if cell is None:
            return
        self.computed = False
        self.value_outdated = False
        if cell.has_value:
            value = cell.value
            self.value_text = style.preview(cell.value)
        else:
            status = self.run_status()
            stored, value = status.computed_value(self.node_id) if status is not None else (False, None)
            stale = stored and status.stale_reason(self.node_id) is not None
            self.computed = stored and not stale  # a stale value is drawn dim, never as current
            self.value_text = (f"stale: {style.preview(value)}" if stale else f"= {style.preview(value)}") \
                if stored else "computed"
        cell_preview.show(self, value)
        self.repaint()

    def fit_bounds(self) -> None:
        """Bounds and shape take in the preview (or give its room back)."""
        self.setRect(cell_preview.bounds(self))
        self._shape = None

    def shape(self) -> QPainterPath:
        if self._shape is None:
            path = super().shape()
            if self.preview is not None:
                path.addRect(self.preview.rect)  # a right-click on the preview is the cell's
        return self._shape

    def low_detail_color(self) -> QColor:
        return self.color.darker(200)

    def overview_title(self) -> str:
        return self.alias

    def paint_detail(self, painter: QPainter, lod: float) -> None:
        rect = self._size
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = rect.height() / 2
        fill = QColor(self.color)
        fill.setAlpha(60 if self.literal else 30)
        painter.setBrush(QBrush(style.NODE_BODY))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(rect, radius, radius)
        painter.setBrush(QBrush(fill))
        painter.setPen(self._border_pen())
        painter.drawRoundedRect(rect, radius, radius)
        left, width = rect.left() + CELL_TEXT_MARGIN, rect.width() - 2 * CELL_TEXT_MARGIN
        lines = cell_lines(lod, rect.height())
        top = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        painter.setPen(style.TEXT)
        painter.setFont(lines.alias_font)
        painter.drawText(QRectF(left, rect.top() + lines.alias_top, width, lines.alias_metrics.height()), top,
                         lines.alias_metrics.elidedText(self.alias, Qt.TextElideMode.ElideRight, width))
        painter.setFont(lines.value_font)
        painter.setPen(style.TEXT if self.literal else status_badge.DONE if self.computed else style.TEXT_DIM)
        painter.drawText(QRectF(left, rect.top() + lines.value_top, width, lines.value_metrics.height()), top,
                         lines.value_metrics.elidedText(self.value_text, Qt.TextElideMode.ElideRight, width))
        if self.preview is not None:
            self.preview.paint(painter)

