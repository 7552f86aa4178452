"""Colours and sizes shared by the canvas items, so every item reads types and categories alike."""

from __future__ import annotations

import types
import typing
import zlib
from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QColor, QFont, QGuiApplication

from fancy_studio.core.data_types import DataFrame, Image
from fancy_studio.core.value_summary import StoredSummary, table_outline

LOW_DETAIL = 0.4
"""Below this level of detail (the overview) nodes are plain blocks with only their titles and wires are
hairlines (keeps zoomed-out paint cheap)."""

PORT_RADIUS = 5.0
PORT_HIT_RADIUS = 9.0
STEP_WIDTH = 190.0
HEADER_HEIGHT = 26.0
ROW_HEIGHT = 20.0
CELL_WIDTH = 150.0
CELL_HEIGHT = 44.0


def _font(pixels: int, bold: bool = False) -> QFont:
    """Sized in pixels, i.e. in scene units: a title fits its header at any screen DPI (points would
    grow with the DPI while the header does not).

    Made before the application exists (a test that imports the canvas first), `QFont()` has no family
    and fontconfig's first choice, a serif with other metrics, would stand in: name the generic sans."""
    font = QFont() if QGuiApplication.instance() is not None else QFont("Sans Serif")
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


TITLE_FONT = _font(13, bold=True)
"""A step's title in its header (HEADER_HEIGHT holds its height with room to spare) and a cell's alias."""
LABEL_FONT = _font(11)
"""Port labels, a cell's value, a placeholder's subtitle."""
MIN_TITLE_PX = 10
"""A title is never drawn smaller than this on screen where its box leaves room (see `node_titles`)."""
MIN_CELL_ALIAS_PX = 9
"""A cell's alias is never drawn smaller than this on screen in the full drawing (bold, above its value)."""
MIN_VALUE_PX = 8
"""Nor a cell's value under it: both share the cell's height, so the alias grows a little less than a title."""
OVERVIEW_FONT = _font(MIN_TITLE_PX)
"""A title on a node's block in the overview, in screen pixels."""
MIN_OVERVIEW_TITLE_WIDTH = 24
"""Screen width a block needs before its title is drawn on it (room for a few letters)."""

DARK = {
    "BACKGROUND": "#1f2226", "GRID_MINOR": "#272a2f", "GRID_MAJOR": "#2f333a", "NODE_BODY": "#2d3138",
    "NODE_BORDER": "#444a53", "SELECTED": "#f0c04c", "HOVER": "#8aa4c8", "TEXT": "#e4e6ea",
    "TEXT_DIM": "#9aa0a8", "PLACEHOLDER": "#5b5f66", "ACCEPT": "#6ee07a", "REFUSE": "#e0605a",
    "_NUMBER": "#5a9cf0", "_TEXT": "#5cc47a", "_LIST": "#f09a3c", "_BOOL": "#a877e8", "_DICT": "#3cc0c0",
    "_ANY": "#9a9ea6", "_TABLE": "#e06aa8", "_IMAGE": "#b4c83c",
    "category": {"math": "#3d6fb4", "text": "#3f8f5a", "lists": "#b06a28", "convert": "#7a55a8"},
    "extra": ("#a0455a", "#3a8c8c", "#8c7a3a", "#5a5ab0", "#6a8c3a"),
}
"""The canvas on a dark theme: light text on dark nodes, saturated headers."""
LIGHT = {
    "BACKGROUND": "#f4f5f7", "GRID_MINOR": "#e8eaee", "GRID_MAJOR": "#d8dce2", "NODE_BODY": "#ffffff",
    "NODE_BORDER": "#b4bac3", "SELECTED": "#dd9a00", "HOVER": "#4f7fc0", "TEXT": "#1f2328",
    "TEXT_DIM": "#5c636d", "PLACEHOLDER": "#b8bcc3", "ACCEPT": "#2f9e4a", "REFUSE": "#cf4a42",
    "_NUMBER": "#3b7fdc", "_TEXT": "#2e9d55", "_LIST": "#d47a1e", "_BOOL": "#8757d6", "_DICT": "#1f9d9d",
    "_ANY": "#7d838c", "_TABLE": "#c43c86", "_IMAGE": "#7a9414",
    "category": {"math": "#9dbde9", "text": "#9fd2ae", "lists": "#f2c192", "convert": "#c8b0e8"},
    "extra": ("#e3a3b1", "#99d1d1", "#d9cc95", "#b0b0e8", "#bcd99a"),
}
"""The canvas on a light theme: dark text on white nodes, pastel headers, deeper wire colours."""

