"""The parallel run (`max_workers`, `fancy-studio run --workers N`) against the sequential one, same run.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    .venv/bin/python tests/benchmarks/bench_parallel.py [--steps N] [--repeats R] [--sqlite-steps M]

Two questions, each answered against a baseline measured in the same run (best of R, interleaved):

1. **What a step costs.** A chain and a fan-out/fan-in of `math.increment` (and `math.add`) steps, built
   as in `bench_engine.py`, run sequentially and with 2 and 4 workers, on each store type: the
   engine's `InMemoryStore` (the sequential run is then the fast in-memory loop), an `InMemoryStore`
   subclass the engine does not recognise (the general get/put path, with reuse's hashing) and a
   `SqliteStore` file. Reported as µs per step and × the sequential run on the same store; the issue's
   target is ≤ 3×.
2. **When threads pay.** Eight independent branches, sequential vs 2 and 4 workers, of
   * GIL-releasing work: `time.sleep` (what waiting for a disk or a server looks like) and `hashlib`
     over a 16 MB buffer (C code that releases the GIL, like numpy's and pandas' vectorised work):
     threads run these at the same time;
   * pure-Python work (a loop of arithmetic): only one thread runs Python at a time, so threads cannot
     make it faster; a Dask local cluster (worker processes) can.

It never asserts on wall-clock time; it checks that every run computed the right values.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import Case, build_chain, build_fan

from fancy_studio.core.engine import Engine
from fancy_studio.core.functions import FunctionRegistry, describe, registry
from fancy_studio.core.sqlite_store import SqliteStore
from fancy_studio.core.store import InMemoryStore
from fancy_studio.core.workflow import CellSpec, Workflow, WorkflowStep

WORKERS = (1, 2, 4)
TARGET_RATIO = 3.0
BUFFER = bytes(range(256)) * (16 * 1024 * 1024 // 256)


class _OtherStore(InMemoryStore):
    """An `InMemoryStore` the engine does not recognise: every step goes through `get` and `put`."""


# --- 1. per-step cost ------------------------------------------------------------------------------


Stores = dict[str, tuple[Callable[[], Any], int | None]]
"""Label → (a new store, the increments per workflow on it; None: the workflow as given)."""


def per_step(cases: list[Case], stores: Stores, repeats: int) -> None:
    print("1. Per-step cost: µs per step (best of the repeats), × the sequential run on the same store\n")
    header = f"{'workflow':<16} {'store':<28} {'steps':>6}" + "".join(
        f" {'sequential' if w == 1 else f'{w} workers':>22}" for w in WORKERS)
    print(header)
    print("-" * len(header))
    for case in cases:
        for label, (make_store, limit) in stores.items():
            small = case if limit is None else _smaller(case, limit)
            seconds = _best_per_worker_count(small, make_store, repeats)
            base = seconds[1]
            cells = []
            for workers in WORKERS:
                us = seconds[workers] / small.steps * 1e6
                ratio = seconds[workers] / base
                verdict = "" if workers == 1 else (" ok" if ratio <= TARGET_RATIO else " MISSED")
                cells.append(f"{us:8.2f} {ratio:5.2f}×{verdict:<7}")
            print(f"{case.name:<16} {label:<28} {small.steps:>6}" + "".join(f" {c}" for c in cells))
    print(f"\n(target: a parallel run of light steps within {TARGET_RATIO:g}× the sequential run)\n")


def _smaller(case: Case, increments: int) -> Case:
    return build_chain(increments) if case.name == "chain" else build_fan(increments)


def _best_per_worker_count(case: Case, make_store: Callable[[], Any], repeats: int) -> dict[int, float]:
    workflow = case.workflow
    initial = workflow.literal_cells()
    checked = Engine(InMemoryStore()).check(workflow, initial)
    best = dict.fromkeys(WORKERS, float("inf"))
    for _ in range(repeats):
        for workers in WORKERS:  # interleaved: the machine's load falls on every column alike
            store = make_store()
            engine = Engine(store)
            gc.collect()
            started = time.perf_counter()
            result = engine.run_plan(checked, initial, max_workers=workers)
            elapsed = time.perf_counter() - started
            assert result.ok, result.errors
            assert store.get(case.result_cell).value == case.expected
            if hasattr(store, "close"):
                store.close()
            best[workers] = min(best[workers], elapsed)
    return best


# --- 2. eight branches -------------------------------------------------------------------------------


def _sleep(x: float) -> float:
    """Waits like a step reading a file or asking a server (the GIL is released while it waits)."""
    time.sleep(0.05)
    return x + 1


def _hash(x: float) -> float:
    """C code over a large buffer (hashlib releases the GIL, as numpy and pandas do in their loops)."""
    for _ in range(6):
        hashlib.sha256(BUFFER).digest()
    return x + 1


def _python(x: float) -> float:
    """Pure-Python arithmetic: holds the GIL the whole time."""
    total = 0
    for i in range(1_500_000):
        total += i % 7
    return x + 1 + total * 0


BRANCH_WORK = {"time.sleep (I/O-like)": _sleep, "hashlib, 16 MB (C, releases GIL)": _hash,
               "pure Python (holds the GIL)": _python}


def branches(repeats: int) -> None:
    print("2. Eight independent branches of one step each: wall seconds (best), speed-up over sequential\n")
    reg = FunctionRegistry(load_builtins=False)
    for index, func in enumerate(BRANCH_WORK.values()):
        reg.register(describe(func, f"bench.work{index}"))
    header = f"{'work':<36}" + "".join(f" {'sequential' if w == 1 else f'{w} workers':>18}" for w in WORKERS)
    print(header)
    print("-" * len(header))
    for index, label in enumerate(BRANCH_WORK):
        workflow = Workflow(name=label)
        x = workflow.input_cell("x", 0)
        outs = []
        for branch in range(8):
            cell = CellSpec(alias=f"y{branch}")
            workflow.cells.append(cell)
            workflow.steps.append(WorkflowStep(function_slug=f"bench.work{index}", inputs={"x": x.id},
                                               outputs={"return": cell.id}))
            outs.append(cell.id)
        best = dict.fromkeys(WORKERS, float("inf"))
        for _ in range(repeats):
            for workers in WORKERS:
                store = InMemoryStore()
                started = time.perf_counter()
                result = Engine(store, registry=reg).run(workflow, max_workers=workers)
                elapsed = time.perf_counter() - started
                assert result.ok, result.errors
                assert all(store.get(out).value == 1 for out in outs)
                best[workers] = min(best[workers], elapsed)
        cells = [f"{best[w]:7.3f} s {best[1] / best[w]:5.2f}×" for w in WORKERS]
        print(f"{label:<36}" + "".join(f" {c:>18}" for c in cells))
    print("\n(× > 1: faster than sequential. Pure-Python branches cannot go faster on threads: one thread\n"
          " runs Python at a time. Use a Dask local cluster, `--dask local:N`, for those.)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="increment steps per workflow")
    parser.add_argument("--sqlite-steps", type=int, default=2_000,
                        help="increments per workflow on SqliteStore")
    parser.add_argument("--repeats", type=int, default=5, help="repeats; the best is reported")
    parser.add_argument("--skip-branches", action="store_true", help="only the per-step cost")
    args = parser.parse_args(argv)

    registry.get("math.increment")  # load the library before any timing
    print(f"Python {sys.version.split()[0]}; best of {args.repeats} repeats, interleaved\n")
    folder = Path(tempfile.mkdtemp(prefix="bench-parallel-"))
    counter = iter(range(1_000_000))
    stores = {
        "InMemoryStore (fast loop)": (InMemoryStore, None),
        "other store (get/put, reuse)": (_OtherStore, None),
        "SqliteStore (file)": (lambda: SqliteStore(folder / f"run{next(counter)}.db"), args.sqlite_steps),
    }
    per_step([build_chain(args.steps), build_fan(args.steps)], stores, args.repeats)
    if not args.skip_branches:
        branches(max(1, min(args.repeats, 3)))


if __name__ == "__main__":
    main()
