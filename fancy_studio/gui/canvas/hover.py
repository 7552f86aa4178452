"""Hover feedback shared by nodes, ports and wires: remember the hover and repaint."""

from __future__ import annotations


class HoverHighlight:
    """Mixin for a QGraphicsItem (listed before it) whose paint() reads `self._hover`."""

    _hover = False

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()
