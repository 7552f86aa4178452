"""The Datums menu and the store (issue 11, "Space"): Clear Stored Results makes the next run compute
every step, Stored Results Limit… keeps the cap in the settings and on the open store, a value the store
cannot write to disk says it is kept in memory only, and the table reads lineage only for rows it paints."""

from __future__ import annotations

import threading
import time
from uuid import UUID, uuid4

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMessageBox

from fancy_studio.core import InMemoryStore, Lineage, SqliteStore, StepStatus, StoredResult
from fancy_studio.gui.datums.actions import GIB, MAX_BYTES_KEY, DatumActions
from fancy_studio.gui.datums.model import ALIAS, FUNCTION, TOOK, VALUE
from fancy_studio.gui.datums.panel import DatumPanel
from fancy_studio.gui.window import main_window
from fancy_studio.gui.window.main_window import MainWindow
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import click_run as click_run_outcome
from tests.gui.windows import shut_down, window_on_my_file

STEP = UUID("5f0c6a86-4a44-4a55-9a55-0000000000aa")


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    answers = answer_dialogs(monkeypatch)
    answers["question"].answer = QMessageBox.StandardButton.Yes
    return answers


class LimitAnswer:
    """Stands in for QInputDialog.getDouble: records what it was asked, answers `gib`."""

    def __init__(self, gib: float, ok: bool = True) -> None:
        self.gib, self.ok = gib, ok
        self.calls: list[tuple] = []

    def __call__(self, *args, **kwargs):
        self.calls.append(args)
        return self.gib, self.ok


@pytest.fixture
def window(qtbot, tmp_path):
    win = window_on_my_file(qtbot, tmp_path)
    yield win
    shut_down(qtbot, win)


def click_run(qtbot, window: MainWindow):
    return click_run_outcome(qtbot, window).result


def lineage(step_id: UUID = STEP, duration: float = 0.012) -> Lineage:
    return Lineage(step_id, "math.add", "f2ae9703" * 8, {"a": "ab" * 32, "b": "cd" * 32}, "ef" * 32,
                   time.time(), duration)


def lone_actions(qtbot, store, settings: QSettings) -> tuple[DatumActions, DatumPanel, list[str]]:
    """The Datums actions on a bare window with only the Datums table, on `store`."""
    window = QMainWindow()
    qtbot.addWidget(window)
    panel = DatumPanel(store, lambda _step_id: "Add", window)
    window.setCentralWidget(panel)
    messages: list[str] = []
    actions = DatumActions(window, panel, store=lambda: store, settings_factory=lambda: settings,
                           show_lineage=lambda ids: None, canvas_selection=lambda: (),
                           message=messages.append)
    return actions, panel, messages


# --- Clear Stored Results -------------------------------------------------------------------------------


def test_clear_stored_results_makes_the_next_run_compute_every_step(qtbot, window, dialogs):
    assert click_run(qtbot, window).ok
    again = click_run(qtbot, window)
    assert set(again.step_status.values()) == {StepStatus.CACHED}  # reuse works, so the test can fail
    shown = window.datums.model.rowCount()
    window.findChild(QAction, "clear-stored-results-action").trigger()
    assert any("The next run will compute every step again" in text for text in dialogs["question"].asked)
    assert "Stored results cleared" in window.statusBar().currentMessage()
    assert window.datums.model.rowCount() == shown  # the datums shown stay
    result = click_run(qtbot, window)
    assert result.ok and set(result.step_status.values()) == {StepStatus.DONE}


def test_clear_stored_results_cancelled_keeps_them(qtbot, window, dialogs):
    assert click_run(qtbot, window).ok
    dialogs["question"].answer = QMessageBox.StandardButton.Cancel
    assert window.datum_actions.clear_stored_results() is False
    assert set(click_run(qtbot, window).step_status.values()) == {StepStatus.CACHED}


def test_nothing_stored_asks_nothing_and_a_cleared_store_forgets_its_lineage(qtbot, tmp_path, dialogs):
    store = InMemoryStore()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    actions, panel, messages = lone_actions(qtbot, store, settings)
    actions.clear_results_action.trigger()
    assert dialogs["question"].calls == [] and messages == ["No stored results to clear"]
    cell = store.put(3, "sum", produced_by=STEP)
    store.set_lineage(cell.id, lineage())
    store.remember("key", StoredResult({"return": 3}, {"return": "aa" * 32}, lineage()))
    panel.refresh()
    assert panel.model.index(0, FUNCTION).data() == "math.add f2ae9703"
    actions.clear_results_action.trigger()
    assert len(dialogs["question"].calls) == 1
    assert panel.model.index(0, FUNCTION).data() == "" and panel.model.index(0, ALIAS).data() == "sum"


