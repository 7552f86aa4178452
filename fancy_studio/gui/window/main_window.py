"""The studio window: canvas in the centre, palette / inspector / history docks, menus and files.

The window owns one `WorkflowDocument` for its whole life (New and Open replace its workflow rather than
the object), so the canvas, inspector and history view stay bound to it. Every action has an
objectName so tests and saved toolbar state can find it.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from uuid import UUID

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget, QLabel, QMainWindow, QMessageBox, QToolButton, QUndoView, QWidget,
)

from fancy_studio.gui.window.actions import build_actions
from fancy_studio.gui.window.context_menu import show_canvas_menu
from fancy_studio.gui.window.layout_state import WindowLayout, restore_geometry
from fancy_studio.gui.window.private_files import keep_settings_private
from fancy_studio.gui.window.theme import FRAME_COLORS, apply_saved_theme, is_dark, sync_canvas_colors


if TYPE_CHECKING:  # imported for real by `_import_studio`, once the window frame is on screen
    from fancy_studio.core import DatumStore
    from fancy_studio.gui.window.workflow_stores import WorkflowStores
    from fancy_studio.gui.canvas import WorkflowView
    from fancy_studio.gui.datums.panel import DatumPanel
    from fancy_studio.gui.document.document import WorkflowDocument
    from fancy_studio.gui.window.clean_slate import CleanSlate
    from fancy_studio.gui.window.example_copies import ExampleCopies
    from fancy_studio.gui.window.file_actions import FileActions
    from fancy_studio.gui.window.file_drops import FileDrops
    from fancy_studio.gui.window.help_dialogs import ShortcutsDialog
    from fancy_studio.gui.panels.inspector import InspectorWidget
    from fancy_studio.gui.panels.palette import PaletteWidget
    from fancy_studio.gui.panels.problems import ProblemsPanel
    from fancy_studio.gui.canvas.quick_add import QuickAddController
    from fancy_studio.gui.run.actions import RunActions
    from fancy_studio.gui.run.kernel_actions import KernelActions
    from fancy_studio.gui.window.recovery import RecoveryWriter, offer_restore
    from fancy_studio.gui.run.controller import RunController
    from fancy_studio.gui.window.menus import build_menus, name_separators
    from fancy_studio.gui.window.save_folders import SaveFolders


def _import_studio() -> None:
    """Import what the studio is made of: the core (pydantic models), the canvas, the docks.

    About two thirds of start-up is these imports; a window built with `build=False` shows its frame
    first and calls this from `build()`, so the window is on screen before the imports are paid for.
    """
    global WorkflowStores, WorkflowView, DatumPanel
    global WorkflowDocument, FileDrops, InspectorWidget, PaletteWidget, ProblemsPanel
    global QuickAddController, ShortcutsDialog, build_menus, name_separators
    global RunActions, KernelActions, RunController, RecoveryWriter, offer_restore, CleanSlate, ExampleCopies, SaveFolders
    global FileActions
    from fancy_studio.gui.window.workflow_stores import WorkflowStores
    from fancy_studio.gui.canvas import WorkflowView
    from fancy_studio.gui.datums.panel import DatumPanel
    from fancy_studio.gui.document.document import WorkflowDocument
    from fancy_studio.gui.window.clean_slate import CleanSlate
    from fancy_studio.gui.window.example_copies import ExampleCopies
    from fancy_studio.gui.window.file_actions import FileActions
    from fancy_studio.gui.window.file_drops import FileDrops
    from fancy_studio.gui.window.help_dialogs import ShortcutsDialog
    from fancy_studio.gui.panels.inspector import InspectorWidget
    from fancy_studio.gui.panels.palette import PaletteWidget
    from fancy_studio.gui.panels.problems import ProblemsPanel
    from fancy_studio.gui.canvas.quick_add import QuickAddController
    from fancy_studio.gui.run.actions import RunActions
    from fancy_studio.gui.run.kernel_actions import KernelActions
    from fancy_studio.gui.window.recovery import RecoveryWriter, offer_restore
    from fancy_studio.gui.run.controller import RunController
    from fancy_studio.gui.window.menus import build_menus, name_separators
    from fancy_studio.gui.window.save_folders import SaveFolders


def settings() -> QSettings:
    """The studio's persistent settings (a function so tests can point it at a temporary file)."""
    return QSettings("FancyStudio", "Fancy Studio")


