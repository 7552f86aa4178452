"""Opening a file is all or nothing: a file the canvas cannot show puts the previous workflow back.

Loading parses and checks the whole file before the document changes (`load_workflow`), so a bad file
never replaces the open workflow. What is left is the build: the document emits `reset`, the canvas
draws the new workflow, the view fits it. Should any of that raise (a bug, or a file the checks let
through that the canvas cannot draw), the window must not be left showing half of a workflow the user
never got: the previous workflow and its file come back (its undo history, cleared by the replace, does
not) and the error goes to the caller, which says so.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable

from fancy_studio.core import FancyError
from fancy_studio.gui.document.document import WorkflowDocument


def open_all_or_nothing(document: WorkflowDocument, open_file: Callable[[], None],
                        show: Callable[[], None]) -> None:
    """Run `open_file` (which replaces `document`'s workflow) then `show`; if either raises, restore the
    workflow and file `document` had before, then re-raise."""
    workflow, path = document.workflow, document.path
    try:
        open_file()
        show()
    except BaseException as exc:
        if document.workflow is not workflow:
            document.replace(workflow, path)
        if not isinstance(exc, (FancyError, OSError)):  # not a bad file: a bug, so keep its traceback
            traceback.print_exception(exc, file=sys.stderr)
        raise
