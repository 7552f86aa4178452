"""Which viewer opens a value from the Datums dock: a table viewer for a table, else the text viewer.

`open_viewer_for(context)` asks each branch in `BRANCHES` in turn; the first that returns a dialog wins,
and None from all of them means the Datums dock's own `ValueViewer` (text, or a tree of lists and dicts).

A branch is a function `(ViewerContext) -> QDialog | None`. It must decide cheaply from `context.cell.value`,
which may be a `StoredSummary` (a large value left on disk: decide by its `type_name` and `preview`), and
load the whole value only once it knows the value is its kind (`context.whole_value()`: that reads and
decodes it in the studio's process). The dialog it returns must emit `finished` when it closes (any
`QDialog` does): the dock forgets it then.

To add a branch (an image viewer, a plot viewer):

    def open_image(context: ViewerContext) -> QDialog | None:
        if not looks_like_image(context.cell.value):
            return None
        from fancy_studio.gui.viewers.image_viewer import ImageViewer   # imported when first needed
        return ImageViewer(context.whole_value(), context.title, context.parent)

    BRANCHES.insert(0, open_image)   # or add it to the list literal below

Import heavy modules inside the branch, never at this module's top: the dock imports this at start-up.
A branch may raise what `whole_value` raises (`FancyError`, `sqlite3.Error`): the dock reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QDialog, QWidget

from fancy_studio.core.value_summary import whole_value

if TYPE_CHECKING:
    from fancy_studio.core.store import Cell, DatumStore


@dataclass
class ViewerContext:
    """What a branch knows of the value to show: the cell (its value maybe a `StoredSummary`), the store
    it is read from, the dialog's parent, and the kernel that can serve a table's pages (None when steps
    run in the studio's process or there is no kernel: then a viewer reads the whole value here)."""

    cell: Cell
    store: DatumStore
    parent: QWidget
    kernel: Any = None
    """A `fancy_studio.kernel.Kernel` that holds the store's file, or None."""

    @property
    def title(self) -> str:
        return self.cell.alias or str(self.cell.id)

    @property
    def store_path(self) -> str | None:
        path = getattr(self.store, "path", None)
        return None if path is None else str(path)

    def whole_value(self) -> Any:
        """The whole value, read from the store now if the cell holds only its summary."""
        return whole_value(self.store, self.cell)


Branch = Callable[[ViewerContext], "QDialog | None"]


def open_table(context: ViewerContext) -> QDialog | None:
    """A table (a DataFrame, a Series, a pyarrow Table, a 2-D array, a list of dicts) in the table viewer."""
    from fancy_studio.core.table_source import looks_like_table

    if not looks_like_table(context.cell.value):
        return None
    from fancy_studio.gui.viewers.table_viewer import open_table_viewer

    return open_table_viewer(context)


def open_image(context: ViewerContext) -> QDialog | None:
    """A picture (an `Image`, PNG bytes, a matplotlib Figure, a PIL image) in the image viewer."""
    from fancy_studio.gui.viewers.image_viewer import ImageViewer, looks_like_image

    if not looks_like_image(context.cell.value):
        return None
    try:
        return ImageViewer(context.whole_value(), context.title, context.parent)
    except (TypeError, ValueError):  # PNG bytes that do not decode: the text viewer shows what they are
        return None


BRANCHES: list[Branch] = [open_image, open_table]
"""Asked in order; the first dialog returned is shown."""


def open_viewer_for(context: ViewerContext) -> QDialog | None:
    """The viewer of the first branch that takes the value; None: the dock's text viewer shows it."""
    for branch in BRANCHES:
        viewer = branch(context)
        if viewer is not None:
            return viewer
    return None
