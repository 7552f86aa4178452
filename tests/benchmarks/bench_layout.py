"""Layout benchmark: Auto Layout of a big chain, and opening a file written without positions.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_layout.py [--steps N]

The workflow is bench_engine's chain ``x0 → increment → x1 → … → xN`` (N steps, N + 1 cells). It is
written three ways, outside every timing: as a script writes it (`model_dump_json()`, no positions),
with the positions the studio gives it on open, and as bench_canvas's snake of rows (a layout that Auto
Layout then changes). All in one run, in a `MainWindow` of 1400×900 as a user has it:

* **open, no layout** – `open_workflow` of the file without positions (the layout is computed as the
  file is drawn), until the scene's index has caught up (one item lookup) and one frame is painted;
* **open, with layout** – the same for the file holding those positions;
* **baseline open** – bench_canvas's plain scene (a `QGraphicsRectItem` + text per node, a path per
  wire) on the file with layout, the same lookup and frame;
* **auto layout** – Ctrl+L's action on the snake (a new position for every node), until the index has
  caught up, and its undo; for comparison the baseline's items moved one by one by `setPos` to the same
  positions (wires re-pathed), and the layout computation alone (`compute_layout`).

Targets (issue 9): Auto Layout of 10,000 steps under 3 s as one undo step; opening the layout-less file
within 3× of the file with layout. The script prints the figures; it never asserts on time.

With ``--crossings`` it measures instead how well each way of laying out does (issue 13): for the bundled
examples, random pipelines of 100, 300 and 1,000 nodes (steps of one to three inputs on recent results,
constants read once, results read again further on, maps fanning out to a few branches; two seeds each),
and bench_engine's 10,000-step chain and fan, the wires crossing when drawn straight from port to port
(`core.layout_crossings.count_crossings` on `auto_layout.wire_segments`: the studio's own node sizes and
port heights) and the CPU time of the layout, for Graphviz's dot and our own layered layout, each as one
row (no rows cut, so that the two draw the same graph). dot is skipped past `--dot-max` nodes (a minute at
3,000). Then what Auto Layout picks (``auto``, rows shaped like a 16:10 view).
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

from PySide6.QtCore import QPoint, QPointF  # noqa: E402
from PySide6.QtGui import QPainterPath  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsPathItem, QGraphicsRectItem  # noqa: E402

from bench_canvas import open_baseline  # noqa: E402
from bench_engine import build_chain  # noqa: E402
from bench_run_gui import lay_out  # noqa: E402

WINDOW_SIZE = (1400, 900)


def timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def settled(view) -> None:
    """What Qt defers to the next turn: the index (an item lookup) and a frame."""
    view.items(QPoint(10, 10))
    view.viewport().repaint()


def new_window():
    from fancy_studio.gui.window.main_window import MainWindow

    window = MainWindow()
    window.resize(*WINDOW_SIZE)
    window.show()
    QApplication.instance().processEvents()
    return window


def open_in_window(window, path: Path) -> float:
    def run() -> None:
        assert window.open_workflow(path)
        settled(window.view)

    return timed(run)


def baseline_moves(view, positions: dict) -> float:
    """The plain scene's rects moved one by one to new positions, each wire re-pathed."""
    scene = view.scene()
    rects = [item for item in scene.items() if type(item) is QGraphicsRectItem]
    wires = [item for item in scene.items() if type(item) is QGraphicsPathItem]
    targets = list(positions.values())

    def run() -> None:
        for rect, (x, y) in zip(rects, targets):
            rect.setPos(x, y)
        for wire, rect in zip(wires, rects):
            start = rect.pos() + QPointF(120, 22)
            path = QPainterPath(start)
            path.cubicTo(start + QPointF(40, 0), start + QPointF(80, 0), start + QPointF(120, 0))
            wire.setPath(path)
        settled(view)

    return timed(run)


def pipeline(nodes: int, seed: int):
    """A random pipeline of about `nodes` steps and cells (see the module's docstring), with real functions."""
    import random

    from fancy_studio.core import CellSpec, Workflow, WorkflowStep
    from fancy_studio.core.functions import registry

    unary = ["math.increment", "math.negate", "text.upper", "lists.sort", "convert.to_str", "math.sqrt"]
    binary = ["math.add", "math.multiply", "text.format", "lists.concat", "math.max"]
    ternary = ["math.clamp", "text.replace", "text.concatenate"]
    rng = random.Random(seed)
    workflow = Workflow(name=f"pipeline of {nodes}, seed {seed}")
    produced = [workflow.input_cell(f"k{i}", 1).id for i in range(3)]
    count = 3

    def new_cell() -> CellSpec:
        nonlocal count
        cell = CellSpec(alias=f"c{count}")
        workflow.cells.append(cell)
        produced.append(cell.id)
        count += 1
        return cell

    while count < nodes - 6:  # the last step or map stays within `nodes`
        r = rng.random()
        if r < 0.05:  # a map: one result read by 3-6 branches
            source = rng.choice(produced[-10:])
            for _ in range(rng.randint(3, 6)):
                slug = rng.choice(unary)
                first = registry.get(slug).inputs[0].name
                workflow.steps.append(WorkflowStep(function_slug=slug, inputs={first: source},
                                                   outputs={"return": new_cell().id}))
                count += 1
            continue
        slug = "math.divmod" if r < 0.10 else rng.choice(unary if r < 0.45 else binary if r < 0.90 else ternary)
        function = registry.get(slug)
        inputs = {}
        for port in function.inputs:
            p = rng.random()
            if p < 0.6:
                inputs[port.name] = rng.choice(produced[-8:])  # a recent result
            elif p < 0.8:
                inputs[port.name] = rng.choice(produced)  # one from anywhere before: a long wire
            else:
                inputs[port.name] = workflow.input_cell(f"k{count}", 1).id  # a constant read once
                count += 1
        outputs = {port.name: new_cell().id for port in function.outputs}
        workflow.steps.append(WorkflowStep(function_slug=slug, inputs=inputs, outputs=outputs))
        count += 1
    return workflow


