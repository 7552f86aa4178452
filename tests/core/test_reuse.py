"""Reuse: a step whose function version, inputs and fingerprint are unchanged is not run again (issue 11).

Each test registers its own counting functions in a private registry and runs the same workflow twice on
one store; the counts say which steps really ran.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import typing
from collections import Counter
from pathlib import Path

import pytest

from fancy_studio.core import (
    CellSpec,
    Engine,
    InMemoryStore,
    RunCallbacks,
    StepStatus,
    Workflow,
    WorkflowStep,
)
from fancy_studio.core.functions import FunctionRegistry, fancy_function
from tests.core.helpers import PATHS, PlainStore


def _counting_registry(calls: Counter) -> FunctionRegistry:
    reg = FunctionRegistry(load_builtins=False)

    @fancy_function("t.double", registry=reg)
    def double(x: float) -> float:
        calls["t.double"] += 1
        return x * 2

    @fancy_function("t.add", registry=reg)
    def add(a: float, b: float) -> float:
        calls["t.add"] += 1
        return a + b

    @fancy_function("t.negate", registry=reg)
    def negate(x: float) -> float:
        calls["t.negate"] += 1
        return -x

    return reg


def _add_step(wf: Workflow, slug: str, inputs: dict[str, CellSpec], alias: str) -> tuple[WorkflowStep, CellSpec]:
    out = wf.output_cell(alias)
    step = WorkflowStep(function_slug=slug, inputs={k: c.id for k, c in inputs.items()}, outputs={"return": out.id})
    wf.steps.append(step)
    return step, out


def _two_branches() -> tuple[Workflow, dict[str, WorkflowStep], dict[str, CellSpec]]:
    """a → double → a2 ─┐
                        add → total;   b → negate → nb (a branch of its own)
       b ───────────────┘"""
    wf = Workflow(name="two branches")
    a, b = wf.input_cell("a", 1.0), wf.input_cell("b", 10.0)
    double, a2 = _add_step(wf, "t.double", {"x": a}, "a2")
    add, total = _add_step(wf, "t.add", {"a": a2, "b": b}, "total")
    negate, nb = _add_step(wf, "t.negate", {"x": b}, "nb")
    return wf, {"double": double, "add": add, "negate": negate}, {"a": a, "b": b, "total": total, "nb": nb}


def _statuses(result, steps):
    return {name: result.step_status[s.id] for name, s in steps.items()}


@PATHS
def test_a_second_run_reuses_every_step_and_an_edited_input_reruns_exactly_its_downstream(store_type, workers):
    calls: Counter = Counter()
    engine = Engine(store_type(), registry=_counting_registry(calls))
    wf, steps, cells = _two_branches()

    first = engine.run(wf, max_workers=workers)
    assert first.ok and set(_statuses(first, steps).values()) == {StepStatus.DONE}
    assert calls == Counter({"t.double": 1, "t.add": 1, "t.negate": 1})

    again = engine.run(wf, max_workers=workers)
    assert again.ok
    assert set(_statuses(again, steps).values()) == {StepStatus.CACHED}
    assert calls == Counter({"t.double": 1, "t.add": 1, "t.negate": 1})
    assert engine.store.get(cells["total"].id).value == 12.0

    cells["b"].value = 20.0  # the user edits input b: add and negate read it, double does not
    edited = engine.run(wf, max_workers=workers)
    assert _statuses(edited, steps) == {"double": StepStatus.CACHED, "add": StepStatus.DONE,
                                        "negate": StepStatus.DONE}
    assert calls == Counter({"t.double": 1, "t.add": 2, "t.negate": 2})
    assert engine.store.get(cells["total"].id).value == 22.0
    assert engine.store.get(cells["nb"].id).value == -20.0

    cells["b"].value = 10.0  # back to a value seen before: its results are still stored
    back = engine.run(wf, max_workers=workers)
    assert set(_statuses(back, steps).values()) == {StepStatus.CACHED}
    assert engine.store.get(cells["total"].id).value == 12.0
    assert calls == Counter({"t.double": 1, "t.add": 2, "t.negate": 2})


def test_a_reused_value_is_written_with_its_producer_and_the_run_reports_it():
    calls: Counter = Counter()
    engine = Engine(InMemoryStore(), registry=_counting_registry(calls))
    wf, steps, cells = _two_branches()
    engine.run(wf)
    engine.store.remove(cells["total"].id)  # even a cell gone from the store comes back from the result

    finished, cached = [], []
    result = engine.run(wf, callbacks=RunCallbacks(on_step_finished=lambda s, t: finished.append((s.id, t))))
    assert result.ok and result.count(StepStatus.CACHED) == 3
    assert result.timings == {}  # nothing ran
    assert sorted(finished) == sorted((s.id, 0.0) for s in steps.values())  # finished-only callers see them end
    cell = engine.store.get(cells["total"].id)
    assert (cell.value, cell.produced_by, cell.alias) == (12.0, steps["add"].id, "total")

    engine.run(wf, callbacks=RunCallbacks(on_step_cached=lambda s: cached.append(s.id),
                                          on_step_finished=lambda s, t: finished.append("not expected")))
    assert sorted(cached) == sorted(s.id for s in steps.values())
    assert "not expected" not in finished


@PATHS
def test_a_failed_step_is_never_reused_and_runs_again_after_cached_steps(store_type, workers):
    calls: Counter = Counter()
    reg = _counting_registry(calls)
    flaky = {"fail": True}

    @fancy_function("t.flaky", registry=reg)
    def flaky_step(x: float) -> float:
        calls["t.flaky"] += 1
        if flaky["fail"]:
            raise RuntimeError("not today")
        return x + 100

    wf, steps, cells = _two_branches()
    steps["flaky"], out = _add_step(wf, "t.flaky", {"x": cells["total"]}, "flaky_out")
    steps["after"], _ = _add_step(wf, "t.negate", {"x": out}, "after_out")
    engine = Engine(store_type(), registry=reg)
    first = engine.run(wf, max_workers=workers)
    assert (first.step_status[steps["flaky"].id], first.step_status[steps["after"].id]) == \
        (StepStatus.FAILED, StepStatus.SKIPPED)
    second = engine.run(wf, max_workers=workers)
    assert _statuses(second, steps) == {"double": StepStatus.CACHED, "add": StepStatus.CACHED,
                                        "negate": StepStatus.CACHED, "flaky": StepStatus.FAILED,
                                        "after": StepStatus.SKIPPED}
    assert not second.ok and calls["t.flaky"] == 2
    flaky["fail"] = False
    third = engine.run(wf, max_workers=workers)
    assert third.ok
    assert (third.step_status[steps["flaky"].id], third.step_status[steps["after"].id]) == \
        (StepStatus.DONE, StepStatus.DONE)
    assert engine.store.get(out.id).value == 112.0


def test_reuse_false_runs_every_step_and_still_remembers():
    calls: Counter = Counter()
    engine = Engine(InMemoryStore(), registry=_counting_registry(calls))
    wf, steps, _ = _two_branches()
    engine.run(wf)
    forced = engine.run(wf, reuse=False)
    assert set(_statuses(forced, steps).values()) == {StepStatus.DONE}
    assert calls["t.add"] == 2
    assert set(_statuses(engine.run(wf), steps).values()) == {StepStatus.CACHED}
    assert calls["t.add"] == 2


def test_a_first_run_never_reports_a_step_as_reused_even_when_two_steps_share_a_recipe():
    calls: Counter = Counter()
    engine = Engine(PlainStore(), registry=_counting_registry(calls))
    wf = Workflow()
    a = wf.input_cell("a", 1.0)
    first, _ = _add_step(wf, "t.double", {"x": a}, "one")
    second, _ = _add_step(wf, "t.double", {"x": a}, "two")
    result = engine.run(wf)
    assert result.step_status == {first.id: StepStatus.DONE, second.id: StepStatus.DONE}
    assert calls["t.double"] == 2


def _one_step(slug: str) -> Workflow:
    wf = Workflow()
    _add_step(wf, slug, {"x": wf.input_cell("x", 3.0)}, "y")
    return wf


def _register(reg: FunctionRegistry, slug: str, func, **options) -> None:
    reg.unregister(slug)
    fancy_function(slug, registry=reg, **options)(func)


def _body_one(x: float) -> float:
    return x + 1


def _body_two(x: float) -> float:
    return x + 2


def test_a_changed_function_body_under_the_same_slug_invalidates_and_a_pinned_version_does_not():
    reg = FunctionRegistry(load_builtins=False)
    engine = Engine(InMemoryStore(), registry=reg)
    wf = _one_step("t.edited")
    out = wf.steps[0].outputs["return"]

    _register(reg, "t.edited", _body_one)
    engine.run(wf)
    _register(reg, "t.edited", _body_one)  # re-registered, same code: still reused
    assert engine.run(wf).count(StepStatus.CACHED) == 1
    _register(reg, "t.edited", _body_two)  # the user edited the function
    result = engine.run(wf)
    assert result.count(StepStatus.DONE) == 1 and engine.store.get(out).value == 5.0

    _register(reg, "t.edited", _body_one, version="1")
    engine.run(wf)
    _register(reg, "t.edited", _body_two, version="1")  # pinned: the author says results still hold
    assert engine.run(wf).count(StepStatus.CACHED) == 1
    assert engine.store.get(out).value == 4.0
    _register(reg, "t.edited", _body_two, version="2")
    assert engine.run(wf).count(StepStatus.DONE) == 1
    assert engine.store.get(out).value == 5.0


@PATHS
def test_an_uncacheable_function_always_runs_and_so_do_its_readers(store_type, workers):
    calls: Counter = Counter()
    reg = _counting_registry(calls)

    @fancy_function("t.now", registry=reg, cacheable=False)
    def now(x: float) -> float:
        calls["t.now"] += 1
        return x + calls["t.now"]

    wf = _one_step("t.now")
    _add_step(wf, "t.double", {"x": wf.cell(wf.steps[0].outputs["return"])}, "z")
    engine = Engine(store_type(), registry=reg)
    for _ in range(3):
        result = engine.run(wf, max_workers=workers)
    assert [result.step_status[s.id] for s in wf.steps] == [StepStatus.DONE, StepStatus.DONE]
    assert calls == Counter({"t.now": 3, "t.double": 3})  # a new value each time: its reader runs too


@PATHS
def test_a_fingerprint_that_changes_reruns_and_one_that_does_not_reuses(store_type, workers):
    outside = {"mtime": 1}
    calls: Counter = Counter()
    reg = FunctionRegistry(load_builtins=False)

    @fancy_function("t.read", registry=reg, fingerprint=lambda x: ("file", x, outside["mtime"]))
    def read(x: float) -> float:
        calls["t.read"] += 1
        return x * outside["mtime"]

    wf = _one_step("t.read")
    engine = Engine(store_type(), registry=reg)
    engine.run(wf, max_workers=workers)
    engine.run(wf, max_workers=workers)  # (the fast path leaves fingerprinted steps to the next run)
    assert engine.run(wf, max_workers=workers).count(StepStatus.CACHED) == 1
    runs = calls["t.read"]
    outside["mtime"] = 2
    assert engine.run(wf, max_workers=workers).count(StepStatus.DONE) == 1
    assert calls["t.read"] == runs + 1
    assert engine.store.get(wf.steps[0].outputs["return"]).value == 6.0


def test_an_input_that_cannot_be_hashed_runs_its_step_every_time():
    calls: Counter = Counter()
    reg = _counting_registry(calls)

    @fancy_function("t.lock", registry=reg)
    def make_lock(x: float) -> typing.Any:
        return threading.Lock()

    @fancy_function("t.use", registry=reg)
    def use(x: typing.Any) -> float:
        calls["t.use"] += 1
        return 1.0

    wf = _one_step("t.lock")
    _add_step(wf, "t.use", {"x": wf.cell(wf.steps[0].outputs["return"])}, "z")
    engine = Engine(InMemoryStore(), registry=reg)
    engine.run(wf)
    result = engine.run(wf)
    assert [result.step_status[s.id] for s in wf.steps] == [StepStatus.DONE, StepStatus.DONE]
    assert calls["t.use"] == 2


class _Pair(typing.NamedTuple):
    low: float
    high: float


def test_named_outputs_are_reused_into_their_own_cells_with_lineage():
    reg = FunctionRegistry(load_builtins=False)
    calls: Counter = Counter()

    @fancy_function("t.split", registry=reg)
    def split(x: float) -> _Pair:
        calls["split"] += 1
        return _Pair(x - 1, x + 1)

    wf = Workflow()
    x = wf.input_cell("x", 5.0)
    low, high = wf.output_cell("low"), wf.output_cell("high")
    step = WorkflowStep(function_slug="t.split", inputs={"x": x.id}, outputs={"low": low.id, "high": high.id})
    wf.steps.append(step)
    store = InMemoryStore()
    engine = Engine(store, registry=reg)
    engine.run(wf)
    store.remove(low.id)
    assert engine.run(wf).step_status[step.id] is StepStatus.CACHED
    assert (store.get(low.id).value, store.get(high.id).value, calls["split"]) == (4.0, 6.0, 1)
    lineage = store.lineage(high.id)
    assert lineage is not None
    assert (lineage.step_id, lineage.slug, lineage.version) == (step.id, "t.split", reg.get("t.split").version)
    assert set(lineage.input_hashes) == {"x"}


# --- the command line: --store keeps results for the next process, --no-cache runs everything --------------

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "temperature.json"


def _fancy_json(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "fancy_studio", "run", str(EXAMPLE), "--json", *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_cli_reuses_a_store_file_from_an_earlier_process_and_no_cache_recomputes(tmp_path: Path):
    store = str(tmp_path / "results.sqlite")
    first = _fancy_json("--store", store)
    assert {s["status"] for s in first["steps"].values()} == {"done"}

    second = _fancy_json("--store", store)  # a new interpreter on the same file
    assert {s["status"] for s in second["steps"].values()} == {"cached"}
    assert second["ok"] is True and second["outputs"] == first["outputs"]
    assert all(s["seconds"] is None for s in second["steps"].values())

    forced = _fancy_json("--store", store, "--no-cache")
    assert {s["status"] for s in forced["steps"].values()} == {"done"}
    assert forced["outputs"] == first["outputs"]

    text = subprocess.run([sys.executable, "-m", "fancy_studio", "run", str(EXAMPLE), "--store", store],
                          capture_output=True, text=True, timeout=60)
    assert "3 steps: 3 cached" in text.stderr and "✓ Multiply (cached)" in text.stderr


def test_without_a_store_the_cli_runs_every_step(tmp_path: Path):
    assert {s["status"] for s in _fancy_json()["steps"].values()} == {"done"}
    assert {s["status"] for s in _fancy_json()["steps"].values()} == {"done"}


def test_a_store_path_that_is_not_a_store_is_one_clear_line(tmp_path: Path):
    folder = tmp_path / "a folder"
    folder.mkdir()
    done = subprocess.run([sys.executable, "-m", "fancy_studio", "run", str(EXAMPLE), "--store", str(folder)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("fancy-studio: cannot open the store") and "Traceback" not in done.stderr


@PATHS
@pytest.mark.parametrize("how", ["in place", "a new mapping"])
def test_a_step_rewired_after_a_run_runs_again_with_its_new_input(store_type, workers, how):
    """The studio edits its workflow object between runs: the next run keys the step by its new wiring
    (the fast path's deferred remembering once took the wiring from the edited step, not from the run)."""
    calls: Counter = Counter()
    engine = Engine(store_type(), registry=_counting_registry(calls))
    wf, steps, cells = _two_branches()
    assert engine.run(wf, max_workers=workers).ok
    add = steps["add"]
    if how == "in place":
        add.inputs["b"] = cells["nb"].id
    else:
        add.inputs = {**add.inputs, "b": cells["nb"].id}
    calls.clear()
    result = engine.run(wf, max_workers=workers)
    assert result.step_status[add.id] is StepStatus.DONE
    assert calls == Counter({"t.add": 1})
    assert engine.store.get(cells["total"].id).value == 2.0 - 10.0
