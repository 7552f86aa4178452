"""The worker's event batches: every outcome, and a "started" only for the step still running."""

from __future__ import annotations

import time

from fancy_studio.core import WorkflowStep
from fancy_studio.gui.run_worker import _Batcher


class Collect:
    def __init__(self) -> None:
        self.batches: list[list] = []

    def emit(self, events: list) -> None:
        self.batches.append([(kind, step_id) for kind, step_id, _ in events])


def steps(n: int) -> list[WorkflowStep]:
    return [WorkflowStep(function_slug="math.increment") for _ in range(n)]


def test_a_batch_names_only_the_step_still_running():
    a, b, c = steps(3)
    signal = Collect()
    batch = _Batcher(signal)
    callbacks = batch.callbacks()
    callbacks.on_step_started(a)
    callbacks.on_step_finished(a, 0.1)
    callbacks.on_step_started(b)
    batch.flush()
    callbacks.on_step_finished(b, 0.2)
    callbacks.on_step_started(c)
    callbacks.on_step_failed(c, "boom")
    batch.flush()
    batch.flush()  # nothing new: no batch
    assert signal.batches == [[("done", a.id), ("started", b.id)], [("done", b.id), ("failed", c.id)]]


def test_a_skip_reported_after_the_last_step_ran_does_not_leave_it_running():
    a, b, c = steps(3)
    signal = Collect()
    batch = _Batcher(signal)
    callbacks = batch.callbacks()
    callbacks.on_step_started(a)
    callbacks.on_step_failed(a, "boom")
    callbacks.on_step_started(c)
    callbacks.on_step_finished(c, 0.1)
    callbacks.on_step_skipped(b)  # the engine may report skips after later steps ran
    batch.flush()
    assert signal.batches == [[("failed", a.id), ("done", c.id), ("skipped", b.id)]]


def test_the_flusher_thread_delivers_while_the_run_goes_and_leaves_the_end_to_the_result():
    (a,) = steps(1)
    signal = Collect()
    with _Batcher(signal) as batch:
        batch.callbacks().on_step_started(a)
        deadline = time.monotonic() + 5
        while not signal.batches and time.monotonic() < deadline:
            time.sleep(0.005)
        assert signal.batches == [[("started", a.id)]]  # shown as running before it ends
        batch.callbacks().on_step_finished(a, 1.0)
    assert signal.batches == [[("started", a.id)]]  # its end comes with the run's result, not as events


def test_when_the_engine_crashes_the_events_it_reported_are_still_sent():
    a, b = steps(2)
    signal = Collect()
    try:
        with _Batcher(signal) as batch:
            batch.callbacks().on_step_started(a)
            batch.callbacks().on_step_finished(a, 1.0)
            batch.callbacks().on_step_started(b)
            raise RuntimeError("engine bug")
    except RuntimeError:
        pass
    assert [("done", a.id), ("started", b.id)] in signal.batches
