"""Groups benchmark: entering and leaving a group of 500 nodes; opening a 3,000-step workflow with groups and
frames.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_groups.py [--inside 250] [--steps 3000]

Each figure is compared with a baseline measured in the same run, never asserted:

* **enter / leave** – `WorkflowDocument.enter_group` (the scene drawn afresh with the group's 500 nodes:
  a chain of `--inside` increments and their cells, its ports included) and `leave_group` (back to the top
  level: the group's node, its input and output, and `--around` other steps), each with the view's fit,
  best of 5; against `WorkflowDocument.replace` of a workflow holding the same 500 nodes flat (a whole new
  workflow drawn in the same view). Target: under 100 ms each.
* **open** – `load_workflow` + `replace` into a `WorkflowView` of a chain of `--steps` top-level steps of
  which every tenth is an instance of one of ten groups (five increments each) and a frame around every
  hundred nodes; against the same count of plain `QGraphicsRectItem`s and wires (`bench_canvas.open_baseline`
  on the same file). Target: within 2.5× of the baseline.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_canvas import COLUMNS, VIEW_SIZE, best_of, best_reopen, open_baseline, open_studio

TARGETS = {"enter_ms": 100.0, "open": 2.5}


def _place(workflow, nodes, top: float = 0.0) -> None:
    from fancy_studio.core.workflow import Position

    for index, node_id in enumerate(nodes):  # a snake of rows, as bench_canvas lays its chain
        row, col = divmod(index, COLUMNS)
        col = col if row % 2 == 0 else COLUMNS - 1 - col
        workflow.layout[node_id] = Position(x=col * 220.0, y=top + row * 140.0)


def _chain(container, first, count: int) -> tuple[list, object]:
    """`count` increments after cell `first` in `container` (a workflow or a definition): the nodes in
    order and the last cell."""
    from fancy_studio.core.workflow import CellSpec, WorkflowStep

    nodes, cell = [], first
    for i in range(count):
        out = CellSpec(alias=f"x{i + 1}")
        step = WorkflowStep(function_slug="math.increment", inputs={"x": cell.id}, outputs={"return": out.id})
        container.steps.append(step)
        container.cells.append(out)
        nodes += [step.id, out.id]
        cell = out
    return nodes, cell


def group_workflow(inside: int, around: int):
    """x0 → `around` / 2 increments → a group of `inside` increments → `around` / 2 increments."""
    from fancy_studio.core.workflow import CellSpec, GroupDefinition, Workflow, WorkflowStep, group_slug

    definition = GroupDefinition(name="Big group")
    start = CellSpec(alias="in")
    definition.cells.append(start)
    nodes, last = _chain(definition, start, inside)
    definition.inputs, definition.outputs = {"in": start.id}, {"out": last.id}
    _place(definition, [start.id, *nodes])
    workflow = Workflow(name="one big group")
    workflow.groups.append(definition)
    x0 = workflow.input_cell("x0", 0)
    before, cell = _chain(workflow, x0, around // 2)
    out = CellSpec(alias="group out")
    workflow.cells.append(out)
    instance = WorkflowStep(function_slug=group_slug(definition.id), inputs={"in": cell.id},
                            outputs={"out": out.id})
    workflow.steps.append(instance)
    after, _ = _chain(workflow, out, around - around // 2)
    _place(workflow, [x0.id, *before, instance.id, out.id, *after])
    flat = Workflow(name="the group's nodes, flat")
    flat.cells, flat.steps = list(definition.cells), list(definition.steps)
    flat.layout = dict(definition.layout)
    return workflow, instance.id, flat


def grouped_file(steps: int, path: Path) -> Path:
    """A chain of `steps` top-level steps, every tenth an instance of one of ten groups (five increments
    each), a frame around each hundred nodes."""
    from fancy_studio.core.annotations import Frame
    from fancy_studio.core.workflow import CellSpec, GroupDefinition, Workflow, WorkflowStep, group_slug
    from fancy_studio.core.workflow_file import save_workflow

    workflow = Workflow(name=f"{steps} steps with groups and frames")
    for number in range(10):
        definition = GroupDefinition(name=f"Group {number + 1}")
        start = CellSpec(alias="in")
        definition.cells.append(start)
        inner, last = _chain(definition, start, 5)
        definition.inputs, definition.outputs = {"in": start.id}, {"out": last.id}
        _place(definition, [start.id, *inner])
        workflow.groups.append(definition)
    cell = workflow.input_cell("x0", 0)
    nodes = [cell.id]
    for i in range(steps):
        out = CellSpec(alias=f"x{i + 1}")
        if i % 10 == 9:
            definition = workflow.groups[(i // 10) % 10]
            step = WorkflowStep(function_slug=group_slug(definition.id), inputs={"in": cell.id},
                                outputs={"out": out.id})
        else:
            step = WorkflowStep(function_slug="math.increment", inputs={"x": cell.id},
                                outputs={"return": out.id})
        workflow.steps.append(step)
        workflow.cells.append(out)
        nodes += [step.id, out.id]
        cell = out
    _place(workflow, nodes)
    for first in range(0, len(nodes), 100):
        xs = [workflow.layout[n].x for n in nodes[first:first + 100]]
        ys = [workflow.layout[n].y for n in nodes[first:first + 100]]
        workflow.frames.append(Frame(title=f"Nodes {first}–{first + 99}", x=min(xs) - 20, y=min(ys) - 40,
                                     width=max(xs) - min(xs) + 260, height=max(ys) - min(ys) + 160))
    save_workflow(workflow, path)
    return path


def best(repeats: int, func) -> float:
    return best_of(repeats, func)[0]


def measure_levels(inside: int, around: int, repeats: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from fancy_studio.gui.canvas import WorkflowView
    from fancy_studio.gui.document.document import WorkflowDocument

    app = QApplication.instance() or QApplication([])
    workflow, instance, flat = group_workflow(inside, around)
    view = WorkflowView(WorkflowDocument())
    view.resize(*VIEW_SIZE)
    view.show()
    document = view.document
    document.replace(workflow)
    app.processEvents()
    nodes_inside = len(flat.steps) + len(flat.cells)

    def enter() -> None:
        document.enter_group(instance)
        view.zoom_to_fit()

    def leave() -> None:
        document.leave_group()
        view.zoom_to_fit()

    enters, leaves = [], []
    for _ in range(repeats):
        enters.append(best(1, enter))
        app.processEvents()
        assert len(view.workflow_scene.node_items()) == nodes_inside
        leaves.append(best(1, leave))
        app.processEvents()
    baseline_view = WorkflowView(WorkflowDocument())
    baseline_view.resize(*VIEW_SIZE)
    baseline_view.show()

    def replace_flat() -> None:
        baseline_view.document.replace(flat.model_copy(deep=True))

    replace_flat()  # warm-up
    app.processEvents()
    baseline = []
    for _ in range(repeats):
        copy = flat.model_copy(deep=True)
        start = time.perf_counter()
        baseline_view.document.replace(copy)
        baseline.append(time.perf_counter() - start)
        app.processEvents()
    top_nodes = len(workflow.steps) + len(workflow.cells)
    return {"enter": min(enters), "leave": min(leaves), "baseline": min(baseline), "inside": nodes_inside,
            "top": top_nodes}


def measure_open(steps: int, repeats: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from fancy_studio.gui.canvas.group_node_item import GroupNodeItem

    app = QApplication.instance() or QApplication([])
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = grouped_file(steps, Path(tmp) / "grouped.json")
        for name, opener in (("baseline", open_baseline), ("studio", open_studio)):
            view = opener(path)
            view.show()
            app.processEvents()
            results[name] = best_reopen(app, opener, path, view, repeats)
            if name == "studio":
                scene = view.workflow_scene
                results["groups"] = sum(isinstance(item, GroupNodeItem) for item in scene.node_items())
                results["nodes"] = len(scene.node_items())
                results["frames"] = len(scene.annotations.items()) if hasattr(scene, "annotations") else 0
            view.hide()
            view.deleteLater()
            app.processEvents()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--inside", type=int, default=250, help="steps inside the group (2 nodes each)")
    parser.add_argument("--around", type=int, default=100, help="top-level steps around the group")
    parser.add_argument("--steps", type=int, default=3000, help="top-level steps of the file opened")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    levels = measure_levels(args.inside, args.around, args.repeats)
    print(f"enter/leave a group of {levels['inside']} nodes (top level: {levels['top']} nodes), best of "
          f"{args.repeats}:")
    for name in ("enter", "leave"):
        ms = levels[name] * 1000
        verdict = "OK" if ms < TARGETS["enter_ms"] else "OVER"
        ratio = levels[name] / levels["baseline"]
        print(f"  {name:<6} {ms:7.1f} ms   ({ratio:.2f}× replacing the document by the same "
              f"{levels['inside']} nodes flat: {levels['baseline'] * 1000:.1f} ms)   "
              f"target < {TARGETS['enter_ms']:.0f} ms: {verdict}")
    opened = measure_open(args.steps, max(1, args.repeats // 2))
    ratio = opened["studio"] / opened["baseline"]
    print(f"open {args.steps} top-level steps ({opened.get('groups', 0)} of them groups, "
          f"{opened.get('frames', 0)} frames, {opened.get('nodes', 0)} nodes), "
          f"best of {max(1, args.repeats // 2)}:")
    verdict = "OK" if ratio <= TARGETS["open"] else "OVER"
    print(f"  studio {opened['studio'] * 1000:7.1f} ms   plain Qt items {opened['baseline'] * 1000:7.1f} ms"
          f"   {ratio:.2f}×   target ≤ {TARGETS['open']}×: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
