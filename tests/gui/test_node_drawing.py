"""How nodes look on screen: the canvas is rendered into an image at a zoom and its pixels are read."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter

from fancy_studio.core.workflow import CellSpec, Position, Workflow, WorkflowStep
from fancy_studio.gui.canvas import WorkflowScene, WorkflowView, style
from fancy_studio.gui.canvas.port_item import PortItem
from fancy_studio.gui.document.document import WorkflowDocument
from tests.example_ids import ADD, CELSIUS, EXAMPLE
from tests.gui.views import example_document, shown_view


@pytest.fixture
def scene(qapp):
    return WorkflowScene(example_document())


def render(scene: WorkflowScene, source: QRectF, zoom: float) -> QImage:
    """`source` (scene coordinates) drawn at `zoom`, as the view would draw it."""
    image = QImage(round(source.width() * zoom), round(source.height() * zoom), QImage.Format.Format_RGB32)
    image.fill(style.BACKGROUND)
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), source)
    painter.end()
    return image


def near(pixel: QColor, colour: QColor, tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel.getRgb()[:3], colour.getRgb()[:3]))


@pytest.mark.parametrize("zoom", [1.0, 2.0])
def test_a_step_header_is_square_at_the_bottom_without_ears_and_holds_its_title(scene, zoom):
    item = scene.item_for(ADD)
    origin = item.scenePos()
    width, header = style.STEP_WIDTH, style.HEADER_HEIGHT
    image = render(scene, QRectF(origin.x(), origin.y(), width, header + 12), zoom)

    def at(x: float, y: float) -> QColor:
        return image.pixelColor(int(x * zoom), int(y * zoom))

    # the header's last rows are header colour from border to border: no hole in the middle, so the
    # bottom corners do not stand out as "ears"
    for y in (header - 5, header - 2):
        row = [at(x, y) for x in range(3, int(width) - 3, 2)]
        assert all(near(p, item.header) for p in row if not _is_text(p)), f"header row {y} has a hole"
    # below the header it is the body, corners included
    for x in (3, 6, width / 2, width - 6, width - 3):
        assert near(at(x, header + 3), style.NODE_BODY), f"header colour below the header at x={x}"
    # above the rounded top corners it is the canvas
    assert near(at(0.5, 0.5), style.BACKGROUND) and near(at(width - 0.5, 0.5), style.BACKGROUND)

    # the title's text lies inside the header, with header colour below its lowest pixel
    text_rows = [y for y in range(image.height()) if any(_is_text(image.pixelColor(x, y))
                                                         for x in range(int(8 * zoom), int(60 * zoom)))]
    assert text_rows, "no title drawn"
    assert max(text_rows) < (header - 2) * zoom
    assert QFontMetricsF(style.TITLE_FONT).height() <= header - 4


def _is_text(pixel: QColor) -> bool:
    return pixel.lightness() > 170


def chain(steps: int, columns: int = 60) -> Workflow:
    """x0 → increment → x1 → … laid out as a snake of rows `columns` nodes wide (as in bench_canvas)."""
    workflow = Workflow(name=f"chain of {steps}")
    cell = workflow.input_cell("x0", 0)
    nodes = [cell.id]
    for i in range(steps):
        out = CellSpec(alias=f"x{i + 1}")
        workflow.steps.append(WorkflowStep(function_slug="math.increment", inputs={"x": cell.id},
                                           outputs={"return": out.id}))
        workflow.cells.append(out)
        nodes += [workflow.steps[-1].id, out.id]
        cell = out
    for index, node_id in enumerate(nodes):
        row, col = divmod(index, columns)
        workflow.layout[node_id] = Position(x=(col if row % 2 == 0 else columns - 1 - col) * 240.0, y=row * 120.0)
    return workflow


def test_a_frame_at_actual_size_asks_only_the_ports_in_view_for_their_bounds(qtbot, monkeypatch):
    """A repaint at 100 % costs what is visible: Qt must not ask every port of a big workflow (a
    Python call each) for its bounding rect just because its node is in the same index cell."""
    calls = []
    bounds = PortItem.boundingRect
    monkeypatch.setattr(PortItem, "boundingRect", lambda port: calls.append(port) or bounds(port))
    document = WorkflowDocument()
    document.replace(chain(3000))
    view = shown_view(qtbot, document)
    view.set_zoom(1.0)
    view.centerOn(2000, 600)
    view.viewport().grab()
    calls.clear()

    view.viewport().grab()
    asked = len(calls)

    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    in_view = [port for port in view.items(view.viewport().rect()) if isinstance(port, PortItem)]
    assert in_view and len(in_view) < 200 and not view.workflow_scene.overview
    assert asked <= 3 * len(in_view), f"{asked} boundingRect calls for {len(in_view)} ports in {shown}"


def _view_on_add(qtbot, scene: WorkflowScene) -> WorkflowView:
    """A shown view on the scene's document at 100 %, centred on the Add step."""
    view = shown_view(qtbot, scene.document, size=(800, 600))
    view.set_zoom(1.0)
    view.centerOn(view.workflow_scene.item_for(ADD))
    return view


