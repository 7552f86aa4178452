"""Dask benchmark (issue 15): what a 2-worker local cluster gains, and what our executor costs per step.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    .venv/bin/python tests/benchmarks/bench_dask.py [--seconds 0.5] [--chain 1000] [--repeats 3]

1. **Eight branches**: eight independent steps of pure-Python work (a loop calibrated to about `--seconds`
   each, which holds the GIL). In-process sequential `Engine(InMemoryStore()).run` (the baseline), the
   thread pool (`max_workers=2`, for information) and `Engine(..., executor=DaskExecutor(client))` on a
   `LocalCluster(processes=True, n_workers=2, threads_per_worker=1)`. Target: the cluster ≥ 1.7× faster
   than in-process.
2. **A chain of `--chain` steps** of a trivial function: our executor's run against Dask's own chain of
   `client.submit` calls of the same function on the same cluster (each task given the previous future,
   the last one's result gathered). Target: ours ≤ 3× Dask's own.

Every figure is a ratio of timings taken in the same run (best of `--repeats`); the script checks each run's
answer and never asserts on time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fancy_studio.core import Engine, InMemoryStore, Workflow, WorkflowStep  # noqa: E402
from fancy_studio.core.functions import FunctionRegistry, describe  # noqa: E402


def busy(x: int, loops: int) -> int:
    """Pure-Python work: holds the GIL the whole time."""
    total = x
    for i in range(loops):
        total = (total * 31 + i) % 1_000_003
    return total


def inc(x: int) -> int:
    return x + 1


def calibrate(seconds: float) -> int:
    loops = 200_000
    while True:
        begun = time.perf_counter()
        busy(1, loops)
        took = time.perf_counter() - begun
        if took > 0.05:
            return int(loops * seconds / took)
        loops *= 4


def branches(loops: int, count: int = 8) -> tuple[Workflow, list]:
    wf = Workflow(name="branches")
    outs = []
    for index in range(count):
        x = wf.input_cell(f"x{index}", index)
        out = uuid4()
        work = WorkflowStep(function_slug="bench.busy", inputs={"x": x.id}, outputs={"return": out})
        work.params = {"loops": loops}
        wf.add_step(work)
        outs.append(out)
    return wf, outs


def chain(length: int) -> tuple[Workflow, object]:
    wf = Workflow(name="chain")
    previous = wf.input_cell("x", 0).id
    for _ in range(length):
        out = uuid4()
        wf.add_step(WorkflowStep(function_slug="bench.inc", inputs={"x": previous}, outputs={"return": out}))
        previous = out
    return wf, previous


def best(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        run()
        times.append(time.perf_counter() - begun)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--chain", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--part", choices=("both", "branches", "chain"), default="both")
    args = parser.parse_args()

    import distributed

    from fancy_studio.core.dask import DaskExecutor

    registry = FunctionRegistry(load_builtins=False)
    registry.register(describe(busy, "bench.busy"))
    registry.register(describe(inc, "bench.inc"))
    cluster = distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                       dashboard_address=":0", silence_logs=50)
    client = distributed.Client(cluster)
    try:
        executor = DaskExecutor(client)
        if args.part != "chain":
            bench_branches(args, client, executor, registry)
        if args.part != "branches":
            bench_chain(args, client, executor, registry)
    finally:
        client.close()
        cluster.close()


def bench_branches(args: argparse.Namespace, client: Any, executor: Any, registry: FunctionRegistry) -> None:
    loops = calibrate(args.seconds)
    expected = [busy(index, loops) for index in range(8)]
    wf, outs = branches(loops)

    def in_process(max_workers: int = 1) -> None:
        store = InMemoryStore()
        assert Engine(store, registry=registry).run(wf, max_workers=max_workers, reuse=False).ok
        assert [store.get(out).value for out in outs] == expected

    def on_cluster() -> None:
        store = InMemoryStore()
        assert Engine(store, registry=registry, executor=executor).run(wf, reuse=False).ok
        assert [store.get(out).value for out in outs] == expected

    def dask_map() -> None:
        futures = client.map(busy, range(8), loops=loops, pure=False)
        assert client.gather(futures) == expected

    on_cluster()  # warm: the workers import and unpickle once
    dask_map()
    sequential = best(args.repeats, in_process)
    threads = best(args.repeats, lambda: in_process(2))
    cluster_time = best(args.repeats, on_cluster)
    map_time = best(args.repeats, dask_map)
    print(f"eight branches of ~{args.seconds:g} s pure-Python work ({loops:,} loops each):")
    print(f"  in-process sequential : {sequential:7.3f} s")
    print(f"  thread pool (2)       : {threads:7.3f} s  ({sequential / threads:.2f}x)")
    print(f"  local cluster (2 proc): {cluster_time:7.3f} s  ({sequential / cluster_time:.2f}x faster; "
          "target >= 1.7x)")
    print(f"  Dask's own client.map : {map_time:7.3f} s  ({sequential / map_time:.2f}x: the same work "
          "without the engine)")


def bench_chain(args: argparse.Namespace, client: Any, executor: Any, registry: FunctionRegistry) -> None:
    wf, last = chain(args.chain)

    def ours() -> None:
        store = InMemoryStore()
        assert Engine(store, registry=registry, executor=executor).run(wf, reuse=False).ok
        assert store.get(last).value == args.chain  # type: ignore[arg-type]

    def dasks_own() -> None:
        future = client.submit(inc, 0, pure=False)
        for _ in range(args.chain - 1):
            future = client.submit(inc, future, pure=False)
        assert future.result() == args.chain

    ours()
    dasks_own()
    own = best(args.repeats, dasks_own)
    mine = best(args.repeats, ours)
    print(f"a chain of {args.chain} steps:")
    print(f"  Dask's own submit chain: {own:7.3f} s  ({own / args.chain * 1e3:.2f} ms per task)")
    print(f"  DaskExecutor           : {mine:7.3f} s  ({mine / args.chain * 1e3:.2f} ms per step; "
          f"{mine / own:.2f}x Dask's own; target <= 3x)")


if __name__ == "__main__":
    main()
