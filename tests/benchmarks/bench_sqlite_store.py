"""SqliteStore benchmark: µs per operation against InMemoryStore, and a 10,000-step chain on each.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    .venv/bin/python tests/benchmarks/bench_sqlite_store.py [--ops N] [--steps N] [--repeats R]

1. **put / get / remember / lookup**: N operations of small values (an int; a result `{"return": i}`)
   on an `InMemoryStore` (the baseline; it has no `remember`/`lookup` of its own before issue 11's engine
   reuse, so a dict stands in) and on `SqliteStore` with its default `commit_interval` (commits grouped
   within 20 ms) and with `commit_interval=0` (a commit per write).
2. **chain**: `Engine(store).run(chain of N math.increment)` on a fresh store: InMemoryStore (the engine's
   inlined loop), an InMemoryStore subclass (the engine's generic get/put path, the one SqliteStore takes)
   and SqliteStore; then, when the engine can reuse (`Engine.run(..., reuse=...)`), the same run again on
   the same store, where every step is reused, and on SqliteStore once more from a new store object on
   the file (a new session: nothing in memory yet).

Issue targets (SqliteStore chain): fresh ≤ 25 µs/step, every step reused ≤ 10 µs/step. Reported, never
asserted on wall-clock time; each run's answer is checked.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import build_chain  # noqa: E402

from fancy_studio.core import Engine, InMemoryStore, SqliteStore  # noqa: E402
from fancy_studio.core.result_cache import Lineage, StoredResult  # noqa: E402

KEY = b"k" * 32


class _OtherStore(InMemoryStore):
    """An InMemoryStore the engine does not recognise: it goes through `get` and `put`."""


def best(repeats: int, make: Callable[[], Any], work: Callable[[Any], None]) -> float:
    """Best wall time of `work(make())` and writing what it left pending, over `repeats` (the making
    is not timed)."""
    times = []
    for _ in range(repeats):
        subject = make()
        start = time.perf_counter()
        work(subject)
        if hasattr(subject, "flush"):  # what is still pending is part of the cost
            subject.flush()
        times.append(time.perf_counter() - start)
        close = getattr(subject, "close", None)
        if close:
            close()
    return min(times)


def sqlite_maker(folder: Path, **options: Any) -> Callable[[], SqliteStore]:
    def make() -> SqliteStore:
        return SqliteStore(folder / f"{uuid.uuid4()}.db", key=KEY, **options)

    return make


def operations(ops: int, repeats: int, folder: Path) -> None:
    ids = [uuid.uuid4() for _ in range(ops)]
    lineage = Lineage(uuid.uuid4(), "math.increment", "1", {"x": "00"}, "k", 0.0, 0.0)
    results = [StoredResult({"return": i}, {"return": "00"}, lineage) for i in range(ops)]
    keys = [f"key{i}" for i in range(ops)]

    def puts(store: Any) -> None:
        for i, cell_id in enumerate(ids):
            store.put(i, id=cell_id)

    def gets(store: Any) -> None:
        for cell_id in ids:
            store.get(cell_id)

    def remembers(store: Any) -> None:
        remember = store.remember if hasattr(store, "remember") else store.__setitem__
        for key, result in zip(keys, results):
            remember(key, result)

    def lookups(store: Any) -> None:
        lookup = store.lookup if hasattr(store, "lookup") else store.get
        for key in keys:
            assert lookup(key) is not None

    def then(make: Callable[[], Any], fill: Callable[[Any], None]) -> Callable[[], Any]:
        def made() -> Any:
            store = make()
            fill(store)
            if hasattr(store, "flush"):
                store.flush()
            return store

        return made

    stores: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("InMemoryStore (baseline; dict for results)", InMemoryStore, dict),
        ("SqliteStore (commits within 20 ms)", sqlite_maker(folder), sqlite_maker(folder)),
        ("SqliteStore (commit_interval=0)", sqlite_maker(folder, commit_interval=0),
         sqlite_maker(folder, commit_interval=0)),
    ]
    print(f"\n{ops:,} operations, µs per operation (best of {repeats})")
    print(f"{'store':48} {'put':>8} {'get':>8} {'remember':>9} {'lookup':>8}")
    for name, make, make_results in stores:
        put_s = best(repeats, make, puts)
        get_s = best(repeats, then(make, puts), gets)
        remember_s = best(repeats, make_results, remembers)
        lookup_s = best(repeats, then(make_results, remembers), lookups)
        print(f"{name:48} {put_s / ops * 1e6:8.2f} {get_s / ops * 1e6:8.2f} "
              f"{remember_s / ops * 1e6:9.2f} {lookup_s / ops * 1e6:8.2f}")


def chains(steps: int, repeats: int, folder: Path) -> None:
    case = build_chain(steps)
    can_reuse = "reuse" in inspect.signature(Engine.run).parameters
    reuse_off: dict[str, Any] = {"reuse": False} if can_reuse else {}

    def fresh(store: Any) -> None:
        result = Engine(store).run(case.workflow, **reuse_off)
        assert store.get(case.result_cell).value == case.expected, result

    def rerun(store: Any) -> None:
        Engine(store).run(case.workflow)
        assert store.get(case.result_cell).value == case.expected

    def after_a_run(make: Callable[[], Any]) -> Callable[[], Any]:
        def prepared() -> Any:
            store = make()
            Engine(store).run(case.workflow)
            return store

        return prepared

    print(f"\nchain of {steps:,} math.increment steps, µs per step (best of {repeats})")
    rows = [("InMemoryStore (inlined loop; baseline)", InMemoryStore),
            ("InMemoryStore subclass (generic get/put path)", _OtherStore),
            ("SqliteStore", sqlite_maker(folder))]
    for name, make in rows:
        line = f"{name:48} fresh {best(repeats, make, fresh) / steps * 1e6:8.2f}"
        if can_reuse:
            line += f"   all reused {best(repeats, after_a_run(make), rerun) / steps * 1e6:8.2f}"
        print(line)
    if can_reuse:  # another process (or a restart) reuses what the first one stored
        def reopened() -> SqliteStore:
            first = sqlite_maker(folder)()
            Engine(first).run(case.workflow)
            first.close()
            return SqliteStore(first.path, key=KEY)

        print(f"{'SqliteStore, all reused in a new session':48} {'':14}   all reused "
              f"{best(repeats, reopened, rerun) / steps * 1e6:8.2f}")
        closing = []  # what is left for close() (not part of the run)
        for _ in range(repeats):
            store = reopened()
            rerun(store)
            store.flush()
            start = time.perf_counter()
            store.close()
            closing.append(time.perf_counter() - start)
        print(f"{'  then close()':48} {'':14}   per step   {min(closing) / steps * 1e6:8.2f}")
    else:
        print("(Engine.run has no reuse= yet: the all-reused run is not measured)")
    print("targets for SqliteStore: fresh ≤ 25 µs/step, all reused ≤ 10 µs/step")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        operations(args.ops, args.repeats, Path(folder))
        chains(args.steps, args.repeats, Path(folder))


if __name__ == "__main__":
    main()
