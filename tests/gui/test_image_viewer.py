"""The image viewer: a picture opens at its size (fitted when larger than the window), zooms by shortcut and by
the wheel with Ctrl, copies to the clipboard and saves as a PNG file, atomically."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QEvent, QIODevice, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from fancy_studio.core.data_types import Image
from fancy_studio.gui.viewers import image_viewer as module
from fancy_studio.gui.viewers.image_viewer import ZOOM_STEP, ImageViewer
from tests.gui.dialogs import answer_dialogs


def png_bytes(width: int, height: int, color: str = "#3070c0") -> bytes:
    """A PNG made by Qt: a coloured picture with a white square in its top-left corner."""
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor(color))
    for x in range(min(10, width)):
        for y in range(min(10, height)):
            image.setPixelColor(x, y, QColor("white"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(data)


@pytest.fixture
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def viewer(qtbot):
    shown = ImageViewer(Image.from_png(png_bytes(200, 100)), "chart")
    qtbot.addWidget(shown)
    shown.show()
    shown.activateWindow()
    qtbot.waitUntil(shown.isActiveWindow)
    return shown


def ctrl(qtbot, viewer: ImageViewer, key: Qt.Key, more=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(viewer.view, key, Qt.KeyboardModifier.ControlModifier | more)


def wheel(viewer: ImageViewer, notches: int, modifiers=Qt.KeyboardModifier.ControlModifier) -> None:
    """Turn the mouse wheel over the middle of the picture, as a user does."""
    viewport = viewer.view.viewport()
    centre = QPointF(viewport.rect().center())
    event = QWheelEvent(centre, QPointF(viewport.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(viewport, event)


def test_a_small_picture_opens_at_its_actual_size_and_zooms_by_shortcut(qtbot, viewer):
    assert viewer.scale() == pytest.approx(1.0)
    assert "200 × 100 px · 100 %" in viewer.size_label.text()
    ctrl(qtbot, viewer, Qt.Key.Key_Equal)
    assert viewer.scale() == pytest.approx(ZOOM_STEP)
    ctrl(qtbot, viewer, Qt.Key.Key_Equal)
    assert viewer.scale() == pytest.approx(ZOOM_STEP ** 2)
    ctrl(qtbot, viewer, Qt.Key.Key_Minus)
    assert viewer.scale() == pytest.approx(ZOOM_STEP)
    ctrl(qtbot, viewer, Qt.Key.Key_1)
    assert viewer.scale() == pytest.approx(1.0)
    ctrl(qtbot, viewer, Qt.Key.Key_0)  # fit: the 200-pixel-wide picture fills the wider window
    viewport = viewer.view.viewport().rect()
    assert viewer.scale() > 1.0
    shown = viewer.view.mapFromScene(viewer.pixmap_item.sceneBoundingRect()).boundingRect()
    assert shown.width() <= viewport.width() and shown.height() <= viewport.height()
    assert shown.width() >= viewport.width() - 4 or shown.height() >= viewport.height() - 4
    assert "%" in viewer.size_label.text() and f"{viewer.scale() * 100:.0f} %" in viewer.size_label.text()


def test_the_wheel_zooms_only_with_ctrl_held(qtbot, viewer):
    wheel(viewer, 1)
    assert viewer.scale() == pytest.approx(ZOOM_STEP)
    wheel(viewer, -2)
    assert viewer.scale() == pytest.approx(1 / ZOOM_STEP)
    wheel(viewer, 3, Qt.KeyboardModifier.NoModifier)  # a plain wheel scrolls, it never zooms
    assert viewer.scale() == pytest.approx(1 / ZOOM_STEP)


def test_zoom_stops_at_its_limits(qtbot, viewer):
    for _ in range(40):
        ctrl(qtbot, viewer, Qt.Key.Key_Minus)
    assert viewer.scale() == pytest.approx(module.MIN_SCALE)
    for _ in range(60):
        wheel(viewer, 1)
    assert viewer.scale() == pytest.approx(module.MAX_SCALE)


def test_a_picture_larger_than_the_window_opens_fitted(qtbot):
    big = ImageViewer(png_bytes(3000, 2000), "big")  # PNG bytes are an image too
    qtbot.addWidget(big)
    big.show()
    qtbot.waitExposed(big)
    assert big.scale() < 0.5
    viewport = big.view.viewport().rect()
    shown = big.view.mapFromScene(big.pixmap_item.sceneBoundingRect()).boundingRect()
    assert shown.width() <= viewport.width() and shown.height() <= viewport.height()


def test_save_as_writes_a_png_of_the_same_size_and_adds_the_suffix(qtbot, viewer, monkeypatch, tmp_path):
    asked = []

    def answer(*args, **_kwargs):
        asked.append(args)
        return str(tmp_path / "my chart"), module.FILE_FILTER

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    ctrl(qtbot, viewer, Qt.Key.Key_S, Qt.KeyboardModifier.ShiftModifier)
    assert asked and asked[0][2] == "chart.png"  # the dialog proposes the cell's name
    saved = tmp_path / "my chart.png"
    assert saved.read_bytes() == viewer.png
    written = QImage(str(saved))
    assert (written.width(), written.height()) == (200, 100)
    assert written.pixelColor(0, 0) == QColor("white") and written.pixelColor(150, 50) == QColor("#3070c0")
    assert "Saved my chart.png" in viewer.size_label.text()


def test_a_failed_save_says_why_and_loses_nothing(qtbot, viewer, monkeypatch, tmp_path, dialogs):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "no such folder" / "x.png"), module.FILE_FILTER))
    assert viewer.save_as() is None
    assert "no such folder" in dialogs["critical"].asked[0]
    kept = tmp_path / "kept.png"
    kept.write_bytes(b"precious")
    from fancy_studio.core import atomic_write

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_write.os, "replace", disk_full)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(kept), module.FILE_FILTER))
    assert viewer.save_as() is None
    assert "No space left on device" in dialogs["critical"].asked[-1] and str(kept) in dialogs["critical"].asked[-1]
    assert kept.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.png"]  # no temporary file left behind


def test_a_cancelled_save_writes_nothing(viewer, monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert viewer.save_as() is None and not list(tmp_path.iterdir())


def test_copy_puts_the_picture_on_the_clipboard(qtbot, viewer):
    QGuiApplication.clipboard().clear()
    ctrl(qtbot, viewer, Qt.Key.Key_C)
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (200, 100)
    assert copied.pixelColor(0, 0) == QColor("white")


def test_figures_and_pil_images_open_too_and_other_values_do_not(qtbot):
    from matplotlib.figure import Figure
    from PIL import Image as PILImage

    figure = Figure(figsize=(3, 2), dpi=40)
    figure.add_subplot().bar(["a", "b"], [1, 2])
    for value, size in ((figure, (120, 80)), (PILImage.new("RGB", (64, 48), "green"), (64, 48))):
        shown = ImageViewer(value)
        qtbot.addWidget(shown)
        assert (shown.image.width(), shown.image.height()) == size
        assert shown.windowTitle() == "Image" and shown.png.startswith(b"\x89PNG")
    with pytest.raises(TypeError, match="list is not an image"):
        ImageViewer([1, 2, 3])


def test_double_clicking_an_image_datum_opens_the_image_viewer_also_for_a_value_left_on_disk(qtbot, tmp_path):
    from fancy_studio.core import SqliteStore, StoredSummary
    from fancy_studio.gui.datums.panel import DatumPanel
    from tests.core.test_summary_previews import noise_png

    big = noise_png(480, 320)  # over SUMMARY_BYTES: the studio's store reads its summary only
    path, key = tmp_path / "s.fancystore", b"I" * 32
    with SqliteStore(path, key=key) as writer:
        ids = {alias: writer.put(value, alias).id
               for alias, value in (("chart", Image.from_png(png_bytes(40, 30))), ("photo", big),
                                    ("numbers", [1, 2, 3]))}
    store = SqliteStore(path, key=key, summaries=True)
    assert isinstance(store.get(ids["photo"]).value, StoredSummary)
    panel = DatumPanel(store)
    qtbot.addWidget(panel)
    panel.resize(800, 400)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    opened = {}
    for alias, cell_id in ids.items():
        index = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(cell_id), 0))
        rect = panel.table.visualRect(index)
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.waitUntil(lambda cell_id=cell_id: cell_id in panel.viewers)
        opened[alias] = panel.viewers[cell_id]
    assert isinstance(opened["chart"], ImageViewer) and isinstance(opened["photo"], ImageViewer)
    assert opened["photo"].png == big and opened["photo"].windowTitle() == "photo — image"
    assert (opened["chart"].image.width(), opened["chart"].image.height()) == (40, 30)
    assert not isinstance(opened["numbers"], ImageViewer)
    for viewer in opened.values():
        viewer.close()
    opened.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # the dock deletes them later
    assert not panel.viewers
    store.close()


def test_png_bytes_that_do_not_decode_open_in_the_value_viewer_instead(qtbot):
    from fancy_studio.core.store import InMemoryStore
    from fancy_studio.gui.datums.panel import DatumPanel
    from fancy_studio.gui.datums.value_viewer import ValueViewer

    store = InMemoryStore()
    broken = png_bytes(20, 20)[:40]  # the signature and the size, then nothing
    cell = store.put(broken, "broken")
    panel = DatumPanel(store)
    qtbot.addWidget(panel)
    panel.refresh()
    viewer = panel.open_viewer(cell.id)
    assert isinstance(viewer, ValueViewer) and viewer.value == broken
