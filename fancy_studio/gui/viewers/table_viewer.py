"""The table viewer: a table value's columns with their types, sorted by a header click, filtered by text,
copied as tab-separated text (what spreadsheets paste), exported as CSV.

The rows come from `TableModel`, which reads them a page at a time from the kernel (a large value the
studio holds only as a summary) or from a `TableSource` here (see `table_pages.py`); sorting and filtering
are asked of that source, never done by a proxy model over Python rows.
"""

from __future__ import annotations

import csv
import io
import math
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fancy_studio.core.atomic_write import write_atomically
from fancy_studio.core.errors import FancyError
from fancy_studio.core.value_kinds import is_number_series
from fancy_studio.core.value_summary import StoredSummary
from fancy_studio.gui.viewers.table_model import PENDING, TableModel, copy_cell_text
from fancy_studio.gui.viewers.table_pages import KernelPages, LocalPages, Pages, PagesError

FILTER_DELAY_MS = 300
"""The filter is applied this long after the last key (a million rows are not filtered per key)."""
COPY_CELLS_LIMIT = 1_000_000
"""Cells Copy puts on the clipboard at most (more is refused, with a word: export instead)."""
EXPORT_ROWS = 10_000
"""Rows asked for at once while exporting."""


def shape_text(rows: int, total: int, columns: int) -> str:
    """"1,000,000 rows × 5 columns", or "12 of 1,000,000 rows × 5 columns" while a filter hides some."""
    noun = "row" if total == 1 else "rows"
    shown = f"{total:,} {noun}" if rows == total else f"{rows:,} of {total:,} {noun}"
    return f"{shown} × {columns:,} column{'' if columns == 1 else 's'}"


