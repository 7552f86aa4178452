"""A node's right-click entries for params and bypass: Convert to Cell, Reset to Default, Convert to
Parameters, Bypass.

"Convert to Cell" on an input's field moves its value (the param, else the default, else an empty value
of its type) into a new input cell wired to it, left of the step, so one value can feed several steps.
"Convert to Parameters" on an input cell that only feeds inputs (it has a value of its own and no step
writes it) is the way back: each input it feeds gets its value as a param, and the cell goes. Each is one
undoable command (see `param_commands.py`).
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QObject, QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from fancy_studio.gui.canvas import WorkflowView, style
from fancy_studio.gui.canvas.node_items import StepNodeItem
from fancy_studio.gui.canvas.param_rows import CHOICE, DEFAULT, EXPOSED, SET, InputRow, as_param, choices
from fancy_studio.gui.canvas.port_item import PortKind
from fancy_studio.gui.canvas.scene import GRID_SIZE
from fancy_studio.gui.canvas.wire_drag import empty_value_for
from fancy_studio.gui.document.document import WorkflowDocument

CELL_GAP = 60.0
"""Room between a converted cell and the step it feeds."""


def unique_alias(document: WorkflowDocument, base: str) -> str:
    taken = {cell.alias for cell in document.graph.cells}  # the level edited (inside a group: its cells)
    alias, n = base, 2
    while alias in taken:
        alias, n = f"{base}_{n}", n + 1
    return alias


def starting_value(row: InputRow):
    """What a cell made from the input holds: its param, else its default, else an empty value of its type."""
    if row.state == SET:
        return row.value
    if row.state == DEFAULT:
        value = as_param(row.value)
        if value is not None or row.value is None:
            return value
    if row.kind == CHOICE:
        return choices(row.port)[0][1]
    return empty_value_for(row.port.type)


class ParamActions(QObject):
    """Fills a node's context menu with what applies to its params and to bypass."""

    def __init__(self, view: WorkflowView, document: WorkflowDocument, bypass_action: QAction) -> None:
        super().__init__(view)
        self.view, self.document, self.bypass_action = view, document, bypass_action
        self.scene = view.workflow_scene

    def fill_node_menu(self, menu: QMenu, node_id: UUID, scene_pos: QPointF) -> None:
        """The entries for the node right-clicked at `scene_pos` (a step's field, a step, an input cell)."""
        item = self.scene.item_for(node_id)
        if isinstance(item, StepNodeItem) and self.document.find_step(node_id) is not None:
            menu.addAction(self.bypass_action)
            row = item.input_row_at(item.mapFromScene(scene_pos))
            if row is not None and row.port is not None:
                self._row_entries(menu, node_id, row)
            else:
                rows = [row for row, _y in item.input_layout if row.has_field and row.port is not None]
                if rows:
                    sub = menu.addMenu("Convert to &Cell")
                    sub.setObjectName("convert-to-cell-menu")
                    for row in rows:
                        self._add(sub, row.name, f"convert-{row.name}-to-cell-action",
                                  lambda _=False, r=row: self.param_to_cell(node_id, r.name))
        elif self.document.find_cell(node_id) is not None:
            why_not = self.document.why_not_cell_to_params(node_id)
            readers = len(self.document.readers_of(node_id))
            action = self._add(menu, "Convert to &Parameter" + ("s" if readers > 1 else ""),
                               "convert-to-params-action", lambda: self.document.cell_to_params(node_id))
            action.setEnabled(why_not is None)
            action.setStatusTip(why_not or "Put the cell's value on each step it feeds, and remove the cell")
            action.setToolTip(action.statusTip())
            menu.setToolTipsVisible(True)

    def _row_entries(self, menu: QMenu, step_id: UUID, row: InputRow) -> None:
        if row.state == EXPOSED:
            return  # inside a group, set on the group's node (its menu's Stop Exposing comes first)
        self._add(menu, f"Convert “{row.name}” to &Cell", "convert-to-cell-action",
                  lambda: self.param_to_cell(step_id, row.name))
        if row.state == SET and not row.port.required:
            self._add(menu, f"&Reset “{row.name}” to Default", "reset-param-action",
                      lambda: self.document.clear_param(step_id, row.name))

    @staticmethod
    def _add(menu: QMenu, text: str, name: str, slot) -> QAction:
        action = menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def param_to_cell(self, step_id: UUID, name: str):
        """Convert the input's value to a new cell left of the step, and select the cell."""
        item = self.scene.item_for(step_id)
        row = next((row for row, _y in item.input_layout if row.name == name), None) \
            if isinstance(item, StepNodeItem) else None
        if row is None or not row.has_field or row.port is None:
            return None
        port = item.port(PortKind.STEP_INPUT, name).scenePos()
        x = _grid(item.x() - style.CELL_WIDTH - CELL_GAP)
        y = _grid(port.y() - style.CELL_HEIGHT / 2)
        cell = self.document.param_to_cell(step_id, name, starting_value(row), x, y,
                                           unique_alias(self.document, name))
        if cell is not None:
            self.scene.select_ids({cell.id})
        return cell


def _grid(value: float) -> float:
    return round(value / GRID_SIZE) * GRID_SIZE
