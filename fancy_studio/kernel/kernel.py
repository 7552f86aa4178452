"""`Kernel`: a separate Python process that runs the engine for the studio, run after run.

No step function ever runs in the studio's process: a step that holds the GIL, never returns or crashes
in C code costs the studio nothing. `run` is the engine's `run` across a process boundary: it blocks, and
replays the kernel's batched events into the caller's callbacks on the calling thread (`replay`). Stop
asks the kernel to start no further step, and kills it when the running step has not returned within
`grace` seconds. A kernel that dies (or is killed for a step's timeout) fails the step it was running,
skips what depends on it, and a fresh kernel resumes the independent branches (their finished results
come back from the store). See docs/spec/008-kernel.md.
"""

from __future__ import annotations

import atexit
import enum
import itertools
import queue
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from fancy_studio.core.engine import CancelToken, Engine, RunCallbacks, RunResult
from fancy_studio.core.functions import FunctionRegistry
from fancy_studio.core.functions import registry as default_registry
from fancy_studio.core.store import InMemoryStore
from fancy_studio.core.validation import ExecutionPlan
from fancy_studio.core.workflow import Workflow
from fancy_studio.kernel.process import KernelProcess
from fancy_studio.kernel.replay import Replay
from fancy_studio.kernel.shipping import (
    ShippedWorkflow,
    ShippingError,
    chunk_message,
    pack_functions,
    pack_initial,
    pack_run,
    plan_order,
    ship_workflow,
)

POLL = 0.01
"""Seconds between two looks at Stop, the running step and its timeout while a run goes."""
START_TIMEOUT = 60.0
"""Seconds a kernel may take to say it is ready before `run` gives up on it."""
PAGE_TIMEOUT = 120.0
"""Seconds `table_page` waits for the kernel's answer (the first page reads the whole value)."""
PAGE_LOCK_WAIT = 0.1
"""Seconds `table_page` waits for another caller's page (a window never stalls behind another viewer)."""


class KernelState(str, enum.Enum):
    STARTING = "starting"
    IDLE = "idle"
    RUNNING = "running"
    RESTARTING = "restarting"
    DIED = "died"
    STOPPED = "stopped"


class KernelError(Exception):
    """The kernel cannot start, or cannot take a run (a function it cannot load, a value it cannot get)."""


class KernelBusy(KernelError):
    """The kernel is running a workflow or starting: it answers a table page between runs (ask again)."""


@dataclass
class Shipped:
    """What the last `run` sent the kernel (all its kernel runs: a resumed run sends its request again)."""

    chunks: int = 0
    """Workflow chunks sent: 0 when the kernel had the workflow already (the same one, unchanged)."""
    bytes: int = 0
    """Bytes of every message sent (chunks and run requests)."""
    messages: int = 0


@dataclass
class _End:
    """How one kernel run ended: "done", "died", "stopped" (killed after Stop) or "timeout"."""

    kind: str
    position: int | None = None
    seconds: float | None = None
    detail: str = ""
    cancelled: bool = False


_live: weakref.WeakSet[Kernel] = weakref.WeakSet()


@atexit.register
def _shutdown_all() -> None:
    """The interpreter is exiting: no kernel outlives it."""
    for kernel in list(_live):
        kernel.shutdown(timeout=0.5)


