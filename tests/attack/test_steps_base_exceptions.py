"""Issue 10, case 7: a step that calls `sys.exit`, raises `KeyboardInterrupt`, `GeneratorExit` or another
`BaseException` (even one whose `__str__` and `__repr__` fail) is a failed step: its message, its dependents
skipped, the run ending normally, on every engine path. The CLI reports it like any failure; a real
Ctrl+C still stops the run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from uuid import uuid4

import pytest

from fancy_studio.core import (
    CancelToken, Engine, FunctionRegistry, InMemoryStore, RunCallbacks, StepStatus, Workflow, registry,
    save_workflow,
)
from fancy_studio.core.functions import describe
from tests.core.helpers import step


class Unspeakable(BaseException):
    """A BaseException whose message cannot be read: both `__str__` and `__repr__` raise."""

    def __str__(self) -> str:
        raise RuntimeError("no str for you")

    def __repr__(self) -> str:
        raise RuntimeError("no repr either")


class Custom(BaseException):
    pass


def _exit(x: float) -> float:
    sys.exit(3)


def _keyboard(x: float) -> float:
    raise KeyboardInterrupt("raised by the step")


def _generator_exit(x: float) -> float:
    raise GeneratorExit


def _unspeakable(x: float) -> float:
    raise Unspeakable


def _custom(x: float) -> float:
    raise Custom("custom base exception")


RAISERS = {"t.exit": _exit, "t.keyboard": _keyboard, "t.generator_exit": _generator_exit,
           "t.unspeakable": _unspeakable, "t.custom": _custom}
EXPECTED = {"t.exit": ("SystemExit", "3"), "t.keyboard": ("KeyboardInterrupt", "raised by the step"),
            "t.generator_exit": ("GeneratorExit", "GeneratorExit"),
            "t.unspeakable": ("Unspeakable", "Unspeakable (its message could not be read)"),
            "t.custom": ("Custom", "custom base exception")}


class _PlainStore(InMemoryStore):
    """Not the engine's own store type: every step goes through `get`/`put` (the general path)."""


def _registry() -> FunctionRegistry:
    reg = FunctionRegistry(load_builtins=False)
    reg.register(registry.get("math.increment"))
    for slug, func in RAISERS.items():
        reg.register(describe(func, slug))
    return reg


def _workflow(slug: str) -> tuple[Workflow, list]:
    """increment → raiser → increment (must be skipped), and an independent increment (must run)."""
    wf = Workflow(name="raises")
    a = wf.input_cell("a", 1)
    first, broken, after, other = uuid4(), uuid4(), uuid4(), uuid4()
    steps = [wf.add_step(step("math.increment", {"x": a.id}, first)),
             wf.add_step(step(slug, {"x": first}, broken)),
             wf.add_step(step("math.increment", {"x": broken}, after)),
             wf.add_step(step("math.increment", {"x": a.id}, other))]
    return wf, [s.id for s in steps]


PATHS = [(InMemoryStore, 1), (_PlainStore, 1), (InMemoryStore, 2), (_PlainStore, 3)]


@pytest.mark.parametrize("store_type,workers", PATHS, ids=["fast", "general", "parallel", "parallel-plain"])
@pytest.mark.parametrize("slug", list(RAISERS))
def test_a_step_raising_a_base_exception_is_a_failed_step(slug, store_type, workers):
    wf, (first, broken, after, other) = _workflow(slug)
    failed = []
    result = Engine(store_type(), registry=_registry()).run(
        wf, max_workers=workers, callbacks=RunCallbacks(on_step_failed=lambda s, e: failed.append(s.id)))
    assert result.step_status == {first: StepStatus.DONE, broken: StepStatus.FAILED,
                                  after: StepStatus.SKIPPED, other: StepStatus.DONE}
    assert not result.cancelled and failed == [broken]
    error = result.errors[broken]
    assert (error.type_name, error.message) == EXPECTED[slug]
    assert slug in str(error) and error.traceback


def test_a_keyboard_interrupt_once_the_run_is_cancelled_cancels_instead_of_failing():
    """What the CLI's Ctrl+C does: set the token, then interrupt the step. The step is not blamed."""
    token = CancelToken()

    def interrupted(x: float) -> float:
        token.cancel()
        raise KeyboardInterrupt

    for store_type in (InMemoryStore, _PlainStore):
        reg = _registry()
        reg.register(describe(interrupted, "t.interrupted"))
        wf, (first, broken, after, other) = _workflow("t.interrupted")
        token.requested = False
        result = Engine(store_type(), registry=reg).run(wf, cancel=token)
        assert result.cancelled and not result.errors
        assert [result.step_status[s] for s in (first, broken, after)] == [
            StepStatus.DONE, StepStatus.CANCELLED, StepStatus.CANCELLED]
        assert result.step_status[other] in (StepStatus.DONE, StepStatus.CANCELLED)  # (plan order decides)


def test_the_message_of_an_exception_is_read_whatever_its_str_does():
    from fancy_studio.core.engine import exception_message

    class ReprOnly(Exception):
        def __str__(self):
            raise ValueError

        def __repr__(self):
            return "ReprOnly(!)"

    class NotText(Exception):
        def __str__(self):
            return 42  # type: ignore[return-value]

    class Huge(Exception):
        def __str__(self):
            return "x" * 10_000_000

    assert exception_message(ReprOnly()) == "ReprOnly(!)"
    assert exception_message(NotText(42)) == "NotText(42)"
    assert len(exception_message(Huge())) < 20_000
    assert exception_message(Unspeakable()) == "Unspeakable (its message could not be read)"


# --- the CLI ---------------------------------------------------------------------------------------------

