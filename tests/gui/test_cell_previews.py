"""On the canvas a cell previews its value: a thumbnail of an image, "3 rows × 2 columns" and the first
column names of a table. Show Preview (the cell's right-click menu) hides it, undoably, and the choice is
saved in the workflow file."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QAction, QColor, QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from fancy_studio.core import SqliteStore, Workflow, WorkflowStep, fancy_function, save_workflow
from fancy_studio.core.data_types import DataFrame, Image
from fancy_studio.core.value_summary import SUMMARY_BYTES
from fancy_studio.gui.canvas import cell_preview, style
from fancy_studio.gui.document.preview_edits import PREVIEWS_KEY
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window, click_run, shut_down


@fancy_function("test_cell_previews.sales")
def sales(rows: int) -> DataFrame:
    """A small sales table: region and amount."""
    return pd.DataFrame({"region": ["north", "south", "east", "west"], "amount": [3, 5, 2, 4]}).head(rows)


@fancy_function("test_cell_previews.chart")
def chart(table: DataFrame) -> Image:
    """A bar chart of the amounts, drawn with matplotlib's Agg (no pyplot)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3), dpi=50)
    figure.add_subplot().bar(table["region"], table["amount"], color="#d02020")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return Image.from_png(buffer.getvalue())


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def studio(qtbot, tmp_path):
    wf = Workflow(name="previews")
    rows, table, picture = wf.input_cell("rows", 3), wf.output_cell("table"), wf.output_cell("picture")
    wf.add_step(WorkflowStep(function_slug="test_cell_previews.sales", inputs={"rows": rows.id},
                             outputs={"return": table.id}))
    wf.add_step(WorkflowStep(function_slug="test_cell_previews.chart", inputs={"table": table.id},
                             outputs={"return": picture.id}))
    wf.layout = {rows.id: {"x": 0, "y": 0}, wf.steps[0].id: {"x": 200, "y": 0}, table.id: {"x": 440, "y": 0},
                 wf.steps[1].id: {"x": 640, "y": 0}, picture.id: {"x": 880, "y": 0}}
    path = tmp_path / "previews.json"
    save_workflow(wf, path)
    window = active_window(qtbot, path)
    window.resize(1400, 700)
    yield window, path, table.id, picture.id
    shut_down(qtbot, window)


def right_click(window, item) -> QMenu:
    """A real context-menu event on the cell's pill; the menu it opened."""
    where = window.view.mapFromScene(item.mapToScene(item.body_rect().center()))
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where, window.view.viewport().mapToGlobal(where))
    QApplication.sendEvent(window.view.viewport(), event)
    return window.findChildren(QMenu, "canvas-context-menu")[-1]


def toggle(window, item) -> QAction:
    menu = right_click(window, item)
    action = menu.findChild(QAction, "show-preview-action")
    assert action is not None, [a.objectName() for a in menu.actions()]
    return action


def colours_in(window, item) -> set[str]:
    """The colours drawn where the cell's preview is, as the user sees the canvas."""
    window.view.set_zoom(1.0)
    window.view.centerOn(item)
    picture = window.view.viewport().grab().toImage()
    area = window.view.mapFromScene(item.mapRectToScene(item.preview.rect)).boundingRect()
    return {picture.pixelColor(x, y).name() for x in range(area.left() + 6, area.right() - 5, 2)
            for y in range(area.top() + 6, area.bottom() - 5, 2)}


def test_after_a_run_an_image_cell_shows_a_thumbnail_and_a_table_cell_its_size(qtbot, studio):
    window, _path, table_id, picture_id = studio
    assert click_run(qtbot, window).result.ok
    table, picture = window.scene.item_for(table_id), window.scene.item_for(picture_id)
    qtbot.waitUntil(lambda: table.preview is not None and picture.preview is not None, timeout=5000)
    assert table.preview.kind == cell_preview.TABLE
    assert table.preview.lines == ("3 rows × 2 columns", "region, amount")
    assert picture.preview.kind == cell_preview.IMAGE
    assert (picture.preview.pixmap.width(), picture.preview.pixmap.height()) == (96, 72)  # 200×150 shrunk
    assert picture.boundingRect().contains(picture.preview.rect)  # the cell's bounds take the preview in
    drawn = colours_in(window, picture)
    red = {name for name in drawn if QColor(name).red() > 150 and QColor(name).green() < 110}
    assert red, "the chart's red bars are not drawn under the cell"
    assert style.BACKGROUND.name() not in drawn
    assert colours_in(window, table) - {style.BACKGROUND.name(), style.NODE_BODY.name()}  # its text


