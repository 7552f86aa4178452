"""The table viewer's model: a million rows shown without turning them into a million Python objects.

Rows are revealed by `canFetchMore` / `fetchMore`, doubling each time (the end of a million rows is about
ten fetches away), and their cells come from `Pages` a page of `PAGE_ROWS` at a time: `data()` reads the
page's column lists, and asks for a page only when a row on screen needs it. At most `PAGES_KEPT` pages
are held. Sorting and filtering never happen here: `sort()` and `set_filter()` ask the pages' owner for
a new row order (pyarrow there), on another thread (`ask`): the window stays live meanwhile, and the
answer's first page replaces the pages held, in one reset.

A page the kernel cannot give yet (a run is going: `PagesBusy`) leaves its rows showing "…" and is asked
again every `RETRY_MS`; a page that fails (`PagesError`) is reported by `failed`.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette

from fancy_studio.core.table_source import TableQuery
from fancy_studio.gui.viewers.table_pages import Pages, PagesBusy, PagesError

PAGE_ROWS = 1000
"""Rows asked for at once."""
PAGES_KEPT = 64
"""Pages held at most (the others are asked for again when scrolled back to)."""
FIRST_ROWS = 1000
"""Rows revealed before the first `fetchMore`."""
RETRY_MS = 250
PENDING = "…"
"""A cell whose page has not come yet."""

_Index = QModelIndex | QPersistentModelIndex


MISSING = "—"
"""How a missing value (None, NaN, NaT) shows: one mark for all, dimmed, so it never reads as the text
"None" or "NaN" in a column of names (Copy gives an empty cell, as spreadsheets have)."""


def is_missing(value: Any) -> bool:
    return value is None or (type(value) is float and math.isnan(value))


def cell_text(value: Any) -> str:
    """A cell as shown: numbers in full, a missing value as `MISSING`."""
    if value is None:
        return MISSING
    if type(value) is float:
        return MISSING if math.isnan(value) else repr(value)
    return str(value)


def copy_cell_text(value: Any) -> str:
    """A cell as copied: a missing value is an empty cell; tabs and line breaks become spaces (TSV)."""
    if is_missing(value):
        return ""
    return cell_text(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


class TableModel(QAbstractTableModel):
    """Columns and types from the first page; rows revealed by fetchMore; cells read from pages."""

    failed = Signal(str)
    """A page could not be had (the message says why)."""
    waiting = Signal(bool)
    """True while a page waits for the kernel to finish a run; False once pages come again."""
    query_changed = Signal()
    """A sort or filter was applied, or the first page came (the row count may have changed)."""
    asking = Signal()
    """A question went to the pages' owner in the background (`ask`)."""
    answered = Signal()
    """A question asked in the background (`ask`) was answered: a page, an error, or "busy"."""
    _arrived = Signal(int, object, str, object)  # from the asking thread: generation, query, kind, answer

    def __init__(self, pages: Pages, parent: Any = None) -> None:
        super().__init__(parent)
        self.pages = pages
        self.query = TableQuery()
        self.columns: list[str] = []
        self.dtypes: list[str] = []
        self.row_count = 0
        """Rows the query shows (all of them, revealed or not)."""
        self.total_rows = 0
        """Rows of the whole table."""
        self.revealed = 0
        self._pages: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._waiting = False
        self._may_ask = True
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self._try_again)
        self.error: str | None = None
        self.busy_reason = ""
        """Why the last page had to wait (the kernel runs the workflow, starts, reads another table)."""
        self.pending: TableQuery | None = None
        """The query asked in the background and not answered yet (None: none)."""
        self._generation = 0
        self._version: Any = None
        """Which value the first page came from (the kernel's row revision and time; None here)."""
        self._arrived.connect(self._answer)

    # --- loading -----------------------------------------------------------------------------------

    def load(self) -> bool:
        """Ask for the first page (columns, types, row count); False when it could not be had now."""
        self.beginResetModel()
        try:
            self._pages.clear()
            self.error = None
            page = self._page(0)
            if page is not None:
                self._show_first(page)
            else:
                self.revealed = 0
        finally:
            self.endResetModel()
        return page is not None

    def ask(self, query: TableQuery) -> None:
        """Ask for the first page of `query` on another thread (a sort or filter of a million rows, or a
        kernel reading a value, takes a while; the window stays live). The answer replaces what is shown;
        a newer question makes an older one's answer moot."""
        self._generation += 1
        generation, pages, arrived = self._generation, self.pages, self._arrived
        self.pending = query
        self.asking.emit()

        def work() -> None:
            try:
                kind, answer = "page", pages.page(0, PAGE_ROWS, query)
            except PagesBusy as exc:
                kind, answer = "busy", str(exc)
            except Exception as exc:  # noqa: BLE001 - any failure is told to the user, never lost
                kind, answer = "error", str(exc) or repr(exc)
            try:
                arrived.emit(generation, query, kind, answer)
            except RuntimeError:  # the viewer was closed meanwhile
                pass

        threading.Thread(target=work, name="table-query", daemon=True).start()

    def _answer(self, generation: int, query: TableQuery, kind: str, answer: Any) -> None:
        if generation != self._generation:
            return  # a newer question was asked since
        if kind == "busy":
            self.busy_reason = answer
            self._set_waiting(True, retry=False)
            QTimer.singleShot(RETRY_MS, self, lambda: self._ask_again(generation, query))
            self.answered.emit()
            return
        self.pending = None
        if kind == "error":
            self._set_waiting(False)
            self.error = answer
            self.failed.emit(answer)
        else:
            self._set_waiting(False)
            self.error = None
            self.beginResetModel()
            self.query = query
            self._pages.clear()
            self._show_first(answer)
            self.endResetModel()
            self.query_changed.emit()
        self.answered.emit()

    def _ask_again(self, generation: int, query: TableQuery) -> None:
        """The kernel was busy (a run): ask again, unless a newer question was asked meanwhile."""
        if generation == self._generation:
            self.ask(query)

    def _show_first(self, page: dict[str, Any]) -> None:
        self._pages[0] = page
        self.columns, self.dtypes = page["columns"], page["dtypes"]
        self.row_count, self.total_rows = page["row_count"], page["total_rows"]
        self.revealed = min(self.row_count, FIRST_ROWS)
        self._version = page.get("version")

    def _page(self, number: int) -> dict[str, Any] | None:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        if self._waiting and not self._may_ask:
            return None  # the retry timer lets one repaint ask again: not every cell of every repaint
        if self.pending is not None:
            return None  # a question is out (the kernel is busy with it): "…" until its answer
        if self.error is not None:
            return None  # said once; a new sort or filter asks again
        try:
            page = self.pages.page(number * PAGE_ROWS, PAGE_ROWS, self.query)
        except PagesBusy as exc:
            self._may_ask = False
            self.busy_reason = str(exc)
            self._set_waiting(True)
            return None
        except PagesError as exc:
            self.error = str(exc)
            self.failed.emit(self.error)
            return None
        self._set_waiting(False)
        if number and (page["row_count"] != self.row_count or page.get("version") != self._version):
            self.ask(self.query)  # the value changed under us (a run rewrote it): start again
            return None
        self._pages[number] = page
        while len(self._pages) > PAGES_KEPT:
            self._pages.popitem(last=False)
        return page

    def _set_waiting(self, waiting: bool, retry: bool = True) -> None:
        if waiting and retry:
            self._retry.start()
        if waiting != self._waiting:
            self._waiting = waiting
            self.waiting.emit(waiting)

    def _try_again(self) -> None:
        """The kernel was busy: the next repaint may ask for the pages it lacks (once)."""
        if not self.columns:
            self.ask(self.query)
            return
        self._may_ask = True
        if self.revealed and self.columns:
            self.dataChanged.emit(self.index(0, 0), self.index(self.revealed - 1, len(self.columns) - 1))

    # --- Qt's model --------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.revealed

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.revealed < self.row_count

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        """Reveal as many rows again as are revealed (at least a page), and fetch the first new page."""
        if parent.isValid() or self.revealed >= self.row_count:
            return
        first = self.revealed
        last = min(self.row_count, first + max(PAGE_ROWS, first)) - 1
        self.beginInsertRows(QModelIndex(), first, last)
        self.revealed = last + 1
        self.endInsertRows()
        self._page(first // PAGE_ROWS)

    def value(self, row: int, column: int) -> Any:
        """The cell's value as the page gave it; `PENDING` when its page has not come."""
        page = self._page(row // PAGE_ROWS)
        if page is None:
            return PENDING
        cells = page["cells"][column]
        offset = row - page["start"]
        return cells[offset] if 0 <= offset < len(cells) else PENDING

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.value(index.row(), index.column())
            return value if value is PENDING else cell_text(value)
        if role == Qt.ItemDataRole.ForegroundRole or role == Qt.ItemDataRole.ToolTipRole:
            value = self.value(index.row(), index.column())
            if value is PENDING or not is_missing(value):
                return None
            if role == Qt.ItemDataRole.ToolTipRole:
                return "missing value"
            return QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            kind = self.dtypes[index.column()] if index.column() < len(self.dtypes) else ""
            if kind.startswith(("int", "uint", "float", "Int", "UInt", "Float", "double")):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self.columns):
                return None
            name, kind = self.columns[section], self.dtypes[section]
            return f"{name}\n{kind}" if role == Qt.ItemDataRole.DisplayRole else f"{name} ({kind})"
        return str(self.row_number(section))

    def row_number(self, row: int) -> int | str:
        """The row's number in the whole table (a sorted or filtered view shows rows out of order)."""
        if self.query.plain:
            return row
        page = self._pages.get(row // PAGE_ROWS)  # never asks: a header repaint must stay cheap
        if page is None:
            return PENDING
        offset = row - page["start"]
        return page["rows"][offset] if 0 <= offset < len(page["rows"]) else PENDING

    # --- sorting and filtering ---------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by `column` (a header click); -1 shows the table's own order again."""
        sort_column = column if 0 <= column < len(self.columns) else None
        base = self.pending or self.query
        self._apply(TableQuery(sort_column, order == Qt.SortOrder.DescendingOrder, base.filter_text,
                               base.filter_column))

    def set_filter(self, text: str, column: int | None = None) -> None:
        """Keep the rows where `text` is in a cell's text (any column, or `column`), ignoring case."""
        base = self.pending or self.query
        self._apply(TableQuery(base.sort_column, base.descending, text, column if text else None))

    def _apply(self, query: TableQuery) -> None:
        if query == (self.pending or self.query):
            return
        self.ask(query)
