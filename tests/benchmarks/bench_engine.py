"""Engine overhead benchmark: µs per step and peak memory per step on large workflows.

Run it as a plain script (pytest does not collect `tests/benchmarks`):

    .venv/bin/python tests/benchmarks/bench_engine.py [--steps N] [--repeats R] [--profile]

Two workflows of `math.increment`, each built once, outside every timing:

* **chain** – ``x0 → increment → x1 → increment → … → xN``: N steps in a single line.
* **fan-out/fan-in** – one input cell ``x`` feeds N `math.increment` steps in parallel branches,
  each writing its own cell ``y_i``; the N branch cells are then summed by a *balanced binary tree*
  of `math.add` steps (pairs are added layer by layer, an odd leftover is carried to the next layer),
  so the fan-in is N − 1 `math.add` steps of depth ⌈log2 N⌉. A tree rather than a long chain of adds
  keeps the graph wide (the shape a parallel run cares about) while every add is still a real step.
  **All 2N − 1 steps are counted**: µs/step divides by the increments *and* the adds.

For each workflow and each repeat (best of R is reported) it measures:

1. **baseline** – a plain Python loop that calls the same Python functions (`increment`, `add`)
   in a precomputed dependency order, building keyword arguments from a dict of values keyed by
   cell id and storing each result in that dict. This is the floor: the cost of the calls
   themselves plus one dict read per input and one dict write per output.
2. **run (fresh)** – ``Engine(InMemoryStore()).run(workflow)``: validation, planning (networkx
   graph, topological sort, type checks) and execution, from the already built `Workflow` object.
3. **run_plan** – ``engine.run_plan(plan, initial_cells)`` with ``plan = engine.check(workflow,
   initial_cells)`` done outside the timing (and a fresh, empty store for every repeat).
   For information, also **run_plan (other store)**: the same with a subclass of `InMemoryStore`,
   which the engine does not treat as its own, so every step goes through `store.get`/`store.put`
   (the path of any other `DatumStore`, and of parallel runs) instead of the inlined in-memory loop.
4. **peak memory** – ``tracemalloc`` peak during one full ``Engine.run`` (and one ``run_plan``, and
   the baseline), divided by the number of steps. It includes everything the run allocates: the
   plan and its networkx graph, the stored `Cell` objects, and the `RunResult` dictionaries.

Issue targets: run (fresh) ≤ 10 µs/step, run_plan ≤ 5 µs/step. The script reports them, it never
asserts on wall-clock time; it only checks that every run computed the right answer.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fancy_studio.core.engine import Engine  # noqa: E402
from fancy_studio.core.functions import registry  # noqa: E402
from fancy_studio.core.store import InMemoryStore  # noqa: E402
from fancy_studio.core.workflow import CellSpec, Workflow, WorkflowStep  # noqa: E402

TARGET_RUN_US = 10.0
TARGET_RUN_PLAN_US = 5.0


class _OtherStore(InMemoryStore):
    """An `InMemoryStore` the engine does not recognise as one: it goes through `get` and `put`."""


@dataclass
class Case:
    name: str
    workflow: Workflow
    result_cell: UUID
    expected: float

    @property
    def steps(self) -> int:
        return len(self.workflow.steps)


# --- building the workflows (never timed) ----------------------------------------------------------


def build_chain(n: int, slug: str = "math.increment", name: str = "chain") -> Case:
    """x0 → slug → x1 → … → xn, each step adding one to its input."""
    workflow = Workflow(name=f"{name} of {n}")
    cell = workflow.input_cell("x0", 0)
    for i in range(n):
        out = CellSpec(alias=f"x{i + 1}")
        workflow.steps.append(WorkflowStep(function_slug=slug, inputs={"x": cell.id}, outputs={"return": out.id}))
        workflow.cells.append(out)
        cell = out
    return Case(name, workflow, cell.id, float(n))


def build_fan(n: int) -> Case:
    workflow = Workflow(name=f"fan-out/fan-in of {n}")
    source = workflow.input_cell("x", 0)
    layer: list[CellSpec] = []
    for i in range(n):
        out = CellSpec(alias=f"y{i}")
        workflow.steps.append(WorkflowStep(function_slug="math.increment",
                                           inputs={"x": source.id}, outputs={"return": out.id}))
        workflow.cells.append(out)
        layer.append(out)
    depth = 0
    while len(layer) > 1:
        depth += 1
        next_layer: list[CellSpec] = []
        for j in range(0, len(layer) - 1, 2):
            out = CellSpec(alias=f"s{depth}_{j // 2}")
            workflow.steps.append(WorkflowStep(function_slug="math.add",
                                               inputs={"a": layer[j].id, "b": layer[j + 1].id},
                                               outputs={"return": out.id}))
            workflow.cells.append(out)
            next_layer.append(out)
        if len(layer) % 2:
            next_layer.append(layer[-1])
        layer = next_layer
    return Case("fan-out/fan-in", workflow, layer[0].id, float(n))


# --- the three ways of running ---------------------------------------------------------------------


def baseline_program(case: Case) -> tuple[list[tuple[Callable[..., Any], tuple[tuple[str, UUID], ...], UUID]],
                                           dict[UUID, Any]]:
    """Precompute (function, ((input name, cell id), …), output cell id) in dependency order."""
    checked = Engine(InMemoryStore()).check(case.workflow)
    program = [
        (registry.get(step.function_slug).func, tuple(step.inputs.items()), step.outputs["return"])
        for step in checked.order
    ]
    initial = {cell.id: cell.value for cell in case.workflow.literal_cells()}
    return program, initial


def run_baseline(program: list[tuple[Callable[..., Any], tuple[tuple[str, UUID], ...], UUID]],
                 initial: dict[UUID, Any]) -> dict[UUID, Any]:
    values = dict(initial)
    for func, inputs, out in program:
        values[out] = func(**{name: values[cell_id] for name, cell_id in inputs})
    return values


def best_of(repeats: int, setup: Callable[[], Any], body: Callable[[Any], Any],
            check: Callable[[Any, Any], None]) -> float:
    """Best wall-clock seconds of `body(setup())` over `repeats` runs; `setup` is not timed."""
    best = float("inf")
    for _ in range(repeats):
        state = setup()
        gc.collect()
        started = time.perf_counter()
        result = body(state)
        elapsed = time.perf_counter() - started
        check(state, result)
        best = min(best, elapsed)
    return best


def peak_bytes(setup: Callable[[], Any], body: Callable[[Any], Any]) -> int:
    """tracemalloc peak (bytes above what was allocated before) of one `body(setup())`."""
    state = setup()
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    result = body(state)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak - before


@dataclass
class Measured:
    case: str
    steps: int
    baseline_s: float
    run_s: float
    run_plan_s: float
    check_s: float
    other_store_s: float
    baseline_peak: int
    run_peak: int
    run_plan_peak: int


def measure(case: Case, repeats: int) -> Measured:
    workflow = case.workflow
    initial_cells = workflow.literal_cells()
    expected = case.expected

    # 1. baseline
    program, initial = baseline_program(case)

    def check_baseline(_: Any, values: dict[UUID, Any]) -> None:
        assert values[case.result_cell] == expected, values[case.result_cell]

    baseline_s = best_of(repeats, lambda: None, lambda _: run_baseline(program, initial), check_baseline)

    # 2. run from the fresh workflow (validation included)
    def check_run(engine: Engine, result: Any) -> None:
        assert result.ok, result.errors
        assert len(result.step_status) == case.steps
        assert engine.store.get(case.result_cell).value == expected

    run_s = best_of(repeats, lambda: Engine(InMemoryStore()), lambda engine: engine.run(workflow), check_run)

    # 3. run_plan of a checked plan (check once, outside the timing; fresh store per repeat)
    checked = Engine(InMemoryStore()).check(workflow, initial_cells)
    run_plan_s = best_of(repeats, lambda: Engine(InMemoryStore()),
                         lambda engine: engine.run_plan(checked, initial_cells), check_run)

    # for information: run_plan through the general path (a store the engine does not inline)
    other_store_s = best_of(repeats, lambda: Engine(_OtherStore()),
                            lambda engine: engine.run_plan(checked, initial_cells), check_run)

    # for information: what `check` alone costs
    check_s = best_of(repeats, lambda: Engine(InMemoryStore()),
                      lambda engine: engine.check(workflow, initial_cells), lambda _s, _r: None)

    # 4. peak memory
    baseline_peak = peak_bytes(lambda: None, lambda _: run_baseline(program, initial))
    run_peak = peak_bytes(lambda: Engine(InMemoryStore()), lambda engine: (engine.run(workflow), engine))
    run_plan_peak = peak_bytes(lambda: Engine(InMemoryStore()),
                               lambda engine: (engine.run_plan(checked, initial_cells), engine))

    return Measured(case.name, case.steps, baseline_s, run_s, run_plan_s, check_s, other_store_s,
                    baseline_peak, run_peak, run_plan_peak)


# --- reporting -------------------------------------------------------------------------------------


def report(results: list[Measured], repeats: int) -> None:
    print(f"Python {sys.version.split()[0]}, best of {repeats} repeats; µs/step = wall time / steps counted\n")
    header = (f"{'workflow':<16} {'steps':>6}  {'measure':<26} {'µs/step':>9} {'× baseline':>11} "
              f"{'peak B/step':>12}  {'target':>10}")
    print(header)
    print("-" * len(header))
    for m in results:
        us = lambda seconds: seconds / m.steps * 1e6  # noqa: E731
        rows = [
            ("baseline (dict loop)", m.baseline_s, m.baseline_peak, None),
            ("Engine.run (fresh)", m.run_s, m.run_peak, TARGET_RUN_US),
            ("engine.run_plan", m.run_plan_s, m.run_plan_peak, TARGET_RUN_PLAN_US),
            ("  (engine.check alone)", m.check_s, None, None),
            ("  (run_plan, other store)", m.other_store_s, None, None),
        ]
        for label, seconds, peak, target in rows:
            per_step = us(seconds)
            verdict = "" if target is None else (
                f"≤{target:g} {'ok' if per_step <= target else 'MISSED'}")
            peak_text = "" if peak is None else f"{peak / m.steps:,.0f}"
            print(f"{m.case:<16} {m.steps:>6}  {label:<26} {per_step:>9.2f} "
                  f"{seconds / m.baseline_s:>10.1f}× {peak_text:>12}  {verdict:>10}")
        print()


def profile(case: Case, top: int = 25) -> None:
    """cProfile one Engine.run and one run_plan of `case`; print the top functions by own time."""
    workflow = case.workflow
    initial_cells = workflow.literal_cells()
    checked = Engine(InMemoryStore()).check(workflow, initial_cells)
    for label, call in (
        ("Engine.run (fresh)", lambda: Engine(InMemoryStore()).run(workflow)),
        ("engine.run_plan", lambda: Engine(InMemoryStore()).run_plan(checked, initial_cells)),
    ):
        profiler = cProfile.Profile()
        profiler.enable()
        call()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
        stats.print_stats(top)
        print(f"=== cProfile: {case.name}, {label} ({case.steps} steps; "
              f"divide times by {case.steps} for per-step cost; cProfile inflates them) ===")
        print(out.getvalue())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="increment steps per workflow")
    parser.add_argument("--repeats", type=int, default=5, help="repeats; the best is reported")
    parser.add_argument("--profile", action="store_true", help="also print cProfile tables")
    args = parser.parse_args(argv)

    registry.get("math.increment")  # load the library before any timing
    cases = [build_chain(args.steps), build_fan(args.steps)]
    results = [measure(case, args.repeats) for case in cases]
    report(results, args.repeats)
    if args.profile:
        for case in cases:
            profile(case)


if __name__ == "__main__":
    main()
