"""Shared by the tests/attack/test_file_*.py corpus: a bad file goes through the loader, the command line
and the studio's Open, and each must refuse it the same way (one clear line; the open document kept)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import EXAMPLE
from tests.gui.windows import window_on_my_file  # noqa: F401 (the attack tests' name for it)


def example_data() -> dict:
    """The bundled example as JSON data, to spoil one part of it."""
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def fancy_run(path: Path | str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`fancy-studio run PATH` in a fresh process, as a user types it."""
    return subprocess.run([sys.executable, "-m", "fancy_studio", "run", str(path), *args],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def assert_cli_refuses(path: Path | str, *words: str) -> str:
    """The command exits 2 with one line on stderr naming the file, nothing on stdout; returns the line."""
    done = fancy_run(path)
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fancy-studio: "), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def assert_studio_refuses(window: MainWindow, dialogs, path: Path | str, *words: str) -> str:
    """Opening `path` fails with a message box naming the problem, and the open document is unchanged."""
    before = (window.document.workflow.model_dump_json(), window.document.path, window.windowTitle())
    scene_items = len(window.scene.items())
    shown = len(dialogs["critical"].calls)
    assert window.open_workflow(path) is False
    assert (window.document.workflow.model_dump_json(), window.document.path, window.windowTitle()) == before
    assert len(window.scene.items()) == scene_items
    calls = dialogs["critical"].calls[shown:]
    assert len(calls) == 1
    text = calls[0][2]
    for word in words:
        assert word in text, (word, text)
    return text
