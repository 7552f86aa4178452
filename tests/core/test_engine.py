"""The engine: order, results, failures, cancellation and parallel runs."""

from __future__ import annotations

import functools
import threading
import time
import typing
from uuid import UUID, uuid4

import pytest

from fancy_studio.core import (
    CancelToken,
    Engine,
    InMemoryStore,
    RunCallbacks,
    StepStatus,
    Workflow,
    WorkflowStep,
    fancy_function,
    registry,
)
from fancy_studio.core.errors import CellNotFoundError
from fancy_studio.core.functions import FunctionRegistry, describe
from tests.core.helpers import chain, failing_middle, step


@fancy_function("test.explode")
def explode(x: float) -> float:
    """Always raises."""
    raise ValueError(f"cannot handle {x}")


@fancy_function("test.slow_increment")
def slow_increment(x: float) -> float:
    """Sleeps a little, then adds one."""
    time.sleep(0.02)
    return x + 1


@fancy_function("test.thread_name")
def thread_name(x: float) -> str:
    """Which thread ran this step."""
    time.sleep(0.01)
    return threading.current_thread().name


def test_a_one_step_workflow_runs_from_a_store():
    store = InMemoryStore()
    input_cell = store.put(10, "my_input")
    wf = Workflow(name="My First Flow")
    out = uuid4()
    wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": input_cell.id}, outputs={"return": out}))
    result = Engine(store).run(wf, initial_cells=[input_cell])
    assert store.get(out).value == 11
    assert result.ok
    step_id = wf.steps[0].id
    assert result.step_status[step_id] is StepStatus.DONE
    assert result.timings[step_id] >= 0
    assert store.get(out).produced_by == step_id


def test_a_chain_runs_in_order_and_records_the_producer():
    wf, _, cells = chain(5, start=1)
    store = InMemoryStore()
    result = Engine(store).run(wf)
    assert result.ok
    assert [store.get(c).value for c in cells] == [1, 2, 3, 4, 5, 6]
    assert store.get(cells[-1]).produced_by == wf.steps[-1].id


def test_a_chain_listed_out_of_order_still_runs_in_dependency_order():
    wf, _, cells = chain(6, start=0)
    wf.steps.reverse()
    store = InMemoryStore()
    order = []
    Engine(store).run(wf, callbacks=RunCallbacks(on_step_started=lambda s: order.append(s.id)))
    assert store.get(cells[-1]).value == 6
    assert order == [s.id for s in reversed(wf.steps)]


def test_fan_out_and_fan_in():
    wf = Workflow(name="diamond")
    a = wf.input_cell("a", 1)
    left, right, total = uuid4(), uuid4(), uuid4()
    wf.add_step(step("math.add", {"a": left, "b": right}, total))
    wf.add_step(step("math.increment", {"x": a.id}, left))
    wf.add_step(step("math.multiply", {"a": a.id, "b": a.id}, right))
    store = InMemoryStore()
    assert Engine(store).run(wf).ok
    assert store.get(total).value == 3


def test_named_tuple_outputs_go_to_their_own_cells():
    wf = Workflow(name="divmod")
    a, b = wf.input_cell("a", 17), wf.input_cell("b", 5)
    q, r = uuid4(), uuid4()
    wf.add_step(WorkflowStep(function_slug="math.divmod", inputs={"a": a.id, "b": b.id},
                             outputs={"quotient": q, "remainder": r}))
    store = InMemoryStore()
    assert Engine(store).run(wf).ok
    assert (store.get(q).value, store.get(r).value) == (3, 2)


