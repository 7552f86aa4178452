"""`DaskExecutor`: the engine's steps as Dask tasks (`Engine(store, executor=DaskExecutor(client))`).

A run goes in two passes on the client (see `docs/spec/010-dask.md`):

1. **Submit**, in plan order, every step at once, so Dask pipelines the graph and spreads independent
   branches over the workers. A step that cannot run (a missing function, a blocked input) is skipped as in
   any run. A step whose inputs are all known here (input cells, results of reused or bypassed steps) is
   first offered to the reuser: a reused step is never sent. Any other step is submitted with its known
   inputs as values and the rest as the producing steps' futures (values go from worker to worker); such a
   step is not offered to the reuser, since its inputs are not known yet. A bypassed step whose passed value
   comes from a submitted step is decided when that step's result arrives; its readers read the producer's
   future directly.
2. **Collect**: each finished step's result is written to the store as it arrives (`as_completed`), with
   the same statuses, callbacks, timings and lineage as in-process, so a live view fills as steps finish.
   Between results the cancel token is read every 50 ms: Stop cancels every pending task.

`distributed` is imported only when a run starts.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING, Any

from fancy_studio.core.dask.cluster import (
    ClusterError, describe_missing, missing_among, require_distributed, travels_by_value,
)
from fancy_studio.core.dask.tasks import NOT_WRITTEN, ByValue, StepOutcome, run_step_task
from fancy_studio.core.paths import workflow_folder
from fancy_studio.core.run_types import StepError, StepStatus
from fancy_studio.core.validation import CALL_PARAMS, CompiledStep

if TYPE_CHECKING:
    from distributed import Client, Future

    from fancy_studio.core.step_run import StepRun
    from fancy_studio.core.validation import ExecutionPlan

Recipe = "tuple[str, dict[str, str]] | None"
"""A step's recipe key and input hashes (`ResultReuse.recipe`); None: not known when it was submitted (its
inputs were futures); `NO_RECIPE`: known to have none (not cacheable, an input without a hash)."""
NO_RECIPE: Any = ()

SCATTER_BYTES = 1_000_000
"""An input value known on the client larger than this (by `dask.sizeof`) is scattered to the workers once
per run, rather than sent inside each task that reads it (through the scheduler)."""
SCATTERED = "value"
"""The port a scattered input's value is read from (see `_ClusterRun._scatter_large`)."""
POLL = 0.05
"""Seconds between looks at the cancel token while no result arrives."""
STARTED_TOPIC = "fancy-studio-step-started"


class DaskExecutor:
    """Runs a run's steps on the cluster behind `client` (see the module docstring).

    `retries`: Dask's own retries of a task whose future errors (a worker that died is retried by the
    scheduler anyway, `distributed.scheduler.allowed-failures` times); a step's exception is never retried:
    it is the step's failure. `restart_on_stop`: Stop also restarts the workers running this run's tasks,
    so a step that never returns really stops (only for a cluster you own: it kills whatever else those
    workers run). `check_functions`: before submitting anything, ask the workers whether they can import
    every function sent by reference, and raise a `ClusterError` naming the missing ones."""

    def __init__(self, client: Client, *, retries: int = 0, restart_on_stop: bool = False,
                 check_functions: bool = True) -> None:
        self.client = client
        self.retries = retries
        self.restart_on_stop = restart_on_stop
        self.check_functions = check_functions
        self.submitted: list[str] = []
        """The keys of the tasks the last run submitted (tests count them)."""

    def check(self, checked: ExecutionPlan) -> None:
        """Raise a `ClusterError` when the cluster has no worker (nothing would ever run: a scheduler
        started without workers), or naming each function of the plan that the workers cannot call. (A
        cluster that starts workers only when it has work: `check_functions=False`.)"""
        functions = {compiled[1].slug: compiled[3] for compiled in checked.compiled
                     if compiled[3] is not None}
        if not functions:
            return
        try:
            workers = self.client.scheduler_info().get("workers", {})
        except Exception as exc:  # noqa: BLE001 - a scheduler that went away
            raise ClusterError(f"cannot ask the Dask scheduler for its workers: {type(exc).__name__}: "
                               f"{exc}"[:500]) from None
        if not workers:
            raise ClusterError(f"the Dask cluster at {self.client.scheduler.address} has no workers: start "
                               "some (dask worker ADDRESS), then run again")
        missing = missing_among(self.client, functions)
        if missing:
            raise ClusterError(describe_missing(missing))

    def execute(self, run: StepRun) -> None:
        """Run the plan's steps on the cluster, writing each result to the store as it finishes."""
        distributed = require_distributed()
        if self.check_functions:
            self.check(run.plan)
        cluster_run = _ClusterRun(self, run, distributed)
        try:
            cluster_run.submit_all()
            cluster_run.collect()
        except KeyboardInterrupt:
            if not run.interrupted(KeyboardInterrupt()):
                raise  # (not a Stop: the CLI's Ctrl+C sets the cancel token first, then raises)
            cluster_run.stop()
        finally:
            cluster_run.close()
            self.submitted = cluster_run.keys
        run.cancel_rest()
        log = run.callbacks.timings_log
        if log is not None:
            timings = run.timings
            log.extend(timings.get(step_id) for step_id in run.step_ids)


