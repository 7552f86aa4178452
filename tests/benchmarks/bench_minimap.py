"""Minimap benchmark: what the minimap costs on a 10,000-step canvas, against a plain repaint of the view.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_minimap.py [--steps 1000 10000 30000]

For each size, bench_canvas.py's chain (a snake of rows, 60 nodes wide: 2N + 1 nodes, 2N wires) is opened
in the studio's `WorkflowView` (1280×800) with a `Minimap` over its corner, at 100 % on the middle of the
chain and zoomed to fit. Times in ms, best of 10:

* **minimap repaint** – after a 40-pixel pan, the minimap repainted (`repaint()`: the cached picture and
  the view's frame over it, and, as it is translucent, the canvas under it), what a scroll or a zoom costs
  it; and its own paint alone (`grab()`).
* **view repaint** – the baseline, measured in the same run: after the same pan, the whole viewport
  repainted with the minimap hidden, and with it shown (the difference is what the minimap adds to a frame).
* **rebuild** – after a change of the document: reading every node and wire from the scene, and painting
  the picture (done at most once every `minimap.REBUILD_MS`, never for a scroll, a zoom or a run).

* **group entered / left** – bench_groups.py's workflow (a group of 500 nodes amid N top-level steps): what
  the minimap adds to entering the group (reading its 500 nodes, painting them) and to leaving it (the top
  level's picture painted again from what it kept), best of 5.

The issue's target: the minimap redraw on a 10,000-step canvas under 20 ms. No target is asserted on time;
the script prints the figures and checks only that the scrolls rebuilt nothing.
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

from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench_canvas import VIEW_SIZE, build_chain_file, open_studio  # noqa: E402

REPEATS = 10
PAN = 40.0
"""Screen pixels each measured scroll moves the view by."""


def ms(func) -> float:
    started = time.perf_counter()
    func()
    return (time.perf_counter() - started) * 1e3


def after_pans(view, repaint) -> float:
    """Best of REPEATS: pan the view by PAN screen pixels (not timed), then `repaint` (timed)."""
    app = QApplication.instance()
    times = []
    for i in range(REPEATS):
        step = PAN / view.zoom() * (1 if i % 2 == 0 else -1)
        view.pan_to(view.mapToScene(view.viewport().rect().center()) + QPointF(step, 0))
        times.append(ms(repaint))
        app.processEvents()
    return min(times)


def measure(view, minimap, zoom: str) -> dict[str, float]:
    app = QApplication.instance()
    if zoom == "100 %":
        view.set_zoom(1.0)
        view.pan_to(view.workflow_scene.nodes_rect().center())
    else:
        view.zoom_to_fit()
    app.processEvents()
    figures: dict[str, float] = {}
    rebuilds, pictures = minimap.rebuilds, minimap.pictures
    figures["frame after a pan, minimap"] = after_pans(view, app.processEvents)
    figures["minimap paint alone"] = after_pans(view, minimap.grab)

    def minimap_only() -> None:
        minimap.update()
        app.processEvents()

    figures["minimap repaint alone"] = min(ms(minimap_only) for _ in range(REPEATS))
    assert (minimap.rebuilds, minimap.pictures) == (rebuilds, pictures), "a scroll rebuilt the minimap"
    minimap.set_on(False)
    app.processEvents()
    figures["frame after a pan, none"] = after_pans(view, app.processEvents)
    minimap.set_on(True)
    app.processEvents()

    node = next(iter(view.workflow_scene.node_items())).node_id  # the first input: on the graph's edge
    times = []
    for i in range(REPEATS):
        view.document.nudge_nodes({node}, 20.0 if i % 2 == 0 else -20.0, 0.0)  # not timed
        times.append(ms(lambda: (minimap.rebuild(), minimap.picture())))
    figures["rebuild, a node moved"] = min(times)

    def everything() -> None:
        minimap.redraw_all()
        minimap.rebuild()
        minimap.picture()

    figures["rebuild, everything"] = min(ms(everything) for _ in range(REPEATS // 2))
    return figures


def measure_levels(steps: int) -> dict[str, float]:
    """The minimap's share of entering a group of 500 nodes and leaving it to a level of `steps` steps."""
    from bench_groups import group_workflow

    from fancy_studio.gui.canvas import WorkflowView
    from fancy_studio.gui.canvas.minimap import Minimap
    from fancy_studio.gui.document.document import WorkflowDocument

    app = QApplication.instance()
    workflow, instance, _flat = group_workflow(250, steps)
    view = WorkflowView(WorkflowDocument())
    view.resize(*VIEW_SIZE)
    minimap = Minimap(view)
    view.show()
    view.document.replace(workflow)
    app.processEvents()
    times: dict[bool, list[float]] = {True: [], False: []}

    def timed(level) -> None:
        times[level is not None].append(ms(lambda: (Minimap._level_changed(minimap, level), minimap.picture())))

    view.document.level_changed.disconnect(minimap._level_changed)
    view.document.level_changed.connect(timed)
    for _ in range(5):
        view.document.enter_group(instance)
        app.processEvents()
        view.document.leave_group()
        app.processEvents()
    view.hide()
    view.deleteLater()
    app.processEvents()
    return {"group entered": min(times[True]), "group left": min(times[False])}


def run(steps: int) -> dict[str, dict[str, float]]:
    from fancy_studio.gui.canvas.minimap import Minimap

    app = QApplication.instance() or QApplication([])
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = build_chain_file(steps, Path(tmp) / "chain.json")
        view = open_studio(path)
        view.resize(*VIEW_SIZE)
        minimap = Minimap(view)
        view.show()
        app.processEvents()
        minimap.rebuild()
        app.processEvents()
        for zoom in ("100 %", "fit"):
            results[zoom] = measure(view, minimap, zoom)
        results["levels"] = measure_levels(steps)
        results["size"] = {"nodes": len(view.workflow_scene.node_items()),
                           "wires": len(view.workflow_scene.wire_items()),
                           "minimap": minimap.width() * 10_000 + minimap.height()}
        view.hide()
        view.deleteLater()
        app.processEvents()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1000, 10000, 30000])
    args = parser.parse_args(argv)
    print(f"view {VIEW_SIZE[0]}×{VIEW_SIZE[1]}, Qt platform {os.environ.get('QT_QPA_PLATFORM')}; "
          f"times in ms, best of {REPEATS} (rebuilds: best of {REPEATS // 2})")
    keys = ("frame after a pan, none", "frame after a pan, minimap", "minimap paint alone",
            "minimap repaint alone", "rebuild, a node moved", "rebuild, everything")
    print(f"{'steps':>7}  {'measure':<28}{'100 %':>9}{'fit':>9}")
    for steps in args.steps:
        r = run(steps)
        size = r["size"]
        width, height = divmod(int(size["minimap"]), 10_000)
        print(f"{steps:>7}  ({size['nodes']:.0f} nodes, {size['wires']:.0f} wires; minimap {width}×{height})")
        for key in keys:
            print(f"{steps:>7}  {key:<28}{r['100 %'][key]:>9.2f}{r['fit'][key]:>9.2f}")
        for key, value in r["levels"].items():
            print(f"{steps:>7}  {key + ' (500 nodes)':<28}{value:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