def test_a_raising_step_skips_its_dependents_and_independent_branches_still_run():
    wf = Workflow(name="partial failure")
    a = wf.input_cell("a", 1)
    broken, after_broken, fine = uuid4(), uuid4(), uuid4()
    bad = wf.add_step(step("test.explode", {"x": a.id}, broken))
    dependent = wf.add_step(step("math.increment", {"x": broken}, after_broken))
    good = wf.add_step(step("math.increment", {"x": a.id}, fine))
    store = InMemoryStore()
    failures = []
    result = Engine(store).run(wf, callbacks=RunCallbacks(on_step_failed=lambda s, e: failures.append((s.id, e))))
    assert not result.ok
    assert result.step_status[bad.id] is StepStatus.FAILED
    assert result.step_status[dependent.id] is StepStatus.SKIPPED
    assert result.step_status[good.id] is StepStatus.DONE
    assert store.get(fine).value == 2
    assert after_broken not in store
    error = result.errors[bad.id]
    assert error.type_name == "ValueError" and "cannot handle 1" in error.message
    assert "explode" in error.traceback
    assert failures == [(bad.id, error)]


def test_progress_counts_every_step():
    wf, _, _ = chain(4)
    seen = []
    Engine(InMemoryStore()).run(wf, callbacks=RunCallbacks(on_progress=lambda d, t: seen.append((d, t))))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_cancellation_stops_between_steps():
    wf, _, _ = chain(10, slug="test.slow_increment")
    token = CancelToken()
    finished = []

    def on_finished(s, seconds):
        finished.append(s.id)
        if len(finished) == 3:
            token.cancel()

    result = Engine(InMemoryStore()).run(wf, callbacks=RunCallbacks(on_step_finished=on_finished), cancel=token)
    assert result.cancelled and not result.ok
    assert result.count(StepStatus.DONE) == 3
    assert result.count(StepStatus.CANCELLED) == 7


def test_parallel_run_uses_worker_threads_and_gives_the_same_values():
    wf = Workflow(name="wide")
    a = wf.input_cell("a", 1)
    outs = [uuid4() for _ in range(8)]
    for out in outs:
        wf.add_step(step("test.thread_name", {"x": a.id}, out))
    store = InMemoryStore()
    result = Engine(store).run(wf, max_workers=4)
    assert result.ok
    names = {store.get(o).value for o in outs}
    assert all(name.startswith("fancy-step") for name in names)
    assert len(names) > 1


def test_parallel_run_respects_dependencies_and_failures():
    wf, _, cells = chain(20)
    broken = uuid4()
    a = wf.cells[0].id
    wf.add_step(step("test.explode", {"x": a}, broken))
    wf.add_step(step("math.increment", {"x": broken}, uuid4()))
    store = InMemoryStore()
    result = Engine(store).run(wf, max_workers=3)
    assert store.get(cells[-1]).value == 20
    assert result.count(StepStatus.FAILED) == 1 and result.count(StepStatus.SKIPPED) == 1


def test_parallel_cancellation_marks_unstarted_steps_cancelled():
    wf = Workflow(name="slow wide")
    a = wf.input_cell("a", 0)
    for _ in range(30):
        wf.add_step(step("test.slow_increment", {"x": a.id}, uuid4()))
    token = CancelToken()
    calls = []

    def on_started(s):
        calls.append(s)
        if len(calls) == 2:
            token.cancel()

    result = Engine(InMemoryStore()).run(wf, callbacks=RunCallbacks(on_step_started=on_started),
                                         cancel=token, max_workers=2)
    assert result.cancelled
    assert result.count(StepStatus.CANCELLED) >= 20
    assert result.count(StepStatus.PENDING) == 0


def test_run_up_to_a_target_runs_only_what_it_needs():
    wf, _, cells = chain(5)
    other = uuid4()
    wf.add_step(step("math.increment", {"x": cells[0]}, other))
    store = InMemoryStore()
    result = Engine(store).run(wf, targets=[wf.steps[1].id])
    assert set(result.step_status) == {wf.steps[0].id, wf.steps[1].id}
    assert store.get(cells[2]).value == 2
    assert cells[3] not in store and other not in store


def test_a_checked_plan_can_run_again_and_replaces_values():
    wf, first, cells = chain(3, start=5)
    store = InMemoryStore()
    engine = Engine(store)
    checked = engine.check(wf)
    assert engine.run_plan(checked).ok
    assert store.get(cells[-1]).value == 8
    first.value = 100
    engine.run(wf)
    assert store.get(cells[-1]).value == 103