# --- Stored Results Limit -------------------------------------------------------------------------------


def test_the_limit_is_asked_in_gib_kept_in_the_settings_and_applied_to_the_open_store(qtbot, window,
                                                                                        monkeypatch):
    answer = LimitAnswer(2.5)
    monkeypatch.setattr(QInputDialog, "getDouble", answer)
    window.findChild(QAction, "store-limit-action").trigger()
    assert answer.calls[0][3] == 4.0  # the default, 4 GiB, offered first
    assert int(main_window.settings().value(MAX_BYTES_KEY)) == int(2.5 * GIB)
    if hasattr(window.store, "max_bytes"):
        assert window.store.max_bytes == int(2.5 * GIB)
    window.findChild(QAction, "store-limit-action").trigger()
    assert answer.calls[1][3] == 2.5  # what was chosen is offered next time
    monkeypatch.setattr(QInputDialog, "getDouble", LimitAnswer(9.0, ok=False))
    window.findChild(QAction, "store-limit-action").trigger()
    assert int(main_window.settings().value(MAX_BYTES_KEY)) == int(2.5 * GIB)  # cancelled: unchanged


def test_the_limit_reaches_a_store_on_disk(qtbot, tmp_path, monkeypatch):
    store = SqliteStore(tmp_path / "w.fancystore", key=b"k" * 32, commit_interval=0)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    actions, _panel, messages = lone_actions(qtbot, store, settings)
    monkeypatch.setattr(QInputDialog, "getDouble", LimitAnswer(0.5))
    assert actions.ask_limit() == GIB // 2
    assert store.max_bytes == GIB // 2 and int(settings.value(MAX_BYTES_KEY)) == GIB // 2
    assert messages[-1] == "Stored results are limited to 0.5 GiB"
    store.close()


# --- what the table shows -------------------------------------------------------------------------------


def test_a_value_the_store_cannot_write_says_it_stays_in_memory_only(qtbot, tmp_path):
    store = SqliteStore(tmp_path / "w.fancystore", key=b"k" * 32, commit_interval=0)
    store.put(threading.Lock(), "lock", produced_by=STEP)
    store.put(21.5, "celsius")
    panel = DatumPanel(store, lambda _step_id: "Open")
    qtbot.addWidget(panel)
    model = panel.model
    lock, celsius = (model.index(model.row_of(store.find(alias).id), VALUE) for alias in ("lock", "celsius"))
    assert lock.data().endswith("(in memory only)") and lock.data(Qt.ItemDataRole.FontRole).italic()
    assert "not kept when the studio closes" in lock.data(Qt.ItemDataRole.ToolTipRole)
    assert "in memory only" not in celsius.data() and celsius.data(Qt.ItemDataRole.FontRole) is None
    store.close()


