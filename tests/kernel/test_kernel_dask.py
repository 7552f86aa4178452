"""The kernel as a Dask client (issue 15): a run request's executor description sends the steps to a local
cluster the kernel starts and keeps between runs; each step's worker comes back to the caller's
`on_step_placed`; a scheduler out of reach is a `KernelError` and the kernel lives on; Stop cancels the
cluster's tasks without the kernel being killed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from fancy_studio.core import RunCallbacks, StepStatus, Workflow, WorkflowStep, fancy_function
from fancy_studio.core.run_types import CancelToken
from fancy_studio.kernel import Kernel, KernelError, executors
from tests.kernel.kernel_functions import registry_with_builtins

pytestmark = pytest.mark.skipif(not executors.dask_installed(), reason="needs the dask extra")


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    kernel = Kernel(grace=20.0)  # Stop must end a cluster run by cancelling, long before the kernel is killed
    kernel.start()
    yield kernel
    kernel.shutdown(timeout=10)


def _fan_out(slug: str = "math.increment", branches: int = 3) -> tuple[Workflow, list[WorkflowStep]]:
    wf = Workflow(name="fan out")
    x = wf.input_cell("x", 1)
    steps = [wf.add_step(WorkflowStep(function_slug=slug, inputs={"x": x.id},
                                      outputs={"return": wf.output_cell(f"b{i}").id})) for i in range(branches)]
    return wf, steps


def _run(kernel: Kernel, workflow: Workflow, spec, **kwargs) -> tuple[object, dict, list]:
    placed: dict = {}
    finished: list = []
    callbacks = RunCallbacks(on_step_placed=lambda step, address: placed.__setitem__(step.id, address),
                             on_step_finished=lambda step, seconds: finished.append(step.id))
    result = kernel.run(workflow, store_path=None, callbacks=callbacks, executor=spec, **kwargs)
    return result, placed, finished


def test_the_kernel_keeps_its_cluster_between_runs_and_starts_another_for_another_size(kernel):
    workflow, steps = _fan_out()
    result, placed, finished = _run(kernel, workflow, executors.local_cluster(2))
    assert result.ok and set(placed) == {step.id for step in steps}
    assert sorted(finished) == sorted(step.id for step in steps)  # each told once, as it ended
    assert all(address.startswith("tcp://127.0.0.1:") for address in placed.values())
    assert kernel.cluster_info["workers"] == 2 and kernel.cluster_info["where"] == "local cluster, 2 processes"
    first_workers = set(placed.values())

    again, placed_again, _ = _run(kernel, workflow, executors.local_cluster(2))
    assert again.ok and set(placed_again.values()) <= first_workers  # the same cluster: kept

    smaller, placed_smaller, _ = _run(kernel, workflow, executors.local_cluster(1))
    assert smaller.ok and len(set(placed_smaller.values())) == 1
    assert not set(placed_smaller.values()) & first_workers  # another cluster for another size


def test_stop_cancels_the_clusters_tasks_and_the_kernel_is_not_killed(kernel):
    registry = registry_with_builtins()

    @fancy_function("dask_test.nap", registry=registry, cacheable=False)
    def nap(x: int) -> int:
        time.sleep(120)
        return x

    workflow, steps = _fan_out("dask_test.nap", branches=2)  # on the 1-worker cluster the test before kept
    pid = kernel.pid
    cancel = CancelToken()
    started = threading.Event()
    outcome: list = []

    def run() -> None:
        callbacks = RunCallbacks(on_step_started=lambda step: started.set())
        outcome.append(kernel.run(workflow, store_path=None, callbacks=callbacks, cancel=cancel,
                                  registry=registry, executor=executors.local_cluster(1)))

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(60)
    cancel.cancel()
    thread.join(60)
    assert not thread.is_alive()
    (result,) = outcome
    assert result.cancelled and not result.ok
    assert all(result.step_status[step.id] is not StepStatus.DONE for step in steps)
    assert kernel.pid == pid  # stopped by cancelling the tasks: the kernel was never killed


def test_an_unreachable_scheduler_is_a_kernel_error_and_the_kernel_lives_on(kernel):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    workflow, _steps = _fan_out()
    pid = kernel.pid
    with pytest.raises(KernelError, match=f"^cannot reach the Dask scheduler at {address} "):
        _run(kernel, workflow, executors.scheduler(address, timeout=1))
    result, placed, _finished = _run(kernel, workflow, None)
    assert result.ok and placed == {} and kernel.pid == pid  # back in the kernel itself


def test_out_of_order_batches_are_told_as_steps_end_with_each_steps_worker():
    """What the studio's side makes of a Dask run's batches (no kernel needed): each outcome told as it
    ends (a branch that ends first shows first), each once; placements told at once; the timings log and
    the result in plan order."""
    from fancy_studio.core import Engine, InMemoryStore
    from fancy_studio.kernel.replay import Replay

    workflow, steps = _fan_out(branches=3)
    checked = Engine(InMemoryStore()).check(workflow)
    told: list = []
    progress: list = []
    log: list = []
    callbacks = RunCallbacks(on_step_finished=lambda step, seconds: told.append(("done", step.id, seconds)),
                             on_step_skipped=lambda step: told.append(("skipped", step.id)),
                             on_step_placed=lambda step, address: told.append(("placed", step.id, address)),
                             on_progress=lambda done, total: progress.append((done, total)), timings_log=log)
    replay = Replay(checked, callbacks)
    mapping = list(range(3))
    position = {step_id: i for i, step_id in enumerate(checked.step_ids)}
    first, second, third = sorted(steps, key=lambda step: position[step.id])
    batch = {"from": 0, "log": [], "failed": [], "skipped": [], "cached": [], "bypassed": [],
             "placed": [[position[third.id], "tcp://127.0.0.1:4001"]], "ended": [[position[third.id], 0.5]]}
    replay.events(batch, mapping)
    # the third ended first: told at once, not after the two planned before it
    assert told == [("placed", third.id, "tcp://127.0.0.1:4001"), ("done", third.id, 0.5)]
    assert progress == [(1, 3)] and log == []  # the log waits: it is in plan order
    replay.events({**batch, "placed": [], "ended": [[position[first.id], 0.25]], "skipped": [position[second.id]]},
                  mapping)
    assert told[2:] == [("done", first.id, 0.25), ("skipped", second.id)]  # the third is not told twice
    assert progress == [(1, 3), (2, 3), (3, 3)] and log == [0.25, None, 0.5]
    result = replay.result(1.0, False)
    assert result.step_status[second.id] is StepStatus.SKIPPED and result.timings[third.id] == 0.5
