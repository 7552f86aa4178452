"""The Datums menu's actions: Show Lineage, Clear Stored Results, Stored Results Limit…, Export….

They act on the Datums dock and on the store the window's runs use; the window hands over what they
need (the store, its settings, how to show a lineage on the canvas, the canvas selection) as callables,
so this module knows neither the window nor the canvas. Each action is one of the window's own (its
shortcut works with the menu bar hidden) and has an objectName for the menus and the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from fancy_studio.core.result_cache import ResultCache
from fancy_studio.core.store import DatumStore
from fancy_studio.gui.datums.panel import DatumPanel
from fancy_studio.gui.window_action import window_action

MAX_BYTES_KEY = "stores/max_bytes"
"""The setting the window reads when it opens a store: the cap on its stored results, in bytes."""
DEFAULT_LIMIT_BYTES = 4 * 1024**3
"""Matches `core.sqlite_store.DEFAULT_MAX_BYTES`, without importing the store (and sqlite) to say so."""
GIB = 1024**3
MIN_LIMIT_GIB, MAX_LIMIT_GIB = 0.1, 1024.0


def has_stored_results(store: DatumStore) -> bool:
    """Whether a run could reuse something from `store`; True when the store cannot tell (ask first)."""
    if not isinstance(store, ResultCache):
        return False
    has_results = getattr(store, "has_results", None)
    return bool(has_results()) if callable(has_results) else True


def saved_limit(settings: QSettings) -> int:
    """The cap on stored results the user chose, in bytes (the default when none or nonsense is saved)."""
    try:
        limit = int(settings.value(MAX_BYTES_KEY, DEFAULT_LIMIT_BYTES))
    except (TypeError, ValueError):
        return DEFAULT_LIMIT_BYTES
    return limit if limit > 0 else DEFAULT_LIMIT_BYTES


class DatumActions(QObject):
    """Makes the Datums menu's actions on `window` and carries them out."""

    def __init__(self, window: QWidget, panel: DatumPanel, *, store: Callable[[], DatumStore],
                 settings_factory: Callable[[], QSettings],
                 show_lineage: Callable[[set[UUID]], object],
                 canvas_selection: Callable[[], Iterable[UUID]],
                 message: Callable[[str], object]) -> None:
        super().__init__(window)
        self.window, self.panel = window, panel
        self._store, self._settings = store, settings_factory
        self._show_lineage, self._canvas_selection, self._message = show_lineage, canvas_selection, message
        self.show_lineage_action = self._action(
            "show-lineage-action", "Show &Lineage", self.show_lineage, QKeySequence("Ctrl+Shift+L"),
            "Highlight on the canvas the steps and cells the selected datum came from")
        self.clear_results_action = self._action(
            "clear-stored-results-action", "&Clear Stored Results…", self.clear_stored_results, None,
            "Forget every stored result: the next run computes every step again")
        self.limit_action = self._action(
            "store-limit-action", "Stored Results &Limit…", self.ask_limit, None,
            "How much disk the stored results of a workflow may take")
        self.export_action = self._action(
            "export-datums-action", "&Export…", self.panel.export_dialog, None,
            "Save the selected datums (or all shown) as JSON or CSV")
        panel.context_actions = (self.show_lineage_action, self.export_action)

    def _action(self, name: str, text: str, slot, shortcut, tip: str) -> QAction:
        return window_action(self.window, name, text, slot, [shortcut] if shortcut is not None else (), tip,
                             tool_tip=True)

    # --- Show Lineage --------------------------------------------------------------------------------

    def show_lineage(self) -> set[UUID]:
        """Highlight where the selected datums came from (the table's selection, else the canvas's)."""
        ids = self.panel.selected_cell_ids() or set(self._canvas_selection())
        if not ids:
            self._message("Select a datum or a node to show where it came from")
            return set()
        self._show_lineage(ids)
        return ids

    # --- Clear Stored Results ------------------------------------------------------------------------

    def clear_stored_results(self) -> bool:
        """Forget the store's results after a yes (no question when there is nothing to forget); the
        datums shown stay. True when results were cleared."""
        store = self._store()
        if not isinstance(store, ResultCache) or not has_stored_results(store):
            self._message("No stored results to clear")
            return False
        answer = QMessageBox.question(
            self.window, "Clear Stored Results",
            "Forget every stored result of this workflow?\n\nThe next run will compute every step again. "
            "The datums shown stay until then.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        store.forget_results()
        self.panel.model.forget_lineage()
        self._message("Stored results cleared: the next run computes every step again")
        return True

    # --- Stored Results Limit ------------------------------------------------------------------------

    def ask_limit(self) -> int | None:
        """Ask for the cap in GiB; keep it in the settings and apply it to the open store. The new cap
        in bytes, or None when cancelled."""
        settings = self._settings()
        current = saved_limit(settings) / GIB
        gib, ok = QInputDialog.getDouble(
            self.window, "Stored Results Limit",
            "Disk space the stored results of a workflow may take, in GiB\n"
            "(beyond it the least recently used results are forgotten):",
            round(current, 2), MIN_LIMIT_GIB, MAX_LIMIT_GIB, 1)
        if not ok:
            return None
        limit = int(gib * GIB)
        settings.setValue(MAX_BYTES_KEY, limit)
        settings.sync()
        store = self._store()
        if hasattr(store, "max_bytes"):
            store.max_bytes = limit  # type: ignore[attr-defined]
        self._message(f"Stored results are limited to {gib:g} GiB")
        return limit
