"""One way to make a window's action: named (tests and scripts find it by objectName), added to the window
so its shortcuts work even when the menu bar is hidden, its tip in the status bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def window_action(window: QWidget, name: str, text: str, slot: Callable[..., object] | None = None,
                  shortcuts: Sequence[QKeySequence | str] = (), tip: str = "", *,
                  tool_tip: bool = False) -> QAction:
    """An action of `window`'s own; `tool_tip`: the tip is its tooltip too (else Qt's: its text)."""
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcuts:
        action.setShortcuts([QKeySequence(key) for key in shortcuts])
    action.setStatusTip(tip)
    if tool_tip:
        action.setToolTip(tip)
    if slot is not None:
        action.triggered.connect(slot)
    window.addAction(action)
    return action
