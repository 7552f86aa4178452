"""Run-in-the-studio benchmark: GUI responsiveness and run time while a workflow runs on the worker QThread.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_run_gui.py [--steps N] [--repeats R]
        [--busy-steps S] [--busy-ms MS] [--no-fan] [--profile]

(under a real X server or Xvfb, set DISPLAY instead of QT_QPA_PLATFORM).

A `MainWindow` is shown (1400×900) with the Datums dock visible and raised. Workflows (built once, never
timed; laid out as a snake of rows, like bench_canvas.py):

* **chain** – ``x0 → increment → x1 → … → xN`` of `math.increment` (as in bench_engine.py).
* **fan-out/fan-in** – N `math.increment` branches from one cell summed by a balanced tree of `math.add`
  (2N − 1 steps; as in bench_engine.py).
* **busy (GIL)** – a chain of S steps of ``bench.busy``, registered here with `@fancy_function`: a
  pure-Python loop that spins for ~MS milliseconds holding the GIL (the interpreter only lets other threads in
  at its switch interval, see ``--switch-interval``).

For each workflow and each repeat (alternating baseline, studio; best of R reported):

* **baseline** – ``Engine(SqliteStore(fresh file)).run(workflow)`` in this process, without the studio (the
  studio runs on the workflow's SqliteStore).
* **studio** – (steps in the window's kernel process, the default; ``--in-studio``: on its run thread) wall
  time from calling ``window.run_actions.run_all()`` (what the Run button calls) to the
  ``window.runner.finished`` signal; that is what the user waits for. ``outcome.result.duration`` (the
  engine's own time inside the worker) is reported too. Before each repeat the window forgets the last run
  (its store emptied, ``clean_slate.forget_run``: no statuses, an empty datum table) and comes to rest
  (canvas repainted, table laid out: a user cannot click Run within milliseconds of opening), outside the
  timing.
* **max gap** – a 5 ms `QTimer` (PreciseTimer) started just before ``run_all()`` and stopped at ``finished``
  records the largest interval between consecutive timeouts (the first interval counts from the start, the
  last one ends at ``finished``), i.e. the longest the GUI event loop could not serve a timer. The worst of
  the R repeats is reported (a stall is what the user sees, so the worst case is the honest figure).

The same timer with no run going gives the idle reference.

Issue targets: 10,000-step workflows: max gap ≤ 50 ms and studio ≤ 1.5× baseline; slow GIL-holding steps:
max gap < 100 ms. The script prints the figures against them; it never asserts on wall-clock time, it only
checks that every run computed the right answer.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench_engine import Case, build_chain, build_fan  # noqa: E402
from fancy_studio.core import fancy_function  # noqa: E402
from fancy_studio.core.engine import Engine  # noqa: E402
from fancy_studio.core.functions import registry  # noqa: E402
from fancy_studio.core.sqlite_store import SqliteStore  # noqa: E402
from fancy_studio.gui.window import workflow_stores  # noqa: E402
from fancy_studio.core.workflow import Position  # noqa: E402

TARGET_GAP_MS = 50.0
TARGET_RATIO = 1.5
TARGET_BUSY_GAP_MS = 100.0
TICK_MS = 5
WINDOW_SIZE = (1400, 900)
COLUMNS = 60
RUN_TIMEOUT_S = 600.0

BUSY_SECONDS = 0.05


@fancy_function("bench.busy", title="Busy", category="Bench")
def busy(x: float) -> float:
    """Spin in pure Python for BUSY_SECONDS, holding the GIL (bar the interpreter's switch interval)."""
    deadline = time.perf_counter() + BUSY_SECONDS
    n = 0
    while time.perf_counter() < deadline:
        n += 1
    return x + 1


def build_busy(n: int) -> Case:
    return build_chain(n, slug="bench.busy", name="busy (GIL)")


def lay_out(case: Case) -> Case:
    """A snake of rows, COLUMNS nodes wide, in list order (each step followed by its output cells), as in
    bench_canvas.py: a workflow opened in the studio has a layout, and one without would pile every node
    at the origin."""
    workflow = case.workflow
    nodes = [cell.id for cell in workflow.literal_cells()]
    for step in workflow.steps:
        nodes.append(step.id)
        nodes.extend(step.outputs.values())
    for index, node_id in enumerate(nodes):
        row, col = divmod(index, COLUMNS)
        col = col if row % 2 == 0 else COLUMNS - 1 - col
        workflow.layout[node_id] = Position(x=col * 180.0, y=row * 120.0)
    return case


# --- the gap meter ---------------------------------------------------------------------------------


class GapMeter:
    """A 5 ms timer recording the largest interval between its timeouts (and to `stop()`)."""

    def __init__(self, interval_ms: int = TICK_MS) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.max_gap = 0.0
        self.ticks = 0
        self.gaps: list[float] = []

    def start(self) -> None:
        self.max_gap, self.ticks, self.gaps = 0.0, 0, []
        self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self.last
        self.gaps.append(gap)
        self.max_gap = max(self.max_gap, gap)
        self.last = now
        self.ticks += 1

    def stop(self) -> None:
        self._tick()  # the stretch since the last timeout counts too
        self.timer.stop()


class StallSampler:
    """Diagnosis (``--stalls``): a thread that, whenever the gap meter has not ticked for `threshold`
    seconds, samples the GUI thread's Python stack every `every` seconds, and sums the time per stack.
    The stacks that fill the longest gaps are where the GUI thread was busy."""

    def __init__(self, meter_of, threshold: float = 0.03, every: float = 0.002) -> None:
        import collections
        import threading

        self.meter_of, self.threshold, self.every = meter_of, threshold, every
        self.main = threading.main_thread().ident
        self.seconds: collections.Counter[tuple[str, ...]] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="stall-sampler")
        self._thread.start()

    def _watch(self) -> None:
        import threading
        import traceback

        while not self._stop.wait(self.every):
            meter = self.meter_of()
            if meter is None or not meter.timer.isActive():
                continue
            if time.perf_counter() - meter.last < self.threshold:
                continue
            frames = sys._current_frames()
            frame = frames.get(self.main)
            if frame is None:
                continue
            stack = tuple(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                          for f in traceback.extract_stack(frame)[-14:])
            if Path(frame.f_code.co_filename).name == Path(__file__).name:
                # in Qt's C++ (or waiting for the GIL): say what the other threads were doing
                for ident, other in frames.items():
                    if ident not in (self.main, threading.get_ident()):
                        stack += tuple(f"  [other] {Path(f.filename).name}:{f.lineno} {f.name}"
                                       for f in traceback.extract_stack(other)[-4:])
            self.seconds[stack] += self.every

    def stop_and_report(self, top: int = 8) -> None:
        self._stop.set()
        self._thread.join()
        total = sum(self.seconds.values())
        print(f"\n=== GUI thread stacks inside gaps over {self.threshold * 1e3:.0f} ms "
              f"({total * 1e3:.0f} ms sampled) ===")
        for stack, seconds in self.seconds.most_common(top):
            print(f"--- {seconds * 1e3:.0f} ms")
            for line in stack:
                print(f"    {line}")


