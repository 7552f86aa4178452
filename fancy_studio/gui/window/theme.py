"""View ▸ Theme: System, Light or Dark, one look from the menus to the canvas, remembered in the settings.

The theme is the application's (every window shares the palette and the canvas colours). A window
applies the saved theme before its frame is shown, so a start never flashes the other look. This module
imports nothing of the canvas: the canvas colours (`gui/canvas/style.py`) are switched only once the
canvas is loaded, and a canvas built later reads them as they are.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu

THEMES = {"system": "&System", "light": "&Light", "dark": "&Dark"}
"""Setting value -> menu text, in menu order."""
KEY = "theme"
DEFAULT = "system"
FRAME_COLORS = {True: ("#1f2226", "#6b717a"), False: ("#f4f5f7", "#8a9099")}
"""The start-up frame's background and text on dark / light: the canvas's own background (style.py's
DARK and LIGHT "BACKGROUND"), so there is no flash when the canvas takes the frame's place."""
_STYLE_MODULE = "fancy_studio.gui.canvas.style"

_applied: dict[str, object] = {"name": None, "dark": None}
"""What was applied last: the choice, and whether it came out dark."""


def dark_palette() -> QPalette:
    """A Fusion dark palette: platform styles often ignore a dark scheme on Linux and Windows."""
    return _palette(window=QColor(45, 45, 48), base=QColor(30, 30, 32), text=QColor(230, 230, 230),
                    disabled=QColor(120, 120, 120), highlight=QColor(42, 130, 218),
                    highlighted_text=QColor("black"), link=QColor(90, 160, 255),
                    placeholder=QColor(140, 140, 140))


def light_palette() -> QPalette:
    """A Fusion light palette, the same on every platform (Fusion's own follows the system's scheme)."""
    return _palette(window=QColor(239, 239, 239), base=QColor(255, 255, 255), text=QColor(20, 20, 20),
                    disabled=QColor(160, 160, 160), highlight=QColor(48, 140, 198),
                    highlighted_text=QColor("white"), link=QColor(0, 90, 200),
                    placeholder=QColor(128, 128, 128))


def _palette(*, window: QColor, base: QColor, text: QColor, disabled: QColor, highlight: QColor,
             highlighted_text: QColor, link: QColor, placeholder: QColor) -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    for r, color in ((role.Window, window), (role.WindowText, text), (role.Base, base),
                     (role.AlternateBase, window), (role.ToolTipBase, window), (role.ToolTipText, text),
                     (role.Text, text), (role.Button, window), (role.ButtonText, text),
                     (role.BrightText, QColor("red")), (role.Link, link), (role.Highlight, highlight),
                     (role.HighlightedText, highlighted_text), (role.PlaceholderText, placeholder),
                     (role.Light, window.lighter(150)), (role.Midlight, window.lighter(115)),
                     (role.Mid, window.darker(130)), (role.Dark, window.darker(160)),
                     (role.Shadow, QColor(0, 0, 0))):
        palette.setColor(r, color)
    for r in (role.Text, role.ButtonText, role.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, disabled)
    return palette


def saved_theme(store: QSettings) -> str:
    name = store.value(KEY, DEFAULT)
    return name if name in THEMES else DEFAULT


def current_theme() -> str | None:
    return _applied["name"]  # type: ignore[return-value]


def is_dark() -> bool:
    """Whether the look applied now is dark (before any is applied: the studio's own dark look)."""
    return _applied["dark"] is not False


def _system_is_dark() -> bool:
    """The platform's scheme; where it does not say (a bare X11 session), the studio's own dark look."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    return scheme != Qt.ColorScheme.Light


def apply_theme(name: str) -> None:
    """Make `name` the application's look: style, palette, the platform's scheme hint, the canvas."""
    app = QApplication.instance()
    hints = QGuiApplication.styleHints()
    _applied["name"] = name
    if hasattr(hints, "setColorScheme"):  # native parts (title bars, dialogs) follow where they can
        hints.setColorScheme({"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}.get(
            name, Qt.ColorScheme.Unknown))
    dark = name == "dark" or (name == "system" and _system_is_dark())
    _follow_the_system(app)
    if dark == _applied["dark"] and app.style().name().lower() == "fusion":
        return
    _applied["dark"] = dark
    app.setStyle("Fusion")  # one look everywhere; platform styles ignore palettes in places
    app.setPalette(dark_palette() if dark else light_palette())
    if _STYLE_MODULE in sys.modules:
        redraw_canvases()


def apply_saved_theme(store: QSettings) -> None:
    """At a window's start, before its frame is shown: the theme the user chose last."""
    name = saved_theme(store)
    if name != _applied["name"] or _applied["dark"] is None:
        apply_theme(name)


def sync_canvas_colors() -> None:
    """Give the canvas the colours of the look applied now (call once the canvas module is loaded)."""
    from fancy_studio.gui.canvas import status_badge, style

    style.use_colors(is_dark())
    status_badge.use_colors(is_dark())


def redraw_canvases() -> None:
    """Switch the canvas colours and draw every open canvas again, once."""
    from fancy_studio.gui.canvas import WorkflowView, style

    sync_canvas_colors()
    for widget in QApplication.allWidgets():
        if isinstance(widget, WorkflowView):
            scene = widget.workflow_scene
            selected = scene.selected_ids()
            scene.setBackgroundBrush(style.BACKGROUND)
            scene.rebuild()  # items that keep a colour (headers, ports, wires) take the new one
            scene.select_ids(selected)
            widget.resetCachedContent()  # the grid is cached
            widget.viewport().update()


def _follow_the_system(app: QApplication) -> None:
    """Once: when the platform's scheme changes and the choice is System, follow it."""
    hints = QGuiApplication.styleHints()
    if getattr(app, "_fancy_follows_scheme", False) or not hasattr(hints, "colorSchemeChanged"):
        return
    app._fancy_follows_scheme = True  # type: ignore[attr-defined]

    def changed(_scheme) -> None:
        if _applied["name"] == "system" and _system_is_dark() != _applied["dark"]:
            apply_theme("system")

    hints.colorSchemeChanged.connect(changed)


def add_theme_menu(parent: QMenu, settings_factory: Callable[[], QSettings]) -> QMenu:
    """View ▸ Theme: System / Light / Dark, exclusive; a choice is applied at once and saved."""
    menu = parent.addMenu("&Theme")
    menu.setObjectName("theme-menu")
    menu.menuAction().setObjectName("theme-menu-action")
    group = QActionGroup(menu)
    group.setExclusive(True)
    chosen = saved_theme(settings_factory())
    for name, text in THEMES.items():
        action = QAction(text, menu)
        action.setObjectName(f"theme-{name}-action")
        action.setCheckable(True)
        action.setChecked(name == chosen)
        action.setStatusTip({"system": "Follow the system's light or dark scheme",
                             "light": "Light menus, docks and canvas",
                             "dark": "Dark menus, docks and canvas"}[name])
        action.triggered.connect(lambda _checked=False, n=name: _choose(n, settings_factory))
        group.addAction(action)
        menu.addAction(action)
    menu.aboutToShow.connect(lambda: _check_current(menu))  # another window may have changed it
    return menu


def _choose(name: str, settings_factory: Callable[[], QSettings]) -> None:
    store = settings_factory()
    store.setValue(KEY, name)
    store.sync()
    apply_theme(name)


def _check_current(menu: QMenu) -> None:
    action = menu.findChild(QAction, f"theme-{current_theme()}-action")
    if action is not None:
        action.setChecked(True)
