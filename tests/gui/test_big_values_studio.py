"""Values stay where they were made (issue 12): a step in the kernel returns 200 MB, the studio reads a
summary (type, preview, size) for the canvas and the Datums dock, and the whole value only when the user
opens, copies or exports it. The studio's memory does not grow with the value."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from fancy_studio.core import StoredSummary, Workflow, WorkflowStep, fancy_function, save_workflow
from fancy_studio.gui.datums.model import TYPE, VALUE
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window, shut_down

pytestmark = pytest.mark.kernel

BIG = 200 * 1000 * 1000
MEDIUM = 600 * 1000  # over the summary threshold, small enough to view and export in a test


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot):
    win = active_window(qtbot)
    qtbot.waitUntil(lambda: win.kernel_actions.link.state == "idle", timeout=20_000)
    yield win
    shut_down(qtbot, win)


def _rss_mb() -> float:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _workflow() -> tuple[Workflow, dict]:
    @fancy_function("bigt.blob")
    def blob(n: int) -> bytes:
        return b"\x07" * n

    wf = Workflow(name="big values")
    cells = {}
    for name, n in (("big", BIG), ("medium", MEDIUM)):
        size = wf.input_cell(f"{name}_n", n)
        cells[name] = wf.output_cell(name)
        wf.add_step(WorkflowStep(function_slug="bigt.blob", inputs={"n": size.id}, outputs={"return": cells[name].id}))
    return wf, cells


def _row_text(window, cell_id, column: int) -> str:
    model = window.datums.model
    return model.index(model.row_of(cell_id), column).data()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the process's RSS from /proc")
def test_a_200_mb_value_stays_in_the_kernel_and_on_disk_until_the_user_opens_it(qtbot, window, tmp_path,
                                                                              monkeypatch):
    wf, cells = _workflow()
    path = tmp_path / "big.json"
    save_workflow(wf, path)
    assert window.open_workflow(path)
    before = _rss_mb()
    with qtbot.waitSignal(window.runner.finished, timeout=120_000) as finished:
        window.run_actions.run_action.trigger()
    outcome = finished.args[0]
    assert outcome.in_kernel and outcome.result.ok
    big, medium = cells["big"].id, cells["medium"].id
    qtbot.waitUntil(lambda: window.datums.model.row_of(big) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.scene.item_for(big).value_text.startswith("= b'\\x07"), timeout=10_000)
    assert _row_text(window, big, TYPE) == "bytes"
    assert _row_text(window, big, VALUE).startswith("b'\\x07\\x07") and "(200.0 MB)" in _row_text(window, big, VALUE)
    model = window.datums.model
    assert "stays on disk" in model.index(model.row_of(big), VALUE).data(Qt.ItemDataRole.ToolTipRole)
    assert isinstance(window.store.get(big).value, StoredSummary)
    after = _rss_mb()
    print(f"studio RSS before the run {before:.1f} MB, after {after:.1f} MB")
    assert after - before < 50, f"the studio's RSS grew by {after - before:.1f} MB"

    viewer = window.datums.open_viewer(medium)  # the user asks: now the whole value is read
    assert viewer is not None and viewer.value == b"\x07" * MEDIUM
    viewer.close()
    window.datums.select_cells([medium])
    assert window.datums.copy_selected() == 1
    assert QApplication.clipboard().text() == repr(b"\x07" * MEDIUM)
    out = tmp_path / "datums.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "JSON (*.json)"))
    assert window.datums.export_dialog() == out
    (record,) = json.loads(out.read_text())
    assert record["type"] == "bytes" and record["value"] == repr(b"\x07" * MEDIUM)
