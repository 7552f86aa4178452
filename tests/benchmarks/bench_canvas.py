"""Canvas benchmark: open, fit-all frame, save, window show and memory on a large chain workflow.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_canvas.py [--steps N] [--profile]

The workflow is a chain ``x0 → increment → x1 → … → xN`` of `math.increment` (N steps, N + 1 cells,
so ~2N nodes and 2N wires), laid out on a grid, written to a temporary file once, outside every timing.

Each figure is compared with a baseline measured in the same run:

* **open** – `load_workflow` + `WorkflowDocument.replace` into a `WorkflowView` (which rebuilds the
  `WorkflowScene` and zooms to fit), vs `load_workflow` + the same counts of plain
  `QGraphicsRectItem` (+ a `QGraphicsSimpleTextItem` child) per node and `QGraphicsPathItem` per wire.
* **fit-all frame** – `view.viewport().grab()` of the zoomed-to-fit view (1280×800), first frame and
  best of 5, for both views.
* **save** – `WorkflowDocument.save` to a temporary file, best of 5.
* **window show** – in fresh subprocesses, best of 3: what `fancy-studio` does (`app.open_window`: the
  window's frame shown at once, the studio imported and built on the next turn) until the first
  `processEvents()`, vs a bare `QMainWindow`; for information, until the example is open on the canvas,
  and a `MainWindow()` built in one go.
* **memory per node** – RSS growth and tracemalloc peak while opening, in a fresh subprocess, divided by
  the number of nodes (wires included in the total), for both.

Targets: open ≤ 2.5× baseline, fit-all frame ≤ 2× baseline frame, save < 150 ms, window show ≤ 2× the
bare QMainWindow, ≤ 60 KiB per node. The script prints the figures against them; it never asserts on time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

VIEW_SIZE = (1280, 800)
COLUMNS = 60
TARGETS = {"open": 2.5, "frame": 2.0, "save_ms": 150.0, "show": 2.0, "kib_per_node": 60.0}


# --- the workflow (never timed) --------------------------------------------------------------------


def build_chain_file(n: int, path: Path) -> Path:
    from fancy_studio.core.workflow import CellSpec, Position, Workflow, WorkflowStep
    from fancy_studio.core.workflow_file import save_workflow

    workflow = Workflow(name=f"chain of {n}")
    cell = workflow.input_cell("x0", 0)
    nodes = [cell.id]
    for i in range(n):
        out = CellSpec(alias=f"x{i + 1}")
        step = WorkflowStep(function_slug="math.increment", inputs={"x": cell.id}, outputs={"return": out.id})
        workflow.steps.append(step)
        workflow.cells.append(out)
        nodes += [step.id, out.id]
        cell = out
    for index, node_id in enumerate(nodes):  # a snake of rows, 60 nodes wide
        row, col = divmod(index, COLUMNS)
        col = col if row % 2 == 0 else COLUMNS - 1 - col
        workflow.layout[node_id] = Position(x=col * 180.0, y=row * 120.0)
    save_workflow(workflow, path)
    return path


def layout_of(path: Path):
    """(positions of nodes, wire (from, to) pairs) straight from the file, for the baseline."""
    data = json.loads(path.read_text(encoding="utf-8"))
    layout = {k: (v["x"], v["y"]) for k, v in data["layout"].items()}
    wires = []
    for step in data["steps"]:
        wires += [(c, step["id"]) for c in step["inputs"].values()]
        wires += [(step["id"], c) for c in step["outputs"].values()]
    return layout, wires


# --- the two ways of opening -----------------------------------------------------------------------


def open_studio(path: Path, view=None):
    """load + replace into a WorkflowView (which rebuilds the scene and zooms to fit)."""
    from fancy_studio.core.workflow_file import load_workflow
    from fancy_studio.gui.canvas import WorkflowView
    from fancy_studio.gui.document.document import WorkflowDocument

    if view is None:
        view = WorkflowView(WorkflowDocument())
        view.resize(*VIEW_SIZE)
    view.document.replace(load_workflow(path), path)
    return view


def open_baseline(path: Path, view=None):
    """load + plain rect/text per node and path per wire, then fit."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
    from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem, \
        QGraphicsView

    from fancy_studio.core.workflow_file import load_workflow

    workflow = load_workflow(path)
    if view is None:
        scene = QGraphicsScene()
        view = QGraphicsView(scene)
        view.keep_scene = scene  # the view does not own its scene; keep it alive
        view.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        view.resize(*VIEW_SIZE)
    scene = view.scene()
    scene.clear()
    pen, brush, wire_pen = QPen(QColor("#555"), 1.5), QBrush(QColor("#f4f4f4")), QPen(QColor("#39c"), 2)
    rects = {}
    titles = {s.id: s.function_slug for s in workflow.steps} | {c.id: c.alias for c in workflow.cells}
    for node_id, title in titles.items():
        pos = workflow.layout[node_id]
        rect = QGraphicsRectItem(0, 0, 120, 44)
        rect.setPen(pen)
        rect.setBrush(brush)
        rect.setPos(pos.x, pos.y)
        rect.setFlags(QGraphicsRectItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsRectItem.GraphicsItemFlag.ItemIsSelectable)
        QGraphicsSimpleTextItem(title, rect).setPos(8, 12)
        scene.addItem(rect)
        rects[node_id] = rect
    for step in workflow.steps:
        for a, b in [(c, step.id) for c in step.inputs.values()] + [(step.id, c) for c in step.outputs.values()]:
            start = rects[a].pos() + QPointF(120, 22)
            end = rects[b].pos() + QPointF(0, 22)
            path_ = QPainterPath(start)
            dx = max(40.0, abs(end.x() - start.x()) / 2)
            path_.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end)
            item = QGraphicsPathItem(path_)
            item.setPen(wire_pen)
            item.setZValue(-1)
            scene.addItem(item)
    rect = scene.itemsBoundingRect()
    view.fitInView(QRectF(rect).adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
    return view


# --- measuring -------------------------------------------------------------------------------------


def best_of(repeats: int, func) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times), times


