"""Titles that stay readable at any zoom: never drawn smaller on screen than `style.MIN_TITLE_PX`.

Zoomed in, a title is drawn in `style.TITLE_FONT` and scales with the node. Zoomed out, a font that
shrank with the zoom would turn every title into a smear of pixels (large node editors draw their
titles at a minimum screen size instead), so:

* in the full drawing (zoom at least `style.LOW_DETAIL`) the title's font grows as the zoom falls, as far
  as its box allows;
* in the overview a node is a plain block and its title is drawn on it at `style.OVERVIEW_FONT` screen
  pixels, elided to the block's width, or left out when the block is too small for a few letters.

Fonts and elided texts are cached: zoomed out, thousands of nodes repaint at every zoom step.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from fancy_studio.gui.canvas import style


_SIZED: dict[tuple[int, int], QFont] = {}
"""(id of a base font from `style`, pixel size) -> that font at that size."""


def _font_of_size(base: QFont, pixels: int) -> QFont:
    font = _SIZED.get((id(base), pixels))
    if font is None:
        font = _SIZED[id(base), pixels] = QFont(base)
        font.setPixelSize(pixels)
    return font


def title_font(base: QFont, lod: float, room: float) -> QFont:
    """`base`, enlarged so that it shows at least `style.MIN_TITLE_PX` tall on screen at level of detail
    `lod`, but no taller than `room` (scene pixels) allows."""
    wanted = max(base.pixelSize(), style.MIN_TITLE_PX / max(lod, 1e-6))
    pixels = int(min(wanted, room))
    return base if pixels <= base.pixelSize() else _font_of_size(base, pixels)


def text_colour_on(fill: QColor) -> QColor:
    """Light text on a dark block, dark text on a light one (blocks take header, state or type colours)."""
    return QColor("#f4f5f7") if fill.lightness() < 150 else QColor("#1f2328")


@lru_cache(maxsize=4096)
def _elided(text: str, width: int) -> str:
    return QFontMetricsF(style.OVERVIEW_FONT).elidedText(text, Qt.TextElideMode.ElideRight, width)


def draw_overview_title(painter: QPainter, block: QRectF, lod: float, text: str, fill: QColor) -> None:
    """Draw `text` centred on `block` (item coordinates) at the overview font's size on screen."""
    width, height = block.width() * lod, block.height() * lod
    if width < style.MIN_OVERVIEW_TITLE_WIDTH or height < style.OVERVIEW_FONT.pixelSize() - 1:
        return  # too small for a few letters: the block alone stands for the node
    shown = _elided(text, int(width) - 4)
    if not shown or shown == "…":
        return
    painter.save()
    painter.translate(block.topLeft())
    painter.scale(1 / lod, 1 / lod)  # from here on, one unit is one screen pixel
    painter.setFont(style.OVERVIEW_FONT)
    painter.setPen(text_colour_on(fill))
    painter.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, shown)
    painter.restore()
