"""The inspector: the one selected node's properties, editable for cells.

Edits go through the document's undoable methods only; the inspector redraws from the model when the
document says the shown node changed, so undo/redo and canvas edits show up here too. A cell's value is
edited in a `ValueEditor`, which picks its widget from the value's type or, for null, from the type of
the step inputs the cell feeds.
"""

from __future__ import annotations

import html
import re
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QDoubleSpinBox, QFormLayout, QFrame, QLabel, QLineEdit, QScrollArea, QStackedWidget, QVBoxLayout,
    QWidget,
)

from fancy_studio.core import StepError
from fancy_studio.core.durations import duration_text
from fancy_studio.gui.datums.model import value_preview
from fancy_studio.gui.document.document import WorkflowDocument
from fancy_studio.gui.run.status import RunStatusModel, StepRunInfo, StepState
from fancy_studio.gui.panels.param_form import StepParamsForm
from fancy_studio.gui.panels.value_editor import ValueEditor, default_for, kind_for_hint, literal


class InspectorWidget(QWidget):
    """Shows a step's function and how its last run went, or a cell's alias and value; empty when zero or
    several nodes are selected."""

    def __init__(self, document: WorkflowDocument, parent: QWidget | None = None,
                 run_status: RunStatusModel | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.run_status = run_status
        self.node_id: UUID | None = None

        self.empty = QLabel("Select one step or cell to see its properties.")
        self.empty.setWordWrap(True)

        self.step_page = QWidget()
        self.step_label = QLabel()
        self.step_label.setObjectName("inspector-step")
        self.step_label.setWordWrap(True)
        self.step_label.setTextFormat(Qt.TextFormat.RichText)
        self.timeout_edit = QDoubleSpinBox()
        self.timeout_edit.setObjectName("inspector-timeout")
        self.timeout_edit.setRange(0, 7 * 24 * 3600)
        self.timeout_edit.setDecimals(1)
        self.timeout_edit.setSuffix(" s")
        self.timeout_edit.setSpecialValueText("none")  # 0: no timeout
        self.timeout_edit.setKeyboardTracking(False)
        self.timeout_edit.setToolTip("A run in the kernel fails this step when it takes longer (none: no limit)")
        self.timeout_edit.editingFinished.connect(self._commit_timeout)
        step_form = QFormLayout()
        step_form.addRow("Timeout", self.timeout_edit)
        self._step_form = step_form
        step_layout = QVBoxLayout(self.step_page)
        step_layout.setContentsMargins(0, 0, 0, 0)
        step_layout.addWidget(self.step_label)
        step_layout.addLayout(step_form)
        self.params_form = StepParamsForm(document)
        """Bypass and the step's parameters, edited as on its node."""
        step_layout.addWidget(self.params_form)

        self.cell_page = QWidget()
        self.alias_edit = QLineEdit()
        self.alias_edit.setObjectName("inspector-alias")
        self.alias_edit.editingFinished.connect(self._commit_alias)
        self.has_value = QCheckBox("input value")
        self.has_value.setObjectName("inspector-has-value")
        self.has_value.setToolTip("Checked: the cell holds a literal value. Unchecked: a step computes it.")
        self.has_value.toggled.connect(self._toggle_value)
        self.value_editor = ValueEditor()
        self.value_editor.setObjectName("inspector-value")
        self.value_editor.value_committed.connect(self._commit_value)
        self.computed = QLabel()
        self.computed.setObjectName("inspector-computed")
        self.computed.setWordWrap(True)
        self.computed.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(self.cell_page)
        form.addRow("Alias", self.alias_edit)
        form.addRow("", self.has_value)
        form.addRow("Value", self.value_editor)
        form.addRow("Last run", self.computed)

        self.stack = QStackedWidget()
        for page in (self.empty, self.step_page, self.cell_page):
            self.stack.addWidget(page)
        content = QWidget()  # scrolled: a step with many inputs never resizes the docks and the canvas
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        document.cell_changed.connect(self._node_changed)
        document.step_changed.connect(self._node_changed)
        document.cell_removed.connect(self._node_removed)
        document.step_removed.connect(self._node_removed)
        document.reset.connect(lambda: self.show_node(None))
        if run_status is not None:  # a step's last run shows as it goes (one step's text per batch: cheap)
            run_status.changed.connect(self._run_changed)
        lock_changed = getattr(document.undo_stack, "lock_changed", None)
        if lock_changed is not None:  # while a run reads the workflow, cells are shown but not edited
            lock_changed.connect(lambda locked: (self.cell_page.setEnabled(not locked),
                                                 self.timeout_edit.setEnabled(not locked),
                                                 self.params_form.setEnabled(not locked)))

    # --- what is shown ---------------------------------------------------------------------------

    def show_selection(self, ids: set[UUID]) -> None:
        node_id = next(iter(ids)) if len(ids) == 1 else None
        if node_id != self.node_id:
            self.value_editor.commit()  # a value typed but not yet applied is not lost by clicking away
        self.show_node(node_id)

    def show_node(self, node_id: UUID | None) -> None:
        if node_id != self.node_id:
            self.value_editor.set_json_mode(False)  # raw JSON is a choice for one cell, not a setting
        self.node_id = node_id
        self.refresh()

    def refresh(self) -> None:
        step = self.document.find_step(self.node_id) if self.node_id else None
        cell = self.document.find_cell(self.node_id) if self.node_id and step is None else None
        if step is not None:
            self.step_label.setText(self._step_html(step))
            if not self.timeout_edit.hasFocus():  # never under the user's typing
                self.timeout_edit.setValue(step.timeout or 0)
            self.params_form.show_step(step)
            group = step.group_id is not None  # no timeout nor bypass: its steps inside have their own
            self._step_form.setRowVisible(0, not group)
            self.params_form.setVisible(not group)
            self.stack.setCurrentWidget(self.step_page)
        elif cell is not None:
            self._show_cell(cell)
            self.stack.setCurrentWidget(self.cell_page)
        else:
            self.node_id = None
            self.stack.setCurrentWidget(self.empty)

    def _step_html(self, step) -> str:
        esc = html.escape
        if step.group_id is not None:
            from fancy_studio.gui.panels.group_info import group_html

            return group_html(self.document, step, self.run_status)
        function = self.document.function_of(step)
        if function is None:
            return (f"<b>{esc(step.label or step.function_slug)}</b>"
                    f"<br><code>{esc(step.function_slug)}</code>"
                    "<p style='color:#d33'>This function is missing: it is not installed here. "
                    "The step keeps its wiring but cannot run.</p>")
        rows = [f"<b>{esc(step.label or function.title)}</b><br><code>{esc(function.slug)}</code>"]
        if function.description:
            rows.append(f"<p>{docstring_html(function.description)}</p>")
        rows.append("<p><b>Inputs</b></p><ul>")
        for port in function.inputs:
            default = "required" if port.required else f"default {esc(repr(port.default))}"
            rows.append(f"<li>{esc(port.name)}: <i>{esc(port.type_name)}</i> ({default})</li>")
        rows.append("</ul><p><b>Outputs</b></p><ul>")
        for port in function.outputs:
            rows.append(f"<li>{esc(port.name)}: <i>{esc(port.type_name)}</i></li>")
        rows.append("</ul>")
        if self.run_status is not None:
            rows.append(last_run_html(self.run_status.info(step.id)))
        return "".join(rows)

    def _commit_timeout(self) -> None:
        step = self.document.find_step(self.node_id) if self.node_id else None
        if step is None:
            return
        seconds = self.timeout_edit.value()
        self.document.change_step_timeout(step.id, seconds if seconds > 0 else None)

    def _run_changed(self, _step_ids: list) -> None:
        if self.node_id is not None and self.stack.currentWidget() is not self.empty:
            self.refresh()

    def _show_cell(self, cell) -> None:
        for widget in (self.alias_edit, self.has_value):
            widget.blockSignals(True)
        self.alias_edit.setText(cell.alias)
        self.has_value.setChecked(cell.has_value)
        for widget in (self.alias_edit, self.has_value):
            widget.blockSignals(False)
        self.value_editor.show_value(cell.value if cell.has_value else ..., self._port_kind(cell))
        self.computed.setText(self._computed_text(cell))

    def _computed_text(self, cell) -> str:
        """What the last run stored in the cell (a computed cell's value lives in the store, not the model)."""
        if self.run_status is None or cell.has_value:
            return "" if self.run_status is None else "an input: the run reads this value"
        stored, value = self.run_status.computed_value(cell.id)
        stale = self.run_status.stale_reason(cell.id) if stored else None
        if stale is not None:
            return f"stale: {stale} (the last run made {value_preview(value)}: run again)"
        return f"= {value_preview(value)}" if stored else "not computed yet: run the workflow"

    def _port_kind(self, cell) -> str | None:
        """The editor kind that every step input the cell feeds agrees on, or None."""
        kinds = set()
        for step, name in self.document.readers_of(cell.id):
            function = self.document.function_of(step)
            port = function.input(name) if function else None
            kinds.add(kind_for_hint(port.type) if port else None)
        return kinds.pop() if len(kinds) == 1 else None

    # --- edits -----------------------------------------------------------------------------------

    def _cell(self):
        return self.document.find_cell(self.node_id) if self.node_id else None

    def _commit_alias(self) -> None:
        cell = self._cell()
        alias = self.alias_edit.text().strip()
        if cell is not None and alias != cell.alias:
            self.document.rename_cell(cell.id, alias)
            self._show_model()

    def _commit_value(self, value) -> None:
        cell = self._cell()
        if cell is None or not cell.has_value:
            return
        if literal(value) != literal(cell.value):  # type-exact: 1, 1.0 and true are different values
            self.document.set_cell_value(cell.id, value)
            self._show_model()

    def _toggle_value(self, checked: bool) -> None:
        cell = self._cell()
        if cell is None or checked == cell.has_value:
            return
        if checked:  # start from the empty value of the type the cell feeds: 0, 0.0, false, "" or null
            self.document.set_cell_value(cell.id, default_for(self._port_kind(cell)))
        else:
            self.document.set_cell_value(cell.id, ...)
        self._show_model()

    def _show_model(self) -> None:
        """Redraw from the model after an edit: the document may have refused it (a run is reading the
        workflow), and then the widgets must not keep showing what the model does not hold."""
        if self._cell() is not None:
            self.refresh()

    # --- document signals ------------------------------------------------------------------------

    def _node_changed(self, node_id: UUID) -> None:
        if node_id == self.node_id:
            self.refresh()

    def _node_removed(self, node_id: UUID) -> None:
        if node_id == self.node_id:
            self.show_node(None)


_CODE_SPAN = re.compile(r"``(.+?)``|`([^`\n]+)`")
"""A docstring's code: ``double`` (reStructuredText) or `single` backticks (Markdown)."""


def docstring_html(text: str) -> str:
    """A function's description as rich text: escaped first (it is text, never markup), then each
    backticked span drawn as <code>."""
    return _CODE_SPAN.sub(lambda m: f"<code>{m[1] or m[2]}</code>", html.escape(text))


_LAST_RUN = {
    StepState.QUEUED: "queued",
    StepState.RUNNING: "running…",
    StepState.CACHED: "reused (cached): its function, inputs and parameters are what they were when its result was made",
    StepState.SKIPPED: "skipped: a step it reads from failed",
    StepState.CANCELLED: "not run: the run was stopped first",
    StepState.BYPASSED: "bypassed",
}


def last_run_html(info: StepRunInfo) -> str:
    """How the step's last run went: its time, or what went wrong (the Problems list has the traceback)."""
    if info.stale is not None and info.state not in (StepState.QUEUED, StepState.RUNNING):
        return f"<p><b>Last run</b>: stale: {html.escape(info.stale, quote=False)}</p>"
    if info.state is StepState.IDLE:
        return ""
    if info.state is StepState.DONE:
        text = f"done in {html.escape(duration_text(info.seconds))}" if info.seconds is not None else "done"
    elif info.state is StepState.FAILED:
        error = info.error
        what = f"{error.type_name}: {error.message}" if isinstance(error, StepError) else str(error or "an error")
        text = f"<span style='color:#d33'>failed</span>, {html.escape(what)}"
    elif info.state in (StepState.SKIPPED, StepState.BYPASSED) and info.reason:
        text = html.escape(info.reason) if info.state is StepState.BYPASSED else f"skipped: {html.escape(info.reason)}"
    else:
        text = _LAST_RUN[info.state]
    return f"<p><b>Last run</b>: {text}</p>"
