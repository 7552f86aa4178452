"""Copy / cut / paste / duplicate, auto layout and grid snapping, driven through real key and mouse events."""

from __future__ import annotations

from uuid import UUID

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from tests.example_ids import ADD, CELSIUS, EXAMPLE, FACTOR, MULTIPLY, SCALED
from fancy_studio.gui.window import main_window as main_window_module
from fancy_studio.gui.canvas.auto_layout import auto_layout, compute_layout
from fancy_studio.gui.document.clipboard import FRAGMENT_MIME, Fragment, fragment_from_mime
from fancy_studio.gui.window.main_window import MainWindow
from tests.gui.views import drag

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def dialogs(monkeypatch, tmp_path):
    ini = str(tmp_path / "settings.ini")
    monkeypatch.setattr(main_window_module, "settings", lambda: QSettings(ini, QSettings.Format.IniFormat))
    for name, answer in (("question", QMessageBox.StandardButton.Discard),
                         ("critical", QMessageBox.StandardButton.Ok),
                         ("warning", QMessageBox.StandardButton.Ok)):
        monkeypatch.setattr(QMessageBox, name, lambda *a, _answer=answer, **k: _answer)


@pytest.fixture
def win(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_workflow(EXAMPLE)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()
    QApplication.clipboard().clear()
    return window


def _ids(window: MainWindow) -> set[UUID]:
    workflow = window.document.workflow
    return {s.id for s in workflow.steps} | {c.id for c in workflow.cells}


def _keys(qtbot, window: MainWindow, key) -> None:
    qtbot.keyClick(window.view, key, CTRL)


def test_copy_paste_makes_fresh_ids_with_the_same_internal_wiring(qtbot, win):
    doc = win.document
    before_ids = _ids(win)
    # multiply reads celsius (copied) and factor (not copied) and writes scaled (copied)
    win.scene.select_ids({MULTIPLY, CELSIUS, SCALED})
    _keys(qtbot, win, Qt.Key.Key_C)
    assert fragment_from_mime(QApplication.clipboard().mimeData()) is not None
    assert QApplication.clipboard().mimeData().hasFormat(FRAGMENT_MIME)
    assert "math.multiply" in QApplication.clipboard().text()
    count = doc.undo_stack.count()
    _keys(qtbot, win, Qt.Key.Key_V)

    assert doc.undo_stack.count() == count + 1  # one command
    new_ids = _ids(win) - before_ids
    assert len(new_ids) == 3 and not (new_ids & before_ids)
    assert win.scene.selected_ids() == new_ids
    (step,) = [s for s in doc.workflow.steps if s.id in new_ids]
    cells = {c.alias: c for c in doc.workflow.cells if c.id in new_ids}
    assert step.function_slug == "math.multiply"
    assert step.inputs == {"a": cells["celsius"].id, "b": FACTOR}  # outside input kept
    assert step.outputs == {"return": cells["scaled"].id}
    assert cells["celsius"].value == 21.5 and not cells["scaled"].has_value
    ox, oy = doc.position(MULTIPLY)
    assert doc.position(step.id) == (ox + 40, oy + 40)
    assert win.scene.item_for(step.id) is not None
    assert win.scene.wire_for(step.id, "inputs", "a").cell_id == cells["celsius"].id

    _keys(qtbot, win, Qt.Key.Key_V)  # a second paste lands a further 40 px on
    third = [s for s in doc.workflow.steps if s.id not in before_ids and s.id != step.id]
    assert len(third) == 1 and doc.position(third[0].id) == (ox + 80, oy + 80)


def test_paste_drops_outputs_to_outside_cells_and_inputs_to_deleted_ones(qtbot, win):
    doc = win.document
    win.scene.select_ids({ADD})  # reads scaled and offset, writes fahrenheit: none copied
    _keys(qtbot, win, Qt.Key.Key_C)
    doc.remove_nodes({SCALED})
    pasted = win.clipboard_controller.paste()
    (step,) = [doc.find_step(i) for i in pasted]
    assert set(step.inputs) == {"b"} and step.outputs == {}


def test_undo_after_paste_restores_the_document_exactly(qtbot, win):
    doc = win.document
    before = doc.workflow.model_dump_json()
    win.select_all()
    _keys(qtbot, win, Qt.Key.Key_C)
    _keys(qtbot, win, Qt.Key.Key_V)
    assert len(doc.workflow.steps) == 6 and len(doc.workflow.cells) == 14
    _keys(qtbot, win, Qt.Key.Key_Z)
    assert doc.workflow.model_dump_json() == before
    assert len(win.scene.node_items()) == 10


def test_cut_then_undo_restores(qtbot, win):
    doc = win.document
    before = doc.workflow.model_dump_json()
    win.scene.select_ids({ADD, SCALED})
    count = doc.undo_stack.count()
    _keys(qtbot, win, Qt.Key.Key_X)
    assert doc.find_step(ADD) is None and doc.find_cell(SCALED) is None
    assert doc.undo_stack.count() == count + 1
    assert "return" not in doc.find_step(MULTIPLY).outputs  # the wire to the cut cell is cut too
    _keys(qtbot, win, Qt.Key.Key_Z)
    assert doc.workflow.model_dump_json() == before
    # and what was cut can be pasted back (fresh ids)
    _keys(qtbot, win, Qt.Key.Key_V)
    assert len(doc.workflow.steps) == 4 and doc.find_step(ADD) is not None


def test_duplicate_leaves_the_clipboard_alone(qtbot, win):
    doc = win.document
    QApplication.clipboard().setText("hello")
    win.scene.select_ids({MULTIPLY})
    count = doc.undo_stack.count()
    _keys(qtbot, win, Qt.Key.Key_D)
    assert QApplication.clipboard().text() == "hello"
    assert doc.undo_stack.count() == count + 1
    (new_id,) = win.scene.selected_ids()
    assert new_id != MULTIPLY and doc.find_step(new_id).function_slug == "math.multiply"
    assert doc.find_step(new_id).inputs == doc.find_step(MULTIPLY).inputs  # reads the same cells
    assert doc.find_step(new_id).outputs == {}  # scaled already has its producer
    doc.undo_stack.undo()
    assert doc.find_step(new_id) is None


def test_pasting_something_else_does_nothing(qtbot, win):
    doc = win.document
    before = doc.workflow.model_dump_json()
    QApplication.clipboard().setText("just some text")
    _keys(qtbot, win, Qt.Key.Key_V)
    bad = QMimeData()
    bad.setData(FRAGMENT_MIME, b"{not json")
    QApplication.clipboard().setMimeData(bad)
    _keys(qtbot, win, Qt.Key.Key_V)
    QApplication.clipboard().clear()
    _keys(qtbot, win, Qt.Key.Key_V)
    assert doc.workflow.model_dump_json() == before and doc.undo_stack.count() == 0


def test_a_fragment_pasted_as_plain_text_works_and_an_empty_one_is_ignored(qtbot, win):
    win.scene.select_ids({MULTIPLY})
    assert win.clipboard_controller.copy()
    text = QApplication.clipboard().text()
    QApplication.clipboard().setText(text)  # only the plain-text copy survives (e.g. via a text editor)
    assert len(win.clipboard_controller.paste()) == 1
    empty = QMimeData()
    empty.setText(Fragment().model_dump_json())
    assert fragment_from_mime(empty) is None


def test_auto_layout_puts_producers_left_of_readers_in_one_undo_step(qtbot, win):
    doc = win.document
    for node_id in _ids(win):  # scramble the layout first
        doc.move_nodes({node_id: (0.0, 0.0)})
    before = doc.workflow.model_dump_json()
    count = doc.undo_stack.count()
    _keys(qtbot, win, Qt.Key.Key_L)
    assert doc.undo_stack.count() == count + 1
    for step in doc.workflow.steps:
        for cell in step.inputs.values():
            assert doc.position(cell)[0] < doc.position(step.id)[0]
        for cell in step.outputs.values():
            assert doc.position(step.id)[0] < doc.position(cell)[0]
    # no two nodes share a spot
    assert len({doc.position(i) for i in _ids(win)}) == len(_ids(win))
    assert win.scene.item_for(ADD).pos() == QPointF(*doc.position(ADD))
    visible = win.view.mapToScene(win.view.viewport().rect()).boundingRect()
    assert visible.contains(win.scene.nodes_rect())
    doc.undo_stack.undo()
    assert doc.workflow.model_dump_json() == before
    doc.undo_stack.redo()
    assert not auto_layout(doc, aspect=win.view.layout_aspect())  # laid out already: nothing moves


def test_auto_layout_survives_a_cycle_in_the_file(win):
    doc = win.document
    doc.workflow.steps[0].inputs["b"] = doc.workflow.steps[-1].outputs["return"]  # hand-made loop
    assert set(compute_layout(doc)) == _ids(win)


def _drag_add_by(qtbot, win, dx: float, dy: float) -> None:
    win.view.set_zoom(1.0)
    item = win.scene.item_for(ADD)
    win.view.centerOn(item)
    start = item.mapToScene(item.boundingRect().center().x(), 12)  # the header, away from ports
    drag(qtbot, win.view, start, start + QPointF(dx, dy))


def test_dragging_with_snap_lands_on_the_grid(qtbot, win):
    doc = win.document
    snap = win.findChild(QAction, "snap-action")
    assert snap.isCheckable() and snap.isChecked() and win.scene.snap_to_grid
    x0, y0 = doc.position(ADD)
    count = doc.undo_stack.count()
    _drag_add_by(qtbot, win, 47, 33)
    assert doc.undo_stack.count() == count + 1
    x, y = doc.position(ADD)
    assert x % 20 == 0 and y % 20 == 0 and (x, y) != (x0, y0)
    assert abs(x - (x0 + 47)) <= 10 and abs(y - (y0 + 33)) <= 10
    assert win.scene.item_for(ADD).pos() == QPointF(x, y)


def test_drag_without_snap_keeps_the_exact_position(qtbot, win):
    doc = win.document
    win.findChild(QAction, "snap-action").setChecked(False)
    assert not win.scene.snap_to_grid
    x0, y0 = doc.position(ADD)
    _drag_add_by(qtbot, win, 47, 33)
    assert doc.position(ADD) == pytest.approx((x0 + 47, y0 + 33), abs=1)
    assert doc.position(ADD)[0] % 20 != 0


def test_new_actions_are_named_and_in_the_menus(win):
    names = {a.objectName() for a in win.findChildren(QAction)}
    assert {"copy-action", "cut-action", "paste-action", "duplicate-action", "auto-layout-action",
            "snap-action"} <= names
    edit = {a.objectName() for a in win.findChild(QMenu, "edit-menu").actions()}
    view = {a.objectName() for a in win.findChild(QMenu, "view-menu").actions()}
    assert {"copy-action", "cut-action", "paste-action", "duplicate-action"} <= edit
    assert {"auto-layout-action", "snap-action"} <= view


# --- renaming a cell where it is drawn ---------------------------------------------------------------------


def _rename_window(qtbot, monkeypatch, tmp_path):
    from fancy_studio.gui.window.main_window import MainWindow
    from tests.example_ids import EXAMPLE
    from tests.gui.dialogs import answer_dialogs

    answer_dialogs(monkeypatch)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # window shortcuts (F2) go to the active window only
    assert window.open_workflow(EXAMPLE)
    window.view.set_zoom(1.0)
    return window


def _f2_on(qtbot, window, node_id):
    """Select one node, press F2 on the canvas: the inline editor that opens."""
    window.scene.select_ids({node_id})
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    editor = window.inline_rename.editor
    assert editor is not None and editor.isVisible()
    return editor


def test_f2_renames_the_selected_cell_inline_in_one_undoable_step(qtbot, monkeypatch, tmp_path):
    from tests.example_ids import CELSIUS

    window = _rename_window(qtbot, monkeypatch, tmp_path)
    count = window.document.undo_stack.count()
    editor = _f2_on(qtbot, window, CELSIUS)
    assert editor.objectName() == "inline-rename" and editor.selectedText() == "celsius"
    qtbot.keyClicks(editor, "temperature")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.document.find_cell(CELSIUS).alias == "temperature"
    assert window.scene.item_for(CELSIUS).alias == "temperature"
    assert window.document.undo_stack.count() == count + 1
    window.document.undo_stack.undo()
    assert window.document.find_cell(CELSIUS).alias == "celsius"


def test_double_clicking_a_cell_renames_it_and_escape_cancels(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QLineEdit

    from tests.example_ids import FACTOR

    window = _rename_window(qtbot, monkeypatch, tmp_path)
    item = window.scene.item_for(FACTOR)
    pos = window.view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    editor = window.view.viewport().findChild(QLineEdit, "inline-rename")
    assert editor is not None and editor.isVisible()
    qtbot.keyClicks(editor, "nope")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window.document.find_cell(FACTOR).alias == "factor"
    assert not window.document.modified
    qtbot.waitUntil(lambda: window.view.viewport().findChild(QLineEdit, "inline-rename") is None, timeout=2000)


def test_f2_without_a_single_node_says_what_it_needs(qtbot, monkeypatch, tmp_path):
    from tests.example_ids import CELSIUS, MULTIPLY

    window = _rename_window(qtbot, monkeypatch, tmp_path)
    window.scene.select_ids({MULTIPLY, CELSIUS})
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    assert "Select one step or cell" in window.statusBar().currentMessage()


def test_a_step_is_renamed_inline_and_an_empty_name_gives_back_its_functions_title(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QLineEdit

    from tests.example_ids import MULTIPLY

    window = _rename_window(qtbot, monkeypatch, tmp_path)
    item = window.scene.item_for(MULTIPLY)
    title_bar = window.view.mapFromScene(item.mapToScene(item.rect().width() / 2, 10))
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=title_bar)
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=title_bar)
    editor = window.view.viewport().findChild(QLineEdit, "inline-rename")
    assert editor is not None and editor.isVisible() and editor.selectedText() == "Multiply"
    qtbot.keyClicks(editor, "scale to °F")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    step = window.document.find_step(MULTIPLY)
    assert step.label == "scale to °F" and item.title == "scale to °F"  # the canvas draws the model
    assert window.document.undo_stack.undoText() == "Rename 'Multiply'"
    # F2 again, the name cleared: the step is called by its function's title again, and undo brings it back
    editor = _f2_on(qtbot, window, MULTIPLY)
    assert editor.text() == "scale to °F"
    editor.clear()
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert step.label == "" and item.title == "Multiply"
    window.document.undo_stack.undo()
    assert step.label == "scale to °F"
    window.document.undo_stack.undo()
    assert step.label == "" and not window.document.modified


def test_typing_a_steps_own_function_title_adds_no_label_and_no_undo_step(qtbot, monkeypatch, tmp_path):
    from tests.example_ids import ADD

    window = _rename_window(qtbot, monkeypatch, tmp_path)
    count = window.document.undo_stack.count()
    qtbot.keyClick(_f2_on(qtbot, window, ADD), Qt.Key.Key_Return)  # "Add", unchanged
    assert window.document.find_step(ADD).label == "" and window.document.undo_stack.count() == count


# --- arrow keys nudge the selection ---------------------------------------------------------------


def _click_add(qtbot, win) -> None:
    win.view.set_zoom(1.0)
    item = win.scene.item_for(ADD)
    win.view.centerOn(item)
    header = item.mapToScene(item.boundingRect().center().x(), 12)
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=win.view.mapFromScene(header))
    assert win.scene.selected_ids() == {ADD}


