"""Results that last in the studio: each workflow's runs are kept in its own store on disk, so reopening it
(a new window, tomorrow) shows its last results that are still valid and Run reuses every one of them.

The story: run the user's copy of the example, close the window, open the same file in a new window.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from fancy_studio.core import InMemoryStore, SqliteStore, StepStatus
from fancy_studio.gui.run.status import StepState
from fancy_studio.gui.window import workflow_stores
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import ADD, CELSIUS, EXAMPLE, FAHRENHEIT, MULTIPLY, SCALED
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window, type_value

EXAMPLE_ID = json.loads(EXAMPLE.read_text(encoding="utf-8"))["id"]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def mine(tmp_path) -> Path:
    path = tmp_path / "mine.json"
    shutil.copyfile(EXAMPLE, path)
    return path


def _run(qtbot, window: MainWindow):
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as blocker:
        window.run_actions.run_action.trigger()
    return blocker.args[0].result


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def _store_file() -> Path:
    return workflow_stores.stores_dir() / f"{EXAMPLE_ID}.fancystore"


def _run_and_close(qtbot, path: Path) -> None:
    first = active_window(qtbot, path)
    assert isinstance(first.store, SqliteStore) and first.store.path == _store_file()
    assert _run(qtbot, first).step_status[ADD] is StepStatus.DONE
    first.close()
    assert not first.isVisible()


def test_a_new_window_on_the_same_file_shows_the_last_results_and_reuses_every_one(qtbot, mine):
    _run_and_close(qtbot, mine)
    assert _store_file().exists()

    window = active_window(qtbot, mine)
    _settle()
    assert window.scene.item_for(FAHRENHEIT).value_text == "= 70.7"  # before any run
    assert window.datums.model.rowCount() == 7
    qtbot.waitUntil(lambda: "Showing 3 results of the last run" in window.statusBar().currentMessage())
    window.scene.select_ids({FAHRENHEIT})
    assert "70.7" in window.inspector.computed.text()

    result = _run(qtbot, window)
    assert set(result.step_status.values()) == {StepStatus.CACHED}
    assert all(window.runner.status.state(step.id) is StepState.CACHED for step in window.document.workflow.steps)
    assert "3 cached" in window.run_actions.progress.clock.text()


def test_a_file_edited_between_sessions_shows_only_what_is_still_valid(qtbot, mine):
    _run_and_close(qtbot, mine)
    data = json.loads(mine.read_text(encoding="utf-8"))
    next(cell for cell in data["cells"] if cell["id"] == str(CELSIUS))["value"] = 100
    mine.write_text(json.dumps(data), encoding="utf-8")

    window = active_window(qtbot, mine)
    _settle()
    for cell_id in (SCALED, FAHRENHEIT):
        assert window.scene.item_for(cell_id).value_text == "computed"  # out of date: never shown
    aliases = {window.datums.model.cell_at(row).alias for row in range(window.datums.model.rowCount())}
    assert aliases == {"factor", "offset", "template"}

    result = _run(qtbot, window)
    assert result.step_status[MULTIPLY] is StepStatus.DONE
    assert window.store.get(FAHRENHEIT).value == pytest.approx(212)


def test_a_second_window_on_the_same_workflow_keeps_its_results_for_the_session_and_says_so(qtbot, mine):
    first = active_window(qtbot, mine)
    _run(qtbot, first)
    second = active_window(qtbot, mine)
    session_file = second.workflow_stores.path
    assert isinstance(second.store, SqliteStore) and session_file != _store_file()  # a file of its own
    assert second.store_note.isVisible() and "another Fancy Studio window" in second.store_note.toolTip()
    assert not first.store_note.isVisible()
    assert _run(qtbot, second).step_status[ADD] is StepStatus.DONE  # it runs all the same
    assert isinstance(first.store, SqliteStore) and first.store.get(FAHRENHEIT).value == pytest.approx(70.7)
    first.close()
    second.close()
    assert not session_file.parent.exists()  # the session's results go with the window


def test_a_damaged_store_is_moved_aside_and_the_workflow_opens(qtbot, mine):
    _store_file().parent.mkdir(parents=True)
    _store_file().write_bytes(b"this is not a database" * 100)
    window = active_window(qtbot, mine)
    assert isinstance(window.store, SqliteStore)
    assert not window.store_note.isVisible()  # a fresh store keeps this session's results
    qtbot.waitUntil(lambda: "damaged" in window.statusBar().currentMessage())
    aside = [p for p in _store_file().parent.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert _run(qtbot, window).ok


def test_a_store_from_a_newer_studio_is_left_alone(qtbot, mine):
    import sqlite3

    _store_file().parent.mkdir(parents=True)
    db = sqlite3.connect(_store_file())
    db.execute("PRAGMA user_version=99")
    db.close()
    before = _store_file().read_bytes()
    window = active_window(qtbot, mine)
    assert isinstance(window.store, InMemoryStore)
    assert window.store_note.isVisible() and "newer" in window.store_note.toolTip()
    assert _run(qtbot, window).ok
    window.close()
    assert _store_file().read_bytes() == before


def test_a_workflow_never_run_leaves_no_store_behind(qtbot):
    window = active_window(qtbot)
    window.new_action.trigger()
    path = window.workflow_stores.path
    assert path is not None and path.exists()
    window.close()
    assert not path.exists() and not Path(f"{path}.lock").exists()


def test_the_stored_results_limit_comes_from_the_settings(qtbot, mine):
    from fancy_studio.gui.window import main_window

    main_window.settings().setValue(workflow_stores.MAX_BYTES_KEY, 12345)
    window = active_window(qtbot, mine)
    assert window.store.max_bytes == 12345


def test_after_reopening_an_edit_in_the_inspector_marks_the_restored_results_stale(qtbot, mine):
    from tests.example_ids import FACTOR

    _run_and_close(qtbot, mine)
    window = active_window(qtbot, mine)
    scene = window.scene
    type_value(qtbot, window, FACTOR, "2")
    assert window.document.find_cell(FACTOR).value == 2
    for cell in (SCALED, FAHRENHEIT):  # restored, never run in this window, and now out of date
        qtbot.waitUntil(lambda: scene.item_for(cell).value_text.startswith("stale: "), timeout=2000)
        assert not scene.item_for(cell).computed
    assert window.runner.status.stale_reason(MULTIPLY) == "input 'factor' changed"
    result = _run(qtbot, window)
    assert result.step_status[MULTIPLY] is StepStatus.DONE
    assert window.store.get(SCALED).value == pytest.approx(43.0)
