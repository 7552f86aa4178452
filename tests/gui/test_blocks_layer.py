"""Zoomed out so far that no title fits on a block, one layer paints every node's block (and the wires);
the node items stay in the scene for selection and hit-testing, and the picture is the same."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QGraphicsItem

from fancy_studio.core.store import InMemoryStore
from fancy_studio.gui.canvas import WorkflowView, style
from fancy_studio.gui.canvas.blocks_layer import BLOCKS_LOD
from fancy_studio.gui.canvas.node_items import StepNodeItem
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.run.status import RunStatusModel
from tests.gui.test_node_drawing import chain, near
from tests.gui.views import shown_view

NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


def _far_out_view(qtbot, steps: int = 30) -> WorkflowView:
    document = WorkflowDocument()
    document.replace(chain(steps, columns=10))
    view = shown_view(qtbot, document)
    view.set_zoom(0.1)
    view.centerOn(view.workflow_scene.nodes_rect().center())
    return view


def _block_centre(view: WorkflowView, item) -> QPoint:
    return view.mapFromScene(item.mapRectToScene(item.body_rect()).center())


def _pixel(view: WorkflowView, item) -> QColor:
    image: QImage = view.viewport().grab().toImage()
    point = _block_centre(view, item)
    return image.pixelColor(point.x(), point.y())


def _steps(view: WorkflowView) -> list[StepNodeItem]:
    return [item for item in view.workflow_scene.node_items() if isinstance(item, StepNodeItem)]


def test_far_out_every_block_is_painted_by_one_layer_in_its_colour_and_still_answers_the_pointer(qtbot):
    view = _far_out_view(qtbot)
    scene = view.workflow_scene
    assert view.zoom() < BLOCKS_LOD and scene.blocks is not None
    assert all(item.flags() & NO_CONTENTS for item in scene.node_items())
    for item in scene.node_items():
        assert near(_pixel(view, item), item.low_detail_color(), 30), item.overview_title()
        assert view.node_at(_block_centre(view, item)) is item  # hit-testing is the items' own
    layer = scene.blocks
    view.set_zoom(0.3)  # titles fit again: the items paint themselves, the layer is gone
    assert scene.blocks is None and layer not in scene.items()
    assert not any(item.flags() & NO_CONTENTS for item in scene.node_items())


def test_far_out_a_run_state_and_a_selection_recolour_their_blocks(qtbot):
    view = _far_out_view(qtbot)
    scene = view.workflow_scene
    status = RunStatusModel(InMemoryStore())
    scene.set_run_status(status)
    first, second = _steps(view)[:2]
    before = _pixel(view, first)
    status.begin([first.node_id])  # queued: a state colour instead of the header's
    qtbot.waitUntil(lambda: not scene._dirty_steps)
    queued = first.low_detail_color()
    assert not near(queued, before, 10)
    qtbot.waitUntil(lambda: near(_pixel(view, first), queued, 30))
    scene.select_ids({second.node_id})
    qtbot.waitUntil(lambda: near(_pixel(view, second), style.SELECTED, 30))
    scene.select_ids(set())
    qtbot.waitUntil(lambda: near(_pixel(view, second), second.low_detail_color(), 30))


def test_far_out_a_moved_node_is_drawn_where_it_went_and_an_emptied_canvas_holds_no_item(qtbot):
    view = _far_out_view(qtbot, steps=4)
    scene, document = view.workflow_scene, view.document
    item = _steps(view)[0]
    x, y = document.position(item.node_id)
    document.move_nodes({item.node_id: (x, y + 600)})
    assert near(_pixel(view, item), item.low_detail_color(), 30)
    scene.select_ids({node.node_id for node in scene.node_items()})
    document.remove_nodes(scene.selected_ids())
    assert scene.items() == []


def _wire_drawn(view: WorkflowView, wire) -> bool:
    """Whether a pixel around the middle of the wire's curve has its colour (a hairline: look around)."""
    image: QImage = view.viewport().grab().toImage()
    centre = view.mapFromScene(wire.mapToScene(wire.path().pointAtPercent(0.5)))
    return any(near(image.pixelColor(centre.x() + dx, centre.y() + dy), wire.color, 40)
               for dx in range(-2, 3) for dy in range(-2, 3))


def test_far_out_the_wires_are_a_cached_picture_that_a_run_leaves_alone(qtbot, monkeypatch):
    from fancy_studio.gui.canvas import blocks_layer

    painted = []
    paint = blocks_layer.WiresPicture.paint
    monkeypatch.setattr(blocks_layer.WiresPicture, "paint",
                        lambda self, *args: (painted.append(1), paint(self, *args)))
    view = _far_out_view(qtbot)
    scene = view.workflow_scene
    wires = list(scene._wires.values())
    assert wires and all(_wire_drawn(view, wire) for wire in wires[:5])
    status = RunStatusModel(InMemoryStore())
    scene.set_run_status(status)
    first = _steps(view)[0]
    before = len(painted)
    status.begin([item.node_id for item in _steps(view)])  # every block recoloured, as a run does
    qtbot.waitUntil(lambda: near(_pixel(view, first), first.low_detail_color(), 30))
    assert len(painted) == before  # the blocks were painted anew over the cached wires
    assert all(_wire_drawn(view, wire) for wire in wires[:5])
    # a wire that goes is gone from the picture
    gone = wires[0]
    view.document.remove_nodes({next(iter(view.document.workflow.steps)).id})
    qtbot.waitUntil(lambda: len(painted) > before)
    assert gone.scene() is None


def test_far_out_a_run_reads_no_value_until_its_cell_is_drawn_again(qtbot, monkeypatch):
    """A block shows no value: the cells a run computed read the store only once they are drawn again
    (zoomed in), in the catch-up's slices; and then they show what the run stored."""
    from fancy_studio.core.engine import Engine
    from fancy_studio.gui.canvas.node_items import CellNodeItem

    view = _far_out_view(qtbot, steps=6)
    scene = view.workflow_scene
    store = InMemoryStore()
    status = RunStatusModel(store)
    scene.set_run_status(status)
    reads = []
    computed_value = status.computed_value
    monkeypatch.setattr(status, "computed_value", lambda cell_id: reads.append(cell_id) or computed_value(cell_id))
    workflow = view.document.workflow
    status.begin([step.id for step in workflow.steps])
    result = Engine(store).run(workflow)
    assert result.ok
    status.end(result)
    qtbot.waitUntil(lambda: not scene._dirty_steps and not scene._dirty_cells)
    assert reads == []
    view.set_zoom(1.0)
    qtbot.waitUntil(lambda: not scene._dirty_cells)
    last = workflow.steps[-1].outputs["return"]
    cell = next(item for item in scene.node_items() if isinstance(item, CellNodeItem) and item.node_id == last)
    assert last in reads and cell.value_text == "= 6"
