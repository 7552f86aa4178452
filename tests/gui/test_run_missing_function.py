"""A file that uses a function this machine lacks still runs: open it, click Run, the rest computes; the
placeholder step and the steps after it show skipped, and the Problems dock says why, by title."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from fancy_studio.core import Position, Workflow, WorkflowStep, save_workflow
from fancy_studio.gui.run.status import StepState
from tests.gui.dialogs import answer_dialogs
from tests.gui.test_run import hover_tooltip
from tests.gui.windows import active_window


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def partly_installed(path: Path) -> dict[str, WorkflowStep]:
    """a → [plugin.absent, labelled "Sharpen"] → Increment → Double; a → Increment (independent)."""
    wf = Workflow(name="partly installed")
    a = wf.input_cell("a", 1)
    sharp, after, doubled, other = (wf.output_cell(n) for n in ("sharp", "after", "doubled", "other"))
    two = wf.input_cell("two", 2)
    steps = {
        "missing": wf.add_step(WorkflowStep(function_slug="plugin.absent", inputs={"x": a.id},
                                            outputs={"return": sharp.id}, label="Sharpen")),
        "after": wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": sharp.id},
                                          outputs={"return": after.id})),
        "double": wf.add_step(WorkflowStep(function_slug="math.multiply", inputs={"a": after.id, "b": two.id},
                                           outputs={"return": doubled.id}, label="Double")),
        "other": wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": a.id},
                                          outputs={"return": other.id})),
    }
    for i, node in enumerate([*wf.cells, *wf.steps]):
        wf.layout[node.id] = Position(x=(i % 4) * 260.0, y=(i // 4) * 180.0)
    save_workflow(wf, path)
    return steps


def click_run(qtbot, window):
    """Click Run on the toolbar and wait for the run to end; return its outcome."""
    toolbar = window.findChild(QToolBar, "main-toolbar")
    button = toolbar.widgetForAction(window.run_actions.run_action)
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def test_a_missing_function_skips_its_steps_and_the_rest_runs(qtbot, tmp_path, dialogs):
    path = tmp_path / "partly.json"
    steps = partly_installed(path)
    window = active_window(qtbot, path)
    assert any("plugin.absent" in text for text in dialogs["warning"].asked)  # said once, on open

    outcome = click_run(qtbot, window)

    assert outcome.started and not outcome.result.ok
    other = steps["other"].outputs["return"]
    assert window.store.get(other).value == 2
    qtbot.waitUntil(lambda: window.scene.item_for(other).value_text == "= 2", timeout=2000)
    states = {name: window.runner.status.info(step.id).state for name, step in steps.items()}
    assert states == {"missing": StepState.SKIPPED, "after": StepState.SKIPPED, "double": StepState.SKIPPED,
                      "other": StepState.DONE}
    assert all(step.outputs["return"] not in window.store for name, step in steps.items() if name != "other")

    # the Problems dock lists each skipped step by its title, with the reason
    assert window._docks["Problems"].isVisible()
    because = "depends on step 'Sharpen', whose function 'plugin.absent' is not installed"
    assert window.problems.entries() == [
        ("Skipped", "Sharpen", "function 'plugin.absent' is not installed"),
        ("Skipped", "Increment", because),
        ("Skipped", "Double", because),
    ]
    assert "Skipped: function 'plugin.absent' is not installed" in hover_tooltip(window, steps["missing"].id)
    window.scene.select_ids({steps["double"].id})
    assert f"skipped: {html.escape(because)}" in window.inspector.step_label.text()
    assert "1 done, 3 skipped" in window.run_actions.progress.clock.text()

    # double-clicking an entry shows its node
    tree = window.problems.tree
    rect = tree.visualItemRect(tree.topLevelItem(1))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.scene.selected_ids() == {steps["after"].id}
    window.runner.shutdown()