def test_initial_cells_default_to_the_workflows_literal_cells_and_keep_their_alias():
    wf, first, _ = chain(1, start=41)
    store = InMemoryStore()
    Engine(store).run(wf)
    assert store.get(first.id).value == 41 and store.get(first.id).alias == "start"


def test_a_step_output_takes_the_alias_its_cell_declares():
    wf = Workflow(name="alias")
    a = wf.input_cell("a", 1)
    out = wf.output_cell("result")
    wf.add_step(step("math.increment", {"x": a.id}, out.id))
    store = InMemoryStore()
    Engine(store).run(wf)
    assert store.get(out.id).alias == "result"
    assert store.find("result").value == 2


def test_functions_resolve_only_through_the_registry():
    assert "math.increment" in registry
    assert "os.system" not in registry


# --- the sequential run on an InMemoryStore is a fast path; it must match the general one ---------


class _PlainStore(InMemoryStore):
    """An InMemoryStore the engine does not recognise as one, so it goes through `get` and `put`."""


def _wrapped(func):
    @functools.wraps(func)
    def wrapper(**kwargs):  # only accepts keywords: must never be called positionally
        return func(**kwargs)

    return wrapper


def _pair(a: float, b: float = 10.0, *, scale: float = 1.0) -> float:
    return (a * 100 + b) * scale


def _three(a: float, b: float, c: float) -> float:
    return a * 100 + b * 10 + c


def _nothing() -> float:
    return 7.0


class _Split(typing.NamedTuple):
    low: float
    high: float


def _split(x: float) -> _Split:
    return _Split(x - 1, x + 1)


def _missing_key(x: float) -> float:
    return {}["nope"]


def _signature_registry() -> FunctionRegistry:
    reg = FunctionRegistry(load_builtins=False)
    for slug, func in [("t.pair", _pair), ("t.three", _three), ("t.nothing", _nothing), ("t.split", _split),
                       ("t.wrapped_pair", _wrapped(_pair)), ("t.missing_key", _missing_key)]:
        reg.register(describe(func, slug))
    return reg


def _signature_workflow() -> tuple[Workflow, dict[str, UUID]]:
    wf = Workflow(name="signatures")
    x, y, z = wf.input_cell("x", 1), wf.input_cell("y", 2), wf.input_cell("z", 3)
    cells = {name: uuid4() for name in ["only_b", "both", "reversed", "scaled", "three", "nothing",
                                        "low", "high", "wrapped", "wrapped_a", "boom", "after_boom"]}
    wf.add_step(step("t.pair", {"a": x.id}, cells["only_b"]))
    wf.add_step(step("t.pair", {"a": x.id, "b": y.id}, cells["both"]))
    wf.add_step(step("t.pair", {"b": x.id, "a": y.id}, cells["reversed"]))
    wf.add_step(step("t.pair", {"a": x.id, "scale": z.id}, cells["scaled"]))
    wf.add_step(step("t.three", {"c": x.id, "b": y.id, "a": z.id}, cells["three"]))
    wf.add_step(step("t.nothing", {}, cells["nothing"]))
    wf.add_step(step("t.split", {"x": cells["three"]}, low=cells["low"], high=cells["high"]))
    wf.add_step(step("t.wrapped_pair", {"a": x.id, "b": y.id}, cells["wrapped"]))
    wf.add_step(step("t.wrapped_pair", {"a": cells["low"]}, cells["wrapped_a"]))
    wf.add_step(step("t.missing_key", {"x": x.id}, cells["boom"]))
    wf.add_step(step("t.pair", {"a": cells["boom"]}, cells["after_boom"]))
    wf.add_step(WorkflowStep(function_slug="t.pair", inputs={"a": y.id}))  # output not wired
    return wf, cells


def _outcome(store: InMemoryStore, result) -> tuple:
    cells = sorted(((c.alias, c.value, c.produced_by) for c in store), key=repr)
    errors = {step_id: (e.type_name, e.message) for step_id, e in result.errors.items()}
    revisions = [c.id for c in store.changed_since(0)]
    return (list(result.step_status.items()), list(result.timings), errors, cells, revisions)


