"""Dropping a workflow file on the window (or on the canvas, which takes only palette drags) opens it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer


def dropped_workflow(event) -> Path | None:
    """The first local `.json` file a drag carries, if any."""
    data = event.mimeData()
    urls = data.urls() if data.hasUrls() else []
    files = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    return next((f for f in files if f.suffix.lower() == ".json"), None)


class FileDrops(QObject):
    """Takes the drags that carry a `.json` file, for the window and the canvas, and opens the drop.

    The window and the canvas view hand their drag events here from their own overrides rather than
    through an event filter: a filter is called (in Python) for every event the canvas viewport gets,
    paints included, and each call waits for the GIL while a run computes.

    The file is opened on the next event-loop turn, after the drop has finished: opening may ask about
    unsaved changes, and a modal dialog inside a drop event would hold the dragging application."""

    def __init__(self, open_file: Callable[[Path], object], parent: QObject) -> None:
        super().__init__(parent)
        self._open_file = open_file

    def take(self, event) -> bool:
        """True when the drag (enter, move or drop) carries a workflow file: accepted (and opened) here."""
        path = dropped_workflow(event)
        if path is None:
            return False
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            QTimer.singleShot(0, self, lambda: self._open_file(path))
        return True
