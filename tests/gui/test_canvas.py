"""The canvas draws the document and turns real mouse gestures and drops into document edits."""

from __future__ import annotations

from uuid import UUID

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent

from tests.example_ids import ADD, CELSIUS, FAHRENHEIT, MULTIPLY, SCALED
from fancy_studio.gui.canvas import WorkflowScene
from fancy_studio.gui.canvas.node_items import CellNodeItem, StepNodeItem
from fancy_studio.gui.canvas.port_item import PortKind
from fancy_studio.gui.canvas.wire_item import WireItem
from fancy_studio.gui.document.commands import MoveNodes
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.mime import FUNCTION_MIME
from tests.gui.views import drag, example_document, example_view, shown_view



@pytest.fixture
def document(qapp):
    return example_document()


@pytest.fixture
def view(qtbot, document):
    return example_view(qtbot, document)


def _port(scene: WorkflowScene, node_id: UUID, kind: PortKind, name: str | None = None):
    port = scene.item_for(node_id).port(kind, name)
    assert port is not None
    return port.scenePos()


def test_scene_builds_nodes_and_wires_for_the_example(document):
    scene = WorkflowScene(document)
    assert sum(isinstance(i, StepNodeItem) for i in scene.items()) == 3
    assert sum(isinstance(i, CellNodeItem) for i in scene.items()) == 7
    assert sum(isinstance(i, WireItem) for i in scene.items()) == 9
    assert scene.item_for(MULTIPLY).pos() == QPointF(220, 40)
    assert scene.item_for(MULTIPLY).title == "Multiply"


def test_added_step_appears_at_its_position_and_undo_removes_it(document):
    scene = WorkflowScene(document)
    step = document.add_step("math.increment", 300, 400)
    item = scene.item_for(step.id)
    assert isinstance(item, StepNodeItem) and item.pos() == QPointF(300, 400)
    assert {p.name for p in item.ports} == {"x", "return"}
    document.undo_stack.undo()
    assert scene.item_for(step.id) is None and item.scene() is None


def test_placeholder_step_keeps_wired_ports(document):
    document.workflow.steps[0].function_slug = "nowhere.missing"
    scene = WorkflowScene(document)
    item = scene.item_for(MULTIPLY)
    assert item.placeholder and item.subtitle == "missing: nowhere.missing"
    assert {p.name for p in item.ports} == {"a", "b", "return"}
    assert scene.wire_for(MULTIPLY, "inputs", "a") is not None


def test_reset_and_incremental_wiring_follow_the_model(document):
    scene = WorkflowScene(document)
    document.connect_input(ADD, "a", None)
    assert scene.wire_for(ADD, "inputs", "a") is None and len(scene.wire_items()) == 8
    document.undo_stack.undo()
    assert scene.wire_for(ADD, "inputs", "a").cell_id == SCALED
    document.remove_nodes({SCALED})
    assert len(scene.wire_items()) == 7
    document.undo_stack.undo()
    assert len(scene.wire_items()) == 9
    document.replace(WorkflowDocument().workflow)
    assert scene.items() == []