class CopyingTableView(QTableView):
    """A table view whose Ctrl+C asks for the whole selection (Qt's own copies the current cell only)."""

    copy_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class TableViewer(QDialog):
    """One table value: the shape, a filter, the table, Copy and Export CSV."""

    def __init__(self, pages: Pages, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("table-viewer")
        self.title = title
        self.setWindowTitle(f"{title} — table")
        self.resize(900, 600)
        self.title = title
        self.model = TableModel(pages, self)

        self.shape_label = QLabel(self)
        self.shape_label.setObjectName("table-shape")
        self.note_label = QLabel(self)
        self.note_label.setObjectName("table-note")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("table-filter")
        self.filter_edit.setPlaceholderText("Filter rows…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_column = QComboBox(self)
        self.filter_column.setObjectName("table-filter-column")
        self.filter_column.setToolTip("Look for the text in every column, or in one")
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self.apply_filter)
        self.filter_column.currentIndexChanged.connect(lambda _index: self.apply_filter())

        self.table = CopyingTableView(self)
        self.table.setObjectName("table-view")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the table's own order at first
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultSectionSize(120)
        self.table.setSortingEnabled(True)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.copy_requested.connect(self.copy_selection)

        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setObjectName("table-copy")
        self.copy_button.setToolTip("Copy the selected cells as tab-separated text (Ctrl+C)")
        self.copy_button.clicked.connect(self.copy_selection)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setObjectName("table-export")
        self.export_button.setToolTip("Save the rows shown (sorted and filtered as shown) as a CSV file")
        self.export_button.clicked.connect(self.export_dialog)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)

        top = QHBoxLayout()
        top.addWidget(self.shape_label)
        top.addStretch(1)
        top.addWidget(self.filter_edit, 2)
        top.addWidget(self.filter_column)
        bottom = QHBoxLayout()
        bottom.addWidget(self.note_label, 1)
        bottom.addWidget(self.copy_button)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self._bottom = bottom
        self.plot_button: QPushButton | None = None
        self.model.modelReset.connect(self._show_shape)
        self.model.failed.connect(self._failed)
        self.model.waiting.connect(self._waiting)
        self.model.asking.connect(self._asking)
        self.model.answered.connect(self._answered)
        self.where = pages.where
        self.fallback: Callable[[], Pages] | None = None
        """Where pages come from if the kernel cannot give the first one (the value read here)."""

    def load(self) -> bool:
        """Ask for the first page; False if it could not be had now (waiting for a run, or failed)."""
        loaded = self.model.load()
        self._show_shape()
        return loaded

    def load_in_background(self, fallback: Callable[[], Pages] | None = None) -> None:
        """Ask for the first page on another thread (the kernel may read and decode a large value first);
        if it fails, read the pages from `fallback()` instead (and say why)."""
        self.fallback = fallback
        self.shape_label.setText("Loading…")
        self.model.ask(self.model.query)

    def _use_fallback(self, why: str) -> None:
        fallback, self.fallback = self.fallback, None
        try:
            pages = fallback()
        except (PagesError, FancyError, sqlite3.Error) as exc:
            self.shape_label.setText("")
            self.note_label.setText(f"Could not read the table: {exc}")
            return
        self.model.pages, self.where = pages, pages.where
        self.load()
        self.note_label.setText(f"The kernel could not read it ({why}): read here instead")

    def _asking(self) -> None:
        if self.model.columns:
            self.note_label.setText(f"Sorting and filtering {self.model.total_rows:,} rows…")
        self.table.viewport().setCursor(Qt.CursorShape.BusyCursor)

    def _answered(self) -> None:
        self.table.viewport().unsetCursor()
        if self.model.pending is None and self.model.error is None:
            self.note_label.setText("Read by the kernel" if self.where == "kernel" else "")

    def _show_shape(self) -> None:
        model = self.model
        if not model.columns:
            return
        self.shape_label.setText(shape_text(model.row_count, model.total_rows, len(model.columns)))
        if self.filter_column.count() != len(model.columns) + 1:
            self.filter_column.blockSignals(True)
            self.filter_column.clear()
            self.filter_column.addItem("All columns")
            self.filter_column.addItems(model.columns)
            self.filter_column.blockSignals(False)
        if model.error is None and not self.note_label.text().startswith("Waiting:"):
            self.note_label.setText("Read by the kernel" if self.where == "kernel" else "")

    def _failed(self, message: str) -> None:
        if self.fallback is not None and not self.model.columns:
            QTimer.singleShot(0, self, lambda: self._use_fallback(message))  # once this answer is through
            return
        self.note_label.setText(f"Could not read the table: {message}")

    def _waiting(self, waiting: bool) -> None:
        self.note_label.setText(f"Waiting: {self.model.busy_reason}" if waiting else "")
        if not waiting:
            self._show_shape()

    # --- filter --------------------------------------------------------------------------------------

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        column = self.filter_column.currentIndex() - 1
        self.model.set_filter(self.filter_edit.text(), column if column >= 0 else None)  # answered later

    # --- copy and export -----------------------------------------------------------------------------

    def selection_text(self) -> str | None:
        """The selected cells as TSV: the rows and columns the selection spans (a cell of a row or column
        not selected is empty); None when nothing is selected or the selection is too large."""
        selection = self.table.selectionModel().selection()
        rows: set[int] = set()
        columns: set[int] = set()
        cells = 0
        for part in selection:
            rows.update(range(part.top(), part.bottom() + 1))
            columns.update(range(part.left(), part.right() + 1))
            cells += part.height() * part.width()
        if not rows or len(rows) * len(columns) > COPY_CELLS_LIMIT:
            return None
        chosen = self.table.selectionModel()
        whole = cells == len(rows) * len(columns)
        ordered = sorted(columns)
        lines = []
        for row in sorted(rows):
            texts = []
            for column in ordered:
                if whole or chosen.isSelected(self.model.index(row, column)):
                    value = self.model.value(row, column)
                    texts.append("" if value is PENDING else copy_cell_text(value))
                else:
                    texts.append("")
            lines.append("\t".join(texts))
        return "\n".join(lines)

    def copy_selection(self) -> int:
        """Ctrl+C and Copy: the selection on the clipboard as TSV; returns the rows copied."""
        text = self.selection_text()
        if text is None:
            if self.table.selectionModel().hasSelection():
                self.note_label.setText(f"The selection is too large to copy (more than {COPY_CELLS_LIMIT:,} "
                                        "cells): export it as CSV instead")
            return 0
        QGuiApplication.clipboard().setText(text)
        count = text.count("\n") + 1
        self.note_label.setText(f"Copied {count:,} row{'s' if count != 1 else ''}")
        return count

    def export_csv(self, path: Path) -> int:
        """Write the rows shown (in the order shown) with a header of column names, a missing value as an
        empty cell; returns the rows. The file is replaced whole or not at all (`write_atomically`)."""
        model = self.model
        written = 0
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(model.columns)
        while written < model.row_count:
            page = model.pages.page(written, EXPORT_ROWS, model.query)
            cells = page["cells"]
            if not cells or not cells[0]:
                break
            writer.writerows([["" if value is None or (type(value) is float and math.isnan(value)) else value
                               for value in row] for row in zip(*cells, strict=True)])
            written += len(cells[0])
        write_atomically(path, text.getvalue().encode("utf-8"))
        return written

    def export_dialog(self) -> Path | None:
        suggested = str(Path.home() / f"{self.title}.csv")
        name, _chosen = QFileDialog.getSaveFileName(self, "Export Table", suggested, "CSV files (*.csv)")
        if not name:
            return None
        path = Path(name)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            rows = self.export_csv(path)
        except Exception as exc:  # noqa: BLE001 - a disk, a kernel or a value that fails: told, nothing lost
            QMessageBox.critical(self, "Export Table", f"Could not export to {path}:\n{exc}")
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.note_label.setText(f"Exported {rows:,} rows to {path.name}")
        return path

    def select_all(self) -> None:
        self.table.selectAll()

    def select_cell(self, row: int, column: int) -> None:
        self.table.selectionModel().select(self.model.index(row, column),
                                           QItemSelectionModel.SelectionFlag.ClearAndSelect)


    def offer_plot(self, series: Any) -> None:
        """A Plot button that shows `series` (numbers) as an interactive line in the plot viewer."""
        from fancy_studio.gui.viewers.plot_viewer import PlotViewer

        self.plot_button = QPushButton("Plot", self)
        self.plot_button.setObjectName("table-plot")
        self.plot_button.setToolTip("Show the numbers as a line you can zoom and pan")
        self.plot_button.clicked.connect(lambda: PlotViewer(series, self.title, self).show())
        self._bottom.insertWidget(1, self.plot_button)


def open_table_viewer(context: Any) -> TableViewer | None:
    """The viewer of a dispatch `ViewerContext`'s table: paged by the kernel when the studio holds only
    the value's summary and a kernel is there (its first page asked in the background; if the kernel
    cannot read it, the value is read here), else from the value read here. None when a value held here
    turns out not to be a table (the text viewer shows it)."""
    value = context.cell.value
    if type(value) is StoredSummary and context.kernel is not None and context.store_path:
        viewer = TableViewer(KernelPages(context.kernel, context.store_path, context.cell.id), context.title,
                             context.parent)
        viewer.load_in_background(lambda: LocalPages(context.whole_value()))
        return viewer
    value = context.whole_value()
    try:
        pages = LocalPages(value)
    except PagesError:
        return None
    viewer = TableViewer(pages, context.title, context.parent)
    viewer.load()
    if is_number_series(value):  # a numeric Series: also a line to look at
        viewer.offer_plot(value)
    return viewer
