"""A cell's preview on the canvas: a thumbnail of an image, or a table's size and first column names, drawn
under the cell's pill.

The value may be whole (a run in the studio's process, a small value read from the store) or a
`StoredSummary` of a large one, whose `thumbnail` and `outline` the store's writer made
(`core/value_summary.py`), so a preview never reads a large value. A preview is made when the cell
shows its value (`CellNodeItem.show_value`, which the canvas defers while zoomed out to blocks) and kept
on the item: the cell's cached picture includes it, and a value whose picture or outline did not change
reuses it. Each cell's Show Preview choice (right-click) is the document's (`preview_edits.py`), saved in
the workflow file; a preview is shown unless the user hid it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QFontMetricsF, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu

from fancy_studio.core.data_types import DataFrame, Image
from fancy_studio.core.image_png import THUMBNAIL_SIDE, png_of
from fancy_studio.core.value_kinds import is_image
from fancy_studio.core.value_summary import StoredSummary, TableOutline, table_outline
from fancy_studio.gui.canvas import style

GAP = 4.0
"""Between the cell's pill and its preview."""
PADDING = 4.0
"""Inside the preview's frame, around the thumbnail or the text."""
NAMES_SHOWN = 6
"""At most this many column names are joined into a table preview's second line (then elided)."""
IMAGE, TABLE = "image", "table"