def test_arrow_keys_nudge_the_selection_by_a_grid_step_and_shift_by_five(qtbot, win):
    _click_add(qtbot, win)
    x, y = win.document.position(ADD)
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    assert win.document.position(ADD) == (x + 20, y)
    qtbot.keyClick(win.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert win.document.position(ADD) == (x + 20, y + 100)
    item = win.scene.item_for(ADD)
    assert (item.pos().x(), item.pos().y()) == (x + 20, y + 100)  # the canvas draws the model


def test_nudges_in_a_row_are_one_undo_step(qtbot, win):
    _click_add(qtbot, win)
    before = win.document.position(ADD)
    steps = win.document.undo_stack.count()
    for key in (Qt.Key.Key_Left, Qt.Key.Key_Left, Qt.Key.Key_Up):
        qtbot.keyClick(win.view, key)
    assert win.document.undo_stack.count() == steps + 1
    assert win.document.undo_stack.undoText() == "Nudge 1 item"
    _keys(qtbot, win, Qt.Key.Key_Z)
    assert win.document.position(ADD) == before
    assert not win.document.modified


def test_with_nothing_selected_arrow_keys_move_no_node(qtbot, win):
    win.scene.clearSelection()
    positions = {node_id: win.document.position(node_id) for node_id in _ids(win)}
    steps = win.document.undo_stack.count()
    qtbot.keyClick(win.view, Qt.Key.Key_Right)
    assert {node_id: win.document.position(node_id) for node_id in _ids(win)} == positions
    assert win.document.undo_stack.count() == steps


def test_a_nudge_while_the_workflow_is_locked_is_refused_with_the_reason(qtbot, win):
    _click_add(qtbot, win)
    before = win.document.position(ADD)
    win.document.undo_stack.lock("A run is going")
    with qtbot.waitSignal(win.document.undo_stack.refused) as refused:
        qtbot.keyClick(win.view, Qt.Key.Key_Right)
    win.document.undo_stack.unlock()
    assert refused.args == ["A run is going"]
    assert win.document.position(ADD) == before
