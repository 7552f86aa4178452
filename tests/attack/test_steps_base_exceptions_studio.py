"""Issue 10, case 7 in the studio: a step that raises SystemExit, KeyboardInterrupt, GeneratorExit or a
BaseException whose message cannot be read ends the run like any failing step: the run's end arrives, the
step shows failed with a message, its dependent is skipped, the rest runs and the document can be edited
again (before, the run never ended and the document stayed locked)."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt

from fancy_studio.core import Workflow, WorkflowStep, fancy_function
from fancy_studio.gui.run.status import StepState
from tests.gui.test_run import dialogs, load, state, window  # noqa: F401  (fixtures)


class Unspeakable(BaseException):
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@fancy_function("attack.exit")
def calls_exit(x: float) -> float:
    sys.exit(3)


@fancy_function("attack.keyboard_interrupt")
def raises_keyboard_interrupt(x: float) -> float:
    raise KeyboardInterrupt("raised by the step")


@fancy_function("attack.generator_exit")
def raises_generator_exit(x: float) -> float:
    raise GeneratorExit


@fancy_function("attack.unspeakable")
def raises_unspeakable(x: float) -> float:
    raise Unspeakable


@pytest.mark.parametrize("slug,shown", [
    ("attack.exit", "SystemExit"),
    ("attack.keyboard_interrupt", "KeyboardInterrupt: raised by the step"),
    ("attack.generator_exit", "GeneratorExit"),
    ("attack.unspeakable", "Unspeakable"),
])
def test_a_step_raising_a_base_exception_fails_and_the_document_is_editable_again(qtbot, window, slug, shown):
    workflow = Workflow(name="raises")
    a = workflow.input_cell("a", 1)
    bad_out, after_out, good_out = (workflow.output_cell(n) for n in ("bad", "after", "good"))
    bad = workflow.add_step(WorkflowStep(function_slug=slug, inputs={"x": a.id},
                                         outputs={"return": bad_out.id}))
    after = workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": bad_out.id},
                                           outputs={"return": after_out.id}))
    good = workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": a.id},
                                          outputs={"return": good_out.id}))
    load(window, workflow)

    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        qtbot.keyClick(window.view, Qt.Key.Key_F5)

    outcome = finished.args[0]
    assert outcome.started and outcome.crash is None and not outcome.result.cancelled
    assert state(window, bad.id) is StepState.FAILED
    assert state(window, after.id) is StepState.SKIPPED
    assert state(window, good.id) is StepState.DONE and window.store.get(good_out.id).value == 2
    (kind, _, message), = window.problems.entries()
    assert kind == "Failed" and shown in message
    # the document is unlocked: deleting a node with the keyboard works
    assert not window.document.undo_stack.locked
    window.scene.select_ids({good.id})
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.document.find_step(good.id) is None
