"""Where steps run, as the user sees it: Settings ▸ Run Steps In, Workflow ▸ Restart Kernel, and the
kernel's state in the status bar.

Steps run in a kernel process by default, so no step can freeze or crash the studio; the studio's own
process (the run thread) is kept for debugging a function with breakpoints. The choice is a setting,
remembered for the next start.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QLabel, QMainWindow

from fancy_studio.gui.run.controller import RunController
from fancy_studio.gui.run.kernel_link import GRACE_SECONDS, KernelLink
from fancy_studio.gui.window_action import window_action

IN_KERNEL_KEY = "run/in_kernel"
"""The setting: True (the default) runs steps in a kernel process, False on the studio's run thread."""
GRACE_KEY = "run/stop_grace_seconds"
"""The setting: how long Stop waits for a running step before the kernel is killed (2 s by default)."""

STATE_TEXT = {
    "starting": "Kernel: starting…",
    "idle": "Kernel: idle",
    "running": "Kernel: running",
    "restarting": "Kernel: restarting…",
    "died": "Kernel: died",
    "stopped": "Kernel: stopped",
}


def runs_in_kernel(settings: QSettings) -> bool:
    value = settings.value(IN_KERNEL_KEY, True)
    return value not in (False, "false", "0", 0)


def stop_grace(settings: QSettings) -> float:
    """The grace period Stop gives a running step, from the settings (a sane default when unreadable)."""
    try:
        seconds = float(settings.value(GRACE_KEY, GRACE_SECONDS))
    except (TypeError, ValueError):
        return GRACE_SECONDS
    return seconds if 0 <= seconds <= 3600 else GRACE_SECONDS


class KernelActions(QObject):
    """The setting, the restart action and the status label, for one window's run controller."""

    def __init__(self, window: QMainWindow, controller: RunController,
                 settings_factory: Callable[[], QSettings]) -> None:
        super().__init__(window)
        self.window, self.controller, self._settings = window, controller, settings_factory
        self.link = KernelLink(stop_grace(settings_factory()), parent=self)
        group = QActionGroup(self)
        self.in_kernel_action = self._action("run-in-kernel-action", "A Separate &Process",
                                             "Steps run in a kernel process: none can freeze or crash the studio")
        self.in_studio_action = self._action("run-in-studio-action", "The &Studio's Process",
                                             "Steps run inside the studio (for debugging a function with "
                                             "breakpoints): a step can freeze or crash it")
        for action in (self.in_kernel_action, self.in_studio_action):
            action.setCheckable(True)
            group.addAction(action)
        self.restart_action = self._action("restart-kernel-action", "Restart &Kernel",
                                           "Start a fresh kernel process, which imports every function again")
        self.restart_action.triggered.connect(self.restart)
        self.label = QLabel(self.window)
        self.label.setObjectName("kernel-state")
        window.statusBar().addPermanentWidget(self.label)
        self.link.state_changed.connect(self._show_state)
        controller.running_changed.connect(lambda _running: self._enable())
        in_kernel = runs_in_kernel(settings_factory())
        (self.in_kernel_action if in_kernel else self.in_studio_action).setChecked(True)
        self._use(in_kernel)
        self.in_kernel_action.toggled.connect(self._chosen)

    def _action(self, name: str, text: str, tip: str) -> QAction:
        return window_action(self.window, name, text, tip=tip, tool_tip=True)

    @property
    def in_kernel(self) -> bool:
        return self.controller.kernel_link is not None

    def page_kernel(self) -> object | None:
        """The kernel that pages a large table for the table viewer (it reads the store's file); None when
        steps run in the studio's process or no kernel could be made: the viewer reads the value here."""
        if not self.in_kernel or not self.link.available:
            return None
        return self.link.kernel

    def restart(self) -> None:
        """Workflow ▸ Restart Kernel: never while a run goes (Stop first)."""
        if self.controller.running or not self.in_kernel:
            return
        self.link.restart()

    def _chosen(self, in_kernel: bool) -> None:
        settings = self._settings()
        settings.setValue(IN_KERNEL_KEY, in_kernel)
        settings.sync()
        if self.controller.running:  # the run going keeps its place; the next one takes the new choice
            self.controller.when_stopped(lambda: self._use(in_kernel))
        else:
            self._use(in_kernel)

    def _use(self, in_kernel: bool) -> None:
        self.controller.kernel_link = self.link if in_kernel else None
        if in_kernel:
            self.link.start()  # in the background: the first Run does not wait for it
            self._show_state(self.link.state, self.link.detail)
        else:
            self.link.shutdown()
        self.label.setVisible(in_kernel)
        self._enable()

    def _enable(self) -> None:
        self.restart_action.setEnabled(self.in_kernel and not self.controller.running)

    def _show_state(self, state: str, detail: object) -> None:
        text = STATE_TEXT.get(state, f"Kernel: {state}")
        if state == "died" and detail:
            text = f"Kernel: died ({detail})"
        self.label.setText(text)
        pid = self.link.pid
        tip = "Steps run in a separate process"
        if pid is not None:
            tip += f" (pid {pid})"
        self.label.setToolTip(f"{tip}. Workflow ▸ Restart Kernel starts a fresh one.")