CURRENT_METER: list[GapMeter] = []
"""The gap meter of the run being measured (for StallSampler)."""


def idle_gap(seconds: float = 2.0) -> float:
    meter = GapMeter()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    meter.start()
    loop.exec()
    meter.stop()
    return meter.max_gap


# --- the two ways of running -----------------------------------------------------------------------


@dataclass
class StudioRun:
    wall: float
    engine_duration: float
    max_gap: float
    ticks: int
    events: int = 0
    batches: int = 0
    settled: float = 0.0
    """run_all() → the canvas and the Datums table have caught up with every event (max gap until then
    is `settled_gap`)."""
    settled_gap: float = 0.0


@dataclass
class Measured:
    case: str
    steps: int
    baseline_s: float
    studio: list[StudioRun] = field(default_factory=list)

    @property
    def best_wall(self) -> float:
        return min(run.wall for run in self.studio)

    @property
    def best_duration(self) -> float:
        return min(run.engine_duration for run in self.studio)

    @property
    def best_settled(self) -> float:
        return min(run.settled for run in self.studio)

    @property
    def worst_settled_gap(self) -> float:
        return max(run.settled_gap for run in self.studio)

    @property
    def worst_gap(self) -> float:
        return max(run.max_gap for run in self.studio)

    @property
    def best_gap(self) -> float:
        return min(run.max_gap for run in self.studio)


