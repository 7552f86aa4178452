"""Workflow ▸ Run On: where the studio's runs send their steps, and the status bar's word on it.

- **This Machine**: the kernel process (or the studio's own, per Settings ▸ Run Steps In).
- **Local Cluster (N processes)**: a Dask cluster of N worker processes on this machine, started by the
  first run and kept (by the kernel, or by the run thread) until the choice changes or the window closes.
- **Dask Scheduler…**: a running scheduler, at an address asked for and remembered.

The choice is a setting, remembered for the next start; Cluster Settings… sizes the local cluster. Without
Dask installed the cluster entries are disabled and say how to add it. The status bar names where runs
go and, once a run has used the cluster, links to its dashboard (the web page Dask serves).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMainWindow, QMessageBox

from fancy_studio.gui.run.cluster_settings import ClusterSettings, ClusterSettingsDialog
from fancy_studio.gui.run.controller import RunController
from fancy_studio.gui.run.worker import RunOutcome
from fancy_studio.gui.window_action import window_action
from fancy_studio.kernel import executors

NEEDS_DASK = 'Needs Dask, which is not installed: pip install "fancy-studio[dask]"'


class ClusterActions(QObject):
    """Run On's three choices, Cluster Settings…, and the status bar's "Runs on" label, for one window."""

    def __init__(self, window: QMainWindow, controller: RunController,
                 settings_factory: Callable[[], QSettings]) -> None:
        super().__init__(window)
        self.window, self.controller, self._settings = window, controller, settings_factory
        self.settings = ClusterSettings.read(settings_factory())
        self.dashboard: str | None = None
        """The cluster's dashboard address, once a run has used the cluster (its kernel's, or ours)."""
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.machine_action = self._action("run-on-machine-action", "This &Machine",
                                           "Runs go to the kernel (or the studio's own process: Settings ▸ "
                                           "Run Steps In)")
        self.local_action = self._action("run-on-local-cluster-action", "",
                                         "Runs go to a Dask cluster of worker processes on this machine: "
                                         "independent pure-Python steps use a core each")
        self.scheduler_action = self._action("run-on-scheduler-action", "Dask &Scheduler…",
                                             "Runs go to a running Dask scheduler (asks for its address)")
        self.actions = {"machine": self.machine_action, "local": self.local_action,
                        "scheduler": self.scheduler_action}
        for place, action in self.actions.items():
            action.setCheckable(True)
            self.group.addAction(action)
            action.triggered.connect(lambda _checked=False, p=place: self.choose(p))
        self.settings_action = self._action("cluster-settings-action", "&Cluster Settings…",
                                            "The local cluster's worker processes, threads and memory limit")
        self.settings_action.triggered.connect(self.edit_settings)
        self.label = QLabel(window)
        self.label.setObjectName("cluster-state")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setOpenExternalLinks(True)  # the dashboard opens in the browser
        window.statusBar().addPermanentWidget(self.label)
        controller.finished.connect(self._run_ended)
        self.available = executors.dask_installed()
        if not self.available:
            for action in (self.local_action, self.scheduler_action):
                action.setEnabled(False)
                action.setToolTip(NEEDS_DASK)
                action.setStatusTip(NEEDS_DASK)
            self.settings.run_on = "machine"  # a cluster remembered from before Dask was removed
        self._use(self.settings.run_on)

    def _action(self, name: str, text: str, tip: str) -> QAction:
        return window_action(self.window, name, text, tip=tip, tool_tip=True)

    # --- choosing ----------------------------------------------------------------------------------

    def choose(self, place: str) -> bool:
        """Send runs to `place` ("machine", "local", "scheduler"; the scheduler asks for an address): the
        choice is remembered. False (the last choice kept) when Dask is missing or no address was given."""
        if place != "machine" and not self.available:
            self._message(NEEDS_DASK)
            self._check(self.settings.run_on)
            return False
        if place == "scheduler":
            address = self.ask_address(self.settings.address)
            if address is None:
                self._check(self.settings.run_on)
                return False
            self.settings.address = address
        self.settings.run_on = place
        self.settings.write(self._settings())
        self._use(place)
        return True

    def ask_address(self, remembered: str) -> str | None:
        """The scheduler's address, asked for (None: cancelled, or not an address, which is said)."""
        text, ok = QInputDialog.getText(self.window, "Dask Scheduler",
                                        "The address of a running Dask scheduler (such as tcp://host:8786):",
                                        QLineEdit.EchoMode.Normal, remembered or "tcp://")
        if not ok or not text.strip():
            return None
        from fancy_studio.core import FancyError
        from fancy_studio.core.dask.cluster import parse_dask_target

        try:
            target = parse_dask_target(text)
        except FancyError as exc:
            QMessageBox.warning(self.window, "Dask Scheduler", str(exc))
            return None
        if target.address is None:
            QMessageBox.warning(self.window, "Dask Scheduler", f"'{text.strip()}' is a local cluster, not a "
                                "scheduler's address: choose Run On ▸ Local Cluster for one")
            return None
        return target.address

    def edit_settings(self) -> bool:
        """Cluster Settings…: the local cluster's size; a cluster running with another size is replaced by
        the next run."""
        dialog = ClusterSettingsDialog(self.settings, self.window)
        if dialog.exec() != ClusterSettingsDialog.DialogCode.Accepted:
            return False
        self.settings = dialog.chosen()
        self.settings.write(self._settings())
        self._use(self.settings.run_on)
        return True

    def _use(self, place: str) -> None:
        """Runs from now on go to `place` (the run going keeps its own: it carries its description)."""
        self._check(place)
        workers = self.settings.workers
        self.local_action.setText(f"&Local Cluster ({workers} process{'es' if workers != 1 else ''})")
        self.controller.executor = self.settings.spec()
        self.dashboard = None
        self._show()

    def _check(self, place: str) -> None:
        self.actions[place].setChecked(True)

    @property
    def where(self) -> str:
        """Where runs go, in words (the status bar's)."""
        return executors.describe(self.controller.executor)

    # --- the status bar ----------------------------------------------------------------------------

    def _run_ended(self, outcome: RunOutcome) -> None:
        if outcome.cluster is not None and self.controller.executor is not None:
            self.dashboard = outcome.cluster.get("dashboard")
            self._show(outcome.cluster.get("workers"))

    def _show(self, workers: object = None) -> None:
        spec = self.controller.executor
        self.label.setVisible(spec is not None)
        if spec is None:
            self.label.clear()
            return
        text = f"Runs on: {html.escape(self.where)}"
        if self.dashboard:
            text += f' · <a href="{html.escape(self.dashboard, quote=True)}">dashboard</a>'
        self.label.setText(text)
        tip = "Workflow ▸ Run On chooses where runs go"
        if isinstance(workers, int):
            tip = f"{workers} worker{'s' if workers != 1 else ''} answered the last run. {tip}"
        if self.dashboard:
            tip += f"; the dashboard ({self.dashboard}) shows the cluster's tasks as they run"
        self.label.setToolTip(tip)

    def _message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)
