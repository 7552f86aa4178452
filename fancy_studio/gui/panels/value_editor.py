"""A cell value's editor: a widget that fits the value's type, with raw JSON always one click away.

Whole numbers and decimals are typed in line edits that refuse other characters and never clip or round
(Python ints have no range, floats are shown in their shortest exact form); true/false is a check box;
text is a multi-line box; lists, objects and null are JSON. The "JSON" button switches any value to raw
JSON, which is how a user changes a value's type.

The editor holds no value of its own: `show_value` draws what the model holds, and an edit is only
offered as `value_committed(value)`, for the owner to turn into an undoable command. Until the model
answers, the editor keeps showing the old value's text as "what was shown" and commits only a change.
"""

from __future__ import annotations

import json
import math
import re
import types
import typing
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import (
    QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget,
)

INT, FLOAT, BOOL, STR, JSON = "int", "float", "bool", "str", "json"
"""The editor kinds, named after the Python type each one commits (JSON commits any JSON value)."""

_SIMPLE_KINDS = {int: INT, float: FLOAT, bool: BOOL, str: STR}
_DEFAULTS = {INT: 0, FLOAT: 0.0, BOOL: False, STR: ""}


def literal(value: Any) -> str:
    """A value as JSON text (also a type-exact way to compare two values: 1, 1.0 and true differ)."""
    return json.dumps(value, ensure_ascii=False)


def kind_for_hint(hint: Any) -> str | None:
    """The editor kind an input port's type hint asks for (`int | None` too), or None when it says none."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        hint = members[0] if len(members) == 1 else None
    return _SIMPLE_KINDS.get(hint) if isinstance(hint, type) else None


def kind_for_value(value: Any, port_kind: str | None = None) -> str:
    """The editor for a value; the port's kind decides for null, and a whole number feeding a float
    port gets the decimal editor so that 32 can become 32.5 without a trip through JSON."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return FLOAT if port_kind == FLOAT else INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, str):
        return STR
    if value is None and port_kind is not None:
        return port_kind
    return JSON


def default_for(port_kind: str | None) -> Any:
    """The value a cell starts with when it becomes an input cell: 0, 0.0, false, "" or null."""
    return _DEFAULTS.get(port_kind)


