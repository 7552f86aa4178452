"""The memory between sessions: one `SqliteStore` per workflow, in the user's data folder.

A workflow's runs keep their datums and reusable results in `<stores_dir>/<workflow id>.fancystore`, so
reopening the workflow tomorrow shows its last results and Run reuses them. What the store holds is
checked against the workflow as it opens (`core.valid_results`): a cell that is no longer what the
workflow would compute (it was edited since, by hand or elsewhere) is forgotten, so nothing out of date is
ever shown as current; the reusable results stay, keyed by recipe, for the day an edit is undone.

One studio writes a store at a time: a second window or studio on the same workflow finds the store's
lock held and keeps its results in memory for the session, and says so. A store that cannot be opened (a
damaged file, a newer format, a full or read-only disk) never keeps a workflow from opening: the run
keeps results in memory, the window says why, and a damaged file is moved aside, not deleted. A store
left empty (a new workflow never run) is deleted when the window lets go of it.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Signal

from fancy_studio.core import DatumStore, InMemoryStore, SqliteStore, Workflow
from fancy_studio.core.sqlite_store import DEFAULT_MAX_BYTES
from fancy_studio.core.sqlite_values import StoreFormatError
from fancy_studio.core.valid_results import stale_cells, valid_cells
from fancy_studio.gui.window.session_lock import SessionLock

SUFFIX = ".fancystore"
MAX_BYTES_KEY = "stores/max_bytes"
"""The setting that caps the bytes of stored results per store (Datums ▸ Stored Results Limit…)."""
_COMPANIONS = ("-wal", "-shm")


def stores_dir() -> Path:
    """Where the stores live: `$XDG_DATA_HOME/fancy-studio/stores` (`~/.local/share/…` on Linux; the
    platform's application data folder elsewhere)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base or Path.home() / ".local" / "share") / "fancy-studio" / "stores"


def store_path(workflow: Workflow) -> Path:
    return stores_dir() / f"{workflow.id}{SUFFIX}"


class WorkflowStores(QObject):
    """Opens the store of each workflow the window shows, and lets go of the last one."""

    changed = Signal(object)
    """The store now in use (a `DatumStore`), after `open_for`."""

    def __init__(self, settings_factory: Callable[[], QSettings], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings_factory
        self.current: DatumStore = InMemoryStore()
        self.path: Path | None = None
        """The file of `current`; None while results are kept in memory only."""
        self.note: str | None = None
        """Why this workflow's results are not kept on disk this session, if they are not."""
        self.news: str | None = None
        """What happened to the stored results as the workflow opened, once (a damaged file moved aside)."""
        self._workflow_id = None
        self._lock: SessionLock | None = None
        self._session_folder: Path | None = None
        """The file of a session-only store (see `_session_store`), deleted with its folder on close."""
        self.reloading = False
        """True while `changed` announces the same file opened afresh (`reload`)."""

    def open_for(self, workflow: Workflow) -> DatumStore:
        """The store of `workflow`, holding only what is still valid for it; emits `changed`."""
        self.news = None
        if workflow.id != self._workflow_id or self.path is None:
            self.close()
            self._workflow_id = workflow.id
            self.current = self._open(store_path(workflow))
        self._forget_out_of_date(workflow)
        self.changed.emit(self.current)
        return self.current

    def reload(self) -> DatumStore:
        """Open the store's file afresh (keeping the lock): a run in the kernel process wrote it, and this
        process's store object knows only what it read and wrote itself. Emits `changed`."""
        if isinstance(self.current, SqliteStore) and self.path is not None:
            try:
                self.current.close()
                self.current = self._sqlite(self.path)
            except (OSError, sqlite3.Error, StoreFormatError) as exc:
                self.current = InMemoryStore()
                self.note = f"Results are kept in memory only: the store cannot be read again ({exc})"
            self.reloading = isinstance(self.current, SqliteStore)
            try:
                self.changed.emit(self.current)
            finally:
                self.reloading = False
        return self.current

    def max_bytes(self) -> int:
        try:
            value = int(self._settings().value(MAX_BYTES_KEY, DEFAULT_MAX_BYTES))
        except (TypeError, ValueError):
            return DEFAULT_MAX_BYTES
        return value if value > 0 else DEFAULT_MAX_BYTES

    def close(self) -> None:
        """Write what is pending and let go of the store (deleting it if it holds nothing); an empty
        in-memory store takes its place (`changed` says so)."""
        store, path = self.current, self.path
        self.current, self.path, self.note, self._workflow_id = InMemoryStore(), None, None, None
        self.news = None
        self.changed.emit(self.current)  # nobody reads the closed store any more
        if isinstance(store, SqliteStore):
            try:
                store.close()
            except sqlite3.Error:
                pass  # what was committed stays; the rest re-runs next time
            if path is not None and _is_empty(path):
                for name in (path, *(Path(f"{path}{end}") for end in _COMPANIONS)):
                    name.unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self._session_folder is not None:
            shutil.rmtree(self._session_folder.parent, ignore_errors=True)
            self._session_folder = None

    # --- opening ----------------------------------------------------------------------------------

    def _open(self, path: Path) -> DatumStore:
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock = SessionLock(Path(f"{path}.lock"))
            if not lock.acquire():
                self.note = ("Open in another Fancy Studio window too, which keeps its results: this "
                             "window's results last until it closes")
                return self._session_store()
        except OSError as exc:
            self.note = f"Results are kept in memory only: the store folder cannot be used ({exc.strerror})"
            return InMemoryStore()
        try:
            store = self._sqlite(path)
        except StoreFormatError as exc:
            lock.release()
            self.note = f"Results are kept in memory only: {exc}"
            return InMemoryStore()
        except (OSError, sqlite3.Error) as exc:
            lock.release()
            self.note = f"Results are kept in memory only: the store cannot be opened ({exc})"
            return InMemoryStore()
        self._lock, self.path = lock, path
        return store

    def _session_store(self) -> DatumStore:
        """A store for this session only (a second window on a workflow): a file of its own in a private
        temporary folder, deleted when the window lets go of it, so its runs can still go to the kernel
        (which writes a file); in memory when not even that can be made."""
        try:
            folder = Path(tempfile.mkdtemp(prefix="fancy-studio-session-"))
            store = SqliteStore(folder / f"session{SUFFIX}", max_bytes=self.max_bytes(), summaries=True)
        except (OSError, sqlite3.Error, StoreFormatError):
            return InMemoryStore()
        self._session_folder = self.path = folder / f"session{SUFFIX}"
        return store

    def _sqlite(self, path: Path) -> SqliteStore:
        """The store at `path`; a damaged file is moved aside (kept, never deleted) and a new one made."""
        try:
            return SqliteStore(path, max_bytes=self.max_bytes(), summaries=True)
        except StoreFormatError as exc:
            if "newer" in str(exc):
                raise
            aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            path.replace(aside)
            for end in _COMPANIONS:
                Path(f"{path}{end}").unlink(missing_ok=True)
            self.news = f"The stored results were damaged and start afresh (the old file is kept as {aside})"
            return SqliteStore(path, max_bytes=self.max_bytes(), summaries=True)

    def _forget_out_of_date(self, workflow: Workflow) -> None:
        """Remove the cells that no longer hold what `workflow` would compute (see the module docstring)."""
        store = self.current
        try:
            keep = valid_cells(workflow, store)
            for cell_id in stale_cells(workflow, store, keep=keep):
                store.remove(cell_id)
            results = len(keep - {cell.id for cell in workflow.literal_cells()})
            if results and self.news is None:
                plural = "s" if results != 1 else ""
                self.news = f"Showing {results} result{plural} of the last run, still valid (Run reuses them)"
        except (OSError, sqlite3.Error) as exc:  # e.g. a full disk: show nothing rather than stale values
            workflow_id = self._workflow_id
            self.close()
            self._workflow_id = workflow_id
            self.note = f"Results are kept in memory only: the stored ones could not be checked ({exc})"


def _is_empty(path: Path) -> bool:
    """True when the store at `path` holds no cell and no result (read after it was closed)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            cells = db.execute("SELECT count(*) FROM cells").fetchone()[0]
            results = db.execute("SELECT count(*) FROM results").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return cells == 0 and results == 0