BACKGROUND: QColor
GRID_MINOR: QColor
GRID_MAJOR: QColor
NODE_BODY: QColor
NODE_BORDER: QColor
SELECTED: QColor
HOVER: QColor
TEXT: QColor
TEXT_DIM: QColor
PLACEHOLDER: QColor
ACCEPT: QColor
REFUSE: QColor
_NUMBER: QColor
_TEXT: QColor
_LIST: QColor
_BOOL: QColor
_DICT: QColor
_ANY: QColor
_TABLE: QColor
_IMAGE: QColor
_CATEGORY: dict[str, QColor] = {}
_EXTRA: list[QColor] = []


def use_colors(dark: bool) -> None:
    """Rebind this module's colours to the dark or the light set.

    Items read `style.NAME` when they paint, so painting costs what it did; items that keep a colour
    (a header, a port's type) take the new one when they are built again (see `window/theme.py`).
    """
    colors = DARK if dark else LIGHT
    names = globals()
    for name, value in colors.items():
        if isinstance(value, str):
            names[name] = QColor(value)
    _CATEGORY.clear()
    _CATEGORY.update({slug: QColor(value) for slug, value in colors["category"].items()})
    _EXTRA[:] = [QColor(value) for value in colors["extra"]]


use_colors(dark=True)


def type_color(hint: Any) -> QColor:
    """A colour per kind of type, so a wire's colour tells what flows on it."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        colors = {type_color(a).name() for a in args if a is not type(None)}
        return QColor(colors.pop()) if len(colors) == 1 else QColor(_ANY)
    base = origin if origin is not None else hint
    if not isinstance(base, type):
        return QColor(_ANY)
    if issubclass(base, bool):
        return QColor(_BOOL)
    if issubclass(base, (int, float, complex)):
        return QColor(_NUMBER)
    if issubclass(base, str):
        return QColor(_TEXT)
    if issubclass(base, dict):
        return QColor(_DICT)
    if issubclass(base, (list, tuple, set, frozenset)) or base is Sequence:
        return QColor(_LIST)
    if issubclass(base, DataFrame):  # the stand-in or pandas' own class (see `core.data_types`)
        return QColor(_TABLE)
    if issubclass(base, Image):
        return QColor(_IMAGE)
    return QColor(_ANY)


def category_color(category: str) -> QColor:
    """Known categories get fixed colours; others a stable one picked from the slug's hash."""
    if category in _CATEGORY:
        return QColor(_CATEGORY[category])
    return QColor(_EXTRA[zlib.crc32(category.encode()) % len(_EXTRA)])


def preview(value: Any, limit: int = 18) -> str:
    """A short one-line preview of a cell's value (a value left on disk: its stored preview); a table, its
    size (its repr would be its first rows run together, and costs milliseconds on a big one)."""
    outline = value.outline if type(value) is StoredSummary else table_outline(value)
    if outline is not None:
        text = f"{outline.rows:,} × {outline.columns:,} table"
    elif type(value) is StoredSummary:
        text = f'"{value.preview}"' if value.type_name == "str" else value.preview
    elif type(value) is Image:
        text = f"image {value.width}×{value.height}"
    else:
        text = f'"{value}"' if isinstance(value, str) else repr(value)
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
