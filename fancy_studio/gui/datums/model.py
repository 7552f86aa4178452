"""The datum table model: one row per cell in a `DatumStore`, updated by what changed, not by rescanning.

The engine writes the store from its worker thread; this model only reads, on the GUI thread, when asked
to `refresh()`. Each refresh asks the store for the cells written since the last one and turns them into
one `rowsInserted` (new cells, appended) and one `dataChanged` (rewritten cells), so a run that writes
10,000 cells costs a handful of signals, not 10,000 repaints.

Lineage (which function made a value, in how long) and whether a value is kept in memory only are read
from the store lazily, for the rows the table paints, once per written value: a store on disk may need a
query for them, and a refresh must never cost one per row.

A large value another process made (a kernel run) is a `StoredSummary` here: its type, preview and size
are shown; the whole value stays on disk until the user opens, copies or exports it.
"""

from __future__ import annotations

import math
import reprlib
import struct
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from fancy_studio.core.result_cache import Lineage, ResultCache
from fancy_studio.core.store import Cell, DatumStore
from fancy_studio.core.value_summary import StoredSummary, size_text, table_outline
from fancy_studio.gui.datums.lineage_text import (
    IN_MEMORY_NOTE, IN_MEMORY_TIP, function_text, lineage_tooltip, stale_text, took_text,
)

ALIAS, TYPE, VALUE, PRODUCER, WHEN, TOOK, FUNCTION = range(7)
HEADERS = ("Alias", "Type", "Value", "Produced by", "When", "Took", "Function")

ID_ROLE = Qt.ItemDataRole.UserRole
"""Any column: the cell's UUID."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
"""Raw sortable values: the timestamp (float) for When, numbers in numeric order for Value, else
case-folded text."""
FILTER_ROLE = Qt.ItemDataRole.UserRole + 2
"""Column 0: alias, type, value preview and producer in one string, for the panel's filter."""

PREVIEW_CHARS = 80
TOOLTIP_CHARS = 1500
INPUT_PRODUCER = "input"
ON_DISK_TIP = ("The whole value stays on disk until you open it (double-click), copy or export it: only "
               "this preview was read")

_short_repr = reprlib.Repr()
_short_repr.maxlevel, _short_repr.maxlist, _short_repr.maxtuple = 3, 12, 12
_short_repr.maxdict, _short_repr.maxset, _short_repr.maxfrozenset = 8, 12, 12
_short_repr.maxstring, _short_repr.maxother, _short_repr.maxlong = 120, 120, 60

_long_repr = reprlib.Repr()
_long_repr.maxlevel, _long_repr.maxlist, _long_repr.maxtuple = 5, 100, 100
_long_repr.maxdict, _long_repr.maxset, _long_repr.maxfrozenset = 50, 100, 100
_long_repr.maxstring, _long_repr.maxother, _long_repr.maxlong = 1000, 500, 200


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bounded_repr(value: Any, bounds: reprlib.Repr) -> str:
    """reprlib, so a 100,000-element list previews in microseconds; a broken __repr__ must not break the
    table."""
    try:
        return bounds.repr(value)
    except Exception:  # noqa: BLE001 - any user object may sit in the store
        return f"<{type(value).__name__}: repr failed>"


def value_preview(value: Any) -> str:
    """One line, about 80 characters: text as is (newlines shown as ⏎), anything else as a short repr; a
    value left on disk, its stored preview and its size; a table, its size and first column names."""
    outline = value.outline if type(value) is StoredSummary else table_outline(value)
    if outline is not None:
        names = ", ".join(outline.names) + (", …" if outline.columns > len(outline.names) else "")
        text = f"{outline.size_text()}: {names}" if outline.names else outline.size_text()
        return _elide(text, PREVIEW_CHARS)
    if type(value) is StoredSummary:
        text = value.preview.replace("\r\n", "\n").replace("\n", " ⏎ " if value.type_name == "str" else " ")
        return f"{_elide(text, PREVIEW_CHARS)}  ({size_text(value.size)})"
    if isinstance(value, str):
        # Slicing first keeps a megabyte of text cheap; the slice is still longer than the preview.
        return _elide(value[: PREVIEW_CHARS * 2].replace("\r\n", "\n").replace("\n", " ⏎ "), PREVIEW_CHARS)
    return _elide(_bounded_repr(value, _short_repr).replace("\n", " "), PREVIEW_CHARS)


