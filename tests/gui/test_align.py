"""View ▸ Align and a multi-selection's menu: align and distribute the selected nodes (and frames and
notes), each ONE undo step that Ctrl+Z takes back; disabled below two (distribute: three) items. And
Auto Layout (Ctrl+L) on a selection lays out only the selected nodes."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from fancy_studio.core import CellSpec, Frame, Note, Position, Workflow, WorkflowStep
from fancy_studio.gui.canvas.annotation_layer import item_rect
from fancy_studio.gui.window.main_window import MainWindow
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window

CTRL = Qt.KeyboardModifier.ControlModifier
ALIGNS = ["align-left-action", "align-right-action", "align-top-action", "align-bottom-action",
          "align-horizontal-centres-action", "align-vertical-centres-action"]
DISTRIBUTES = ["distribute-horizontally-action", "distribute-vertically-action"]


@pytest.fixture(autouse=True)
def _no_blocking_dialogs(monkeypatch):
    answer_dialogs(monkeypatch)


def scattered(path: Path) -> tuple[Path, list[UUID]]:
    """x → increment → y → negate → z, and an input k read by add(z, k): nodes scattered, none aligned."""
    workflow = Workflow(name="scattered")
    x, k = workflow.input_cell("x", 1), workflow.input_cell("k", 2)
    y, z, total = CellSpec(alias="y"), CellSpec(alias="z"), CellSpec(alias="total")
    workflow.cells += [y, z, total]
    steps = [WorkflowStep(function_slug="math.increment", inputs={"x": x.id}, outputs={"return": y.id}),
             WorkflowStep(function_slug="math.negate", inputs={"x": y.id}, outputs={"return": z.id}),
             WorkflowStep(function_slug="math.add", inputs={"a": z.id, "b": k.id}, outputs={"return": total.id})]
    workflow.steps += steps
    places = {x.id: (0, 40), steps[0].id: (240, 160), y.id: (520, 0), steps[1].id: (700, 260),
              z.id: (1040, 120), k.id: (1000, 420), steps[2].id: (1300, 220), total.id: (1640, 80)}
    for node_id, (px, py) in places.items():
        workflow.layout[node_id] = Position(x=px, y=py)
    path.write_text(workflow.model_dump_json(), encoding="utf-8")
    return path, [x.id, steps[0].id, y.id, steps[1].id, z.id, k.id, steps[2].id, total.id]


@pytest.fixture
def window(qtbot, tmp_path) -> MainWindow:
    path, _ = scattered(tmp_path / "scattered.json")
    window = active_window(qtbot, path)
    window.resize(1400, 900)
    window.zoom_fit_action.trigger()
    return window


def node_ids(window: MainWindow) -> list[UUID]:
    """x, increment, y, negate, z, k, add, total: the pipeline's order."""
    graph = window.document.graph
    cells = {c.alias: c.id for c in graph.cells}
    steps = {s.function_slug: s.id for s in graph.steps}
    return [cells["x"], steps["math.increment"], cells["y"], steps["math.negate"], cells["z"], cells["k"],
            steps["math.add"], cells["total"]]


def click(qtbot, window: MainWindow, item_id: UUID, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A real click on a node's body (with Ctrl: added to the selection)."""
    item = window.scene.item_for(item_id) or window.scene.annotations.item_for(item_id)
    rect = item_rect(item)
    where = rect.center() if window.scene.item_for(item_id) else rect.topLeft() + QPointF(30, 8)  # a title bar
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, modifier, window.view.mapFromScene(where))


def select_by_clicks(qtbot, window: MainWindow, ids: list[UUID]) -> None:
    click(qtbot, window, ids[0])
    for item_id in ids[1:]:
        click(qtbot, window, item_id, CTRL)
    assert window.scene.selected_ids() | window.scene.selected_annotation_ids() == set(ids)


def from_menu(window: MainWindow, name: str) -> QAction:
    """The action as View ▸ Align lists it (and trigger it from there)."""
    menu = window.findChild(QMenu, "align-menu")
    assert menu is not None and menu.parent() is window.findChild(QMenu, "view-menu")
    action = next(a for a in menu.actions() if a.objectName() == name)
    return action


def rects(window: MainWindow, ids) -> dict[UUID, tuple[float, float, float, float]]:
    out = {}
    for item_id in ids:
        item = window.scene.item_for(item_id) or window.scene.annotations.item_for(item_id)
        r = item_rect(item)
        out[item_id] = (r.left(), r.top(), r.right(), r.bottom())
    return out


