"""The value viewer: one datum's whole value, where the table only has room for a line.

Text shows in a read-only editor; lists, tuples, sets and dicts as a tree whose children are built only
when their parent is expanded, at most `CHILD_LIMIT` at a time, so a 100,000-element list opens at once.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Any

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QMessageBox, QPlainTextEdit, QPushButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from fancy_studio.core.value_kinds import is_number_series
from fancy_studio.gui.datums.model import value_preview

CHILD_LIMIT = 1000
CONTAINERS = (list, tuple, set, frozenset, dict)
KEY, TYPE, VALUE = range(3)


def copy_text(value: Any) -> str:
    """What Copy puts on the clipboard: text as is, JSON (indent 2) when it serialises, else repr.

    Text is copied raw rather than as a quoted JSON string: that is what someone copying a log or a
    document out of the viewer wants.
    """
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return repr(value)


def _type_label(value: Any) -> str:
    name = type(value).__name__
    return f"{name} ({len(value)})" if isinstance(value, CONTAINERS) else name


def _entries(value: Any) -> Iterable[tuple[str, Any]]:
    """(key or index, child) pairs of a container, lazily: only the shown ones are ever touched."""
    if isinstance(value, dict):
        return ((k if isinstance(k, str) else repr(k), v) for k, v in value.items())
    return ((str(i), v) for i, v in enumerate(value))


class _ValueItem(QTreeWidgetItem):
    """A tree row that remembers its value, so its children can be built when it is first expanded."""

    def __init__(self, key: str, value: Any) -> None:
        super().__init__([key, _type_label(value), value_preview(value)])
        self.value = value
        self.loaded = not (isinstance(value, CONTAINERS) and len(value))
        if not self.loaded:
            self.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        if not isinstance(value, str):
            self.setToolTip(VALUE, value_preview(value))

    def load_children(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        shown = [_ValueItem(key, child) for key, child in itertools.islice(_entries(self.value), CHILD_LIMIT)]
        self.addChildren(shown)
        hidden = len(self.value) - len(shown)
        if hidden > 0:
            more = QTreeWidgetItem(["…", "", f"… {hidden:,} more"])
            more.setToolTip(VALUE, f"Only the first {CHILD_LIMIT:,} entries are shown; Copy takes them all.")
            self.addChild(more)


class ValueViewer(QDialog):
    """Non-modal: open several to compare values while the run goes on."""

    def __init__(self, value: Any, alias: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("value-viewer")
        self.setWindowTitle(f"{alias or 'datum'} — value")
        self.value = value
        self.text_view: QPlainTextEdit | None = None
        self.tree: QTreeWidget | None = None

        if isinstance(value, CONTAINERS):
            body = self.tree = self._build_tree(value)
        else:
            body = self.text_view = QPlainTextEdit(self)
            body.setObjectName("value-text")
            body.setReadOnly(True)
            body.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
            font.setStyleHint(QFont.StyleHint.Monospace)  # where the system has no fixed font configured
            body.setFont(font)
            body.setPlainText(value if isinstance(value, str) else repr(value))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setObjectName("copy-value-button")
        self.copy_button.setToolTip("Copy the value as JSON (or its repr when it is not JSON)")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.plot_button: QPushButton | None = None
        self.plot_viewer: QDialog | None = None
        if is_number_series(value):  # a list of numbers, a 1-D array: offered as a line too
            self.plot_button = QPushButton("Plot", self)
            self.plot_button.setObjectName("plot-value-button")
            self.plot_button.setToolTip("Show the numbers as a line you can zoom (the plot viewer)")
            self.plot_button.setAutoDefault(False)
            self.plot_button.clicked.connect(lambda: self.plot(alias))
            buttons.addButton(self.plot_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addWidget(body)
        layout.addWidget(buttons)
        self.resize(640, 480)

    def _build_tree(self, value: Any) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setObjectName("value-tree")
        tree.setHeaderLabels(["Key/Index", "Type", "Value"])
        tree.setUniformRowHeights(True)  # cheap layout for a thousand rows per level
        tree.itemExpanded.connect(lambda item: item.load_children() if isinstance(item, _ValueItem) else None)
        root = _ValueItem("", value)
        tree.addTopLevelItem(root)
        root.setExpanded(True)  # emits itemExpanded, which loads the first level
        tree.resizeColumnToContents(KEY)
        return tree

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(copy_text(self.value))

    def plot(self, alias: str | None = None) -> QDialog | None:
        """Open the value in the plot viewer (pyqtgraph is imported now, not at start-up); a list with an
        item that is no number says so instead."""
        from fancy_studio.gui.viewers.plot_viewer import PlotViewer

        try:
            self.plot_viewer = PlotViewer(self.value, alias, self)
        except TypeError as exc:
            QMessageBox.warning(self, "Plot", f"Cannot plot {alias or 'this value'}: {exc}")
            return None
        self.plot_viewer.show()
        return self.plot_viewer
