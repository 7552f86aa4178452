"""An undo stack that can be locked: while a run reads the workflow, no edit may change it.

Every edit of the document is a command pushed on this stack, so refusing pushes here (and macros,
which group pushes) is the one gate that no gesture, menu or paste can slip past. Undo and redo are
switched off by the window while locked; no push happens meanwhile, so the stack never re-enables them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack


class LockableUndoStack(QUndoStack):
    """A `QUndoStack` that refuses commands while `locked_reason` is set, and says why."""

    refused = Signal(str)
    """An edit was refused; the text says why (for the status bar)."""
    lock_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.locked_reason: str | None = None
        self._refused_macros = 0

    @property
    def locked(self) -> bool:
        return self.locked_reason is not None

    def lock(self, reason: str) -> None:
        was = self.locked
        self.locked_reason = reason
        if not was:
            self.lock_changed.emit(True)

    def unlock(self) -> None:
        if self.locked:
            self.locked_reason = None
            self._refused_macros = 0
            self.lock_changed.emit(False)

    def allows_edit(self) -> bool:
        """True when edits may go on; otherwise tell the user why not and return False."""
        if self.locked_reason is None:
            return True
        self.refused.emit(self.locked_reason)
        return False

    def push(self, command: QUndoCommand) -> None:  # noqa: D102 (same contract as QUndoStack.push)
        if self._refused_macros or not self.allows_edit():
            return
        super().push(command)

    def beginMacro(self, text: str) -> None:  # noqa: N802 (Qt's name)
        if self._refused_macros or self.locked:
            self._refused_macros += 1  # the matching endMacro closes nothing
            return
        super().beginMacro(text)

    def endMacro(self) -> None:  # noqa: N802 (Qt's name)
        if self._refused_macros:
            self._refused_macros -= 1
            if not self._refused_macros:
                self.allows_edit()  # say once why the whole gesture did nothing
            return
        super().endMacro()
