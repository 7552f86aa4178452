"""The window's Run, Run Selected and Stop: actions, what the window shows while a run goes, and after.

The `RunController` does the running; this class is the window's side of it: it enables and disables
actions (no editing while a run reads the workflow), feeds the progress indicator, and fills the
Problems list from a run's failures or from the problems that kept it from starting.

It knows the window only as a `QMainWindow` (its status bar; the edit actions, found by objectName) and
is given the rest: the problems list, the canvas selection, the widgets to lock while a run goes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol
from uuid import UUID

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from fancy_studio.core import StepStatus, WorkflowValidationError
from fancy_studio.gui.run.controller import RunController
from fancy_studio.gui.run.problem_text import node_phrase, readable_message
from fancy_studio.gui.run.progress import RunProgress
from fancy_studio.gui.run.worker import RunOutcome
from fancy_studio.gui.window_action import window_action

EDIT_ACTIONS = ("new-action", "open-action", "undo-action", "redo-action", "delete-action", "cut-action",
                "paste-action", "duplicate-action", "auto-layout-action", "rename-action")
"""Actions that would change or replace the workflow a run is reading: off while it runs."""


class ProblemList(Protocol):
    """Where a run's failures and the problems that kept it from starting are listed (the Problems dock)."""

    def clear(self) -> None: ...

    def count(self) -> int: ...

    def add(self, kind: str, node_id: UUID | None, node_title: str, message: str, detail: str = "", *,
            about: str = "") -> None: ...


