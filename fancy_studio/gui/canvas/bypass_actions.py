"""Edit ▸ Bypass (Ctrl+B): the selected steps are not called, and a value passes through each instead.

One action for the selection, as Blender's Mute (M) and ComfyUI's Bypass (Ctrl+B): if any selected step
is not bypassed, all of them become bypassed; if all are, none stays so. Either way it is one undoable
command. The action is ticked while every selected step is bypassed, so the menu says what the selection
is. A bypassed step is drawn dimmed with a "bypassed" badge and the wire its value passes through (see
`node_items.StepNodeItem`); the engine skips it (`core/bypass.py`), and the file keeps it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.window_action import window_action


class BypassActions(QObject):
    """The window's Bypass action, kept ticked when the whole selection is bypassed."""

    def __init__(self, window: QWidget, view: WorkflowView, document: WorkflowDocument,
                 message: Callable[[str], object] = lambda _text: None) -> None:
        super().__init__(window)
        self.view, self.document, self.message = view, document, message
        self.scene = view.workflow_scene
        self.action = window_action(
            window, "bypass-action", "&Bypass", self.toggle, ["Ctrl+B"],
            "Skip the selected steps: each passes its first input to its output of the same type (Ctrl+B)")
        self.action.setCheckable(True)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.sync)
        self.scene.selectionChanged.connect(self._later.start)  # once per turn, however many steps changed
        document.step_changed.connect(self._later.start)
        document.reset.connect(self._later.start)
        self.sync()

    def selected_steps(self) -> list:
        find = self.document.find_step
        return [step for node_id in self.scene.selected_ids() if (step := find(node_id)) is not None]

    def sync(self) -> None:
        """Tick the action when every selected step is bypassed (it stays enabled: without a step selected
        it says what to do)."""
        steps = self.selected_steps()
        self.action.blockSignals(True)
        self.action.setChecked(bool(steps) and all(step.bypass for step in steps))
        self.action.blockSignals(False)

    def toggle(self) -> None:
        steps = self.selected_steps()
        if not steps:
            self.message("Select the steps to bypass")
            return
        bypass = not all(step.bypass for step in steps)
        self.document.set_bypass({step.id for step in steps}, bypass)
        self.sync()  # refused while a run reads the workflow: the tick shows the model, not the click
