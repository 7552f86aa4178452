"""Frames and notes in the studio, driven with real clicks and keys: a frame put around a selection drags
its nodes (one undo step), resizes by its corner, collapses to its title bar (the nodes inside hidden, their
wires ending at its edge); a note is written in place, rendered as Markdown, and both round-trip through
save and open, copy and paste, delete and undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QPlainTextEdit

from fancy_studio.core import Frame, Note, load_workflow
from fancy_studio.gui.canvas.blocks_layer import BLOCKS_LOD
from fancy_studio.gui.canvas.frame_item import COLLAPSED_WIDTH, TITLE_HEIGHT, FrameItem
from fancy_studio.gui.canvas.note_item import NoteItem
from fancy_studio.gui.canvas.port_item import PortKind
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import ADD, CELSIUS, FACTOR, MULTIPLY, SCALED
from tests.gui.dialogs import answer_dialogs
from tests.gui.views import drag, send_mouse
from tests.gui.windows import active_window, window_on_my_file

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT_CLUSTER = {CELSIUS, FACTOR, MULTIPLY}
"""The example's two input cells and the step reading them: the left end of the graph."""


@pytest.fixture(autouse=True)
def _no_blocking_dialogs(monkeypatch):
    answer_dialogs(monkeypatch)  # closing an edited window asks to save: answered, never modal


@pytest.fixture
def window(qtbot, tmp_path) -> MainWindow:
    window = window_on_my_file(qtbot, tmp_path)
    window.resize(1300, 800)
    window.view.set_zoom(1.0)
    window.view.centerOn(330, 100)
    window.view.setFocus()
    return window


def click(qtbot, window: MainWindow, scene_pos: QPointF, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    assert window.view.viewport().rect().contains(window.view.mapFromScene(scene_pos)), "a click out of view"
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, modifier,
                     window.view.mapFromScene(scene_pos))


def double_click(qtbot, window: MainWindow, scene_pos: QPointF) -> None:
    qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                      pos=window.view.mapFromScene(scene_pos))


