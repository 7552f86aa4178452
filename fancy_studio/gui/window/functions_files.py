"""Your own functions: File ▸ Add Functions File…, File ▸ Functions Files…, and the files a workflow names.

A functions file is a `.py` file of `@fancy_function`s (`core/function_files.py` loads it). The studio
keeps three lists in its settings, by absolute path:

- the **remembered** files: added with File ▸ Add Functions File…, loaded at every start (like Open
  Recent, until removed in File ▸ Functions Files…);
- the files the user **allowed** and those they **refused** when a workflow named them: opening a
  workflow never loads a file on its own; the studio asks once per file and remembers the answer.

Every file loaded in this session (remembered, `--functions`, allowed) is loaded again by Workflow ▸
Restart Kernel (and the Reload button): a user who edited it gets the new code and signatures. Steps run
in the kernel receive the functions with each run (by value, see `core/function_files.py`).

A workflow names the files it needs in its metadata (`functions_files`, relative to its folder). Add
Functions File… with a workflow open adds the file to that list as one undoable edit ("Name Functions
File"; not for an empty workflow); a save also names every loaded file whose functions the steps use, and
a Save As elsewhere rewrites the names for the new folder.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from fancy_studio.core.function_files import (
    FUNCTIONS_FILES_KEY,
    LoadReport,
    load_functions_file,
    name_for,
    named_files,
    rebased,
    resolve_named,
    slugs_from,
    unload_functions_file,
    with_named,
)
from fancy_studio.gui.window_action import window_action

REMEMBERED_KEY = "functionsFiles"
ALLOWED_KEY = "functionsFilesAllowed"
REFUSED_KEY = "functionsFilesRefused"
FILE_FILTER = "Python files (*.py);;All files (*)"
PATH_ROLE = Qt.ItemDataRole.UserRole
PROBLEM_KIND = "Functions file"
"""The Problems panel's kind for a functions file's problem."""


class NameFunctionsFile(QUndoCommand):
    """The workflow's list of functions files, before and after one file was added to it."""

    def __init__(self, document: Any, before: list[str], after: list[str], text: str) -> None:
        super().__init__(text)
        self.document, self.before, self.after = document, before, after

    def redo(self) -> None:
        _set_names(self.document.workflow.metadata, self.after)

    def undo(self) -> None:
        _set_names(self.document.workflow.metadata, self.before)


def _set_names(metadata: dict[str, Any], names: list[str]) -> None:
    if names:
        metadata[FUNCTIONS_FILES_KEY] = list(names)
    else:
        metadata.pop(FUNCTIONS_FILES_KEY, None)