def crossings_table(dot_max: int) -> None:
    """Crossings and CPU time of each way of laying out, per graph (see the module's docstring)."""
    from bench_engine import build_fan

    from fancy_studio.core.layout_crossings import count_crossings
    from fancy_studio.core.workflow_file import load_workflow
    from fancy_studio.gui.canvas.auto_layout import compute_layout, wire_segments
    from fancy_studio.gui.document.document import WorkflowDocument

    graphs = [(path.stem, lambda path=path: load_workflow(path)) for path in example_paths()]
    graphs += [(f"pipeline {n} #{seed}", lambda n=n, seed=seed: pipeline(n, seed))
               for n in (100, 300, 1000) for seed in (1, 2)]
    graphs += [("chain 10,000", lambda: build_chain(10_000).workflow), ("fan 10,000", lambda: build_fan(10_000).workflow)]
    print(f"{'graph':18} {'nodes':>6} {'wires':>6}   {'dot':>16}   {'layered':>16}   {'auto, in rows':>16}")
    for name, build in graphs:
        document = WorkflowDocument(build())
        nodes = len(document.graph.cells) + len(document.graph.steps)
        cells = []
        for engine, aspect in (("dot", 1e9), ("layered", 1e9), ("auto", 16 / 10)):
            if engine == "dot" and nodes > dot_max:
                cells.append(f"{'—':>16}")
                continue
            started = time.process_time()
            positions = compute_layout(document, aspect=aspect, engine=engine)
            took = time.process_time() - started
            cells.append(f"{count_crossings(wire_segments(document, positions)):>7} {took:6.2f} s")
        print(f"{name:18} {nodes:>6} {len(wire_segments(document, positions)):>6}   " + "   ".join(cells), flush=True)


def example_paths() -> list[Path]:
    from fancy_studio.resources import examples_dir

    return sorted(examples_dir().glob("*.json"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--crossings", action="store_true", help="crossings and time per way of laying out")
    parser.add_argument("--dot-max", type=int, default=1000, help="with --crossings: dot up to this many nodes")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    if args.crossings:
        crossings_table(args.dot_max)
        return

    from fancy_studio.core.workflow_file import load_workflow, save_workflow
    from fancy_studio.gui.canvas.auto_layout import compute_layout

    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder) / "no-layout.json"
        bare.write_text(build_chain(args.steps).workflow.model_dump_json(), encoding="utf-8")
        snake = Path(folder) / "snake.json"
        save_workflow(lay_out(build_chain(args.steps)).workflow, snake)

        warm = new_window()  # imports, fonts, first scene
        open_in_window(warm, snake)
        warm.close()

        window = new_window()
        figures["open, no layout"] = open_in_window(window, bare)
        laid_out = Path(folder) / "laid-out.json"
        window.document.save(laid_out)
        assert len(load_workflow(laid_out).layout) == 2 * args.steps + 1

        window = new_window()
        figures["open, with layout"] = open_in_window(window, laid_out)
        holder = {}
        figures["baseline open"] = timed(lambda: (holder.setdefault("view", open_baseline(laid_out)),
                                                  holder["view"].show(), settled(holder["view"])))

        window = new_window()
        open_in_window(window, snake)
        document = window.document
        aspect = window.view.layout_aspect()
        figures["layout computation"] = timed(lambda: compute_layout(document, aspect=aspect))
        count = document.undo_stack.count()
        figures["auto layout"] = timed(lambda: (window.auto_layout_action.trigger(), settled(window.view)))
        assert document.undo_stack.count() == count + 1, "one undo step"
        figures["undo auto layout"] = timed(lambda: (document.undo_stack.undo(), settled(window.view)))
        positions = compute_layout(document, aspect=window.view.layout_aspect())
        figures["baseline: move every item"] = baseline_moves(holder["view"], positions)
        window.zoom_fit_action.trigger()
        figures["fit-all zoom (%)"] = window.view.zoom() * 100
        figures["fit-all frame"] = timed(lambda: window.view.viewport().repaint())
        app.processEvents()

    width, height = WINDOW_SIZE
    print(f"chain of {args.steps} steps ({2 * args.steps + 1} nodes), window {width}×{height}")
    for name, value in figures.items():
        unit = "" if name.endswith("(%)") else " s"
        print(f"  {name:28} {value:8.3f}{unit}")
    ratio = figures["open, no layout"] / figures["open, with layout"]
    print(f"  open without / with layout: {ratio:.2f}× (target ≤ 3×); "
          f"with layout / baseline: {figures['open, with layout'] / figures['baseline open']:.2f}×")
    print(f"  auto layout: {figures['auto layout']:.2f} s (target < 3 s, one undo step)")


if __name__ == "__main__":
    main()
