"""Lineage in the studio (issue 11): the Datums dock says which function made each datum, from which
inputs and in how long; Show Lineage lights up on the canvas exactly the steps and cells a datum came from;
an edit upstream dims a datum and says why. Real windows, real clicks."""

from __future__ import annotations

from uuid import UUID

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QColor, QContextMenuEvent, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QMenuBar

from fancy_studio.core import ResultCache
from fancy_studio.gui.canvas.lineage_highlight import FADED, RING_MARGIN, lineage_color
from fancy_studio.gui.datums.model import ALIAS, FUNCTION, PRODUCER, TOOK, VALUE
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import ADD, CELSIUS, FACTOR, FAHRENHEIT, MULTIPLY, SCALED
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import click_run as click_run_outcome
from tests.gui.windows import node_context_menu, type_value, window_on_my_file

OFFSET = UUID("5f0c6a86-4a44-4a55-9a55-000000000012")
TEMPLATE = UUID("5f0c6a86-4a44-4a55-9a55-000000000013")
SENTENCE = UUID("5f0c6a86-4a44-4a55-9a55-000000000016")
TEXT = UUID("5f0c6a86-4a44-4a55-9a55-000000000022")
FAHRENHEIT_LINEAGE = {MULTIPLY, ADD, CELSIUS, FACTOR, SCALED, OFFSET, FAHRENHEIT}
EVERYTHING = FAHRENHEIT_LINEAGE | {TEMPLATE, TEXT, SENTENCE}


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot, tmp_path):
    win = window_on_my_file(qtbot, tmp_path)
    win.resize(1300, 850)
    yield win
    if win.runner.running:
        with qtbot.waitSignal(win.runner.finished, timeout=10_000):
            win.runner.stop()
    win.runner.shutdown()


def click_run(qtbot, window: MainWindow) -> None:
    assert click_run_outcome(qtbot, window).result.ok
    qtbot.waitUntil(lambda: window.datums.model.rowCount() == 7, timeout=3000)
    qtbot.waitUntil(lambda: not window.datums.model.live, timeout=3000)


def row_index(window: MainWindow, cell_id: UUID, column: int):
    panel = window.datums
    index = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(cell_id), column))
    assert index.isValid()
    return index


def show_datums(qtbot, window: MainWindow) -> None:
    dock = window._docks["Datums"]
    dock.show()
    dock.raise_()
    qtbot.waitUntil(window.datums.table.isVisible, timeout=2000)


def right_click_row(qtbot, window: MainWindow, cell_id: UUID) -> QMenu:
    """Right-click the datum's row as a user does: the press selects it, then the context menu opens."""
    table = window.datums.table
    index = row_index(window, cell_id, VALUE)
    table.scrollTo(index)
    pos = table.visualRect(index).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.RightButton, pos=pos)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, table.viewport().mapToGlobal(pos))
    QApplication.sendEvent(table.viewport(), event)
    menu = window.findChild(QMenu, "datum-context-menu")
    assert menu is not None
    return menu


def lineage_pixels_above(window: MainWindow, node_id: UUID) -> int:
    """How many pixels of the lineage colour the canvas shows just above a node, where its ring goes."""
    view = window.view
    bounds = window.scene.item_for(node_id).sceneBoundingRect()
    top = view.mapFromScene(QPointF(bounds.center().x(), bounds.top() - RING_MARGIN))
    image = view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    want = lineage_color()
    found = 0
    for dx in range(-6, 7):
        for dy in range(-5, 6):
            x, y = int((top.x() + dx) * ratio), int((top.y() + dy) * ratio)
            if 0 <= x < image.width() and 0 <= y < image.height():
                got = QColor(image.pixel(x, y))
                if (abs(got.red() - want.red()) + abs(got.green() - want.green())
                        + abs(got.blue() - want.blue())) < 60:
                    found += 1
    return found


def test_the_datums_dock_says_which_function_made_a_datum_from_which_inputs_and_how_long(qtbot, window):
    click_run(qtbot, window)
    show_datums(qtbot, window)
    lineage = window.store.lineage(FAHRENHEIT)
    assert isinstance(window.store, ResultCache) and lineage is not None
    function = row_index(window, FAHRENHEIT, FUNCTION)
    assert function.data().startswith("math.add ")
    assert lineage.version[:8] in function.data()
    took = row_index(window, FAHRENHEIT, TOOK).data()
    assert took and took.split()[-1] in ("µs", "ms", "s")
    tip = function.data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Made by Add: math.add")
    assert f"a = {lineage.input_hashes['a'][:8]}" in tip and f"b = {lineage.input_hashes['b'][:8]}" in tip
    assert f"recipe key: {lineage.key[:8]}" in tip
    assert row_index(window, FAHRENHEIT, PRODUCER).data(Qt.ItemDataRole.ToolTipRole) == tip
    # an input was put by hand: no function, no time, no lineage in its tooltips
    assert row_index(window, CELSIUS, FUNCTION).data() == "" and row_index(window, CELSIUS, TOOK).data() == ""
    assert row_index(window, CELSIUS, FUNCTION).data(Qt.ItemDataRole.ToolTipRole) is None
    # everything is in memory in this store or kept on disk: no row says otherwise
    assert "in memory only" not in row_index(window, FAHRENHEIT, VALUE).data()


