"""The breadcrumb over the canvas's top-left corner while a group is open: "Workflow › My Group".

Each part but the last is a link back to that level; the bar is hidden at the top level. It also keeps
where the view looked at each level, so leaving a group shows the canvas as it was before entering it
(and entering a group the first time fits its nodes in the view).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel

from fancy_studio.gui.canvas import style

if TYPE_CHECKING:
    from fancy_studio.gui.canvas.view import WorkflowView
    from fancy_studio.gui.document.levels import Level

MARGIN = 10
"""Distance from the canvas's top-left corner."""


class Breadcrumb(QLabel):
    """Links to the levels above the one being edited (see the module docstring)."""

    def __init__(self, view: WorkflowView) -> None:
        super().__init__(view)
        self.setObjectName("group-breadcrumb")
        self.view, self.document = view, view.document
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.setOpenExternalLinks(False)
        self.setCursor(Qt.CursorShape.ArrowCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.linkActivated.connect(self._go)
        self._views: dict[Level | None, tuple[float, QPointF]] = {}
        """Where the view looked at each level when it was left: (zoom, centre in scene coordinates)."""
        self._shown = self.document.level
        self.document.level_changed.connect(self._level_changed)
        self.document.groups_changed.connect(self.refresh)
        self.document.reset.connect(self._reset)
        self.refresh()

    def _reset(self) -> None:
        self._views.clear()
        self._shown = self.document.level
        self.refresh()

    def refresh(self) -> None:
        """Say where the canvas is; hidden at the top level."""
        trail = self.document.trail()
        if len(trail) == 1:
            self.hide()
            return
        link = style.HOVER.name()
        parts = [f'<a href="{index}" style="color:{link}; text-decoration:none">{escape(name)}</a>'
                 for index, (_level, name) in enumerate(trail[:-1])]
        parts.append(f"<b>{escape(trail[-1][1])}</b>")
        self.setText(" &nbsp;›&nbsp; ".join(parts))
        self.setToolTip("Click a name to go back up (Esc leaves the group)")
        background, text = style.NODE_BODY, style.TEXT
        self.setStyleSheet(f"QLabel#group-breadcrumb {{ background: {background.name()};"
                           f" color: {text.name()};"
                           f" border: 1px solid {style.NODE_BORDER.name()}; border-radius: 6px;"
                           " padding: 4px 10px; }")
        self.adjustSize()
        self.move(MARGIN, MARGIN)
        self.show()
        self.raise_()

    def _go(self, href: str) -> None:
        """A click on a level's name: show that level."""
        trail = self.document.trail()
        index = int(href)
        if 0 <= index < len(trail):
            self.document.show_level(trail[index][0])

    def _level_changed(self, level: Level | None) -> None:
        """Remember where the view looked at the level left; look where it looked at the level shown (or
        fit a level seen for the first time)."""
        view = self.view
        self._views[self._shown] = (view.zoom(), view.mapToScene(view.viewport().rect().center()))
        self._shown = level
        self.refresh()
        seen = self._views.get(level)
        if seen is None:
            view.zoom_to_fit()
            return
        zoom, centre = seen
        view.set_zoom(zoom)
        view.centerOn(centre)
