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

It never asserts on wall-clock time; it checks every run's statuses.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import build_chain  # noqa: E402

from fancy_studio.core import Engine, InMemoryStore, RunCallbacks, SqliteStore, StepStatus  # noqa: E402
from fancy_studio.kernel import Kernel  # noqa: E402


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
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

        for name, here, there in (("InMemoryStore", in_process_memory, in_kernel_memory),
                                  ("SqliteStore", in_process_sqlite, in_kernel_sqlite)):
            base = best(args.repeats, here)
            measured = best(args.repeats, there)
            print(f"chain of {n}, {name}: kernel {measured * 1000:.0f} ms ({measured / n * 1e6:.1f} µs/step), "
                  f"baseline Engine.run in-process {base * 1000:.0f} ms ({base / n * 1e6:.1f} µs/step): "
                  f"{measured / base:.2f}x")
    kernel.shutdown()


if __name__ == "__main__":
    main()
