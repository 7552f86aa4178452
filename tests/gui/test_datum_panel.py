"""The datum panel: cells in the store show up as rows, in batches, filterable, sortable, viewable.

Every test drives real widgets: keys typed into the filter, clicks on the header and rows, a double-click
that opens the value viewer, and a worker thread writing the store while the panel is live.
"""

from __future__ import annotations

import json
import threading
from uuid import UUID, uuid4

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont
from PySide6.QtTest import QSignalSpy
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QPushButton, QTreeWidget

from fancy_studio.core.store import InMemoryStore
from fancy_studio.gui.datums.model import (
    ALIAS, ID_ROLE, PRODUCER, SORT_ROLE, TYPE, VALUE, WHEN, DatumTableModel,
)
from fancy_studio.gui.datums.panel import DatumPanel
from fancy_studio.gui.datums.value_viewer import ValueViewer

STEP = UUID("5f0c6a86-4a44-4a55-9a55-0000000000aa")


def step_title(step_id: UUID | None) -> str:
    return "Convert" if step_id == STEP else "?"


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def panel(qtbot, store):
    widget = DatumPanel(store, step_title)
    qtbot.addWidget(widget)
    widget.resize(800, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown(panel: DatumPanel, column: int = ALIAS) -> list:
    """The table's cells in one column, top to bottom, as the user sees them."""
    return [panel.proxy.index(row, column).data() for row in range(panel.proxy.rowCount())]


def row_rect(panel: DatumPanel, alias: str):
    row = shown(panel).index(alias)
    return panel.table.visualRect(panel.proxy.index(row, VALUE))


def click_row(qtbot, panel: DatumPanel, alias: str) -> None:
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=row_rect(panel, alias).center())


# --- the model -----------------------------------------------------------------------------------


def test_model_shows_cells_put_into_the_store_after_refresh(qtbot, store):
    model = DatumTableModel(store, step_title)
    assert model.rowCount() == 0
    by_hand = store.put(10, "celsius")
    computed = store.put(50.0, "fahrenheit", produced_by=STEP)
    assert model.rowCount() == 0  # nothing until asked
    assert model.refresh()
    assert model.rowCount() == 2
    row = [model.index(1, column).data() for column in range(model.columnCount())]
    assert row[:4] == ["fahrenheit", "float", "50.0", "Convert"]
    assert row[WHEN].count(":") == 2 and "." in row[WHEN]
    assert model.index(0, PRODUCER).data() == "input"
    assert {model.index(r, c).data(ID_ROLE) for r in range(2) for c in range(5)} == {by_hand.id, computed.id}
    assert model.index(1, WHEN).data(SORT_ROLE) == computed.produced_at
    assert not model.refresh()  # nothing new


def test_a_renamed_step_shows_its_new_title_after_refresh_titles(qtbot, store):
    titles = {STEP: "Convert"}
    store.put(1.0, "out", produced_by=STEP)
    model = DatumTableModel(store, titles.get)
    assert model.index(0, PRODUCER).data() == "Convert"
    titles[STEP] = "To Fahrenheit"
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        model.refresh_titles()
    assert model.index(0, PRODUCER).data() == "To Fahrenheit"


def test_model_elides_long_values_to_one_line_and_keeps_more_in_the_tooltip(store):
    text = "line one\nline two " + "x" * 5000
    store.put(text, "long")
    model = DatumTableModel(store)
    preview = model.index(0, VALUE).data()
    assert "\n" not in preview and len(preview) <= 80 and preview.endswith("…")
    assert preview.startswith("line one ⏎ line two")
    tooltip = model.index(0, VALUE).data(Qt.ItemDataRole.ToolTipRole)
    assert "line one\nline two" in tooltip and len(tooltip) > len(preview)


def test_a_batch_of_a_thousand_cells_is_one_insert(qtbot, store):
    model = DatumTableModel(store)
    store.put(0, "first")
    model.refresh()
    inserted = QSignalSpy(model.rowsInserted)
    changed = QSignalSpy(model.dataChanged)
    reset = QSignalSpy(model.modelReset)
    for i in range(1000):
        store.put(i, f"cell {i}")
    model.refresh()
    assert inserted.count() == 1
    _parent, first, last = inserted.at(0)
    assert (first, last) == (1, 1000)
    assert changed.count() == 0 and reset.count() == 0
    assert model.rowCount() == 1001
    assert model.index(1000, ALIAS).data() == "cell 999"