def run_baseline(case: Case) -> float:
    """The same run outside the studio, on the kind of store the studio runs on: a fresh SqliteStore
    (the studio keeps each workflow's results on disk, issue 11)."""
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "baseline.fancystore", key=b"bench" * 8)
        engine = Engine(store)
        gc.collect()
        started = time.perf_counter()
        result = engine.run(case.workflow)
        elapsed = time.perf_counter() - started
        assert result.ok, result.errors
        assert engine.store.get(case.result_cell).value == case.expected
        store.close()
    return elapsed


def run_studio(window, case: Case, profiler: cProfile.Profile | None = None) -> StudioRun:
    # as after opening the workflow on a store that holds nothing: no statuses, an empty datum table, and
    # nothing to reuse (a fresh run, as the baseline's)
    window.store.forget_results()
    window.store.clear()
    window.clean_slate.forget_run(window.document.workflow)
    # A user clicks Run on a window at rest: let the canvas repaint the reset nodes and the table lay
    # itself out first (a pending relayout or repaint would otherwise run during the timed run).
    scene = window.scene
    while scene._dirty_steps or scene._dirty_cells:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
    settle(0.05)
    gc.collect()
    batches = [0, 0]

    def count(events) -> None:
        batches[0] += 1
        batches[1] += len(events)

    window.runner._ensure_thread()
    window.runner._worker.events.connect(count)
    outcomes = []
    loop = QEventLoop()

    def finished(outcome) -> None:
        outcomes.append((time.perf_counter(), outcome))
        meter.stop()
        loop.quit()

    window.runner.finished.connect(finished)
    meter = GapMeter()
    CURRENT_METER[:] = [meter]
    guard = QTimer.singleShot(int(RUN_TIMEOUT_S * 1000), loop.quit)  # noqa: F841
    if profiler is not None:
        profiler.enable()
    meter.start()
    started = time.perf_counter()
    assert window.run_actions.run_all()
    if not outcomes:
        loop.exec()
    if profiler is not None:
        profiler.disable()
    window.runner.finished.disconnect(finished)
    window.runner._worker.events.disconnect(count)
    assert outcomes, "the run did not finish in time"
    ended, outcome = outcomes[0]
    assert outcome.result is not None, (outcome.problems, outcome.crash)
    assert outcome.result.ok, outcome.result.errors
    assert window.store.get(case.result_cell).value == case.expected
    gap_to_finish = meter.max_gap
    # Then keep measuring until the window has caught up: canvas slices done, table holding every cell.
    scene, model = window.scene, window.datums.model
    settle_meter = GapMeter()
    settle_meter.start()
    settle_meter.last = ended
    CURRENT_METER[:] = [settle_meter]
    while scene._dirty_steps or scene._dirty_cells or (
            model.rowCount() != len(window.store) and not DIAGNOSIS.get("no_datums")):
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
    settled = time.perf_counter()
    settle_meter.stop()
    CURRENT_METER[:] = []
    QApplication.processEvents()  # let the last repaints go before the next measurement
    return StudioRun(ended - started, outcome.result.duration, gap_to_finish, meter.ticks,
                     batches[1], batches[0], settled - started, max(gap_to_finish, settle_meter.max_gap))


DIAGNOSIS: dict = {}


PAINTS: dict[str, list[float]] = {}
"""Diagnosis (``--stalls``): every paint event's duration, by the class that painted."""


