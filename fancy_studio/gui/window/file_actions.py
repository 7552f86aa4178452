"""New, Open and Save for the window: the dialogs, the questions, and what is remembered afterwards.

Kept out of `main_window` so the window only assembles; this is given the window (as the dialogs'
parent and for its status bar) and the parts it needs, and never imports `main_window` back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from fancy_studio.core import FancyError, Workflow
from fancy_studio.core.errors import ReadOnlyFileError
from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.run.controller import RunController
from fancy_studio.gui.window.example_copies import ExampleCopies
from fancy_studio.gui.window.open_guard import open_all_or_nothing
from fancy_studio.gui.window.recent_files import RecentFiles
from fancy_studio.gui.window.save_folders import SaveFolders
from fancy_studio.resources import is_bundled

FILE_FILTER = "Workflows (*.json);;All files (*)"


class FileActions(QObject):
    """The window's file operations; a user's unsaved work is only dropped when they say so."""

    def __init__(self, window: QMainWindow, document: WorkflowDocument, *, runner: RunController,
                 view: WorkflowView, example_copies: ExampleCopies, save_folders: SaveFolders,
                 recent: RecentFiles, update_title: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self.runner = runner
        self.view = view
        self.example_copies = example_copies
        self.save_folders = save_folders
        self.recent = recent
        self.update_title = update_title
        self.functions_files: Any = None
        """The window's `FunctionsFiles`: asked about the files a workflow names when it opens (and told
        where it is saved, to name them from there)."""

    def _status(self, text: str, timeout: int = 0) -> None:
        self.window.statusBar().showMessage(text, timeout)

    def display_name(self) -> str:
        """What the title and the questions call the document: its file, its example, or Untitled."""
        if self.document.path is not None:
            return self.document.path.name
        return self.example_copies.title or "Untitled"

    def stop_run_then(self, what: str, action) -> bool:
        """With a run going, ask to stop it and do `action` once it has stopped; True if `action` ran now."""
        if not self.runner.running:
            action()
            return True
        if self.runner.stopping:
            self._status("Stopping the run… (the step that is running finishes first)")
            return False
        answer = QMessageBox.question(
            self.window, "A run is going", f"Stop the run and {what}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            self._status("Stopping the run…")
            self.runner.stop()
            self.runner.when_stopped(action)
        return False

    def confirm_discard(self) -> bool:
        """True when unsaved changes may go: saved, discarded, or there were none; False on Cancel."""
        if not self.document.modified:
            return True
        answer = QMessageBox.question(
            self.window, "Unsaved changes", f"Save the changes to {self.display_name()} before closing it?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save_workflow()
        return answer == QMessageBox.StandardButton.Discard

    def new_workflow(self) -> None:
        if self.runner.running:
            self.stop_run_then("start a new workflow", self.new_workflow)
        elif self.confirm_discard():
            self.document.replace(Workflow(name="Untitled"), None)

    def open_workflow(self, path: str | Path) -> bool:
        """Open a file in place of the current workflow; on a bad file say why and change nothing."""
        path = Path(path)
        if self.runner.running:  # callers ask first (see stop_run_then); never swap a running workflow
            self._status(f"Cannot open {path.name} while a run is going", 8000)
            return False
        try:  # parse → check → build; any failure leaves the previous workflow open
            open_all_or_nothing(self.document, lambda: self.example_copies.open(path), self.view.zoom_to_fit)
        except (FancyError, OSError) as exc:
            QMessageBox.critical(self.window, "Cannot open workflow", f"Cannot open {path.name}:\n\n{exc}")
            return False
        except Exception as exc:  # noqa: BLE001 -- the canvas could not show it: say so, keep working
            QMessageBox.critical(self.window, "Cannot open workflow",
                                 f"Cannot open {path.name}: it could not be shown "
                                 f"({type(exc).__name__}: {exc}); the previous workflow is still open.")
            return False
        self.recent.add(path)  # not an example: the recent list offers files to edit
        self.save_folders.remember(path)
        self.update_title()
        if self.example_copies.title is not None:
            self._status(f"Opened {self.display_name()}: a copy, Save asks where to keep it", 8000)
        else:
            self._status(f"Opened {path}", 5000)
        not_loaded = self.functions_files.after_open(path) if self.functions_files is not None else []
        self._warn_missing_functions(path, not_loaded)
        return True

    def _warn_missing_functions(self, path: Path, not_loaded: Sequence[str] = ()) -> None:
        """Name the functions the file uses that are not installed (their steps load as placeholders)."""
        workflow = self.document.workflow  # its steps and those inside its groups (a group is no function)
        steps = [*workflow.steps, *(step for definition in workflow.groups for step in definition.steps)]
        missing = sorted({s.function_slug for s in steps
                          if s.group_id is None and self.document.function_of(s) is None})
        if not missing:
            return
        self._status(f"Opened {path.name}: missing functions: {', '.join(missing)}", 15000)
        QMessageBox.warning(
            self.window, "Missing functions",
            f"{path.name} uses functions that are not installed:\n\n"
            + "\n".join(f"• {slug}" for slug in missing)
            + "\n\nTheir steps are kept as placeholders and saved unchanged. Run runs the rest of the "
              "workflow and skips these steps and the steps after them; install the plugins that "
              "provide them to run it all."
            + ("\n\nThe workflow names functions files that were not loaded:\n\n"
               + "\n".join(f"• {name}" for name in not_loaded)
               + "\n\nFile ▸ Add Functions File… loads one." if not_loaded else ""))

    def open_confirmed(self, path: Path) -> bool:
        """Open `path` once a run is stopped and unsaved changes are saved or discarded."""
        if self.runner.running:
            self.stop_run_then(f"open {path.name}", lambda: self.open_confirmed(path))
            return False
        return self.confirm_discard() and self.open_workflow(path)

    def open_dialog(self) -> None:
        if self.runner.running:
            self.stop_run_then("open another workflow", self.open_dialog)
            return
        if not self.confirm_discard():
            return
        start = str(self.save_folders.start_folder(self.document.path))
        name, _ = QFileDialog.getOpenFileName(self.window, "Open workflow", start, FILE_FILTER)
        if name:
            self.open_workflow(name)

    def save_workflow(self, path: str | Path | None = None) -> bool:
        """Save to `path`, the document's file, or (when it has none, or it is a bundled example) a file
        the user picks."""
        if path is None and (self.document.path is None or is_bundled(self.document.path)):
            return self.save_as_dialog()
        try:
            if not self._save_document(path):
                return False
        except (FancyError, OSError, ValueError) as exc:
            QMessageBox.critical(self.window, "Cannot save workflow",
                                 f"Cannot save {self.display_name()}:\n\n{exc}")
            return False
        self.recent.add(self.document.path)
        self.save_folders.remember(self.document.path)
        self._status(f"Saved {self.document.path}", 5000)
        return True

    def _save_document(self, path: str | Path | None) -> bool:
        """Save; a read-only file is overwritten only if the user says so (False when they do not)."""
        if self.functions_files is not None:  # its functions files named from where it is saved
            self.functions_files.before_save(Path(path) if path is not None else self.document.path)
        try:
            self.document.save(path)
        except ReadOnlyFileError as exc:
            answer = QMessageBox.question(
                self.window, "Read-only file", f"'{exc.path.name}' is read-only. Overwrite it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                self._status(f"Not saved: {exc.path.name} is read-only", 8000)
                return False
            self.document.save(path, overwrite_read_only=True)
        return True

    def save_as_dialog(self) -> bool:
        start = str(self.save_folders.save_as_target(self.document.path, self.document.workflow.name))
        name, _ = QFileDialog.getSaveFileName(self.window, "Save workflow as", start, FILE_FILTER)
        if not name:
            return False
        if not name.lower().endswith(".json"):
            name += ".json"
        return self.save_workflow(name)
