"""The datum panel: every cell in the store as a filterable, sortable table, live while a run goes.

The engine never signals the panel per cell: while a run goes, a timer calls `refresh()` a few times a
second and the model turns what changed into one insert and one update, so a 10,000-step run repaints a
few dozen times, not 10,000. Selection is shared with the canvas; `select_cells` is the way in and does
not echo back out as `cells_selected`. A right-click on a row offers `context_actions` (Show Lineage and the
rest of the Datums menu, given by the window).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import (
    QItemSelection, QItemSelectionModel, QModelIndex, QPoint, QSortFilterProxyModel, Qt, QTimer, Signal,
    SignalInstance,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QMenu, QMessageBox, QTableView, QToolButton, QVBoxLayout, QWidget,
)

from fancy_studio.core.errors import FancyError
from fancy_studio.core.store import Cell, DatumStore
from fancy_studio.core.value_summary import whole_value
from fancy_studio.gui.datums.export import FILE_FILTER, export_datums
from fancy_studio.gui.datums.model import (
    ALIAS, FILTER_ROLE, FUNCTION, ID_ROLE, PRODUCER, SORT_ROLE, TOOK, TYPE, VALUE, WHEN, DatumTableModel,
    row_runs,
)
from fancy_studio.gui.datums.value_viewer import ValueViewer, copy_text
from fancy_studio.gui.viewers.dispatch import ViewerContext, open_viewer_for


def count_text(shown: int, total: int) -> str:
    noun = "datum" if total == 1 else "datums"
    return f"{total} {noun}" if shown == total else f"{shown} of {total} {noun}"


class DatumPanel(QWidget):
    """Filter box, table and count; double-click or Enter on a row opens the value viewer."""

    cells_selected = Signal(object)
    """The set of selected cell UUIDs, when the user changes the table's selection."""
    message = Signal(str)
    """A short note for the status bar (how an export went)."""
    cell_activated = Signal(object)
    """A cell's UUID, when the user double-clicks its row or presses Enter on it."""

    def __init__(
        self,
        store: DatumStore,
        step_title: Callable[[UUID | None], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._syncing = False  # True while the selection changes for a reason other than the user
        self._step_title = step_title or (lambda _step_id: "")
        self.export_dir = Path.home()
        """Where the export dialog opens (the last export's folder)."""
        self.viewers: dict[UUID, QDialog] = {}
        self.viewer_kernel: Callable[[], object] = lambda: None
        """The kernel that can serve a table viewer's pages (the window gives it), or None: read here."""

        self.model = DatumTableModel(store, step_title, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterRole(FILTER_ROLE)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("datum-filter")
        self.filter_edit.setPlaceholderText("Filter datums…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("datum-count")

        self.table = QTableView(self)
        self.table.setObjectName("datum-table")
        self.table.setModel(self.proxy)
        # Unsorted at first: the store's order is the order values were written (When, ascending), and an
        # unsorted proxy appends a run's rows without a Python sort-key call per comparison.
        self.table.horizontalHeader().setSortIndicatorClearable(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)  # the value is what people read
        header.setStretchLastSection(False)
        for column, width in ((ALIAS, 140), (TYPE, 80), (PRODUCER, 140), (WHEN, 110), (TOOK, 70),
                              (FUNCTION, 150)):
            header.resizeSection(column, width)
        self.table.activated.connect(self._activate)  # double-click and Enter
        self.context_actions: Sequence[QAction] = ()
        """What a right-click on the table offers (the window gives Show Lineage and the Datums menu)."""
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self._stale_timer = QTimer(self)
        self._stale_timer.setSingleShot(True)
        self._stale_timer.setInterval(0)
        self._stale_timer.timeout.connect(self.model.refresh_staleness)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._update_count)

        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)

        self.export_button = QToolButton(self)
        self.export_button.setObjectName("datum-export")
        self.export_button.setText("Export…")
        self.export_button.setToolTip("Save the selected datums (or, with none selected, all shown) as JSON or CSV")
        self.export_button.clicked.connect(self.export_dialog)

        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self._update_count()

    # --- updates ---------------------------------------------------------------------------------

    def set_store(self, store: DatumStore, *, same_file: bool = False) -> None:
        """Show another store; open viewers keep the values they were opened with. `same_file`: the same
        store opened afresh, whose rows shown stay (see `DatumTableModel.set_store`)."""
        self._quietly(lambda: self.model.set_store(store, same_file=same_file))

    def refresh(self) -> bool:
        """Show what the store gained since the last refresh; True when anything changed."""
        return self._quietly(self.model.refresh)

    def start_live(self, interval_ms: int = 100) -> None:
        """Refresh every `interval_ms` while a run writes the store: that is how updates are batched.

        A sorted table is not re-sorted on every batch (that costs Python calls per comparison): new
        rows arrive at the end, and the table sorts once when the run is over."""
        self.proxy.setDynamicSortFilter(False)
        self.model.live = True
        self.timer.start(interval_ms)

    def stop_live(self) -> None:
        """Stop the timer, pick up the last writes of the run and sort again if a sort is chosen.

        Done on the next event-loop turn, like the live refreshes: the run's end is reported first."""
        self.timer.stop()
        QTimer.singleShot(0, self, self._final_refresh)

    def _final_refresh(self) -> None:
        if self.timer.isActive():
            return  # a new run started meanwhile: its live refreshes take over
        self.model.live = False
        self.refresh()
        self.proxy.setDynamicSortFilter(True)

    @property
    def is_live(self) -> bool:
        return self.timer.isActive()

    def watch_staleness(self, stale_reason: Callable[[UUID], str | None], changed: SignalInstance) -> None:
        """Dim a computed value an edit has made out of date, and say why in its tooltip: `stale_reason`
        answers for a cell, `changed` says when to ask again (a batch of changes makes one repaint)."""
        self.model.set_stale_reason(stale_reason)
        changed.connect(self._stale_soon)

    def _stale_soon(self, *_args) -> None:
        """While a run goes nothing turns stale (edits wait for it): only a start that makes rows current
        needs a look, not every batch of the run."""
        if not self.model.live or self.model.shows_stale:
            self._stale_timer.start()

    def _filter(self, text: str) -> None:
        self._quietly(self.proxy.setFilterFixedString, text.strip())
        self._update_count()

    def _update_count(self, *_args) -> None:
        self.count_label.setText(count_text(self.proxy.rowCount(), self.model.rowCount()))

    def _quietly(self, change: Callable, *args):
        """Rows appearing, vanishing or being filtered out change the selection, but the user did not:
        the canvas must not hear about it."""
        syncing, self._syncing = self._syncing, True
        try:
            return change(*args)
        finally:
            self._syncing = syncing

    # --- selection -------------------------------------------------------------------------------

    def copy_selected(self) -> int:
        """Put the selected rows on the clipboard; return how many were copied.

        One row: its value as the viewer's Copy gives it (text as is, else JSON). Several: a line per
        row, alias, a tab, the value on one line, ready to paste into a spreadsheet."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda index: index.row())
        lines = []
        for index in rows:
            cell = self.model.cell(index.data(ID_ROLE))
            if cell is not None:
                try:
                    text = copy_text(whole_value(self.model.store, cell))  # a value left on disk: read now
                except (FancyError, sqlite3.Error) as exc:
                    self.message.emit(f"Could not copy {cell.alias or 'the value'}: {exc}")
                    return 0
                value = text.replace("\n", " ") if len(rows) > 1 else text
                lines.append(f"{cell.alias or cell.id}\t{value}" if len(rows) > 1 else value)
        if lines:
            QApplication.clipboard().setText("\n".join(lines))
        return len(lines)

    def cells_to_export(self) -> list[Cell]:
        """The selected rows, or every row shown when none is selected, in the table's order."""
        selected = sorted(self.table.selectionModel().selectedRows(), key=lambda index: index.row())
        indexes = selected or [self.proxy.index(row, 0) for row in range(self.proxy.rowCount())]
        return [cell for index in indexes if (cell := self.model.cell(index.data(ID_ROLE))) is not None]

    def export_dialog(self) -> Path | None:
        """Ask where, then export (see `datums/export.py`); a failure is reported and loses nothing."""
        cells = self.cells_to_export()
        if not cells:
            self.message.emit("Nothing to export: run the workflow first")
            return None
        name, chosen = QFileDialog.getSaveFileName(self, "Export Datums", str(self.export_dir / "datums.json"),
                                                   FILE_FILTER)
        if not name:
            return None
        path = Path(name)
        if not path.suffix:
            path = path.with_suffix(".csv" if chosen.startswith("CSV") else ".json")
        try:
            count = export_datums(cells, path, self._step_title, self.model.store)
        except OSError as exc:
            QMessageBox.critical(self, "Export Datums", f"Could not export to {path}:\n{exc.strerror or exc}")
            return None
        except (FancyError, sqlite3.Error) as exc:  # a value left on disk that cannot be read back
            QMessageBox.critical(self, "Export Datums", f"Could not export: a value cannot be read ({exc})")
            return None
        self.export_dir = path.parent
        self.message.emit(f"Exported {count} datum{'s' if count != 1 else ''} to {path.name}")
        return path

    def selected_cell_ids(self) -> set[UUID]:
        return {index.data(ID_ROLE) for index in self.table.selectionModel().selectedRows()}

    def select_cells(self, ids: Iterable[UUID]) -> None:
        """Select the rows of these cells (those shown), without emitting `cells_selected`.

        Rows next to each other become one range: selecting all of 10,000 rows is one range, not 10,000
        that Qt compares with the last selection's pairwise."""
        rows: list[int] = []
        first: QModelIndex | None = None
        for cell_id in ids:
            row = self.model.row_of(cell_id)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if not index.isValid():
                continue  # filtered out
            rows.append(index.row())
            if first is None:
                first = index
        selection = QItemSelection()
        last_column = self.proxy.columnCount() - 1
        for top, bottom in row_runs(sorted(rows)):
            selection.select(self.proxy.index(top, 0), self.proxy.index(bottom, last_column))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self._quietly(self.table.selectionModel().select, selection, flags)
        if first is not None:
            self.table.scrollTo(first)

    def _selection_changed(self, *_args) -> None:
        if not self._syncing:
            self.cells_selected.emit(self.selected_cell_ids())

    def _context_menu(self, pos: QPoint) -> QMenu | None:
        """Right-click: the row under the pointer is already selected (Qt selects on any button)."""
        if not self.context_actions:
            return None
        menu = QMenu(self)
        menu.setObjectName("datum-context-menu")
        menu.addActions(list(self.context_actions))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one menu per right-click
        menu.popup(self.table.viewport().mapToGlobal(pos))
        return menu

    # --- the value viewer ------------------------------------------------------------------------

    def _activate(self, index: QModelIndex) -> None:
        cell_id = index.data(ID_ROLE)
        if cell_id is not None:
            self.cell_activated.emit(cell_id)
            self.open_viewer(cell_id)

    def open_viewer(self, cell_id: UUID) -> QDialog | None:
        """Show the cell's value as the store has it now; a viewer already open for it is raised."""
        viewer = self.viewers.get(cell_id)
        if viewer is not None:
            viewer.raise_()
            viewer.activateWindow()
            return viewer
        store = self.model.store
        cell = store.get(cell_id) if cell_id in store else self.model.cell(cell_id)
        if cell is None:
            return None
        try:
            viewer = open_viewer_for(ViewerContext(cell, store, self, self.viewer_kernel()))  # a table…
            if viewer is None:
                value = whole_value(store, cell)  # a value left on disk is read now, since the user asked
                viewer = ValueViewer(value, cell.alias, self)
        except (FancyError, sqlite3.Error) as exc:
            self.message.emit(f"Could not open {cell.alias or 'the value'}: {exc}")
            return None
        self.viewers[cell_id] = viewer
        viewer.finished.connect(lambda _result, cell_id=cell_id: self._viewer_closed(cell_id))
        viewer.show()
        return viewer

    def _viewer_closed(self, cell_id: UUID) -> None:
        viewer = self.viewers.pop(cell_id, None)
        if viewer is not None:
            viewer.deleteLater()
