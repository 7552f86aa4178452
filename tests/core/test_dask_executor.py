"""Running on a Dask cluster (issue 15): a real 2-process `LocalCluster` on the loopback address, started once
for the module. The same workflows run in-process and on the cluster and must give the same outcome."""

from __future__ import annotations

import threading
from pathlib import Path
from uuid import UUID, uuid4

import pytest

distributed = pytest.importorskip("distributed")

from fancy_studio.core import (  # noqa: E402  (after the skip: without the dask extra, nothing here runs)
    CancelToken, Engine, InMemoryStore, RunCallbacks, SqliteStore, StepStatus, Workflow, WorkflowStep,
)
from fancy_studio.core.dask import ClusterError, DaskExecutor  # noqa: E402
from tests.core import dask_functions  # noqa: E402
from tests.core.helpers import PlainStore  # noqa: E402

ALLOWED_FAILURES = 1
"""The module's scheduler retries a task whose worker died once (Dask's default is 3): the killed-worker
test then costs two worker restarts, not four."""


@pytest.fixture(scope="module")
def client():
    import dask

    # lost-worker-timeout: 15 s after a worker died (the killed-worker test), the cluster object closes the
    # nanny of that name if no worker of that name is registered at that moment, which a later test's
    # restart (4 s: a hung thread delays the worker's close) can just be in the middle of
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                          "distributed.deploy.lost-worker-timeout": "1 hour"}):
        cluster = distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                           host="127.0.0.1", dashboard_address=":0", silence_logs=50)
        client = distributed.Client(cluster)
        yield client
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def registry():
    return dask_functions.test_registry()


def step(slug: str, inputs: dict[str, UUID], **outputs: UUID) -> WorkflowStep:
    return WorkflowStep(function_slug=slug, inputs=inputs, outputs=outputs)


def rich_workflow() -> Workflow:
    """Fan-out, fan-in, a failing step with dependents, params, a bypassed step and a NamedTuple step."""
    wf = Workflow(name="rich")
    a, b = wf.input_cell("a", 2), wf.input_cell("b", 5)
    values = wf.input_cell("values", [4, 1, 9])
    s, d1, d2, fan_in, scaled, bad, after_bad, passed, low, high, spread = (uuid4() for _ in range(11))
    wf.add_step(step("t.add", {"a": a.id, "b": b.id}, **{"return": s}))
    wf.add_step(step("t.double", {"x": s}, **{"return": d1}))
    wf.add_step(step("t.scale", {"x": s}, **{"return": d2}))  # fan-out from s, default factor
    wf.add_step(step("t.add", {"a": d1, "b": d2}, **{"return": fan_in}))  # fan-in
    with_param = step("t.scale", {"x": fan_in}, **{"return": scaled})
    with_param.params = {"factor": 10}
    wf.add_step(with_param)
    wf.add_step(step("t.boom", {"x": d1}, **{"return": bad}))
    wf.add_step(step("t.double", {"x": bad}, **{"return": after_bad}))  # skipped: its input failed
    bypassed = step("t.double", {"x": scaled}, **{"return": passed})
    bypassed.bypass = True  # passes `scaled` (a submitted step's output) through
    wf.add_step(bypassed)
    wf.add_step(step("t.min_max", {"values": values.id}, low=low, high=high))
    wf.add_step(step("t.add", {"a": low, "b": high}, **{"return": spread}))
    wf.add_step(step("t.double", {"x": passed}, **{"return": uuid4()}))
    return wf


def outcome(store, result, wf: Workflow) -> tuple:
    cells = {}
    for wf_step in wf.steps:
        for cell_id in wf_step.outputs.values():
            cells[cell_id] = store.get(cell_id).value if cell_id in store else "<none>"
    errors = {step_id: (error.type_name, error.message) for step_id, error in result.errors.items()}
    return dict(result.step_status), errors, cells


STORES = {
    "in memory": lambda folder, name: InMemoryStore(),
    "any store": lambda folder, name: PlainStore(),
    "sqlite, summaries": lambda folder, name: SqliteStore(folder / f"{name}.sqlite", summaries=True),
}


