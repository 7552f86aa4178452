"""Start the studio: the application object and the first window (which applies the saved theme)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from fancy_studio.resources import default_example

if TYPE_CHECKING:
    from fancy_studio.gui.window.main_window import MainWindow

DEFAULT_EXAMPLE = default_example()


def main(argv: list[str], functions_files: Sequence[str] = ()) -> int:
    """Open the studio on `argv[0]` (a workflow file) or on the bundled example, with `functions_files`
    (`--functions`) loaded for this session; return the exit code."""
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "fancy-studio"])
    app.setApplicationName("Fancy Studio")
    app.setApplicationDisplayName("Fancy Studio")
    app.setOrganizationName("FancyStudio")  # the window applies the saved theme before it is shown

    window = open_window(argv, functions_files)
    code = app.exec()
    del window  # kept referenced until the event loop ends
    return int(code)


def open_window(argv: list[str], functions_files: Sequence[str] = ()) -> MainWindow:
    """Show the window at once, then build it and open the file (or the example) on the next turn.

    The frame is on screen after PySide's own start-up; the studio's imports (the core's pydantic
    models, the canvas, the docks: about two thirds of the start-up time) come after it.
    """
    from fancy_studio.gui.window.main_window import MainWindow

    window = MainWindow(build=False)
    window.show()
    QApplication.processEvents()  # the frame is exposed and painted before the studio is built
    files = [a for a in argv if not a.startswith("-")]
    target = Path(files[0]) if files else DEFAULT_EXAMPLE  # an example opens as an untitled copy (Save asks)

    def finish() -> None:
        window.build()
        window.functions_files.load_for_session(functions_files)  # before the workflow that uses them
        if window.offer_recovery():
            return  # the crashed session's work, in place of the file
        if target.exists() or files:
            window.open_workflow(target)
        window.view.zoom_to_fit()

    QTimer.singleShot(0, window, finish)
    return window
