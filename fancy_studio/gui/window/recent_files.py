"""Open Recent: the list kept in the settings (most recent first, no duplicates, capped) and its menu."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from fancy_studio.resources import is_bundled

MAX_RECENT = 10
KEY = "recentFiles"


class RecentFiles(QObject):
    """Keeps the recent-files list and rebuilds `menu` from it each time the menu is about to show."""

    def __init__(self, menu: QMenu, open_file: Callable[[Path], object], settings: Callable[[], QSettings],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.menu, self._open_file, self._settings = menu, open_file, settings
        menu.aboutToShow.connect(self.fill_menu)

    def names(self) -> list[str]:
        """The user's files, most recent first (a bundled example an older version listed is left out)."""
        value = self._settings().value(KEY, [])
        names = [value] if isinstance(value, str) else list(value or [])
        return [n for n in names if n and not is_bundled(n)]

    def add(self, path: Path | None) -> None:
        """Put `path` first; a bundled example is not listed: it opens as a copy, never as a file to edit."""
        if path is None or is_bundled(path):
            return
        name = str(Path(path).resolve())
        self._store([name] + [n for n in self.names() if n != name])

    def _store(self, names: list[str]) -> None:
        self._settings().setValue(KEY, names[:MAX_RECENT])

    def fill_menu(self) -> None:
        menu = self.menu
        menu.clear()
        for index, name in enumerate(self.names()):
            action = menu.addAction(Path(name).name)
            action.setObjectName(f"recent-{index}-action")
            action.setToolTip(name)
            action.triggered.connect(lambda _=False, n=name: self.open(n))
        if menu.isEmpty():
            action = menu.addAction("No recent files")
            action.setObjectName("no-recent-action")
            action.setEnabled(False)
            return
        menu.addSeparator().setObjectName("separator")
        clear = menu.addAction("Clear Menu")
        clear.setObjectName("clear-recent-action")
        clear.triggered.connect(lambda: self._store([]))

    def open(self, name: str) -> object:
        """Open a recent file; one that was moved or deleted is dropped from the list, with a word why."""
        path = Path(name)
        if not path.is_file():
            self._store([n for n in self.names() if n != name])
            QMessageBox.warning(self.parent(), "File not found",
                                f"{path.name} is no longer in {path.parent}: it was moved, renamed or deleted. "
                                "It has been removed from Open Recent.")
            return False
        return self._open_file(path)
