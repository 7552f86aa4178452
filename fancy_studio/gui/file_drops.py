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
    """An event filter for the window and the canvas viewport: accepts `.json` drags, opens the drop.

    The file is opened on the next event-loop turn, after the drop has finished: opening may ask about
    unsaved changes, and a modal dialog inside a drop event would hold the dragging application."""

    _KINDS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)

    def __init__(self, open_file: Callable[[Path], object], parent: QObject) -> None:
        super().__init__(parent)
        self._open_file = open_file

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in self._KINDS and (path := dropped_workflow(event)) is not None:
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                QTimer.singleShot(0, self, lambda: self._open_file(path))
            return True
        return super().eventFilter(watched, event)
