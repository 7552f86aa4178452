"""The parallel run: independent steps run at once on a thread pool (`Engine.run(max_workers=N)`).

A step is submitted when every step it depends on has ended and a worker is free (so a cancel starts no
step that was only queued); one that cannot run (a failed or missing
input, a function not installed) is skipped, and a bypassed one passes its value on, without a worker;
either releases its successors in turn.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from typing import TYPE_CHECKING, Any
from uuid import UUID

from fancy_studio.core.run_types import StepStatus
from fancy_studio.core.validation import CompiledStep

if TYPE_CHECKING:
    from fancy_studio.core.step_run import StepRun


def execute_parallel(run: StepRun, max_workers: int) -> None:
    run.status = dict.fromkeys(run.step_ids, StepStatus.PENDING)
    graph = run.plan.graph
    by_id = {c.step.id: c for c in run.plan.compiled}
    waiting = {step_id: graph.in_degree(step_id) for step_id in by_id}
    ready = [by_id[step_id] for step_id, count in waiting.items() if count == 0]
    ready.reverse()  # pop() then starts with the first step in dependency order
    running: dict[Future[Any], CompiledStep] = {}
    execute = run.execute if run.reuser is None else run.reuser.execute
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="fancy-step") as pool:
        while ready or running:
            # no more in flight than there are workers: a step queued in the pool would start after
            # Stop, which must start no further step
            cancel = run.cancel
            while ready and len(running) < max_workers and not (cancel is not None and cancel.cancelled):
                compiled = ready.pop()
                if run.reads_blocked(compiled):
                    run.not_called(compiled)
                    ready.extend(_release(run, compiled, waiting, by_id))
                else:
                    # the step's thread sees this thread's context: the workflow's folder (`paths`)
                    running[pool.submit(copy_context().run, execute, compiled)] = compiled
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                compiled = running.pop(future)
                escaped = future.exception()
                if escaped is not None and run.status[compiled.step_id] is StepStatus.PENDING:
                    # raised past the step (a callback): still that step's failure, never a silent
                    # "cancelled" whose readers would then run without their input
                    run.fail(compiled.step, compiled.function, escaped, 0.0, record_timing=False)
                ready.extend(_release(run, compiled, waiting, by_id))
    run.cancel_rest()


def _release(run: StepRun, compiled: CompiledStep, waiting: dict[UUID, int],
             by_id: dict[UUID, CompiledStep]) -> list[CompiledStep]:
    released = []
    for successor in run.plan.graph.successors(compiled.step.id):
        waiting[successor] -= 1
        if waiting[successor] == 0:
            released.append(by_id[successor])
    return released
