"""The plot viewer: a series of numbers as an interactive line (pan with the mouse, zoom with the wheel).

pyqtgraph draws it, as Orange's plots do, with peak downsampling chosen from the view's width and the curve
clipped to the visible range: a line of 1,000,000 points draws only a few thousand, so it opens and pans
at once (`tests/benchmarks/bench_plot_viewer.py` measures it). numpy and pyqtgraph are imported when the
first plot opens, never at the studio's start-up.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QDialog, QLabel, QToolBar, QVBoxLayout, QWidget

from fancy_studio.core.value_kinds import is_number_series


def series_of(value: Any) -> tuple[Any, Any, str]:
    """(x, y, x label) of a number series as float arrays: a pandas Series's numeric index is its x, anything
    else is plotted against its position. Missing values (NaN) leave gaps. TypeError when it is no series."""
    import numpy as np

    if not is_number_series(value):
        raise TypeError(f"{type(value).__name__} is not a series of numbers")
    if type(value).__module__.split(".", 1)[0] == "pandas":
        y = value.to_numpy(dtype=float, na_value=np.nan)
        index = value.index
        if index.dtype.kind in "iuf":
            return index.to_numpy(dtype=float), y, str(index.name) if index.name is not None else "index"
        return np.arange(len(y), dtype=float), y, "position"
    try:
        y = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:  # a list whose first items are numbers, but not all of them
        raise TypeError(f"not every item is a number ({exc})") from None
    return np.arange(len(y), dtype=float), y, "position"


class PlotViewer(QDialog):
    """Non-modal, like the other viewers: the series of one cell, as a line."""

    def __init__(self, value: Any, alias: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self.setObjectName("plot-viewer")
        self.setWindowTitle(f"{alias} — plot" if alias else "Plot")
        x, y, x_label = series_of(value)
        self.count = len(y)
        palette = self.palette()
        self.plot = pg.PlotWidget(self, background=palette.color(QPalette.ColorRole.Base))
        self.plot.setObjectName("plot-widget")
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")  # a few points per pixel column, peaks kept
        item.setClipToView(True)  # only the visible x range is downsampled and drawn
        item.showGrid(x=True, y=True, alpha=0.25)
        text = palette.color(QPalette.ColorRole.Text)
        for axis in ("left", "bottom"):
            item.getAxis(axis).setTextPen(text)
            item.getAxis(axis).setPen(text)
        item.setLabel("bottom", x_label)
        if getattr(value, "name", None) is not None:
            item.setLabel("left", str(value.name))
        self.curve = item.plot(x, y, pen=pg.mkPen(color=palette.color(QPalette.ColorRole.Highlight), width=1))

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("plot-toolbar")
        reset = QAction("&Reset Zoom", self)
        reset.setObjectName("plot-reset-zoom-action")
        reset.setShortcut(QKeySequence("Ctrl+0"))
        reset.setToolTip("Show the whole series (Ctrl+0)")
        reset.triggered.connect(self.reset_zoom)
        self.addAction(reset)
        self.toolbar.addAction(reset)
        self.reset_zoom_action = reset
        finite = y[~_isnan(y)]
        self.summary = QLabel(self)
        self.summary.setObjectName("plot-summary")
        self.summary.setText(f"{self.count:,} points" + (
            f" · min {finite.min():.6g} · max {finite.max():.6g} · mean {finite.mean():.6g}" if len(finite) else
            " · no numbers (all missing)"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)
        self.resize(800, 480)

    def reset_zoom(self) -> None:
        self.plot.getPlotItem().enableAutoRange()

    def displayed_points(self) -> int:
        """How many points the curve draws now (after downsampling and clipping to the view)."""
        x, _y = self.curve.getData()
        return 0 if x is None else len(x)


def _isnan(array: Any) -> Any:
    import numpy as np

    return np.isnan(array)
