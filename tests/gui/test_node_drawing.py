"""How nodes look on screen: the canvas is rendered into an image at a zoom and its pixels are read."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter

from fancy_studio.gui.canvas import WorkflowScene, style
from fancy_studio.gui.document.document import WorkflowDocument
from tests.example_ids import ADD, EXAMPLE


@pytest.fixture
def scene(qapp):
    document = WorkflowDocument()
    document.open(EXAMPLE)
    return WorkflowScene(document)


def render(scene: WorkflowScene, source: QRectF, zoom: float) -> QImage:
    """`source` (scene coordinates) drawn at `zoom`, as the view would draw it."""
    image = QImage(round(source.width() * zoom), round(source.height() * zoom), QImage.Format.Format_RGB32)
    image.fill(style.BACKGROUND)
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), source)
    painter.end()
    return image


def near(pixel: QColor, colour: QColor, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel.getRgb()[:3], colour.getRgb()[:3]))


@pytest.mark.parametrize("zoom", [1.0, 2.0])
def test_a_step_header_is_square_at_the_bottom_without_ears_and_holds_its_title(scene, zoom):
    item = scene.item_for(ADD)
    origin = item.scenePos()
    width, header = style.STEP_WIDTH, style.HEADER_HEIGHT
    image = render(scene, QRectF(origin.x(), origin.y(), width, header + 12), zoom)

    def at(x: float, y: float) -> QColor:
        return image.pixelColor(int(x * zoom), int(y * zoom))

    # the header's last rows are header colour from border to border: no hole in the middle, so the
    # bottom corners do not stand out as "ears"
    for y in (header - 5, header - 2):
        row = [at(x, y) for x in range(3, int(width) - 3, 2)]
        assert all(near(p, item.header) for p in row if not _is_text(p)), f"header row {y} has a hole"
    # below the header it is the body, corners included
    for x in (3, 6, width / 2, width - 6, width - 3):
        assert near(at(x, header + 3), style.NODE_BODY), f"header colour below the header at x={x}"
    # above the rounded top corners it is the canvas
    assert near(at(0.5, 0.5), style.BACKGROUND) and near(at(width - 0.5, 0.5), style.BACKGROUND)

    # the title's text lies inside the header, with header colour below its lowest pixel
    text_rows = [y for y in range(image.height()) if any(_is_text(image.pixelColor(x, y))
                                                         for x in range(int(8 * zoom), int(60 * zoom)))]
    assert text_rows, "no title drawn"
    assert max(text_rows) < (header - 2) * zoom
    assert QFontMetricsF(style.TITLE_FONT).height() <= header - 4


def _is_text(pixel: QColor) -> bool:
    return pixel.lightness() > 170
