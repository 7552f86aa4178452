"""The function palette: every registered function by category, searchable, draggable onto the canvas.

Drags carry only the slug (`FUNCTION_MIME`); the canvas looks the function up itself, so the palette
never needs to know about graphics items.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QMimeData, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QTreeView, QVBoxLayout, QWidget

from fancy_studio.core import FancyFunction, registry
from fancy_studio.gui.mime import FUNCTION_MIME

SLUG_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


def function_tooltip(function: FancyFunction) -> str:
    """Description plus the signature, so a user can pick a function without dropping it first."""
    lines = [function.description or function.title, ""]
    for port in function.inputs:
        default = "" if port.required else f" = {port.default!r}"
        lines.append(f"in  {port.name}: {port.type_name}{default}")
    for port in function.outputs:
        lines.append(f"out {port.name}: {port.type_name}")
    return "\n".join(lines).strip()


class FunctionModel(QStandardItemModel):
    """Category rows holding function rows; function rows drag out as `FUNCTION_MIME` slugs."""

    def __init__(self, functions: Iterable[FancyFunction] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.reload(functions)

    def reload(self, functions: Iterable[FancyFunction] | None = None) -> None:
        self.clear()
        self._groups: QStandardItem | None = None
        categories: dict[str, QStandardItem] = {}
        for function in (registry if functions is None else functions):
            category = categories.get(function.category)
            if category is None:
                category = QStandardItem(function.category.title())
                category.setEditable(False)
                category.setDragEnabled(False)
                category.setSelectable(False)
                categories[function.category] = category
                self.appendRow(category)
            item = QStandardItem(function.title)
            item.setEditable(False)
            item.setDragEnabled(True)
            item.setData(function.slug, SLUG_ROLE)
            item.setData(" ".join((function.title, function.slug, function.description)), SEARCH_ROLE)
            item.setToolTip(function_tooltip(function))
            category.appendRow(item)

    def set_groups(self, title: str, entries: list[tuple[str, str, str]]) -> None:
        """The workflow's own groups, first in the list under `title`: (slug, name, tooltip) each; a group's
        slug (`group:<id>`) drags and drops as a function's does, adding an instance of it."""
        if self._groups is not None:
            self.removeRow(self._groups.row())
            self._groups = None
        if not entries:
            return
        category = QStandardItem(title)
        category.setEditable(False)
        category.setDragEnabled(False)
        category.setSelectable(False)
        for slug, name, tip in entries:
            item = QStandardItem(name)
            item.setEditable(False)
            item.setDragEnabled(True)
            item.setData(slug, SLUG_ROLE)
            item.setData(f"{name} {title} group", SEARCH_ROLE)
            item.setToolTip(tip)
            category.appendRow(item)
        self.insertRow(0, category)
        self._groups = category

    def mimeTypes(self) -> list[str]:
        return [FUNCTION_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData | None:
        slugs = [i.data(SLUG_ROLE) for i in indexes if i.isValid() and i.data(SLUG_ROLE)]
        if not slugs:
            return None
        data = QMimeData()
        data.setData(FUNCTION_MIME, slugs[0].encode("utf-8"))
        data.setText(slugs[0])
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


class PaletteWidget(QWidget):
    """Search box over the function tree; activating an entry asks the window to add that step."""

    function_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = FunctionModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setRecursiveFilteringEnabled(True)

        self.search = QLineEdit(self)
        self.search.setObjectName("palette-search")
        self.search.setPlaceholderText("Search functions…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)

        self.tree = QTreeView(self)
        self.tree.setObjectName("palette-tree")
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.activated.connect(self._activate)  # double-click and Enter
        self.tree.expandAll()

        self.no_match = QLabel(self)  # an empty tree looks broken: say that the search found nothing
        self.no_match.setObjectName("palette-no-match")
        self.no_match.setTextFormat(Qt.TextFormat.PlainText)
        self.no_match.setWordWrap(True)
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.no_match.setStyleSheet("color: gray; padding: 8px;")
        self.no_match.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        layout.addWidget(self.no_match, 1)

    def set_groups(self, title: str, entries: list[tuple[str, str, str]]) -> None:
        """Show the workflow's own groups first (see `FunctionModel.set_groups`)."""
        self._groups_shown = (title, entries)
        self.model.set_groups(title, entries)
        self._filter(self.search.text())

    def reload_functions(self) -> None:
        """Show the registry's functions again (a functions file was loaded), the groups still first."""
        self.model.reload()
        groups = getattr(self, "_groups_shown", None)
        if groups is not None:
            self.model.set_groups(*groups)
        self._filter(self.search.text())

    def _filter(self, text: str) -> None:
        text = text.strip()
        self.proxy.setFilterFixedString(text)
        self.tree.expandAll()
        found = self.proxy.rowCount() > 0
        self.no_match.setText(f"No function matches '{text}'" if text else "No functions are installed")
        self.no_match.setVisible(not found)
        self.tree.setVisible(found)

    def _activate(self, index: QModelIndex) -> None:
        slug = index.data(SLUG_ROLE)
        if slug:
            self.function_activated.emit(slug)

    def visible_slugs(self) -> list[str]:
        """The slugs the filter lets through (for tests and keyboard navigation)."""
        slugs = []
        for row in range(self.proxy.rowCount()):
            category = self.proxy.index(row, 0)
            for child in range(self.proxy.rowCount(category)):
                slugs.append(self.proxy.index(child, 0, category).data(SLUG_ROLE))
        return slugs