class CountingStore(InMemoryStore):
    """An InMemoryStore that counts the table's questions about lineage (a store on disk may query)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def lineage(self, cell_id):
        self.asked += 1
        return super().lineage(cell_id)


def test_lineage_is_read_for_the_rows_painted_not_for_every_row_on_every_refresh(qtbot):
    store = CountingStore()
    for number in range(10_000):
        cell = store.put(number, f"n{number}", produced_by=STEP)
        store.set_lineage(cell.id, lineage())
    panel = DatumPanel(store, lambda _step_id: "Add")
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: store.asked > 0, timeout=2000)  # the rows on screen show their lineage
    painted = store.asked
    assert painted < 100
    assert panel.proxy.index(0, TOOK).data() == "12 ms"
    for number in range(1_000):  # a run going on: refreshes append, the view paints what is on screen
        store.put(number, f"m{number}", produced_by=STEP)
        if number % 100 == 0:
            panel.refresh()
            qtbot.wait(1)
    panel.refresh()
    qtbot.wait(20)
    assert panel.model.rowCount() == 11_000
    assert store.asked - painted < 100


def test_while_a_run_goes_a_value_shows_its_lineage_once_the_engine_records_it(qtbot):
    store = InMemoryStore()
    panel = DatumPanel(store, lambda _step_id: "Add")
    qtbot.addWidget(panel)
    panel.start_live(10_000)  # live, but refreshed by hand here
    cell = store.put(3, "sum", produced_by=STEP)
    panel.refresh()
    function = panel.model.index(0, FUNCTION)
    assert function.data() == ""  # the value is in; its lineage follows a moment later
    store.set_lineage(cell.id, lineage(duration=2.0))
    assert function.data() == "math.add f2ae9703" and panel.model.index(0, TOOK).data() == "2.0 s"
    panel.stop_live()


def test_sorting_by_took_puts_the_slowest_last(qtbot):
    store = InMemoryStore()
    for alias, seconds in (("slow", 3.0), ("fast", 0.001), ("mid", 0.5)):
        store.set_lineage(store.put(1, alias, produced_by=uuid4()).id, lineage(duration=seconds))
    store.put(0, "input")
    panel = DatumPanel(store, lambda _step_id: "Add")
    qtbot.addWidget(panel)
    panel.show()
    header = panel.table.horizontalHeader()
    pos = header.sectionViewportPosition(TOOK) + header.sectionSize(TOOK) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos, 5))
    assert [panel.proxy.index(row, ALIAS).data() for row in range(4)] == ["input", "fast", "mid", "slow"]


def test_an_edit_repaints_only_the_rows_it_made_stale(qtbot):
    store = InMemoryStore()
    cells = [store.put(number, f"n{number}", produced_by=STEP) for number in range(10_000)]
    stale: dict[UUID, str] = {}
    panel = DatumPanel(store, lambda _step_id: "Add")
    qtbot.addWidget(panel)
    panel.model.set_stale_reason(stale.get)
    ranges: list[tuple[int, int]] = []
    panel.model.dataChanged.connect(lambda top, bottom, _roles: ranges.append((top.row(), bottom.row())))
    stale[cells[42].id] = "input 'x' changed"
    panel.model.refresh_staleness()
    assert ranges == [(42, 42)]
    assert "stale: input 'x' changed" in panel.model.index(42, VALUE).data(Qt.ItemDataRole.ToolTipRole)
    panel.model.refresh_staleness()  # nothing changed since: nothing repainted
    assert ranges == [(42, 42)]
    stale.clear()
    panel.model.refresh_staleness()
    assert ranges == [(42, 42), (42, 42)]
    assert panel.model.index(42, VALUE).data(Qt.ItemDataRole.ForegroundRole) is None


def test_the_table_reads_a_store_on_disk_without_making_it_write(qtbot, tmp_path):
    """While a run goes the table refreshes every 100 ms and paints rows; none of that may make the store
    write the run's pending batch on the GUI thread (a stall of the window)."""
    import sqlite3

    from fancy_studio.core import SqliteStore
    from fancy_studio.gui.datums.panel import DatumPanel

    store = SqliteStore(tmp_path / "s.fancystore", key=b"k" * 32, commit_interval=3600)
    panel = DatumPanel(store)
    qtbot.addWidget(panel)
    panel.show()
    panel.start_live()
    cells = [store.put(n, f"n{n}") for n in range(50)]
    assert panel.refresh()
    panel.table.viewport().repaint()  # paints rows: their lineage and "in memory only" are asked
    assert panel.model.rowCount() == 50

    def rows_on_disk() -> int:
        db = sqlite3.connect(tmp_path / "s.fancystore")
        try:
            return db.execute("SELECT count(*) FROM cells").fetchone()[0]
        finally:
            db.close()

    assert rows_on_disk() == 0  # still pending: the table wrote nothing
    store.remove(cells[10].id)  # a removal is seen (and this one writes, as a removal must)
    assert panel.refresh() and panel.model.rowCount() == 49
    panel.stop_live()
    store.close()


def test_a_removal_and_a_clear_are_counted_by_every_store(tmp_path):
    from fancy_studio.core import InMemoryStore, SqliteStore

    for store in (InMemoryStore(), SqliteStore(tmp_path / "r.fancystore", key=b"k" * 32)):
        first = store.put(1)
        store.put(2)
        assert store.removals == 0
        store.remove(first.id)
        assert store.removals == 1
        store.clear()
        assert store.removals == 2


def test_in_memory_only_without_waiting_says_it_cannot_tell_yet(tmp_path):
    import threading

    from fancy_studio.core import SqliteStore

    with SqliteStore(tmp_path / "m.fancystore", key=b"k" * 32, commit_interval=3600) as store:
        cell = store.put(threading.Lock())
        assert store.in_memory_only(cell.id, wait=False) is None
        assert store.in_memory_only(cell.id) is True  # writes it, then answers
        assert store.in_memory_only(cell.id, wait=False) is True