class FunctionsFiles(QObject):
    """The window's functions files: its actions, what is loaded, and the questions on open.

    `redraw` redraws the canvas (a step whose function came or went, or changed signature);
    `refresh_palette` shows the registry's functions again."""

    def __init__(self, window: QMainWindow, *, document: Any, runner: Any, problems: Any,
                 settings_factory: Callable[[], QSettings], refresh_palette: Callable[[], None],
                 redraw: Callable[[], None], restart_action: Any = None) -> None:
        super().__init__(window)
        self.window, self.document, self.runner, self.problems = window, document, runner, problems
        self._settings, self._refresh_palette, self._redraw = settings_factory, refresh_palette, redraw
        self.reports: dict[Path, LoadReport] = {}
        """Every file loaded in this session, with what its last load did (in the order loaded)."""
        self.names_folder: Path | None = None
        """The folder the open workflow's functions files are named from (its file's folder)."""
        self.add_action = window_action(
            window, "add-functions-file-action", "Add &Functions File…", self.add_dialog,
            tip="Load a Python file of your own @fancy_functions (remembered; the open workflow names it)")
        self.manage_action = window_action(window, "functions-files-action", "Functions F&iles…",
                                           self.show_dialog, tip="The functions files loaded: reload or "
                                           "remove them")
        if restart_action is not None:  # Restart Kernel: a user who edited a file gets the new code
            restart_action.triggered.connect(lambda _checked=False: self.reload_all())
        document.reset.connect(self._workflow_replaced)
        document.path_changed.connect(self._saved_as)
        self.dialog: FunctionsFilesDialog | None = None
        self._unsaved_rebase: tuple[list[str], Path] | None = None
        """The names before `before_save` rewrote them, and the folder they were rewritten for."""
        self._load(self.remembered(), ask_about_problems=False)

    # --- the lists in the settings ---------------------------------------------------------------------

    def _list(self, key: str) -> list[str]:
        value = self._settings().value(key, [])
        return [value] if isinstance(value, str) else [str(v) for v in (value or []) if v]

    def _store(self, key: str, names: list[str]) -> None:
        settings = self._settings()
        settings.setValue(key, names)
        settings.sync()

    def remembered(self) -> list[Path]:
        return [Path(name) for name in self._list(REMEMBERED_KEY)]

    def _remember(self, path: Path) -> None:
        names = self._list(REMEMBERED_KEY)
        if str(path) not in names:
            self._store(REMEMBERED_KEY, [*names, str(path)])
        self._answer(path, allowed=True)

    def _answer(self, path: Path, *, allowed: bool) -> None:
        keep, drop = (ALLOWED_KEY, REFUSED_KEY) if allowed else (REFUSED_KEY, ALLOWED_KEY)
        self._store(drop, [n for n in self._list(drop) if n != str(path)])
        if str(path) not in self._list(keep):
            self._store(keep, [*self._list(keep), str(path)])

    # --- loading ------------------------------------------------------------------------------------

    def _busy(self) -> bool:
        if self.runner.running:
            self.window.statusBar().showMessage("Functions files load when no run is going: stop it first",
                                                8000)
            return True
        return False

    def _load(self, paths: Iterable[Path], *, ask_about_problems: bool = True) -> list[LoadReport]:
        """Load each file, then show the new functions (palette, canvas) and report what went wrong."""
        reports = []
        for path in paths:
            report = load_functions_file(path)
            self.reports[report.path] = report
            reports.append(report)
        if not reports:
            return reports
        self._refresh_palette()
        changed = frozenset().union(*(r.changed for r in reports))
        if changed & self._slugs_in_workflow():
            self._redraw()
        self._report(reports, dialog=ask_about_problems)
        return reports

    def _slugs_in_workflow(self) -> set[str]:
        workflow = self.document.workflow
        steps = [*workflow.steps, *(step for definition in workflow.groups for step in definition.steps)]
        return {step.function_slug for step in steps}

    def _report(self, reports: Sequence[LoadReport], *, dialog: bool) -> None:
        """The status bar says what loaded; problems go to the Problems panel, and (when the user just
        asked for the load) to a warning that names each file and line."""
        self.window.statusBar().showMessage("; ".join(r.summary() for r in reports), 10000)
        problems = [problem for report in reports for problem in report.problems]
        self._list_problems()
        if problems and dialog:
            lines = [str(problem) for problem in problems]
            QMessageBox.warning(self.window, "Problems in functions files",
                                "<p>" + "<br><br>".join(html.escape(line) for line in lines) + "</p><p>"
                                + html.escape("The other functions of these files were loaded.") + "</p>")

    def _list_problems(self) -> None:
        """The Problems panel lists the problems of the files as last loaded (file:line, message), each
        once: the entries of an earlier load go."""
        tree = self.problems.tree
        for index in reversed(range(tree.topLevelItemCount())):
            if tree.topLevelItem(index).text(0) == PROBLEM_KIND:
                tree.takeTopLevelItem(index)
        for report in self.reports.values():
            for problem in report.problems:
                where = problem.path.name + (f":{problem.line}" if problem.line is not None else "")
                self.problems.add(PROBLEM_KIND, None, where, problem.message, str(problem))

    def load_for_session(self, paths: Iterable[str | Path]) -> list[LoadReport]:
        """`fancy-studio --functions FILE`: loaded for this session, not remembered."""
        return self._load([Path(p).expanduser().resolve() for p in paths])

    def add_dialog(self) -> LoadReport | None:
        """File ▸ Add Functions File…: pick a .py file, load it (see `add_file`)."""
        if self._busy():
            return None
        start = str(self.names_folder or Path.home())
        name, _ = QFileDialog.getOpenFileName(self.window, "Add functions file", start, FILE_FILTER)
        return self.add_file(name) if name else None

    def add_file(self, path: str | Path) -> LoadReport | None:
        """Load `path`, remember it (loaded at every start), and name it in the open workflow."""
        if self._busy():
            return None
        path = Path(path).expanduser().resolve()
        [report] = self._load([path])
        if path.is_file():  # (one with a problem too: fixed, it loads with Reload All and at the next start)
            self._remember(path)
            self._name_in_workflow(path)
        return report

    def _name_in_workflow(self, path: Path) -> None:
        """Name the file in the open workflow (an empty one is named when saved, if it uses the file)."""
        self._settle()
        workflow = self.document.workflow
        if not (workflow.steps or workflow.cells or workflow.groups):
            return
        metadata = workflow.metadata
        before = named_files(metadata)
        after = with_named(metadata, name_for(path, self.names_folder))
        if after != before:
            self.document.undo_stack.push(NameFunctionsFile(self.document, before, after,
                                                            f"Name Functions File {path.name}"))

    def reload_all(self) -> list[LoadReport]:
        """Load every file of this session again (Restart Kernel, the dialog's Reload)."""
        if self._busy():
            return []
        return self._load(list(self.reports))

    def remove(self, path: Path) -> None:
        """Unload a file's functions and forget it (its steps become placeholders until it is back)."""
        if self._busy():
            return
        gone = set(unload_functions_file(path))
        self.reports.pop(path, None)
        self._list_problems()
        self._store(REMEMBERED_KEY, [n for n in self._list(REMEMBERED_KEY) if n != str(path)])
        self._refresh_palette()
        if gone & self._slugs_in_workflow():
            self._redraw()
        self.window.statusBar().showMessage(f"Removed {path.name}: {len(gone)} function"
                                            f"{'s' if len(gone) != 1 else ''} unloaded", 8000)

    # --- the files a workflow names ----------------------------------------------------------------

    def after_open(self, path: Path) -> list[str]:
        """A workflow was opened from `path`: load the files it names that the user allows (asking once
        per file); the names of those not loaded."""
        self.names_folder = Path(path).resolve().parent
        names = named_files(self.document.workflow.metadata)
        allowed, refused = set(self._list(ALLOWED_KEY)), set(self._list(REFUSED_KEY))
        to_load: list[Path] = []
        not_loaded: list[str] = []
        for name, file in zip(names, resolve_named(names, self.names_folder), strict=True):
            if file in self.reports and self.reports[file].compiled:
                continue
            if not file.is_file():
                not_loaded.append(f"{name} (not found)")
            elif str(file) in refused:
                not_loaded.append(f"{name} (you chose not to load it)")
            elif str(file) in allowed or self._ask(file, path):
                to_load.append(file)
            else:
                not_loaded.append(f"{name} (you chose not to load it)")
        for report in self._load(to_load):
            if not report.compiled:
                not_loaded.append(f"{name_for(report.path, self.names_folder)} (it has a problem)")
        return not_loaded

    def _ask(self, file: Path, workflow_path: Path) -> bool:
        answer = QMessageBox.question(
            self.window, "Load functions file?",
            f"<p>{html.escape(workflow_path.name)} uses functions from</p><p>{html.escape(str(file))}</p>"
            "<p>Loading it runs its Python code: load it only if you trust it. Load it?</p><p>(The answer is "
            "remembered for this file; File ▸ Add Functions File… loads it later.)</p>",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        allowed = answer == QMessageBox.StandardButton.Yes
        self._answer(file, allowed=allowed)
        return allowed

    def before_save(self, target: Path | None) -> None:
        """Saving to `target`: the workflow names every loaded file whose functions its steps use (one
        added to an empty workflow was not named then), each from the folder it is saved in (a Save As
        elsewhere, or the first save of an untitled workflow that named them by absolute path)."""
        self._settle()
        if target is None:
            return
        folder = Path(target).resolve().parent
        metadata = self.document.workflow.metadata
        before = named_files(metadata)
        names, named = list(before), set(resolve_named(before, self.names_folder))
        used = self._slugs_in_workflow()
        for path in self.reports:
            if path not in named and used & set(slugs_from(path)):
                names.append(name_for(path, self.names_folder))
        moved = rebased({FUNCTIONS_FILES_KEY: names}, self.names_folder, folder) or names
        if moved != before:
            self._unsaved_rebase = (before, folder)
            _set_names(metadata, moved)

    def _settle(self) -> None:
        """A save to another folder that did not happen (refused, failed) leaves the names as they were."""
        if self._unsaved_rebase is None:
            return
        before, folder = self._unsaved_rebase
        self._unsaved_rebase = None
        if self.document.path is None or self.document.path.resolve().parent != folder:
            _set_names(self.document.workflow.metadata, before)

    def _saved_as(self, path: Path | None) -> None:
        if path is not None:
            self.names_folder = Path(path).resolve().parent

    def _workflow_replaced(self) -> None:
        """Another workflow: its names are from its folder (New: none; Open sets it in `after_open`), and
        the Problems panel, cleared for it, still lists the files that have problems."""
        self.names_folder = self.document.folder
        self._unsaved_rebase = None  # (the last workflow's)
        self._list_problems()

    # --- File ▸ Functions Files… ------------------------------------------------------------------

    def show_dialog(self) -> FunctionsFilesDialog:
        if self.dialog is None:
            self.dialog = FunctionsFilesDialog(self)
        self.dialog.fill()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog


class FunctionsFilesDialog(QDialog):
    """The files loaded or remembered: each with its functions and problems; Add, Reload All, Remove."""

    def __init__(self, files: FunctionsFiles) -> None:
        super().__init__(files.window)
        self.files = files
        self.setObjectName("functions-files-dialog")
        self.setWindowTitle("Functions Files")
        self.resize(640, 300)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("functions-files-tree")
        self.tree.setHeaderLabels(["File", "Functions", "Status"])
        self.tree.setRootIsDecorated(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.add_button = self._button(buttons, "add-functions-file-button", "&Add…", self._add)
        self.reload_button = self._button(buttons, "reload-functions-files-button", "&Reload All",
                                          self._reload)
        self.remove_button = self._button(buttons, "remove-functions-file-button", "&Remove", self._remove)
        self.tree.itemSelectionChanged.connect(self._enable)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)

    def _button(self, box: QDialogButtonBox, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def fill(self) -> None:
        self.tree.clear()
        paths = list(self.files.reports)
        paths += [p for p in self.files.remembered() if p not in self.files.reports]
        remembered = set(self.files.remembered())
        for path in paths:
            report = self.files.reports.get(path)
            if report is None:
                count, status, tip = "", "not loaded", ""
            else:
                count = str(len(report.loaded))
                status = "loaded" if report.ok else "; ".join(str(p) for p in report.problems)
                tip = "\n".join(report.loaded)
            if path in remembered:
                status += " (loaded at every start)"
            item = QTreeWidgetItem([path.name, count, status])
            item.setData(0, PATH_ROLE, str(path))
            item.setToolTip(0, str(path))
            item.setToolTip(1, tip)
            item.setToolTip(2, status)
            self.tree.addTopLevelItem(item)
        self._enable()

    def rows(self) -> list[tuple[str, str, str]]:
        """(file, functions, status) per row: what the user reads."""
        return [tuple(self.tree.topLevelItem(i).text(c) for c in range(3))
                for i in range(self.tree.topLevelItemCount())]

    def _enable(self) -> None:
        self.remove_button.setEnabled(bool(self.tree.selectedItems()))
        self.reload_button.setEnabled(bool(self.files.reports))

    def _add(self) -> None:
        self.files.add_dialog()
        self.fill()

    def _reload(self) -> None:
        self.files.reload_all()
        self.fill()

    def _remove(self) -> None:
        for item in self.tree.selectedItems():
            self.files.remove(Path(item.data(0, PATH_ROLE)))
        self.fill()