def positions(window: MainWindow) -> dict[UUID, tuple[float, float]]:
    return {n: window.document.position(n) for n in node_ids(window)}


@pytest.mark.parametrize("name", ALIGNS)
def test_align_lines_the_selected_nodes_up_in_one_undo_step(qtbot, window, name):
    ids = node_ids(window)
    chosen = [ids[1], ids[4], ids[6]]  # a step, a cell, a step: different widths and heights
    select_by_clicks(qtbot, window, chosen)
    before, count = positions(window), window.document.undo_stack.count()
    action = from_menu(window, name)
    assert action.isEnabled()
    action.trigger()
    after = rects(window, chosen)
    lefts, tops = [r[0] for r in after.values()], [r[1] for r in after.values()]
    rights, bottoms = [r[2] for r in after.values()], [r[3] for r in after.values()]
    centres_x = [(r[0] + r[2]) / 2 for r in after.values()]
    centres_y = [(r[1] + r[3]) / 2 for r in after.values()]
    lined_up = {"align-left-action": lefts, "align-right-action": rights, "align-top-action": tops,
                "align-bottom-action": bottoms, "align-horizontal-centres-action": centres_x,
                "align-vertical-centres-action": centres_y}[name]
    assert max(lined_up) - min(lined_up) <= 1, lined_up
    moved_across = {"align-left-action": tops, "align-right-action": tops, "align-horizontal-centres-action": tops,
                    "align-top-action": lefts, "align-bottom-action": lefts,
                    "align-vertical-centres-action": lefts}[name]
    assert moved_across == [before[n][1 if name in ALIGNS[:2] + ALIGNS[4:5] else 0] for n in chosen], \
        "only along one axis"
    unselected = [n for n in ids if n not in chosen]
    assert all(window.document.position(n) == before[n] for n in unselected)
    assert window.document.undo_stack.count() == count + 1
    assert window.document.undo_stack.undoText() == action.text().replace("&", "")
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_Z, CTRL)
    assert positions(window) == before
    assert {item.node_id: (item.x(), item.y()) for item in window.scene.node_items()} == before


def test_align_left_and_top_use_the_outermost_edges(qtbot, window):
    ids = node_ids(window)
    chosen = [ids[2], ids[3], ids[5]]
    select_by_clicks(qtbot, window, chosen)
    before = rects(window, chosen)
    from_menu(window, "align-left-action").trigger()
    assert {r[0] for r in rects(window, chosen).values()} == {min(r[0] for r in before.values())}
    from_menu(window, "align-top-action").trigger()
    assert {r[1] for r in rects(window, chosen).values()} == {min(r[1] for r in before.values())}


@pytest.mark.parametrize("name", DISTRIBUTES)
def test_distribute_leaves_equal_gaps_and_keeps_the_outermost(qtbot, window, name):
    ids = node_ids(window)
    chosen = [ids[0], ids[1], ids[3], ids[4], ids[7]]
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_A, CTRL)  # Select All, then Ctrl+click the rest away
    for item_id in ids:
        if item_id not in chosen:
            click(qtbot, window, item_id, CTRL)
    assert window.scene.selected_ids() == set(chosen)
    horizontal = name == "distribute-horizontally-action"
    lo, hi = (0, 2) if horizontal else (1, 3)
    before = rects(window, chosen)
    count = window.document.undo_stack.count()
    from_menu(window, name).trigger()
    after = sorted(rects(window, chosen).values(), key=lambda r: (r[lo] + r[hi]) / 2)
    gaps = [b[lo] - a[hi] for a, b in zip(after, after[1:])]
    assert max(gaps) - min(gaps) <= 1, gaps
    assert after[0][lo] == min(r[lo] for r in before.values())
    assert after[-1][hi] == pytest.approx(max(r[hi] for r in before.values()), abs=1)
    assert window.document.undo_stack.count() == count + 1
    window.document.undo_stack.undo()
    assert rects(window, chosen) == before


def test_the_actions_need_two_items_to_align_and_three_to_distribute(qtbot, window):
    ids = node_ids(window)
    menu_actions = {name: from_menu(window, name) for name in ALIGNS + DISTRIBUTES}
    click(qtbot, window, ids[0])
    assert not any(a.isEnabled() for a in menu_actions.values())
    click(qtbot, window, ids[1], CTRL)
    assert all(menu_actions[n].isEnabled() for n in ALIGNS)
    assert not any(menu_actions[n].isEnabled() for n in DISTRIBUTES)
    click(qtbot, window, ids[2], CTRL)
    assert all(a.isEnabled() for a in menu_actions.values())
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))  # empty canvas
    assert not any(a.isEnabled() for a in menu_actions.values())