def test_the_outer_half_of_a_port_is_still_under_the_pointer(qtbot, scene):
    """A port pokes out of its node's body; the pointer finds it there too (Qt skips the children of
    a node whose shape misses the point, so the node's shape takes in its ports)."""
    view = _view_on_add(qtbot, scene)
    item = view.workflow_scene.item_for(ADD)
    for port in item.ports:
        outside = port.scenePos() + QPointF(-6 if port.kind.is_input else 6, 0)
        assert view.itemAt(view.mapFromScene(outside)) is port


def _ring_pixels(view: WorkflowView, port, colour: QColor) -> int:
    """Pixels of `colour` within 9 px of the port's centre, as the view shows them at 100 %."""
    image = view.viewport().grab().toImage()
    centre = view.mapFromScene(port.scenePos())
    return sum(near(image.pixelColor(centre.x() + dx, centre.y() + dy), colour, 30)
               for dx in range(-9, 10) for dy in range(-9, 10))


def test_a_port_at_rest_is_drawn_by_its_node_and_lights_up_on_its_own_during_a_drag(qtbot, scene):
    view = _view_on_add(qtbot, scene)
    item = view.workflow_scene.item_for(ADD)
    port = item.ports[0]
    assert _ring_pixels(view, port, port.color) > 30  # the node's picture shows it
    assert _ring_pixels(view, port, style.ACCEPT) == 0

    port.set_accepting(True)  # what a wire drag does to a port that would take the wire
    assert _ring_pixels(view, port, style.ACCEPT) > 20
    port.set_accepting(None)
    assert _ring_pixels(view, port, style.ACCEPT) == 0


def _zoomed_view(qtbot, workflow: Workflow, zoom: float) -> WorkflowView:
    document = WorkflowDocument()
    document.replace(workflow)
    view = shown_view(qtbot, document)
    view.set_zoom(zoom)
    view.centerOn(view.workflow_scene.nodes_rect().center())
    return view


def _differing_pixels(image: QImage, box, colour: QColor) -> int:
    """Pixels in `box` (view coordinates) far from `colour`: text drawn on a block of that colour."""
    inner = box.adjusted(2, 2, -2, -2)
    return sum(not near(image.pixelColor(x, y), colour, 40)
               for x in range(inner.left(), inner.right()) for y in range(inner.top(), inner.bottom()))


def test_zoomed_out_to_24_percent_every_step_still_shows_its_title(qtbot):
    """A 9-step workflow fitted at 24 % is an overview of plain blocks; each block carries its title,
    drawn at a readable size on screen rather than shrunk with the zoom."""
    view = _zoomed_view(qtbot, chain(9, columns=6), 0.24)
    assert view.workflow_scene.overview
    image = view.viewport().grab().toImage()
    steps = [item for item in view.workflow_scene.node_items() if hasattr(item, "header")]
    assert len(steps) == 9
    for item in steps:
        block = view.mapFromScene(item.mapRectToScene(item.body_rect())).boundingRect()
        fill = item.low_detail_color()
        assert near(image.pixelColor(block.left() + 1, block.top() + 1), fill, 40)  # it is the block
        assert _differing_pixels(image, block, fill) >= 20, f"no title on {item.title}"


def test_zoomed_out_to_45_percent_a_step_title_is_drawn_larger_than_the_zoom_would_make_it(qtbot, scene):
    """Just above the overview a title would be 5 px tall on screen; it is drawn at a readable size."""
    view = _zoomed_view(qtbot, scene.document.workflow, 0.45)
    assert not view.workflow_scene.overview
    image = view.viewport().grab().toImage()
    item = view.workflow_scene.item_for(ADD)
    header = view.mapFromScene(item.mapRectToScene(QRectF(0, 0, style.STEP_WIDTH, style.HEADER_HEIGHT)))
    box = header.boundingRect()
    rows = [y for y in range(box.top(), box.bottom())
            if any(_is_text(image.pixelColor(x, y)) for x in range(box.left() + 2, box.left() + 40))]
    assert _tallest_run(rows) >= 7, f"title {_tallest_run(rows)} px tall"
    assert max(rows) < box.bottom() - 1  # and it stays in the header
    # a cell's alias is enlarged too, a little less (it shares the cell with its value, see the next test):
    # at the zoom's own size it would be 4 px tall
    cell = view.workflow_scene.item_for(CELSIUS)
    box = view.mapFromScene(cell.mapRectToScene(cell.body_rect())).boundingRect()
    rows = [y for y in range(box.top(), box.bottom())
            if any(_is_text(image.pixelColor(x, y)) for x in range(box.left() + 6, box.right() - 6))]
    assert _tallest_run(rows) >= 6, f"alias {_tallest_run(rows)} px tall"