def best_reopen(app, opener, path: Path, view, repeats: int) -> float:
    """The best of `repeats` times `opener` takes to open `path` again in `view`; Qt catches up (untimed)
    after each."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        opener(path, view)
        times.append(time.perf_counter() - start)
        app.processEvents()
    return min(times)


def count_items(view) -> tuple[int, int]:
    from PySide6.QtWidgets import QGraphicsPathItem

    from fancy_studio.gui.canvas.node_items import NodeItem
    from fancy_studio.gui.canvas.wire_item import WireItem

    items = view.scene().items()
    nodes = sum(isinstance(i, NodeItem) or type(i).__name__ == "QGraphicsRectItem" for i in items)
    wires = sum(isinstance(i, (WireItem, QGraphicsPathItem)) for i in items)
    return nodes, wires


def measure_open_and_frames(path: Path, repeats: int) -> dict:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    results = {}
    for name, opener in (("baseline", open_baseline), ("studio", open_studio)):
        view = opener(path)  # warm-up: imports, fonts, first scene
        view.show()
        app.processEvents()
        results[f"{name}_open"] = best_reopen(app, opener, path, view, repeats)
        results[f"{name}_items"] = count_items(view)
        # fit-all frame: a fresh open, then the first grab (item caches empty) and the best of 5
        opener(path, view)
        app.processEvents()
        start = time.perf_counter()
        image = view.viewport().grab()
        results[f"{name}_first_frame"] = time.perf_counter() - start
        results[f"{name}_frame"], _ = best_of(5, lambda: view.viewport().grab())
        results[f"{name}_frame_size"] = (image.width(), image.height())
        if name == "studio":
            results["zoom"] = view.zoom()
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / "saved.json"
                results["save"], _ = best_of(5, lambda: view.document.save(target))
        view.hide()
        view.deleteLater()
        app.processEvents()
    return results


SHOW_SCRIPT = r"""
import sys, time
start = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
if sys.argv[1] == "studio":  # what `fancy-studio` does: the frame shown and painted, the studio built next
    from fancy_studio.gui.app import open_window
    window = open_window([])
    shown = time.perf_counter() - start
