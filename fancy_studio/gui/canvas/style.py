"""Colours and sizes shared by the canvas items, so every item reads types and categories alike."""

from __future__ import annotations

import types
import typing
import zlib
from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QColor, QFont

LOW_DETAIL = 0.4
"""Below this level of detail items skip text and draw plain shapes (keeps zoomed-out paint cheap)."""

PORT_RADIUS = 5.0
PORT_HIT_RADIUS = 9.0
STEP_WIDTH = 190.0
HEADER_HEIGHT = 26.0
ROW_HEIGHT = 20.0
CELL_WIDTH = 150.0
CELL_HEIGHT = 44.0


def _font(pixels: int, bold: bool = False) -> QFont:
    """Sized in pixels, i.e. in scene units: a title fits its header at any screen DPI (points would
    grow with the DPI while the header does not)."""
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


TITLE_FONT = _font(13, bold=True)
"""A step's title in its header (HEADER_HEIGHT holds its height with room to spare) and a cell's alias."""
LABEL_FONT = _font(11)
"""Port labels, a cell's value, a placeholder's subtitle."""

BACKGROUND = QColor("#1f2226")
GRID_MINOR = QColor("#272a2f")
GRID_MAJOR = QColor("#2f333a")
NODE_BODY = QColor("#2d3138")
NODE_BORDER = QColor("#444a53")
SELECTED = QColor("#f0c04c")
HOVER = QColor("#8aa4c8")
TEXT = QColor("#e4e6ea")
TEXT_DIM = QColor("#9aa0a8")
PLACEHOLDER = QColor("#5b5f66")
ACCEPT = QColor("#6ee07a")
REFUSE = QColor("#e0605a")

_NUMBER = QColor("#5a9cf0")
_TEXT = QColor("#5cc47a")
_LIST = QColor("#f09a3c")
_BOOL = QColor("#a877e8")
_DICT = QColor("#3cc0c0")
_ANY = QColor("#9a9ea6")

_CATEGORY = {
    "math": QColor("#3d6fb4"),
    "text": QColor("#3f8f5a"),
    "lists": QColor("#b06a28"),
    "convert": QColor("#7a55a8"),
}
_EXTRA = [QColor(c) for c in ("#a0455a", "#3a8c8c", "#8c7a3a", "#5a5ab0", "#6a8c3a")]


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
    return QColor(_ANY)


def category_color(category: str) -> QColor:
    """Known categories get fixed colours; others a stable one picked from the slug's hash."""
    if category in _CATEGORY:
        return QColor(_CATEGORY[category])
    return QColor(_EXTRA[zlib.crc32(category.encode()) % len(_EXTRA)])


def preview(value: Any, limit: int = 18) -> str:
    """A short one-line preview of a cell's literal value."""
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
