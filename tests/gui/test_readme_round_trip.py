"""The README's "Use it from Python" file, opened in the studio: its input shows its value and Run
computes what the command line prints."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from fancy_studio.core import load_workflow
from tests.core.test_readme_python import code_blocks, readme_section
from tests.gui.dialogs import answer_dialogs
from tests.gui.windows import active_window


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def test_the_readme_python_file_opens_and_runs_in_the_studio(qtbot, tmp_path, monkeypatch, dialogs):
    monkeypatch.chdir(tmp_path)
    example = code_blocks(readme_section("Use it from Python"), "python")[0]
    exec(compile(example, "README.md (Use it from Python)", "exec"), {"__name__": "readme_example"})
    path = tmp_path / "my_flow.json"
    saved = load_workflow(path)
    result_cell = next(c.id for c in saved.cells if c.alias == "result")

    window = active_window(qtbot, path)
    assert dialogs["warning"].calls == [] and dialogs["critical"].calls == []
    with qtbot.waitSignal(window.runner.finished, timeout=10_000) as finished:
        qtbot.keyClick(window.view, Qt.Key.Key_F5)
    assert finished.args[0].result.ok
    assert window.store.get(result_cell).value == 11
    qtbot.waitUntil(lambda: window.scene.item_for(result_cell).value_text == "= 11", timeout=2000)
    window.runner.shutdown()