class RunActions(QObject):
    """Run / Run Selected / Stop for one window."""

    starting = Signal()
    """A run is about to start (emitted before any step runs: the window keeps unsaved edits on disk, as
    a step may end the process)."""

    def __init__(self, window: QMainWindow, controller: RunController, problems: ProblemList, *,
                 selected_ids: Callable[[], set[UUID]], show_problems: Callable[[], None],
                 locked_while_running: Sequence[QWidget] = ()) -> None:
        """`selected_ids`: the nodes selected on the canvas (what Run Selected runs up to);
        `show_problems`: bring the problems list to the front; `locked_while_running`: widgets that edit
        the workflow (the undo history, the inspector), disabled while a run reads it."""
        super().__init__(window)
        self.window, self.controller, self.problems = window, controller, problems
        self.document = controller.document
        self._selected_ids, self._show_problems = selected_ids, show_problems
        self._locked_widgets = list(locked_while_running)
        a = self._action
        self.run_action = a("run-action", "&Run", self.run_all,
                            [QKeySequence(Qt.Key.Key_F5), QKeySequence("Ctrl+R")],
                            "Run the whole workflow (F5)")
        self.run_selected_action = a("run-selected-action", "Run &Selected", self.run_selected,
                                     [QKeySequence("Ctrl+Shift+R"), QKeySequence(Qt.Key.Key_F6)],
                                     "Run the selected steps and only what they need")
        self.run_all_again_action = a("run-all-again-action", "Run All &Again", self.run_all_again,
                                      [QKeySequence("Ctrl+Shift+F5")],
                                      "Run every step again, ignoring stored results (Ctrl+Shift+F5)")
        self.stop_action = a("stop-action", "S&top", self.stop,
                             [QKeySequence("Shift+F5"), QKeySequence(Qt.Key.Key_Escape)],
                             "Stop the run: no further step starts")
        self.stop_action.setEnabled(False)
        self.progress = RunProgress(controller.elapsed, window)
        window.statusBar().addPermanentWidget(self.progress)
        controller.running_changed.connect(self._running_changed)
        controller.finished.connect(self._finished)
        controller.status.progress.connect(self.progress.set_progress)

    def _action(self, name: str, text: str, slot, shortcuts: list[QKeySequence], tip: str) -> QAction:
        return window_action(self.window, name, text, slot, shortcuts, tip)

    @property
    def actions(self) -> list[QAction]:
        return [self.run_action, self.run_selected_action, self.run_all_again_action, self.stop_action]

    # --- starting and stopping ---------------------------------------------------------------------

    def run_all(self) -> bool:
        return self._start(None)

    def run_all_again(self) -> bool:
        """Recompute every step, whatever the store holds (a function that reads the outside world)."""
        return self._start(None, reuse=False)

    def run_selected(self) -> bool:
        """Run up to the selected nodes: a selected cell stands for the step that computes it."""
        targets = self.targets_for(self._selected_ids())
        if not targets:
            self.window.statusBar().showMessage("Select the steps to run up to (or a cell they compute)", 6000)
            return False
        return self._start(targets)

    def stop(self) -> None:
        """Ask the run to stop; say that the step that is running finishes first."""
        if not self.controller.running or self.controller.stopping:
            return
        self.controller.stop()
        self.stop_action.setEnabled(False)
        self.window.statusBar().showMessage("Stopping: no further step starts; the running one finishes first")

    def run_up_to(self, node_id: UUID) -> bool:
        return self._start(self.targets_for({node_id}))

    def targets_for(self, node_ids: set[UUID]) -> list[UUID]:
        document = self.document
        targets = []
        for node_id in node_ids:
            if document.find_step(node_id) is not None:
                targets.append(node_id)
            elif (producer := document.producer_of(node_id)) is not None:
                targets.append(producer[0].id)
        return self.translate_targets(targets)

    translate_targets: Callable[[list[UUID]], list[UUID]] = staticmethod(list)
    """Turns the ids of the nodes shown into the ids a run knows (inside a group: flattened ids)."""

    def _start(self, targets: list[UUID] | None, *, reuse: bool = True) -> bool:
        if self.controller.running:
            return False
        self.problems.clear()
        self.starting.emit()
        return self.controller.start(targets, reuse=reuse)

    # --- what the window shows ---------------------------------------------------------------------

    def _running_changed(self, running: bool) -> None:
        window = self.window
        for name in EDIT_ACTIONS:
            action = window.findChild(QAction, name)
            if action is not None:
                action.setEnabled(not running)
        if not running:  # the stack's own rules again
            stack = self.document.undo_stack
            for name, allowed in (("undo-action", stack.canUndo()), ("redo-action", stack.canRedo())):
                action = window.findChild(QAction, name)
                if action is not None:
                    action.setEnabled(allowed)
        for widget in self._locked_widgets:
            widget.setEnabled(not running)
        self.run_action.setEnabled(not running)
        self.run_selected_action.setEnabled(not running)
        self.run_all_again_action.setEnabled(not running)
        self.stop_action.setEnabled(running)
        if running:
            self.progress.begin()
            window.statusBar().showMessage("Running…")

    def _finished(self, outcome: RunOutcome) -> None:
        problems = self.problems
        if outcome.crash is not None:
            problems.add("Error", None, "", "The engine stopped unexpectedly", outcome.crash)
            summary = "run crashed"
        elif outcome.refused is not None:  # a cluster out of reach, workers lacking a function: nothing ran
            said = " ".join(line.strip() for line in outcome.refused.splitlines()) or "the run could not start"
            problems.add("Error", None, "", f"Not run: {said}", outcome.refused)
            summary = "not run"
            self.window.statusBar().showMessage(f"Not run: {said}", 15000)
        elif not outcome.started:
            for problem in outcome.problems:
                self._add_problem(problem)
            summary = f"not run: {len(outcome.problems)} problem{'s' if len(outcome.problems) != 1 else ''}"
        else:
            result = outcome.result
            for step_id, error in result.errors.items():
                problems.add("Failed", step_id, self._title(step_id), str(error), error.traceback,
                             about=self._node_phrase(step_id) or "")
            for step_id, reason in result.skip_reasons.items():  # a function that is not installed
                if result.step_status.get(step_id) is StepStatus.BYPASSED:
                    continue  # on purpose: what it passed on is its node's tooltip, not a problem
                reason = readable_message(reason, self._node_phrase)
                problems.add("Skipped", step_id, self._title(step_id), reason,
                             about=self._node_phrase(step_id) or "")
            parts = [f"{result.count(StepStatus.DONE)} done"]
            for status, word in ((StepStatus.CACHED, "cached"), (StepStatus.BYPASSED, "bypassed"),
                                 (StepStatus.FAILED, "failed"),
                                 (StepStatus.SKIPPED, "skipped"),
                                 (StepStatus.CANCELLED, "cancelled")):
                if result.count(status):
                    parts.append(f"{result.count(status)} {word}")
            summary = ("Stopped: " if result.cancelled else "") + ", ".join(parts)
        self.progress.end(summary)  # the summary stays at the status bar's right, with the run's time
        if outcome.refused is None:
            self.window.statusBar().clearMessage()  # "Running…" is over
        if problems.count():
            self._show_problems()

    def _add_problem(self, problem: WorkflowValidationError) -> None:
        node = problem.step_id or problem.cell_id
        title = self._title(problem.step_id) if problem.step_id else self._cell_title(problem.cell_id)
        self.problems.add("Invalid", node, title, readable_message(str(problem), self._node_phrase),
                          about=(self._node_phrase(node) if node is not None else None) or "")

    def _title(self, step_id: UUID) -> str:
        document = self.document
        step = document.find_step(step_id)
        return document.title_of(step) if step is not None else "a removed step"

    def _cell_title(self, cell_id: UUID | None) -> str:
        if cell_id is None:
            return ""
        cell = self.document.find_cell(cell_id)
        return cell.alias if cell is not None and cell.alias else "unnamed cell"

    def _node_phrase(self, node_id: UUID) -> str | None:
        return node_phrase(self.document, node_id)
