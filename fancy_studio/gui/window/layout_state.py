"""Where the window's docks are and how big: arranged by default, saved on quit, restored at the next
start the way they were left, and put back to the default by View ▸ Reset Layout."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

DEFAULT_SIZE = (1280, 800)
DEFAULT_AREAS = {
    "Functions": Qt.DockWidgetArea.LeftDockWidgetArea,
    "Inspector": Qt.DockWidgetArea.RightDockWidgetArea,
    "History": Qt.DockWidgetArea.RightDockWidgetArea,
    "Datums": Qt.DockWidgetArea.BottomDockWidgetArea,
    "Problems": Qt.DockWidgetArea.BottomDockWidgetArea,
}
"""The first-start arrangement; the bottom docks share one tabbed area (Datums in front)."""
BOTTOM_HEIGHT = 200
"""The bottom docks' first height: the canvas stays the star."""
MIN_CANVAS = 200
"""A restored layout that leaves the canvas narrower than this is not kept (the default is used)."""


def restore_geometry(window: QMainWindow, store: QSettings) -> None:
    """The window's last size and place; the first time, the default size."""
    geometry = store.value("geometry")
    if not (isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
        window.resize(*DEFAULT_SIZE)


class WindowLayout:
    """Saves, restores and resets the docks of one window (the window's geometry included)."""

    def __init__(self, window: QMainWindow, docks: dict[str, QDockWidget],
                 settings: Callable[[], QSettings]) -> None:
        self.window = window
        self.docks = docks
        self.settings = settings

    def arrange_default(self) -> None:
        """Put every dock in its default area, shown, with the bottom ones tabbed."""
        window = self.window
        self._show_canvas()
        for name, dock in self.docks.items():
            if dock.isFloating():
                dock.setFloating(False)
            window.addDockWidget(DEFAULT_AREAS[name], dock)  # moves a dock that is elsewhere
            dock.show()
        window.tabifyDockWidget(self.docks["Datums"], self.docks["Problems"])
        self.docks["Datums"].raise_()
        window.resizeDocks([self.docks["Datums"]], [BOTTOM_HEIGHT], Qt.Orientation.Vertical)
        sides = [self.docks["Functions"], self.docks["Inspector"]]  # as wide as they ask (not as last left)
        window.resizeDocks(sides, [dock.sizeHint().width() for dock in sides], Qt.Orientation.Horizontal)
        window.layout().activate()  # the canvas has its size now, for a zoom to fit that follows

    def restore(self) -> bool:
        """Lay the docks out as they were left; True if there was a saved state and it applied."""
        state = self.settings().value("windowState")
        if not isinstance(state, QByteArray):
            return False
        self._show_canvas()
        for dock in self.docks.values():
            dock.show()  # restoreState hides those that were closed
        restored = self.window.restoreState(state)
        self.window.layout().activate()
        if restored and self._canvas_squeezed():
            self.reset()  # saved by a version that squeezed it, or on a larger screen: no canvas left
            return False
        return restored

    def _canvas_squeezed(self) -> bool:
        central = self.window.centralWidget()
        return (self.window.isVisible() and central is not None
                and central.width() < min(MIN_CANVAS, self.window.width() // 3))

    def _show_canvas(self) -> None:
        """Show the central widget now, not on the next event-loop turn.

        A widget added to a window already on screen (the studio shows its frame before it builds the
        docks and the canvas) is shown only on the next turn. Docks laid out (restored or arranged)
        before that turn are laid out around a hidden canvas, which then gets what is left over: a
        ~70 px strip and a fit at 10 %.
        """
        central = self.window.centralWidget()
        if self.window.isVisible() and central is not None:
            central.show()

    def save(self) -> None:
        store = self.settings()
        store.setValue("geometry", self.window.saveGeometry())
        store.setValue("windowState", self.window.saveState())
        store.sync()

    def reset(self) -> None:
        """View ▸ Reset Layout: the first-start arrangement and sizes (the window keeps its size)."""
        self.window.setUpdatesEnabled(False)
        try:
            for dock in self.docks.values():
                self.window.removeDockWidget(dock)
            self.arrange_default()
        finally:
            self.window.setUpdatesEnabled(True)
