"""Starts and stops runs for one window: owns the worker thread and locks the document meanwhile.

The GUI thread never runs a function: it hands a `RunRequest` to the `RunWorker` living on a QThread and
hears back through queued signals. While a run goes the document's undo stack is locked, so the
workflow the worker reads cannot change under it. Anything that must wait for the run to end (closing
the window, opening another file) goes through `when_stopped`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from uuid import UUID

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QObject, QThread, Signal

from fancy_studio.core import CancelToken, DatumStore
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.run.status import RunStatusModel
from fancy_studio.gui.run.kernel_link import KernelLink
from fancy_studio.gui.run.worker import RunOutcome, RunRequest, RunWorker

LOCK_REASON = "A run is going: stop it (Shift+F5) to edit the workflow"
RUN_SWITCH_INTERVAL = 0.0005
"""Seconds a thread may hold the GIL before another gets a turn, while a run goes. A step that computes in
Python holds the GIL; at CPython's default 5 ms, every call from Qt into Python on the GUI thread (a
node's paint, a table cell's data) can wait that long, and a repaint makes hundreds of such calls."""

_LIVE_THREADS: set[QThread] = set()
"""Run threads not yet finished. They have no Qt parent, so a window deleted mid-run (rather than closed
through its prompt) never destroys a running QThread; the thread is told to stop and lives on here until
it has."""


def _forget_thread(thread: QThread) -> None:
    if thread in _LIVE_THREADS:  # once: a second deleteLater would reach a deleted object
        _LIVE_THREADS.discard(thread)
        _LIVE_CANCELS.pop(thread, None)
        thread.deleteLater()


_LIVE_CANCELS: dict[QThread, list[CancelToken | None]] = {}
"""Each live run thread's cancel box (see `RunController._cancel_box`), so the application's end can stop
the run going in it."""
QUIT_WAIT_MS = 10_000
"""How long the application's end waits for a stopped run: a kernel run ends within its grace period (the
kernel is killed); a step in the studio's own process that never returns cannot be waited for."""


def wait_for_runs() -> None:
    """At application exit (connected to `aboutToQuit` when the first run thread starts): stop every run
    and let its thread end, so no QThread dies running (Qt aborts the process then) and no kernel run is
    left behind."""
    for thread in list(_LIVE_THREADS):
        box = _LIVE_CANCELS.get(thread)
        if box is not None and box[0] is not None:
            box[0].cancel()
        thread.quit()
        thread.wait(QUIT_WAIT_MS)


def _wait_at_quit() -> None:
    """Connect `wait_for_runs` to the application's end, once per application."""
    app = QCoreApplication.instance()
    if app is not None and not app.property("fancy-waits-for-runs"):
        app.setProperty("fancy-waits-for-runs", True)
        app.aboutToQuit.connect(wait_for_runs)


def _orphan(cancel_box: list[CancelToken | None], thread: QThread) -> None:
    """The controller is gone: cancel its run and let the thread end on its own."""
    if cancel_box[0] is not None:
        cancel_box[0].cancel()
    if thread in _LIVE_THREADS:
        try:
            thread.quit()
        except RuntimeError:  # at the application's end Qt may have deleted the thread already
            _LIVE_THREADS.discard(thread)


