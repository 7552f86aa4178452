"""Bundled examples open as untitled copies: the packaged files are read, never written.

An example lives in the installation (site-packages for a normal install), shared by every user and
replaced by the next upgrade. Whichever way it is opened (File ▸ Examples, a start with no file, its
path on the command line, Open, Open Recent, a drop), the window gets its workflow with no file behind
it, so Save asks where to put the user's own copy.

Examples that read and write files name them relative to the workflow (`data/sales.csv`). The untitled copy
runs in a folder of the user's own, "Fancy Studio Examples" in Documents, where the example data is copied
(never over a file already there: the user may have changed it); so what the example writes lands there
too, where the user can find it. Saving the copy elsewhere takes the data files it needs along.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtCore import QObject

from fancy_studio.core import load_workflow
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.window.save_folders import documents_folder
from fancy_studio.resources import examples_dir, is_bundled

FOLDER_ENV = "FANCY_STUDIO_EXAMPLES_FOLDER"
"""Overrides where example copies run (tests point it at a temporary folder)."""
DATA = "data"


def examples_work_folder() -> Path:
    """Where an untitled example copy reads and writes its files: Documents/Fancy Studio Examples."""
    override = os.environ.get(FOLDER_ENV)
    return Path(override) if override else documents_folder() / "Fancy Studio Examples"


def copy_example_data(target: Path) -> None:
    """Copy the bundled example data files into `target`/data, leaving any file already there alone."""
    source = examples_dir() / DATA
    if not source.is_dir():
        return
    (target / DATA).mkdir(parents=True, exist_ok=True)
    for file in sorted(source.iterdir()):
        destination = target / DATA / file.name
        if file.is_file() and not destination.exists():
            shutil.copyfile(file, destination)


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
        document.path_changed.connect(self._saved)

    def open(self, path: Path) -> None:
        """Open `path` (raises as `WorkflowDocument.open` does, changing nothing)."""
        if not is_bundled(path):
            self.document.open(path)
            return
        workflow = load_workflow(path)  # raises before the document changes
        self.document.replace(workflow, None)
        self.source = path
        folder = examples_work_folder()
        try:
            copy_example_data(folder)
        except OSError:  # a read-only or full disk: the example still opens; its reads say what is missing
            pass
        self.document.untitled_folder = folder

    def _saved(self, path: Path | None) -> None:
        """The example copy was saved: its data files go along, so it still runs from its new folder."""
        if path is None or self.source is None:
            return
        try:
            copy_example_data(Path(path).resolve().parent)
        except OSError:
            pass

    @property
    def title(self) -> str | None:
        """The untitled copy's name, or None when the document is not a copy of an example."""
        return example_title(self.source) if self.source is not None and self.document.path is None else None

    def _forget(self, _incoming: object = None) -> None:
        self.source = None
