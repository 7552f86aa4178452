"""The image viewer: a picture value (our `Image`, PNG bytes, a matplotlib Figure, a PIL image) to look at
closely, copy, or save as a PNG file.

The picture is drawn from its PNG bytes (`core.image_png.png_of`), so what Save As writes is exactly what
the value holds (a Figure is rendered once, with Agg). Zoom is the view's transform: Ctrl+= / Ctrl+- /
Ctrl+0 (fit) / Ctrl+1 (actual size), or the wheel with Ctrl held.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QGuiApplication, QImage, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog, QFileDialog, QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QLabel, QMessageBox, QToolBar,
    QVBoxLayout, QWidget,
)

from fancy_studio.core.atomic_write import write_atomically
from fancy_studio.core.errors import FancyError
from fancy_studio.core.image_png import png_of
from fancy_studio.core.value_kinds import is_image
from fancy_studio.core.value_summary import StoredSummary

ZOOM_STEP = 1.25
"""One zoom in (or out) multiplies (or divides) the scale by this."""
MIN_SCALE, MAX_SCALE = 1 / 32, 32.0
FILE_FILTER = "PNG image (*.png)"


IMAGE_TYPE_NAMES = frozenset({"Image", "Figure", "PngImageFile", "JpegImageFile"})
"""Type names of image values as a summary names them (ours, matplotlib's, PIL's)."""


def looks_like_image(value: Any) -> bool:
    """True for a picture (`value_kinds.is_image`), also when only its `StoredSummary` is at hand: one with
    a thumbnail, of an image type, or bytes whose preview starts with the PNG signature."""
    if type(value) is StoredSummary:
        return (value.thumbnail is not None or value.type_name in IMAGE_TYPE_NAMES
                or (value.type_name == "bytes" and value.preview.startswith("b'\\x89PNG\\r\\n")))
    return is_image(value)


class ImageView(QGraphicsView):
    """The picture on a dark backdrop; the wheel with Ctrl held zooms about the pointer."""

    def __init__(self, viewer: ImageViewer) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self.setObjectName("image-view")
        self.setBackgroundBrush(Qt.GlobalColor.darkGray)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.viewer.zoom_by(ZOOM_STEP ** steps)
            event.accept()
            return
        super().wheelEvent(event)


class ImageViewer(QDialog):
    """Non-modal, like the value viewer: several pictures can be open at once beside the studio."""

    def __init__(self, value: Any, alias: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("image-viewer")
        self.alias = alias or "image"
        self.setWindowTitle(f"{alias} — image" if alias else "Image")
        png = png_of(value)
        if png is None:
            raise TypeError(f"{type(value).__name__} is not an image")
        self.png = png
        """The picture's PNG bytes: what Save As writes and Copy decodes."""
        self.image = QImage.fromData(png, "PNG")
        if self.image.isNull():
            raise ValueError(f"{self.alias}: its PNG bytes cannot be decoded")
        self.scene = QGraphicsScene(self)
        self.pixmap_item = QGraphicsPixmapItem(QPixmap.fromImage(self.image))
        self.pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene.addItem(self.pixmap_item)
        self.scene.setSceneRect(QRectF(self.image.rect()))
        self.view = ImageView(self)
        self.view.setScene(self.scene)
        self.view.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.size_label = QLabel(self)
        self.size_label.setObjectName("image-size-label")

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("image-toolbar")
        self.zoom_in_action = self._action("Zoom &In", "image-zoom-in-action", self.zoom_in,
                                           QKeySequence("Ctrl+="), QKeySequence("Ctrl++"))
        self.zoom_out_action = self._action("Zoom &Out", "image-zoom-out-action", self.zoom_out,
                                            QKeySequence("Ctrl+-"))
        self.fit_action = self._action("&Fit", "image-fit-action", self.fit, QKeySequence("Ctrl+0"))
        self.actual_size_action = self._action("&Actual Size", "image-actual-size-action", self.actual_size,
                                               QKeySequence("Ctrl+1"))
        self.toolbar.addSeparator()
        self.save_action = self._action("&Save As…", "image-save-as-action", self.save_as,
                                        QKeySequence("Ctrl+Shift+S"))
        self.copy_action = self._action("&Copy", "image-copy-action", self.copy, QKeySequence.StandardKey.Copy)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.size_label)
        self.resize(720, 560)
        self._fit_on_show = True
        self._show_scale()

    def _action(self, text: str, name: str, slot, *keys) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        shortcuts = [QKeySequence(key) for key in keys]
        action.setShortcuts([key for key in shortcuts if not key.isEmpty()])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        key = shortcuts[0].toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({key})")
        action.triggered.connect(slot)
        self.addAction(action)
        self.toolbar.addAction(action)
        return action

    # --- zoom ----------------------------------------------------------------------------------------

    def scale(self) -> float:
        """The picture's scale on screen (1.0: one image pixel per screen pixel)."""
        return self.view.transform().m11()

    def set_scale(self, scale: float) -> None:
        scale = min(MAX_SCALE, max(MIN_SCALE, scale))
        self.view.resetTransform()
        self.view.scale(scale, scale)
        self._fit_on_show = False
        self._show_scale()

    def zoom_by(self, factor: float) -> None:
        current = self.scale()
        target = min(MAX_SCALE, max(MIN_SCALE, current * factor))
        if target != current:
            self.view.scale(target / current, target / current)
        self._fit_on_show = False
        self._show_scale()

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def actual_size(self) -> None:
        self.set_scale(1.0)

    def fit(self) -> None:
        """The whole picture in the window (Ctrl+0): shrunk, or enlarged, to fill it."""
        viewport = self.view.viewport().rect()
        if self.image.width() <= 0 or self.image.height() <= 0 or viewport.isEmpty():
            return
        scale = min((viewport.width() - 2) / self.image.width(), (viewport.height() - 2) / self.image.height())
        self.set_scale(scale)
        self._fit_on_show = False

    def showEvent(self, event) -> None:
        """A picture larger than the window opens fitted into it; a smaller one at its actual size."""
        super().showEvent(event)
        if self._fit_on_show:
            viewport = self.view.viewport().rect()
            if self.image.width() > viewport.width() or self.image.height() > viewport.height():
                self.fit()
            else:
                self.actual_size()

    def _show_scale(self) -> None:
        self.size_label.setText(f"{self.image.width():,} × {self.image.height():,} px · "
                                f"{self.scale() * 100:.0f} % · {len(self.png):,} bytes PNG")

    # --- copy and save -------------------------------------------------------------------------------

    def copy(self) -> None:
        QGuiApplication.clipboard().setImage(self.image)

    def save_as(self) -> Path | None:
        """Ask where, then write the PNG (atomically: a failed write says why and leaves any file there as
        it was). The path written, or None."""
        name, _chosen = QFileDialog.getSaveFileName(self, "Save Image As", f"{self.alias}.png", FILE_FILTER)
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        try:
            write_atomically(path, self.png)
        except (OSError, FancyError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            QMessageBox.critical(self, "Save Image As", f"Could not save the image to {path}:\n{reason}")
            return None
        self.size_label.setText(f"Saved {path.name} ({len(self.png):,} bytes)")
        return path
