"""A shown canvas view for tests, and real mouse gestures on its viewport."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.document.document import WorkflowDocument
from tests.example_ids import EXAMPLE


def example_document() -> WorkflowDocument:
    """A document on the bundled example, whose node ids tests.example_ids names."""
    document = WorkflowDocument()
    document.open(EXAMPLE)
    return document


def shown_view(qtbot, document: WorkflowDocument, size: tuple[int, int] = (1000, 700)) -> WorkflowView:
    """A view on `document`, shown and exposed, so it draws and hit-tests as on screen."""
    view = WorkflowView(document)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view


def example_view(qtbot, document: WorkflowDocument | None = None) -> WorkflowView:
    """The example (or `document`, opened on it) at 100 %, centred on its steps."""
    view = shown_view(qtbot, example_document() if document is None else document)
    view.set_zoom(1.0)
    view.centerOn(660, 120)
    return view


def send_mouse(view: WorkflowView, kind: QEvent.Type, scene_pos: QPointF,
               buttons=Qt.MouseButton.LeftButton) -> None:
    """A real QMouseEvent on the viewport (QTest's moves carry no button state offscreen).

    The left button causes a press or release; a move causes nothing and carries `buttons`, those held.
    """
    local = QPointF(view.mapFromScene(scene_pos))
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(kind, local, QPointF(view.viewport().mapToGlobal(local.toPoint())), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def drag(qtbot, view: WorkflowView, start: QPointF, end: QPointF) -> None:
    """Press the left button at `start`, move there in four steps holding it, release at `end`."""
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(start))
    for t in (0.25, 0.5, 0.75, 1.0):
        send_mouse(view, QEvent.Type.MouseMove, start + (end - start) * t)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(end))