_SMALL = frozenset({int, float, bool, complex})
"""Types whose values are never large: not measured."""
_UNSAFE = re.compile(r"[^\w.\-]+")


class _ClusterRun:
    """One run's futures: submitted in plan order, collected as they finish."""

    def __init__(self, executor: DaskExecutor, run: StepRun, distributed: Any) -> None:
        self.executor = executor
        self.client = executor.client
        self.run = run
        self.distributed = distributed
        self.token = uuid.uuid4().hex[:8]
        self.folder = workflow_folder()
        self.pending: dict[str, tuple[CompiledStep, Recipe, Future]] = {}
        """key → (the step, its recipe when it was known at submission, its future), until collected."""
        self.producers: dict[int, tuple[Future, str | None]] = {}
        """Cell (`uuid.int`) → (the future of the task that writes it, its port; `NOT_WRITTEN`: never)."""
        self.upstream_keys: dict[str, tuple[str, ...]] = {}
        """key → the keys of the tasks its step reads from (a result is handled after theirs)."""
        self.deferred: dict[str, list[CompiledStep]] = {}
        """key → bypassed steps whose passed value that task writes: decided when its result arrives."""
        self.postponed: dict[str, list[tuple[Future, Any]]] = {}
        """key → results that arrived before that upstream task's own result was handled."""
        self.keys: list[str] = []
        self.scattered: dict[int, Future] = {}
        """Cell (`uuid.int`) → the future of its large value, scattered to the workers (`SCATTER_BYTES`)."""
        from dask.sizeof import sizeof

        self.sizeof = sizeof
        self.sent_functions: dict[int, Any] = {}
        """id(Python function) → what is sent for it: itself (by reference) or a `ByValue` of it."""
        self.started: set[str] = set()
        self.order = {compiled[2]: index for index, compiled in enumerate(run.plan.compiled)}
        self.completed: Any = None
        self.topic: str | None = None
        """The Dask event topic this run's tasks report their start on (when someone needs to know)."""
        self.started_events: list[tuple[str, str]] = []
        """(key, worker address) of tasks that started, queued by the client's event loop thread."""
        self.timeouts: dict[Any, float] = {}
        """Step id → its `timeout` (seconds), for the steps that have one."""
        self.running: dict[str, tuple[float, float, str]] = {}
        """key → (when it started, by `time.monotonic`, its timeout, its worker): the steps with a timeout
        that are running."""

    # --- submitting -------------------------------------------------------------------------------

    def submit_all(self) -> None:
        run = self.run
        run.status = dict.fromkeys(run.step_ids, StepStatus.PENDING)
        self.timeouts = {compiled[0].id: compiled[0].timeout for compiled in run.plan.compiled
                         if compiled[0].timeout is not None}
        if run.callbacks.on_step_started is not None or self.timeouts:
            self.topic = f"{STARTED_TOPIC}-{self.token}"
            self.client.subscribe_topic(self.topic, self._on_started_event)
        self.completed = self.distributed.as_completed(with_results=True, raise_errors=False)
        reuser = run.reuser
        producers = self.producers
        cancel = run.cancel
        for compiled in run.plan.compiled:
            if cancel is not None and cancel.cancelled:
                break
            step = compiled[0]
            if compiled[3] is None and compiled[1] is not None:  # bypassed
                self._bypass(compiled)
                continue
            if run.blocked and run.reads_blocked(compiled):
                run.not_called(compiled)
                continue
            if not any(cell.int in producers for cell in step.inputs.values()):
                recipe: Recipe = None
                if reuser is not None:
                    recipe = reuser.recipe(compiled) or NO_RECIPE
                    if recipe and reuser.reuse and reuser.reused(compiled, recipe[0]):
                        continue
                self._submit(compiled, recipe)
            else:
                self._submit(compiled, None)
        producers.clear()  # the futures live on in `pending` only: collected ones are released

    def _bypass(self, compiled: CompiledStep) -> None:
        """A bypassed step: decided now when the value it passes on is known, else when the task that
        writes it finishes (its readers read that task's future meanwhile)."""
        step = compiled[0]
        pair = self.run.plan.bypassed.get(step.id)
        source_cell = step.inputs.get(pair[0]) if pair is not None else None
        upstream = self.producers.get(source_cell.int) if source_cell is not None else None
        if upstream is None:
            self.run.not_called(compiled)
            return
        future, port = upstream
        self.deferred.setdefault(future.key, []).append(compiled)
        target = pair[1] if pair is not None else None
        for name, cell_id in step.outputs.items():
            self.producers[cell_id.int] = (future, port if name == target else NOT_WRITTEN)

    def _submit(self, compiled: CompiledStep, recipe: Recipe) -> None:
        run = self.run
        step, function, step_id = compiled[0], compiled[1], compiled[2]
        producers = self.producers
        value_of = run.value_of
        get = run.store.get
        arguments: dict[str, Any] = {}
        upstream: dict[str, tuple[Future, str | None]] = {}
        for name, cell_id in step.inputs.items():
            produced = producers.get(cell_id.int)
            if produced is not None:
                upstream[name] = produced
                continue
            scattered = self.scattered.get(cell_id.int)
            if scattered is not None:
                upstream[name] = (scattered, SCATTERED)
                continue
            try:
                value = value_of(cell_id) if value_of is not None else get(cell_id).value
            except BaseException as exc:  # an input the store cannot give: the step fails, as in-process
                if not run.interrupted(exc):
                    run.fail(step, function, exc, 0.0)
                    return
                raise
            scattered = self._scatter_large(cell_id.int, value)
            if scattered is not None:
                upstream[name] = (scattered, SCATTERED)
            else:
                arguments[name] = value
        params = compiled[5][1] if compiled[4] == CALL_PARAMS else None
        output_names = tuple(port.name for port in function.outputs) if function.returns_named_tuple else None
        key = self._key(step, function.slug, step_id)
        func = compiled[3]
        sent = self.sent_functions.get(id(func))
        if sent is None:
            sent = self.sent_functions[id(func)] = ByValue(func) if travels_by_value(func) else func
        future = self.client.submit(
            run_step_task, sent, output_names, arguments, upstream, params,
            None if self.folder is None else str(self.folder), self.topic, key,
            key=key, pure=False, retries=self.executor.retries)
        self.keys.append(key)
        self.pending[key] = (compiled, recipe, future)
        if upstream:
            pending = self.pending
            self.upstream_keys[key] = tuple({producer.key for producer, _ in upstream.values()
                                             if producer.key in pending})
        self.completed.add(future)
        for name, cell_id in step.outputs.items():
            producers[cell_id.int] = (future, name)

    def _scatter_large(self, cell: int, value: Any) -> Future | None:
        """The future of `value` on the workers when it is large (see `SCATTER_BYTES`), else None. It is
        scattered as a `StepOutcome` holding it, which pickles as one object (`scatter` sends a list's
        items one by one: 6 s for a list of 200,000 numbers), and which the task reads like a producer's."""
        if value is None or type(value) in _SMALL:
            return None
        try:
            size = self.sizeof(value)
        except Exception:  # noqa: BLE001 - an odd object: sent as it is
            return None
        if size <= SCATTER_BYTES:
            return None
        future = self.scattered[cell] = self.client.scatter([StepOutcome({SCATTERED: value})], hash=False)[0]
        return future  # type: ignore[no-any-return]

    def _key(self, step: Any, slug: str, step_id: Any) -> str:
        """A readable key, unique in the run by the step's place in the plan (steps of group instances
        have ids that differ only in their last digits: see `groups.flat_id`)."""
        label = _UNSAFE.sub("_", step.label or slug)[:40] or "step"
        return f"{label}-{self.order[step_id]}-{self.token}"

    # --- collecting ------------------------------------------------------------------------------

    def collect(self) -> None:
        completed = self.completed
        run = self.run
        cancel = run.cancel
        condition = completed.thread_condition
        while self.pending:
            if cancel is not None and cancel.cancelled:
                self.stop()
                return
            if not completed.has_ready():
                with condition:
                    if not completed.has_ready():
                        condition.wait(POLL)
            if self.started_events:
                self._report_started()
            if self.running:
                self._enforce_timeouts()
            if not completed.has_ready():
                continue
            batch = completed.next_batch(block=False)
            if len(batch) > 1:
                order = self.order
                pending = self.pending
                batch.sort(key=lambda item: order[pending[item[0].key][0][2]]
                           if item[0].key in pending else -1)
            for future, result in batch:
                self._handle(future, result)

    def _handle(self, future: Future, result: Any) -> None:
        key = future.key
        entry = self.pending.get(key)
        if entry is None:
            return
        waiting_for = next((up for up in self.upstream_keys.get(key, ()) if up in self.pending), None)
        if waiting_for is not None:  # (an error cascading down the graph can arrive before its cause)
            self.postponed.setdefault(waiting_for, []).append((future, result))
            return
        del self.pending[key]
        compiled, recipe, _ = entry
        status = future.status
        if status == "finished" and isinstance(result, StepOutcome):
            self._outcome(compiled, recipe, result, key)
        elif status == "error":
            self._errored(compiled, result)
        elif not (self.run.cancel is not None and self.run.cancel.cancelled):
            self._errored(compiled, RuntimeError(f"the Dask cluster cancelled its task ({result!r:.200}): "
                                                 "was the scheduler or the client closed?"))
        # else: cancelled by Stop: the step stays pending, then cancelled
        for bypassed in self.deferred.pop(key, ()):
            self.run.not_called(bypassed)
        for later in self.postponed.pop(key, ()):
            self._handle(*later)

    def _outcome(self, compiled: CompiledStep, recipe: Recipe,
                 outcome: StepOutcome, key: str) -> None:
        run = self.run
        step = compiled[0]
        callbacks = run.callbacks
        if outcome.skipped or (run.blocked and run.reads_blocked(compiled)):
            run.skip(step)
            return
        if callbacks.on_step_started is not None and key not in self.started:
            self.started.add(key)
            callbacks.on_step_started(step)
        if outcome.worker and callbacks.on_step_placed is not None:
            callbacks.on_step_placed(step, outcome.worker)
        if outcome.outputs is None:
            error = StepError(step.id, compiled[1].slug, outcome.error_type, outcome.error_message,
                              outcome.traceback, outcome.error)
            run.record_failure(step, error, outcome.duration)
            return
        self._write(compiled, recipe, outcome)

    def _write(self, compiled: CompiledStep, recipe: Recipe,
               outcome: StepOutcome) -> None:
        """What `StepRun.execute` does once the function returned: the outputs to their cells, the step
        done, reported, and remembered for reuse."""
        run = self.run
        outputs = outcome.outputs
        assert outputs is not None
        began_at = time.time() - outcome.duration
        if not run.record_outputs(compiled, outputs, outcome.duration):
            return
        reuser = run.reuser
        if reuser is None:
            return
        if recipe is None and compiled[1].fingerprint is None:
            # sent with futures: its inputs are in the store now (a fingerprint asked this late could
            # vouch for an outside that changed since the step ran: such a step is not remembered)
            recipe = reuser.recipe(compiled)
        if recipe:
            reuser.remember(compiled, recipe, outputs, began_at)

    def _errored(self, compiled: CompiledStep, result: Any) -> None:
        """A future that errored: the task never returned its outcome (its worker died, or the worker
        could not even unpickle the function). That step fails; its readers are then skipped."""
        run = self.run
        step, function = compiled[0], compiled[1]
        if run.blocked and run.reads_blocked(compiled):
            run.skip(step)
            return
        exc = result[1] if isinstance(result, tuple) and len(result) == 3 else result
        if not isinstance(exc, BaseException):
            exc = RuntimeError(f"the Dask task failed: {exc!r:.300}")
        if type(exc).__name__ == "KilledWorker":
            tries = self._allowed_failures() + 1
            message = f"the worker running it died (KilledWorker after {tries} tries): {exc}"
            error = StepError(step.id, function.slug, "KilledWorker", message, message, exc)
            run.record_failure(step, error, 0.0, record_timing=False)
            return
        run.fail(step, function, exc, 0.0, record_timing=False)

    def _allowed_failures(self) -> int:
        """How many worker deaths the scheduler allows a task (`distributed.scheduler.allowed-failures`)."""
        try:
            return int(self.client.run_on_scheduler(_scheduler_allowed_failures))
        except Exception:  # noqa: BLE001 - a scheduler that cannot say: this process's setting
            import dask

            return int(dask.config.get("distributed.scheduler.allowed-failures", 3))

    # --- started events, stop, end ----------------------------------------------------------------

    def _on_started_event(self, event: tuple[float, Any]) -> None:
        """Called on the client's event loop thread: only queued here, reported by the run's thread."""
        message = event[1]
        if isinstance(message, (list, tuple)) and len(message) == 2:
            self.started_events.append((str(message[0]), str(message[1])))

    def _report_started(self) -> None:
        events = self.started_events
        callback = self.run.callbacks.on_step_started
        timeouts = self.timeouts
        while events:
            key, worker = events.pop(0)
            entry = self.pending.get(key)
            if entry is None or key in self.started:
                continue
            step = entry[0][0]
            limit = timeouts.get(step.id)
            if limit is not None:
                self.running[key] = (time.monotonic(), limit, worker)
            if callback is not None:
                self.started.add(key)
                callback(step)

    def _enforce_timeouts(self) -> None:
        """Fail each step that has run longer than its `timeout` ("timed out after N s", as the kernel
        says): its task is cancelled (its readers with it: they are skipped) and, with `restart_on_stop`,
        its worker restarted, since a running thread cannot be stopped otherwise."""
        now = time.monotonic()
        for key, (since, limit, worker) in list(self.running.items()):
            if key not in self.pending:
                del self.running[key]
                continue
            if now - since < limit:
                continue
            del self.running[key]
            compiled, _, future = self.pending.pop(key)
            step = compiled[0]
            message = f"timed out after {limit:g} s"
            if self.run.callbacks.on_step_placed is not None:
                self.run.callbacks.on_step_placed(step, worker)
            self.run.record_failure(step, StepError(step.id, compiled[1].slug, "Timeout", message, message),
                                    now - since)
            try:
                self.client.cancel([future], force=True)
                if self.executor.restart_on_stop:
                    self.client.restart_workers([worker], timeout=30, raise_for_error=False)
            except Exception:  # noqa: BLE001 - the step has failed either way
                pass
            for bypassed in self.deferred.pop(key, ()):
                self.run.not_called(bypassed)
            for later in self.postponed.pop(key, ()):
                self._handle(*later)

    def stop(self) -> None:
        """Stop: the results that are already back are kept, every pending task is cancelled (and, with
        `restart_on_stop`, the workers running ours restarted); the steps left are cancelled."""
        completed = self.completed
        if completed.has_ready():
            for future, result in completed.next_batch(block=False):
                self._handle(future, result)
        futures = [entry[2] for entry in self.pending.values()]
        if not futures:
            return
        running_on: list[str] = []
        if self.executor.restart_on_stop:
            try:
                ours = set(self.pending)
                running_on = [worker for worker, keys in self.client.processing().items()
                              if ours.intersection(keys)]
            except Exception:  # noqa: BLE001 - a scheduler that cannot say: cancel only
                running_on = []
        try:
            self.client.cancel(futures, force=True)
        except Exception:  # noqa: BLE001 - a cluster that went away has nothing left to cancel
            pass
        if running_on:
            try:
                self.client.restart_workers(running_on, timeout=30, raise_for_error=False)
            except Exception:  # noqa: BLE001 - the run is stopped either way
                pass

    def close(self) -> None:
        if self.topic is not None:
            try:
                self.client.unsubscribe_topic(self.topic)
            except Exception:  # noqa: BLE001 - a closed client
                pass
        if self.completed is not None:
            self.completed.clear()
        self.pending.clear()
        self.producers.clear()
        self.scattered.clear()


def _scheduler_allowed_failures(dask_scheduler: Any) -> int:
    return int(dask_scheduler.allowed_failures)