def test_show_lineage_on_the_fahrenheit_row_highlights_exactly_what_it_came_from(qtbot, window):
    click_run(qtbot, window)
    show_datums(qtbot, window)
    window.view.zoom_to_actual_size()
    window.view.centerOn(window.scene.item_for(SENTENCE))
    assert lineage_pixels_above(window, CELSIUS) == 0
    menu = right_click_row(qtbot, window, FAHRENHEIT)
    assert window.datums.selected_cell_ids() == {FAHRENHEIT}  # the right-click chose the row
    show = next(a for a in menu.actions() if a.objectName() == "show-lineage-action")
    show.trigger()
    menu.close()

    highlight = window.lineage_highlight
    assert highlight.node_ids == FAHRENHEIT_LINEAGE
    for node_id in EVERYTHING:
        assert window.scene.item_for(node_id).opacity() == (1.0 if node_id in FAHRENHEIT_LINEAGE else FADED)
    # each node of the lineage is ringed on the canvas, the rest is not, and all of it is in view
    seen = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    for node_id in FAHRENHEIT_LINEAGE:
        assert seen.contains(window.scene.item_for(node_id).sceneBoundingRect())
        assert lineage_pixels_above(window, node_id) > 0, node_id
    assert lineage_pixels_above(window, SENTENCE) == 0
    glowing = {wire.key for wire in window.scene.wire_items() if wire.opacity() == 1.0}
    assert {key[0] for key in glowing} == {MULTIPLY, ADD} and len(glowing) == 6

    # the next click on the canvas puts everything back
    empty = window.view.mapFromScene(window.scene.nodes_rect().bottomRight() + QPointF(60, 60))
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=empty)
    assert highlight.node_ids == frozenset()
    assert all(item.opacity() == 1.0 for item in window.scene.node_items() + window.scene.wire_items())
    assert not [item for item in window.scene.items() if item.data(0) == "lineage-highlight"]
    assert lineage_pixels_above(window, CELSIUS) == 0


def test_show_lineage_from_the_datums_menu_on_a_cell_clicked_on_the_canvas(qtbot, window):
    bar = window.findChild(QMenuBar)
    names = [action.menu().objectName() for action in bar.actions() if action.menu() is not None]
    assert names.index("datums-menu") == names.index("workflow-menu") + 1 == names.index("view-menu") - 1
    menu = window.findChild(QMenu, "datums-menu")
    assert [a.objectName() for a in menu.actions() if not a.isSeparator()] == [
        "show-lineage-action", "clear-stored-results-action", "store-limit-action", "export-datums-action"]
    click_run(qtbot, window)
    window.view.zoom_to_fit()
    item = window.scene.item_for(SENTENCE)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.view.mapFromScene(item.sceneBoundingRect().center()))
    assert window.scene.selected_ids() == {SENTENCE}
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.view, Qt.Key.Key_L, ctrl_shift)
    assert window.lineage_highlight.node_ids == EVERYTHING
    # an input's lineage is itself; an edit of the graph ends the highlight
    window.scene.select_ids({CELSIUS})
    window.datums.table.clearSelection()
    window.findChild(QAction, "show-lineage-action").trigger()
    assert window.lineage_highlight.node_ids == {CELSIUS}
    window.document.remove_nodes({TEMPLATE})
    assert window.lineage_highlight.node_ids == frozenset()


def foreground(window: MainWindow, cell_id: UUID):
    return row_index(window, cell_id, ALIAS).data(Qt.ItemDataRole.ForegroundRole)


def type_offset(qtbot, window: MainWindow, text: str) -> None:
    type_value(qtbot, window, OFFSET, text)


def test_a_datum_an_edit_made_stale_is_dimmed_and_says_why_until_the_next_run(qtbot, window):
    click_run(qtbot, window)
    show_datums(qtbot, window)
    dim = QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert row_index(window, FAHRENHEIT, ALIAS).data(Qt.ItemDataRole.ForegroundRole) is None
    type_offset(qtbot, window, "0")
    assert window.document.find_cell(OFFSET).value == 0
    reason = "stale: input 'offset' changed"
    for cell in (FAHRENHEIT, SENTENCE):
        qtbot.waitUntil(lambda cell=cell: foreground(window, cell) == dim, timeout=2000)
        for column in (ALIAS, VALUE, FUNCTION):
            assert reason in row_index(window, cell, column).data(Qt.ItemDataRole.ToolTipRole)
    for cell in (SCALED, OFFSET):  # upstream of the edit, and the edited input itself: current
        assert row_index(window, cell, ALIAS).data(Qt.ItemDataRole.ForegroundRole) is None
        assert "stale" not in (row_index(window, cell, VALUE).data(Qt.ItemDataRole.ToolTipRole) or "")
    click_run(qtbot, window)
    qtbot.waitUntil(lambda: row_index(window, FAHRENHEIT, ALIAS).data(Qt.ItemDataRole.ForegroundRole) is None,
                    timeout=2000)
    assert row_index(window, FAHRENHEIT, VALUE).data() == "38.7"
    assert "stale" not in row_index(window, FAHRENHEIT, VALUE).data(Qt.ItemDataRole.ToolTipRole)


def test_show_lineage_from_a_cells_right_click_menu_on_the_canvas(qtbot, window):
    from PySide6.QtCore import QEvent

    click_run(qtbot, window)
    menu = node_context_menu(window, FAHRENHEIT)
    assert window.scene.selected_ids() == {FAHRENHEIT}
    action = next(a for a in menu.actions() if a.objectName() == "show-lineage-action")
    action.trigger()
    menu.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.lineage_highlight.node_ids == FAHRENHEIT_LINEAGE
