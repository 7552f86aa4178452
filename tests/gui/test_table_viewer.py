"""The table viewer, opened from the Datums dock: a 1,000,000-row table shows its shape, sorts by a header
click, filters as the user types, copies a selection as tab-separated text and scrolls to its last row;
a large value the studio holds only as a summary is paged by the kernel, never loaded in the studio."""

from __future__ import annotations

import csv
import math
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication

from fancy_studio.core import SqliteStore
from fancy_studio.core.store import InMemoryStore
from fancy_studio.core.table_source import TableQuery
from fancy_studio.gui.datums.panel import DatumPanel
from fancy_studio.gui.datums.value_viewer import ValueViewer
from fancy_studio.gui.viewers.table_pages import LocalPages, PagesBusy
from fancy_studio.gui.viewers.table_viewer import TableViewer

ROWS = 1_000_000


def big_table(rows: int = ROWS) -> pd.DataFrame:
    numbers = np.arange(rows)
    return pd.DataFrame({
        "id": numbers,
        "score": np.where(numbers % 10 == 3, np.nan, (numbers * 7919 % 100_003) / 100),
        "name": pd.Series(numbers).map("item {:07d}".format),
        "group": pd.Categorical(np.array(["north", "south", "east", "west"])[numbers % 4]),
        "when": pd.date_range("2024-01-01", periods=rows, freq="min"),
    })


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return big_table()


