"""The inspector's part for a step's parameters and bypass: the same values the node shows, in a form.

One row per input, as the node draws it (`canvas/param_rows.py`): an input a wire feeds names the cell;
any other has the editor its type asks for (a line for numbers, text and JSON, a check box, a drop-down
for a `Literal` or an `Enum`), empty with the default as its placeholder until the step sets its own
value. Every edit is one undoable command through the document; "↺" resets an input to its default. The
form is rebuilt only when what it shows changes, never under the user's typing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget,
)

from fancy_studio.core import WorkflowStep
from fancy_studio.core.params import param_problem
from fancy_studio.gui.canvas.group_node_item import exposed_tip, from_group
from fancy_studio.gui.canvas.param_rows import (
    CHOICE, EXPOSED, REQUIRED, SET, WIRED, InputRow, choices, input_rows, value_text,
)
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.panels.value_editor import BOOL, STR, literal, parse_text, text_validator


class StepParamsForm(QWidget):
    """Bypass and the inputs' values of one step."""

    def __init__(self, document: WorkflowDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.step_id: UUID | None = None
        self._shown: tuple | None = None
        self.bypass_check = QCheckBox("Bypassed")
        self.bypass_check.setObjectName("inspector-bypass")
        self.bypass_check.setToolTip("Not called: its first input passes to its output of that type (Ctrl+B)")
        self.bypass_check.clicked.connect(self._bypass_clicked)
        self.title = QLabel("<b>Parameters</b>")
        self.rows = QFormLayout()
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.error = QLabel()
        self.error.setObjectName("param-error")
        self.error.setStyleSheet("color: #d33;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bypass_check)
        layout.addWidget(self.title)
        layout.addLayout(self.rows)
        layout.addWidget(self.error)
        self.editors: dict[str, QWidget] = {}

    def show_step(self, step: WorkflowStep | None) -> None:
        """Show the step's bypass and inputs (rebuilt only when they differ from what is shown)."""
        if step is None:
            self.step_id, self._shown = None, None
            self._clear()
            return
        function = self.document.function_of(step)
        rows = from_group(self.document, step.id, input_rows(step, function)) if function is not None else []
        wires = {name: self._cell_name(cell_id) for name, cell_id in step.inputs.items()}
        shown = (step.id, tuple((r.name, r.state, literal_or_repr(r.value), r.kind) for r in rows),
                 tuple(wires.items()))
        self.bypass_check.setChecked(step.bypass)
        if shown == self._shown:
            return
        if step.id != self.step_id:
            self.error.hide()
        self.step_id, self._shown = step.id, shown
        self._clear()
        self.title.setVisible(bool(rows))
        for row in rows:
            self.rows.addRow(row.name, self._row_widget(row, wires.get(row.name, "")))

    def _clear(self) -> None:
        """Take the rows out; their widgets go later (an edit's own signal may be what is redrawing)."""
        while self.rows.rowCount():
            taken = self.rows.takeRow(0)
            for item in (taken.labelItem, taken.fieldItem):
                if item is not None and item.widget() is not None:
                    item.widget().hide()
                    item.widget().deleteLater()
        self.editors = {}

    def _cell_name(self, cell_id: UUID) -> str:
        cell = self.document.find_cell(cell_id)
        return (cell.alias or str(cell_id)[:8]) if cell is not None else str(cell_id)[:8]

    def _row_widget(self, row: InputRow, wire: str) -> QWidget:
        name = row.name
        if row.state == WIRED:
            label = QLabel(f"from “{wire}”")
            label.setObjectName(f"param-{name}")
            label.setStyleSheet("color: gray;")
            return label
        if row.state == EXPOSED:  # inside a group: set on the group's node
            label = QLabel(row.text)
            label.setObjectName(f"param-{name}")
            label.setToolTip(exposed_tip(self.document, self.step_id, row))
            return label
        if row.kind == BOOL:
            editor: QWidget = QCheckBox(value_text(row.value) if row.state != REQUIRED else "required")
            editor.setChecked(bool(row.value))
            editor.clicked.connect(lambda checked, n=name: self._set(n, bool(checked)))
        elif row.kind == CHOICE:
            editor = QComboBox()
            options = choices(row.port)
            for label_text, _value in options:
                editor.addItem(label_text)
            current = getattr(row.value, "name", row.value)
            index = next((i for i, (_l, v) in enumerate(options) if row.state != REQUIRED
                          and literal_or_repr(v) == literal_or_repr(current)), -1)
            editor.setCurrentIndex(index)
            editor.setPlaceholderText("required")
            editor.activated.connect(lambda i, n=name, o=options: self._set(n, o[i][1]))
        else:
            text = "" if row.state != SET else row.value if isinstance(row.value, str) and row.kind == STR \
                else _text(row)
            editor = QLineEdit(text)
            validator = text_validator(row.kind, editor)
            if validator is not None:
                validator.fallback = editor.text()
                editor.setValidator(validator)
            editor.setPlaceholderText("required" if row.state == REQUIRED else f"{_text(row)} (default)")
            editor.editingFinished.connect(lambda n=name, e=editor, r=row: self._typed(n, e, r))
        editor.setObjectName(f"param-{name}")
        editor.setToolTip(f"{name}: {row.type_name}")
        self.editors[name] = editor
        if row.state != SET or row.port is None or row.port.required:
            return editor
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(editor, 1)
        reset = QToolButton()
        reset.setObjectName(f"param-{name}-reset")
        reset.setText("↺")
        reset.setToolTip(f"Reset {name} to its default, {value_text(row.port.default)}")
        reset.clicked.connect(lambda _=False, n=name: self._clear_param(n))
        line.addWidget(reset, 0, Qt.AlignmentFlag.AlignRight)
        return box

    # --- edits -------------------------------------------------------------------------------------

    def _typed(self, name: str, editor: QLineEdit, row: InputRow) -> None:
        text = editor.text()
        if row.state == SET and text == (row.value if row.kind == STR else _text(row)):
            return
        if text == "" and row.kind != STR:
            if row.state == SET:
                self._clear_param(name)
            return
        try:
            value = parse_text(row.kind, text)
            problem = param_problem(row.port, value)
            if problem is not None:
                raise ValueError(f"{name} expects {row.type_name}, but {problem}")
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self._set(name, value)

    def _set(self, name: str, value: Any) -> None:
        self.error.hide()
        if self.step_id is not None:
            self.document.set_param(self.step_id, name, value)
        self._redraw()

    def _clear_param(self, name: str) -> None:
        self.error.hide()
        if self.step_id is not None:
            self.document.clear_param(self.step_id, name)
        self._redraw()

    def _bypass_clicked(self, checked: bool) -> None:
        if self.step_id is not None:
            self.document.set_bypass({self.step_id}, checked)
        self._redraw()

    def _redraw(self) -> None:
        """Show the model again: the edit may have been refused (a run reads the workflow)."""
        self._shown = None
        self.show_step(self.document.find_step(self.step_id) if self.step_id is not None else None)


def _text(row: InputRow) -> str:
    """A value as its line edit holds it (numbers as written, anything else as JSON)."""
    value = row.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return literal_or_repr(value)


def literal_or_repr(value: Any) -> str:
    try:
        return literal(value)
    except (TypeError, ValueError):
        return repr(value)
