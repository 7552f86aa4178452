"""Bundled examples open as untitled copies: the packaged files are read, never written.

An example lives in the installation (site-packages for a normal install), shared by every user and
replaced by the next upgrade. Whichever way it is opened (File ▸ Examples, a start with no file, its
path on the command line, Open, Open Recent, a drop), the window gets its workflow with no file behind
it, so Save asks where to put the user's own copy.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from fancy_studio.core import load_workflow
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.resources import is_bundled


def example_title(path: Path) -> str:
    """What the window calls an untitled copy of an example: "Temperature (example)"."""
    return f"{path.stem.replace('_', ' ').title()} (example)"


class ExampleCopies(QObject):
    """Opens files into `document`, a bundled one as an untitled copy; remembers which example the
    untitled document was copied from (until the workflow is replaced), for the window's title."""

    def __init__(self, document: WorkflowDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.source: Path | None = None
        """The example the open, untitled document is a copy of; None for any other document."""
        document.about_to_reset.connect(self._forget)

    def open(self, path: Path) -> None:
        """Open `path` (raises as `WorkflowDocument.open` does, changing nothing)."""
        if not is_bundled(path):
            self.document.open(path)
            return
        workflow = load_workflow(path)  # raises before the document changes
        self.document.replace(workflow, None)
        self.source = path

    @property
    def title(self) -> str | None:
        """The untitled copy's name, or None when the document is not a copy of an example."""
        return example_title(self.source) if self.source is not None and self.document.path is None else None

    def _forget(self, _incoming: object = None) -> None:
        self.source = None
