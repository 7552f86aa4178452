"""The run's status model: batches in plan order, failures that come before their entries, the end."""

from __future__ import annotations

from uuid import uuid4

from fancy_studio.core import Engine, InMemoryStore, fancy_function
from fancy_studio.gui.run.status import RunStatusModel, StepState
from fancy_studio.gui.run.worker import RunBatch
from tests.core.helpers import failing_middle


@fancy_function("test_status.explode")
def explode(x: float) -> float:
    """Always raises."""
    raise ValueError(f"cannot handle {x}")


class Recorder:
    def __init__(self, model: RunStatusModel) -> None:
        self.changes: list[list] = []
        self.progress: list[tuple[int, int]] = []
        model.changed.connect(self.changes.append)
        model.progress.connect(lambda done, total: self.progress.append((done, total)))


def test_batches_mark_logged_steps_done_keep_reported_failures_and_show_the_running_step(qapp):
    ids = [uuid4() for _ in range(4)]
    model = RunStatusModel(InMemoryStore())
    seen = Recorder(model)
    model.begin(ids)
    assert [model.state(i) for i in ids] == [StepState.QUEUED] * 4
    # step 0 ended; step 2's failure is reported before its entry; step 1 is running
    model.apply(RunBatch(0, [0.5], [("failed", ids[2], "boom")], ids[1]))
    assert [model.state(i) for i in ids] == [StepState.DONE, StepState.RUNNING, StepState.FAILED, StepState.QUEUED]
    assert seen.changes[-1] == [ids[0], ids[2], ids[1]]
    assert model.info(ids[0]).seconds == 0.5
    model.apply(RunBatch(1, [0.25, 0.125], [("skipped", ids[3], None)], None))
    assert [model.state(i) for i in ids] == [StepState.DONE, StepState.DONE, StepState.FAILED, StepState.SKIPPED]
    assert model.info(ids[2]).error == "boom" and model.info(ids[1]).seconds == 0.25
    assert seen.progress == [(0, 4), (1, 4), (3, 4)]


def test_the_end_takes_every_outcome_from_the_result_and_names_only_the_steps_that_moved(qapp):
    wf, ids = failing_middle("test_status.explode")
    engine = Engine(InMemoryStore())
    plan = engine.check(wf)
    model = RunStatusModel(engine.store)
    seen = Recorder(model)
    model.begin(plan.step_ids)
    order = plan.step_ids
    model.apply(RunBatch(0, [0.5], [], order[1]))  # the first step in plan order is done, the next running
    result = engine.run_plan(plan)
    model.end(result)
    expected = {ids[0]: StepState.DONE, ids[1]: StepState.FAILED, ids[2]: StepState.SKIPPED, ids[3]: StepState.DONE}
    assert {i: model.state(i) for i in ids} == expected
    assert not model.active
    assert set(seen.changes[-1]) == set(order[1:])  # the first was already shown done
    assert model.info(ids[3]).seconds == result.timings[ids[3]]  # read from the result
    assert model.info(ids[1]).error is result.errors[ids[1]]


def test_without_a_result_the_steps_still_open_are_cancelled(qapp):
    ids = [uuid4() for _ in range(3)]
    model = RunStatusModel(InMemoryStore())
    model.begin(ids)
    model.apply(RunBatch(0, [0.5], [], ids[1]))
    model.end(None)  # the engine crashed
    assert [model.state(i) for i in ids] == [StepState.DONE, StepState.CANCELLED, StepState.CANCELLED]


def test_a_badge_names_the_dask_worker_by_host_or_by_port_on_this_machine():
    from fancy_studio.gui.canvas.status_badge import label, worker_tag
    from fancy_studio.gui.run.status import StepRunInfo, StepState

    assert worker_tag("tcp://10.0.0.7:40123") == "10.0.0.7"
    assert worker_tag("tcp://127.0.0.1:40123") == ":40123"
    assert worker_tag(None) == ""
    assert label(StepRunInfo(StepState.DONE, 0.012, worker="tcp://10.0.0.7:1")) == "12 ms · 10.0.0.7"
    assert label(StepRunInfo(StepState.DONE, 0.012)) == "12 ms"
    assert label(StepRunInfo(StepState.FAILED, worker="tcp://127.0.0.1:9")) == "failed · :9"