def test_show_preview_hides_it_undoably_and_the_file_keeps_the_choice(qtbot, studio):
    window, path, table_id, picture_id = studio
    assert click_run(qtbot, window).result.ok
    table = window.scene.item_for(table_id)
    qtbot.waitUntil(lambda: table.preview is not None, timeout=5000)
    with_preview = table.boundingRect()
    action = toggle(window, table)
    assert action.isCheckable() and action.isChecked()
    action.trigger()
    assert table.preview is None and table.preview_kind == cell_preview.TABLE
    assert table.boundingRect().height() < with_preview.height()
    assert window.document.workflow.metadata[PREVIEWS_KEY] == {str(table_id): False}
    assert window.document.modified
    assert not toggle(window, table).isChecked()
    window.document.undo_stack.undo()
    assert table.preview is not None and table.preview.lines[0] == "3 rows × 2 columns"
    assert PREVIEWS_KEY not in window.document.workflow.metadata
    window.document.undo_stack.redo()
    assert table.preview is None
    window.document.save(path)
    assert json.loads(path.read_text(encoding="utf-8"))["metadata"][PREVIEWS_KEY] == {str(table_id): False}
    assert window.open_workflow(path)
    table, picture = window.scene.item_for(table_id), window.scene.item_for(picture_id)
    assert not window.document.preview_shown(table_id) and window.document.preview_shown(picture_id)
    assert not toggle(window, table).isChecked()  # offered before a run: the cell's type is a table
    assert click_run(qtbot, window).result.ok
    qtbot.waitUntil(lambda: picture.preview is not None, timeout=5000)
    assert table.preview is None and table.preview_kind == cell_preview.TABLE
    toggle(window, table).trigger()
    assert table.preview is not None and window.document.preview_shown(table_id)


def test_a_cell_of_numbers_offers_no_preview(qtbot, studio):
    window, *_ = studio
    rows = next(c for c in window.document.workflow.cells if c.alias == "rows")
    item = window.scene.item_for(rows.id)
    assert item.preview is None and item.preview_kind is None
    assert right_click(window, item).findChild(QAction, "show-preview-action") is None


def test_a_value_left_on_disk_previews_from_its_summary(qtbot, tmp_path):
    from tests.core.test_summary_previews import noise_png

    frame = pd.DataFrame({f"c{i}": range(30_000) for i in range(8)})
    key, path = b"C" * 32, tmp_path / "s.fancystore"
    with SqliteStore(path, key=key) as writer:
        ids = [writer.put(value, alias).id for alias, value in (("big", frame), ("photo", noise_png(480, 320)))]
    with SqliteStore(path, key=key, summaries=True) as store:
        table, photo = (store.get(cell_id).value for cell_id in ids)
    assert table.size > SUMMARY_BYTES
    made = cell_preview.make_preview(table)
    assert made.lines == ("30,000 rows × 8 columns", "c0, c1, c2, c3, c4, c5…")
    assert cell_preview.make_preview(table, made) is made  # the same outline: kept
    thumbnail = cell_preview.make_preview(photo)
    assert (thumbnail.pixmap.width(), thumbnail.pixmap.height()) == (96, 64)
    assert thumbnail.rect == QRectF((style.CELL_WIDTH - 104) / 2, style.CELL_HEIGHT + cell_preview.GAP, 104, 72)


def test_what_has_no_preview():
    for value in (None, 3, "text", [1, 2], {"a": 1}, b"\x89PNG\r\n\x1a\n broken"):
        assert cell_preview.make_preview(value) is None
    assert cell_preview.make_preview([{"a": 1, "b": 2}]).lines == ("1 row × 2 columns", "a, b")


