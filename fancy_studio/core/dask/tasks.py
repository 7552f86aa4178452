"""What runs on a Dask worker: one step's call, wrapped so that its failure never errors the Dask future.

A task returns a `StepOutcome`: the step's outputs by port, or its failure (the exception when it pickles,
its type and message in any case, and the traceback as text made on the worker), or "skipped" when an
input it was handed is a failed or skipped producer's outcome (so a failed step's dependents are skipped,
never failed, exactly as in-process). A Dask future errors only when the worker itself fails (it died:
`KilledWorker`), which the executor reports as that step's failure.

This module is imported on the workers: it imports nothing heavy, and never `distributed` at import time.
"""

from __future__ import annotations

import pickle
import time
import traceback
from collections.abc import Callable
from typing import Any

from fancy_studio.core.params import fresh
from fancy_studio.core.paths import relative_to
from fancy_studio.core.run_types import exception_message


class StepOutcome:
    """What a task hands back: `outputs` (port → value) when the step succeeded, else `failed` (with
    `error`, `error_type`, `error_message`, `traceback`) or `skipped`; `duration` (seconds the function
    took) and `worker` (the address of the worker that ran it)."""

    __slots__ = ("outputs", "duration", "worker", "error", "error_type", "error_message", "traceback",
                 "skipped")

    def __init__(self, outputs: dict[str, Any] | None = None, duration: float = 0.0, worker: str = "",
                 *, error: BaseException | None = None, error_type: str = "", error_message: str = "",
                 traceback: str = "", skipped: bool = False) -> None:
        self.outputs = outputs
        self.duration = duration
        self.worker = worker
        self.error = error
        self.error_type = error_type
        self.error_message = error_message
        self.traceback = traceback
        self.skipped = skipped

    @property
    def ok(self) -> bool:
        return self.outputs is not None

    @property
    def failed(self) -> bool:
        return self.outputs is None and not self.skipped

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)

    def __repr__(self) -> str:
        what = "ok" if self.ok else "skipped" if self.skipped else f"failed: {self.error_type}"
        return f"StepOutcome({what}, {self.duration:.3f} s on {self.worker or '?'})"


class ByValue:
    """A function that must travel with its code (a functions file's, a script's: see
    `cluster.travels_by_value`). Dask pickles a task with plain pickle first, which would send a function
    nested in the task's arguments by reference even when its module is registered with cloudpickle to go
    by value (the worker then cannot import it, and dies unpickling the task); this wrapper pickles the
    function with cloudpickle itself (once: the bytes are kept), and unpickles as the bare function."""

    __slots__ = ("func", "payload")

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.payload: bytes | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        if self.payload is None:
            import cloudpickle

            self.payload = cloudpickle.dumps(self.func, protocol=pickle.HIGHEST_PROTOCOL)
        return (_unpickle_function, (self.payload,))


def _unpickle_function(payload: bytes) -> Callable[..., Any]:
    import cloudpickle

    return cloudpickle.loads(payload)  # type: ignore[no-any-return]


NOT_WRITTEN = None
"""The port of an upstream entry whose cell is never written (a bypassed step passes nothing to it): a
step that reads it is skipped."""


def _worker_address(started_topic: str | None, key: str) -> str:
    """This worker's address; with `started_topic`, tell the client the step started (a Dask event)."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except Exception:  # noqa: BLE001 - called outside a worker (a test calling the task directly)
        return ""
    if started_topic is not None:
        try:
            worker.log_event(started_topic, [key, worker.address])
        except Exception:  # noqa: BLE001 - the run goes on without a started report
            pass
    return str(worker.address)


def run_step_task(func: Callable[..., Any], output_names: tuple[str, ...] | None, arguments: dict[str, Any],
                  upstream: dict[str, tuple[StepOutcome, str | None]], params: dict[str, Any] | None,
                  folder: str | None, started_topic: str | None = None, key: str = "") -> StepOutcome:
    """Call `func` on this worker: `arguments` are inputs whose values were known when the step was sent,
    `upstream` the others (name → (the producing step's outcome, which Dask hands over in place of its
    future, and the output port to read)), `params` the step's params (copied for this call: see
    `params.fresh`), `folder` the workflow's folder (see `paths`). `output_names`: the NamedTuple's fields
    of a multi-output function, None for a single return value. `started_topic`: the Dask event topic the
    client listens on for steps starting (`key` is this task's), None when nobody listens."""
    if upstream:
        arguments = dict(arguments)
        for name, (outcome, port) in upstream.items():
            if port is NOT_WRITTEN or outcome.outputs is None or port not in outcome.outputs:
                return StepOutcome(worker=_worker_address(None, key), skipped=True)
            arguments[name] = outcome.outputs[port]
    worker = _worker_address(started_topic, key)
    begun = time.perf_counter()
    try:
        if params is not None:
            arguments = dict(arguments)
            arguments.update(fresh(params))
        with relative_to(folder):
            result = func(**arguments)
        if output_names is None:
            outputs = {"return": result}
        else:
            outputs = dict(zip(output_names, result, strict=True))
    except BaseException as exc:  # whatever a step raises is its failure, never the future's
        return failure(exc, time.perf_counter() - begun, worker)
    return StepOutcome(outputs, time.perf_counter() - begun, worker)


def failure(exc: BaseException, elapsed: float, worker: str) -> StepOutcome:
    """The outcome of a step that raised `exc`: the exception itself only when it survives pickling (the
    client could not unpickle it otherwise), its description and traceback text always."""
    try:
        text = "".join(traceback.format_exception(exc))
    except BaseException:  # noqa: BLE001 - as run_types._traceback_text
        text = ""
    kept: BaseException | None = exc
    try:
        pickle.loads(pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - an exception that does not pickle travels as text
        kept = None
    if kept is not None:
        kept = kept.with_traceback(None)  # the traceback travels as text: frames do not pickle
    name = getattr(type(exc), "__name__", "exception")
    return StepOutcome(duration=elapsed, worker=worker, error=kept, error_type=name if isinstance(name, str)
                       else "exception", error_message=exception_message(exc), traceback=text)
