"""What a run is given and gives back: step statuses, errors, the result, callbacks and cancelling.

Plain types shared by the engine and its callers (the studio, the CLI); `fancy_studio.core.engine`
re-exports them. A step's exception can be any object, so describing it (`exception_message`) must
never fail: that lives here with `StepError`.
"""

from __future__ import annotations

import enum
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from fancy_studio.core.workflow import WorkflowStep


class StepStatus(str, enum.Enum):
    """What became of a step in a run."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not run because a step it depends on failed, or its function (or one a step it depends on
    needs) is not installed (see `RunResult.skip_reasons`)."""
    CANCELLED = "cancelled"
    """Not run because the run was cancelled first."""
    CACHED = "cached"
    """Not run: the store held its result for the same function version, inputs and fingerprint, and
    that result was written to its output cells."""
    BYPASSED = "bypassed"
    """Not called, on purpose (`WorkflowStep.bypass`): an input's value was passed through to an output
    of its type (`RunResult.skip_reasons` says which)."""


@dataclass(frozen=True)
class StepError:
    """What went wrong in a step: the exception's type and message, and where it was raised."""

    step_id: UUID
    function_slug: str
    type_name: str
    message: str
    traceback: str
    exception: BaseException | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_exception(cls, step_id: UUID, function_slug: str, exc: BaseException) -> StepError:
        """The error for `exc` raised by the step: described so that describing it cannot fail."""
        return cls(step_id, function_slug, _type_name(exc), exception_message(exc), _traceback_text(exc), exc)

    def __str__(self) -> str:
        return f"{self.function_slug} raised {self.type_name}: {self.message}"


@dataclass
class RunResult:
    """The outcome of `Engine.run`: a status, an error and a duration per step."""

    step_status: dict[UUID, StepStatus]
    """Every step of the run, in the plan's order (`ExecutionPlan.step_ids`), whatever order they ran in."""
    errors: dict[UUID, StepError]
    timings: dict[UUID, float]
    """Seconds each step's function took, for steps that ran (not for reused ones)."""
    duration: float = 0.0
    cancelled: bool = False
    skip_reasons: dict[UUID, str] = field(default_factory=dict)
    """Why a step was not called, when no failure says it: for the steps skipped because a function is
    not installed, "function 'x.y' is not installed" for a step that calls it, "depends on step 'T', whose
    function 'x.y' is not installed" for each step after it; for a bypassed step what it passed on
    ("bypassed: input 'x' passes through to output 'return'", or "bypassed: no input of the output's
    type"), and for each step skipped because a bypassed one passed nothing to the cell it reads, "depends
    on step 'T', which is bypassed and passes nothing to its output …". (A step skipped because one
    before it failed has no entry: `errors` holds that failure.)"""

    @property
    def ok(self) -> bool:
        """True when every step ran and succeeded, was reused or was bypassed."""
        return all(status is StepStatus.DONE or status is StepStatus.CACHED or status is StepStatus.BYPASSED
                   for status in self.step_status.values())

    def count(self, status: StepStatus) -> int:
        return list(self.step_status.values()).count(status)


class CancelToken:
    """Thread-safe flag that asks a run to stop before its next step.

    A plain attribute rather than a `threading.Event`: writing and reading one is atomic, and the engine
    reads it before every step, where a method call would cost about as much as a fast step itself.
    """

    __slots__ = ("requested",)

    def __init__(self) -> None:
        self.requested = False

    def cancel(self) -> None:
        self.requested = True

    @property
    def cancelled(self) -> bool:
        return self.requested



StepCallback = Callable[[WorkflowStep], None]
FinishedCallback = Callable[[WorkflowStep, float], None]
FailedCallback = Callable[[WorkflowStep, StepError], None]
ProgressCallback = Callable[[int, int], None]
PlacedCallback = Callable[[WorkflowStep, str], None]


@dataclass
class RunCallbacks:
    """Plain callbacks the engine calls from the thread that runs the step."""

    on_step_started: StepCallback | None = None
    on_step_finished: FinishedCallback | None = None
    """Called with the step and the seconds it took."""
    on_step_failed: FailedCallback | None = None
    on_step_skipped: StepCallback | None = None
    on_step_cached: StepCallback | None = None
    """Called for a step whose stored result was reused; without it, `on_step_finished` is called with
    0 seconds instead, so a caller that knows only finished steps still sees it end."""
    on_step_bypassed: StepCallback | None = None
    """Called for a bypassed step once its value was passed on; without it, `on_step_finished` is called
    with 0 seconds instead."""
    on_step_placed: PlacedCallback | None = None
    """Called with the step and the address of the Dask worker that ran it (`DaskExecutor` runs only),
    before the step's finished or failed callback."""
    on_progress: ProgressCallback | None = None
    """Called with (steps finished, steps in the run) after each step, whatever its outcome."""
    timings_log: list[float | None] | None = None
    """For a caller that watches the run from another thread rather than taking a call per step: the
    engine appends to this list as each step ends, in plan order (`ExecutionPlan.step_ids`): the seconds
    it took, or None when it did not run (a reused or bypassed step did not run either). A failed or skipped step's callback comes before its entry.
    It costs the run nothing: it is the list the engine keeps its timings in. Sequential runs only."""


MESSAGE_LIMIT = 10_000
"""Characters of a step's error message kept (a step can raise with a message of any size)."""


def exception_message(exc: BaseException) -> str:
    """What `exc` says, even when its `__str__` (and `__repr__`) raise or return something odd: a step's
    exception is any object, and reporting it must not fail."""
    for describe in (str, repr):
        try:
            text = describe(exc)
        except BaseException:  # noqa: BLE001 - a broken __str__ may raise anything
            continue
        if isinstance(text, str):
            text = text or _type_name(exc)
            return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "… (cut)"
    return f"{_type_name(exc)} (its message could not be read)"


def _type_name(exc: BaseException) -> str:
    name = getattr(type(exc), "__name__", None)
    return name if isinstance(name, str) else "exception"


def _traceback_text(exc: BaseException) -> str:
    try:
        return "".join(traceback.format_exception(exc))
    except BaseException:  # noqa: BLE001 - as exception_message
        return f"{_type_name(exc)}: {exception_message(exc)}"