def drag_items(view, start: QPointF, end: QPointF) -> None:
    """Press at `start`, move to `end` in four steps with the button held, release (as `send_mouse` does)."""
    send_mouse(view, QEvent.Type.MouseButtonPress, start)
    for t in (0.25, 0.5, 0.75, 1.0):
        send_mouse(view, QEvent.Type.MouseMove, start + (end - start) * t)
    send_mouse(view, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def select_left_cluster(qtbot, window: MainWindow) -> None:
    """A rubber band from empty canvas around the two input cells and Multiply."""
    drag(qtbot, window.view, QPointF(-30, -30), QPointF(425, 190))
    assert window.scene.selected_ids() == LEFT_CLUSTER


def add_frame_around_selection(qtbot, window: MainWindow, title: str) -> Frame:
    """Ctrl+J, type the title, Enter."""
    qtbot.keyClick(window.view, Qt.Key.Key_J, CTRL)
    editor = title_editor(window)
    assert editor is not None and editor.hasFocus()
    qtbot.keyClicks(editor, title)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    (frame,) = window.document.workflow.frames
    return frame


def title_editor(window: MainWindow) -> QLineEdit:
    editor = window.annotation_editor.editor
    assert isinstance(editor, QLineEdit) and editor.objectName() == "frame-title-editor"
    return editor


def note_editor(window: MainWindow) -> QPlainTextEdit:
    editor = window.annotation_editor.editor
    assert isinstance(editor, QPlainTextEdit) and editor.objectName() == "note-editor"
    return editor


def canvas_menu(qtbot, window: MainWindow, scene_pos: QPointF) -> QMenu:
    """Right-click the canvas at `scene_pos` (a real context-menu event); the menu it opened."""
    pos = window.view.mapFromScene(scene_pos)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, window.view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(window.view.viewport(), event)
    qtbot.waitUntil(lambda: any(m.isVisible() for m in window.findChildren(QMenu, "canvas-context-menu")))
    return next(m for m in window.findChildren(QMenu, "canvas-context-menu") if m.isVisible())


def choose(qtbot, menu: QMenu, name: str) -> None:
    """Click the menu's entry named `name`."""
    action = next(a for a in menu.actions() if a.objectName() == name)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def wire_end(window: MainWindow, step_id, side: str, name: str, end: int) -> QPointF:
    return window.scene.wire_for(step_id, side, name).path().pointAtPercent(end)


def test_a_frame_put_around_the_selection_drags_its_nodes_as_one_undo_step(qtbot, window):
    scene, document = window.scene, window.document
    select_left_cluster(qtbot, window)
    frame = add_frame_around_selection(qtbot, window, "Inputs")
    assert frame.title == "Inputs"
    item = scene.annotations.item_for(frame.id)
    assert isinstance(item, FrameItem)
    assert item.zValue() < scene.item_for(CELSIUS).zValue()  # behind the nodes
    for node_id in LEFT_CLUSTER:
        inside = scene.item_for(node_id).sceneBoundingRect()
        assert QRectF(frame.x, frame.y, frame.width, frame.height).contains(inside)
    outside = {node_id: document.position(node_id) for node_id in (SCALED, ADD)}
    before = {node_id: document.position(node_id) for node_id in LEFT_CLUSTER}
    click(qtbot, window, QPointF(600, -100))  # nothing selected: a frame carries what is inside it anyway
    steps_before = document.undo_stack.count()

    title = QPointF(frame.x + frame.width / 2, frame.y + TITLE_HEIGHT / 2)
    drag_items(window.view, title, title + QPointF(-118, 143))

    assert (frame.x, frame.y) == (-20 - 120, -60 + 140)  # snapped to the grid
    for node_id, (x, y) in before.items():
        assert document.position(node_id) == (x - 120, y + 140)
        assert scene.item_for(node_id).pos() == QPointF(x - 120, y + 140)
    assert {node_id: document.position(node_id) for node_id in outside} == outside
    multiply_in = scene.item_for(MULTIPLY).port(PortKind.STEP_INPUT, "a").scenePos()
    assert wire_end(window, MULTIPLY, "inputs", "a", 1) == multiply_in  # the wires came along
    assert document.undo_stack.count() == steps_before + 1
    assert document.undo_stack.undoText() == "Move frame 'Inputs'"

    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert (frame.x, frame.y) == (-20, -60) and item.pos() == QPointF(-20, -60)
    assert {node_id: document.position(node_id) for node_id in before} == before
    assert wire_end(window, MULTIPLY, "inputs", "a", 1) == scene.item_for(MULTIPLY).port(
        PortKind.STEP_INPUT, "a").scenePos()


def test_a_click_in_a_frame_s_body_is_a_click_on_the_canvas(qtbot, window):
    select_left_cluster(qtbot, window)
    frame = add_frame_around_selection(qtbot, window, "Inputs")
    click(qtbot, window, QPointF(frame.x + 300, frame.y + 60))  # empty, inside the frame
    assert window.scene.selectedItems() == []  # not the frame: its body lets the click through
    drag(qtbot, window.view, QPointF(frame.x + 5, frame.y + 40), QPointF(frame.x + 170, frame.y + 110))
    assert window.scene.selected_ids() == {CELSIUS}  # a rubber band inside the frame selects its nodes
    click(qtbot, window, QPointF(frame.x + 200, frame.y + 10))
    assert window.scene.selected_annotation_ids() == {frame.id}  # the title bar selects the frame


def test_a_frame_resizes_by_its_corner_and_undo_gives_its_size_back(qtbot, window):
    select_left_cluster(qtbot, window)
    frame = add_frame_around_selection(qtbot, window, "Inputs")
    size = (frame.width, frame.height)
    corner = QPointF(frame.x + frame.width - 4, frame.y + frame.height - 4)
    drag_items(window.view, corner, corner + QPointF(203, 98))
    assert (frame.width, frame.height) == (size[0] + 200, size[1] + 100)  # the far corner on the grid
    assert window.document.undo_stack.undoText() == "Resize frame 'Inputs'"
    assert window.document.position(CELSIUS) == (0.0, 0.0)  # resizing moves nothing
    corner = QPointF(frame.x + frame.width - 4, frame.y + frame.height - 4)
    drag_items(window.view, corner, QPointF(-500, -500))
    assert (frame.width, frame.height) == (120.0, 60.0)  # never smaller than a frame can be
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert (frame.width, frame.height) == size


def test_a_collapsed_frame_hides_its_nodes_and_their_wires_end_at_its_edge_also_after_save_and_open(
        qtbot, window, tmp_path):
    scene = window.scene
    select_left_cluster(qtbot, window)
    frame = add_frame_around_selection(qtbot, window, "Inputs")
    click(qtbot, window, QPointF(frame.x + 12, frame.y + TITLE_HEIGHT / 2))  # the triangle
    assert frame.collapsed
    item = scene.annotations.item_for(frame.id)
    assert item.rect().height() == TITLE_HEIGHT and item.hidden_count == 3
    assert item.rect().width() == COLLAPSED_WIDTH < frame.width  # a bar, like a node
    assert not any(scene.item_for(node_id).isVisible() for node_id in LEFT_CLUSTER)
    assert scene.item_for(SCALED).isVisible()
    # Multiply (hidden) writes scaled (shown): the wire leaves the frame's right edge
    assert wire_end(window, MULTIPLY, "outputs", "return", 0) == QPointF(frame.x + COLLAPSED_WIDTH,
                                                                       frame.y + TITLE_HEIGHT / 2)
    assert not scene.wire_for(MULTIPLY, "inputs", "a").isVisible()  # inside the frame
    assert window.document.undo_stack.undoText() == "Collapse frame 'Inputs'"

    window.save_workflow()
    again = active_window(qtbot, window.document.path)
    (reopened,) = again.document.workflow.frames
    assert reopened == frame
    assert not again.scene.item_for(CELSIUS).isVisible()
    assert again.scene.annotations.item_for(frame.id).hidden_count == 3
    again.close()

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)  # expanded again: everything is back
    assert not frame.collapsed
    assert all(scene.item_for(node_id).isVisible() for node_id in LEFT_CLUSTER)
    assert scene.wire_for(MULTIPLY, "inputs", "a").isVisible()
    assert wire_end(window, MULTIPLY, "outputs", "return", 0) == scene.item_for(MULTIPLY).port(
        PortKind.STEP_OUTPUT, "return").scenePos()