def test_rewriting_cells_updates_their_rows_with_one_signal(qtbot, store):
    cells = [store.put(i, f"c{i}") for i in range(10)]
    model = DatumTableModel(store)
    inserted = QSignalSpy(model.rowsInserted)
    with qtbot.waitSignal(model.dataChanged, timeout=1000) as blocker:
        store.put("three", id=cells[3].id)
        store.put([7], id=cells[7].id)
        model.refresh()
    top_left, bottom_right = blocker.args[:2]
    assert (top_left.row(), bottom_right.row()) == (3, 7)
    assert (top_left.column(), bottom_right.column()) == (0, model.columnCount() - 1)
    assert inserted.count() == 0
    assert model.rowCount() == 10
    assert [model.index(3, c).data() for c in (ALIAS, TYPE, VALUE)] == ["c3", "str", "three"]
    assert model.index(7, TYPE).data() == "list"


def test_clearing_or_removing_from_the_store_resets_the_model(qtbot, store):
    cells = [store.put(i, f"c{i}") for i in range(5)]
    model = DatumTableModel(store)
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        store.remove(cells[2].id)
        model.refresh()
    assert [model.index(r, ALIAS).data() for r in range(model.rowCount())] == ["c0", "c1", "c3", "c4"]
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        store.clear()
        model.refresh()
    assert model.rowCount() == 0
    # Cleared and refilled with more cells than before between two refreshes: still a reset.
    for i in range(3):
        store.put(i, f"old{i}")
    model.refresh()
    store.clear()
    for i in range(6):
        store.put(i, f"new{i}")
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.refresh()
    assert [model.index(r, ALIAS).data() for r in range(model.rowCount())] == [f"new{i}" for i in range(6)]


def test_ten_thousand_cells_in_a_few_batches_cost_a_few_signals(store):
    model = DatumTableModel(store)
    inserted, changed = QSignalSpy(model.rowsInserted), QSignalSpy(model.dataChanged)
    ids = []
    for batch in range(4):
        ids += [store.put(i, f"b{batch}-{i}").id for i in range(2500)]
        model.refresh()
    for cell_id in ids[::2]:
        store.put("again", id=cell_id)
    model.refresh()
    assert (inserted.count(), changed.count()) == (4, 1)
    assert model.rowCount() == 10_000
    assert model.row_of(ids[-1]) == 9_999
    assert model.index(0, VALUE).data() == "again"


# --- the panel -----------------------------------------------------------------------------------


def test_typing_in_the_filter_narrows_rows_and_updates_the_count(qtbot, panel, store):
    store.put(10, "celsius")
    store.put(50.0, "fahrenheit", produced_by=STEP)
    store.put("hot", "label")
    panel.refresh()
    assert panel.count_label.text() == "3 datums"
    assert panel.filter_edit.placeholderText() == "Filter datums…"
    qtbot.keyClicks(panel.filter_edit, "FAHR")
    assert shown(panel) == ["fahrenheit"]
    assert panel.count_label.text() == "1 of 3 datums"
    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, "convert")  # the producer's title
    assert shown(panel) == ["fahrenheit"]
    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, "str")  # the type
    assert shown(panel) == ["label"]
    panel.filter_edit.clear()
    qtbot.keyClicks(panel.filter_edit, "HO")  # the value preview
    assert shown(panel) == ["label"]
    panel.filter_edit.clear()
    assert panel.count_label.text() == "3 datums"
    store.put(1, "one more")
    panel.refresh()
    assert panel.count_label.text() == "4 datums"