elif sys.argv[1] == "built":  # a window built in one go
    from fancy_studio.gui.window.main_window import MainWindow
    window = MainWindow()
    window.show()
else:
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
if sys.argv[1] != "studio":
    app.processEvents()
    shown = time.perf_counter() - start
else:  # then until the example is open on the canvas
    while not (window.is_built and window.scene.node_items()):  # the example opens as an untitled copy
        app.processEvents()
    app.processEvents()
print(shown, time.perf_counter() - start)
"""

MEMORY_SCRIPT = r"""
import gc, sys, tracemalloc
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from bench_canvas import open_baseline, open_studio, VIEW_SIZE
from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView
from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.core.workflow_file import load_workflow

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096

app = QApplication([])
path = Path(sys.argv[2])
load_workflow(path)  # warm the parser (pydantic, json) outside the measurement
if sys.argv[1] == "studio":
    view = WorkflowView(WorkflowDocument()); opener = open_studio
else:
    scene = QGraphicsScene(); view = QGraphicsView(scene); view.keep_scene = scene; opener = open_baseline
view.resize(*VIEW_SIZE); view.show(); app.processEvents()
gc.collect()
before = rss()
tracemalloc.start()
opener(path, view)
app.processEvents()
view.viewport().grab()
current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
gc.collect()
print(rss() - before, current, peak)
"""


def run_child(script: str, *args: str, pycache: str | None = None) -> str:
    """Run `script` in a fresh interpreter; with `pycache`, bytecode is cached there (as on a normal
    install) instead of recompiled every time (this environment sets PYTHONDONTWRITEBYTECODE)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    with tempfile.TemporaryDirectory() as home:  # private QSettings for the MainWindow
        env["XDG_CONFIG_HOME"] = home
        env["HOME"] = home
        out = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                             check=True, timeout=300)
    return out.stdout.strip().splitlines()[-1]


def measure_show(repeats: int) -> dict:
    """Best of `repeats` fresh interpreters: without bytecode cache (this environment) and with it."""
    results = {}

    def best(kind: str, pycache: str | None) -> tuple[float, float]:
        runs = [tuple(map(float, run_child(SHOW_SCRIPT, kind, pycache=pycache).split())) for _ in range(repeats)]
        return min(r[0] for r in runs), min(r[1] for r in runs)

    for kind in ("bare", "studio", "built"):
        results[f"{kind}_show"], results[f"{kind}_ready"] = best(kind, None)
    with tempfile.TemporaryDirectory() as pycache:
        for kind in ("bare", "studio", "built"):
            run_child(SHOW_SCRIPT, kind, pycache=pycache)  # the first start writes the cache
            results[f"{kind}_show_pyc"], results[f"{kind}_ready_pyc"] = best(kind, pycache)
    return results


def measure_memory(path: Path) -> dict:
    results = {}
    here = str(Path(__file__).resolve().parent)
    for kind in ("baseline", "studio"):
        rss, current, peak = (int(v) for v in run_child(MEMORY_SCRIPT, kind, str(path), here).split())
        results[f"{kind}_memory"] = (rss, current, peak)
    return results


def profile_open(path: Path) -> str:
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    view = open_studio(path)
    profiler = cProfile.Profile()
    profiler.enable()
    open_studio(path, view)
    view.viewport().grab()
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
    stream.write("\n--- by own time ---\n")
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(15)
    return stream.getvalue()


