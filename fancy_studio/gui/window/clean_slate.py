"""A document that replaces another starts from a clean slate: nothing of the last document's run, a
fresh view, and the new workflow's own stored results that are still valid for it.

Every way the window's workflow is replaced (New, Open, Open Recent, a dropped file, an example, a
restored crash) ends in `WorkflowDocument.replace`, so this listens there and nowhere else. The store is
switched on `about_to_reset`, *before* the canvas redraws: the canvas draws a cell's computed value from
the store, so a store switched after the redraw would leave the last document's values on the new nodes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF

from fancy_studio.core import DatumStore, Workflow
from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.datums.panel import DatumPanel
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.panels.problems import ProblemsPanel
from fancy_studio.gui.run.progress import RunProgress
from fancy_studio.gui.run.controller import RunController
from fancy_studio.gui.window.workflow_stores import WorkflowStores


class CleanSlate(QObject):
    """Forgets the last run (step states, Datums, Problems, the status bar's summary) and the last view
    (zoom and scroll) whenever the document's workflow is replaced, and opens the new workflow's store."""

    def __init__(self, document: WorkflowDocument, *, stores: WorkflowStores, runner: RunController,
                 datums: DatumPanel, problems: ProblemsPanel, progress: RunProgress, view: WorkflowView,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document, self.stores, self.runner, self.status = document, stores, runner, runner.status
        self.datums, self.problems, self.progress, self.view = datums, problems, progress, view
        stores.changed.connect(self._use_store)
        document.about_to_reset.connect(self.forget_run)
        document.reset.connect(self.fresh_view)  # after the view's own fit (connected when it was made)

    def forget_run(self, incoming: Workflow) -> None:
        """Nothing the last run computed or reported is shown any more; `incoming`'s store takes over."""
        self.status.clear()  # step nodes of the old workflow go idle (the canvas is about to be rebuilt)
        self.open_store(incoming)
        for viewer in list(self.datums.viewers.values()):
            viewer.close()  # a value of the last run, in a window of its own
        self.problems.clear()
        self.progress.clear()

    def open_store(self, workflow: Workflow) -> None:
        """Run on, and show, `workflow`'s own store (what is still valid of its last run)."""
        self.stores.open_for(workflow)

    def _use_store(self, store: DatumStore) -> None:
        self.runner.set_store(store)
        self.datums.set_store(store, same_file=self.stores.reloading)  # quietly: no news for the canvas

    def fresh_view(self) -> None:
        """The new workflow is fitted (the view did that); an empty one is shown at 100 % around the
        origin, not at the last document's zoom and scroll."""
        if self.document.workflow.steps or self.document.workflow.cells:
            return
        self.view.set_zoom(1.0)
        self.view.centerOn(QPointF(0, 0))
