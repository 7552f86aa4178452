"""Reuse benchmark (issue 11): µs per step of a fresh run and of an all-reused run, per store.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    .venv/bin/python tests/benchmarks/bench_reuse.py [--steps N] [--repeats R]

The workflow is a chain of N `math.increment` steps (`bench_engine.build_chain`). Measured in the same
process, best of R:

* **baseline: plain run** – ``Engine(InMemoryStore()).run(wf)`` on a fresh store: nothing to reuse, the
  engine's fast loop (what every run cost before reuse existed).
* **InMemoryStore, fresh** – the same with ``reuse=True`` (the default) on a fresh store: must stay within
  1.2× of the plain run (the issue's target; hashing is deferred to a run that looks things up).
* **InMemoryStore, all reused** – a second run on the same store: every step is `cached` (this run also
  pays the deferred hashing of the first run, so it is measured from a store that has just been run once).
* **SqliteStore, fresh / all reused** – the same on a new store file in a temporary folder (targets:
  ≤ 25 µs and ≤ 10 µs per step); the reused run is measured with a *new* `SqliteStore` on the file (a
  second session), so it reads everything from disk.
* **hashing 100 MB** of bytes with `caching.value_hash` (target ≥ 2 GB/s).

It never asserts on wall-clock time; it checks every run's answer and statuses.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import best_of, build_chain  # noqa: E402

from fancy_studio.core.caching import value_hash  # noqa: E402
from fancy_studio.core.engine import Engine, StepStatus  # noqa: E402
from fancy_studio.core.functions import registry  # noqa: E402
from fancy_studio.core.store import InMemoryStore  # noqa: E402

try:
    from fancy_studio.core import SqliteStore
except ImportError:  # not landed yet
    SqliteStore = None  # type: ignore[assignment,misc]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    registry.get("math.increment")
    case = build_chain(args.steps)
    wf, n = case.workflow, case.steps

    def checker(expected: StepStatus) -> Callable[[Any, Any], None]:
        def check(engine: Any, result: Any) -> None:
            assert result.ok, result.errors
            assert result.count(expected) == n, (expected, result.count(expected))
            assert engine.store.get(case.result_cell).value == case.expected

        return check

    rows: list[tuple[str, float, float | None]] = []
    plain = best_of(args.repeats, lambda: Engine(InMemoryStore()),
                    lambda e: e.run(wf, reuse=False), checker(StepStatus.DONE))
    rows.append(("baseline: plain run (InMemoryStore, fresh)", plain, None))
    rows.append(("InMemoryStore, fresh (reuse on)", best_of(
        args.repeats, lambda: Engine(InMemoryStore()), lambda e: e.run(wf), checker(StepStatus.DONE)), None))

    def ran_once() -> Engine:
        engine = Engine(InMemoryStore())
        engine.run(wf)
        return engine

    rows.append(("InMemoryStore, all reused", best_of(
        args.repeats, ran_once, lambda e: e.run(wf), checker(StepStatus.CACHED)), None))
    rows.append(("InMemoryStore, all reused (settled)", best_of(
        args.repeats, lambda: _settled(ran_once()), lambda e: e.run(wf), checker(StepStatus.CACHED)), None))

    if SqliteStore is not None:
        with tempfile.TemporaryDirectory() as folder:
            files = iter(range(10_000))

            def fresh_sqlite() -> Engine:
                return Engine(SqliteStore(Path(folder) / f"fresh{next(files)}.sqlite"))

            rows.append(("SqliteStore, fresh", best_of(
                args.repeats, fresh_sqlite, lambda e: _flushed(e, e.run(wf)), checker(StepStatus.DONE)), 25.0))
            path = Path(folder) / "reused.sqlite"
            with SqliteStore(path) as store:
                Engine(store).run(wf)
            rows.append(("SqliteStore, all reused (new session)", best_of(
                args.repeats, lambda: Engine(SqliteStore(path)), lambda e: _flushed(e, e.run(wf)),
                checker(StepStatus.CACHED)), 10.0))
    else:
        print("(SqliteStore not importable from fancy_studio.core: its rows are left out)\n")

    print(f"Python {sys.version.split()[0]}, chain of {n} math.increment steps, best of {args.repeats}\n")
    print(f"{'measure':<44} {'µs/step':>9} {'× plain run':>12}  {'target':>12}")
    for label, seconds, target in rows:
        per_step = seconds / n * 1e6
        verdict = ""
        if label == "InMemoryStore, fresh (reuse on)":
            verdict = f"≤1.2× {'ok' if seconds <= 1.2 * plain else 'MISSED'}"
        elif target is not None:
            verdict = f"≤{target:g} {'ok' if per_step <= target else 'MISSED'}"
        print(f"{label:<44} {per_step:>9.2f} {seconds / plain:>11.2f}×  {verdict:>12}")

    data = bytes(range(256)) * (100 * 2**20 // 256)
    value_hash(data[:1024])
    hashing = min(_timed(lambda: value_hash(data)) for _ in range(args.repeats))
    rate = len(data) / hashing / 1e9
    print(f"\nvalue_hash of 100 MiB bytes: {rate:.1f} GB/s  (≥2 {'ok' if rate >= 2 else 'MISSED'}); "
          f"memoryview: {len(data) / min(_timed(lambda: value_hash(memoryview(data))) for _ in range(3)) / 1e9:.1f} GB/s")


def _settled(engine: Engine) -> Engine:
    engine.store.settle_results()  # type: ignore[attr-defined]
    return engine


def _flushed(engine: Engine, result: Any) -> Any:
    flush = getattr(engine.store, "flush", None)
    if flush is not None:
        flush()  # what a run leaves to write is part of its cost
    return result


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