class Kernel:
    """One kernel process: a separate Python that runs the engine, run after run."""

    def __init__(self, *, grace: float = 2.0,
                 on_state: Callable[[KernelState, str | None], None] | None = None,
                 warm: tuple[str, ...] = ()) -> None:
        self.grace = grace
        self.warm = warm
        """Libraries each kernel process imports in the background once ready (the studio's: pandas and
        pyarrow, so a table's first page does not wait for them)."""
        self._on_state = on_state
        self._lock = threading.RLock()
        self._process: KernelProcess | None = None
        self._state = KernelState.STOPPED
        self._detail: str | None = None
        self._running = False
        self._run_ids = itertools.count(1)
        self._page_ids = itertools.count(1)
        self._page_lock = threading.Lock()
        """Held while a table page is asked and answered: a run waits for it (pages never interleave)."""
        self.last_shipped = Shipped()
        """What the last `run` sent (tests and benchmarks look)."""
        self.cluster_info: dict[str, Any] | None = None
        """The kernel's Dask cluster as its last run with an executor told it: "dashboard" (an address or
        None), "workers" (a count), "where" (in words); None when no run used one."""
        _live.add(self)

    # --- the process -------------------------------------------------------------------------------

    @property
    def state(self) -> KernelState:
        return self._state

    @property
    def detail(self) -> str | None:
        return self._detail

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None else process.pid

    @property
    def ready_after(self) -> float | None:
        """Seconds the current process took from start to ready (None until it is ready)."""
        process = self._process
        return None if process is None else process.ready_after

    def start(self) -> None:
        """Start the process in the background (nothing happens if one is starting or up)."""
        with self._lock:
            process = self._process
            if process is None or process.ended.is_set():
                self._launch(KernelState.STARTING if process is None else KernelState.RESTARTING, self._detail)

    def wait_ready(self, timeout: float | None = None) -> bool:
        process = self._process
        return process is not None and process.wait_ready(timeout)

    def restart(self) -> None:
        """Kill the process and start a fresh one (which imports every function anew)."""
        with self._lock:
            old = self._process
            self._launch(KernelState.RESTARTING, "restart requested")
        if old is not None:
            self._discard(old)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop the process cleanly, killing it after `timeout`; it has ended when this returns."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            process.stop(timeout)
        self._set_state(KernelState.STOPPED, None)

    def _launch(self, state: KernelState, detail: str | None) -> KernelProcess:
        process = KernelProcess(self._became_ready, self._ended, self.warm)
        self._process = process
        self._set_state(state, detail)
        process.start()
        return process

    def _discard(self, process: KernelProcess) -> None:
        """Kill a process that is no longer the kernel, and reap it in the background."""
        process.kill()
        threading.Thread(target=process.close, name="kernel-reaper", daemon=True).start()

    def _became_ready(self, process: KernelProcess) -> None:
        with self._lock:
            if process is self._process and not self._running:
                self._set_state(KernelState.IDLE, None)

    def _ended(self, process: KernelProcess) -> None:
        with self._lock:
            if process is self._process and not process.expected_end:
                self._set_state(KernelState.DIED, process.detail)

    def _set_state(self, state: KernelState, detail: str | None) -> None:
        with self._lock:
            if (state, detail) == (self._state, self._detail):
                return
            self._state, self._detail = state, detail
        if self._on_state is not None:
            self._on_state(state, detail)

    def _ready_process(self, cancel: CancelToken | None) -> KernelProcess | None:
        """The current process once ready (started if need be); None when Stop came first."""
        self.start()
        process = self._process
        assert process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while not process.wait_ready(0.05):
            if process.ended.is_set():
                raise KernelError(f"the kernel could not start: {process.detail}")
            if cancel is not None and cancel.cancelled:
                return None
            if time.monotonic() > deadline:
                raise KernelError(f"the kernel did not start within {START_TIMEOUT:g} s")
        return process

    # --- running -----------------------------------------------------------------------------------

    def run(self, workflow: Workflow, *, store_path: Path | str | None, initial_cells: Sequence[Any] | None = None,
            targets: list[UUID] | None = None, reuse: bool = True, callbacks: RunCallbacks | None = None,
            cancel: CancelToken | None = None, registry: FunctionRegistry = default_registry,
            checked: ExecutionPlan | None = None, folder: Path | str | None = None,
            executor: dict[str, Any] | None = None) -> RunResult:
        """Run `workflow` in the kernel as `Engine(store).run` would (see the module docstring); `folder` as
        in `Engine.run`: where the workflow's relative paths point.

        `executor` describes where the kernel runs the steps (see `executors`: a local Dask cluster or a
        scheduler, which the kernel keeps between runs; None: in the kernel itself). A cluster that cannot be
        started or reached is a `KernelError` with the one-line reason; `cluster_info` then says what the
        kernel's cluster is (its dashboard's address, its workers).

        `checked` is the caller's own `Engine.check` of this workflow with these input cells, targets and
        registry, made just before (not made again); without it, `run` checks the workflow itself.

        Raises `WorkflowValidationError` for a workflow that cannot run (before anything is sent) and
        `KernelError` when the kernel cannot start or take the run; a step's failure, death or timeout is
        reported in the result."""
        began = time.perf_counter()
        initial = None if initial_cells is None else list(initial_cells)
        provided = workflow.literal_cells() if initial is None else initial
        engine = Engine(InMemoryStore(), registry=registry)
        if checked is None:
            checked = engine.check(workflow, provided, targets=targets)
        if checked.flattened is not None:  # a workflow with groups runs flattened: that is what is sent
            workflow = checked.workflow
            if initial is not None:
                initial = [*initial, *checked.flattened.inner_literals]
            provided = workflow.literal_cells() if initial is None else initial
        try:
            functions = pack_functions(checked)
            given = pack_initial(workflow, initial)
        except ShippingError as exc:
            raise KernelError(str(exc)) from exc
        shipped = ship_workflow(workflow)  # in chunks: never a long C call on the caller's thread
        order = plan_order(workflow, checked)
        replay = Replay(checked, callbacks)
        store = None if store_path is None else str(store_path)
        attempt_reuse, mapping = reuse, list(range(len(replay.ids)))
        cancelled = False
        self.last_shipped = Shipped()
        with self._page_lock, self._lock:
            self._running = True
        try:
            while True:
                run_id = next(self._run_ids)
                payload = pack_run(run_id, shipped, given, order=order, reuse=attempt_reuse, store=store,
                                   functions=functions, folder=None if folder is None else str(folder),
                                   executor=executor)
                process = self._ready_process(cancel)
                if process is None:
                    end = _End("done", cancelled=True)
                else:
                    end = self._run_once(process, run_id, shipped, payload, mapping, replay, cancel)
                if end.kind == "done":
                    cancelled = end.cancelled
                    break
                if end.kind == "stopped":
                    if end.position is not None:
                        replay.failed(end.position, "Stopped", "stopped (killed)", end.seconds)
                    cancelled = True
                    break
                if end.position is None:
                    raise KernelError(f"the kernel died before it ran a step: {end.detail}")
                if end.kind == "timeout":
                    replay.failed(end.position, "Timeout", end.detail, end.seconds)
                else:
                    replay.failed(end.position, "KernelDied", f"the kernel died: {end.detail}", end.seconds)
                remaining = replay.unknown()
                if not remaining or (cancel is not None and cancel.cancelled):
                    cancelled = bool(remaining)
                    break
                attempt_reuse = True
                resumed = engine.check(workflow, provided, targets=remaining)
                order = plan_order(workflow, resumed)  # the targets and the steps they need
                mapping = [replay.position[step_id] for step_id in resumed.step_ids or []]
        finally:
            with self._lock:
                self._running = False
                process = self._process
                if process is not None and process.ready.is_set() and not process.ended.is_set():
                    self._set_state(KernelState.IDLE, None)
        replay.cancel_rest()
        return replay.result(time.perf_counter() - began, cancelled)

    def table_page(self, store_path: Path | str, cell_id: UUID, start: int, count: int,
                   query: Any) -> dict[str, Any]:
        """Rows `start` to `start + count` of the table the store at `store_path` holds in cell `cell_id`, as
        `query` (a `TableQuery`) sorts and filters it, read by the kernel (see `pages`): a JSON dict.

        Raises `KernelBusy` at once while a run goes or the kernel is starting (a page never waits for a
        run) or soon while another caller's page is being answered; `KernelError` when the kernel cannot
        read the table or dies meanwhile."""
        from fancy_studio.kernel.pages import page_message, read_page

        if not self._page_lock.acquire(timeout=PAGE_LOCK_WAIT):  # another viewer's question is out
            raise KernelBusy("the kernel is reading another table")
        try:
            with self._lock:
                if self._running:
                    raise KernelBusy("the kernel is running the workflow: it reads tables between runs")
                self.start()  # a kernel that died is started again: it reads the value from the file
                process = self._process
            assert process is not None
            if not process.wait_ready(0.2):
                if process.ended.is_set():
                    raise KernelError(f"the kernel could not start: {process.detail}")
                raise KernelBusy("the kernel is starting")
            request_id = next(self._page_ids)
            message = page_message(request_id, str(store_path), cell_id, start, count, query)
            return read_page(process, request_id, message, PAGE_TIMEOUT)
        finally:
            self._page_lock.release()

    def _send_run(self, process: KernelProcess, shipped: ShippedWorkflow, payload: bytes) -> None:
        """The chunks the kernel lacks (none when it has the workflow already), then the run request."""
        mirror = process.mirror
        stats = self.last_shipped
        for name in mirror.missing(shipped):
            message = chunk_message(name, shipped.chunks[name])
            process.send(message)
            stats.chunks += 1
            stats.messages += 1
            stats.bytes += len(message)
        mirror.run_sent(shipped)
        process.send(payload)  # a kernel already gone is seen by `_run_once`, as its "exit"
        stats.messages += 1
        stats.bytes += len(payload)

    def _run_once(self, process: KernelProcess, run_id: int, shipped: ShippedWorkflow, payload: bytes,
                  mapping: list[int], replay: Replay, cancel: CancelToken | None) -> _End:
        """Send one run and follow it to its end: events, Stop, the running step's timeout, death."""
        slot = process.slot
        assert slot is not None
        slot.set(-1)
        self._set_state(KernelState.RUNNING, None)
        self._send_run(process, shipped, payload)
        inbox = process.inbox
        seen, since, stop_at = -1, time.monotonic(), None
        while True:
            try:
                message = inbox.get(timeout=POLL)
            except queue.Empty:
                message = None
            if message is not None:
                kind = message["t"]
                if kind == "events":
                    replay.events(message, mapping)
                elif kind == "cluster":
                    self.cluster_info = {key: message.get(key) for key in ("dashboard", "workers", "where")}
                elif kind == "done":
                    replay.finished_run(message, mapping)
                    return _End("done", cancelled=bool(message["cancelled"]))
                elif kind == "error":
                    process.mirror.forget()  # it may not hold what it was sent: the next run sends it all
                    raise KernelError(message["message"])
                elif kind == "exit":
                    position = self._blamed(slot.get(), mapping, replay)
                    seconds = time.monotonic() - since if position is not None else None
                    with self._lock:
                        if process is self._process:
                            self._launch(KernelState.RESTARTING, f"the kernel died: {message['detail']}")
                    threading.Thread(target=process.close, name="kernel-reaper", daemon=True).start()
                    return _End("died", position, seconds, message["detail"])
                if not inbox.empty():
                    continue
            now = time.monotonic()
            position = slot.get()
            if position != seen:
                seen, since = position, now
                if position >= 0:
                    replay.running(mapping[position])
            if cancel is not None and cancel.cancelled and stop_at is None:
                process.cancel(run_id)
                stop_at = now + self.grace
            if stop_at is not None and now >= stop_at:
                return self._kill(process, "stopped", self._blamed(seen, mapping, replay), now - since,
                                  "stopped (killed)")
            if seen >= 0:
                limit = replay.steps[mapping[seen]].timeout
                if limit is not None and now - since >= limit and not replay.known(mapping[seen]):
                    return self._kill(process, "timeout", mapping[seen], now - since,
                                      f"timed out after {limit:g} s")

    def _kill(self, process: KernelProcess, kind: str, position: int | None, seconds: float, detail: str) -> _End:
        """Kill the kernel for Stop or a timeout; a fresh one starts in the background."""
        with self._lock:
            process.kill()
            if process is self._process:
                self._launch(KernelState.RESTARTING, detail)
        threading.Thread(target=process.close, name="kernel-reaper", daemon=True).start()
        return _End(kind, position, seconds, detail)

    @staticmethod
    def _blamed(slot: int, mapping: list[int], replay: Replay) -> int | None:
        """The step a lost kernel run was in: the one started last, or if that one had ended, the next
        step of the run with no outcome yet; None when no step had started."""
        if slot < 0:
            return None
        for sub in range(slot, len(mapping)):
            if not replay.known(mapping[sub]):
                return mapping[sub]
        return None