def test_clicking_a_header_sorts_by_that_column(qtbot, panel, store):
    for alias, value in (("b", 2), ("c", 10), ("a", 3)):
        store.put(value, alias)
    panel.refresh()
    assert shown(panel) == ["b", "c", "a"]  # the order they were written
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_center(header, ALIAS))
    assert header.sortIndicatorSection() == ALIAS
    first = shown(panel)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_center(header, ALIAS))
    assert sorted([first, shown(panel)]) == [["a", "b", "c"], ["c", "b", "a"]]
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_section_center(header, WHEN))
    assert header.sortIndicatorSection() == WHEN
    times = [panel.proxy.index(row, WHEN).data(SORT_ROLE) for row in range(3)]
    assert times in (sorted(times), sorted(times, reverse=True))


def test_numbers_sort_by_value_before_text(qtbot, panel, store):
    for alias, value in (("ten", 10), ("text", "apple"), ("minus", -2.5), ("three", 3), ("flag", True)):
        store.put(value, alias)
    panel.refresh()
    panel.table.sortByColumn(VALUE, Qt.SortOrder.AscendingOrder)
    assert shown(panel) == ["minus", "flag", "three", "ten", "text"]


def _section_center(header, section: int) -> QPoint:
    return QPoint(header.sectionViewportPosition(section) + header.sectionSize(section) // 2,
                  header.height() // 2)


def test_clicking_a_row_emits_cells_selected_with_its_id(qtbot, panel, store):
    store.put(1, "one")
    two = store.put(2, "two")
    panel.refresh()
    with qtbot.waitSignal(panel.cells_selected, timeout=1000) as blocker:
        click_row(qtbot, panel, "two")
    assert blocker.args == [{two.id}]
    assert panel.selected_cell_ids() == {two.id}
    assert panel.table.selectionModel().isRowSelected(shown(panel).index("two"))


def test_select_cells_selects_rows_without_emitting(qtbot, panel, store):
    cells = [store.put(i, f"c{i}") for i in range(5)]
    panel.refresh()
    spy = QSignalSpy(panel.cells_selected)
    panel.select_cells({cells[1].id, cells[3].id, uuid4()})
    assert panel.selected_cell_ids() == {cells[1].id, cells[3].id}
    assert spy.count() == 0
    # Refreshing and filtering change what is shown, not what the user chose: still silent.
    store.put("x", id=cells[1].id)
    panel.refresh()
    panel.filter_edit.setText("c3")
    assert spy.count() == 0
    assert panel.selected_cell_ids() == {cells[3].id}
    panel.filter_edit.clear()
    assert spy.count() == 0
    # The user's own click is heard.
    with qtbot.waitSignal(panel.cells_selected, timeout=1000) as blocker:
        click_row(qtbot, panel, "c4")
    assert blocker.args == [{cells[4].id}]


def _viewer(panel: DatumPanel) -> ValueViewer:
    viewer = panel.findChild(ValueViewer, "value-viewer")
    assert viewer is not None, "no value viewer opened"
    return viewer


def test_double_clicking_a_dict_opens_it_as_a_tree(qtbot, panel, store):
    value = {"name": "probe", "readings": [1.5, 2.5, {"deep": True}], "tags": {"a"}}
    cell = store.put(value, "probe")
    panel.refresh()
    where = row_rect(panel, "probe").center()
    with qtbot.waitSignal(panel.cell_activated, timeout=1000) as blocker:
        # A real double-click: QTest's dblclick event alone lacks the press an item view expects first.
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert blocker.args == [cell.id]
    viewer = _viewer(panel)
    assert viewer.isVisible()
    assert viewer.windowTitle() == "probe — value"
    tree = viewer.findChild(QTreeWidget)
    assert [tree.headerItem().text(c) for c in range(3)] == ["Key/Index", "Type", "Value"]
    root = tree.topLevelItem(0)
    assert root.isExpanded() and root.text(1) == "dict (3)"
    children = {root.child(i).text(0): root.child(i) for i in range(root.childCount())}
    assert sorted(children) == ["name", "readings", "tags"]
    assert children["name"].text(2) == "probe" and children["name"].text(1) == "str"
    readings = children["readings"]
    assert readings.text(1) == "list (3)" and not readings.isExpanded()
    readings.setExpanded(True)
    assert [readings.child(i).text(0) for i in range(readings.childCount())] == ["0", "1", "2"]
    assert readings.child(2).text(1) == "dict (1)"


def test_enter_on_a_row_opens_a_long_string_in_full(qtbot, panel, store):
    text = "\n".join(f"line {i}: " + "word " * 40 for i in range(500))
    store.put(text, "report")
    panel.refresh()
    panel.table.setFocus()
    panel.table.setCurrentIndex(panel.proxy.index(0, ALIAS))
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    viewer = _viewer(panel)
    editor = viewer.findChild(QPlainTextEdit)
    assert editor.isReadOnly()
    assert editor.toPlainText() == text
    assert editor.font().styleHint() == QFont.StyleHint.Monospace
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    assert not viewer.isVisible()
    assert panel.viewers == {}  # the panel lets go of a closed viewer


def test_copy_puts_json_on_the_clipboard(qtbot, panel, store):
    value = {"b": [1, 2], "a": None}
    cell = store.put(value, "data")
    panel.refresh()
    viewer = panel.open_viewer(cell.id)
    QApplication.clipboard().clear()
    qtbot.mouseClick(viewer.findChild(QPushButton, "copy-value-button"), Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert json.loads(copied) == value
    assert copied == json.dumps(value, indent=2)


def test_copy_falls_back_to_repr_for_values_json_cannot_hold(qtbot):
    viewer = ValueViewer({1, 2, 3}, "numbers")
    qtbot.addWidget(viewer)
    qtbot.mouseClick(viewer.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == repr({1, 2, 3})


def test_other_values_show_as_their_repr(qtbot):
    viewer = ValueViewer(complex(1, 2), None)
    qtbot.addWidget(viewer)
    assert viewer.windowTitle() == "datum — value"
    assert viewer.findChild(QPlainTextEdit, "value-text").toPlainText() == "(1+2j)"
    assert viewer.tree is None


def test_a_huge_list_shows_the_first_thousand_and_a_more_row(qtbot):
    viewer = ValueViewer(list(range(100_000)), "big")
    qtbot.addWidget(viewer)
    root = viewer.tree.topLevelItem(0)
    assert root.childCount() == 1001
    assert root.child(999).text(2) == "999"
    assert root.child(1000).text(2) == "… 99,000 more"


def test_start_live_picks_up_cells_written_from_another_thread(qtbot, panel, store):
    panel.start_live(interval_ms=20)
    assert panel.is_live

    def run() -> None:
        for i in range(2000):
            store.put(i, f"out{i}", produced_by=STEP)

    worker = threading.Thread(target=run)
    worker.start()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2000, timeout=10_000)
    worker.join()
    assert panel.count_label.text() == "2000 datums"
    assert sorted(shown(panel)) == sorted(f"out{i}" for i in range(2000))
    assert set(shown(panel, PRODUCER)) == {"Convert"}
    panel.stop_live()
    assert not panel.is_live
    store.put("late", "last one")
    panel.stop_live()  # the final refresh after the run, on the next event-loop turn
    qtbot.waitUntil(lambda: "last one" in shown(panel), timeout=2000)
    assert panel.count_label.text() == "2001 datums"


def test_a_sorted_table_appends_during_a_run_and_sorts_once_when_it_ends(qtbot, panel, store):
    panel.table.sortByColumn(ALIAS, Qt.SortOrder.DescendingOrder)
    panel.start_live(interval_ms=10)
    for count, name in enumerate(("a", "b", "c"), start=1):  # one live batch each
        store.put(1, name)
        qtbot.waitUntil(lambda n=count: len(shown(panel)) == n, timeout=2000)
    assert shown(panel) == ["a", "b", "c"]  # each batch appended while the run goes: no re-sort per batch
    panel.stop_live()
    qtbot.waitUntil(lambda: shown(panel) == ["c", "b", "a"], timeout=2000)  # the chosen sort, once


# --- export --------------------------------------------------------------------------------------


class Odd:
    def __repr__(self) -> str:
        return "Odd()"


def export_to(monkeypatch, qtbot, panel: DatumPanel, path, chosen: str = "JSON (*.json)"):
    """Click Export…, answering the file dialog with `path`; return the status message."""
    from fancy_studio.gui.datums import panel as module

    monkeypatch.setattr(module.QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), chosen))
    with qtbot.waitSignal(panel.message) as message:
        qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    return message.args[0]


