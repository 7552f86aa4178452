"""Plot viewer benchmark: how long a 1,000,000-point line takes to draw, against a 1,000-point one.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_plot_viewer.py [--points N]

Figures (the viewer at its default 800×480; best of `--repeat`):

* **open** – `PlotViewer(values)`, shown, until its first frame is painted (`grab()`), numpy's data made
  outside the timing.
* **repaint** – a forced repaint of the plot (`PlotWidget.grab()`) with nothing changed.
* **pan + repaint** – the x range moved by 1 % and the plot painted: the curve clips and downsamples anew.
* for information, the same pan + repaint with downsampling and clipping turned off (what the viewer
  avoids).

Each is compared with the same widget holding 1,000 points, measured in the same run. Target (issue 14):
a 1,000,000-point line draws in under 100 ms. The script prints the figures; it never asserts on time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_MS = 100.0


def best(times: list[float]) -> float:
    return min(times) * 1000


def measure(app, values, repeat: int, downsample: bool = True) -> dict[str, float]:
    from fancy_studio.gui.viewers.plot_viewer import PlotViewer

    opens, repaints, pans = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        viewer = PlotViewer(values)
        if not downsample:
            viewer.plot.getPlotItem().setDownsampling(auto=False, ds=1)
            viewer.plot.getPlotItem().setClipToView(False)
        viewer.show()
        app.processEvents()
        viewer.plot.grab()
        opens.append(time.perf_counter() - start)
        for _ in range(3):
            start = time.perf_counter()
            viewer.plot.grab()
            repaints.append(time.perf_counter() - start)
        low, high = viewer.plot.getPlotItem().viewRange()[0]
        shift = (high - low) * 0.01
        for step in range(1, 4):
            start = time.perf_counter()
            viewer.plot.setXRange(low + step * shift, high + step * shift, padding=0)
            viewer.plot.grab()
            pans.append(time.perf_counter() - start)
        shown = viewer.displayed_points()
        viewer.close()
        viewer.deleteLater()
        app.processEvents()
    return {"open": best(opens), "repaint": best(repaints), "pan": best(pans), "shown": shown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import numpy as np
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    start = time.perf_counter()
    big = np.sin(np.linspace(0, 400 * np.pi, args.points)) + np.random.default_rng(1).normal(0, 0.1, args.points)
    made_ms = (time.perf_counter() - start) * 1000
    small = big[:: max(1, args.points // 1000)][:1000].copy()
    measure(app, small, 1)  # warm up: pyqtgraph's imports and first widget
    base = measure(app, small, args.repeat)
    large = measure(app, big, args.repeat)
    raw = measure(app, big, 1, downsample=False)
    print(f"plot viewer, {args.points:,} points vs 1,000 (best of {args.repeat}); numpy made the data in "
          f"{made_ms:.1f} ms")
    for key, label in (("open", "open (shown, first frame)"), ("repaint", "repaint (grab)"),
                       ("pan", "pan 1 % + repaint")):
        print(f"  {label:<28} {large[key]:8.1f} ms   baseline {base[key]:6.1f} ms   "
              f"({large[key] / max(base[key], 1e-3):.1f}×)")
    print(f"  points drawn: {large['shown']:,} of {args.points:,} (1,000-point baseline draws {base['shown']:,})")
    print(f"  without downsampling or clipping: pan + repaint {raw['pan']:.1f} ms, open {raw['open']:.1f} ms")
    worst = max(large["repaint"], large["pan"])
    print(f"  target: a {args.points:,}-point line draws in under {TARGET_MS:.0f} ms -> "
          f"{'met' if worst < TARGET_MS else 'NOT met'} ({worst:.1f} ms)")


if __name__ == "__main__":
    main()
