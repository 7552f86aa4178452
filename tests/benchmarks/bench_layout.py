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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])

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
