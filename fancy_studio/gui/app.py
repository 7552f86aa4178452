"""Start the studio: the application object, a look that follows the system, and the first window."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from fancy_studio.resources import default_example

if TYPE_CHECKING:
    from fancy_studio.gui.window.main_window import MainWindow

DEFAULT_EXAMPLE = default_example()


def dark_palette() -> QPalette:
    """A Fusion dark palette: platform styles often ignore a dark scheme on Linux and Windows."""
    palette = QPalette()
    base, window, text = QColor(30, 30, 32), QColor(45, 45, 48), QColor(230, 230, 230)
    for role, color in ((QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
                        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
                        (QPalette.ColorRole.ToolTipBase, window), (QPalette.ColorRole.ToolTipText, text),
                        (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, window),
                        (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.BrightText, QColor("red")),
                        (QPalette.ColorRole.Link, QColor(90, 160, 255)),
                        (QPalette.ColorRole.Highlight, QColor(42, 130, 218)),
                        (QPalette.ColorRole.HighlightedText, QColor("black")),
                        (QPalette.ColorRole.PlaceholderText, QColor(140, 140, 140))):
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 120))
    return palette


def apply_color_scheme(app: QApplication) -> None:
    """Fusion everywhere for one consistent look; dark palette when the system asks for dark."""
    app.setStyle("Fusion")
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    app.setPalette(dark_palette() if scheme == Qt.ColorScheme.Dark else app.style().standardPalette())


def main(argv: list[str]) -> int:
    """Open the studio on `argv[0]` (a workflow file) or on the bundled example; return the exit code."""
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "fancy-studio"])
    app.setApplicationName("Fancy Studio")
    app.setApplicationDisplayName("Fancy Studio")
    app.setOrganizationName("FancyStudio")
    apply_color_scheme(app)
    if hasattr(QGuiApplication.styleHints(), "colorSchemeChanged"):
        QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _s: apply_color_scheme(app))

    window = open_window(argv)
    code = app.exec()
    del window  # kept referenced until the event loop ends
    return int(code)


def open_window(argv: list[str]) -> MainWindow:
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
        from fancy_studio.gui.run.controller import wait_for_runs

        QApplication.instance().aboutToQuit.connect(wait_for_runs)
        if window.offer_recovery():
            return  # the crashed session's work, in place of the file
        if target.exists() or files:
            window.open_workflow(target)
        window.view.zoom_to_fit()

    QTimer.singleShot(0, window, finish)
    return window