def value_tooltip(value: Any) -> str:
    """A longer preview for the tooltip, keeping newlines; the value viewer shows the whole thing."""
    if type(value) is StoredSummary:
        length = f", {value.length:,} long" if value.length is not None else ""
        about = f"{value.type_name}{length}, {size_text(value.size)}"
        return f"{_elide(value.preview, TOOLTIP_CHARS)}\n\n{about}. {ON_DISK_TIP}"
    text = value if isinstance(value, str) else _bounded_repr(value, _long_repr)
    return _elide(text, TOOLTIP_CHARS)


def value_sort_key(value: Any, preview: str) -> str:
    """Numbers in numeric order, then everything else by its preview: all strings, so Qt compares one type.

    A number becomes "0" and its double's bits rearranged to sort as unsigned hex; text becomes "1" and
    its case-folded preview.
    """
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            number = math.nan
        if not math.isnan(number):
            (bits,) = struct.unpack(">Q", struct.pack(">d", number))
            bits = bits ^ 0xFFFF_FFFF_FFFF_FFFF if bits >> 63 else bits | 1 << 63
            return f"0{bits:016x}"
    return "1" + preview.casefold()


def type_name(value: Any) -> str:
    return value.type_name if type(value) is StoredSummary else type(value).__name__


def local_time(timestamp: float) -> str:
    """hh:mm:ss.zzz in local time: runs are short, the date only adds noise."""
    millis = int((timestamp % 1) * 1000)
    return time.strftime("%H:%M:%S", time.localtime(timestamp)) + f".{millis:03d}"


def _no_title(step_id: UUID | None) -> str:
    return INPUT_PRODUCER if step_id is None else str(step_id)[:8]


def _not_stale(_node_id: UUID) -> str | None:
    return None


_ITALIC = QFont()
_ITALIC.setItalic(True)


