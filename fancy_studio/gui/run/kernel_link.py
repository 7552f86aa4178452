"""The window's kernel: a separate Python process that runs the steps, so no step can freeze or crash
the studio (see docs/spec/008-kernel.md).

`KernelLink` owns the window's `Kernel`, starts it in the background as soon as the window asks (so the
first Run is not delayed by it), and turns the kernel's state changes, which it reports from whatever
thread notices them, into one queued Qt signal. This is where kernel news crosses into Qt; the run's own
events cross in `worker.py`, as for a run in the studio's process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from fancy_studio.kernel import Kernel

GRACE_SECONDS = 2.0
"""How long Stop waits for a running step to return before the kernel is killed (a setting)."""


class KernelLink(QObject):
    """One kernel process for one window: started on demand, restarted, shut down with the window."""

    state_changed = Signal(str, object)
    """(the `KernelState` value, the detail: why it died, or None), on the GUI thread."""

    def __init__(self, grace: float = GRACE_SECONDS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.grace = grace
        self._kernel: Kernel | None = None
        self.state = "stopped"
        self.detail: str | None = None
        self.state_changed.connect(self._remember)

    @property
    def kernel(self) -> Kernel:
        """The kernel, made (and started in the background) the first time it is asked for."""
        if self._kernel is None:
            from fancy_studio.kernel import Kernel  # the kernel's client: imported when first needed

            # pandas and pyarrow imported ahead: a table's first page (or a table step) waits for neither
            self._kernel = Kernel(grace=self.grace, on_state=self._report, warm=("pandas", "pyarrow"))
            self._kernel.start()
        return self._kernel

    @property
    def pid(self) -> int | None:
        """The kernel process's id, once there is one."""
        return self._kernel.pid if self._kernel is not None else None

    @property
    def available(self) -> bool:
        """True once a kernel was made: runs go to it (else they run on the studio's run thread)."""
        return self._kernel is not None

    def start(self) -> None:
        """Start the kernel now, in the background (the window does this when it opens). A kernel that
        cannot even be started is reported as died, with why; runs then stay in the studio's process."""
        try:
            self.kernel  # noqa: B018 - making it starts it
        except Exception as exc:  # noqa: BLE001 - whatever it is, the studio must go on
            self._kernel = None
            self.state_changed.emit("died", f"cannot start: {exc}")

    def restart(self) -> None:
        """A fresh kernel process, which imports every function again (a user's edited function file)."""
        self.kernel.restart()

    def shutdown(self) -> None:
        """Stop the kernel process and wait for it: the window is closing."""
        if self._kernel is not None:
            self._kernel.shutdown()
            self._kernel = None

    def _report(self, state: object, detail: str | None) -> None:
        """Called by the kernel from any thread: emitting queues the news to the GUI thread."""
        self.state_changed.emit(getattr(state, "value", str(state)), detail)

    def _remember(self, state: str, detail: object) -> None:
        self.state, self.detail = state, detail if isinstance(detail, str) else None