@pytest.mark.parametrize("max_workers", [1, 2])
def test_every_call_shape_gives_the_same_results_on_the_fast_path(max_workers):
    reg = _signature_registry()
    wf, cells = _signature_workflow()
    fast, plain = InMemoryStore(), _PlainStore()
    fast_result = Engine(fast, registry=reg).run(wf)
    plain_result = Engine(plain, registry=reg).run(wf, max_workers=max_workers)
    value = lambda name: fast.get(cells[name]).value  # noqa: E731
    assert (value("only_b"), value("both"), value("reversed"), value("scaled")) == (110, 102, 201, 330)
    assert (value("three"), value("nothing"), value("low"), value("high")) == (321, 7, 320, 322)
    assert (value("wrapped"), value("wrapped_a")) == (102, 32010)
    assert fast_result.count(StepStatus.FAILED) == 1 and fast_result.count(StepStatus.SKIPPED) == 1
    assert next(iter(fast_result.errors.values())).type_name == "KeyError"
    assert cells["boom"] not in fast and cells["after_boom"] not in fast
    if max_workers == 1:
        assert _outcome(fast, fast_result) == _outcome(plain, plain_result)
    else:
        assert dict(fast_result.step_status) == dict(plain_result.step_status)


@pytest.mark.parametrize("store_type", [InMemoryStore, _PlainStore])
def test_an_input_missing_from_the_store_fails_its_step_and_skips_its_readers(store_type):
    wf, first, cells = chain(3)
    store = store_type()
    engine = Engine(store)
    checked = engine.check(wf)
    result = engine.run_plan(checked, initial_cells=[])  # the input cell was never stored
    assert [result.step_status[s.id] for s in wf.steps] == [StepStatus.FAILED, StepStatus.SKIPPED,
                                                             StepStatus.SKIPPED]
    error = result.errors[wf.steps[0].id]
    assert error.type_name == "CellNotFoundError" and isinstance(error.exception, CellNotFoundError)
    assert list(result.timings) == [wf.steps[0].id]
    assert len(store) == 0


@pytest.mark.parametrize("store_type", [InMemoryStore, _PlainStore])
def test_an_output_cell_without_an_alias_keeps_the_alias_it_has_in_the_store(store_type):
    wf = Workflow(name="no alias")
    a = wf.input_cell("a", 1)
    out = uuid4()  # not declared, so the workflow gives it no alias
    wf.add_step(step("math.increment", {"x": a.id}, out))
    store = store_type()
    store.put(0, "named by hand", id=out)
    Engine(store).run(wf)
    cell = store.get(out)
    assert (cell.value, cell.alias, cell.produced_by) == (2, "named by hand", wf.steps[0].id)
    assert store.revision == cell.revision == 3


def test_cancelling_on_the_fast_path_marks_the_rest_cancelled_in_plan_order():
    wf, _, cells = chain(6)
    token = CancelToken()

    def on_finished(s, _seconds):
        if s.id == wf.steps[2].id:
            token.cancel()

    result = Engine(InMemoryStore()).run(wf, callbacks=RunCallbacks(on_step_finished=on_finished), cancel=token)
    assert list(result.step_status) == [s.id for s in wf.steps]
    assert list(result.step_status.values()) == [StepStatus.DONE] * 3 + [StepStatus.CANCELLED] * 3
    assert list(result.timings) == [s.id for s in wf.steps[:3]]
    assert result.cancelled


def test_compiled_steps_keep_their_public_attributes():
    reg = _signature_registry()
    wf, cells = _signature_workflow()
    checked = Engine(InMemoryStore(), registry=reg).check(wf)
    by_step = {c.step.id: c for c in checked.compiled}
    first = by_step[wf.steps[0].id]
    assert first.function.slug == "t.pair" and first.inputs is wf.steps[0].inputs
    assert first.outputs == [("return", cells["only_b"], None)]
    split = by_step[wf.steps[6].id]
    assert split.outputs == [("low", cells["low"], None), ("high", cells["high"], None)]
    assert by_step[wf.steps[-1].id].outputs == []
    assert checked.order == [c.step for c in checked.compiled]
    assert checked.functions[wf.steps[5].id].slug == "t.nothing"
    assert list(checked.step_ids) == [c.step.id for c in checked.compiled]


