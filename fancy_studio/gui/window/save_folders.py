"""Where the Open and Save As dialogs start: the user's own folders, never the package's.

The document's folder when it has a file of its own; otherwise the last folder the user opened from or
saved to (kept in the settings); otherwise Documents. A bundled example's folder is never offered: a copy
saved there would be lost at the next upgrade, or written into site-packages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from fancy_studio.resources import is_bundled

KEY = "lastFolder"


def documents_folder() -> Path:
    """The user's Documents folder (their home when the platform has none)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


class SaveFolders:
    """Remembers the user's last folder and picks where the file dialogs start."""

    def __init__(self, settings: Callable[[], QSettings]) -> None:
        self._settings = settings

    def remember(self, path: Path) -> None:
        """The user opened or saved `path`: its folder is where the next dialog starts."""
        if not is_bundled(path):
            self._settings().setValue(KEY, str(Path(path).resolve().parent))

    def last_folder(self) -> Path | None:
        value = self._settings().value(KEY)
        folder = Path(str(value)) if value else None
        return folder if folder is not None and folder.is_dir() and not is_bundled(folder) else None

    def start_folder(self, document_path: Path | None) -> Path:
        if document_path is not None and not is_bundled(document_path):
            return Path(document_path).parent
        return self.last_folder() or documents_folder()

    def save_as_target(self, document_path: Path | None, name: str) -> Path:
        """The file name the Save As dialog proposes: the document's own file, else `name`.json."""
        if document_path is not None and not is_bundled(document_path):
            return Path(document_path)
        return self.start_folder(None) / f"{name or 'workflow'}.json"