def test_export_writes_every_shown_datum_as_json_with_its_structure(monkeypatch, qtbot, panel, store, tmp_path):
    store.put(21.5, "celsius")
    store.put({"list": [1, 2], "text": "°F"}, "report", produced_by=STEP)
    store.put(Odd(), "odd")
    panel.refresh()
    path = tmp_path / "out.json"
    assert export_to(monkeypatch, qtbot, panel, path) == "Exported 3 datums to out.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert [(r["alias"], r["value"], r["producer"]) for r in rows] == [
        ("celsius", 21.5, "input"), ("report", {"list": [1, 2], "text": "°F"}, "Convert"), ("odd", "Odd()", "input")]
    assert rows[1]["produced_by"] == str(STEP) and rows[1]["type"] == "dict"


def test_export_takes_the_selection_if_any_and_csv_opens_in_a_spreadsheet(monkeypatch, qtbot, panel, store,
                                                                          tmp_path):
    import csv

    store.put(21.5, "celsius")
    store.put([1, 2], "pair", produced_by=STEP)
    store.put("a, \"quoted\" text", "words")
    panel.refresh()
    click_row(qtbot, panel, "pair")
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     row_rect(panel, "words").center())
    path = tmp_path / "picked"  # no suffix: the chosen filter decides
    assert export_to(monkeypatch, qtbot, panel, path, "CSV (*.csv)") == "Exported 2 datums to picked.csv"
    with open(tmp_path / "picked.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["alias"], r["value"], r["producer"]) for r in rows] == [
        ("pair", "[1, 2]", "Convert"), ("words", 'a, "quoted" text', "input")]


