"""Titles that stay readable at any zoom: never drawn smaller on screen than `style.MIN_TITLE_PX`.

Zoomed in, a title is drawn in `style.TITLE_FONT` and scales with the node. Zoomed out, a font that
shrank with the zoom would turn every title into a smear of pixels (large node editors draw their
titles at a minimum screen size instead), so:

* in the full drawing (zoom at least `style.LOW_DETAIL`) a step's title grows as the zoom falls, as far
  as its header allows; a cell's alias and its value grow too, sharing the cell's height (`cell_lines`),
  so a cell always shows both: the value is what a run was for;
* in the overview a node is a plain block and its title is drawn on it at `style.OVERVIEW_FONT` screen
  pixels, elided to the block's width, or left out when the block is too small for a few letters.

Fonts and elided texts are cached: zoomed out, thousands of nodes repaint at every zoom step.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class CellLines:
    """A cell's two lines of text at one level of detail: each line's font, its metrics, and the top of
    its line box (a box of the font's height drawn with `AlignTop` puts the baseline where planned)."""

    alias_font: QFont
    alias_metrics: QFontMetricsF
    alias_top: float
    value_font: QFont
    value_metrics: QFontMetricsF
    value_top: float


def _ink(metrics: QFontMetricsF) -> tuple[float, float]:
    """How far a line's letters reach above its baseline (ascenders stand a little above capitals) and below."""
    return metrics.capHeight() * 1.05, metrics.descent()


@lru_cache(maxsize=256)
def cell_lines(lod: float, height: float) -> CellLines:
    """Alias above value in a cell `height` tall, each at least `style.MIN_CELL_ALIAS_PX` and
    `style.MIN_VALUE_PX` on screen; where the cell is too short for both, both shrink alike (and stay
    two lines). Cached: a zoom step repaints every cell in view at the same `lod`."""
    lod = max(lod, 1e-6)
    alias_base, value_base = style.TITLE_FONT, style.LABEL_FONT
    alias_px = max(alias_base.pixelSize(), style.MIN_CELL_ALIAS_PX / lod)
    value_px = max(value_base.pixelSize(), style.MIN_VALUE_PX / lod)
    room = height - 2  # inside the border
    gap = 1 / lod  # at least a screen pixel above, between and below the lines
    ink = (sum(_ink(QFontMetricsF(alias_base))) / alias_base.pixelSize() * alias_px
           + sum(_ink(QFontMetricsF(value_base))) / value_base.pixelSize() * value_px)
    squeeze = min(1.0, (room - 3 * gap) / ink)
    alias_font = _sized(alias_base, int(alias_px * squeeze))
    value_font = _sized(value_base, int(value_px * squeeze))
    alias_metrics, value_metrics = QFontMetricsF(alias_font), QFontMetricsF(value_font)
    (alias_up, alias_down), (value_up, value_down) = _ink(alias_metrics), _ink(value_metrics)
    gap = max(0.0, room - alias_up - alias_down - value_up - value_down) / 3  # spread what is left evenly
    alias_baseline = 1 + gap + alias_up
    value_baseline = alias_baseline + alias_down + gap + value_up
    return CellLines(alias_font, alias_metrics, alias_baseline - alias_metrics.ascent(),
                     value_font, value_metrics, value_baseline - value_metrics.ascent())


def _sized(base: QFont, pixels: int) -> QFont:
    return base if pixels == base.pixelSize() else _font_of_size(base, pixels)


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
