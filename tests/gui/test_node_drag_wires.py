"""Wires stay on their ports whichever way a node moves: dragged with others, snapped, undone.

Nodes no longer tell the scene of every position change (an itemChange() override cost some ten calls
into Python per node as it was built); the drag and the scene's own moves place the wires instead.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt

from fancy_studio.gui.canvas import WorkflowScene
from fancy_studio.gui.canvas.port_item import PortKind
from tests.example_ids import ADD, MULTIPLY, SCALED
from tests.gui.views import example_view, send_mouse


@pytest.fixture
def view(qtbot, qapp):
    return example_view(qtbot)


def misplaced_wires(scene: WorkflowScene) -> list:
    """Wires whose ends are not on the ports they join (empty when every wire is attached)."""
    wrong = []
    for wire in scene.wire_items():
        step_id, side, name = wire.key
        step, cell = scene.item_for(step_id), scene.item_for(wire.cell_id)
        if side == "inputs":
            ends = (cell.port(PortKind.CELL_OUTPUT).scenePos(), step.port(PortKind.STEP_INPUT, name).scenePos())
        else:
            ends = (step.port(PortKind.STEP_OUTPUT, name).scenePos(), cell.port(PortKind.CELL_INPUT).scenePos())
        if (wire.path().pointAtPercent(0), wire.path().pointAtPercent(1)) != ends:
            wrong.append(wire.key)
    return wrong


def test_dragging_one_of_several_selected_nodes_keeps_every_wire_on_its_ports(qtbot, view):
    scene = view.workflow_scene
    document = scene.document
    add, multiply = scene.item_for(ADD), scene.item_for(MULTIPLY)
    scene.select_ids({ADD, MULTIPLY, SCALED})
    before = {node_id: scene.item_for(node_id).pos() for node_id in (ADD, MULTIPLY, SCALED)}
    start = add.mapToScene(add.boundingRect().center().x(), 12)  # the header, away from the ports
    send_mouse(view, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    for t in (0.25, 0.5, 0.75, 1.0):
        send_mouse(view, QEvent.Type.MouseMove, start + QPointF(67, 33) * t, Qt.MouseButton.LeftButton)
        assert misplaced_wires(scene) == [], f"a wire left behind at {t:.0%} of the drag"
    assert multiply.pos() == before[MULTIPLY] + QPointF(67, 33)  # moved along with the dragged node
    send_mouse(view, QEvent.Type.MouseButtonRelease, start + QPointF(67, 33), Qt.MouseButton.NoButton)

    assert document.position(ADD) == (before[ADD].x() + 60, before[ADD].y() + 40)  # snapped to the grid
    assert add.pos() == QPointF(*document.position(ADD))
    assert misplaced_wires(scene) == []
    document.undo_stack.undo()
    assert {node_id: scene.item_for(node_id).pos() for node_id in before} == before
    assert misplaced_wires(scene) == []
    document.undo_stack.redo()
    assert multiply.pos() == QPointF(*document.position(MULTIPLY)) != before[MULTIPLY]
    assert misplaced_wires(scene) == []


def test_a_node_dropped_back_on_its_place_by_the_grid_takes_its_wires_back(qtbot, view):
    scene = view.workflow_scene
    add = scene.item_for(ADD)
    home = add.pos()
    start = add.mapToScene(add.boundingRect().center().x(), 12)
    send_mouse(view, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    send_mouse(view, QEvent.Type.MouseMove, start + QPointF(7, 6), Qt.MouseButton.LeftButton)
    assert add.pos() != home and misplaced_wires(scene) == []
    send_mouse(view, QEvent.Type.MouseButtonRelease, start + QPointF(7, 6), Qt.MouseButton.NoButton)
    assert add.pos() == home  # snapped back: no command, the node jumps home
    assert misplaced_wires(scene) == []