class RunController(QObject):
    """One run at a time for one document; the status model says how each step fared."""

    running_changed = Signal(bool)
    finished = Signal(object)
    """The `RunOutcome`, once the run is over and the document unlocked."""
    _requested = Signal(object)  # to the worker, across threads

    def __init__(self, document: WorkflowDocument, store: DatumStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.store = store
        self.kernel_link: KernelLink | None = None
        """Where steps run when set: a kernel process (see `kernel_link.py`); None: on the run thread."""
        self.executor: dict | None = None
        """Where runs send their steps (a Dask cluster's description, see `kernel.executors`); None: the
        kernel, or the run thread. Set by Workflow ▸ Run On."""
        from fancy_studio.kernel.executors import ExecutorKeeper  # plain Python: Dask only when used

        self.executors = ExecutorKeeper()
        """The Dask client runs on the run thread use, kept between runs (a kernel keeps its own)."""
        self.reload_store: Callable[[], object] | None = None
        """Called when a run in the kernel has ended, before the run's end is shown: the kernel wrote the
        store's file from its own process, so the window opens the file afresh (and hands the store round
        with `set_store`)."""
        self.status = RunStatusModel(store, self)
        self.status.watch(document)
        self.elapsed = QElapsedTimer()
        self._cancel_box: list[CancelToken | None] = [None]
        """The current run's token, in a box a destroyed-callback can reach without `self`."""
        self._after_stop: list[Callable[[], object]] = []
        self._thread: QThread | None = None
        self._worker: RunWorker | None = None

    @property
    def _cancel(self) -> CancelToken | None:
        return self._cancel_box[0]

    @property
    def running(self) -> bool:
        return self._cancel is not None

    @property
    def stopping(self) -> bool:
        return self._cancel is not None and self._cancel.cancelled

    def start(self, targets: Iterable[UUID] | None = None, *, reuse: bool = True) -> bool:
        """Run the document's workflow (only `targets` and what they need, if given); False if busy.
        `reuse=False` recomputes every step rather than reusing stored results (Run All Again)."""
        if self.running:
            return False
        self._ensure_thread()
        self._cancel_box[0] = CancelToken()
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, RUN_SWITCH_INTERVAL))
        self.document.undo_stack.lock(LOCK_REASON)
        self.status.clear(starting=True)
        self.elapsed.start()
        request = RunRequest(self.document.workflow, self.store,
                             list(targets) if targets is not None else None, self._cancel, reuse=reuse,
                             folder=self.document.folder, executor=self.executor, executors=self.executors)
        store_path = getattr(self.store, "path", None)
        if self.kernel_link is not None and self.kernel_link.available and store_path is not None:
            self.store.follow()  # type: ignore[attr-defined]  # the kernel writes the file: read it from there
            request.kernel, request.store_path = self.kernel_link.kernel, store_path
        self._requested.emit(request)  # the worker starts checking while the window shows the run
        self.running_changed.emit(True)
        return True

    def set_store(self, store: DatumStore) -> None:
        """Run on `store` from now on (another workflow's); never while a run goes."""
        if self.running:
            raise RuntimeError("cannot change the store while a run goes")
        self.store = store
        self.status.set_store(store)

    def stop(self) -> None:
        """Ask the run to stop: no further step starts; the one running finishes first."""
        if self._cancel is not None:
            self._cancel.cancel()

    def when_stopped(self, action: Callable[[], object]) -> None:
        """Call `action` once no run is going: now if idle, else when the current run has ended."""
        if self.running:
            self._after_stop.append(action)
        else:
            action()

    def shutdown(self) -> None:
        """Stop any run and end the thread, waiting for it (the window is going away); then the kernel."""
        self.stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            _forget_thread(self._thread)
            self._thread = None
        if self.kernel_link is not None:
            self.kernel_link.shutdown()
        self.executors.close()  # a local cluster the run thread started: its processes end

    # --- worker signals (queued: they arrive on the GUI thread) ----------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        box = self._cancel_box
        thread = self._thread = QThread()  # no parent: see _LIVE_THREADS
        thread.setObjectName("fancy-run")
        _LIVE_THREADS.add(thread)
        _LIVE_CANCELS[thread] = box
        _wait_at_quit()
        self._worker = RunWorker()
        self._worker.moveToThread(thread)
        thread.finished.connect(self._worker.deleteLater)
        thread.finished.connect(lambda: _forget_thread(thread))
        self.destroyed.connect(lambda: _orphan(box, thread))
        self._requested.connect(self._worker.run)
        self._worker.planned.connect(self._planned)
        self._worker.events.connect(self.status.apply)
        self._worker.finished.connect(self._finished)
        thread.start()

    def _planned(self, step_ids: list[UUID]) -> None:
        self.status.begin(step_ids)

    def _finished(self, outcome: RunOutcome) -> None:
        self._cancel_box[0] = None
        if outcome.in_kernel and self.reload_store is not None:
            self.reload_store()  # the values the kernel wrote, before the canvas shows the run's end
        self.status.take_workers(outcome.workers)
        self.status.end(outcome.result)
        if outcome.in_kernel:
            self.status.values_reloaded()  # a node drawn while the kernel ran may show an unfinished write
        sys.setswitchinterval(self._switch_interval)
        self.document.undo_stack.unlock()
        self.running_changed.emit(False)
        self.finished.emit(outcome)
        actions, self._after_stop = self._after_stop, []
        for action in actions:
            action()