def settle_heap() -> None:
    """After a workflow is opened: collect once, then freeze what survives (the model, the canvas items).

    A big workflow is hundreds of thousands of long-lived objects; without this, every full collection
    (which any thread's allocations can trigger, a run's included) walks them all and stalls the window
    for ~100 ms at 10,000 steps. The last workflow's objects are unfrozen first, so they can be freed.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class MainWindow(QMainWindow):
    """One studio window editing one workflow document.

    `MainWindow()` is complete when constructed. `MainWindow(build=False)` is only the frame (title,
    saved geometry, an empty canvas-coloured centre) so that it can be shown at once; `build()` then
    imports and builds the rest and emits `built` (what `fancy-studio` does at start-up).
    """

    built = Signal()

    def __init__(self, parent: QWidget | None = None, *, build: bool = True) -> None:
        keep_settings_private(settings())  # 0600 in a 0700 folder: they name the user's files
        apply_saved_theme(settings())  # before the frame is made: no flash of the other look
        super().__init__(parent)
        self.setObjectName("main-window")
        self.setWindowTitle("Fancy Studio")
        self.is_built = False
        frame = QLabel("Fancy Studio\nloading…", self)
        frame.setObjectName("startup-frame")
        frame.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The canvas's own background, so there is no flash when the canvas takes its place.
        frame.setStyleSheet("background: %s; color: %s; font-size: 15pt;" % FRAME_COLORS[is_dark()])
        self.setCentralWidget(frame)
        self._restore_geometry()
        if build:
            self.build()

    def build(self) -> None:
        """Import and build the studio: canvas, docks, actions, menus (once)."""
        if self.is_built:
            return
        _import_studio()
        sync_canvas_colors()
        self.document = WorkflowDocument(parent=self)
        self.view = WorkflowView(self.document, self)
        self.view.setObjectName("workflow-view")
        self.scene = self.view.workflow_scene
        self.setCentralWidget(self.view)
        self.setAcceptDrops(True)
        self.file_drops = FileDrops(self._open_confirmed, self)
        self.view.external_drops = self.file_drops.take  # file drops land on the canvas viewport first

        self.recovery = RecoveryWriter(self.document, self)
        """Keeps unsaved edits in a recovery file, so a crash loses nothing."""
        self.workflow_stores = WorkflowStores(lambda: settings(), self)
        """The open workflow's store: its runs' datums and reusable results, kept between sessions."""
        self.runner = RunController(self.document, self.workflow_stores.current, self)
        from fancy_studio.gui.run.level_status import LevelRunStatus
        self.run_view = LevelRunStatus(self.runner.status, self.document, self)
        """The run as the level being edited shows it (a group's node sums up the steps inside it)."""
        self.scene.set_run_status(self.run_view)

        self.palette_widget = PaletteWidget(self)
        self.inspector = InspectorWidget(self.document, self, run_status=self.run_view)
        self.history = QUndoView(self.document.undo_stack, self)
        self.history.setEmptyLabel("<opened>")
        self.history.setObjectName("history-view")
        self.datums = DatumPanel(self.store, self._producer_title, self)
        self.datums.setObjectName("datum-panel")
        self.problems = ProblemsPanel(self)
        self.problems.setObjectName("problems-panel")
        self._docks = {}
        self._shortcuts_dialog: ShortcutsDialog | None = None
        for title, widget in (("Functions", self.palette_widget), ("Inspector", self.inspector),
                              ("History", self.history), ("Datums", self.datums), ("Problems", self.problems)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{title.lower()}-dock")
            dock.toggleViewAction().setObjectName(f"show-{title.lower()}-action")
            dock.setWidget(widget)
            self._docks[title] = dock
        self.window_layout = WindowLayout(self, self._docks, lambda: settings())
        """Where the docks are: the default arrangement, saved on quit, restored, reset."""
        self.window_layout.arrange_default()

        self._build_actions()
        self.run_actions = RunActions(self, self.runner, self.problems, selected_ids=self.scene.selected_ids,
                                      show_problems=self.show_problems,
                                      locked_while_running=[self.history, self.inspector])
        self.run_actions.translate_targets = self.run_view.run_targets  # inside a group: the flattened steps
        self.kernel_actions = KernelActions(self, self.runner, lambda: settings())
        """Where steps run (a kernel process by default), Restart Kernel, the kernel's state."""
        from fancy_studio.gui.run.cluster_actions import ClusterActions
        self.cluster_actions = ClusterActions(self, self.runner, lambda: settings())
        """Workflow ▸ Run On: this machine, a local Dask cluster or a scheduler; the status bar's word on it."""
        self.datums.viewer_kernel = self.kernel_actions.page_kernel  # a large table is paged by the kernel
        self.runner.reload_store = self.workflow_stores.reload  # after a run in the kernel
        self.run_actions.starting.connect(self.recovery.flush)  # the edit just before Run survives a fatal step
        self.clean_slate = CleanSlate(self.document, stores=self.workflow_stores, runner=self.runner,
                                      datums=self.datums, problems=self.problems,
                                      progress=self.run_actions.progress, view=self.view, parent=self)
        """Whatever replaces the workflow, nothing of the last run or the last view stays."""
        self.workflow_stores.changed.connect(self._store_changed)
        self.example_copies = ExampleCopies(self.document, self)
        """Opens files; a bundled example as an untitled copy, so Save never writes into the package."""
        self.save_folders = SaveFolders(lambda: settings())
        self.zoom_indicator = QToolButton(self)
        self.zoom_indicator.setObjectName("zoom-indicator")
        self.zoom_indicator.setAutoRaise(True)
        self.zoom_indicator.setToolTip("Zoom: click for actual size (Ctrl+1)")
        self.zoom_indicator.clicked.connect(lambda: self.view.zoom_to_actual_size())
        self.view.zoom_changed.connect(self._show_zoom)
        self._show_zoom(self.view.zoom())
        self.store_note = QLabel("Results not kept", self)
        self.store_note.setObjectName("store-note")
        self.store_note.setVisible(False)
        self.statusBar().addPermanentWidget(self.store_note)
        self.statusBar().addPermanentWidget(self.zoom_indicator)
        self.clean_slate.open_store(self.document.workflow)
        # lineage: Show Lineage on the canvas, the Datums menu's actions (before the menus), stale rows
        from fancy_studio.gui.canvas.lineage_highlight import LineageHighlight
        from fancy_studio.gui.datums.actions import DatumActions
        self.lineage_highlight = LineageHighlight(self.view)
        self.datum_actions = DatumActions(
            self, self.datums, store=lambda: self.store, settings_factory=lambda: settings(),
            show_lineage=self.lineage_highlight.show, canvas_selection=self.scene.selected_ids,
            message=lambda text: self.statusBar().showMessage(text, 6000))
        self.datums.watch_staleness(self.runner.status.stale_reason, self.runner.status.changed)
        # lineage end
        from fancy_studio.gui.canvas.minimap import Minimap, minimap_action
        self.minimap = Minimap(self.view)
        """View ▸ Minimap: the whole graph in the canvas's corner, to move around a large one."""
        self.minimap_action = minimap_action(self, self.minimap, lambda: settings())
        from fancy_studio.gui.window.functions_files import FunctionsFiles
        self.functions_files = FunctionsFiles(
            self, document=self.document, runner=self.runner, problems=self.problems,
            settings_factory=lambda: settings(), refresh_palette=self.palette_widget.reload_functions,
            redraw=self._redraw_nodes, restart_action=self.kernel_actions.restart_action)
        """File ▸ Add Functions File… and Functions Files…, the files a workflow names, reloads."""
        menus = build_menus(self, open_file=self._open_confirmed, docks=self._docks.values(),
                            show_shortcuts=self.show_shortcuts, settings_factory=lambda: settings())
        self.recent_menu, self.recent, self.examples_menu = menus.recent_menu, menus.recent, menus.examples_menu
        self.file_actions = FileActions(self, self.document, runner=self.runner, view=self.view,
                                        example_copies=self.example_copies, save_folders=self.save_folders,
                                        recent=self.recent, update_title=self._update_title)
        """New, Open, Save and their questions; the file methods below delegate to it."""
        self.file_actions.functions_files = self.functions_files

        self.palette_widget.function_activated.connect(self.add_step_at_centre)
        self.quick_add = QuickAddController(self.view, self.palette_widget.model, self._add_step)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.message.connect(self._show_message)
        self.view.canvas_double_clicked.connect(self._canvas_double_clicked)
        self.document.path_changed.connect(self._update_title)
        self.document.reset.connect(self._settle_after_reset)
        self.document.undo_stack.refused.connect(self._show_message)
        self.runner.running_changed.connect(self._running_changed)
        self.problems.node_activated.connect(self.show_node)
        self.datums.cells_selected.connect(self._datums_selected)
        self.datums.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.document.step_changed.connect(lambda _step_id: self.datums.model.refresh_titles())  # a rename
        self.view.context_menu_requested.connect(self._context_menu)
        self.view.node_double_clicked.connect(self._node_double_clicked)
        self.document.undo_stack.cleanChanged.connect(self._clean_changed)  # bound: no call after deletion
        self._update_title()
        name_separators(self)
        self.statusBar().showMessage("Ready", 3000)
        self._restore_dock_layout()
        self.is_built = True
        self.built.emit()

    # --- actions and menus -----------------------------------------------------------------------

    def _build_actions(self) -> None:
        build_actions(self)  # see `actions.py`

    def show_shortcuts(self) -> ShortcutsDialog:
        """The shortcuts list, read from the menus now (one window of it, brought to the front)."""
        if self._shortcuts_dialog is None:
            menus = [action.menu() for action in self.menuBar().actions() if action.menu() is not None]
            self._shortcuts_dialog = ShortcutsDialog(menus, self)
        else:
            self._shortcuts_dialog.reload()
        self._shortcuts_dialog.show()
        self._shortcuts_dialog.raise_()
        self._shortcuts_dialog.activateWindow()
        return self._shortcuts_dialog

    # --- files -----------------------------------------------------------------------------------

    def _stop_run_then(self, what: str, action) -> bool:
        return self.file_actions.stop_run_then(what, action)

    def _confirm_discard(self) -> bool:
        return self.file_actions.confirm_discard()

    def new_workflow(self) -> None:
        self.file_actions.new_workflow()

    def open_workflow(self, path: str | Path) -> bool:
        """Open a file in place of the current workflow; on a bad file say why and change nothing."""
        return self.file_actions.open_workflow(path)

    def offer_recovery(self) -> bool:
        """At start-up: offer back the unsaved work of a session that crashed; True if restored."""
        restored = offer_restore(self, self.document, self.recovery)
        if restored is None:
            return False
        if restored.original is not None:  # the functions files it names: asked about as on Open
            self.functions_files.after_open(restored.original)
        self.view.zoom_to_fit()
        self.statusBar().showMessage(f"Restored the unsaved changes to {restored.name}", 8000)
        return True

    def _open_confirmed(self, path: Path) -> bool:
        return self.file_actions.open_confirmed(path)

    def save_workflow(self, path: str | Path | None = None) -> bool:
        """Save to `path`, the document's file, or a file the user picks (see `FileActions`)."""
        return self.file_actions.save_workflow(path)

    def recent_files(self) -> list[str]:
        return self.recent.names()

    def _clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def set_running_title(self, running: bool) -> None:
        self._update_title()
        if running:
            self.setWindowTitle(self.windowTitle().replace(" — Fancy Studio", " — Running — Fancy Studio"))

    # --- runs ------------------------------------------------------------------------------------

    def _producer_title(self, step_id: UUID | None) -> str:
        step = self.document.find_step(step_id) if step_id is not None else None
        if step is None and step_id is not None:  # a step inside a group: "Group › Multiply"
            return self.run_view.step_title(step_id)
        return self.document.title_of(step) if step is not None else ""

    def _redraw_nodes(self) -> None:
        """Functions came, went or changed (a functions file loaded): draw every node again."""
        self.scene.rebuild()
        self.minimap.redraw_all()  # a placeholder's grey block becomes the function's colour there too
        self._selection_changed()

    def _settle_after_reset(self) -> None:
        """Another workflow (the last run was forgotten by `clean_slate`): free the old one's objects."""
        QTimer.singleShot(0, self, settle_heap)

    def _running_changed(self, running: bool) -> None:
        self.set_running_title(running)
        if running:
            self.datums.start_live()
        else:
            self.datums.stop_live()

    def show_problems(self) -> None:
        self._docks["Problems"].show()
        self._docks["Problems"].raise_()

    def show_node(self, node_id: UUID) -> None:
        """Select a node and bring it to the middle of the canvas, readable (from the Problems list)."""
        if self.scene.item_for(node_id) is None and self.document.level is not None \
                and any(step.id == node_id for step in self.document.workflow.steps):
            self.document.show_level(None)  # a problem names a node of the top level (a group's, inside one)
        if self.scene.item_for(node_id) is None:
            self.statusBar().showMessage("That node is no longer in the workflow", 6000)
            return
        self.scene.select_ids({node_id})
        self.view.show_node(node_id)
        self.view.setFocus()

    def _context_menu(self, node_id: UUID | None, where) -> None:
        show_canvas_menu(self, node_id, where)

    def _datums_selected(self, cell_ids: set[UUID]) -> None:
        present = {cell_id for cell_id in cell_ids if self.scene.item_for(cell_id) is not None}
        if present:
            self.scene.select_ids(present)
            if len(present) == 1:
                self.view.ensureVisible(self.scene.item_for(next(iter(present))), 60, 60)

    def _update_title(self, _path: object = None) -> None:
        self.setWindowTitle(f"{self.file_actions.display_name()}[*] — Fancy Studio")
        self.setWindowModified(self.document.modified)

    # --- editing ---------------------------------------------------------------------------------

    def copy(self) -> None:
        """Ctrl+C copies what has the focus: rows of the Datums table, else the canvas selection."""
        if self.datums.table.hasFocus():
            count = self.datums.copy_selected()
            self.statusBar().showMessage(f"Copied {count} value{'s' if count != 1 else ''}", 3000)
        else:
            self.clipboard_controller.copy()

    def delete_selection(self) -> None:
        self.document.remove_items(self.scene.selected_ids() | self.scene.selected_annotation_ids())

    def select_all(self) -> None:
        graph = self.document.graph  # the level shown (a group has no frames nor notes)
        self.scene.select_ids({s.id for s in graph.steps} | {c.id for c in graph.cells}
                              | {a.id for a in (*getattr(graph, "frames", ()), *getattr(graph, "notes", ()))})

    def add_step_at_centre(self, slug: str) -> None:
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        self._add_step(slug, centre)

    def _add_step(self, slug: str, at: QPointF) -> None:
        step = self.document.add_step(slug, at.x(), at.y())
        self.scene.select_ids({step.id})
        self.view.setFocus()

    def rename_selected(self) -> bool:
        selected = self.scene.selected_ids()
        annotations = self.scene.selected_annotation_ids()
        if not selected and len(annotations) == 1:  # a frame's title, a note's text
            return self.annotation_editor.start(next(iter(annotations)))
        if len(selected) != 1:
            self.statusBar().showMessage(
                "Select one step or cell to rename it, or a frame or note to edit it", 5000)
            return False
        return self.inline_rename.start(next(iter(selected)))

    def _node_double_clicked(self, node_id: UUID) -> None:
        if not self.group_actions.enter(node_id):  # a group's node opens; another node is renamed
            self.inline_rename.start(node_id)

    def _canvas_double_clicked(self, pos: QPointF) -> None:
        """On a frame's title or a note: edit it (on the triangle: a second click); else quick-add."""
        annotation, part = self.scene.annotations.at(pos)
        if annotation is None:
            self.quick_add.open_at_scene_pos(pos)
        elif part == "toggle":
            annotation.toggle()
        elif part in ("title", None):  # not a resize handle
            self.annotation_editor.start(annotation.item_id)

    def _selection_changed(self) -> None:
        selected = set(self.scene.selected_ids())
        self.inspector.show_selection(selected)
        self.datums.select_cells(selected)

    # --- window events ---------------------------------------------------------------------------

    # --- file drops (see FileDrops) ----------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._take_drop(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._take_drop(event)

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._take_drop(event)

    def _take_drop(self, event) -> None:
        if not (self.is_built and self.file_drops.take(event)):
            event.ignore()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.is_built:  # closed during start-up: nothing to save or stop yet
            event.accept()
            return
        if self.runner.running:
            event.ignore()  # closes again once the run has stopped
            if self.runner.stopping:
                self._offer_quit_now()
            else:
                self._stop_run_then("close the window", self.close)
            return
        if not self._confirm_discard():
            event.ignore()
            return
        self.runner.shutdown()
        self.workflow_stores.close()  # the last results written; an empty store deleted
        self.recovery.discard()  # saved or discarded on purpose: nothing to recover
        self._save_layout()
        event.accept()

    @property
    def store(self) -> DatumStore:
        """The open workflow's store (another one when another workflow is opened)."""
        return self.workflow_stores.current

    def _store_changed(self, _store: object) -> None:
        """Say when this workflow's results are not kept on disk (and why), for as long as it is so."""
        note = self.workflow_stores.note
        self.store_note.setVisible(bool(note))
        self.store_note.setToolTip(note or "")
        said = self.workflow_stores.news or note
        if said:  # after the "Opened …" of the file action that opened the workflow
            QTimer.singleShot(0, lambda: self.statusBar().showMessage(said, 15000))

    def _show_zoom(self, zoom: float) -> None:
        self.zoom_indicator.setText(f"{round(zoom * 100)} %")

    def _save_layout(self) -> None:
        self.window_layout.save()
        keep_settings_private(settings())  # a first session's settings file is new: 0600 it

    def _offer_quit_now(self) -> None:
        """Closing again while a stopped run is still inside a step, which Python cannot interrupt: offer to
        quit without waiting for it (a step that never returns must not keep the studio open forever)."""
        answer = QMessageBox.question(
            self, "The run has not stopped yet",
            "The step that is running has not finished, and a running step cannot be interrupted.\n\n"
            "Quit now without waiting? The step is abandoned. Saved work is on disk; unsaved changes are "
            "kept in the recovery file and offered at the next start.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.recovery.write()  # unsaved changes (if any) are on disk before the process goes
            self._save_layout()
            # A normal exit would wait for the step's thread (or abort on destroying it while it runs)
            os._exit(0)

    def _restore_geometry(self) -> None:
        restore_geometry(self, settings())

    def _restore_dock_layout(self) -> None:
        self.window_layout.restore()