def test_a_note_is_written_in_place_rendered_as_markdown_and_round_trips_through_save_and_open(
        qtbot, window, tmp_path):
    menu = canvas_menu(qtbot, window, QPointF(100, 240))
    choose(qtbot, menu, "add-note-here-action")
    editor = note_editor(window)
    qtbot.waitUntil(lambda: editor.hasFocus())
    qtbot.keyClicks(editor, "# Temperature")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "Celsius *in*, Fahrenheit out.")
    click(qtbot, window, QPointF(600, 300))  # clicking away keeps the text
    (note,) = window.document.workflow.notes
    assert note.text == "# Temperature\nCelsius *in*, Fahrenheit out." and not note.markdown
    assert (note.x, note.y) == (100.0, 240.0)
    item = window.scene.annotations.item_for(note.id)
    assert isinstance(item, NoteItem) and item.text_document.toPlainText().startswith("# Temperature")

    menu = canvas_menu(qtbot, window, QPointF(note.x + 60, note.y + 60))
    choose(qtbot, menu, "note-markdown-action")
    assert note.markdown
    assert item.text_document.toPlainText().startswith("Temperature")  # a heading now, no '#'
    assert window.document.undo_stack.undoText() == "Render note '# Temperature'"

    qtbot.keyClick(window.view, Qt.Key.Key_S, CTRL)
    assert not window.document.modified
    saved = load_workflow(window.document.path)
    assert saved.notes == [note]
    again = active_window(qtbot, window.document.path)
    (reopened,) = again.document.workflow.notes
    assert reopened == note
    assert again.scene.annotations.item_for(note.id).text_document.toPlainText().startswith("Temperature")


def test_editing_a_note_is_one_undo_step_and_esc_leaves_it_as_it_was(qtbot, window):
    window.annotation_actions.add_note(QPointF(450, -120))
    editor = note_editor(window)
    qtbot.keyClicks(editor, "first")
    qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)  # Ctrl+Enter keeps it
    (note,) = window.document.workflow.notes
    assert note.text == "first"
    double_click(qtbot, window, QPointF(note.x + 100, note.y + 60))
    editor = note_editor(window)
    qtbot.keyClicks(editor, " and more")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert note.text == "first"
    double_click(qtbot, window, QPointF(note.x + 100, note.y + 60))
    editor = note_editor(window)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, "second line")
    qtbot.keyClick(editor, Qt.Key.Key_Return, CTRL)
    assert note.text == "first\nsecond line"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert note.text == "first"


