"""Find (Ctrl+F): steps and cells by name, in a box over the canvas's top-right corner.

Matching reads the model (a step's title and function slug, a cell's alias), never graphics items, and
walks the matches in reading order: top to bottom, then left to right. Finding selects and shows a node
and changes nothing in the workflow, so it works while a run goes.
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QStyle, QToolButton

from fancy_studio.gui.canvas import WorkflowView
from fancy_studio.gui.document.document import WorkflowDocument

ROW = 40.0
"""Nodes whose tops are this close count as one row when walking matches in reading order."""

_OWN_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _FindEdit(QLineEdit):
    """The search text. Enter finds the next match (Shift+Enter the previous), Esc closes the box."""

    def __init__(self, bar: FindBar) -> None:
        super().__init__(bar)
        self._bar = bar

    def event(self, event: QEvent) -> bool:
        # Esc is also Stop's shortcut: typed here, it closes the box and never stops a run
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in _OWN_KEYS:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_Escape:
            self._bar.close_box()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._bar.find_previous() if shift else self._bar.find_next()
        elif key == Qt.Key.Key_Down:
            self._bar.find_next()
        elif key == Qt.Key.Key_Up:
            self._bar.find_previous()
        else:
            super().keyPressEvent(event)
            return
        event.accept()


class FindBar(QFrame):
    """The find box of one canvas."""

    def __init__(self, document: WorkflowDocument, view: WorkflowView) -> None:
        super().__init__(view)
        self.document, self.view = document, view
        self.setObjectName("find-bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.edit = _FindEdit(self)
        self.edit.setObjectName("find-text")
        self.edit.setPlaceholderText("Find steps and cells")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(220)
        self.count = QLabel(self)
        self.count.setObjectName("find-count")
        self.count.setMinimumWidth(70)
        self.previous_button = self._button("find-previous", QStyle.StandardPixmap.SP_ArrowUp,
                                            "Previous match (Shift+Enter, Shift+F3)", self.find_previous)
        self.next_button = self._button("find-next", QStyle.StandardPixmap.SP_ArrowDown,
                                        "Next match (Enter, F3)", self.find_next)
        self.close_button = self._button("find-close", QStyle.StandardPixmap.SP_TitleBarCloseButton,
                                         "Close (Esc)", self.close_box)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 4, 4)
        layout.setSpacing(4)
        for widget in (self.edit, self.count, self.previous_button, self.next_button, self.close_button):
            layout.addWidget(widget)
        self._matches: list[UUID] = []
        self._index = -1
        self._stale = True
        """The workflow changed since the matches were found: find them again before moving."""
        for signal in (document.step_added, document.step_removed, document.step_changed, document.cell_added,
                       document.cell_removed, document.cell_changed, document.node_moved, document.nodes_moved,
                       document.reset):
            signal.connect(self._mark_stale)
        self.edit.textChanged.connect(self._search)
        self.hide()
        view.add_corner_widget(self)

    def _button(self, name: str, icon: QStyle.StandardPixmap, tip: str, slot) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setIcon(self.style().standardIcon(icon))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # --- what the user does ------------------------------------------------------------------------

    def open(self) -> None:
        """Show the box with its text selected, ready to type over."""
        self.show()
        self.raise_()
        self.view.place_corner_widgets()
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()
        if self.edit.text():
            self._search(self.edit.text())

    def close_box(self) -> None:
        """Hide the box; the found node stays selected and the canvas takes the keyboard again."""
        self.hide()
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def find_next(self) -> None:
        self._move(+1)

    def find_previous(self) -> None:
        self._move(-1)

    # --- matching ----------------------------------------------------------------------------------

    def matches(self, text: str) -> list[UUID]:
        """Steps (by title or function slug) and cells (by alias) whose name holds `text`, in reading
        order; case does not matter."""
        needle = text.strip().casefold()
        if not needle:
            return []
        document = self.document
        workflow = document.graph  # the level shown
        found = [cell.id for cell in workflow.cells if needle in (cell.alias or "").casefold()]
        found += [step.id for step in workflow.steps
                  if needle in document.title_of(step).casefold() or needle in step.function_slug.casefold()]

        def reading_order(node_id: UUID) -> tuple[float, float]:
            x, y = document.position(node_id)
            return round(y / ROW), x

        return sorted(found, key=reading_order)

    def _mark_stale(self, *_args) -> None:
        self._stale = True

    def _search(self, text: str) -> None:
        """As the text changes: the first match in reading order is shown."""
        self._matches, self._index, self._stale = self.matches(text), -1, False
        if self._matches:
            self._show(0)
        else:
            self._update_count()

    def _move(self, step: int) -> None:
        if not self.isVisible() or not self.edit.text().strip():
            self.open()
            return
        if self._stale:  # the workflow changed: find again, and go on from the node shown last
            current = self._matches[self._index] if 0 <= self._index < len(self._matches) else None
            self._matches, self._stale = self.matches(self.edit.text()), False
            self._index = self._matches.index(current) if current in self._matches else -1
        if not self._matches:
            self._update_count()
            return
        if self._index < 0:
            self._show(0 if step > 0 else len(self._matches) - 1)
        else:
            self._show((self._index + step) % len(self._matches))

    def _show(self, index: int) -> None:
        self._index = index
        node_id = self._matches[index]
        self.view.workflow_scene.select_ids({node_id})
        self.view.show_node(node_id)
        self._update_count()

    def _update_count(self) -> None:
        text = self.edit.text().strip()
        if not text:
            self.count.setText("")
        elif not self._matches:
            self.count.setText("No matches")
        else:
            self.count.setText(f"{self._index + 1} of {len(self._matches)}")
        self.count.setStyleSheet("color: #e06c75;" if text and not self._matches else "")