@fancy_function("test_cell_previews.big_photo")
def big_photo(width: int) -> Image:
    """Random pixels: a PNG too large to be read whole by the studio (over SUMMARY_BYTES)."""
    from tests.core.test_summary_previews import noise_png

    return Image.from_png(noise_png(width, width * 2 // 3))


@fancy_function("test_cell_previews.big_table")
def big_table(rows: int) -> DataFrame:
    return pd.DataFrame({f"c{i}": range(rows) for i in range(8)})


@pytest.mark.kernel
def test_large_values_a_kernel_made_preview_from_their_summaries(qtbot, tmp_path):
    from fancy_studio.core import StoredSummary

    wf = Workflow(name="large previews")
    width, rows = wf.input_cell("width", 480), wf.input_cell("rows", 30_000)
    photo, table = wf.output_cell("photo"), wf.output_cell("table")
    wf.add_step(WorkflowStep(function_slug="test_cell_previews.big_photo", inputs={"width": width.id},
                             outputs={"return": photo.id}))
    wf.add_step(WorkflowStep(function_slug="test_cell_previews.big_table", inputs={"rows": rows.id},
                             outputs={"return": table.id}))
    path = tmp_path / "large.json"
    save_workflow(wf, path)
    window = active_window(qtbot, path)
    try:
        qtbot.waitUntil(lambda: window.kernel_actions.link.state == "idle", timeout=20_000)
        with qtbot.waitSignal(window.runner.finished, timeout=60_000) as finished:
            window.run_actions.run_action.trigger()
        assert finished.args[0].in_kernel and finished.args[0].result.ok
        photo_item, table_item = window.scene.item_for(photo.id), window.scene.item_for(table.id)
        qtbot.waitUntil(lambda: photo_item.preview is not None and table_item.preview is not None, timeout=10_000)
        assert type(window.scene.run_status.computed_value(photo.id)[1]) is StoredSummary  # never read whole
        assert (photo_item.preview.pixmap.width(), photo_item.preview.pixmap.height()) == (96, 64)
        assert table_item.preview.lines == ("30,000 rows × 8 columns", "c0, c1, c2, c3, c4, c5…")
    finally:
        shut_down(qtbot, window)


def test_auto_layout_leaves_room_for_the_previews_under_cells(qtbot, tmp_path):
    from fancy_studio.gui.canvas.auto_layout import node_size

    wf = Workflow(name="stacked")
    rows, table = wf.input_cell("rows", 4), wf.output_cell("table")
    wf.add_step(WorkflowStep(function_slug="test_cell_previews.sales", inputs={"rows": rows.id},
                             outputs={"return": table.id}))
    pictures = [wf.output_cell(f"picture{i}") for i in range(3)]
    for picture in pictures:  # three charts of one table: their cells stack in one layer
        wf.add_step(WorkflowStep(function_slug="test_cell_previews.chart", inputs={"table": table.id},
                                 outputs={"return": picture.id}))
    path = tmp_path / "stacked.json"
    save_workflow(wf, path)
    window = active_window(qtbot, path)
    try:
        document = window.document
        assert node_size(document, rows.id)[1] == style.CELL_HEIGHT
        assert node_size(document, pictures[0].id)[1] == style.CELL_HEIGHT + cell_preview.GAP + 96 + 8
        assert node_size(document, table.id)[1] > style.CELL_HEIGHT
        assert click_run(qtbot, window).result.ok
        window.auto_layout_action.trigger()
        items = [window.scene.item_for(node_id) for node_id in (*document.graph.layout,)]
        qtbot.waitUntil(lambda: all(window.scene.item_for(p.id).preview is not None for p in pictures))
        for cell in (table, *pictures):
            item = window.scene.item_for(cell.id)
            shown = item.mapRectToScene(item.preview.rect)
            for other in items:
                if other is not item:
                    assert not shown.intersects(other.mapRectToScene(other.body_rect())), (cell.alias, other)
        document.show_preview(pictures[0].id, False)
        assert node_size(document, pictures[0].id)[1] == style.CELL_HEIGHT
    finally:
        shut_down(qtbot, window)


def test_the_value_line_of_a_table_cell_is_its_size_not_its_repr():
    """A DataFrame's repr is its first rows run together ("= region amount 0 North…"): the pill says its
    size, and an Image its pixels."""
    from fancy_studio.gui.canvas import style

    frame = pd.DataFrame({"region": ["North", "South", "East"], "amount": [1.0, 2.0, 3.0]})
    assert style.preview(frame) == "3 × 2 table"
    assert style.preview(pd.DataFrame({"x": range(12_000)})) == "12,000 × 1 table"
    image = chart(frame)
    assert style.preview(image) == f"image {image.width}×{image.height}" == "image 200×150"


def test_inside_a_group_a_port_cell_keeps_room_for_its_tab_and_its_preview(qtbot, studio):
    from fancy_studio.gui.canvas.group_node_item import PortCellItem

    window, _path, _table_id, picture_id = studio
    chart_step = next(s.id for s in window.document.workflow.steps if s.function_slug.endswith("chart"))
    window.scene.select_ids({chart_step})
    assert window.group_actions.group()
    (instance,) = window.scene.selected_ids()
    assert click_run(qtbot, window).result.ok
    assert window.group_actions.enter(instance)
    port = window.scene.item_for(picture_id)
    assert isinstance(port, PortCellItem) and port.side == "output"
    qtbot.waitUntil(lambda: port.preview is not None, timeout=5000)
    window.document.rename_cell(picture_id, "chart picture")  # the port cell is built again from the model
    assert port.preview is not None
    bounds = port.boundingRect()
    assert bounds.top() <= -PortCellItem.TAB_HEIGHT - 2  # the tab over it
    assert bounds.contains(port.preview.rect)  # and the thumbnail under it
