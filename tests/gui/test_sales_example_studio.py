"""The sales pipeline in the studio, as a new user meets it: File ▸ Examples ▸ Sales By Region opens an
untitled copy, Run computes it in the example folder of the user's own, the Datums dock holds the tables
and the chart, a double-click opens the chart in the image viewer and the totals in the table viewer, and
the written CSV is on disk."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from fancy_studio.core.data_types import Image
from fancy_studio.core.value_summary import whole_value
from fancy_studio.gui.viewers.image_viewer import ImageViewer
from fancy_studio.gui.viewers.table_viewer import TableViewer
from fancy_studio.gui.window.example_copies import FOLDER_ENV
from tests.gui.windows import active_window, click_run, shut_down


@pytest.fixture
def window(qtbot):
    window = active_window(qtbot)
    yield window
    shut_down(qtbot, window)


def open_example(window, name: str) -> None:
    action = next(a for a in window.examples_menu.actions() if a.objectName() == f"example-{name}-action")
    action.trigger()


def double_click_datum(qtbot, window, alias: str):
    panel = window.datums
    panel.refresh()
    proxy = panel.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == alias)
    rect = panel.table.visualRect(proxy.index(row, 1))
    panel.table.scrollTo(proxy.index(row, 1))
    rect = panel.table.visualRect(proxy.index(row, 1))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    cell_id = next(cell.id for cell in window.store if cell.alias == alias)
    viewer = panel.viewers[cell_id]
    qtbot.addWidget(viewer)
    return viewer


def test_the_sales_pipeline_runs_in_the_studio(qtbot, window):
    open_example(window, "sales_by_region")
    assert window.document.path is None  # an untitled copy: the bundled file is never written
    work = Path(os.environ[FOLDER_ENV])
    assert (work / "data" / "sales.csv").is_file()
    assert window.document.folder == work

    outcome = click_run(qtbot, window)
    assert outcome.result is not None and outcome.result.ok, outcome.result.errors

    values = {cell.alias: whole_value(window.store, cell) for cell in window.store}
    totals = values["ranked"]
    assert isinstance(totals, pd.DataFrame)
    assert totals.columns.tolist() == ["region", "amount"]
    assert totals["region"].tolist() == ["North", "West", "East", "South"]
    assert isinstance(values["chart"], Image) and values["chart"].width > 0

    written = work / "region_totals.csv"
    with open(written, newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["region"] for row in rows] == totals["region"].tolist()
    assert float(rows[0]["amount"]) == pytest.approx(float(totals["amount"][0]))
    assert (work / "sales_by_region.png").read_bytes() == values["chart"].png

    chart = double_click_datum(qtbot, window, "chart")
    assert isinstance(chart, ImageViewer)
    assert (chart.image.width(), chart.image.height()) == (values["chart"].width, values["chart"].height)

    table = double_click_datum(qtbot, window, "ranked")
    assert isinstance(table, TableViewer)
    assert table.shape_label.text() == "4 rows × 2 columns"
    assert table.model.index(0, 0).data() == "North"


def test_a_saved_copy_takes_its_data_along_and_runs_from_its_new_folder(qtbot, window, tmp_path):
    open_example(window, "sales_by_region")
    mine = tmp_path / "mine" / "sales.json"
    mine.parent.mkdir()
    window.document.save(mine)
    assert (mine.parent / "data" / "sales.csv").is_file()
    assert window.document.folder == mine.parent.resolve()
    outcome = click_run(qtbot, window)
    assert outcome.result.ok, outcome.result.errors
    assert (mine.parent / "region_totals.csv").is_file()


@pytest.mark.kernel
def test_in_the_kernel_the_example_reads_and_writes_in_its_folder(qtbot, window):
    qtbot.waitUntil(lambda: window.kernel_actions.link.available, timeout=30_000)
    open_example(window, "sales_by_region")
    outcome = click_run(qtbot, window)
    assert outcome.in_kernel and outcome.result.ok, outcome.result.errors
    work = Path(os.environ[FOLDER_ENV])
    assert (work / "region_totals.csv").is_file() and (work / "sales_by_region.png").is_file()
    chart = double_click_datum(qtbot, window, "chart")
    assert isinstance(chart, ImageViewer) and chart.image.width() > 0