@pytest.mark.parametrize("make_store", STORES.values(), ids=STORES.keys())
def test_a_workflow_gives_the_same_outcome_in_process_and_on_the_cluster(client, registry, make_store,
                                                                         tmp_path):
    wf = rich_workflow()
    local_store = make_store(tmp_path, "local")
    local = Engine(local_store, registry=registry).run(wf)
    cluster_store = make_store(tmp_path, "cluster")
    executor = DaskExecutor(client)
    log: list = []
    on_cluster = Engine(cluster_store, registry=registry, executor=executor).run(
        wf, callbacks=RunCallbacks(timings_log=log))
    assert outcome(cluster_store, on_cluster, wf) == outcome(local_store, local, wf)
    assert len(log) == len(wf.steps) and log == [on_cluster.timings.get(step_id)
                                                 for step_id in on_cluster.step_status]
    statuses = list(on_cluster.step_status.values())
    assert statuses.count(StepStatus.FAILED) == 1 and statuses.count(StepStatus.SKIPPED) == 1
    assert statuses.count(StepStatus.BYPASSED) == 1
    error = next(iter(on_cluster.errors.values()))
    assert error.type_name == "ValueError" and "boom at 14" in error.message
    assert "in boom" in error.traceback  # the traceback as the worker saw it
    assert isinstance(error.exception, ValueError)
    # every step but the bypassed one was sent (the skipped one too: it was sent with its input's future,
    # and its task saw the failure and did not call the function)
    assert len(executor.submitted) == len(wf.steps) - 1


def test_results_reach_the_store_and_the_callbacks_as_each_step_finishes(client, registry, tmp_path):
    """A step that waits until the test has seen another step finish: the first one's value is in the store
    (and reported) while the second is still running, on the other worker."""
    gate = tmp_path / "gate"
    wf = Workflow(name="live")
    a = wf.input_cell("a", 3)
    fast_out, slow_out = uuid4(), uuid4()
    fast = wf.add_step(step("t.double", {"x": a.id}, **{"return": fast_out}))
    slow = step("t.wait_for_file", {"x": a.id}, **{"return": slow_out})
    slow.params = {"path": str(gate)}
    wf.add_step(slow)
    store = InMemoryStore()
    seen: list[tuple] = []
    placed: dict[UUID, str] = {}

    def finished(finished_step, _seconds):
        seen.append(("finished", finished_step.id, store.get(fast_out).value if fast_out in store else None,
                     slow_out in store))
        if finished_step.id == fast.id:
            gate.write_text("go")

    callbacks = RunCallbacks(on_step_started=lambda s: seen.append(("started", s.id)),
                             on_step_finished=finished,
                             on_step_placed=lambda s, worker: placed.__setitem__(s.id, worker),
                             on_progress=lambda done, total: seen.append(("progress", done, total)))
    result = Engine(store, registry=registry, executor=DaskExecutor(client)).run(wf, callbacks=callbacks)
    assert result.ok
    finishes = [entry for entry in seen if entry[0] == "finished"]
    assert finishes == [("finished", fast.id, 6, False), ("finished", slow.id, 6, True)]
    assert seen.index(("started", fast.id)) < seen.index(finishes[0])
    assert seen.index(("started", slow.id)) < seen.index(finishes[1])
    assert [entry for entry in seen if entry[0] == "progress"] == [("progress", 1, 2), ("progress", 2, 2)]
    assert set(placed) == {fast.id, slow.id}
    assert set(placed.values()) <= set(client.scheduler_info()["workers"])
    assert placed[fast.id] != placed[slow.id]  # the slow one held one worker: the fast ran on the other
    assert store.get(slow_out).value == 3


