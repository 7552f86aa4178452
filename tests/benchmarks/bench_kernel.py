"""Kernel benchmark (issue 12): start to ready, and a 10,000-step chain run in a kernel vs in-process.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    .venv/bin/python tests/benchmarks/bench_kernel.py [--steps N] [--repeats R]

Measured in the same run, best of R, each against its own baseline:

* **start to ready** – `Kernel.start()` until `wait_ready()` returns (a fresh process each time), against
  **baseline: bare interpreter** – `python -c pass` started and waited for (the floor of any process).
* **chain, InMemoryStore** – `Kernel.run(store_path=None)` of a chain of N `math.increment` steps with the
  studio's callbacks (a timings log, `deque.append` for started steps) against
  **baseline: Engine.run in-process** on a fresh `InMemoryStore` with the same callbacks.
* **chain, SqliteStore** – the same on a new store file each repeat (the kernel writes and closes it
  before `run` returns), against `Engine.run` in-process on a new `SqliteStore` (closed, as the kernel does).
  The same workflow runs again and again, as in the studio: after the first run the kernel has it and
  nothing of it is sent. Then **a step edited before each run** (its label: one chunk is sent, the
  kernel plans again) and **a workflow the kernel never saw** (an equal copy built anew for each run:
  every chunk is sent and decoded).

* **the caller's largest pause** (`--gap-steps N`, 20,000 by default) – a watchdog thread ticks every
  1 ms and records its largest gap while `Kernel.run` ships and runs a chain of N steps and a
  fan-out/fan-in of N - 1 steps on a `SqliteStore`, three runs each: the first run ships the workflow,
  the second and third find it in the kernel. A long C call on the calling thread (a big `pickle.dumps`, a big
  `json.loads`, a full garbage collection) shows here as a gap: in the studio, a frozen window. Against
  **baseline: pure Python** – the same watchdog while the calling thread runs a Python loop for as long
  (the floor: the GIL's switch interval, 5 ms, and the machine's load). `gc.collect()` before the
  first run, as in a studio whose document was opened a while ago; full collections during each run
  are counted.

It never asserts on wall-clock time; it checks every run's statuses.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Self

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import build_chain, build_fan

from fancy_studio.core import Engine, InMemoryStore, RunCallbacks, SqliteStore, StepStatus
from fancy_studio.kernel import Kernel


def best(repeats: int, body: Any) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        body()
        times.append(time.perf_counter() - began)
    return min(times)


def studio_callbacks() -> RunCallbacks:
    return RunCallbacks(on_step_started=deque(maxlen=1).append, timings_log=[])


def check(result: Any, steps: int) -> None:
    assert result.count(StepStatus.DONE) == steps, result.count(StepStatus.DONE)


class Watchdog:
    """A thread that ticks every millisecond and keeps its largest gap (a paused caller's thread can't
    be seen from the thread itself: another one has to wait for the GIL)."""

    def __init__(self) -> None:
        self.largest = 0.0
        self.ticks = 0
        self.full_collections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def _tick(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            self.largest = max(self.largest, now - last)
            self.ticks += 1
            last = now

    def _collected(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] == 2:
            self.full_collections += 1

    def __enter__(self) -> Self:
        gc.callbacks.append(self._collected)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        gc.callbacks.remove(self._collected)


def busy_python(seconds: float) -> None:
    end = time.perf_counter() + seconds
    total = 0
    while time.perf_counter() < end:
        for i in range(100):
            total += i


def gaps(kernel: Kernel, steps: int, folder: str) -> None:
    for case in (build_chain(steps), build_fan(steps // 2)):
        workflow = case.workflow
        gc.collect()  # once: the runs follow one another as in the studio
        for attempt in ("first run (ships it)", "second run (in the kernel)", "third run"):
            path = Path(folder) / f"gap{time.monotonic_ns()}.fancystore"
            with Watchdog() as dog:
                began = time.perf_counter()
                result = kernel.run(workflow, store_path=path, callbacks=studio_callbacks())
                took = time.perf_counter() - began
            check(result, case.steps)
            shipped = getattr(kernel, "last_shipped", None)
            sent = "" if shipped is None else f", {shipped.chunks} chunks, {shipped.bytes / 1000:.0f} kB sent"
            with Watchdog() as floor:
                busy_python(took)
            print(f"{case.name} of {case.steps}, {attempt}: largest gap {dog.largest * 1000:.1f} ms "
                  f"({dog.ticks} ticks in {took * 1000:.0f} ms, {dog.full_collections} full collections{sent}); "
                  f"baseline pure Python {floor.largest * 1000:.1f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gap-steps", type=int, default=20_000)
    parser.add_argument("--only-gaps", action="store_true", help="measure only the caller's largest pause")
    args = parser.parse_args(argv)
    if args.only_gaps:
        kernel = Kernel()
        kernel.start()
        kernel.wait_ready(30)
        with tempfile.TemporaryDirectory() as folder:
            gaps(kernel, args.gap_steps, folder)
        kernel.shutdown()
        return
    case = build_chain(args.steps)
    workflow, n = case.workflow, case.steps

    bare = best(args.repeats, lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))

    readies = []
    for _ in range(args.repeats):
        kernel = Kernel()
        kernel.start()
        assert kernel.wait_ready(30)
        readies.append(kernel.ready_after or 0.0)  # start() to the "ready" message (shutdown not timed)
        kernel.shutdown()
    ready = min(readies)
    print(f"start to ready: {ready * 1000:.0f} ms (baseline: bare interpreter {bare * 1000:.0f} ms, "
          f"{ready / bare:.1f}x)")

    kernel = Kernel()
    kernel.start()
    kernel.wait_ready(30)
    kernel.run(workflow, store_path=None)  # warm: the kernel's first run imports the engine's parts

    def in_process_memory() -> None:
        check(Engine(InMemoryStore()).run(workflow, callbacks=studio_callbacks()), n)

    def in_kernel_memory() -> None:
        check(kernel.run(workflow, store_path=None, callbacks=studio_callbacks()), n)

    with tempfile.TemporaryDirectory() as folder:
        files = iter(range(10**6))

        def in_process_sqlite() -> None:
            store = SqliteStore(Path(folder) / f"here{next(files)}.fancystore")
            check(Engine(store).run(workflow, callbacks=studio_callbacks()), n)
            store.close()

        def in_kernel_sqlite() -> None:
            path = Path(folder) / f"kernel{next(files)}.fancystore"
            check(kernel.run(workflow, store_path=path, callbacks=studio_callbacks()), n)

        edits = iter(range(10**6))

        def in_kernel_sqlite_edited() -> None:
            workflow.steps[-1].label = f"edit {next(edits)}"  # one chunk ships, the kernel plans anew
            in_kernel_sqlite()

        fresh = [build_chain(args.steps).workflow for _ in range(args.repeats)]

        def in_kernel_sqlite_fresh() -> None:
            path = Path(folder) / f"kernel{next(files)}.fancystore"
            check(kernel.run(fresh.pop(), store_path=path, callbacks=studio_callbacks()), n)

        for name, here, there in (("InMemoryStore", in_process_memory, in_kernel_memory),
                                  ("SqliteStore", in_process_sqlite, in_kernel_sqlite),
                                  ("SqliteStore, a step edited before each run", in_process_sqlite,
                                   in_kernel_sqlite_edited),
                                  ("SqliteStore, a workflow the kernel never saw", in_process_sqlite,
                                   in_kernel_sqlite_fresh)):
            base = best(args.repeats, here)
            measured = best(args.repeats, there)
            print(f"chain of {n}, {name}: kernel {measured * 1000:.0f} ms ({measured / n * 1e6:.1f} µs/step), "
                  f"baseline Engine.run in-process {base * 1000:.0f} ms ({base / n * 1e6:.1f} µs/step): "
                  f"{measured / base:.2f}x")
        gaps(kernel, args.gap_steps, folder)
    kernel.shutdown()


if __name__ == "__main__":
    main()
