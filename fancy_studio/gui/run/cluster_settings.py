"""Where the studio's runs go, as remembered settings: this machine, a local Dask cluster, or a scheduler;
and the local cluster's size (Workflow ▸ Run On ▸ Cluster Settings…).

The settings become an executor description (`kernel.executors`) that each run carries; nothing here
imports Dask.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from fancy_studio.kernel import executors

RUN_ON_KEY = "cluster/run_on"
""""machine" (the kernel, or the studio's process: Settings ▸ Run Steps In), "local" or "scheduler"."""
WORKERS_KEY = "cluster/workers"
THREADS_KEY = "cluster/threads_per_worker"
MEMORY_KEY = "cluster/memory_limit"
ADDRESS_KEY = "cluster/scheduler_address"
TIMEOUT_KEY = "cluster/connect_timeout_seconds"
PLACES = ("machine", "local", "scheduler")
MAX_WORKERS = 256

_MEMORY = re.compile(r"^(auto|0|\d+(\.\d+)?\s*([kmgt]i?b|b)?)$", re.IGNORECASE)
"""What Dask takes as a worker's memory limit: "auto" (the machine's memory shared out), a number of bytes,
or one with a unit ("4GB", "2.5 GiB"); 0 for none."""


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def valid_memory_limit(text: str) -> bool:
    return bool(_MEMORY.match(text.strip()))


def _int(settings: QSettings, key: str, default: int, low: int, high: int) -> int:
    try:
        value = int(settings.value(key, default))
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


@dataclass
class ClusterSettings:
    """The remembered choice and the local cluster's size."""

    run_on: str = "machine"
    workers: int = 2
    threads: int = 1
    memory_limit: str = "auto"
    address: str = ""
    timeout: float = executors.CONNECT_TIMEOUT

    @classmethod
    def read(cls, settings: QSettings) -> ClusterSettings:
        run_on = str(settings.value(RUN_ON_KEY, "machine"))
        memory = str(settings.value(MEMORY_KEY, "auto") or "auto")
        try:
            timeout = float(settings.value(TIMEOUT_KEY, executors.CONNECT_TIMEOUT))
        except (TypeError, ValueError):
            timeout = executors.CONNECT_TIMEOUT
        address = str(settings.value(ADDRESS_KEY, "") or "")
        if run_on not in PLACES or (run_on == "scheduler" and not address):
            run_on = "machine"
        return cls(run_on=run_on,
                   workers=_int(settings, WORKERS_KEY, default_workers(), 1, MAX_WORKERS),
                   threads=_int(settings, THREADS_KEY, 1, 1, 256),
                   memory_limit=memory if valid_memory_limit(memory) else "auto",
                   address=address,
                   timeout=timeout if 0 < timeout <= 600 else executors.CONNECT_TIMEOUT)

    def write(self, settings: QSettings) -> None:
        settings.setValue(RUN_ON_KEY, self.run_on)
        settings.setValue(WORKERS_KEY, self.workers)
        settings.setValue(THREADS_KEY, self.threads)
        settings.setValue(MEMORY_KEY, self.memory_limit)
        settings.setValue(ADDRESS_KEY, self.address)
        settings.sync()

    def spec(self) -> dict[str, Any] | None:
        """The executor description runs carry (None: this machine)."""
        if self.run_on == "local":
            return executors.local_cluster(self.workers, self.threads, self.memory_limit)
        if self.run_on == "scheduler" and self.address:
            return executors.scheduler(self.address, self.timeout)
        return None


class ClusterSettingsDialog(QDialog):
    """The local cluster's worker processes, threads per worker and memory limit per worker."""

    def __init__(self, current: ClusterSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cluster-settings-dialog")
        self.setWindowTitle("Local Cluster Settings")
        self.workers = QSpinBox(self)
        self.workers.setObjectName("cluster-workers")
        self.workers.setRange(1, MAX_WORKERS)
        self.workers.setValue(current.workers)
        self.workers.setToolTip(f"Worker processes (this machine has {default_workers()} cores): each runs "
                                "pure-Python steps on a core of its own")
        self.threads = QSpinBox(self)
        self.threads.setObjectName("cluster-threads")
        self.threads.setRange(1, 256)
        self.threads.setValue(current.threads)
        self.threads.setToolTip("Threads in each worker: more only pays for steps that wait (files, the "
                                "network) or release the GIL (numpy, pandas)")
        self.memory = QLineEdit(current.memory_limit, self)
        self.memory.setObjectName("cluster-memory-limit")
        self.memory.setToolTip('Per worker: "auto" shares the machine\'s memory out, or a size such as 4GB; '
                               "0 for no limit")
        self.note = QLabel(self)
        self.note.setObjectName("cluster-settings-note")
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Worker processes:", self.workers)
        form.addRow("&Threads per worker:", self.threads)
        form.addRow("&Memory limit per worker:", self.memory)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel, parent=self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self._current = current

    def accept(self) -> None:
        if not valid_memory_limit(self.memory.text()):
            self.note.setText(f"'{self.memory.text()}' is not a memory limit: use auto, a size such as 4GB, "
                              "or 0 for none")
            return
        super().accept()

    def chosen(self) -> ClusterSettings:
        """The settings with this dialog's values (the run choice and the address as they were)."""
        current = self._current
        return ClusterSettings(current.run_on, self.workers.value(), self.threads.value(),
                               self.memory.text().strip() or "auto", current.address, current.timeout)
