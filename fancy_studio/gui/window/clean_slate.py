"""A document that replaces another starts from a clean slate: nothing of the last run, a fresh view.

Every way the window's workflow is replaced (New, Open, Open Recent, a dropped file, an example, a
restored crash) ends in `WorkflowDocument.replace`, so this listens there and nowhere else. The last run
is forgotten on `about_to_reset`, *before* the canvas redraws: the canvas draws a cell's computed value
from the store, and cell ids match between a file and its copies, so a store cleared after the redraw
would leave the old values on the new document's nodes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF

from fancy_studio.core import InMemoryStore
from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.datums.panel import DatumPanel
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.panels.problems import ProblemsPanel
from fancy_studio.gui.run.progress import RunProgress
from fancy_studio.gui.run.status import RunStatusModel


class CleanSlate(QObject):
    """Forgets the last run (store, step states, Datums, Problems, the status bar's summary) and the last
    view (zoom and scroll) whenever the document's workflow is replaced."""

    def __init__(self, document: WorkflowDocument, *, store: InMemoryStore, status: RunStatusModel,
                 datums: DatumPanel, problems: ProblemsPanel, progress: RunProgress, view: WorkflowView,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document, self.store, self.status = document, store, status
        self.datums, self.problems, self.progress, self.view = datums, problems, progress, view
        document.about_to_reset.connect(self.forget_run)
        document.reset.connect(self.fresh_view)  # after the view's own fit (connected when it was made)

    def forget_run(self) -> None:
        """Nothing the last run computed or reported is shown any more."""
        self.store.clear()
        self.status.clear()  # step nodes of the old workflow go idle (the canvas is about to be rebuilt)
        self.datums.set_store(self.store)  # an empty table (quietly: no selection news for the canvas)
        for viewer in list(self.datums.viewers.values()):
            viewer.close()  # a value of the last run, in a window of its own
        self.problems.clear()
        self.progress.clear()

    def fresh_view(self) -> None:
        """The new workflow is fitted (the view did that); an empty one is shown at 100 % around the
        origin, not at the last document's zoom and scroll."""
        if self.document.workflow.steps or self.document.workflow.cells:
            return
        self.view.set_zoom(1.0)
        self.view.centerOn(QPointF(0, 0))