def test_an_export_that_fails_says_why_and_leaves_the_file_as_it_was(monkeypatch, qtbot, panel, store, tmp_path):
    from fancy_studio.gui.datums import panel as module

    store.put(1, "one")
    panel.refresh()
    errors = []
    monkeypatch.setattr(module.QMessageBox, "critical", lambda parent, title, text: errors.append(text))
    monkeypatch.setattr(module.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "no such folder" / "out.json"), "JSON (*.json)"))
    assert panel.export_dialog() is None
    assert errors and "no such folder" in errors[0]
    existing = tmp_path / "kept.json"
    existing.write_text("precious", encoding="utf-8")
    from fancy_studio.core import workflow_file

    def disk_full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workflow_file.os, "replace", disk_full)  # the new file is written, then cannot land
    monkeypatch.setattr(module.QFileDialog, "getSaveFileName", lambda *a, **k: (str(existing), "JSON (*.json)"))
    assert panel.export_dialog() is None
    assert "No space left" in errors[-1] and existing.read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json"]  # no half-written file left behind


def test_with_nothing_stored_export_says_there_is_nothing_to_export(monkeypatch, qtbot, panel):
    from fancy_studio.gui.datums import panel as module

    monkeypatch.setattr(module.QFileDialog, "getSaveFileName", lambda *a, **k: pytest.fail("no dialog expected"))
    with qtbot.waitSignal(panel.message) as message:
        qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    assert message.args == ["Nothing to export: run the workflow first"]


def test_a_table_previews_as_its_size_and_column_names():
    """A DataFrame's repr runs over many lines: the dock shows its size and columns instead, also for the
    summary of a table left on disk."""
    import pandas as pd

    from fancy_studio.core.value_summary import StoredSummary, TableOutline
    from fancy_studio.gui.datums.model import value_preview

    frame = pd.DataFrame({"region": ["North", "South"], "amount": [1.5, 2.0]})
    assert value_preview(frame) == "2 rows × 2 columns: region, amount"
    summary = StoredSummary(None, "DataFrame", "…", 300_000, 2, TableOutline(70_000, 30, ("a", "b")))
    assert value_preview(summary) == "70,000 rows × 30 columns: a, b, …"
    assert value_preview(pd.Series([1, 2])) == "2 rows × 1 column"
