"""Help ▸ Keyboard Shortcuts (F1) lists what the menus' keys really are; Help ▸ About says which versions."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

import fancy_studio
from fancy_studio.gui.window import help_dialogs
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot):
    return active_window(qtbot)


def rows(dialog) -> dict[str, dict[str, str]]:
    """{group: {action: keys}} as the dialog's tree shows them (after its filter)."""
    model, shown = dialog.proxy, {}
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        shown[group.data()] = {model.index(r, 0, group).data(): model.index(r, 1, group).data()
                               for r in range(model.rowCount(group))}
    return shown


def native(sequence) -> str:
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def test_f1_lists_every_menu_shortcut_as_the_actions_have_it(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_F1)
    dialog = window._shortcuts_dialog
    assert dialog is not None and dialog.isVisible()
    shown = rows(dialog)
    assert shown["Workflow"]["Run"] == f"{native('F5')}, {native('Ctrl+R')}"
    assert shown["Edit"]["Find"] == native(QKeySequence.StandardKey.Find)
    assert shown["File"]["Save"] == window.save_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert "Pan" in shown["Canvas"]
    # every action with a shortcut in a menu is listed: nothing is missed, nothing invented
    listed = {action for group in shown.values() for action in group}
    for action in window.findChildren(QAction):
        in_menu = any(isinstance(w, QMenu) for w in action.associatedObjects())
        if in_menu and any(help_dialogs.typeable(s) for s in action.shortcuts()) and action.text():
            assert action.text().replace("&", "").rstrip("…") in listed


def test_platform_only_keys_are_left_out_of_the_list(qtbot, window):
    from fancy_studio.gui.window.help_dialogs import shortcut_rows

    window.undo_action.setShortcuts([QKeySequence("Ctrl+Z"), QKeySequence(Qt.Key.Key_F14),
                                     QKeySequence(Qt.Key.Key_Undo)])
    rows = {(group, action): keys for group, action, keys in shortcut_rows([window.findChild(QMenu, "edit-menu")])}
    assert rows[("Edit", "Undo")] == native("Ctrl+Z")


def test_the_filter_finds_an_action_by_name_or_by_key(qtbot, window):
    dialog = window.show_shortcuts()
    qtbot.keyClicks(dialog.filter, "stop")
    assert rows(dialog) == {"Workflow": {"Stop": f"{native('Shift+F5')}, {native('Esc')}"}}
    dialog.filter.clear()
    qtbot.keyClicks(dialog.filter, "F6")
    assert rows(dialog) == {"Workflow": {"Run Selected": f"{native('Ctrl+Shift+R')}, {native('F6')}"}}
    assert window.show_shortcuts() is dialog  # one window of it, brought to the front


def test_a_shortcut_changed_since_the_list_was_last_open_shows_as_changed(qtbot, window):
    dialog = window.show_shortcuts()
    dialog.close()
    window.save_action.setShortcut(QKeySequence("Ctrl+Alt+S"))
    assert rows(window.show_shortcuts())["File"]["Save"] == native("Ctrl+Alt+S")


def test_about_names_the_version_of_the_studio_python_and_qt(window, monkeypatch):
    shown = []
    monkeypatch.setattr(help_dialogs.QMessageBox, "about", lambda parent, title, text: shown.append((title, text)))
    window.findChild(QAction, "about-action").trigger()
    ((title, text),) = shown
    assert title == "About Fancy Studio"
    assert fancy_studio.__version__ in text and "Python 3." in text and "PySide6 6." in text
