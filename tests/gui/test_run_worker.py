"""The worker's batches: new timings-log entries, failures and skips, and the step still running."""

from __future__ import annotations

import threading
import time

from fancy_studio.core import WorkflowStep
from fancy_studio.gui.run.worker import RunBatch, _Batcher


class Collect:
    def __init__(self) -> None:
        self.batches: list[RunBatch] = []

    def emit(self, batch: RunBatch) -> None:
        self.batches.append(batch)


def steps(n: int) -> list[WorkflowStep]:
    return [WorkflowStep(function_slug="math.increment") for _ in range(n)]


def batcher() -> tuple[Collect, _Batcher]:
    signal = Collect()
    return signal, _Batcher(signal)


def test_a_batch_takes_the_new_log_entries_and_names_the_step_still_running():
    a, b, c = steps(3)
    signal, batch = batcher()
    callbacks = batch.callbacks()
    log = callbacks.timings_log
    callbacks.on_step_started(a)
    log.append(0.1)
    callbacks.on_step_started(b)
    batch.flush()
    log.append(0.2)
    callbacks.on_step_started(c)
    callbacks.on_step_failed(c, "boom")  # the engine reports a failure before the step's entry
    log.append(0.3)
    batch.flush()
    batch.flush()  # nothing new: no batch
    assert signal.batches == [RunBatch(0, [0.1], [], b.id),
                              RunBatch(1, [0.2, 0.3], [("failed", c.id, "boom")], None)]


def test_a_skipped_step_has_an_empty_entry_and_does_not_leave_the_last_one_running():
    a, b, c = steps(3)
    signal, batch = batcher()
    callbacks = batch.callbacks()
    log = callbacks.timings_log
    callbacks.on_step_started(a)
    callbacks.on_step_failed(a, "boom")
    log.append(0.1)
    callbacks.on_step_skipped(b)  # never started
    log.append(None)
    callbacks.on_step_started(c)
    log.append(0.2)
    batch.flush()
    assert signal.batches == [RunBatch(0, [0.1, None, 0.2], [("failed", a.id, "boom"), ("skipped", b.id, None)],
                                       None)]


def test_a_step_that_started_before_the_last_batch_and_ended_after_it_is_not_running():
    (a,) = steps(1)
    signal, batch = batcher()
    callbacks = batch.callbacks()
    callbacks.on_step_started(a)
    batch.flush()
    callbacks.timings_log.append(0.5)
    batch.flush()
    assert signal.batches == [RunBatch(0, [], [], a.id), RunBatch(0, [0.5], [], None)]


def test_the_flusher_thread_delivers_while_the_run_goes_and_leaves_the_end_to_the_result(monkeypatch):
    (a,) = steps(1)
    signal, batch = batcher()
    flushed_on = []
    flush = _Batcher.flush
    monkeypatch.setattr(_Batcher, "flush", lambda self: (flushed_on.append(threading.current_thread()), flush(self)))
    with batch:
        batch.callbacks().on_step_started(a)
        deadline = time.monotonic() + 5
        while not signal.batches and time.monotonic() < deadline:
            time.sleep(0.005)
        assert signal.batches == [RunBatch(0, [], [], a.id)]  # shown as running before it ends
        batch.log.append(1.0)
    # its end comes with the run's result: leaving the run sends nothing more
    assert flushed_on and threading.current_thread() not in flushed_on


def test_when_the_engine_crashes_what_it_reported_is_still_sent():
    a, b = steps(2)
    signal, batch = batcher()
    try:
        with batch:
            batch.callbacks().on_step_started(a)
            batch.log.append(1.0)
            batch.callbacks().on_step_started(b)
            raise RuntimeError("engine bug")
    except RuntimeError:
        pass
    assert RunBatch(0, [1.0], [], b.id) in signal.batches