def test_a_frame_is_renamed_with_a_double_click_on_its_title_or_f2(qtbot, window):
    frame = window.annotation_actions.add_frame(QPointF(-40, 200))
    qtbot.keyClick(title_editor(window), Qt.Key.Key_Escape)
    assert frame.title == "Frame"
    double_click(qtbot, window, QPointF(frame.x + 150, frame.y + 12))
    editor = title_editor(window)
    qtbot.keyClicks(editor, "Outputs")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert frame.title == "Outputs"
    click(qtbot, window, QPointF(frame.x + 150, frame.y + 12))
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    editor = title_editor(window)
    qtbot.keyClicks(editor, "Results")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert frame.title == "Results"
    assert window.document.undo_stack.undoText() == "Rename frame 'Outputs' to 'Results'"


def test_a_frame_s_colour_is_chosen_from_its_menu(qtbot, window):
    frame = window.annotation_actions.add_frame(QPointF(-40, 200))
    window.view.setFocus()
    menu = canvas_menu(qtbot, window, QPointF(frame.x + 100, frame.y + 12))
    colours = menu.findChild(QMenu, "frame-colour-menu")
    colours.popup(menu.mapToGlobal(menu.rect().topRight()))
    qtbot.waitUntil(colours.isVisible)
    choose(qtbot, colours, "frame-colour-teal-action")
    assert frame.color == "teal"


def test_delete_removes_frames_notes_and_nodes_in_one_step_and_undo_brings_all_back(qtbot, window):
    frame = window.annotation_actions.add_frame(QPointF(-40, 200))
    note = window.annotation_actions.add_note(QPointF(450, -120))
    window.view.setFocus()
    saved = window.document.workflow.model_dump()
    window.scene.select_ids({frame.id, note.id, ADD})
    steps = window.document.undo_stack.count()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    workflow = window.document.workflow
    assert workflow.frames == [] and workflow.notes == [] and window.document.find_step(ADD) is None
    assert window.scene.annotations.items() == []
    assert window.document.undo_stack.count() == steps + 1
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.document.workflow.model_dump() == saved
    assert {item.item_id for item in window.scene.annotations.items()} == {frame.id, note.id}


def test_copy_and_paste_gives_frames_and_notes_fresh_ids_in_one_undo_step(qtbot, window):
    QApplication.clipboard().clear()
    select_left_cluster(qtbot, window)
    frame = add_frame_around_selection(qtbot, window, "Inputs")
    click(qtbot, window, QPointF(frame.x + 12, frame.y + TITLE_HEIGHT / 2))  # collapsed
    note = window.annotation_actions.add_note(QPointF(450, -120))
    qtbot.keyClicks(note_editor(window), "hello")
    window.view.setFocus()
    window.scene.select_ids({frame.id, note.id, ADD})
    qtbot.keyClick(window.view, Qt.Key.Key_C, CTRL)
    steps = window.document.undo_stack.count()
    qtbot.keyClick(window.view, Qt.Key.Key_V, CTRL)
    workflow = window.document.workflow
    assert len(workflow.frames) == 2 and len(workflow.notes) == 2
    pasted_frame, pasted_note = workflow.frames[1], workflow.notes[1]
    assert pasted_frame.id != frame.id and pasted_note.id != note.id
    assert (pasted_frame.title, pasted_frame.x, pasted_frame.y) == ("Inputs", frame.x + 40, frame.y + 40)
    assert not pasted_frame.collapsed  # it would hide whatever lies under it
    assert pasted_note.text == "hello" and (pasted_note.x, pasted_note.y) == (note.x + 40, note.y + 40)
    assert window.scene.selected_annotation_ids() == {pasted_frame.id, pasted_note.id}
    assert len(window.scene.selected_ids()) == 1  # the pasted Add
    assert window.document.undo_stack.count() == steps + 1
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.document.workflow.frames == [frame] and window.document.workflow.notes == [note]


def test_zoomed_out_past_the_blocks_zoom_a_frame_still_draws_as_a_titled_rectangle(qtbot, window):
    window.document.add_annotation(Frame(title="Inputs", color="blue", x=-40, y=-80, width=480, height=300))
    (frame,) = window.document.workflow.frames
    window.view.set_zoom(BLOCKS_LOD / 2)
    window.view.centerOn(200, 70)
    assert window.scene.blocks is not None
    item = window.scene.annotations.item_for(frame.id)
    assert not item.flags() & item.GraphicsItemFlag.ItemHasNoContents
    image = window.view.grab().toImage()
    inside = window.view.mapFromScene(QPointF(frame.x + frame.width / 2, frame.y + frame.height * 0.7))
    background = window.view.mapFromScene(QPointF(frame.x - 200, frame.y - 200))
    assert image.pixelColor(inside) != image.pixelColor(background)