def test_drop_from_palette_creates_step_at_drop_position(view, document):
    mime = QMimeData()
    mime.setData(FUNCTION_MIME, b"math.increment")
    local = QPoint(200, 150)
    event = QDropEvent(QPointF(local), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    view.dropEvent(event)
    step = document.workflow.steps[-1]
    assert step.function_slug == "math.increment"
    expected = view.mapToScene(local)
    assert document.position(step.id) == pytest.approx((expected.x(), expected.y()))
    assert view.workflow_scene.item_for(step.id).pos() == expected


def test_dragging_cell_output_to_step_input_connects(qtbot, view, document):
    scene = view.workflow_scene
    document.connect_input(ADD, "b", None)
    count = document.undo_stack.count()
    drag(qtbot, view, _port(scene, CELSIUS, PortKind.CELL_OUTPUT), _port(scene, ADD, PortKind.STEP_INPUT, "b"))
    assert document.find_step(ADD).inputs["b"] == CELSIUS
    assert document.undo_stack.count() == count + 1
    assert scene.wire_for(ADD, "inputs", "b").cell_id == CELSIUS


def test_drag_that_would_make_a_cycle_is_refused_with_a_message(qtbot, view, document):
    scene = view.workflow_scene
    before = document.workflow.model_dump_json()
    with qtbot.waitSignal(scene.message, timeout=1000) as blocker:
        drag(qtbot, view, _port(scene, FAHRENHEIT, PortKind.CELL_OUTPUT),
              _port(scene, MULTIPLY, PortKind.STEP_INPUT, "b"))
    assert "cycle" in blocker.args[0]
    assert document.workflow.model_dump_json() == before


def test_step_output_to_step_input_creates_a_cell_in_one_undo_step(qtbot, view, document):
    scene = view.workflow_scene
    step = document.add_step("math.increment", 500, 300)
    count = document.undo_stack.count()
    drag(qtbot, view, _port(scene, MULTIPLY, PortKind.STEP_OUTPUT, "return"),
          _port(scene, step.id, PortKind.STEP_INPUT, "x"))
    cell_id = document.find_step(step.id).inputs["x"]
    assert document.find_step(MULTIPLY).outputs["return"] == cell_id
    assert isinstance(scene.item_for(cell_id), CellNodeItem)
    assert document.undo_stack.count() == count + 1
    document.undo_stack.undo()
    assert document.find_cell(cell_id) is None and document.find_step(step.id).inputs == {}
    assert document.find_step(MULTIPLY).outputs["return"] == SCALED


def test_step_output_dropped_on_empty_canvas_makes_a_wired_cell(qtbot, view, document):
    scene = view.workflow_scene
    step = document.add_step("math.increment", 500, 300)
    start = _port(scene, step.id, PortKind.STEP_OUTPUT, "return")
    drag(qtbot, view, start, start + QPointF(120, 90))
    cell_id = document.find_step(step.id).outputs["return"]
    assert document.position(cell_id)[0] == pytest.approx(start.x() + 120)


def test_dragging_a_wired_input_off_rewires_it(qtbot, view, document):
    scene = view.workflow_scene
    step = document.add_step("math.increment", 500, 300)
    drag(qtbot, view, _port(scene, ADD, PortKind.STEP_INPUT, "a"), _port(scene, step.id, PortKind.STEP_INPUT, "x"))
    assert "a" not in document.find_step(ADD).inputs
    assert document.find_step(step.id).inputs["x"] == SCALED
    document.undo_stack.undo()
    assert document.find_step(ADD).inputs["a"] == SCALED


def test_moving_a_node_by_mouse_pushes_one_move_command(qtbot, view, document):
    scene = view.workflow_scene
    item = scene.item_for(ADD)
    count = document.undo_stack.count()
    start = item.mapToScene(item.boundingRect().center().x(), 12)  # the header, away from ports
    drag(qtbot, view, start, start + QPointF(60, 40))
    assert document.undo_stack.count() == count + 1
    assert isinstance(document.undo_stack.command(count), MoveNodes)
    assert document.position(ADD) == pytest.approx((720, 120))
    wire = scene.wire_for(ADD, "outputs", "return")
    assert wire.path().pointAtPercent(0) == item.port(PortKind.STEP_OUTPUT, "return").scenePos()
    document.undo_stack.undo()
    assert item.pos() == QPointF(660, 80)


def test_zoom_is_clamped_and_fit_shows_everything(view):
    view.set_zoom(50)
    assert view.zoom() == pytest.approx(4.0)
    view.zoom_out()
    assert view.zoom() == pytest.approx(4.0 / 1.25)
    view.zoom_to_fit()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.workflow_scene.nodes_rect())


def test_double_click_on_empty_canvas_emits_scene_position(qtbot, view):
    with qtbot.waitSignal(view.canvas_double_clicked, timeout=1000) as blocker:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(QPointF(600, 500)))
    assert blocker.args[0].x() == pytest.approx(600, abs=2)


def test_a_fitted_view_stays_fitted_when_the_window_grows_until_the_user_zooms(qtbot):
    view = shown_view(qtbot, example_document(), size=(500, 300))
    view.zoom_to_fit()
    small = view.zoom()
    view.resize(1200, 800)
    qtbot.waitUntil(lambda: view.zoom() > small * 1.5)
    view.zoom_in()
    zoomed = view.zoom()
    view.resize(600, 400)
    qtbot.wait(50)
    assert view.zoom() == zoomed, "after the user zooms, a resize keeps their zoom"


def test_zoomed_far_out_ports_hide_and_wires_thin_then_come_back(qtbot, view, document):
    scene = view.workflow_scene
    wire = scene.wire_for(MULTIPLY, "outputs", "return")
    normal_width = wire.pen().widthF()
    view.set_zoom(0.2)  # below the level of detail where a port is under a pixel across
    assert scene.overview
    assert not any(port.isVisible() for item in scene.node_items() for port in item.ports)
    assert wire.pen().widthF() == 0  # a cosmetic hairline
    assert scene.port_at(_port(scene, ADD, PortKind.STEP_INPUT, "a")) is None  # nothing to grab
    document.connect_input(ADD, "b", CELSIUS)  # a node rebuilt while zoomed out stays in overview
    assert not any(port.isVisible() for port in scene.item_for(ADD).ports)
    view.set_zoom(1.0)
    assert not scene.overview
    assert all(port.isVisible() for item in scene.node_items() for port in item.ports)
    assert scene.wire_for(MULTIPLY, "outputs", "return").pen().widthF() == normal_width