def test_reused_results_are_never_submitted(client, registry, tmp_path):
    wf = Workflow(name="reuse")
    a = wf.input_cell("a", 1)
    first, second, third = uuid4(), uuid4(), uuid4()
    wf.add_step(step("t.double", {"x": a.id}, **{"return": first}))
    wf.add_step(step("t.double", {"x": first}, **{"return": second}))
    wf.add_step(step("t.scale", {"x": a.id}, **{"return": third}))
    store = SqliteStore(tmp_path / "results.sqlite")
    executor = DaskExecutor(client)
    engine = Engine(store, registry=registry, executor=executor)
    assert engine.run(wf).ok
    assert len(executor.submitted) == 3
    again = engine.run(wf)
    assert set(again.step_status.values()) == {StepStatus.CACHED}
    assert executor.submitted == []
    assert store.lineage(second) is not None
    # a new input value: every step reading it runs again; so does the one after (its input changed)
    changed = engine.run(wf, [a.model_copy(update={"value": 7})])
    assert set(changed.step_status.values()) == {StepStatus.DONE}
    assert len(executor.submitted) == 3
    assert store.get(second).value == 28
    store.close()


def test_relative_paths_point_into_the_workflow_folder_on_the_workers(client, registry, tmp_path):
    wf = Workflow(name="paths")
    name = wf.input_cell("name", "data/sales.csv")
    out = uuid4()
    wf.add_step(step("t.where", {"name": name.id}, **{"return": out}))
    store = InMemoryStore()
    assert Engine(store, registry=registry, executor=DaskExecutor(client)).run(wf, folder=tmp_path).ok
    assert store.get(out).value == str(tmp_path.resolve() / "data" / "sales.csv")


