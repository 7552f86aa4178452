"""Editing a step's params where they are drawn: a click on an input's field edits its value in place.

A click (a press and a release that did not drag the node) on a field opens what the input's type asks
for: a check box toggles at once; a `Literal` or an `Enum` opens a drop-down of its choices; a number, a
line of text or any other value (as JSON) opens a line edit over the field. Enter, Tab or clicking away
applies it as one undoable command (Tab goes on to the node's next field, Shift+Tab back); Esc leaves
the value as it was; emptying a number or JSON field resets the input to its function's default. A value
the input cannot take is refused with the reason, and the editor stays open.

As `inline_rename.py`'s, the editor is a plain widget over the view's viewport, made only while it is
open: the node draws its fields itself (`param_rows.py`).
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu

from fancy_studio.core.params import param_problem
from fancy_studio.gui.canvas import WorkflowView, style
from fancy_studio.gui.canvas.node_items import StepNodeItem
from fancy_studio.gui.canvas.param_rows import CHOICE, DEFAULT, REQUIRED, SET, InputRow, choices
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.panels.value_editor import (
    BOOL, FLOAT, INT, JSON, STR, literal, parse_text, text_validator,
)

MIN_WIDTH = 120
_TEXT_KINDS = (INT, FLOAT, JSON, STR)


def editor_text(row: InputRow) -> str:
    """The field's value as the line edit starts with it (a default too, to be changed from there)."""
    if row.state not in (SET, DEFAULT):
        return ""
    value = row.value
    if row.kind == STR and isinstance(value, str):
        return value
    if row.kind in (INT, FLOAT) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    try:
        return literal(value)
    except (TypeError, ValueError):
        return ""


class _FieldEdit(QLineEdit):
    """A line edit that gives Tab and Shift+Tab to its owner (next or previous field), and steps a whole
    number by one with Up and Down."""

    def __init__(self, owner: ParamEditor, kind: str, text: str, parent) -> None:
        super().__init__(text, parent)
        self.owner, self.kind = owner, kind

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.owner.finish(commit=True, move=-1 if event.key() == Qt.Key.Key_Backtab else 1)
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}.get(event.key())
        if step is not None and self.kind == INT:
            try:
                self.setText(str(int(self.text()) + step))
            except ValueError:
                pass
            return
        super().keyPressEvent(event)