def test_a_multi_selections_menu_offers_align(qtbot, window):
    ids = node_ids(window)
    select_by_clicks(qtbot, window, [ids[1], ids[3]])
    item = window.scene.item_for(ids[3])
    where = window.view.viewport().mapToGlobal(window.view.mapFromScene(item_rect(item).center()))
    window._context_menu(ids[3], where)
    menu = window.findChild(QMenu, "canvas-context-menu")
    submenu = menu.findChild(QMenu, "align-context-menu")
    assert submenu is not None
    names = [a.objectName() for a in submenu.actions() if not a.isSeparator()]
    assert names == ALIGNS + DISTRIBUTES
    before = window.document.position(ids[1])
    next(a for a in submenu.actions() if a.objectName() == "align-top-action").trigger()
    assert window.document.position(ids[1])[1] == min(before[1], window.document.position(ids[3])[1])
    menu.close()


def test_a_single_nodes_menu_has_no_align(qtbot, window):
    ids = node_ids(window)
    click(qtbot, window, ids[1])
    item = window.scene.item_for(ids[1])
    window._context_menu(ids[1], window.view.viewport().mapToGlobal(window.view.mapFromScene(item_rect(item).center())))
    menu = window.findChild(QMenu, "canvas-context-menu")
    assert menu.findChild(QMenu, "align-context-menu") is None
    menu.close()


def test_a_frame_aligned_with_a_node_carries_what_is_inside_it(qtbot, window):
    """A frame around x and increment, and a note: Align Top with the node `total` moves the frame, x and
    the increment together (as a drag would), and the note; one undo step puts all back."""
    document = window.document
    ids = node_ids(window)
    frame = Frame(title="Start", x=-40, y=-40, width=520, height=320)
    note = Note(text="a note", x=700, y=500, width=200, height=80)
    document.add_annotation(frame)
    document.add_annotation(note)
    window.zoom_fit_action.trigger()
    inside = [ids[0], ids[1]]  # x at (0, 40), increment at (240, 160): inside the frame
    total = ids[7]
    select_by_clicks(qtbot, window, [frame.id, note.id, total])
    before_nodes = positions(window)
    count = document.undo_stack.count()
    from_menu(window, "align-bottom-action").trigger()
    bottoms = {r[3] for r in rects(window, [frame.id, note.id, total]).values()}
    assert len(bottoms) == 1
    frame_dy = document.find_annotation(frame.id).y - (-40)
    assert frame_dy != 0
    for node_id in inside:
        assert document.position(node_id) == (before_nodes[node_id][0], before_nodes[node_id][1] + frame_dy)
    assert document.undo_stack.count() == count + 1
    assert document.undo_stack.undoText() == "Align Bottom"
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_Z, CTRL)
    assert positions(window) == before_nodes
    assert (document.find_annotation(frame.id).x, document.find_annotation(frame.id).y) == (-40, -40)
    assert (document.find_annotation(note.id).x, document.find_annotation(note.id).y) == (700, 500)


def test_auto_layout_of_a_selection_moves_only_the_selected_nodes(qtbot, window):
    ids = node_ids(window)
    chosen = [ids[2], ids[3], ids[4], ids[5], ids[6]]  # y, negate, z, k, add
    select_by_clicks(qtbot, window, chosen)
    before = positions(window)
    corner = (min(before[n][0] for n in chosen), min(before[n][1] for n in chosen))
    count = window.document.undo_stack.count()
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_L, CTRL)
    after = positions(window)
    assert all(after[n] == before[n] for n in ids if n not in chosen), "the others stay"
    assert any(after[n] != before[n] for n in chosen)
    assert (min(after[n][0] for n in chosen), min(after[n][1] for n in chosen)) == corner, "where they were"
    xs = [after[n][0] for n in (ids[2], ids[3], ids[4], ids[6])]
    assert xs == sorted(xs) and len(set(xs)) == 4, "left to right by dependency"
    assert after[ids[5]][0] == after[ids[4]][0], "k beside z, both read by add"
    assert window.document.undo_stack.count() == count + 1
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_Z, CTRL)
    assert positions(window) == before


def test_auto_layout_with_one_node_selected_lays_out_everything(qtbot, window):
    ids = node_ids(window)
    click(qtbot, window, ids[3])
    before = positions(window)
    qtbot.keyClick(window.view.viewport(), Qt.Key.Key_L, CTRL)
    assert window.document.undo_stack.undoText() == "Auto Layout"
    assert sum(positions(window)[n] != before[n] for n in ids) > 1