class _PatternValidator(QValidator):
    """Accepts text matching `full`, lets the user pass through `partial` on the way there, refuses the
    rest; on leaving with unfinished text (say a lone "-") it falls back to the model's value."""

    def __init__(self, full: str, partial: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.full, self.partial = re.compile(full), re.compile(partial)
        self.fallback = ""

    def validate(self, text: str, pos: int) -> object:
        if self.full.fullmatch(text):
            return QValidator.State.Acceptable, text, pos
        if self.partial.fullmatch(text):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos

    def fixup(self, text: str) -> str:
        return self.fallback


_INT_TEXT = r"[+-]?\d+"
_FLOAT_TEXT = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
_FLOAT_PARTIAL = r"[+-]?\d*\.?\d*([eE][+-]?\d*)?"


class _TextBox(QPlainTextEdit):
    """Multi-line text that reports `editing_finished` on focus loss or Ctrl+Enter (Enter is a newline)."""

    editing_finished = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.editing_finished.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.editing_finished.emit()


class _WholeNumberEdit(QLineEdit):
    """A whole number of any size; Up and Down step it by one, like a spin box without a range."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = {Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}.get(event.key())
        if step is not None and re.fullmatch(_INT_TEXT, self.text()):
            self.setText(str(int(self.text()) + step))
            return
        super().keyPressEvent(event)


class ValueEditor(QWidget):
    """One value, edited with the widget for its kind; emits `value_committed` with a typed value."""

    value_committed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.int_edit = _WholeNumberEdit()
        self.int_edit.setObjectName("value-int")
        self.int_edit.setValidator(_PatternValidator(_INT_TEXT, r"[+-]?\d*", self.int_edit))
        self.int_edit.setPlaceholderText("a whole number")
        self.int_edit.setToolTip("A whole number of any size. Up/Down step by one; Enter applies.")
        self.float_edit = QLineEdit()
        self.float_edit.setObjectName("value-float")
        self.float_edit.setValidator(_PatternValidator(_FLOAT_TEXT, _FLOAT_PARTIAL, self.float_edit))
        self.float_edit.setPlaceholderText("a number, e.g. 2.5 or 1e-3")
        self.float_edit.setToolTip("A decimal number, kept exactly as typed. Enter applies.")
        self.bool_check = QCheckBox()
        self.bool_check.setObjectName("value-bool")
        self.text_edit = _TextBox()
        self.text_edit.setObjectName("value-str")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setPlaceholderText("text")
        self.text_edit.setToolTip("Text; Enter starts a new line. Ctrl+Enter or leaving the box applies.")
        self.text_edit.setFixedHeight(self.text_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.json_edit = QLineEdit()
        self.json_edit.setObjectName("value-json")
        self.json_edit.setPlaceholderText('JSON: 10, 2.5, "text", [1, 2], true, null')
        self.json_edit.setToolTip("Any JSON value; typing another type here changes the value's type.")
        self.editors: dict[str, QWidget] = {INT: self.int_edit, FLOAT: self.float_edit,
                                            BOOL: self.bool_check, STR: self.text_edit, JSON: self.json_edit}

        self.kind = JSON
        editors = QVBoxLayout()  # only the current editor is visible, so the row is as tall as it is
        editors.setContentsMargins(0, 0, 0, 0)
        for kind, widget in self.editors.items():  # the check box only as wide as its box and label
            editors.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft if kind == BOOL else Qt.AlignmentFlag(0))
        self.json_toggle = QToolButton()
        self.json_toggle.setObjectName("value-json-toggle")
        self.json_toggle.setText("JSON")
        self.json_toggle.setCheckable(True)
        self.json_toggle.setToolTip("Edit the value as raw JSON, to give it another type")
        self.json_toggle.toggled.connect(self._json_toggled)
        self.kind_label = QLabel()
        self.kind_label.setObjectName("value-kind")
        self.kind_label.setStyleSheet("color: gray;")
        self.error = QLabel()
        self.error.setObjectName("value-error")
        self.error.setStyleSheet("color: #d33;")
        self.error.setWordWrap(True)
        self.error.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(editors, 1)
        row.addWidget(self.json_toggle, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.kind_label)
        layout.addWidget(self.error)

        self.int_edit.editingFinished.connect(self.commit)
        self.float_edit.editingFinished.connect(self.commit)
        self.json_edit.editingFinished.connect(self.commit)
        self.text_edit.editing_finished.connect(self.commit)
        self.bool_check.clicked.connect(lambda _checked: self.commit())

        self._value: Any = ...
        self._port_kind: str | None = None
        self._shown = ""  # the text the current editor was filled with: commit only what differs
        self.show_value(...)

    # --- what is shown ---------------------------------------------------------------------------

    @property
    def current(self) -> QWidget:
        """The editor widget in use (the others are hidden)."""
        return self.editors[self.kind]

    def show_value(self, value: Any, port_kind: str | None = None) -> None:
        """Draw `value` (`...`: the cell has none, so the editor is disabled) in the editor for its kind.

        `port_kind` is the kind that the ports the cell feeds expect (see `kind_for_hint`)."""
        self._value, self._port_kind = value, port_kind
        self.error.hide()
        if value is ...:
            self.kind = JSON if self.json_toggle.isChecked() else (port_kind or JSON)
        else:
            self.kind = JSON if self.json_toggle.isChecked() else kind_for_value(value, port_kind)
        self._fill(self.kind, None if value is ... else value, blank=value is ...)
        for kind, editor in self.editors.items():
            editor.setVisible(kind == self.kind)
        self.setEnabled(value is not ...)
        self.kind_label.setText(self._kind_text(value))

    def set_json_mode(self, on: bool) -> None:
        """Switch raw JSON on or off, dropping any unapplied edit (the toggle button applies it first)."""
        self.json_toggle.blockSignals(True)
        self.json_toggle.setChecked(on)
        self.json_toggle.blockSignals(False)
        self.show_value(self._value, self._port_kind)

    def _fill(self, kind: str, value: Any, *, blank: bool) -> None:
        editor = self.editors[kind]
        editor.blockSignals(True)
        if kind == BOOL:
            self.bool_check.setChecked(bool(value))
            self.bool_check.setText("null" if value is None else literal(value))
            self._shown = literal(bool(value))  # a null cell becomes true with a click, not by leaving it
        else:
            if blank or value is None and kind != JSON:
                text = ""
            elif kind == STR:
                text = value
            elif kind in (INT, FLOAT):
                text = repr(value)  # a float's repr is its shortest exact form; an int's is all digits
            else:
                text = literal(value)
            if kind == STR:
                self.text_edit.setPlainText(text)
            else:
                editor.setText(text)
                editor.setCursorPosition(0)
                if editor.validator() is not None:
                    editor.validator().fallback = text
            self._shown = text
        editor.blockSignals(False)

    def _kind_text(self, value: Any) -> str:
        names = {INT: "whole number", FLOAT: "number", BOOL: "true/false", STR: "text"}
        if value is ...:
            return "computed by a step"
        own = {bool: BOOL, int: INT, float: FLOAT, str: STR}.get(type(value))
        text = names.get(own) or ("null" if value is None else type(value).__name__ + " (JSON)")
        if self._port_kind is not None and self._port_kind != own:
            text += f"; the steps it feeds expect a {names[self._port_kind]}"
        return text

    def _json_toggled(self, on: bool) -> None:
        if self._value is ...:
            self.show_value(..., self._port_kind)
            return
        if self._dirty() and not self.commit():
            self.json_toggle.blockSignals(True)  # keep the unfinished edit and its error in view
            self.json_toggle.setChecked(not on)
            self.json_toggle.blockSignals(False)
            return
        self.show_value(self._value, self._port_kind)
        self.current.setFocus()

    # --- edits -----------------------------------------------------------------------------------

    def _text(self) -> str:
        if self.kind == BOOL:
            return literal(self.bool_check.isChecked())
        if self.kind == STR:
            return self.text_edit.toPlainText()
        return self.editors[self.kind].text()

    def _dirty(self) -> bool:
        return self._value is not ... and self._text() != self._shown

    def commit(self) -> bool:
        """Offer the edited value when it differs from what was shown; False (and an error shown) when
        the text is not a value of the editor's kind."""
        if not self._dirty():
            return True
        try:
            value = self._parse(self._text())
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return False
        self.error.hide()
        self._shown = self._text()
        self.value_committed.emit(value)
        return True

    def _parse(self, text: str) -> Any:
        if self.kind == BOOL:
            return self.bool_check.isChecked()
        return parse_text(self.kind, text)


def parse_text(kind: str, text: str) -> Any:
    """The value typed in an editor of `kind` (INT, FLOAT, STR or JSON); `ValueError` saying what to type
    when the text is not one."""
    if kind == STR:
        return text
    if kind == INT:
        if not re.fullmatch(_INT_TEXT, text.strip()):
            raise ValueError("Not a whole number: use digits only, e.g. 42 or -7.")
        return int(text)
    if kind == FLOAT:
        if not re.fullmatch(_FLOAT_TEXT, text.strip()):
            raise ValueError("Not a number: use digits with a point, e.g. 2.5 or 1e-3.")
        number = float(text)
        if not math.isfinite(number):
            raise ValueError("That number is too large to store.")
        return number
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except ValueError as exc:
        where = f" (column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ValueError(f"Not a JSON value: {getattr(exc, 'msg', exc)}{where}. "
                         'Quote text, e.g. "hello".') from None


def text_validator(kind: str, parent: QObject | None = None) -> QValidator | None:
    """What a line edit of `kind` lets the user type: digits for INT, a decimal for FLOAT, anything else."""
    if kind == INT:
        return _PatternValidator(_INT_TEXT, r"[+-]?\d*", parent)
    if kind == FLOAT:
        return _PatternValidator(_FLOAT_TEXT, _FLOAT_PARTIAL, parent)
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a workflow file")


def _finite_float(text: str) -> float:
    """A JSON number as a float, refusing one too large to hold (1e400 would become Infinity, which a
    workflow file cannot hold: the same rule as the loader's and the saver's)."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text:.40} is too large to store")
    return number

