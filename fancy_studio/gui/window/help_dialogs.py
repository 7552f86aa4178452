"""Help ▸ Keyboard Shortcuts and Help ▸ About.

The shortcuts list is read from the window's own menus each time it opens, so it can never disagree with
what the keys do; canvas gestures that are not menu actions are listed after them.
"""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QSortFilterProxyModel, Qt, qVersion
from PySide6.QtGui import QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLineEdit, QMenu, QMessageBox, QTreeView,
    QVBoxLayout, QWidget,
)

import fancy_studio

CANVAS_GESTURES = [
    ("Zoom around the pointer", "Wheel"),
    ("Pan", "Middle button drag, or Space + drag"),
    ("Select several nodes", "Drag a rubber band, or Ctrl + click"),
    ("Nudge the selection", "Arrow keys (Shift: five grid steps)"),
    ("Quick add a function", "Tab, or double-click empty canvas"),
    ("Rename a step or cell", "Double-click it"),
    ("Wire a port", "Drag from a port to a port or a cell"),
    ("Run up to a node", "Right-click the node"),
]


_SPECIAL_KEYS = {Qt.Key.Key_Undo, Qt.Key.Key_Redo, Qt.Key.Key_Find, Qt.Key.Key_Help, Qt.Key.Key_Copy,
                 Qt.Key.Key_Cut, Qt.Key.Key_Paste, Qt.Key.Key_Open, Qt.Key.Key_Save, Qt.Key.Key_New,
                 Qt.Key.Key_Close, Qt.Key.Key_ZoomIn, Qt.Key.Key_ZoomOut}


def typeable(sequence: QKeySequence) -> bool:
    """A key a person has on a usual keyboard: the platform's standard keys also list F13–F35 and keys of
    their own ("Undo", "Copy"), which only clutter the list."""
    key = sequence[0].key()
    return key not in _SPECIAL_KEYS and not Qt.Key.Key_F13.value <= key.value <= Qt.Key.Key_F35.value


def shortcut_rows(menus: list[QMenu]) -> list[tuple[str, str, str]]:
    """(menu, action, shortcuts) for every action with a shortcut in `menus` and their submenus."""
    rows = []
    for menu in menus:
        group = menu.title().replace("&", "")
        for action in menu.actions():
            if action.menu() is not None:
                rows += shortcut_rows([action.menu()])
            elif not action.isSeparator() and (shown := [s for s in action.shortcuts() if typeable(s)]):
                keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in shown)
                rows.append((group, action.text().replace("&", "").rstrip("…"), keys))
    return rows


class ShortcutsDialog(QDialog):
    """Every shortcut, grouped by menu, with a filter (type a word or a key)."""

    def __init__(self, menus: list[QMenu], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts-dialog")
        self.setWindowTitle("Keyboard Shortcuts — Fancy Studio")
        self.menus = menus
        self.model = QStandardItemModel(0, 2, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("shortcuts-filter")
        self.filter.setPlaceholderText("Filter: an action or a key")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.tree = QTreeView(self)
        self.tree.setObjectName("shortcuts-tree")
        self.tree.setModel(self.proxy)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(560, 560)
        self.reload()

    def reload(self) -> None:
        """Read the menus again (a shortcut may have changed since the dialog was last open)."""
        self.model.clear()
        self.model.setHorizontalHeaderLabels(["Action", "Keys"])
        groups: dict[str, QStandardItem] = {}
        rows = shortcut_rows(self.menus) + [("Canvas", what, how) for what, how in CANVAS_GESTURES]
        for group, text, keys in rows:
            if group not in groups:
                groups[group] = _item(group)
                self.model.appendRow([groups[group], _item("")])
            groups[group].appendRow([_item(text), _item(keys)])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.expandAll()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.tree.expandAll()


def _item(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item


def about_text() -> str:
    return (f"<h3>Fancy Studio {fancy_studio.__version__}</h3>"
            "<p>A visual workflow editor: wire functions into a pipeline, run it, and see every datum it "
            "stores.</p>"
            f"<p>Python {platform.python_version()} · Qt {qVersion()} · PySide6 {pyside_version}</p>")


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About Fancy Studio", about_text())
