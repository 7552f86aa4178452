"""How a step's run state looks on its node: a badge in the header and the colour of the border."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from fancy_studio.core.durations import duration_text
from fancy_studio.gui.run.status import StepRunInfo, StepState

RUNNING = QColor("#5aa9f0")
DONE = QColor("#6ee07a")
FAILED = QColor("#e0605a")
MUTED = QColor("#9aa0a8")
BYPASSED = QColor("#d9a441")

_FONT = QFont()
_FONT.setPixelSize(11)  # scene units, like the node fonts (see style.TITLE_FONT)

BORDER = {StepState.RUNNING: RUNNING, StepState.FAILED: FAILED}
"""States that recolour the node's border (done stays quiet: a green badge is enough)."""

LOW_DETAIL = {StepState.RUNNING: RUNNING, StepState.DONE: DONE.darker(160), StepState.FAILED: FAILED,
              StepState.CACHED: DONE.darker(220), StepState.SKIPPED: MUTED.darker(150), StepState.QUEUED: MUTED.darker(220),
              StepState.BYPASSED: BYPASSED.darker(260)}
"""Zoomed far out a node is a block; these states give the block their colour."""

_COLORS = {True: ("#5aa9f0", "#6ee07a", "#e0605a", "#9aa0a8", "#d9a441"),
           False: ("#2f7fd0", "#23883b", "#cf3b33", "#6e757e", "#a86f0c")}
"""Running, done, failed, muted, bypassed on a dark and on a light canvas (light green text is unreadable on
white)."""

CACHED_TIP = "reused: its function, inputs and parameters are what they were when this result was made"
"""Why a cached step did not run (its node's tooltip)."""


def use_colors(dark: bool) -> None:
    """Rebind the state colours for a dark or a light canvas (the theme calls this with style.use_colors)."""
    global RUNNING, DONE, FAILED, MUTED, BYPASSED
    RUNNING, DONE, FAILED, MUTED, BYPASSED = (QColor(c) for c in _COLORS[dark])
    BORDER.update({StepState.RUNNING: RUNNING, StepState.FAILED: FAILED})
    LOW_DETAIL.update({StepState.RUNNING: RUNNING, StepState.DONE: DONE.darker(160), StepState.FAILED: FAILED,
                       StepState.CACHED: DONE.darker(220), StepState.SKIPPED: MUTED.darker(150), StepState.QUEUED: MUTED.darker(220),
                       StepState.BYPASSED: BYPASSED.darker(260)})


_OPEN = (StepState.QUEUED, StepState.RUNNING)


def shows_stale(info: StepRunInfo) -> bool:
    """An edit upstream has made the step's last result out of date (and no run is computing it yet)."""
    return info.stale is not None and info.state not in _OPEN


def worker_note(info: StepRunInfo) -> str:
    """" on worker 127.0.0.1:40123" for a step a Dask worker ran (its tooltip says so), else ""."""
    if not info.worker:
        return ""
    return f" on worker {info.worker.split('://', 1)[-1]}"


def worker_tag(address: str | None) -> str:
    """A worker's short name for a badge: its host, or ":port" for one on this machine (a local cluster's
    workers differ only by port): "tcp://10.0.0.7:40123" → "10.0.0.7", "tcp://127.0.0.1:40123" → ":40123"."""
    if not address:
        return ""
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    return f":{port}" if host in ("127.0.0.1", "localhost", "[::1]", "") else host


def label(info: StepRunInfo) -> str:
    """The words beside the badge: a duration when done (and the Dask worker that ran it), the state
    otherwise."""
    if info.stale is not None and info.state not in _OPEN:
        return "stale"
    if info.state is StepState.DONE:
        return duration_text(info.seconds) + (f" · {worker_tag(info.worker)}" if info.worker else "")
    if info.state is StepState.FAILED and info.worker:
        return f"failed · {worker_tag(info.worker)}"
    return {StepState.QUEUED: "queued", StepState.RUNNING: "running", StepState.FAILED: "failed",
            StepState.CACHED: "cached", StepState.BYPASSED: "bypassed",
            StepState.SKIPPED: "skipped", StepState.CANCELLED: "cancelled"}.get(info.state, "")


def width(info: StepRunInfo) -> float:
    """Header width the badge takes, so the title can be elided before it."""
    if info.state is StepState.IDLE and info.stale is None:
        return 0.0
    return 20 + QFontMetricsF(_FONT).horizontalAdvance(label(info))


def paint(painter: QPainter, header: QRectF, info: StepRunInfo, phase: int) -> None:
    """Draw the badge at the right end of `header`; `phase` turns the running spinner."""
    if info.state is StepState.IDLE and info.stale is None:
        return
    text = label(info)
    painter.setFont(_FONT)
    metrics = QFontMetricsF(_FONT)
    text_width = metrics.horizontalAdvance(text)
    right = header.right() - 8
    centre = QPointF(right - text_width - 10, header.center().y())
    icon = QRectF(centre.x() - 5, centre.y() - 5, 10, 10)
    state = info.state
    if shows_stale(info):  # out of date: a dotted circle, whatever the last run did
        painter.setPen(QPen(MUTED, 1.4, Qt.PenStyle.DotLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(icon)
        colour = MUTED
    elif state is StepState.RUNNING:
        painter.setPen(QPen(RUNNING, 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawArc(icon, -phase * 30 * 16, 270 * 16)
        colour = RUNNING
    elif state is StepState.DONE:
        painter.setPen(QPen(DONE, 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPolyline([QPointF(icon.left() + 1, icon.center().y()),
                              QPointF(icon.center().x() - 1, icon.bottom() - 1),
                              QPointF(icon.right(), icon.top() + 1)])
        colour = DONE
    elif state is StepState.FAILED:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(FAILED)
        painter.drawEllipse(icon)
        painter.setPen(QPen(QColor("white"), 1.6))
        painter.drawLine(QPointF(icon.center().x(), icon.top() + 2.5), QPointF(icon.center().x(), icon.center().y() + 1))
        painter.drawPoint(QPointF(icon.center().x(), icon.bottom() - 2.2))
        colour = FAILED.lighter(130)
    elif state is StepState.CACHED:  # reused: a muted circular arrow (↺), not the done tick
        painter.setPen(QPen(MUTED, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(icon, 90 * 16, 270 * 16)
        tip = QPointF(icon.center().x(), icon.top())
        painter.drawPolyline([QPointF(tip.x() + 3, tip.y() - 2.5), tip, QPointF(tip.x() + 3, tip.y() + 2.5)])
        colour = MUTED
    elif state is StepState.BYPASSED:  # passed through: an arrow over a gap, as a wire jumping the node
        painter.setPen(QPen(BYPASSED, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        y = icon.center().y()
        painter.drawArc(QRectF(icon.left(), y - 4, icon.width(), 8), 0, 180 * 16)
        tip = QPointF(icon.right(), y)
        painter.drawPolyline([QPointF(tip.x() - 3, tip.y() - 2.5), tip, QPointF(tip.x() + 1.5, tip.y() - 3.5)])
        colour = BYPASSED
    else:  # queued, skipped, cancelled: a quiet hollow circle
        painter.setPen(QPen(MUTED, 1.4, Qt.PenStyle.DashLine if state is StepState.SKIPPED else Qt.PenStyle.SolidLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(icon)
        colour = MUTED
    painter.setPen(colour)
    painter.drawText(QRectF(right - text_width, header.top(), text_width + 1, header.height()),
                     Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text)
