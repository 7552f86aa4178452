"""The window's actions: File, Edit and View ones, and the canvas's helpers they act through.

`build_actions` makes them as attributes of the window (`window.new_action`, `window.copy_action`, …),
each with an objectName, added to the window so their shortcuts work even when the menu bar is hidden.
It is given the window (never imports the main window); `menus.py` then lays them out.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow


def make_action(window: QMainWindow, name: str, text: str, slot=None, shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcut is not None:
        shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if tip:
        action.setStatusTip(tip)
    if slot is not None:
        action.triggered.connect(slot)
    window.addAction(action)  # shortcuts work even when the menu bar is hidden
    return action


def build_actions(window: QMainWindow) -> None:
    """Make the window's actions (and the find bar, inline rename, clipboard and canvas action groups)."""
    from fancy_studio.gui.canvas.auto_layout import layout_view
    from fancy_studio.gui.canvas.find_bar import FindBar
    from fancy_studio.gui.canvas.inline_rename import InlineRename
    from fancy_studio.gui.document.clipboard import ClipboardController
    stack = window.document.undo_stack
    a = partial(make_action, window)
    window.new_action = a("new-action", "&New", window.new_workflow, QKeySequence.StandardKey.New,
                        "Start an empty workflow")
    window.open_action = a("open-action", "&Open…", lambda: window.file_actions.open_dialog(),
                         QKeySequence.StandardKey.Open,
                         "Open a workflow file")
    window.save_action = a("save-action", "&Save", lambda: window.save_workflow(),
                         QKeySequence.StandardKey.Save, "Save the workflow")
    window.save_as_action = a("save-as-action", "Save &As…", lambda: window.file_actions.save_as_dialog(),
                            QKeySequence("Ctrl+Shift+S"), "Save the workflow under a new name")
    window.quit_action = a("quit-action", "&Quit", window.close, QKeySequence("Ctrl+Q"))
    window.undo_action = stack.createUndoAction(window, "&Undo")
    window.undo_action.setObjectName("undo-action")
    window.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
    window.redo_action = stack.createRedoAction(window, "&Redo")
    window.redo_action.setObjectName("redo-action")
    window.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)
    window.addActions([window.undo_action, window.redo_action])
    window.delete_action = a("delete-action", "&Delete", window.delete_selection,
                           [QKeySequence(QKeySequence.StandardKey.Delete),
                            QKeySequence(Qt.Key.Key_Backspace)],
                           "Delete the selected steps and cells")
    window.select_all_action = a("select-all-action", "Select &All", window.select_all,
                               QKeySequence("Ctrl+A"))
    window.find_bar = FindBar(window.document, window.view)
    window.find_action = a("find-action", "&Find…", window.find_bar.open, QKeySequence.StandardKey.Find,
                         "Find steps and cells by name (Ctrl+F)")
    window.find_next_action = a("find-next-action", "Find &Next", window.find_bar.find_next,
                              QKeySequence.StandardKey.FindNext)
    window.find_previous_action = a("find-previous-action", "Find Pre&vious", window.find_bar.find_previous,
                                  QKeySequence.StandardKey.FindPrevious)
    window.inline_rename = InlineRename(window.view, window.document)
    from fancy_studio.gui.canvas.bypass_actions import BypassActions
    from fancy_studio.gui.canvas.param_actions import ParamActions
    from fancy_studio.gui.canvas.param_editor import ParamEditor
    window.param_editor = ParamEditor(window.view, window.document)
    """A step's params edited on its node: a click on an input's field."""
    window.bypass_actions = BypassActions(window, window.view, window.document,
                                        lambda text: window.statusBar().showMessage(text, 5000))
    window.param_actions = ParamActions(window.view, window.document, window.bypass_actions.action)
    """Bypass (Ctrl+B), Convert to Cell and back: the node's menu."""
    window.rename_action = a("rename-action", "Re&name", window.rename_selected, QKeySequence(Qt.Key.Key_F2),
                           "Rename the selected step or cell where it is drawn (F2 or double-click)")
    window.zoom_in_action = a("zoom-in-action", "Zoom &In", window.view.zoom_in,
                            QKeySequence.StandardKey.ZoomIn)
    window.zoom_out_action = a("zoom-out-action", "Zoom &Out", window.view.zoom_out,
                             QKeySequence.StandardKey.ZoomOut)
    window.zoom_fit_action = a("zoom-fit-action", "Zoom to &Fit", window.view.zoom_to_fit,
                             QKeySequence("Ctrl+0"))
    window.zoom_selection_action = a("zoom-selection-action", "Zoom to &Selection",
                                   window.view.zoom_to_selection, QKeySequence("Ctrl+9"))
    window.actual_size_action = a("actual-size-action", "&Actual Size", window.view.zoom_to_actual_size,
                                QKeySequence("Ctrl+1"), "Zoom to 100 %")
    window.clipboard_controller = ClipboardController(window.document, window.scene, window)
    clip = window.clipboard_controller
    window.copy_action = a("copy-action", "&Copy", window.copy, QKeySequence.StandardKey.Copy,
                         "Copy the selected steps and cells (or, in the Datums table, the selected values)")
    window.cut_action = a("cut-action", "Cu&t", clip.cut, QKeySequence.StandardKey.Cut,
                        "Cut the selected steps and cells")
    window.paste_action = a("paste-action", "&Paste", clip.paste, QKeySequence.StandardKey.Paste,
                          "Paste steps and cells with fresh ids")
    window.duplicate_action = a("duplicate-action", "D&uplicate", clip.duplicate, QKeySequence("Ctrl+D"),
                              "Duplicate the selected steps and cells")
    window.auto_layout_action = a("auto-layout-action", "&Auto Layout", lambda: layout_view(window.view),
                                QKeySequence("Ctrl+L"),
                                "Arrange the graph (or the selected nodes) left to right by dependency")
    window.snap_action = a("snap-action", "Snap to &Grid", None, None,
                         "Dragged nodes land on the 20 px grid")
    window.snap_action.setCheckable(True)
    window.snap_action.setChecked(window.scene.snap_to_grid)
    window.snap_action.toggled.connect(lambda on: setattr(window.scene, "snap_to_grid", on))
    window.reset_layout_action = a("reset-layout-action", "&Reset Layout", window.window_layout.reset, None,
                                 "Put the docks back where they were at the first start")
    from fancy_studio.gui.canvas.annotation_actions import AnnotationActions
    from fancy_studio.gui.canvas.annotation_editor import AnnotationEditor
    window.annotation_editor = AnnotationEditor(window.view, window.document)
    """A frame's title or a note's text, edited where it is drawn."""
    window.annotation_actions = AnnotationActions(window, window.view, window.document, window.annotation_editor)
    """Add Frame, Add Note, and the menu of a frame or note."""
    from fancy_studio.gui.canvas.group_actions import GroupActions
    window.group_actions = GroupActions(window, window.view, window.palette_widget, window._show_message)
    """Group, Ungroup, Enter and Leave Group (and the breadcrumb), the palette's "This workflow"."""
    from fancy_studio.gui.canvas.align import AlignActions
    window.align_actions = AlignActions(window, window.scene, window.document)
    """View ▸ Align: align and distribute the selected nodes, frames and notes."""