def test_the_document_refuses_a_frame_or_note_value_the_model_refuses(qtbot, window):
    window.document.add_annotation(Frame())
    (frame,) = window.document.workflow.frames
    with pytest.raises(ValueError):
        window.document.change_annotation(frame.id, "Resize", width=float("nan"))
    with pytest.raises(ValueError):
        window.document.change_annotation(frame.id, "Colour", color="beige")
    assert frame.width == 400.0 and frame.color == "gray"
    assert window.document.undo_stack.undoText() == "Add frame 'Frame'"
    window.document.add_annotation(Note(text="x"))
    assert window.document.undo_stack.undoText() == "Add note 'x'"


def test_frames_and_notes_stay_on_the_top_level_while_a_group_is_open(qtbot, window):
    window.document.add_annotation(Frame(title="Outside", x=-40, y=260, width=400, height=200))
    window.document.add_annotation(Note(text="top", x=450, y=-120))
    for node_id, modifier in ((MULTIPLY, Qt.KeyboardModifier.NoModifier), (ADD, CTRL)):
        header = window.scene.item_for(node_id).mapToScene(QPointF(20, 8))
        click(qtbot, window, header, modifier)
    qtbot.keyClick(window.view, Qt.Key.Key_G, CTRL)
    (instance,) = window.scene.selected_ids()
    window.scene.select_ids({instance})
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)  # into the group
    assert window.document.level is not None
    assert window.scene.annotations.items() == []
    qtbot.keyClick(window.view, Qt.Key.Key_J, CTRL)  # Add Frame: not in here
    assert len(window.document.workflow.frames) == 1 and window.annotation_editor.editor is None
    assert "top level" in window.statusBar().currentMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)  # out again: both are back
    assert window.document.level is None
    assert {type(item) for item in window.scene.annotations.items()} == {FrameItem, NoteItem}


def test_a_frame_carries_the_notes_and_smaller_frames_inside_it_but_not_what_sticks_out(qtbot, window):
    document = window.document
    document.add_annotation(Frame(title="Outer", x=-40, y=-100, width=700, height=360))
    document.add_annotation(Frame(title="Inner", x=-20, y=-60, width=460, height=260))
    document.add_annotation(Note(text="inside", x=460, y=120, width=160, height=80))
    document.add_annotation(Note(text="sticks out", x=600, y=120, width=160, height=80))
    outer, inner = document.workflow.frames
    inside, out = document.workflow.notes
    before = document.workflow.model_dump()
    title = QPointF(outer.x + 600, outer.y + TITLE_HEIGHT / 2)  # right of the inner frame's title
    drag_items(window.view, title, title + QPointF(40, 60))
    assert (outer.x, outer.y, inner.x, inner.y) == (0, -40, 20, 0)
    assert (inside.x, inside.y) == (500, 180) and (out.x, out.y) == (600, 120)
    assert document.position(CELSIUS) == (40.0, 60.0) and document.position(ADD) == (660.0, 80.0)
    assert document.undo_stack.undoText() == "Move frame 'Outer'"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert document.workflow.model_dump() == before


def test_while_a_run_reads_the_workflow_a_dragged_frame_goes_back_and_nothing_changes(qtbot, window):
    document = window.document
    document.add_annotation(Frame(title="Inputs", x=-20, y=-60, width=460, height=260))
    (frame,) = document.workflow.frames
    steps = document.undo_stack.count()
    document.undo_stack.lock("a run reads the workflow")
    title = QPointF(frame.x + 200, frame.y + TITLE_HEIGHT / 2)
    drag_items(window.view, title, title + QPointF(100, 100))
    item = window.scene.annotations.item_for(frame.id)
    assert (frame.x, frame.y) == (-20, -60) and item.pos() == QPointF(-20, -60)
    assert window.scene.item_for(CELSIUS).pos() == QPointF(0, 0)
    corner = QPointF(frame.x + frame.width - 4, frame.y + frame.height - 4)
    drag_items(window.view, corner, corner + QPointF(100, 100))
    assert (frame.width, frame.height) == (460, 260) and item.rect().width() == 460
    assert document.undo_stack.count() == steps
    document.undo_stack.unlock()