class ParamEditor(QObject):
    """At most one param editor on a view; it watches the view's clicks for a field under the pointer."""

    def __init__(self, view: WorkflowView, document: WorkflowDocument) -> None:
        super().__init__(view)
        self.view, self.document = view, document
        self.editor: _FieldEdit | None = None
        self.target: tuple[UUID, str] | None = None
        self.menu: QMenu | None = None
        self._pressed: tuple[QPoint, tuple[UUID, str]] | None = None
        view.viewport().installEventFilter(self)
        document.step_changed.connect(self._step_changed)
        document.step_removed.connect(self._step_changed)
        document.reset.connect(lambda: self.finish(commit=False))
        view.zoom_changed.connect(lambda _zoom: self.finish(commit=True))  # it would no longer cover its field

    # --- where the pointer is ------------------------------------------------------------------------

    def field_at(self, pos: QPoint) -> tuple[UUID, str] | None:
        """(step id, input name) of the editable field at a viewport position, or None."""
        if self.view.zoom() < style.LOW_DETAIL:
            return None  # fields are not drawn in the overview
        scene_pos = self.view.mapToScene(pos)
        if self.view.workflow_scene.port_at(scene_pos) is not None:
            return None  # a wire drag starts there
        node = self.view.node_at(pos)
        if not isinstance(node, StepNodeItem):
            return None
        row = node.input_row_at(node.mapFromScene(scene_pos))
        return (node.node_id, row.name) if row is not None and row.editable else None

    def row(self, step_id: UUID, name: str) -> tuple[StepNodeItem, InputRow] | None:
        item = self.view.workflow_scene.item_for(step_id)
        if not isinstance(item, StepNodeItem):
            return None
        found = next((row for row, _y in item.input_layout if row.name == name), None)
        return (item, found) if found is not None and found.editable else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The editor's keys and focus; the viewport's clicks on fields."""
        if watched is self.editor and watched is not None:
            return self._editor_event(event)
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            plain = event.modifiers() == Qt.KeyboardModifier.NoModifier  # Ctrl or Shift: selecting
            if event.button() != Qt.MouseButton.LeftButton or not plain:
                self._pressed = None
                return False
            pos = event.position().toPoint()
            hit = self.field_at(pos)
            self._pressed = (pos, hit) if hit is not None else None
            # a double-click on a field is a second click on it (a check box toggles back), not a rename
            return kind == QEvent.Type.MouseButtonDblClick and hit is not None
        if kind == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            pressed, self._pressed = self._pressed, None
            if pressed is not None:
                pos = event.position().toPoint()
                moved = (pos - pressed[0]).manhattanLength() >= QApplication.startDragDistance()
                if not moved and self.field_at(pos) == pressed[1]:
                    QTimer.singleShot(0, self, lambda hit=pressed[1]: self.activate(*hit))
        return False

    # --- editing -------------------------------------------------------------------------------------

    def activate(self, step_id: UUID, name: str) -> bool:
        """What a click on the field does: toggle a check box, open the choices or the line edit."""
        found = self.row(step_id, name)
        if found is None or not self.document.undo_stack.allows_edit():
            return False
        item, row = found
        if row.kind == BOOL:
            self.finish(commit=True)
            self.document.set_param(step_id, name, not bool(row.value))
            return True
        if row.kind == CHOICE:
            self.finish(commit=True)
            self._choose(item, row)
            return True
        return self.start(step_id, name)

    def start(self, step_id: UUID, name: str) -> bool:
        """Open the line edit over the field; False when it has none to edit (wired, a check box, a
        drop-down) or when no edit may be made now (a run reads the workflow: the status bar says why)."""
        found = self.row(step_id, name)
        if found is None or found[1].kind not in _TEXT_KINDS or not self.document.undo_stack.allows_edit():
            return False
        self.finish(commit=True)
        item, row = found
        self.view.ensureVisible(item, 40, 40)
        box = self._field_box(item, name)
        editor = _FieldEdit(self, row.kind, editor_text(row), self.view.viewport())
        editor.setObjectName("param-editor")
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        validator = text_validator(row.kind, editor)
        if validator is not None:
            validator.fallback = editor.text()
            editor.setValidator(validator)
        editor.setPlaceholderText("required" if row.port is not None and row.port.required else "default")
        editor.setToolTip(f"{name}: {row.type_name}. Enter applies, Esc cancels; empty resets to the default")
        width, height = max(box.width(), MIN_WIDTH), editor.sizeHint().height()
        editor.setGeometry(QRect(box.right() - width, box.center().y() - height // 2, width, height))
        editor.selectAll()
        editor.installEventFilter(self)
        editor.returnPressed.connect(lambda: self.finish(commit=True))
        editor.show()
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.editor, self.target = editor, (step_id, name)
        return True

    def _field_box(self, item: StepNodeItem, name: str) -> QRect:
        rect = item.field_rect(name)
        return self.view.mapFromScene(item.mapRectToScene(rect)).boundingRect()

    def finish(self, *, commit: bool, move: int = 0) -> bool:
        """Close the editor, applying what was typed if `commit`; `move` then opens the next (1) or the
        previous (-1) field of the node. False when the text was refused (the editor stays open)."""
        editor, target = self.editor, self.target
        if editor is None:
            return True
        if commit and not self._apply(editor, target, keep_open=move != 0 or editor.hasFocus()):
            return False
        self.editor = self.target = None  # first: closing the editor moves focus, which calls us again
        editor.hide()
        editor.deleteLater()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        if move:
            self._open_next(target, move)
        return True

    def _apply(self, editor: _FieldEdit, target: tuple[UUID, str], *, keep_open: bool) -> bool:
        """Apply the typed value; False (the reason told, the editor kept) when it is refused and
        `keep_open`; a refused value on leaving the editor is dropped, with the reason."""
        step_id, name = target
        found = self.row(step_id, name)
        if found is None:
            return True
        item, row = found
        text = editor.text()
        if text == editor_text(row) and row.state in (SET, DEFAULT):
            return True  # unchanged (a default left as it was: the input stays unset)
        if text.strip() == "" and editor.kind != STR:
            self.document.clear_param(step_id, name)
            return True
        try:
            value = parse_text(editor.kind, text)
            problem = param_problem(row.port, value) if row.port is not None else None
            if problem is not None:
                raise ValueError(f"{name} expects {row.type_name}, but {problem}")
            self.document.set_param(step_id, name, value)
        except ValueError as exc:
            self.view.workflow_scene.notify(str(exc), item.mapToScene(item.field_rect(name).bottomLeft()))
            return not keep_open
        return True

    def _open_next(self, target: tuple[UUID, str], move: int) -> None:
        item = self.view.workflow_scene.item_for(target[0])
        if not isinstance(item, StepNodeItem):
            return
        names = [row.name for row, _y in item.input_layout if row.editable and row.kind in _TEXT_KINDS]
        if target[1] in names and len(names) > 1:
            self.start(target[0], names[(names.index(target[1]) + move) % len(names)])

    def _choose(self, item: StepNodeItem, row: InputRow) -> None:
        """The drop-down of a Literal's values or an Enum's members, under the field."""
        menu = QMenu(self.view)
        menu.setObjectName("param-choices")
        current = row.value if row.state in (SET, DEFAULT) else None
        current_name = getattr(current, "name", current)  # an Enum default is a member: its name
        for label, value in choices(row.port):
            action = QAction(label, menu)
            action.setCheckable(True)
            action.setChecked(row.state != REQUIRED and literal(value) == literal(current_name))
            action.triggered.connect(lambda _=False, v=value, n=row.name, s=item.node_id:
                                     self.document.set_param(s, n, v))
            menu.addAction(action)
        box = self._field_box(item, row.name)
        menu.setMinimumWidth(box.width())
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.menu = menu
        menu.popup(self.view.viewport().mapToGlobal(box.bottomLeft()))

    # --- keys and model changes -----------------------------------------------------------------------

    def _editor_event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape:
            self.finish(commit=False)
            return True
        if event.type() == QEvent.Type.FocusOut and self.editor is not None:
            self.finish(commit=True)  # clicking elsewhere keeps what was typed, as inline rename does
        return False

    def _step_changed(self, step_id: UUID) -> None:
        """The edited step changed under the editor (an undo, a wire, a delete): its field may be gone."""
        if self.target is not None and self.target[0] == step_id and self.row(*self.target) is None:
            self.finish(commit=False)