def _tallest_run(rows: list[int]) -> int:
    """The most consecutive rows in `rows`: the height of the tallest line of text."""
    best = run = 0
    for i, row in enumerate(rows):
        run = run + 1 if i and row == rows[i - 1] + 1 else 1
        best = max(best, run)
    return best


@pytest.fixture
def ran_example(qtbot, monkeypatch):
    """The studio's window on the example, run once by a click on the toolbar's Run button."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QToolBar

    from fancy_studio.gui.window.main_window import MainWindow
    from tests.gui.dialogs import answer_dialogs

    answer_dialogs(monkeypatch)
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_workflow(EXAMPLE)
    button = window.findChild(QToolBar, "main-toolbar").widgetForAction(window.run_actions.run_action)
    with qtbot.waitSignal(window.runner.finished, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(cell.literal or cell.computed for cell in _cells(window.scene)), timeout=2000)
    yield window
    window.runner.shutdown()


def _cells(scene: WorkflowScene) -> list:
    return [item for item in scene.node_items() if hasattr(item, "value_text")]


def _text_lines(image: QImage, box, fill: QColor) -> list[list[int]]:
    """The lines of text in `box` (view coordinates) on a cell of colour `fill`: runs of rows holding
    pixels far from it, top to bottom."""
    rows = [y for y in range(box.top() + 1, box.bottom())
            if any(not near(image.pixelColor(x, y), fill, 60) for x in range(box.left() + 2, box.right() - 1))]
    lines: list[list[int]] = []
    for y in rows:
        if lines and y == lines[-1][-1] + 1:
            lines[-1].append(y)
        else:
            lines.append([y])
    return lines


def _green_pixels(image: QImage, box) -> int:
    """Pixels in `box` clearly greener than grey or blue: a done run's green, even thinly antialiased."""
    def green(pixel: QColor) -> bool:
        return pixel.green() - max(pixel.red(), pixel.blue()) >= 25
    return sum(green(image.pixelColor(x, y)) for x in range(box.left(), box.right() + 1)
               for y in range(box.top(), box.bottom() + 1))


@pytest.mark.parametrize("zoom", [0.5, 0.45])
def test_after_a_run_zoomed_out_every_cell_shows_its_alias_and_its_value(ran_example, zoom):
    """The example opens fitted at about 50 %: there each cell still shows its value under its alias,
    an input's value and a computed cell's "= 38.7" (in the run's green), not its alias alone."""
    view = ran_example.view
    view.set_zoom(zoom)
    assert view.zoom() == pytest.approx(zoom) and not view.workflow_scene.overview
    cells = _cells(view.workflow_scene)
    assert len(cells) == 7 and sum(not cell.literal for cell in cells) == 3
    for cell in cells:
        view.centerOn(cell)
        image = view.viewport().grab().toImage()
        body = cell.mapRectToScene(cell.body_rect())
        # the text area: clear of the ports and the round ends (its top and bottom rows are the border)
        box = view.mapFromScene(body.adjusted(12, 0, -12, 0)).boundingRect()
        fill = image.pixelColor(view.mapFromScene(body.left() + 9, body.center().y()))
        lines = _text_lines(image, box, fill)
        tall = [line for line in lines if len(line) >= 5]  # a line of text, not a stray pixel
        assert len(tall) == 2, f"{cell.alias} at {zoom:.0%}: {len(tall)} lines of text {lines}"
        alias, value = tall
        assert len(alias) >= 6, f"{cell.alias}'s alias is {len(alias)} px tall"
        assert len(value) >= 5, f"{cell.alias}'s value {cell.value_text!r} is {len(value)} px tall"
        assert value[0] > box.center().y() - 2  # the value is the lower line
        if not cell.literal:  # a computed cell's value is in the run's green, the alias is not
            assert cell.value_text.startswith("= ")
            value_band = box.adjusted(0, value[0] - box.top(), 0, value[-1] - box.bottom())
            alias_band = box.adjusted(0, alias[0] - box.top(), 0, alias[-1] - box.bottom())
            assert _green_pixels(image, value_band) >= 10, cell.alias
            assert _green_pixels(image, alias_band) == 0, cell.alias