@dataclass
class CellPreview:
    """What a cell shows under itself: a `pixmap` (an image) or `lines` of text (a table), in `rect` (the
    cell's coordinates)."""

    kind: str
    key: Any
    """What it was made from (PNG bytes, an outline): an equal key reuses it."""
    rect: QRectF
    pixmap: QPixmap | None = None
    lines: tuple[str, ...] = ()
    png: bytes | None = None
    """An image's PNG bytes (or thumbnail) the pixmap was made from."""

    def paint(self, painter: QPainter) -> None:
        """Drawn by the cell in its full drawing only (never in the overview)."""
        painter.setPen(QPen(style.NODE_BORDER, 1.0))
        painter.setBrush(style.NODE_BODY)
        painter.drawRoundedRect(self.rect, 4, 4)
        inner = self.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        if self.pixmap is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(inner, self.pixmap, QRectF(self.pixmap.rect()))
            return
        painter.setFont(style.LABEL_FONT)
        metrics = QFontMetricsF(style.LABEL_FONT)
        top = inner.top()
        for number, line in enumerate(self.lines):
            painter.setPen(style.TEXT if number == 0 else style.TEXT_DIM)
            painter.drawText(QRectF(inner.left(), top, inner.width(), metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(line, Qt.TextElideMode.ElideRight, inner.width()))
            top += metrics.height()


_PLAIN = frozenset({type(None), bool, int, float, str, dict, tuple})
"""Types that never preview: answered at once (a canvas shows thousands of such cells)."""


def kind_of(value: Any) -> str | None:
    """IMAGE, TABLE or None (nothing to preview), from the value or its `StoredSummary`."""
    if type(value) in _PLAIN:
        return None
    if type(value) is StoredSummary:
        return IMAGE if value.thumbnail is not None else TABLE if value.outline is not None else None
    if is_image(value):
        return IMAGE
    return TABLE if table_outline(value) is not None else None


def kind_of_type(hint: Any) -> str | None:
    """IMAGE or TABLE for a cell whose type (its producer's output) is `Image` or `DataFrame`, before a run."""
    if isinstance(hint, type):
        if issubclass(hint, Image):
            return IMAGE
        if issubclass(hint, DataFrame):
            return TABLE
    return None


def room_below(document, cell_id) -> float:
    """The height a cell's preview will take under it, from the model alone (its producer's output type:
    `Image` or `DataFrame`), for Auto Layout to leave room; 0 for other cells and hidden previews."""
    producer = document.producer_of(cell_id)
    function = document.function_of(producer[0]) if producer is not None else None
    port = function.output(producer[1]) if function is not None else None
    kind = kind_of_type(port.type) if port is not None else None
    if kind is None or not document.preview_shown(cell_id):
        return 0.0
    inside = THUMBNAIL_SIDE if kind == IMAGE else 2 * QFontMetricsF(style.LABEL_FONT).height()
    return GAP + inside + 2 * PADDING


def table_lines(outline: TableOutline) -> tuple[str, ...]:
    """'1,000 rows × 5 columns', then the first column names ('region, amount, date…')."""
    names = list(outline.names[:NAMES_SHOWN])
    more = outline.columns > len(names) and names
    joined = ", ".join(names) + ("…" if more else "")
    return (outline.size_text(), joined) if joined else (outline.size_text(),)


def make_preview(value: Any, before: CellPreview | None = None) -> CellPreview | None:
    """The preview of a value (or its summary), reusing `before` when it shows the same; None when the value
    has nothing to preview or its picture cannot be read."""
    if type(value) in _PLAIN:
        return None
    summary = type(value) is StoredSummary
    outline = value.outline if summary else None if is_image(value) else table_outline(value)
    if outline is not None:
        if before is not None and before.key == outline:
            return before
        lines = table_lines(outline)
        metrics = QFontMetricsF(style.LABEL_FONT)
        height = metrics.height() * len(lines) + 2 * PADDING
        return CellPreview(TABLE, outline, QRectF(0, style.CELL_HEIGHT + GAP, style.CELL_WIDTH, height),
                           lines=lines)
    if before is not None and before.kind == IMAGE and before.key is value:
        return before  # the same object (a run in the studio's process): not even its PNG is asked for
    if summary and value.thumbnail is None:
        return None
    try:
        png = value.thumbnail if summary else png_of(value)
    except Exception:  # noqa: BLE001 - a figure that fails to draw: no preview, never a broken canvas
        return None
    if png is None:
        return None
    if before is not None and before.kind == IMAGE and before.png == png:
        before.key = value
        return before
    image = QImage.fromData(png)
    if image.isNull():
        return None
    if image.width() > THUMBNAIL_SIDE or image.height() > THUMBNAIL_SIDE:
        image = image.scaled(THUMBNAIL_SIDE, THUMBNAIL_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    width, height = image.width() + 2 * PADDING, image.height() + 2 * PADDING
    rect = QRectF((style.CELL_WIDTH - width) / 2, style.CELL_HEIGHT + GAP, width, height)
    return CellPreview(IMAGE, value, rect, pixmap=QPixmap.fromImage(image), png=png)


def show(item, value: Any) -> None:
    """Give the cell item `item` the preview of `value` (None: no value), or none when the document hides it
    or there is nothing to preview; its bounds take the preview in."""
    item.preview_kind = kind_of(value) if value is not None else None
    shown = item.preview_kind is not None and item.document.preview_shown(item.node_id)
    before = item.preview
    item.preview = make_preview(value, before) if shown else None
    if item.preview is not before or (before is not None and item.rect() != bounds(item)):
        item.fit_bounds()


def bounds(item) -> QRectF:
    """The cell's bounding rect: its body and ports, and its preview when it has one."""
    side = max(3.0, style.PORT_HIT_RADIUS)
    tab = getattr(item, "TAB_HEIGHT", None)  # a group's port cell, inside the group, has a tab over it
    rect = item.body_rect().adjusted(-side, -tab - 2 if tab is not None else -3, side, 3)
    return rect.united(item.preview.rect.adjusted(-1, -1, 1, 1)) if item.preview is not None else rect


def add_toggle(menu: QMenu, document, item) -> QAction | None:
    """A checkable Show Preview in a cell's right-click menu (objectName "show-preview-action"), when the
    cell holds (or its type says it will hold) an image or a table; None otherwise."""
    if item is None or not hasattr(item, "preview_kind"):
        return None
    if item.preview_kind is None and kind_of_type(item.cell_type()[0]) is None:
        return None
    action = QAction("Show &Preview", menu)
    action.setObjectName("show-preview-action")
    action.setCheckable(True)
    action.setChecked(document.preview_shown(item.node_id))
    action.setToolTip("Draw the cell's image thumbnail or table size under it on the canvas")
    action.toggled.connect(lambda shown, cell_id=item.node_id: document.show_preview(cell_id, shown))
    menu.addSeparator()
    menu.addAction(action)
    return action