def time_paints(cls) -> None:
    """Time every `paintEvent` of `cls` (a Python subclass of a Qt widget) into PAINTS."""
    paint = cls.paintEvent

    def timed(self, event) -> None:
        began = time.perf_counter()
        paint(self, event)
        PAINTS.setdefault(cls.__name__, []).append(time.perf_counter() - began)

    cls.paintEvent = timed


def measure(window, case: Case, repeats: int) -> Measured:
    window.document.replace(case.workflow, None)
    window._docks["Datums"].setVisible(not DIAGNOSIS.get("no_datums"))
    window._docks["Datums"].raise_()
    settle()
    if DIAGNOSIS.get("zoom") is not None:
        window.view.set_zoom(DIAGNOSIS["zoom"])
        settle()
    run_studio(window, case)  # warm-up (thread start, first paints), not counted
    measured = Measured(case.name, len(case.workflow.steps), float("inf"))
    for i in range(repeats):
        if i % 2 == 0:
            measured.baseline_s = min(measured.baseline_s, run_baseline(case))
            measured.studio.append(run_studio(window, case))
        else:
            measured.studio.append(run_studio(window, case))
            measured.baseline_s = min(measured.baseline_s, run_baseline(case))
        print(f"  {case.name}: repeat {i + 1}: studio {measured.studio[-1].wall * 1e3:.0f} ms, "
              f"max gap {measured.studio[-1].max_gap * 1e3:.1f} ms, "
              f"{measured.studio[-1].batches} batches", flush=True)
    return measured


def settle(seconds: float = 0.3) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


# --- reporting -------------------------------------------------------------------------------------


def report(results: list[Measured], idle: float, repeats: int, busy_name: str) -> None:
    platform = QApplication.platformName()
    print(f"\nPython {sys.version.split()[0]}, Qt platform '{platform}', best of {repeats} repeats "
          f"(max gap: worst of {repeats}; alternating baseline/studio), {TICK_MS} ms timer, "
          f"GIL switch interval {sys.getswitchinterval() * 1e3:g} ms\n")
    header = (f"{'case':<16} {'steps':>6} {'baseline':>10} {'studio':>10} {'(engine)':>10} {'ratio':>7} "
              f"{'max gap':>9} {'(best)':>8}  {'target':<24} {'met?':<4}")
    print(header)
    print("-" * len(header))
    for m in results:
        ratio = m.best_wall / m.baseline_s
        gap_ms = m.worst_gap * 1e3
        if m.case == busy_name:
            target = f"gap < {TARGET_BUSY_GAP_MS:g} ms"
            met = gap_ms < TARGET_BUSY_GAP_MS
        else:
            target = f"gap ≤ {TARGET_GAP_MS:g} ms, ≤ {TARGET_RATIO:g}×"
            met = gap_ms <= TARGET_GAP_MS and ratio <= TARGET_RATIO
        print(f"{m.case:<16} {m.steps:>6} {m.baseline_s * 1e3:>8.0f}ms {m.best_wall * 1e3:>8.0f}ms "
              f"{m.best_duration * 1e3:>8.0f}ms {ratio:>6.2f}× {gap_ms:>7.1f}ms {m.best_gap * 1e3:>6.1f}ms  "
              f"{target:<24} {'yes' if met else 'NO':<4}")
    print(f"{'idle (no run)':<16} {'':>6} {'':>10} {'':>10} {'':>10} {'':>7} {idle * 1e3:>7.1f}ms")
    print("\nuntil the window has caught up (canvas repainted, Datums table filled), for information:")
    for m in results:
        print(f"  {m.case:<16} settled in {m.best_settled * 1e3:.0f} ms (best), "
              f"max gap until then {m.worst_settled_gap * 1e3:.1f} ms (worst)")
    print("\nbaseline = Engine(SqliteStore(fresh file)).run, as the studio's store; studio = run_all() → finished wall time; "
          "(engine) = outcome.result.duration")


