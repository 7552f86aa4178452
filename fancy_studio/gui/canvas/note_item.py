"""A note on the canvas: a card of text, plain or rendered from Markdown (`QTextDocument.setMarkdown`).

The text wraps to the note's width and is cut at its height (a "…" in the corner says there is more);
the bottom-right corner resizes it. Double-click or F2 edits the text in place (`annotation_editor`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QFont, QPainter, QPalette, QPen, QTextDocument
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from fancy_studio.core import Note
from fancy_studio.core.annotations import MIN_NOTE_HEIGHT, MIN_NOTE_WIDTH
from fancy_studio.gui.canvas import style
from fancy_studio.gui.canvas.annotation_item import AnnotationItem
from fancy_studio.gui.canvas.frame_item import dark_canvas
from fancy_studio.gui.canvas.node_titles import draw_overview_title

if TYPE_CHECKING:
    from fancy_studio.gui.document.document import WorkflowDocument

PADDING = 10.0
NOTE_Z = 2.0
"""Level with the nodes: a note is read like one."""
NOTE_FONT = QFont(style.LABEL_FONT)
NOTE_FONT.setPixelSize(13)
PLACEHOLDER = "Double-click to write a note"
_COLORS = {True: ("#38352a", "#6c6442"), False: ("#fff7d1", "#d9c77a")}
"""Card and border on the dark canvas (True) and the light one: a quiet paper yellow either way."""


class NoteItem(AnnotationItem):
    """A note of the document."""

    min_size = (MIN_NOTE_WIDTH, MIN_NOTE_HEIGHT)

    def __init__(self, document: WorkflowDocument, note_id: UUID) -> None:
        super().__init__(document, note_id)
        self.text_document = QTextDocument()
        self.text_document.setDefaultFont(NOTE_FONT)
        self.text_document.setDocumentMargin(0)
        self._shown: tuple[str, bool] | None = None
        self.setZValue(NOTE_Z)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # laid-out text is costly to redraw
        self.refresh()

    def refresh(self) -> None:
        note = self.model
        if not isinstance(note, Note):
            return
        if self._shown != (note.text, note.markdown):
            self._shown = (note.text, note.markdown)
            if note.markdown:
                self.text_document.setMarkdown(note.text)
            else:
                self.text_document.setPlainText(note.text)
        super().refresh()

    @property
    def text(self) -> str:
        return self._shown[0] if self._shown else ""

    def set_size(self, width: float, height: float) -> None:
        super().set_size(width, height)
        self.text_document.setTextWidth(max(1.0, width - 2 * PADDING))

    def overflows(self) -> bool:
        """Whether the text is longer than the note shows."""
        return self.text_document.size().height() > self.size()[1] - 2 * PADDING

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        width, height = self.size()
        card, border = (QColor(c) for c in _COLORS[dark_canvas()])
        rect = QRectF(0, 0, width, height)
        if lod < style.LOW_DETAIL:
            painter.fillRect(rect, style.SELECTED if self.isSelected() else border)
            first = self.text.strip().splitlines()[0] if self.text.strip() else "note"
            draw_overview_title(painter, rect, lod, first.lstrip("# "), border)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.isSelected():
            pen = QPen(style.SELECTED, 2.0)
        else:
            pen = QPen(border.lighter(130) if self._hover else border, 1.0)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(card)
        inset = 1.0 / max(lod, 1e-6)
        painter.drawRoundedRect(rect.adjusted(inset, inset, -inset, -inset), 4, 4)
        inner = rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        if not self.text.strip():
            painter.setFont(NOTE_FONT)
            painter.setPen(style.TEXT_DIM)
            flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            painter.drawText(inner, flags, PLACEHOLDER)
        else:
            painter.save()
            painter.translate(inner.topLeft())
            context = QAbstractTextDocumentLayout.PaintContext()
            context.palette.setColor(QPalette.ColorRole.Text, style.TEXT)
            context.clip = QRectF(0, 0, inner.width(), inner.height())
            painter.setClipRect(context.clip)
            self.text_document.documentLayout().draw(painter, context)
            painter.restore()
            if self.overflows():
                painter.setFont(NOTE_FONT)
                painter.setPen(style.TEXT_DIM)
                painter.drawText(QRectF(0, height - PADDING - 4, width - 18, PADDING + 2),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "…")
        if self._hover or self.isSelected():
            self.draw_grip(painter)
