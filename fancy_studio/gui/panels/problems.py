"""The Problems dock: why a run could not start or what failed in it, each entry a way to the node.

Entries are rows of a `QTreeWidget` (kind, node, message); the full traceback of a failed step is its
tooltip. Double-click or Enter asks the window to select and show the node. The entries name nodes as
the user sees them (`gui.run.problem_text`).
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from fancy_studio.gui.canvas import style

NODE_ROLE = Qt.ItemDataRole.UserRole


class ProblemsPanel(QWidget):
    """A list of problems; `node_activated` carries the UUID of the node an entry is about."""

    node_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("problems-tree")
        self.tree.setHeaderLabels(["Kind", "Node", "Problem"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)

    def clear(self) -> None:
        self.tree.clear()

    def count(self) -> int:
        return self.tree.topLevelItemCount()

    def add(self, kind: str, node_id: UUID | None, node_title: str, message: str, detail: str = "", *,
            about: str = "") -> None:
        """One entry; `about` says which node it is in full (a step's title and function), as a tooltip."""
        item = QTreeWidgetItem([kind, node_title, message.splitlines()[0] if message else ""])
        item.setData(0, NODE_ROLE, node_id)
        item.setToolTip(2, detail or message)
        if node_id is not None:
            item.setToolTip(1, f"{about}: double-click to show it" if about else "Double-click to show it")
        item.setForeground(0, QBrush(style.REFUSE if kind in ("Failed", "Invalid") else style.TEXT_DIM))
        self.tree.addTopLevelItem(item)

    def entries(self) -> list[tuple[str, str, str]]:
        """(kind, node, message) per row, in order: what the user reads."""
        return [tuple(self.tree.topLevelItem(i).text(c) for c in range(3))
                for i in range(self.tree.topLevelItemCount())]

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        node_id = item.data(0, NODE_ROLE)
        if node_id is not None:
            self.node_activated.emit(node_id)