def profile_run(window, case: Case, top: int = 30) -> None:
    """cProfile the GUI thread (only) during one studio run of `case`."""
    window.document.replace(case.workflow, None)
    settle()
    profiler = cProfile.Profile()
    run = run_studio(window, case, profiler)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print(f"=== cProfile, GUI thread only: {case.name} ({len(case.workflow.steps)} steps), "
          f"wall {run.wall * 1e3:.0f} ms, max gap {run.max_gap * 1e3:.1f} ms, {run.batches} batches ===")
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    print(out.getvalue())


def main(argv: list[str] | None = None) -> None:
    global BUSY_SECONDS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="increment steps per workflow")
    parser.add_argument("--repeats", type=int, default=5, help="repeats; the best is reported")
    parser.add_argument("--busy-steps", type=int, default=20, help="steps of the GIL-holding workflow")
    parser.add_argument("--busy-ms", type=float, default=50.0, help="milliseconds each busy step spins")
    parser.add_argument("--no-fan", action="store_true", help="skip the fan-out/fan-in workflow")
    parser.add_argument("--profile", action="store_true", help="also cProfile the GUI thread during one run")
    parser.add_argument("--in-studio", action="store_true",
                        help="run steps on the studio's run thread (Settings > Run Steps In), not in the kernel")
    parser.add_argument("--switch-interval", type=float, default=None, metavar="SECONDS",
                        help="sys.setswitchinterval for the whole process (diagnosis: GIL hand-over latency)")
    parser.add_argument("--stalls", action="store_true",
                        help="sample the GUI thread's stack inside every gap over 30 ms and print the worst stacks")
    parser.add_argument("--no-datums", action="store_true", help="diagnosis: run with the Datums dock hidden")
    parser.add_argument("--zoom", type=float, default=None, help="diagnosis: set the canvas zoom (1.0 = actual size)")
    args = parser.parse_args(argv)
    BUSY_SECONDS = args.busy_ms / 1000
    DIAGNOSIS.update(no_datums=args.no_datums, zoom=args.zoom)
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)

    app = QApplication.instance() or QApplication([])
    from fancy_studio.gui.window import main_window as main_window_module

    settings_dir = tempfile.TemporaryDirectory()
    ini = str(Path(settings_dir.name) / "settings.ini")
    main_window_module.settings = lambda: QSettings(ini, QSettings.Format.IniFormat)  # never the user's
    workflow_stores.stores_dir = lambda: Path(settings_dir.name) / "stores"
    main_window_module.settings().setValue("run/in_kernel", not args.in_studio)

    registry.get("math.increment")  # load the library before any timing
    cases = [lay_out(build_chain(args.steps))]
    if not args.no_fan:
        cases.append(lay_out(build_fan(args.steps)))
    busy_case = lay_out(build_busy(args.busy_steps))
    cases.append(busy_case)

    window = main_window_module.MainWindow()
    window.resize(*WINDOW_SIZE)
    window.show()
    window._docks["Datums"].show()
    window._docks["Datums"].raise_()
    settle(0.5)
    print(f"Qt platform '{app.platformName()}'", flush=True)

    idle = idle_gap()
    sampler = StallSampler(lambda: CURRENT_METER[0] if CURRENT_METER else None) if args.stalls else None
    if args.stalls:
        time_paints(type(window.view))

    results = [measure(window, case, args.repeats) for case in cases]
    report(results, idle, args.repeats, busy_case.name)
    if sampler is not None:
        sampler.stop_and_report()
        for name, durations in PAINTS.items():
            durations.sort()
            print(f"paint events of {name}: {len(durations)}, longest {durations[-1] * 1e3:.1f} ms, "
                  f"over 20 ms: {sum(d > 0.02 for d in durations)}, total {sum(durations) * 1e3:.0f} ms")
    if args.profile:
        for case in cases:
            profile_run(window, case)

    window.runner.shutdown()  # not close(): no unsaved-changes prompt can block the script
    settings_dir.cleanup()


if __name__ == "__main__":
    main()
