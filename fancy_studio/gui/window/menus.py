"""Where a studio window's actions go: the menu bar, the toolbar, and their icons.

The actions, and what they do, are the window's (`MainWindow._build_actions`, `RunActions`); this module
only lays them out, so the menus can be read in one place. It finds them by objectName among the
window's own actions and is given the rest (how to open a file, the docks, the shortcuts list), so it
knows the window only as a `QMainWindow`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

from fancy_studio.gui.window.help_dialogs import show_about
from fancy_studio.gui.window.recent_files import RecentFiles
from fancy_studio.gui.window.theme import add_theme_menu
from fancy_studio.gui.window_action import window_action
from fancy_studio.resources import examples_dir, icons_dir


def example_files() -> list[Path]:
    folder = examples_dir()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


@dataclass(frozen=True)
class FileMenus:
    """What the window keeps of its menus: File's two lists of files to open."""

    recent_menu: QMenu
    recent: RecentFiles
    examples_menu: QMenu


def build_menus(window: QMainWindow, *, open_file: Callable[[Path], object], docks: Iterable[QDockWidget],
                show_shortcuts: Callable[[], object], settings_factory: Callable[[], QSettings]) -> FileMenus:
    """File, Edit, Workflow, Datums, View and Help, then the toolbar.

    `open_file` opens a recent file or an example (asking first about unsaved changes); `docks` get a
    show/hide entry in View; `show_shortcuts` is Help ▸ Keyboard Shortcuts."""
    def named(*names: str) -> list[QAction]:
        return [_action_named(window, name) for name in names]

    bar = window.menuBar()
    file_menu = _menu(bar, "&File", "file-menu")
    file_menu.addActions(named("new-action", "open-action"))
    recent_menu = _menu(file_menu, "Open &Recent", "recent-menu")
    recent = RecentFiles(recent_menu, open_file, settings_factory, window)
    examples_menu = _menu(file_menu, "&Examples", "examples-menu")
    examples = example_files()
    for path in examples:
        action = examples_menu.addAction(path.stem.replace("_", " ").title())
        action.setObjectName(f"example-{path.stem}-action")
        action.triggered.connect(lambda _=False, p=path: open_file(p))
    examples_menu.setEnabled(bool(examples))
    file_menu.addSeparator()
    file_menu.addActions(named("add-functions-file-action", "functions-files-action"))
    file_menu.addSeparator()
    file_menu.addActions(named("save-action", "save-as-action"))
    file_menu.addSeparator()
    file_menu.addActions(named("quit-action"))

    edit_menu = _menu(bar, "&Edit", "edit-menu")
    edit_menu.addActions(named("undo-action", "redo-action"))
    edit_menu.addSeparator()
    edit_menu.addActions(named("cut-action", "copy-action", "paste-action", "duplicate-action"))
    edit_menu.addSeparator()
    edit_menu.addActions(named("rename-action", "bypass-action", "delete-action", "select-all-action"))
    edit_menu.addSeparator()
    edit_menu.addActions(named("group-action", "ungroup-action", "enter-group-action", "leave-group-action",
                               "rename-group-action"))
    edit_menu.addActions(named("add-frame-action", "add-note-action"))
    edit_menu.addSeparator()
    edit_menu.addActions(named("find-action", "find-next-action", "find-previous-action"))

    workflow_menu = _menu(bar, "&Workflow", "workflow-menu")
    workflow_menu.addActions(named("run-action", "run-selected-action", "run-all-again-action", "stop-action"))
    workflow_menu.addSeparator()
    run_on_menu = _menu(workflow_menu, "Run &On", "run-on-menu")
    run_on_menu.setToolTipsVisible(True)  # a disabled entry says how to install Dask
    run_on_menu.addActions(named("run-on-machine-action", "run-on-local-cluster-action",
                                 "run-on-scheduler-action"))
    run_on_menu.addSeparator()
    run_on_menu.addActions(named("cluster-settings-action"))
    workflow_menu.addActions(named("restart-kernel-action"))

    datums_menu = _menu(bar, "&Datums", "datums-menu")
    datums_menu.addActions(named("show-lineage-action"))
    datums_menu.addSeparator()
    datums_menu.addActions(named("clear-stored-results-action", "store-limit-action"))
    datums_menu.addSeparator()
    datums_menu.addActions(named("export-datums-action"))

    view_menu = _menu(bar, "&View", "view-menu")
    view_menu.addActions(named("zoom-in-action", "zoom-out-action", "zoom-fit-action", "zoom-selection-action",
                               "actual-size-action", "minimap-action"))
    view_menu.addSeparator()
    view_menu.addActions(named("auto-layout-action"))
    align_menu = _menu(view_menu, "A&lign", "align-menu")
    align_menu.addActions(named("align-left-action", "align-right-action", "align-top-action", "align-bottom-action",
                                "align-horizontal-centres-action", "align-vertical-centres-action"))
    align_menu.addSeparator()
    align_menu.addActions(named("distribute-horizontally-action", "distribute-vertically-action"))
    view_menu.addActions(named("snap-action"))
    view_menu.addSeparator()
    view_menu.addActions([dock.toggleViewAction() for dock in docks])

    settings_menu = _menu(bar, "&Settings", "settings-menu")
    run_in_menu = _menu(settings_menu, "&Run Steps In", "run-in-menu")
    run_in_menu.addActions(named("run-in-kernel-action", "run-in-studio-action"))
    settings_menu.addActions(named("cluster-settings-action"))

    help_menu = _menu(bar, "&Help", "help-menu")
    help_menu.addAction(_new_action(window, "shortcuts-action", "&Keyboard Shortcuts", show_shortcuts,
                                    QKeySequence.StandardKey.HelpContents, "Every shortcut, with a filter (F1)"))
    help_menu.addAction(_new_action(window, "about-action", "&About Fancy Studio", lambda: show_about(window)))

    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main-toolbar")
    toolbar.toggleViewAction().setObjectName("show-toolbar-action")
    toolbar.addActions(named("new-action", "open-action", "save-action"))
    toolbar.addSeparator()
    toolbar.addActions(named("run-action", "stop-action"))
    toolbar.addSeparator()
    toolbar.addActions(named("undo-action", "redo-action", "delete-action"))
    for action, label in zip(named("undo-action", "redo-action"), ("Undo", "Redo")):
        action.setIconText(label)  # the button keeps its size; the menu and tooltip say what it undoes
    toolbar.addSeparator()
    toolbar.addActions(named("zoom-in-action", "zoom-out-action", "zoom-fit-action", "auto-layout-action"))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    _apply_icons(window)
    view_menu.addAction(toolbar.toggleViewAction())
    view_menu.addSeparator()
    view_menu.addActions(named("reset-layout-action"))
    add_theme_menu(view_menu, settings_factory)
    return FileMenus(recent_menu, recent, examples_menu)


def _action_named(window: QMainWindow, name: str) -> QAction:
    action = window.findChild(QAction, name, Qt.FindChildOption.FindDirectChildrenOnly)
    if action is None:
        raise LookupError(f"the window has no action named {name!r} to put in its menus")
    return action


def _new_action(window: QMainWindow, name: str, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    """An action of the window's own (the standard key's first binding, as the window's do)."""
    return window_action(window, name, text, slot, [QKeySequence(shortcut)] if shortcut is not None else (), tip)


def name_separators(window: QMainWindow) -> None:
    """Separators are QActions too; name them so every action is findable."""
    for action in window.findChildren(QAction):
        if not action.objectName() and action.isSeparator():
            action.setObjectName("separator")


def _apply_icons(window: QMainWindow) -> None:
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
