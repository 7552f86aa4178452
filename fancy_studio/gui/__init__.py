"""The studio: a PySide6 node-graph editor over the core's workflow model.

`MainWindow` is imported lazily so `import fancy_studio.gui` stays cheap (the CLI imports it only to
open the window).
"""

from typing import Any

__all__ = ["MainWindow"]


def __getattr__(name: str) -> Any:
    if name == "MainWindow":
        from fancy_studio.gui.window.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