def test_a_function_the_workers_cannot_import_is_named_before_anything_runs(client, tmp_path, monkeypatch):
    """A plugin-like module importable here only (its folder joined this process's path after the workers
    started): the run refuses before submitting anything, naming the slug and each worker."""
    (tmp_path / "only_here_plugin.py").write_text("def triple(x: int) -> int:\n    return x * 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import only_here_plugin

    registry = dask_functions.test_registry()
    from fancy_studio.core.functions import describe

    registry.register(describe(only_here_plugin.triple, "plugin.triple"))
    wf = Workflow(name="missing")
    a = wf.input_cell("a", 1)
    first, second = uuid4(), uuid4()
    wf.add_step(step("t.double", {"x": a.id}, **{"return": first}))
    wf.add_step(step("plugin.triple", {"x": first}, **{"return": second}))
    store = InMemoryStore()
    executor = DaskExecutor(client)
    with pytest.raises(ClusterError) as raised:
        Engine(store, registry=registry, executor=executor).run(wf)
    message = str(raised.value)
    assert "plugin.triple" in message and "only_here_plugin" in message and "t.double" not in message
    for worker in client.scheduler_info()["workers"]:
        assert worker in message
    assert executor.submitted == [] and first not in store


def test_a_function_defined_here_travels_by_value_and_needs_nothing_on_the_workers(client):
    from fancy_studio.core.functions import FunctionRegistry, describe

    def local_triple(x: int) -> int:  # defined in a function: cloudpickle sends its code
        return x * 3

    registry = FunctionRegistry()
    registry.register(describe(local_triple, "here.triple"))
    wf = Workflow(name="by value")
    a = wf.input_cell("a", 4)
    out = uuid4()
    wf.add_step(step("here.triple", {"x": a.id}, **{"return": out}))
    store = InMemoryStore()
    assert Engine(store, registry=registry, executor=DaskExecutor(client)).run(wf).ok
    assert store.get(out).value == 12


def test_a_worker_that_dies_fails_its_step_after_the_retries_and_other_branches_finish(client, registry):
    wf = Workflow(name="killed")
    a = wf.input_cell("a", 1)
    dead, after, other, other_after = uuid4(), uuid4(), uuid4(), uuid4()
    dying = wf.add_step(step("t.die", {"x": a.id}, **{"return": dead}))
    reader = wf.add_step(step("t.double", {"x": dead}, **{"return": after}))
    branch = wf.add_step(step("t.double", {"x": a.id}, **{"return": other}))
    branch_after = wf.add_step(step("t.scale", {"x": other}, **{"return": other_after}))
    store = InMemoryStore()
    result = Engine(store, registry=registry, executor=DaskExecutor(client)).run(wf)
    assert result.step_status == {dying.id: StepStatus.FAILED, reader.id: StepStatus.SKIPPED,
                                  branch.id: StepStatus.DONE, branch_after.id: StepStatus.DONE}
    error = result.errors[dying.id]
    assert error.type_name == "KilledWorker"
    tries = ALLOWED_FAILURES + 1
    assert error.message.startswith(f"the worker running it died (KilledWorker after {tries} tries)")
    assert store.get(other_after).value == 6
    client.wait_for_workers(2, timeout=60)  # the nannies restart the killed workers for the next tests


def test_stop_cancels_pending_steps_and_restarts_the_worker_of_a_step_that_never_returns(client, registry):
    wf = Workflow(name="stop")
    a = wf.input_cell("a", 1)
    hung_out, after_out = uuid4(), uuid4()
    hung = wf.add_step(step("t.hang", {"x": a.id}, **{"return": hung_out}))
    after = wf.add_step(step("t.double", {"x": hung_out}, **{"return": after_out}))
    cancel = CancelToken()
    started = threading.Event()

    def on_started(started_step):
        if started_step.id == hung.id:
            threading.Timer(0.1, cancel.cancel).start()  # Stop, from another thread
            started.set()

    executor = DaskExecutor(client, restart_on_stop=True)
    result = Engine(InMemoryStore(), registry=registry, executor=executor).run(
        wf, callbacks=RunCallbacks(on_step_started=on_started), cancel=cancel)
    assert started.is_set()
    assert result.cancelled
    assert result.step_status == {hung.id: StepStatus.CANCELLED, after.id: StepStatus.CANCELLED}
    # the hung step's worker was restarted: both workers take work again
    client.wait_for_workers(2, timeout=60)
    pids = client.run(lambda: __import__("os").getpid())
    assert len(pids) == 2
    b = Workflow(name="after stop")
    x = b.input_cell("x", 2)
    outs = [uuid4() for _ in range(4)]
    for out in outs:
        b.add_step(step("t.double", {"x": x.id}, **{"return": out}))
    store = InMemoryStore()
    assert Engine(store, registry=registry, executor=DaskExecutor(client)).run(b).ok
    assert [store.get(out).value for out in outs] == [4] * 4


def test_the_task_wrapper_skips_on_a_failed_input_and_keeps_an_unpicklable_error_as_text():
    from fancy_studio.core.dask.tasks import StepOutcome, run_step_task

    failed = StepOutcome(error=None, error_type="ValueError", error_message="no")
    assert run_step_task(dask_functions.double, None, {}, {"x": (failed, "return")}, None, None).skipped
    ok = StepOutcome({"return": 4})
    doubled = run_step_task(dask_functions.double, None, {}, {"x": (ok, "return")}, None, None)
    assert doubled.outputs == {"return": 8}
    assert run_step_task(dask_functions.double, None, {}, {"x": (ok, None)}, None, None).skipped

    class Odd(Exception):
        def __reduce__(self):
            raise TypeError("cannot pickle me")

    def raise_odd(x):
        raise Odd("strange")

    result = run_step_task(raise_odd, None, {"x": 1}, {}, None, None)
    assert result.failed and result.error is None
    assert (result.error_type, result.error_message) == ("Odd", "strange")
    assert "raise_odd" in result.traceback
    assert run_step_task(dask_functions.where, None, {"name": "x"}, {}, None, str(Path("/tmp"))).outputs == {
        "return": str(Path("/tmp/x"))}


def test_a_functions_file_travels_by_value_to_workers_that_cannot_import_it(client, tmp_path):
    from fancy_studio.core.function_files import load_functions_file, unload_functions_file
    from fancy_studio.core.functions import registry as default_registry

    functions_file = tmp_path / "cluster_functions.py"
    functions_file.write_text("import os\nfrom fancy_studio.core import fancy_function\n\n"
                              "@fancy_function('filed.pid_and_square')\n"
                              "def pid_and_square(x: int) -> list:\n    return [os.getpid(), x * x]\n")
    assert load_functions_file(functions_file).ok
    try:
        wf = Workflow(name="functions file")
        a = wf.input_cell("a", 7)
        out = uuid4()
        wf.add_step(step("filed.pid_and_square", {"x": a.id}, **{"return": out}))
        store = InMemoryStore()
        assert Engine(store, registry=default_registry, executor=DaskExecutor(client)).run(wf).ok
        pid, square = store.get(out).value
        assert square == 49
        assert pid in client.run(lambda: __import__("os").getpid()).values()  # it ran on a worker
    finally:
        unload_functions_file(functions_file)


def test_a_large_input_is_scattered_once_and_read_by_each_step_on_the_workers(client, registry):
    from fancy_studio.core.dask import executor as executor_module

    wf = Workflow(name="large")
    values = wf.input_cell("values", list(range(200_000)))  # over SCATTER_BYTES by dask.sizeof
    low, high, summed = uuid4(), uuid4(), uuid4()
    wf.add_step(step("t.min_max", {"values": values.id}, low=low, high=high))
    wf.add_step(step("t.total", {"values": values.id}, **{"return": summed}))
    scattered = []
    original = distributed.Client.scatter

    def counting_scatter(self, data, **kwargs):
        scattered.append(type(data).__name__)
        return original(self, data, **kwargs)

    store = InMemoryStore()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(distributed.Client, "scatter", counting_scatter)
        assert Engine(store, registry=registry, executor=DaskExecutor(client)).run(wf).ok
    assert scattered == ["list"]  # once, for both readers
    assert (store.get(low).value, store.get(high).value, store.get(summed).value) == (
        0, 199_999, sum(range(200_000)))
    assert executor_module.SCATTER_BYTES < 200_000 * 8


def test_ctrl_c_during_a_cluster_run_stops_it_like_stop(client, registry):
    """The command's Ctrl+C handler sets the cancel token, then raises KeyboardInterrupt in the thread that
    waits for the results: the run stops as with Stop, and returns its result."""
    wf = Workflow(name="ctrl c")
    a = wf.input_cell("a", 1)
    hung_out = uuid4()
    hung = wf.add_step(step("t.hang", {"x": a.id}, **{"return": hung_out}))
    done = wf.add_step(step("t.double", {"x": a.id}, **{"return": uuid4()}))
    cancel = CancelToken()

    def on_started(started_step):
        if started_step.id == hung.id:
            cancel.cancel()
            raise KeyboardInterrupt

    executor = DaskExecutor(client, restart_on_stop=True)
    result = Engine(InMemoryStore(), registry=registry, executor=executor).run(
        wf, callbacks=RunCallbacks(on_step_started=on_started), cancel=cancel)
    assert result.cancelled and result.step_status[hung.id] is StepStatus.CANCELLED
    assert result.step_status[done.id] in (StepStatus.DONE, StepStatus.CANCELLED)
    client.wait_for_workers(2, timeout=60)
    quick = Workflow(name="quick")
    quick.add_step(step("t.double", {"x": quick.input_cell("a", 1).id}, **{"return": uuid4()}))

    def interrupt(_step):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # without the cancel token set, it is no Stop: it goes on up
        Engine(InMemoryStore(), registry=registry, executor=DaskExecutor(client)).run(
            quick, callbacks=RunCallbacks(on_step_started=interrupt))


def test_an_input_missing_from_the_store_fails_its_step_and_skips_its_readers(client, registry):
    from fancy_studio.core.errors import CellNotFoundError

    wf = Workflow(name="missing input")
    a = wf.input_cell("a", 1)
    first, second = uuid4(), uuid4()
    wf.add_step(step("t.double", {"x": a.id}, **{"return": first}))
    wf.add_step(step("t.double", {"x": first}, **{"return": second}))
    store = InMemoryStore()
    engine = Engine(store, registry=registry, executor=DaskExecutor(client))
    result = engine.run_plan(engine.check(wf), initial_cells=[])  # the input cell was never stored
    assert [result.step_status[s.id] for s in wf.steps] == [StepStatus.FAILED, StepStatus.SKIPPED]
    error = result.errors[wf.steps[0].id]
    assert error.type_name == "CellNotFoundError" and isinstance(error.exception, CellNotFoundError)
    assert len(store) == 0


def test_a_step_past_its_timeout_fails_its_readers_are_skipped_and_the_rest_runs(client, registry):
    wf = Workflow(name="timeout")
    a = wf.input_cell("a", 1)
    hung_out, after_out, other_out = uuid4(), uuid4(), uuid4()
    hung = step("t.hang", {"x": a.id}, **{"return": hung_out})
    hung.timeout = 0.5
    wf.add_step(hung)
    after = wf.add_step(step("t.double", {"x": hung_out}, **{"return": after_out}))
    other = wf.add_step(step("t.double", {"x": a.id}, **{"return": other_out}))
    placed: dict = {}
    store = InMemoryStore()
    result = Engine(store, registry=registry, executor=DaskExecutor(client, restart_on_stop=True)).run(
        wf, callbacks=RunCallbacks(on_step_placed=lambda s, worker: placed.__setitem__(s.id, worker)))
    assert result.step_status == {hung.id: StepStatus.FAILED, after.id: StepStatus.SKIPPED,
                                  other.id: StepStatus.DONE}
    error = result.errors[hung.id]
    assert (error.type_name, error.message) == ("Timeout", "timed out after 0.5 s")
    assert result.timings[hung.id] >= 0.5
    assert hung.id in placed and store.get(other_out).value == 2
    client.wait_for_workers(2, timeout=60)  # its worker was restarted: both take work again
    assert len(client.run(lambda: 1)) == 2


def test_steps_whose_ids_share_their_first_digits_are_told_apart(client, registry):
    """Hand-written files (the examples) give ids like 7a1c0e52-…-000000000016 and …-000000000017: each
    step is its own task all the same."""
    wf = Workflow(name="close ids")
    a, b = wf.input_cell("a", 1), wf.input_cell("b", 10)
    first, second = uuid4(), uuid4()
    for number, (source, out) in enumerate(((a, first), (b, second))):
        same = WorkflowStep(id=UUID(f"7a1c0e52-3b6d-4f0a-8e21-00000000001{number}"), function_slug="t.double",
                            inputs={"x": source.id}, outputs={"return": out}, label="Double")
        wf.add_step(same)
    store = InMemoryStore()
    executor = DaskExecutor(client)
    assert Engine(store, registry=registry, executor=executor).run(wf).ok
    assert (store.get(first).value, store.get(second).value) == (2, 20)
    assert len(set(executor.submitted)) == 2 and all(key.startswith("Double-") for key in executor.submitted)


def test_the_examples_give_the_same_values_on_the_cluster(client, tmp_path):
    """The shipped examples (groups, tables, plots, files relative to the workflow) run on the cluster and
    give what they give in-process."""
    import shutil

    from fancy_studio.core import load_workflow
    from fancy_studio.core.functions import registry as default_registry

    examples = Path(__file__).resolve().parents[2] / "resources" / "examples"
    for name in ("two_readings.json", "sales_by_region.json"):
        shutil.copytree(examples, tmp_path / name, ignore=shutil.ignore_patterns("*.png"))
        wf = load_workflow(tmp_path / name / name)
        values = []
        for executor in (None, DaskExecutor(client)):
            store = InMemoryStore()
            engine = Engine(store, registry=default_registry, executor=executor)
            result = engine.run(wf, folder=tmp_path / name)
            assert result.ok, result.errors
            values.append({cell_id: repr(store.get(cell_id).value) for s in wf.steps
                           for cell_id in s.outputs.values() if cell_id in store})
        assert values[0] == values[1] and values[0]