def open_from_dock(qtbot, store: Any, alias: str, kernel: Any = None) -> tuple[DatumPanel, Any]:
    """The Datums dock on `store`; double-click the row of `alias`: the viewer it opens."""
    panel = DatumPanel(store)
    panel.viewer_kernel = lambda: kernel
    qtbot.addWidget(panel)
    panel.resize(800, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    row = next(row for row in range(panel.proxy.rowCount()) if panel.proxy.index(row, 0).data() == alias)
    rect = panel.table.visualRect(panel.proxy.index(row, 1))
    # A real double-click: QTest's dblclick event alone lacks the press an item view expects first.
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    cell_id = next(cell.id for cell in store if cell.alias == alias)
    viewer = panel.viewers[cell_id]
    qtbot.addWidget(viewer)
    qtbot.waitExposed(viewer)
    return panel, viewer


def click_header_now(qtbot, viewer: TableViewer, column: int) -> None:
    header = viewer.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def click_header(qtbot, viewer: TableViewer, column: int) -> None:
    """Click a column's header and wait for the sorted rows (asked for on another thread)."""
    with qtbot.waitSignal(viewer.model.query_changed, timeout=30_000):
        click_header_now(qtbot, viewer, column)


def text(viewer: TableViewer, row: int, column: int) -> str:
    return viewer.model.index(row, column).data()


def test_a_million_rows_open_sort_and_scroll_to_the_end(qtbot, table: pd.DataFrame) -> None:
    store = InMemoryStore()
    store.put(table, "orders")
    _panel, viewer = open_from_dock(qtbot, store, "orders")
    assert isinstance(viewer, TableViewer)
    assert viewer.shape_label.text() == "1,000,000 rows × 5 columns"
    model = viewer.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "id\nint64", "score\nfloat64", "name\nstr", "group\ncategory", "when\ndatetime64[us]"]
    assert model.rowCount() < ROWS  # rows are revealed as the view scrolls, not all at once
    assert text(viewer, 2, 2) == "item 0000002"
    assert text(viewer, 3, 1) == "—"  # missing: one dimmed mark, never "NaN" or "None"
    assert viewer.model.index(3, 1).data(Qt.ItemDataRole.ToolTipRole) == "missing value"
    assert viewer.model.index(3, 1).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert viewer.model.index(4, 1).data(Qt.ItemDataRole.ForegroundRole) is None
    assert text(viewer, 1, 4) == "2024-01-01 00:01"

    click_header(qtbot, viewer, 1)  # score, ascending
    scores = table["score"].to_numpy()
    ascending = np.argsort(scores, kind="stable")
    assert text(viewer, 0, 1) == repr(float(scores[ascending[0]]))
    assert text(viewer, 0, 0) == str(ascending[0])
    assert model.headerData(0, Qt.Orientation.Vertical) == str(ascending[0])  # the row's own number
    click_header(qtbot, viewer, 1)  # descending: the largest first, the NaNs still last
    assert text(viewer, 0, 1) == repr(float(np.nanmax(scores)))
    assert viewer.shape_label.text() == "1,000,000 rows × 5 columns"

    viewer.table.setFocus()
    viewer.table.setCurrentIndex(model.index(0, 0))
    for _ in range(40):  # Ctrl+End, again and again: each reaches the rows revealed so far, and reveals more
        if model.rowCount() == ROWS:
            break
        qtbot.keyClick(viewer.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        QApplication.processEvents()
    qtbot.keyClick(viewer.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert model.rowCount() == ROWS
    assert viewer.table.currentIndex().row() == ROWS - 1
    assert text(viewer, ROWS - 1, 1) == "—"  # missing values sort last
    last_nan = np.flatnonzero(np.isnan(scores))[-1]
    assert text(viewer, ROWS - 1, 0) == str(last_nan)  # ties keep the table's order (a stable sort)


def test_typing_a_filter_keeps_the_matching_rows(qtbot, table: pd.DataFrame) -> None:
    store = InMemoryStore()
    store.put(table, "orders")
    _panel, viewer = open_from_dock(qtbot, store, "orders")
    qtbot.keyClicks(viewer.filter_edit, "ITEM 00001")  # item 0000100 … item 0000199
    qtbot.waitUntil(lambda: viewer.model.row_count == 100, timeout=10_000)
    assert viewer.shape_label.text() == "100 of 1,000,000 rows × 5 columns"
    assert text(viewer, 0, 2) == "item 0000100"
    assert text(viewer, 99, 2) == "item 0000199"
    with qtbot.waitSignal(viewer.model.query_changed, timeout=30_000):
        viewer.filter_column.setCurrentText("group")  # the same text in one column only: nothing
    assert viewer.model.row_count == 0
    assert viewer.shape_label.text() == "0 of 1,000,000 rows × 5 columns"
    viewer.filter_edit.clear()
    qtbot.waitUntil(lambda: viewer.model.row_count == ROWS, timeout=10_000)


def test_ctrl_c_copies_the_selection_as_tab_separated_text(qtbot, table: pd.DataFrame) -> None:
    store = InMemoryStore()
    store.put(table, "orders")
    _panel, viewer = open_from_dock(qtbot, store, "orders")
    view = viewer.table
    first, last = view.visualRect(viewer.model.index(2, 0)), view.visualRect(viewer.model.index(4, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=first.center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     pos=last.center())
    QApplication.clipboard().clear()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    scores = table["score"]
    assert QApplication.clipboard().text() == "\n".join([
        f"2\t{float(scores[2])!r}\titem 0000002", "3\t\titem 0000003",
        f"4\t{float(scores[4])!r}\titem 0000004"])
    assert viewer.note_label.text() == "Copied 3 rows"


def test_export_writes_the_rows_shown_in_their_order(qtbot, tmp_path: Path) -> None:
    store = InMemoryStore()
    store.put(big_table(2500), "orders")
    _panel, viewer = open_from_dock(qtbot, store, "orders")
    click_header(qtbot, viewer, 0)
    click_header(qtbot, viewer, 0)  # id, descending
    path = tmp_path / "orders.csv"
    assert viewer.export_csv(path) == 2500
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["id", "score", "name", "group", "when"]
    assert [row[0] for row in rows[1:4]] == ["2499", "2498", "2497"]
    assert len(rows) == 2501 and rows[1][2] == "item 0002499"
    assert rows[1 + 2499 - 2493][1] == ""  # row 2493's score is missing: an empty cell


@pytest.mark.parametrize("value, columns, first_row", [
    (pd.Series([1.5, 2.5], name="price"), ["price"], ["1.5"]),
    (np.arange(6).reshape(3, 2), ["0", "1"], ["0", "1"]),
    ([{"a": 1, "b": "x"}, {"b": "y", "c": True}], ["a", "b", "c"], ["1.0", "x", "—"]),
])
def test_series_arrays_and_lists_of_dicts_open_as_tables(qtbot, value: Any, columns: list[str],
                                                         first_row: list[str]) -> None:
    store = InMemoryStore()
    store.put(value, "value")
    _panel, viewer = open_from_dock(qtbot, store, "value")
    assert isinstance(viewer, TableViewer)
    assert viewer.model.columns == columns
    assert [text(viewer, 0, column) for column in range(len(columns))] == first_row


def test_a_value_that_is_no_table_opens_the_text_viewer(qtbot) -> None:
    store = InMemoryStore()
    store.put([1, 2, 3], "numbers")
    _panel, viewer = open_from_dock(qtbot, store, "numbers")
    assert isinstance(viewer, ValueViewer)


class ForbiddenWholeValue(SqliteStore):
    """The studio's store: a test fails if anything reads a whole value in the studio."""

    def full_value(self, cell_id: UUID) -> Any:
        raise AssertionError("the studio read the whole value")


def stored_orders(folder: Path) -> Path:
    """A store file holding a 200,000-row table as "orders" (large: the studio reads it as a summary)."""
    path = folder / "orders.fancystore"
    writer = SqliteStore(path)
    writer.put(big_table(200_000), "orders")
    writer.close()
    return path


@pytest.mark.kernel
def test_a_summarised_table_is_paged_by_the_kernel(qtbot, tmp_path: Path) -> None:
    from fancy_studio.kernel import Kernel

    store = ForbiddenWholeValue(stored_orders(tmp_path), summaries=True)
    kernel = Kernel(grace=0.5)
    kernel.start()
    try:
        _panel, viewer = open_from_dock(qtbot, store, "orders", kernel)
        qtbot.waitUntil(lambda: viewer.model.columns != [], timeout=30_000)  # (the kernel may be starting)
        assert viewer.where == "kernel" and viewer.note_label.text() == "Read by the kernel"
        assert viewer.shape_label.text() == "200,000 rows × 5 columns"
        click_header(qtbot, viewer, 2)
        click_header(qtbot, viewer, 2)  # name, descending
        assert text(viewer, 0, 2) == "item 0199999"
    finally:
        store.close()
        kernel.shutdown()


def test_without_a_kernel_a_summarised_table_is_read_in_the_studio(qtbot, tmp_path: Path) -> None:
    store = SqliteStore(stored_orders(tmp_path), summaries=True)
    try:
        _panel, viewer = open_from_dock(qtbot, store, "orders")
        assert viewer.where == "studio"
        assert viewer.shape_label.text() == "200,000 rows × 5 columns"
        assert math.isnan(viewer.model.value(3, 1))
    finally:
        store.close()


class SlowPages(LocalPages):
    """Pages of a table that take a while to sort and filter (as a kernel busy with a large value does)."""

    seconds = 0.5

    def page(self, start: int, count: int, query: TableQuery) -> dict[str, Any]:
        if not query.plain:
            time.sleep(self.seconds)
        return super().page(start, count, query)


def test_the_window_stays_live_while_a_sort_is_computed(qtbot) -> None:
    viewer = TableViewer(SlowPages(big_table(5000)), "orders")
    qtbot.addWidget(viewer)
    viewer.load()
    viewer.show()
    ticks: list[float] = []
    timer = QTimer(viewer)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    with qtbot.waitSignal(viewer.model.query_changed, timeout=10_000):
        click_header_now(qtbot, viewer, 0)
        assert viewer.model.pending is not None
        assert viewer.note_label.text() == "Sorting and filtering 5,000 rows…"
    timer.stop()
    assert len(ticks) >= 5  # the event loop ran on while the sort was computed
    assert text(viewer, 0, 0) == "0" and viewer.note_label.text() == ""


class BusyPages(LocalPages):
    """A kernel running a workflow: busy until `done` is set."""

    where = "kernel"
    done = False

    def page(self, start: int, count: int, query: TableQuery) -> dict[str, Any]:
        if not self.done:
            raise PagesBusy("the kernel is running the workflow")
        return super().page(start, count, query)


def test_a_viewer_opened_during_a_run_waits_for_it_then_shows_the_table(qtbot) -> None:
    pages = BusyPages(big_table(3000))
    viewer = TableViewer(pages, "orders")
    qtbot.addWidget(viewer)
    viewer.load_in_background()
    viewer.show()
    qtbot.waitUntil(lambda: viewer.note_label.text() == "Waiting: the kernel is running the workflow",
                    timeout=5000)
    assert viewer.model.rowCount() == 0
    pages.done = True  # the run is over
    qtbot.waitUntil(lambda: viewer.model.rowCount() > 0, timeout=5000)
    assert viewer.shape_label.text() == "3,000 rows × 5 columns"
    assert viewer.note_label.text() == "Read by the kernel"


class BrokenKernel:
    """A kernel that cannot read the value (its store file is not what it expects)."""

    def table_page(self, *_args: Any) -> dict[str, Any]:
        from fancy_studio.kernel import KernelError

        raise KernelError("a stored value was refused")


def test_when_the_kernel_cannot_read_a_table_the_studio_reads_it(qtbot, tmp_path: Path) -> None:
    store = SqliteStore(stored_orders(tmp_path), summaries=True)
    try:
        _panel, viewer = open_from_dock(qtbot, store, "orders", BrokenKernel())
        qtbot.waitUntil(lambda: viewer.where == "studio", timeout=10_000)
        assert viewer.note_label.text() == ("The kernel could not read it (a stored value was refused): "
                                            "read here instead")
        assert viewer.shape_label.text() == "200,000 rows × 5 columns"
        assert text(viewer, 7, 2) == "item 0000007"
    finally:
        store.close()


@pytest.mark.kernel
def test_in_the_studio_a_table_a_kernel_run_made_is_paged_by_that_kernel(qtbot, tmp_path: Path,
                                                                         monkeypatch) -> None:
    """The whole story: Run in the kernel, the step returns a large table, the Datums dock holds its summary,
    a double-click opens the table viewer, which the kernel feeds; a header click sorts it there."""
    from fancy_studio.core import Workflow, WorkflowStep, fancy_function, save_workflow
    from tests.gui.dialogs import answer_dialogs
    from tests.gui.windows import active_window, shut_down

    answer_dialogs(monkeypatch)

    @fancy_function("tv.orders")
    def orders(rows: int) -> pd.DataFrame:
        import numpy as np
        import pandas as pd

        numbers = np.arange(rows)
        return pd.DataFrame({"id": numbers, "amount": numbers % 1000 / 4,
                             "name": [f"order {i:06d}" for i in range(rows)]})

    window = active_window(qtbot)
    try:
        qtbot.waitUntil(lambda: window.kernel_actions.link.state == "idle", timeout=20_000)
        workflow = Workflow(name="orders")
        rows = workflow.input_cell("rows", 300_000)
        table = workflow.output_cell("orders")
        workflow.add_step(WorkflowStep(function_slug="tv.orders", inputs={"rows": rows.id},
                                       outputs={"return": table.id}))
        path = tmp_path / "orders.json"
        save_workflow(workflow, path)
        assert window.open_workflow(path)
        with qtbot.waitSignal(window.runner.finished, timeout=60_000):
            window.run_actions.run_action.trigger()
        qtbot.waitUntil(lambda: window.datums.model.rowCount() == 2, timeout=5000)
        assert type(window.store.get(table.id).value).__name__ == "StoredSummary"

        forbidden = []
        monkeypatch.setattr(type(window.store), "full_value", lambda *_args: forbidden.append(1))
        window.datums.open_viewer(table.id)
        viewer = window.datums.viewers[table.id]
        qtbot.addWidget(viewer)
        qtbot.waitUntil(lambda: viewer.model.columns != [], timeout=30_000)
        assert viewer.where == "kernel" and not forbidden
        assert viewer.shape_label.text() == "300,000 rows × 3 columns"
        click_header(qtbot, viewer, 1)
        click_header(qtbot, viewer, 1)  # amount, descending: 249.75 first, the earliest such row first
        assert text(viewer, 0, 1) == "249.75" and text(viewer, 0, 2) == "order 000999"
        viewer.close()
    finally:
        shut_down(qtbot, window)


def test_rows_scrolled_to_during_a_run_fill_in_when_it_ends(qtbot) -> None:
    pages = BusyPages(big_table(50_000))
    pages.done = True
    viewer = TableViewer(pages, "orders")
    qtbot.addWidget(viewer)
    viewer.load()
    viewer.show()
    qtbot.waitExposed(viewer)
    pages.done = False  # a run starts
    model = viewer.model
    while model.rowCount() < 50_000:
        model.fetchMore()
    viewer.table.scrollToBottom()
    qtbot.waitUntil(lambda: viewer.note_label.text() == "Waiting: the kernel is running the workflow",
                    timeout=5000)
    assert text(viewer, 49_999, 2) == "…"
    pages.done = True  # the run is over: what is on screen is asked for again
    qtbot.waitUntil(lambda: text(viewer, 49_999, 2) == "item 0049999", timeout=5000)
    assert viewer.note_label.text() == "Read by the kernel"


def test_a_numeric_series_opens_as_a_table_with_a_plot_button(qtbot) -> None:
    """A Series of numbers is a one-column table, and also a line: its viewer offers Plot, which opens the
    plot viewer on it; a table of several columns has no such button."""
    from fancy_studio.gui.viewers.plot_viewer import PlotViewer

    store = InMemoryStore()
    store.put(pd.Series(np.arange(50_000) % 97, name="reading"), "readings")
    store.put(pd.DataFrame({"a": [1, 2]}), "pairs")
    _panel, viewer = open_from_dock(qtbot, store, "readings")
    assert isinstance(viewer, TableViewer) and viewer.plot_button is not None
    qtbot.mouseClick(viewer.plot_button, Qt.MouseButton.LeftButton)
    plot = viewer.findChild(PlotViewer)
    assert plot is not None and plot.count == 50_000
    qtbot.addWidget(plot)
    _panel, other = open_from_dock(qtbot, store, "pairs")
    assert other.plot_button is None