def test_a_cancel_token_subclass_is_asked_through_its_own_cancelled_property():
    class AfterTwoSteps(CancelToken):
        asked = 0

        @property
        def cancelled(self) -> bool:
            self.asked += 1
            return self.asked > 2

    wf, _, _ = chain(4)
    result = Engine(InMemoryStore()).run(wf, cancel=AfterTwoSteps())
    assert list(result.step_status.values()) == [StepStatus.DONE] * 2 + [StepStatus.CANCELLED] * 2
    assert result.cancelled


# --- the timings log: a poller's view of a run, in plan order, at no cost per step ----------------


def _failing_middle() -> tuple[Workflow, list[UUID]]:
    """ok → explode → (skipped) increment, then an independent increment: four steps in plan order."""
    wf = Workflow(name="log")
    a = wf.input_cell("a", 1)
    first, broken, after, other = uuid4(), uuid4(), uuid4(), uuid4()
    steps = [wf.add_step(step("math.increment", {"x": a.id}, first)),
             wf.add_step(step("test.explode", {"x": first}, broken)),
             wf.add_step(step("math.increment", {"x": broken}, after)),
             wf.add_step(step("math.increment", {"x": a.id}, other))]
    return wf, [s.id for s in steps]


@pytest.mark.parametrize("store_type", [InMemoryStore, _PlainStore], ids=["fast path", "general path"])
def test_the_timings_log_has_an_entry_per_step_in_plan_order_after_its_failure_or_skip_is_reported(store_type):
    wf, ids = failing_middle("test.explode")
    engine = Engine(store_type())
    plan = engine.check(wf)
    log: list[float | None] = []
    reported = []  # (kind, step, log length when the callback came)
    callbacks = RunCallbacks(timings_log=log,
                             on_step_failed=lambda s, e: reported.append(("failed", s.id, len(log))),
                             on_step_skipped=lambda s: reported.append(("skipped", s.id, len(log))))
    result = engine.run_plan(plan, callbacks=callbacks)
    order = plan.step_ids
    assert len(log) == len(order) == 4
    for index, step_id in enumerate(order):
        assert log[index] == result.timings.get(step_id)  # None exactly for the step that did not run
    assert [status for status in result.step_status] == order  # RunResult lists steps in plan order too
    skipped = order.index(ids[2])
    assert log[skipped] is None
    # each callback came before the step's entry: a poller that reads the log, then the callbacks, never
    # sees a failed step's entry without its failure
    assert reported == [("failed", ids[1], order.index(ids[1])), ("skipped", ids[2], skipped)]


def test_a_cancelled_run_logs_only_the_steps_it_reached():
    wf, _, _ = chain(6, slug="test.slow_increment")
    token = CancelToken()
    log: list[float | None] = []
    started = []

    def on_started(s):
        started.append(s)
        if len(started) == 3:
            token.cancel()  # the third step still runs; no step starts after it

    result = Engine(InMemoryStore()).run(wf, callbacks=RunCallbacks(timings_log=log, on_step_started=on_started),
                                         cancel=token)
    assert result.cancelled and len(log) == 3 and all(t is not None and t > 0 for t in log)


def test_a_parallel_run_refuses_a_timings_log():
    wf, _, _ = chain(3)
    with pytest.raises(ValueError, match="sequential"):
        Engine(InMemoryStore()).run(wf, callbacks=RunCallbacks(timings_log=[]), max_workers=2)


# --- a step whose function is not installed: skipped with its dependents, the rest runs --------------