# --- report ----------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3, help="opens per view (best is reported)")
    parser.add_argument("--profile", action="store_true", help="cProfile one studio open + frame")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = build_chain_file(args.steps, Path(tmp) / "chain.json")
        r = measure_open_and_frames(path, args.repeats)
        r |= measure_show(3)
        r |= measure_memory(path)
        profile = profile_open(path) if args.profile else ""

    nodes, wires = r["studio_items"]
    ms = 1000.0
    rows = []

    def row(name, studio, baseline, unit, target, ok):
        rows.append((name, studio, baseline, unit, target, verdict(ok)))

    open_ratio = r["studio_open"] / r["baseline_open"]
    row("open (load + build + fit)", f"{r['studio_open'] * ms:.0f}", f"{r['baseline_open'] * ms:.0f}", "ms",
        f"≤ {TARGETS['open']}× ({open_ratio:.2f}×)", open_ratio <= TARGETS["open"])
    frame_ratio = r["studio_frame"] / r["baseline_frame"]
    row("fit-all frame, best of 5", f"{r['studio_frame'] * ms:.1f}", f"{r['baseline_frame'] * ms:.1f}", "ms",
        f"≤ {TARGETS['frame']}× ({frame_ratio:.2f}×)", frame_ratio <= TARGETS["frame"])
    first_ratio = r["studio_first_frame"] / r["baseline_first_frame"]
    row("fit-all frame, first", f"{r['studio_first_frame'] * ms:.1f}", f"{r['baseline_first_frame'] * ms:.1f}",
        "ms", f"(info, {first_ratio:.2f}×)", True)
    row("save, best of 5", f"{r['save'] * ms:.1f}", "-", "ms", f"< {TARGETS['save_ms']:.0f} ms",
        r["save"] * ms < TARGETS["save_ms"])
    for suffix, label in (("", ""), ("_pyc", ", .pyc cached")):
        bare = r[f"bare_show{suffix}"]
        ratio = r[f"studio_show{suffix}"] / bare
        row(f"window show{label}", f"{r[f'studio_show{suffix}'] * ms:.0f}", f"{bare * ms:.0f}", "ms",
            f"≤ {TARGETS['show']}× ({ratio:.2f}×)", ratio <= TARGETS["show"])
        row(f"  example open, ready{label}", f"{r[f'studio_ready{suffix}'] * ms:.0f}", f"{bare * ms:.0f}", "ms",
            f"(info, {r[f'studio_ready{suffix}'] / bare:.2f}×)", True)
        row(f"  built in one go{label}", f"{r[f'built_show{suffix}'] * ms:.0f}", f"{bare * ms:.0f}", "ms",
            f"(info, {r[f'built_show{suffix}'] / bare:.2f}×)", True)
    s_rss, s_cur, s_peak = r["studio_memory"]
    b_rss, b_cur, b_peak = r["baseline_memory"]
    kib = 1024.0
    row("memory / node (RSS growth)", f"{s_rss / nodes / kib:.1f}", f"{b_rss / nodes / kib:.1f}", "KiB",
        f"≤ {TARGETS['kib_per_node']:.0f} KiB", s_rss / nodes / kib <= TARGETS["kib_per_node"])
    row("memory / node (tracemalloc kept)", f"{s_cur / nodes / kib:.1f}", f"{b_cur / nodes / kib:.1f}", "KiB",
        "(Python heap only)", True)
    row("memory / node (tracemalloc peak)", f"{s_peak / nodes / kib:.1f}", f"{b_peak / nodes / kib:.1f}", "KiB",
        "(Python heap only)", True)

    print(f"chain of {args.steps} math.increment steps: {nodes} nodes, {wires} wires "
          f"(baseline {r['baseline_items'][0]} rects, {r['baseline_items'][1]} paths); "
          f"view {VIEW_SIZE[0]}×{VIEW_SIZE[1]}, fit zoom {r['zoom']:.3f}, "
          f"Qt platform {os.environ.get('QT_QPA_PLATFORM')}")
    header = ("measure", "studio", "baseline", "unit", "target", "")
    widths = [max(len(str(x[i])) for x in rows + [header]) for i in range(len(header))]
    for line in [header] + rows:
        print("  ".join(str(v).ljust(w) if i == 0 or i >= 3 else str(v).rjust(w)
                        for i, (v, w) in enumerate(zip(line, widths))))
    if profile:
        print("\n" + profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