PLUGIN = textwrap.dedent('''
    """Test functions that misbehave, registered through fancy_studio's registry at import."""
    import sys, time
    from fancy_studio.core.functions import fancy_function

    class Unspeakable(BaseException):
        def __str__(self):
            raise RuntimeError("no str")
        def __repr__(self):
            raise RuntimeError("no repr")

    @fancy_function("t.exit")
    def do_exit(x: float) -> float:
        sys.exit(3)

    @fancy_function("t.keyboard")
    def keyboard(x: float) -> float:
        raise KeyboardInterrupt("raised by the step")

    @fancy_function("t.generator_exit")
    def generator_exit(x: float) -> float:
        raise GeneratorExit

    @fancy_function("t.unspeakable")
    def unspeakable(x: float) -> float:
        raise Unspeakable

    @fancy_function("t.custom")
    def custom(x: float) -> float:
        class Custom(BaseException):
            pass
        raise Custom("custom base exception")

    @fancy_function("t.sleep")
    def sleep(x: float) -> float:
        print("sleeping", file=sys.stderr, flush=True)
        time.sleep(60)
        return x
''')

RUNNER = textwrap.dedent('''
    import sys
    import misbehaving  # registers the test functions
    from fancy_studio.cli import main
    raise SystemExit(main(sys.argv[1:]))
''')


def _cli_setup(tmp_path: Path, slug: str) -> tuple[Path, Path, list]:
    (tmp_path / "misbehaving.py").write_text(PLUGIN)
    (tmp_path / "runner.py").write_text(RUNNER)
    wf, ids = _workflow(slug)
    path = tmp_path / "flow.json"
    save_workflow(wf, path)
    return tmp_path / "runner.py", path, ids


def other_output(path: Path) -> str:
    """The output cell of the independent increment (the last step), which has no alias: shown by id."""
    return json.loads(path.read_text())["steps"][-1]["outputs"]["return"]


def _cli(runner: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(runner.parent), *sys.path])}
    return subprocess.run([sys.executable, str(runner), "run", *args], capture_output=True, text=True,
                          timeout=60, env=env)


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("slug", list(RAISERS))
def test_the_cli_reports_a_base_exception_as_a_failed_step_and_prints_the_results(tmp_path, slug, workers):
    runner, path, (first, broken, after, other) = _cli_setup(tmp_path, slug)
    done = _cli(runner, str(path), "--workers", workers)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == f"{other_output(path)} = 2\n"  # the independent increment's output
    assert "4 steps: 2 done, 1 failed, 1 skipped" in done.stderr
    assert f"raised {EXPECTED[slug][0]}" in done.stderr
    payload = json.loads(_cli(runner, str(path), "--workers", workers, "--json", "-q").stdout)
    assert payload["steps"][str(broken)]["status"] == "failed"
    assert payload["steps"][str(after)]["status"] == "skipped"


def test_a_real_ctrl_c_still_stops_the_cli(tmp_path):
    runner, path, ids = _cli_setup(tmp_path, "t.sleep")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    process = subprocess.Popen([sys.executable, str(runner), "run", str(path)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    # wait until the step is running (it says so), then press Ctrl+C
    for line in process.stderr:
        if "sleeping" in line:
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 1, err
    assert "interrupted" in err and "Traceback" not in err
    assert "failed" not in err  # the step is not blamed for the user's Ctrl+C


class _RefusingStore(InMemoryStore):
    """A store (not the engine's own type: the general path) that cannot keep one cell (a full disk)."""

    def __init__(self, refused) -> None:
        super().__init__()
        self.refused = refused

    def put(self, value, alias=None, *, id=None, produced_by=None):
        if id == self.refused:
            raise OSError(28, "No space left on device")
        return super().put(value, alias, id=id, produced_by=produced_by)


@pytest.mark.parametrize("workers", [1, 2], ids=["sequential", "parallel"])
def test_a_result_the_store_cannot_keep_fails_its_step_and_skips_its_readers(workers):
    """Before, the sequential run raised out of `Engine.run`, and the parallel one called the step
    cancelled and then ran its reader, which failed with CellNotFoundError."""
    wf = Workflow(name="full disk")
    a = wf.input_cell("a", 1)
    first, second, other = uuid4(), uuid4(), uuid4()
    writer = wf.add_step(step("math.increment", {"x": a.id}, first))
    reader = wf.add_step(step("math.increment", {"x": first}, second))
    independent = wf.add_step(step("math.increment", {"x": a.id}, other))
    result = Engine(_RefusingStore(first)).run(wf, max_workers=workers)
    assert result.step_status == {writer.id: StepStatus.FAILED, reader.id: StepStatus.SKIPPED,
                                  independent.id: StepStatus.DONE}
    assert result.errors[writer.id].type_name == "OSError"
    assert "No space left on device" in result.errors[writer.id].message


def test_an_exception_past_the_step_in_a_parallel_run_is_that_steps_failure():
    """A callback that raises on a worker thread: the step is failed and its readers skipped, not the
    step silently 'cancelled' and its reader run without its input (CellNotFoundError)."""
    wf, (first, broken, after, other) = _workflow("t.custom")

    def started(step_):
        if step_.id == first:
            raise RuntimeError("the progress display broke")

    result = Engine(_PlainStore(), registry=_registry()).run(
        wf, max_workers=2, callbacks=RunCallbacks(on_step_started=started))
    assert result.step_status == {first: StepStatus.FAILED, broken: StepStatus.SKIPPED,
                                  after: StepStatus.SKIPPED, other: StepStatus.DONE}
    assert result.errors[first].message == "the progress display broke"