class DatumTableModel(QAbstractTableModel):
    """Rows are cells in the order the model first saw them; `refresh()` appends and updates in batches."""

    def __init__(
        self,
        store: DatumStore,
        step_title: Callable[[UUID | None], str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._step_title = step_title or _no_title
        self._rows: list[Cell] = []
        self._row_of: dict[UUID, int] = {}
        self._previews: dict[UUID, str] = {}  # value previews are the costly part of filtering; cache them
        self._facts: dict[UUID, tuple[Lineage | None, bool]] = {}
        """(lineage, kept in memory only) of the rows painted so far, until their cell is written again."""
        self._stale_reason: Callable[[UUID], str | None] = _not_stale
        self._stale_shown: set[UUID] = set()
        self._keeps_lineage = False
        self.live = False
        """A run is writing the store: a computed value's lineage may follow it a moment later."""
        self._seen_revision = 0
        self.reset()

    # --- the store -------------------------------------------------------------------------------

    @property
    def store(self) -> DatumStore:
        return self._store

    def set_store(self, store: DatumStore, *, same_file: bool = False) -> None:
        """Show another store (a new document, a new run). `same_file`: the same store opened afresh (after
        a run in the kernel): the rows shown stay, and only what they lack is read (a full reset would
        read and decode every datum again on the GUI thread)."""
        self._store = store
        if same_file and self._rows:
            self._keeps_lineage = isinstance(store, ResultCache)
            self._seen_removals = getattr(store, "removals", None)
            self.refresh()
            return
        self.reset()

    def reset(self) -> None:
        """Rebuild every row from the store: after a clear or removal, or a new store."""
        self.beginResetModel()
        removals = getattr(self._store, "removals", None)  # before reading: a removal meanwhile is seen next
        cells = sorted(self._store, key=lambda c: c.revision)
        self._rows = cells
        self._row_of = {cell.id: row for row, cell in enumerate(cells)}
        self._previews = {}
        self._facts = {}
        self._stale_shown = set()
        self._keeps_lineage = isinstance(self._store, ResultCache)  # a protocol check: once, not per row
        self._seen_revision = cells[-1].revision if cells else self._store.revision
        self._seen_removals = removals
        self.endResetModel()

    def refresh(self) -> bool:
        """Pick up the cells written since the last look; True when anything changed.

        New cells arrive as one appended block, rewritten ones as one `dataChanged` spanning them. A
        removal or clear cannot be described that way (and is rare), so it resets the model.
        """
        store = self._store
        changed = store.changed_since(self._seen_revision)
        rows, row_of = self._rows, self._row_of
        if rows and (rows[0].id not in store or rows[-1].id not in store):
            self.reset()  # cleared, or the oldest/newest row was removed
            return True
        removals = getattr(store, "removals", None)
        if removals is not None and removals != self._seen_removals:
            self.reset()  # something was removed: rebuild (rare) rather than count the cells on every look
            return True
        if not changed:
            if removals is None and len(store) < len(rows):
                self.reset()
                return True
            return False
        new: list[Cell] = []
        first_changed, last_changed = len(rows), -1
        previews = self._previews
        for cell in changed:
            row = row_of.get(cell.id)
            if row is None:
                new.append(cell)
            else:
                rows[row] = cell
                previews.pop(cell.id, None)
                self._facts.pop(cell.id, None)
                first_changed = min(first_changed, row)
                last_changed = max(last_changed, row)
        # Read the length after changed_since: a writer adding cells meanwhile only makes it larger, so a
        # smaller length means cells were removed.
        if removals is None and len(store) < len(rows) + len(new):
            self.reset()
            return True
        self._seen_revision = changed[-1].revision
        if last_changed >= 0:
            self.dataChanged.emit(self.index(first_changed, 0), self.index(last_changed, len(HEADERS) - 1))
        if new:
            start = len(rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            rows.extend(new)
            for offset, cell in enumerate(new):
                row_of[cell.id] = start + offset
            self.endInsertRows()
        return True

    def refresh_titles(self) -> None:
        """A step was renamed: redraw the Produced by column (titles are asked for, never cached)."""
        if self._rows:
            self.dataChanged.emit(self.index(0, PRODUCER), self.index(len(self._rows) - 1, PRODUCER))

    def set_stale_reason(self, stale_reason: Callable[[UUID], str | None]) -> None:
        """Ask `stale_reason(cell_id)` why a computed value is out of date (the run status knows)."""
        self._stale_reason = stale_reason
        self.refresh_staleness()

    @property
    def shows_stale(self) -> bool:
        """Some row is drawn as stale (a run that starts will make it current)."""
        return bool(self._stale_shown)

    def refresh_staleness(self) -> None:
        """Values went stale or fresh: repaint the rows whose staleness changed, and only those (a
        `dataChanged` over every row of a sorted table costs the proxy some 100 ms at 10,000 rows)."""
        reason = self._stale_reason
        stale = {cell.id for cell in self._rows if cell.produced_by is not None and reason(cell.id)}
        moved = sorted(row for cell_id in stale ^ self._stale_shown
                       if (row := self._row_of.get(cell_id)) is not None)
        self._stale_shown = stale
        roles = [Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole]
        last = len(HEADERS) - 1
        for top, bottom in row_runs(moved):
            self.dataChanged.emit(self.index(top, 0), self.index(bottom, last), roles)

    def forget_lineage(self) -> None:
        """The store's lineage changed under the rows (stored results cleared, a run ended): read it again."""
        self._facts = {}
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))

    # --- lookups ---------------------------------------------------------------------------------

    def cell_at(self, row: int) -> Cell:
        return self._rows[row]

    def row_of(self, cell_id: UUID) -> int | None:
        return self._row_of.get(cell_id)

    def cell(self, cell_id: UUID) -> Cell | None:
        row = self._row_of.get(cell_id)
        return None if row is None else self._rows[row]

    def producer_title(self, cell: Cell) -> str:
        return INPUT_PRODUCER if cell.produced_by is None else self._step_title(cell.produced_by)

    def facts(self, cell: Cell) -> tuple[Lineage | None, bool]:
        """(its lineage, kept in memory only) for a row, read from the store once per written value.

        While a run goes, a computed value found without lineage is asked again at the next paint: the
        engine records lineage just after the value."""
        facts = self._facts.get(cell.id)
        if facts is None:
            store = self._store
            lineage = None
            if cell.produced_by is not None and self._keeps_lineage:
                lineage = _ask(store.lineage, cell.id)  # type: ignore[attr-defined]
            in_memory_only = getattr(store, "in_memory_only", None)
            memory = False if in_memory_only is None else _ask(partial(in_memory_only, wait=False), cell.id)
            facts = (lineage, bool(memory))
            if memory is not None and (lineage is not None or cell.produced_by is None or not self.live):
                self._facts[cell.id] = facts  # None: the store cannot tell yet (its write is pending)
        return facts

    def _tooltip(self, cell: Cell, column: int) -> str | None:
        tip = None
        if column == VALUE:
            tip = value_tooltip(cell.value)
        elif column == WHEN:
            day = time.strftime("%Y-%m-%d", time.localtime(cell.produced_at))
            tip = f"{day} {local_time(cell.produced_at)}"
        elif column == ALIAS:
            tip = str(cell.id)
        elif column in (PRODUCER, TOOK, FUNCTION) and cell.produced_by is not None:
            lineage = self.facts(cell)[0]
            tip = lineage_tooltip(lineage, self.producer_title(cell)) if lineage is not None else None
        in_memory = IN_MEMORY_TIP if self.facts(cell)[1] else None
        notes = [note for note in (tip, self._stale_note(cell), in_memory) if note]
        return "\n\n".join(notes) if notes else None

    def _stale_note(self, cell: Cell) -> str | None:
        if cell.produced_by is None:
            return None
        reason = self._stale_reason(cell.id)
        return stale_text(reason) if reason else None

    def _preview(self, cell: Cell) -> str:
        preview = self._previews.get(cell.id)
        if preview is None:
            preview = self._previews[cell.id] = value_preview(cell.value)
        return preview

    # --- QAbstractTableModel ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        cell = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == ALIAS:
                return cell.alias or ""
            if column == TYPE:
                return type_name(cell.value)
            if column == VALUE:
                preview = self._preview(cell)
                return f"{preview}  ({IN_MEMORY_NOTE})" if self.facts(cell)[1] else preview
            if column == PRODUCER:
                return self.producer_title(cell)
            if column == WHEN:
                return local_time(cell.produced_at)
            if cell.produced_by is None:
                return ""
            lineage = self.facts(cell)[0]
            return took_text(lineage) if column == TOOK else function_text(lineage)
        if role == ID_ROLE:
            return cell.id
        if role == SORT_ROLE:
            if column == WHEN:
                return cell.produced_at
            if column == ALIAS:
                return (cell.alias or "").casefold()
            if column == TYPE:
                return type_name(cell.value).casefold()
            if column == VALUE:
                return value_sort_key(cell.value, self._preview(cell))
            if column == TOOK:
                lineage = self.facts(cell)[0] if cell.produced_by is not None else None
                return lineage.duration if lineage is not None else -1.0
            if column == FUNCTION:
                return function_text(self.facts(cell)[0] if cell.produced_by is not None else None).casefold()
            return self.producer_title(cell).casefold()
        if role == FILTER_ROLE:
            return "\n".join((cell.alias or "", type_name(cell.value), self._preview(cell),
                              self.producer_title(cell)))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(cell, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if self._stale_note(cell) is not None:  # dimmed, as the canvas dims a stale value
                return QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            return None
        if role == Qt.ItemDataRole.FontRole:
            return _ITALIC if self.facts(cell)[1] else None
        return None


def row_runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows: one signal or range per run."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(row, runs[-1][1]))
        else:
            runs.append((row, row))
    return runs


def _ask(question: Callable[[UUID], Any], cell_id: UUID) -> Any:
    """A store's answer about one cell, or None when it cannot answer (a cell removed meanwhile, a file
    that cannot be read): a table row must paint whatever the store does."""
    try:
        return question(cell_id)
    except Exception:  # noqa: BLE001 - any store, any failure: the row shows no lineage
        return None
