"""Select All + Delete of a big workflow, and its undo: the window updates its panels once, not per node.

Deleting 3,000 steps used to take over a minute: Qt emits `selectionChanged` for every selected item
removed, and each emission re-synced the inspector and the Datums table with the whole selection. These
tests count those syncs (never time them; `tests/benchmarks/bench_delete.py` measures), and check that
what the user sees afterwards is exactly right.
"""

from __future__ import annotations

import gc
import sys
from collections import Counter
from contextlib import contextmanager
from uuid import UUID

import pytest
from PySide6.QtCore import Qt

from fancy_studio.core import CellSpec, Position, Workflow, WorkflowStep
from fancy_studio.gui.document.commands import copied
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.window.main_window import MainWindow

from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window

STEPS = 300
CTRL = Qt.KeyboardModifier.ControlModifier


def chain(n: int) -> Workflow:
    """x0 → increment → x1 → … → xn, on a grid (no node on top of another)."""
    workflow = Workflow(name=f"chain of {n}")
    cell = workflow.input_cell("x0", 0)
    nodes = [cell.id]
    for i in range(n):
        out = workflow.output_cell(f"x{i + 1}")
        step = workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": cell.id},
                                              outputs={"return": out.id}))
        nodes += [step.id, out.id]
        cell = out
    for i, node_id in enumerate(nodes):
        workflow.layout[node_id] = Position(x=(i % 30) * 200.0, y=(i // 30) * 120.0)
    return workflow


def press(qtbot, window: MainWindow, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed on the canvas, where the user's keyboard focus is."""
    qtbot.keyClick(window.view.viewport(), key, modifier)


def canvas(window: MainWindow) -> tuple[dict[UUID, tuple[float, float]], set[tuple[UUID, str, str]]]:
    """What the canvas draws: each node's position, and the wires by (step, side, port)."""
    nodes = {item.node_id: (item.x(), item.y()) for item in window.scene.node_items()}
    return nodes, {wire.key for wire in window.scene.wire_items()}


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    answer_dialogs(monkeypatch)  # closing the edited window at the end: Discard
    path = tmp_path / "chain.json"
    from fancy_studio.core.workflow_file import save_workflow

    save_workflow(chain(STEPS), path)
    win = active_window(qtbot, path)
    win.view.setFocus()
    return win


def count_calls(monkeypatch, obj, name: str) -> list[int]:
    """Count calls of obj.name (still calling it)."""
    calls = [0]
    original = getattr(obj, name)

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, counted)
    return calls


@contextmanager
def python_calls(*names: str):
    """Count the calls into the studio's Python functions of these names while the block runs, those that
    Qt makes from C++ (an item's itemChange()) included."""
    calls: Counter[str] = Counter()

    def profile(frame, event, arg):
        code = frame.f_code
        if event == "call" and code.co_name in names and "fancy_studio" in code.co_filename:
            calls[code.co_name] += 1

    sys.setprofile(profile)
    try:
        yield calls
    finally:
        sys.setprofile(None)


def test_undo_and_paste_build_nodes_and_wires_without_python_calls_per_item_change(qtbot, window):
    """Qt calls an item's itemChange() for each flag, z value, tooltip, child and scene change: a node
    that overrode it cost some ten calls into Python as it was built, a fifth of undoing a 3,000-step delete.
    A wire's pen was made twice in the overview (once plain, once a hairline)."""
    scene = window.scene
    assert scene.overview  # 300 steps fitted to the window: the mode in which the pen was made twice
    press(qtbot, window, Qt.Key.Key_A, CTRL)
    press(qtbot, window, Qt.Key.Key_Delete)
    with python_calls("itemChange", "_apply_pen") as calls:
        press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert len(scene.node_items()) == 2 * STEPS + 1 and len(scene.wire_items()) == 2 * STEPS
    assert calls["itemChange"] == 0  # 5,410 before (9 per node)
    assert calls["_apply_pen"] == 2 * STEPS  # once per wire: twice before

    press(qtbot, window, Qt.Key.Key_A, CTRL)
    press(qtbot, window, Qt.Key.Key_X, CTRL)
    with python_calls("itemChange", "_apply_pen") as calls:
        press(qtbot, window, Qt.Key.Key_V, CTRL)
    assert len(scene.node_items()) == 2 * STEPS + 1 and len(scene.wire_items()) == 2 * STEPS
    assert calls["itemChange"] == 0
    assert calls["_apply_pen"] == 2 * STEPS


def test_the_garbage_collector_waits_while_a_bulk_change_builds_the_canvas_and_resumes_after(qtbot, window):
    """The items and model copies of a bulk change set off collections of the whole heap on the way;
    none of them is garbage before the change is over."""
    collections_inside = []

    def count(phase, info):
        if phase == "start" and window.scene._many_changing:
            collections_inside.append(info["generation"])

    press(qtbot, window, Qt.Key.Key_A, CTRL)
    gc.callbacks.append(count)
    try:
        press(qtbot, window, Qt.Key.Key_Delete)
        press(qtbot, window, Qt.Key.Key_Z, CTRL)
    finally:
        gc.callbacks.remove(count)
    assert len(window.scene.node_items()) == 2 * STEPS + 1
    assert collections_inside == []  # 9 at 300 steps before
    assert gc.isenabled()

    gc.disable()  # whoever turned it off keeps it off
    try:
        press(qtbot, window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
        assert not window.scene.node_items() and not gc.isenabled()
    finally:
        gc.enable()


def test_select_all_then_delete_syncs_the_panels_once_not_per_node(qtbot, monkeypatch, window):
    datum_syncs = count_calls(monkeypatch, window.datums, "select_cells")
    inspector_syncs = count_calls(monkeypatch, window.inspector, "show_selection")
    emitted = []
    window.scene.selectionChanged.connect(lambda: emitted.append(1))

    press(qtbot, window, Qt.Key.Key_A, CTRL)
    assert len(window.scene.selected_ids()) == 2 * STEPS + 1
    press(qtbot, window, Qt.Key.Key_Delete)

    # one sync for Select All, one for the delete: 2 * STEPS + 2 before the fix
    assert len(emitted) == 2
    assert datum_syncs[0] == 2
    assert inspector_syncs[0] == 2


def test_cut_and_paste_of_everything_sync_the_panels_a_few_times_not_per_node(qtbot, monkeypatch, window):
    press(qtbot, window, Qt.Key.Key_A, CTRL)
    datum_syncs = count_calls(monkeypatch, window.datums, "select_cells")
    press(qtbot, window, Qt.Key.Key_X, CTRL)
    assert not window.scene.node_items()
    press(qtbot, window, Qt.Key.Key_V, CTRL)
    assert len(window.scene.node_items()) == 2 * STEPS + 1
    assert datum_syncs[0] <= 3


def test_after_delete_the_canvas_inspector_and_datums_are_empty_and_undo_brings_everything_back(
        qtbot, window):
    workflow = window.document.workflow
    cells = {c.id for c in workflow.cells}
    saved = workflow.model_dump()
    drawn = canvas(window)
    with qtbot.waitSignal(window.runner.finished, timeout=20_000):
        press(qtbot, window, Qt.Key.Key_F5)  # a run, so the Datums table has a row per cell to select
    qtbot.waitUntil(lambda: window.datums.model.rowCount() == len(cells), timeout=5000)

    press(qtbot, window, Qt.Key.Key_A, CTRL)
    assert window.datums.selected_cell_ids() == cells
    assert window.datums.table.selectionModel().selection().count() == 1  # all rows: one range, not one each
    press(qtbot, window, Qt.Key.Key_Delete)

    assert window.scene.items() == []  # no node, port or wire left behind
    assert window.inspector.node_id is None
    assert window.inspector.stack.currentWidget() is window.inspector.empty
    assert window.datums.selected_cell_ids() == set()
    assert workflow.steps == [] and workflow.cells == [] and not workflow.layout

    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert canvas(window) == drawn  # same ids, same positions, same wires
    assert window.document.workflow.model_dump() == saved  # and the file would save as before
    assert len(drawn[1]) == 2 * STEPS


def test_undo_of_a_scattered_delete_puts_every_node_back_in_its_place(qtbot, window):
    document = window.document
    saved = document.workflow.model_dump()
    drawn = canvas(window)
    nodes = [c.id for c in document.workflow.cells] + [s.id for s in document.workflow.steps]
    window.scene.select_ids(nodes[::3])
    press(qtbot, window, Qt.Key.Key_Delete)
    assert len(window.scene.node_items()) == len(nodes) - len(nodes[::3])

    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert document.workflow.model_dump() == saved  # list order, wiring and layout order included
    assert canvas(window) == drawn
    assert document.index_snapshot() == WorkflowDocument(document.workflow).index_snapshot()  # indexed afresh

    press(qtbot, window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)  # redo
    assert len(window.scene.node_items()) == len(nodes) - len(nodes[::3])


def test_deleting_a_step_alone_gives_its_cells_back_their_own_type(qtbot, window):
    workflow = window.document.workflow
    step = workflow.steps[0]
    out = step.outputs["return"]
    assert "(int)" in window.scene.item_for(out).toolTip() or "(float)" in window.scene.item_for(out).toolTip()
    window.scene.select_ids({step.id, workflow.steps[5].id})
    press(qtbot, window, Qt.Key.Key_Delete)
    assert window.scene.item_for(out).toolTip().endswith("(any)")  # no producer any more
    press(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert not window.scene.item_for(out).toolTip().endswith("(any)")


@pytest.mark.parametrize("node", [
    WorkflowStep(function_slug="math.add", inputs={"a": UUID(int=1)}, outputs={"return": UUID(int=2)}, label="x"),
    CellSpec(alias="list", value=[1, {"a": [2]}], description="d"),
    CellSpec(alias="computed"),
])
def test_a_copied_node_equals_the_original_and_shares_nothing_mutable(node):
    copy = copied(node)
    assert copy == node and copy.model_fields_set == node.model_fields_set
    assert copy.model_dump_json() == node.model_dump_json()
    for name in type(node).model_fields:
        value = getattr(node, name)
        if isinstance(value, (dict, list, set)):
            assert getattr(copy, name) is not value, name
