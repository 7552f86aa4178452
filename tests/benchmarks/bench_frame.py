"""Frame benchmark: what one repaint costs at 100 % and zoomed out, as the workflow grows.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_frame.py [--steps 1000 10000 30000]

For each size, bench_canvas.py's chain (a snake of rows, 60 nodes wide) is opened in the studio's
`WorkflowView` and, in the same run, as bench_canvas.py's plain scene (a `QGraphicsRectItem` and a
`QGraphicsSimpleTextItem` per node, a `QGraphicsPathItem` per wire, Qt's own index settings). Both views
are 1280×800 and show the same part of the chain:

* **100 %** – zoom 1.0 on the middle of the chain: `viewport().grab()`, best of 5 (what the window pays
  to repaint what it shows, e.g. for a hover or a spinner). A frame at 100 % should cost what is visible,
  so the studio's figure should stay flat as the chain grows.
* **100 %, moved** – the same after a 40-pixel pan each time (new nodes come into view), best of 5.
* **Python boundingRect calls** – made by Qt into the studio's items during one 100 % repaint.
* **45 % / first** and **45 % / cached** – just above the overview, the full drawing with enlarged text.
* **24 % / first** and **24 % / cached** (and the same at 13 %, where ~2,800 nodes show) – the
  overview, where titles are drawn at a readable screen size: the first repaint after zooming (each node
  paints itself afresh) and the best of 5 repaints after it (from the device cache).

No targets are asserted on time; the script prints the figures and the ratio to the plain scene.
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

from bench_canvas import VIEW_SIZE, build_chain_file, open_baseline, open_studio  # noqa: E402

OVERVIEW_ZOOMS = (0.24, 0.13)
"""The overview: a 9-step workflow fits at 24 %; at 13 % the view shows ~2,800 nodes of the chain, each
block still wide enough for its title."""
FULL_ZOOMS = (0.45,)
"""Just above the overview: the full drawing, with titles, aliases and values enlarged to stay readable."""


def ms(func) -> float:
    started = time.perf_counter()
    func()
    return (time.perf_counter() - started) * 1e3


def set_zoom(view, factor: float) -> None:
    if hasattr(view, "set_zoom"):
        view.set_zoom(factor)
    else:
        view.scale(factor / view.transform().m11(), factor / view.transform().m11())


def measure(view, middle: QPointF) -> dict[str, float]:
    app = QApplication.instance()
    figures: dict[str, float] = {}
    set_zoom(view, 1.0)
    view.centerOn(middle)
    app.processEvents()
    view.viewport().grab()
    figures["100 %"] = min(ms(lambda: view.viewport().grab()) for _ in range(5))
    moved = []
    for i in range(5):
        view.centerOn(middle + QPointF(40.0 * (i + 1), 0))
        moved.append(ms(lambda: view.viewport().grab()))
    figures["100 %, moved"] = min(moved)
    for zoom in (*FULL_ZOOMS, *OVERVIEW_ZOOMS):
        set_zoom(view, zoom)
        view.centerOn(middle)
        app.processEvents()
        figures[f"{zoom:.0%} / first"] = ms(lambda: view.viewport().grab())
        figures[f"{zoom:.0%} / cached"] = min(ms(lambda: view.viewport().grab()) for _ in range(5))
    return figures


def count_bounding_rect_calls(path: Path) -> int:
    """Python `PortItem.boundingRect` calls during one 100 % repaint, on a studio opened afresh with a
    counting override (PySide looks an override up once per item, so it must be in place before the
    items exist; a separate open keeps the counting out of the timings)."""
    from fancy_studio.gui.canvas.port_item import PortItem

    app = QApplication.instance()
    calls = [0]
    original = PortItem.boundingRect

    def counted(item):
        calls[0] += 1
        return original(item)

    PortItem.boundingRect = counted
    try:
        view = open_studio(path)
        view.show()
        app.processEvents()
        set_zoom(view, 1.0)
        view.centerOn(view.scene().itemsBoundingRect().center())
        app.processEvents()
        view.viewport().grab()
        calls[0] = 0
        view.viewport().grab()
    finally:
        PortItem.boundingRect = original
    view.hide()
    view.deleteLater()
    app.processEvents()
    return calls[0]


def run(steps: int) -> dict[str, dict[str, float]]:
    app = QApplication.instance() or QApplication([])
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = build_chain_file(steps, Path(tmp) / "chain.json")
        for name, opener in (("plain Qt", open_baseline), ("studio", open_studio)):
            view = opener(path)
            view.show()
            app.processEvents()
            results[name] = measure(view, view.scene().itemsBoundingRect().center())
            view.hide()
            view.deleteLater()
            app.processEvents()
        results["studio"]["boundingRect calls"] = count_bounding_rect_calls(path)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1000, 10000, 30000])
    args = parser.parse_args(argv)
    print(f"view {VIEW_SIZE[0]}×{VIEW_SIZE[1]}, Qt platform {os.environ.get('QT_QPA_PLATFORM')}; "
          "times in ms (best of 5 unless 'first')")
    header = f"{'steps':>7}  {'measure':<20}{'studio':>9}{'plain Qt':>10}{'ratio':>8}"
    print(header)
    for steps in args.steps:
        r = run(steps)
        for key in ("100 %", "100 %, moved", *(f"{z:.0%} / {k}" for z in (*FULL_ZOOMS, *OVERVIEW_ZOOMS)
                                             for k in ("first", "cached"))):
            studio, plain = r["studio"][key], r["plain Qt"][key]
            print(f"{steps:>7}  {key:<20}{studio:>9.2f}{plain:>10.2f}{studio / plain:>7.2f}×")
        print(f"{steps:>7}  {'boundingRect calls':<20}{r['studio']['boundingRect calls']:>9.0f}{'-':>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
