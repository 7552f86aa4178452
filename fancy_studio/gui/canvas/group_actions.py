"""The window's group actions: Group (Ctrl+G), Ungroup (Ctrl+Shift+G), Enter Group (Tab, or a double-click
on a group's node), Leave Group (Esc, or the breadcrumb), Rename Group, Expose on Group; the palette's
"This workflow" category, from which a group is dragged to add another instance of it.

Inside a group, its ports are changed where they are drawn: a cell's menu makes it a Group Input (no step
inside writes it; its value is the port's default) or a Group Output (a step inside writes it), a port's
menu makes it a plain cell again (Delete deletes it) when none of the group's nodes wires it; an unwired
input's field offers Make Group Input (its value moves into a new input port's cell).

Enter and Leave are shortcuts of the canvas itself (they act while it has the focus, so Tab and Esc keep
their meaning in the docks' fields and in the canvas's own editors); Leave is off while a run goes, when
Esc stops the run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QObject, QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget
from shiboken6 import isValid

from fancy_studio.core import group_slug
from fancy_studio.gui.canvas.breadcrumb import Breadcrumb
from fancy_studio.gui.canvas.group_node_item import GroupNodeItem
from fancy_studio.gui.canvas.node_items import StepNodeItem
from fancy_studio.gui.canvas.param_actions import CELL_GAP, starting_value, unique_alias
from fancy_studio.gui.canvas.port_item import PortKind
from fancy_studio.gui.canvas.style import CELL_HEIGHT, CELL_WIDTH
from fancy_studio.gui.window_action import window_action

if TYPE_CHECKING:
    from fancy_studio.gui.canvas.view import WorkflowView
    from fancy_studio.gui.panels.palette import PaletteWidget

GROUP_CATEGORY = "This workflow"
"""The palette's category of the workflow's own groups."""


class GroupActions(QObject):
    """Group, Ungroup, Enter, Leave, Rename Group and Expose on Group for one window's canvas."""

    def __init__(self, window: QWidget, view: WorkflowView, palette: PaletteWidget | None = None,
                 message: Callable[[str], object] | None = None) -> None:
        super().__init__(window)
        self.window, self.view, self.palette = window, view, palette
        self.document, self.scene = view.document, view.workflow_scene
        self._message = message or (lambda _text: None)
        act = window_action
        self.group_action = act(window, "group-action", "&Group", self.group, ["Ctrl+G"],
                                "Make the selected steps one group node (Ctrl+G)")
        self.ungroup_action = act(window, "ungroup-action", "&Ungroup", self.ungroup, ["Ctrl+Shift+G"],
                                  "Put the nodes of the selected groups back in their place (Ctrl+Shift+G)")
        self.enter_action = self._canvas_action("enter-group-action", "&Enter Group", self.enter_selected,
                                                Qt.Key.Key_Tab, "Open the selected group to edit it (Tab)")
        self.leave_action = self._canvas_action("leave-group-action", "&Leave Group", self.leave,
                                                Qt.Key.Key_Escape, "Back to the level the group is on (Esc)")
        self.rename_group_action = act(window, "rename-group-action", "Rena&me Group…", self.rename_group,
                                       tip="Rename the selected group: every node of it takes the name")
        self.breadcrumb = Breadcrumb(view)
        self.scene.selectionChanged.connect(self.update_actions)
        document = self.document
        document.level_changed.connect(self._level_changed)
        document.groups_changed.connect(self.update_palette)
        document.reset.connect(self._level_changed)
        document.undo_stack.lock_changed.connect(lambda _locked: self.update_actions())
        self.update_palette()
        self.update_actions()

    def _canvas_action(self, name: str, text: str, slot, key: Qt.Key, tip: str) -> QAction:
        """An action whose shortcut works while the canvas itself has the focus."""
        action = QAction(text, self.window)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.view.addAction(action)
        return action

    # --- what the actions do -----------------------------------------------------------------------------

    def group(self) -> bool:
        """Group the selected steps (and the cells only they use); the new group's node is selected."""
        selected = self.scene.selected_ids()
        instance = self.document.group_nodes(selected) if selected else None
        if instance is None:
            if self.document.undo_stack.locked_reason is None:
                self._message("Select the steps to group (with the cells between them)")
            return False
        self.scene.select_ids({instance.id})
        self._message(f"Grouped as '{self.document.title_of(instance)}': double-click or Tab to open it")
        return True

    def ungroup(self) -> bool:
        restored = self.document.ungroup_nodes(self.scene.selected_ids())
        if not restored:
            if self.document.undo_stack.locked_reason is None:
                self._message("Select a group's node to ungroup it")
            return False
        self.scene.select_ids(set(restored))
        return True

    def enter(self, node_id: UUID) -> bool:
        """Open the group whose node this is; False when it is no group's node."""
        step = self.document.find_step(node_id)
        if step is None or step.group_id is None:
            return False
        if self.document.definition_of(step) is None:
            self._message("This group's definition is missing from the workflow: it cannot be opened")
            return True
        self.view.setFocus()
        return self.document.enter_group(node_id)

    def enter_selected(self) -> bool:
        groups = [node_id for node_id in self.scene.selected_ids()
                  if (step := self.document.find_step(node_id)) is not None and step.group_id is not None]
        if len(groups) != 1:
            self._message("Select one group's node to open it")
            return False
        return self.enter(groups[0])

    def leave(self) -> bool:
        if self.scene.wire_drag.active:  # Esc first ends a wire being dragged
            self.scene.wire_drag.cancel()
            return False
        return self.document.leave_group()

    def rename_group(self) -> bool:
        definition_id = self._selected_definition()
        definition = self.document.definition(definition_id)
        if definition is None:
            self._message("Select a group's node (or open the group) to rename it")
            return False
        name, ok = QInputDialog.getText(self.window, "Rename Group", "Name of the group (every node of it):",
                                        text=definition.name)
        if ok and name.strip():
            self.document.rename_group(definition.id, name)
        return ok

    def _selected_definition(self) -> UUID | None:
        for node_id in self.scene.selected_ids():
            step = self.document.find_step(node_id)
            if step is not None and step.group_id is not None:
                return step.group_id
        level = self.document.level
        return level.definition_id if level is not None else None

    # --- the node's menu ---------------------------------------------------------------------------------

    def fill_menu(self, menu: QMenu, node_id: UUID | None, at: QPointF | None = None) -> None:
        """Add the group entries for a right-click on a node (None: on the canvas) at scene point `at`;
        inside a group, on an input's field: Expose on Group for that input first."""
        document = self.document
        step = document.find_step(node_id) if node_id is not None else None
        if step is not None and document.level is not None and at is not None:
            self._expose_here(menu, step.id, at)
        entries: list[QAction] = []
        if step is not None and step.group_id is not None:
            entries += [self.enter_action, self.ungroup_action, self.rename_group_action]
        elif node_id is not None and any(document.find_step(i) for i in self.scene.selected_ids()):
            entries.append(self.group_action)
        if entries:
            menu.addSeparator()
            menu.addActions(entries)
        if step is not None and document.level is not None:
            self._fill_expose(menu, step.id)
        if node_id is not None and document.level is not None and document.find_cell(node_id) is not None:
            self._fill_ports(menu, node_id)
        if node_id is None and document.level is not None:
            menu.addSeparator()
            menu.addAction(self.leave_action)

    def _fill_ports(self, menu: QMenu, cell_id: UUID) -> None:
        """Inside a group, on a cell: Make Group Input / Output, or Remove Group Input / Output."""
        document = self.document
        port = document.port_of(cell_id)
        menu.addSeparator()
        if port is None:
            side = "Output" if document.producer_of(cell_id) is not None else "Input"
            action = menu.addAction(f"Make Group {side}")
            action.setObjectName("make-group-port-action")
            why_not = document.why_not_make_port(cell_id)
            action.triggered.connect(lambda: self.make_port(cell_id))
            tip = f"The group's nodes get this {side.lower()}" + \
                (": its value is used where a node leaves it unwired" if side == "Input" else "")
        else:
            action = menu.addAction(f"Remove Group {port[0].capitalize()} '{port[1]}'")
            action.setObjectName("remove-group-port-action")
            why_not = document.why_not_remove_port(cell_id)
            action.triggered.connect(lambda: self.remove_port(cell_id))
            tip = "The cell stays inside the group; its nodes no longer have this port"
        action.setEnabled(why_not is None)
        action.setStatusTip(why_not or tip)
        action.setToolTip(action.statusTip())
        menu.setToolTipsVisible(True)

    def make_port(self, cell_id: UUID) -> str | None:
        """Make a cell inside the group one of its ports (the cell stays selected); its name, or None."""
        why_not = self.document.why_not_make_port(cell_id)
        name = self.document.make_port(cell_id) if why_not is None else None
        if name is None:
            if why_not is not None:
                self._message(why_not)
            return None
        self.scene.select_ids({cell_id})
        side = self.document.port_of(cell_id)[0]
        self._message(f"'{name}' is an {side} of the group's nodes now")
        return name

    def remove_port(self, cell_id: UUID) -> bool:
        why_not = self.document.why_not_remove_port(cell_id)
        if why_not is not None:
            self._message(why_not)
            return False
        if self.document.remove_port(cell_id):
            self.scene.select_ids({cell_id})
            return True
        return False

    def input_to_port(self, step_id: UUID, name: str) -> str | None:
        """Make an inner step's unwired input an input of the group: its value moves into a new cell, left of
        the step, that is the port (the value used where a group's node leaves it unwired). One undo step;
        the port's name, or None."""
        document = self.document
        item = self.scene.item_for(step_id)
        row = next((row for row, _y in item.input_layout if row.name == name), None) \
            if isinstance(item, StepNodeItem) else None
        if row is None or not row.has_field or row.port is None or not document.undo_stack.allows_edit():
            return None
        at = item.port(PortKind.STEP_INPUT, name).scenePos()
        x, y = item.x() - CELL_WIDTH - CELL_GAP, at.y() - CELL_HEIGHT / 2
        stack = document.undo_stack
        stack.beginMacro(f"Make {name!r} an input of group {document.graph.name!r}")
        try:
            alias = unique_alias(document, name)
            cell = document.param_to_cell(step_id, name, starting_value(row), x, y, alias)
            port = document.make_port(cell.id) if cell is not None else None
        finally:
            stack.endMacro()
        if port is not None:
            self.scene.select_ids({cell.id})
            self._message(f"'{port}' is an input of the group's nodes now: the value in its cell is used "
                          "where a node leaves it unwired")
        return port

    def _expose_here(self, menu: QMenu, step_id: UUID, at: QPointF) -> None:
        """The input whose field was right-clicked, exposed (or no longer) at the top of the menu, and made an
        input of the group (a port its nodes wire, rather than a parameter they set)."""
        item = self.scene.item_for(step_id)
        row = item.input_row_at(item.mapFromScene(at)) if isinstance(item, StepNodeItem) else None
        if row is None:
            return
        exposed = self.document.exposed_param_of(step_id, row.name)
        first = menu.actions()[0] if menu.actions() else None
        if exposed is None:
            action = QAction(f"E&xpose '{row.name}' on Group", menu)
            action.setObjectName("expose-on-group-action")
            action.triggered.connect(lambda: self._expose(step_id, row.name))
        else:
            action = QAction(f"Stop E&xposing '{exposed}'", menu)
            action.setObjectName("unexpose-on-group-action")
            action.triggered.connect(lambda: self.document.unexpose_on_group(
                self.document.level.definition_id, exposed))
        menu.insertAction(first, action)
        if exposed is None and row.port is not None:
            as_input = QAction(f"Make '{row.name}' a Group &Input", menu)
            as_input.setObjectName("input-to-group-port-action")
            as_input.triggered.connect(lambda: self.input_to_port(step_id, row.name))
            menu.insertAction(first, as_input)
        menu.insertSeparator(first)

    def _fill_expose(self, menu: QMenu, step_id: UUID) -> None:
        """Inside a group: Expose on Group (an unwired input of this step becomes a parameter of the group's
        node) and Stop Exposing."""
        document = self.document
        step = document.find_step(step_id)
        if step.group_id is not None:
            definition = document.definition_of(step)
            names = list(definition.params) if definition is not None else []
        else:
            function = document.function_of(step)
            names = [port.name for port in function.inputs] if function is not None else []
        exposed_as = {name: document.exposed_param_of(step_id, name) for name in names}
        free = [name for name in names if name not in step.inputs and exposed_as[name] is None]
        exposed = [(name, port) for name, port in exposed_as.items() if port is not None]
        if not free and not exposed:
            return
        expose = menu.addMenu("E&xpose on Group")
        expose.setObjectName("expose-on-group-menu")
        for name in free:
            action = expose.addAction(name)
            action.setObjectName(f"expose-{name}-action")
            action.triggered.connect(lambda _=False, n=name: self._expose(step_id, n))
        expose.setEnabled(bool(free))
        if exposed:
            stop = menu.addMenu("Stop E&xposing")
            stop.setObjectName("unexpose-on-group-menu")
            for name, port in exposed:
                action = stop.addAction(port if port == name else f"{port} ({name})")
                action.setObjectName(f"unexpose-{name}-action")
                action.triggered.connect(lambda _=False, p=port: self.document.unexpose_on_group(
                    self.document.level.definition_id, p))

    def _expose(self, step_id: UUID, input_name: str) -> None:
        try:
            name = self.document.expose_on_group(step_id, input_name)
        except (KeyError, ValueError) as refused:
            self._message(str(refused).strip("'\""))
            return
        if name is not None:
            self._message(f"'{name}' is a parameter of the group's node now")

    # --- keeping up ----------------------------------------------------------------------------------

    def _level_changed(self, _level: object = None) -> None:
        self.update_palette()
        self.update_actions()

    def update_actions(self) -> None:
        """Each action is on when it can do something with the selection and the level."""
        if not isValid(self.scene):  # the window is going away
            return
        document, running = self.document, self.document.undo_stack.locked
        selected = self.scene.selectedItems()
        steps = any(isinstance(item, StepNodeItem) for item in selected)
        groups = [item for item in selected if isinstance(item, GroupNodeItem)]
        self.group_action.setEnabled(steps and not running)
        self.ungroup_action.setEnabled(bool(groups) and not running)
        self.enter_action.setEnabled(len(groups) == 1)
        self.leave_action.setEnabled(document.level is not None and not running)  # Esc stops a run
        self.rename_group_action.setEnabled((bool(groups) or document.level is not None) and not running)

    def update_palette(self) -> None:
        """The palette's "This workflow": the groups an instance of which may be added at this level."""
        if self.palette is None:
            return
        entries = []
        for definition in self.document.usable_groups():
            count = len(definition.steps)
            tip = (f"Group '{definition.name}': {count} step{'s' if count != 1 else ''}; drag it onto the "
                   "canvas for another node of it (editing one edits every one)")
            entries.append((group_slug(definition.id), definition.name, tip))
        self.palette.set_groups(GROUP_CATEGORY, entries)