def _missing_function_workflow() -> tuple[Workflow, dict[str, UUID], dict[str, UUID]]:
    """a → first → [missing] → after → last, a step reading `after` and `first` together, and an
    independent branch (a → other). Returns the workflow, the step ids and the cell ids by name."""
    wf = Workflow(name="missing function")
    a = wf.input_cell("a", 1)
    cells = {name: wf.output_cell(name).id for name in ("first", "gone", "after", "last", "both", "other")}
    steps = {
        "first": wf.add_step(step("math.increment", {"x": a.id}, cells["first"])),
        "missing": wf.add_step(WorkflowStep(function_slug="plugin.absent", inputs={"x": cells["first"]},
                                            outputs={"return": cells["gone"]}, label="Absent Thing")),
        "after": wf.add_step(step("math.increment", {"x": cells["gone"]}, cells["after"])),
        "last": wf.add_step(step("math.increment", {"x": cells["after"]}, cells["last"])),
        "both": wf.add_step(step("math.add", {"a": cells["after"], "b": cells["first"]}, cells["both"])),
        "other": wf.add_step(step("math.increment", {"x": a.id}, cells["other"])),
    }
    return wf, {name: s.id for name, s in steps.items()}, cells


@pytest.mark.parametrize("store_type, max_workers", [(InMemoryStore, 1), (_PlainStore, 1), (InMemoryStore, 3)],
                         ids=["fast path", "general path", "parallel"])
def test_a_missing_function_skips_its_step_and_dependents_and_the_rest_runs(store_type, max_workers):
    wf, ids, cells = _missing_function_workflow()
    store = store_type()
    skipped, progress = [], []
    callbacks = RunCallbacks(on_step_skipped=lambda s: skipped.append(s.id),
                             on_progress=lambda done, total: progress.append((done, total)))
    result = Engine(store).run(wf, callbacks=callbacks, max_workers=max_workers)

    status = {name: result.step_status[step_id].value for name, step_id in ids.items()}
    assert status == {"first": "done", "missing": "skipped", "after": "skipped", "last": "skipped",
                      "both": "skipped", "other": "done"}
    assert store.get(cells["first"]).value == 2 and store.get(cells["other"]).value == 2
    assert all(cells[name] not in store for name in ("gone", "after", "last", "both"))
    passed_on = "depends on step 'Absent Thing', whose function 'plugin.absent' is not installed"
    assert result.skip_reasons == {ids["missing"]: "function 'plugin.absent' is not installed",
                                   ids["after"]: passed_on, ids["last"]: passed_on, ids["both"]: passed_on}
    assert sorted(skipped) == sorted(result.skip_reasons) and result.errors == {}
    assert not result.ok and result.count(StepStatus.SKIPPED) == 4
    assert progress[-1] == (6, 6) and len(progress) == 6


def test_a_missing_function_keeps_its_place_in_the_plan_and_the_timings_log():
    wf, ids, _ = _missing_function_workflow()
    engine = Engine(InMemoryStore())
    checked = engine.check(wf)
    assert checked.unavailable == {ids["missing"]: "plugin.absent"}
    assert set(checked.step_ids) == set(ids.values()) and ids["missing"] not in checked.functions
    log: list[float | None] = []
    result = engine.run_plan(checked, callbacks=RunCallbacks(timings_log=log))
    assert list(result.step_status) == checked.step_ids
    assert [t is None for t in log] == [step_id in result.skip_reasons for step_id in checked.step_ids]


def test_a_step_skipped_after_a_failure_has_no_missing_function_reason():
    wf, ids = failing_middle("test.explode")
    result = Engine(InMemoryStore()).run(wf)
    assert result.step_status[ids[2]] is StepStatus.SKIPPED and result.skip_reasons == {}


def test_running_only_up_to_a_step_after_a_missing_function_skips_the_way_there():
    wf, ids, cells = _missing_function_workflow()
    store = InMemoryStore()
    result = Engine(store).run(wf, targets=[ids["last"]])
    assert set(result.step_status) == {ids["first"], ids["missing"], ids["after"], ids["last"]}
    assert [result.step_status[ids[n]].value for n in ("first", "missing", "after", "last")] == [
        "done", "skipped", "skipped", "skipped"]
    assert cells["other"] not in store
