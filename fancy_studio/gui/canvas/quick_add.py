"""Quick-add: a small search popup at the cursor that adds one function as a step where it opened.

It lists the palette's functions flat (no categories) through a filter on title and slug; typing
filters, Up/Down move the highlight, Enter adds the highlighted function at the popup's scene position
and closes, Esc closes. The window opens it on a double-click on empty canvas and on Tab in the canvas.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel, QAbstractProxyModel, QEvent, QModelIndex, QObject, QPoint, QPointF,
    QSortFilterProxyModel, Qt, Signal,
)
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLineEdit, QListView, QVBoxLayout, QWidget

from fancy_studio.gui.panels.palette import SLUG_ROLE

QUICK_SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3
"""Title and slug only (the palette's search role also matches descriptions)."""


class FlatFunctionModel(QAbstractProxyModel):
    """The leaves (function rows) of the palette's category tree as one flat list."""

    def __init__(self, source: QAbstractItemModel, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[QModelIndex] = []  # persistent would be safer; we rebuild on every change
        self.setSourceModel(source)
        for signal in (source.modelReset, source.rowsInserted, source.rowsRemoved, source.layoutChanged):
            signal.connect(self._rebuild)
        source.dataChanged.connect(lambda *_: self._rebuild())
        self._rebuild()

    def _rebuild(self, *_args) -> None:
        self.beginResetModel()
        source = self.sourceModel()
        rows = []
        for row in range(source.rowCount()):
            category = source.index(row, 0)
            for child in range(source.rowCount(category)):
                index = source.index(child, 0, category)
                if index.data(SLUG_ROLE):
                    rows.append(index)
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 1

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if parent.isValid() or column != 0 or not 0 <= row < len(self._rows):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, *args):  # noqa: D401 - Qt overload: parent(index) and QObject.parent()
        if not args:
            return super().parent()
        return QModelIndex()

    def mapToSource(self, proxy_index: QModelIndex) -> QModelIndex:
        if not proxy_index.isValid() or proxy_index.row() >= len(self._rows):
            return QModelIndex()
        return self._rows[proxy_index.row()]

    def mapFromSource(self, source_index: QModelIndex) -> QModelIndex:
        for row, index in enumerate(self._rows):
            if index == source_index:
                return self.createIndex(row, 0)
        return QModelIndex()

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        source = self.mapToSource(index)
        if not source.isValid():
            return None
        if role == QUICK_SEARCH_ROLE:
            return f"{source.data(Qt.ItemDataRole.DisplayRole)} {source.data(SLUG_ROLE)}"
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{source.data(Qt.ItemDataRole.DisplayRole)}    {source.data(SLUG_ROLE)}"
        return source.data(role)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class QuickAddPopup(QFrame):
    """Frameless popup: a search line over a flat, filtered list of functions."""

    function_chosen = Signal(str, QPointF)
    """The slug picked and the scene position the popup was opened for."""

    def __init__(self, function_model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("quick-add-popup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.scene_pos = QPointF()

        self.flat = FlatFunctionModel(function_model, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.flat)
        self.proxy.setFilterRole(QUICK_SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.search = QLineEdit(self)
        self.search.setObjectName("quick-add-search")
        self.search.setPlaceholderText("Add function…")
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)

        self.list = QListView(self)
        self.list.setObjectName("quick-add-list")
        self.list.setModel(self.proxy)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay in the line edit
        self.list.activated.connect(lambda _index: self.accept())  # double-click / Enter on the list
        self.list.clicked.connect(lambda _index: self.accept())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(320, 280)

    # --- opening -------------------------------------------------------------------------------------

    def popup(self, global_pos: QPoint, scene_pos: QPointF) -> None:
        """Show at `global_pos` (top-left), remembering where in the scene the step should go."""
        self.scene_pos = QPointF(scene_pos)
        self.search.clear()
        self._filter("")
        self.move(global_pos)
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)

    # --- filtering and moving ------------------------------------------------------------------------

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._set_row(0)

    def _set_row(self, row: int) -> None:
        count = self.proxy.rowCount()
        if count == 0:
            self.list.setCurrentIndex(QModelIndex())
            return
        index = self.proxy.index(max(0, min(count - 1, row)), 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)

    def current_slug(self) -> str | None:
        index = self.list.currentIndex()
        return index.data(SLUG_ROLE) if index.isValid() else None

    def visible_slugs(self) -> list[str]:
        return [self.proxy.index(r, 0).data(SLUG_ROLE) for r in range(self.proxy.rowCount())]

    def accept(self) -> None:
        slug = self.current_slug()
        self.close()
        if slug:
            self.function_chosen.emit(slug, self.scene_pos)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress and self._key(event):
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event) -> None:
        if not self._key(event):
            super().keyPressEvent(event)

    def _key(self, event) -> bool:
        """Handle the popup's navigation keys; True when the key was used."""
        key = event.key()
        row = self.list.currentIndex().row()
        page = max(1, self.list.viewport().height() // max(1, self.list.sizeHintForRow(0)))
        if key == Qt.Key.Key_Up:
            self._set_row(row - 1)
        elif key == Qt.Key.Key_Down:
            self._set_row(row + 1)
        elif key == Qt.Key.Key_PageUp:
            self._set_row(row - page)
        elif key == Qt.Key.Key_PageDown:
            self._set_row(row + page)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
        elif key == Qt.Key.Key_Escape:
            self.close()
        else:
            return False
        event.accept()
        return True


class QuickAddController(QObject):
    """Opens the popup for a canvas view on Tab in it; the window calls `open_at_scene_pos` on a
    double-click on empty canvas."""

    def __init__(self, view, function_model: QAbstractItemModel, add) -> None:
        """`add(slug, scene_pos)` adds the chosen step (the window's, so it also selects the step)."""
        super().__init__(view)
        self.view = view
        self.popup = QuickAddPopup(function_model, view)
        self.popup.function_chosen.connect(add)
        view.installEventFilter(self)  # Tab never reaches keyPressEvent: QWidget.event moves focus

    def open_at_scene_pos(self, scene_pos: QPointF) -> None:
        viewport = self.view.viewport()
        self.popup.popup(viewport.mapToGlobal(self.view.mapFromScene(scene_pos)), scene_pos)

    def open_at_cursor(self) -> None:
        """At the cursor when it is over the canvas, else at the canvas centre."""
        viewport = self.view.viewport()
        local = viewport.mapFromGlobal(QCursor.pos())
        if not viewport.rect().contains(local):
            local = viewport.rect().center()
        self.popup.popup(viewport.mapToGlobal(local), self.view.mapToScene(local))

    def eventFilter(self, watched, event) -> bool:
        if (watched is self.view and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Tab
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            self.open_at_cursor()
            event.accept()
            return True
        return super().eventFilter(watched, event)
