"""Fan-out benchmark: a canvas with thousands of long wires, zoomed across the overview threshold.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_fan_zoom.py [--branches N]

The workflow is bench_engine's fan-out/fan-in (one cell read by N increments, summed by a tree of
adds: 2N − 1 steps), laid out as a snake of rows like bench_run_gui.py, so the fan-out cell's N wires
cross most of the canvas. Built and saved once, outside every timing.

Compared with a baseline measured in the same run: bench_canvas.py's plain scene (a rect and a text
per node, a bezier path per wire) on Qt's own index settings, doing what the studio does when the zoom
crosses its overview threshold (every wire's pen changes, hairline ↔ 2 px):

* **open** – the file into the view, then fit;
* **zoom in / out** – from 0.1 to 1.0 and back, centred (the studio: `set_zoom`; the baseline: `scale`
  plus the same pen change on every wire), until the scene's index has caught up (Qt defers that to the
  next lookup, so one is made);
* **pointer lookup** – `view.items(pos)` at zoom 1.0 beside the fan-out cell, where its wires start
  (what every mouse move over the canvas asks), best of 20;
* **frame at 1.0** – a viewport repaint there, best of 3.

No targets: it shows what the scene's index settings (`WorkflowScene.BSP_DEPTH`) buy on long wires.
It never asserts on time.
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
from PySide6.QtGui import QColor, QPen  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsPathItem  # noqa: E402

from bench_canvas import open_baseline, open_studio  # noqa: E402
from bench_engine import build_fan  # noqa: E402
from bench_run_gui import lay_out  # noqa: E402


def timed(func) -> float:
    started = time.perf_counter()
    func()
    return (time.perf_counter() - started) * 1e3


def best(repeats: int, func) -> float:
    return min(timed(func) for _ in range(repeats))


def baseline_zoom(view, factor: float, wide: bool) -> None:
    view.scale(factor / view.transform().m11(), factor / view.transform().m11())
    pen = QPen(QColor("#39c"), 2 if wide else 0)
    for item in view.scene().items():
        if isinstance(item, QGraphicsPathItem):
            item.setPen(pen)


def settled(view, change):
    """`change`, then what Qt defers until the scene is next asked: the index update (an item lookup)."""

    def run() -> None:
        change()
        view.items(QPoint(0, 0))

    return run


def measure(view, zoom_in, zoom_out, fan_cell: QPointF) -> dict[str, float]:
    app = QApplication.instance()
    figures = {"zoom in": timed(settled(view, zoom_in))}
    view.centerOn(fan_cell + QPointF(400, 200))
    app.processEvents()
    pos = view.mapFromScene(fan_cell + QPointF(300, 40))
    figures["pointer lookup"] = best(20, lambda: view.items(QPoint(pos.x(), pos.y())))
    figures["frame at 1.0"] = best(3, lambda: view.viewport().repaint())
    figures["zoom out"] = timed(settled(view, zoom_out))
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branches", type=int, default=3000, help="increments reading the fan-out cell")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])

    from fancy_studio.core.workflow_file import save_workflow

    case = lay_out(build_fan(args.branches))
    fan_cell = case.workflow.layout[case.workflow.literal_cells()[0].id]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fan.json"
        save_workflow(case.workflow, path)
        results = {}
        for name, open_view in (("studio", open_studio), ("baseline", open_baseline)):
            holder = {}
            open_ms = timed(lambda: holder.setdefault("view", open_view(path)))
            view = holder["view"]
            view.show()
            app.processEvents()
            if name == "studio":
                view.set_zoom(0.1)
                figures = measure(view, lambda: view.set_zoom(1.0), lambda: view.set_zoom(0.1),
                                  QPointF(fan_cell.x, fan_cell.y))
                depth = view.scene().bspTreeDepth()
            else:
                baseline_zoom(view, 0.1, wide=False)
                figures = measure(view, lambda: baseline_zoom(view, 1.0, wide=True),
                                  lambda: baseline_zoom(view, 0.1, wide=False), QPointF(fan_cell.x, fan_cell.y))
                app.processEvents()
                depth = view.scene().bspTreeDepth()
            results[name] = {"open": open_ms, **figures, "index depth": depth}
            view.close()
            print(f"  {name}: done", flush=True)

    steps = len(case.workflow.steps)
    print(f"\nfan-out/fan-in, {args.branches} branches ({steps} steps), Qt platform '{app.platformName()}'\n")
    print(f"{'measure':<16} {'studio':>10} {'baseline':>10}  unit")
    for key in ("open", "zoom in", "zoom out", "pointer lookup", "frame at 1.0"):
        print(f"{key:<16} {results['studio'][key]:>10.1f} {results['baseline'][key]:>10.1f}  ms")
    print(f"{'index depth':<16} {results['studio']['index depth']:>10} {results['baseline']['index depth']:>10}")


if __name__ == "__main__":
    main()
