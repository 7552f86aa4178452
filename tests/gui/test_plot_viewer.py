"""The plot viewer: a series of numbers as a pyqtgraph line, downsampled to what the view can show, so a
1,000,000-point series draws only a few thousand points; zooming in shows the real points again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from fancy_studio.gui.viewers.plot_viewer import PlotViewer, series_of

MILLION = 1_000_000


def shown(qtbot, viewer: PlotViewer) -> PlotViewer:
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitExposed(viewer)
    viewer.plot.grab()  # a real paint: the curve works out what it draws
    return viewer


def test_a_million_points_draw_downsampled_to_far_fewer(qtbot):
    values = np.sin(np.linspace(0, 200 * np.pi, MILLION)) + np.linspace(0, 3, MILLION)
    viewer = shown(qtbot, PlotViewer(values, "signal"))
    assert viewer.count == MILLION and len(viewer.curve.getOriginalDataset()[1]) == MILLION
    assert viewer.curve.opts["autoDownsample"] and viewer.curve.opts["downsampleMethod"] == "peak"
    assert viewer.curve.opts["clipToView"]
    assert 0 < viewer.displayed_points() < 20_000  # a few points per pixel column, not a million
    _x, y = viewer.curve.getData()
    assert y.max() == pytest.approx(values.max(), abs=0.01)  # peak downsampling keeps the extremes
    assert y.min() == pytest.approx(values.min(), abs=0.01)
    assert viewer.summary.text().startswith("1,000,000 points · min ")
    assert viewer.windowTitle() == "signal — plot"


def test_zooming_in_draws_the_real_points_and_ctrl_0_shows_the_whole_series_again(qtbot):
    values = np.arange(MILLION, dtype=float) % 977
    viewer = shown(qtbot, PlotViewer(values))
    viewer.plot.setXRange(5000, 5400, padding=0)
    viewer.plot.grab()
    x, y = viewer.curve.getData()
    assert 400 <= len(x) <= 410  # clipped to the view; few enough that nothing is dropped
    assert list(y[:5]) == list(values[int(x[0]):int(x[0]) + 5])
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow)
    qtbot.keyClick(viewer.plot, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: viewer.plot.getPlotItem().viewRange()[0][1] > MILLION * 0.9, timeout=3000)
    viewer.plot.grab()
    assert viewer.displayed_points() < 20_000


def test_the_wheel_zooms_the_plot(qtbot):
    viewer = shown(qtbot, PlotViewer(list(range(1000))))
    before = viewer.plot.getPlotItem().viewRange()[0]
    viewport = viewer.plot.viewport()
    centre = QPointF(viewport.rect().center())
    QApplication.sendEvent(viewport, QWheelEvent(
        centre, QPointF(viewport.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 360),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))
    after = viewer.plot.getPlotItem().viewRange()[0]
    assert after[1] - after[0] < (before[1] - before[0]) * 0.9


def test_a_series_plots_against_its_numeric_index_and_gaps_stay_gaps():
    series = pd.Series([1.0, None, 3.0], index=[10, 20, 30], name="amount")
    x, y, label = series_of(series)
    assert list(x) == [10, 20, 30] and y[0] == 1.0 and np.isnan(y[1]) and label == "index"
    x, _y, label = series_of(pd.Series([1, 2], index=["a", "b"]))
    assert list(x) == [0, 1] and label == "position"
    x, y, _label = series_of([3, 1.5, 2])
    assert list(x) == [0, 1, 2] and list(y) == [3, 1.5, 2]
    for other in (["a", "b"], [True, False], "text", 3, pd.DataFrame({"a": [1]})):
        with pytest.raises(TypeError, match="is not a series of numbers"):
            series_of(other)


def test_a_series_of_only_missing_values_opens_and_says_so(qtbot):
    viewer = shown(qtbot, PlotViewer(pd.Series([np.nan, np.nan], name="empty")))
    assert viewer.summary.text() == "2 points · no numbers (all missing)"
    assert viewer.plot.getPlotItem().getAxis("left").labelText == "empty"


def test_a_list_of_numbers_in_the_value_viewer_offers_a_plot(qtbot):
    from PySide6.QtWidgets import QPushButton

    from fancy_studio.gui.datums.value_viewer import ValueViewer

    viewer = ValueViewer([3, 1.5, 4, 1], "readings")
    qtbot.addWidget(viewer)
    viewer.show()
    button = viewer.findChild(QPushButton, "plot-value-button")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    plot = viewer.plot_viewer
    assert isinstance(plot, PlotViewer) and plot.isVisible() and plot.windowTitle() == "readings — plot"
    assert list(plot.curve.getOriginalDataset()[1]) == [3, 1.5, 4, 1]
    for not_numbers in (["a", "b"], [True, False], {"a": 1}, "text"):
        other = ValueViewer(not_numbers)
        qtbot.addWidget(other)
        assert other.findChild(QPushButton, "plot-value-button") is None


def test_a_list_whose_later_items_are_not_numbers_says_so_instead_of_plotting(qtbot, monkeypatch):
    from fancy_studio.gui.datums.value_viewer import ValueViewer
    from tests.gui.dialogs import answer_dialogs

    dialogs = answer_dialogs(monkeypatch)
    mixed = [1.5] * 1500 + ["n/a"]  # the first thousand items decide that a Plot is offered
    viewer = ValueViewer(mixed, "readings")
    qtbot.addWidget(viewer)
    assert viewer.plot_button is not None
    assert viewer.plot("readings") is None and viewer.plot_viewer is None
    assert "Cannot plot readings: not every item is a number" in dialogs["warning"].asked[0]
