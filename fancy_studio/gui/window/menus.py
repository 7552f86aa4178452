"""Where a studio window's actions go: the menu bar, the toolbar, and their icons.

The actions, and what they do, are the window's (`MainWindow._build_actions`); this module only lays
them out, so the menus can be read in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu

from fancy_studio.gui.window.help_dialogs import show_about
from fancy_studio.gui.window.recent_files import RecentFiles
from fancy_studio.resources import examples_dir, icons_dir

if TYPE_CHECKING:
    from fancy_studio.gui.window.main_window import MainWindow


def example_files() -> list[Path]:
    folder = examples_dir()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def build_menus(window: MainWindow, settings_factory: Callable[[], QSettings]) -> None:
    """File, Edit, Workflow, View and Help, then the toolbar; gives `window` its recent-files list."""
    bar = window.menuBar()
    file_menu = _menu(bar, "&File", "file-menu")
    file_menu.addActions([window.new_action, window.open_action])
    window.recent_menu = _menu(file_menu, "Open &Recent", "recent-menu")
    window.recent = RecentFiles(window.recent_menu, window._open_confirmed, settings_factory, window)
    window.examples_menu = _menu(file_menu, "&Examples", "examples-menu")
    examples = example_files()
    for path in examples:
        action = window.examples_menu.addAction(path.stem.replace("_", " ").title())
        action.setObjectName(f"example-{path.stem}-action")
        action.triggered.connect(lambda _=False, p=path: window._open_confirmed(p))
    window.examples_menu.setEnabled(bool(examples))
    file_menu.addSeparator()
    file_menu.addActions([window.save_action, window.save_as_action])
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)

    edit_menu = _menu(bar, "&Edit", "edit-menu")
    edit_menu.addActions([window.undo_action, window.redo_action])
    edit_menu.addSeparator()
    edit_menu.addActions([window.cut_action, window.copy_action, window.paste_action, window.duplicate_action])
    edit_menu.addSeparator()
    edit_menu.addActions([window.rename_action, window.delete_action, window.select_all_action])
    edit_menu.addSeparator()
    edit_menu.addActions([window.find_action, window.find_next_action, window.find_previous_action])

    workflow_menu = _menu(bar, "&Workflow", "workflow-menu")
    workflow_menu.addActions(window.run_actions.actions)

    view_menu = _menu(bar, "&View", "view-menu")
    view_menu.addActions([window.zoom_in_action, window.zoom_out_action, window.zoom_fit_action,
                          window.zoom_selection_action, window.actual_size_action])
    view_menu.addSeparator()
    view_menu.addActions([window.auto_layout_action, window.snap_action])
    view_menu.addSeparator()
    view_menu.addActions([dock.toggleViewAction() for dock in window._docks.values()])

    help_menu = _menu(bar, "&Help", "help-menu")
    help_menu.addAction(window._action("shortcuts-action", "&Keyboard Shortcuts", window.show_shortcuts,
                                       QKeySequence.StandardKey.HelpContents, "Every shortcut, with a filter (F1)"))
    help_menu.addAction(window._action("about-action", "&About Fancy Studio", lambda: show_about(window), None))

    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main-toolbar")
    toolbar.toggleViewAction().setObjectName("show-toolbar-action")
    toolbar.addActions([window.new_action, window.open_action, window.save_action])
    toolbar.addSeparator()
    toolbar.addActions([window.run_actions.run_action, window.run_actions.stop_action])
    toolbar.addSeparator()
    toolbar.addActions([window.undo_action, window.redo_action, window.delete_action])
    toolbar.addSeparator()
    toolbar.addActions([window.zoom_in_action, window.zoom_out_action, window.zoom_fit_action,
                        window.auto_layout_action])
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    _apply_icons(window)
    view_menu.addAction(toolbar.toggleViewAction())


def name_separators(window: MainWindow) -> None:
    """Separators are QActions too; name them so every action is findable."""
    for action in window.findChildren(QAction):
        if not action.objectName() and action.isSeparator():
            action.setObjectName("separator")


def _apply_icons(window: MainWindow) -> None:
    """Give each action the icon `resources/icons/<name>.svg` named after its objectName."""
    for action in window.findChildren(QAction):
        icon = icons_dir() / f"{action.objectName().removesuffix('-action')}.svg"
        if icon.is_file():
            action.setIcon(QIcon(str(icon)))


def _menu(parent, title: str, name: str) -> QMenu:
    menu = parent.addMenu(title)
    menu.setObjectName(name)
    menu.menuAction().setObjectName(f"{name}-action")
    return menu
