"""Small defects a new user met in the first hour (issue 9, item 10), each driven through the window."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QToolBar

from fancy_studio.core import Workflow, WorkflowStep, fancy_function

from tests.example_ids import EXAMPLE, FACTOR, MULTIPLY
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window


@pytest.fixture
def window(qtbot, monkeypatch):
    answer_dialogs(monkeypatch)  # closing an edited window discards its changes
    return active_window(qtbot, EXAMPLE)


def _toolbar_geometry(window) -> dict[str, tuple[int, int, int, int]]:
    toolbar = window.findChild(QToolBar, "main-toolbar")
    geometry = {}
    for action in toolbar.actions():
        widget = toolbar.widgetForAction(action)
        if widget is not None and not action.isSeparator():
            r = widget.geometry()
            geometry[action.objectName()] = (r.x(), r.y(), r.width(), r.height())
    return geometry


def test_the_toolbar_keeps_its_place_as_the_undo_text_grows(qtbot, window):
    window.resize(1400, 800)  # wide enough for every button: none is tucked in the overflow menu
    qtbot.wait(10)
    before = _toolbar_geometry(window)
    assert "undo-action" in before and "redo-action" in before

    alias = "a_cell_with_a_name_long_enough_to_push_every_button_off_the_toolbar"
    window.document.add_cell(alias, 40, 400)
    window.undo_action.trigger()  # now Redo holds the long text too
    window.document.add_cell(alias + "_again", 40, 400)
    qtbot.wait(50)

    assert _toolbar_geometry(window) == before
    assert window.undo_action.text() == f"&Undo Add cell {alias}_again"  # the menu says what it undoes
    assert f"Add cell {alias}_again" in window.undo_action.toolTip()


def test_a_palette_search_without_hits_says_so(qtbot, window):
    palette = window.palette_widget
    palette.search.setFocus()
    qtbot.keyClicks(palette.search, "qzx")  # (the library reads CSV now: a search nothing can match)
    assert palette.visible_slugs() == []
    assert palette.no_match.isVisible() and palette.no_match.text() == "No function matches 'qzx'"

    qtbot.keyClick(palette.search, Qt.Key.Key_Backspace)  # "qz": still nothing
    assert palette.no_match.text() == "No function matches 'qz'"
    palette.search.clear()  # the clear button
    assert not palette.no_match.isVisible() and palette.tree.isVisible()
    qtbot.keyClicks(palette.search, "mult")
    assert "math.multiply" in palette.visible_slugs() and not palette.no_match.isVisible()


def _run_from_toolbar(qtbot, window):
    toolbar = window.findChild(QToolBar, "main-toolbar")
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        qtbot.mouseClick(toolbar.widgetForAction(window.run_actions.run_action), Qt.MouseButton.LeftButton)
    return finished.args[0]


HEX_ID = re.compile(r"\b[0-9a-f]{8}\b")
"""A node's id (or the 8-character start of one), which a user cannot read."""


def test_a_problem_names_its_step_by_title_and_function_not_by_id(qtbot, window):
    window.document.connect_input(MULTIPLY, "b", None)  # Multiply now misses its input b
    window.document.rename_cell(FACTOR, "")  # and an unnamed cell is still not called by its id

    outcome = _run_from_toolbar(qtbot, window)

    assert not outcome.started
    (kind, node, message), = window.problems.entries()
    assert kind == "Invalid" and node == "Multiply"
    assert "Multiply" in message and "math.multiply" in message and "'b'" in message
    tooltip = window.problems.tree.topLevelItem(0).toolTip(1)
    assert "Multiply" in tooltip and "math.multiply" in tooltip
    for text in (node, message, tooltip, window.problems.tree.topLevelItem(0).toolTip(2)):
        assert not HEX_ID.search(text), text

    tree = window.problems.tree  # the entry still leads to its node
    rect = tree.visualItemRect(tree.topLevelItem(0))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.scene.selected_ids() == {MULTIPLY}


def test_problems_about_unnamed_cells_and_other_steps_read_without_ids(qtbot, window):
    workflow = Workflow(name="broken")
    unnamed = workflow.output_cell("")
    step = workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": unnamed.id},
                                          outputs={"return": workflow.output_cell("out").id}, label="Bump"))
    window.document.replace(workflow, None)

    assert not _run_from_toolbar(qtbot, window).started

    entries = window.problems.entries()
    assert entries and all(not HEX_ID.search(" ".join(entry)) for entry in entries), entries
    assert any(node == "Bump" and "Bump" in message and "math.increment" in message
               for _kind, node, message in entries), entries
    assert window.problems.tree.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole) == step.id


@fancy_function("test_small_defects.compare")
def compare(a: float, b: float) -> bool:
    """True when `a < b`; <b>not bold</b>, and ``both`` kinds of quotes. A lone ` stays."""
    return a < b


def _click_node(qtbot, window, node_id) -> None:
    item = window.scene.item_for(node_id)
    window.view.centerOn(item)
    point = window.view.mapFromScene(item.sceneBoundingRect().center() + QPointF(0, 4))
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.scene.selected_ids() == {node_id}


def _shown_text(label) -> str:
    """What the user reads in a rich-text label."""
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


@pytest.mark.parametrize(("slug", "code", "reads"), [
    ("lists.sort", ["reverse"], "largest first if reverse is on"),
    ("test_small_defects.compare", ["a &lt; b", "both"], "True when a < b; <b>not bold</b>, and both kinds"),
])
def test_the_inspector_shows_docstring_backticks_as_code(qtbot, window, slug, code, reads):
    step = window.document.add_step(slug, 300, 420)
    _click_node(qtbot, window, step.id)

    html_text = window.inspector.step_label.text()
    for name in code:
        assert f"<code>{name}</code>" in html_text
    shown = _shown_text(window.inspector.step_label)
    assert reads in shown
    assert "`" not in shown.replace("A lone ` stays", "")
