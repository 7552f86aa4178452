"""Issue 10, case 8: special files. Only regular files are read, and at most `MAX_FILE_BYTES` of them.

Before: a FIFO, /dev/zero or /dev/urandom given as the workflow file hung the command line and the
studio's GUI thread (or read until MemoryError), since stat() says their size is 0. Each test here is
bounded by a pytest timeout, so a regression fails instead of hanging the suite."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from fancy_studio.core import WorkflowFileError, load_workflow
from fancy_studio.core import workflow_file
from tests.attack.file_helpers import assert_cli_refuses, assert_studio_refuses, window_on_my_file
from tests.gui.dialogs import answer_dialogs

pytestmark = [pytest.mark.timeout(30),
              pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")]


@pytest.fixture
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def _special(name: str, tmp_path: Path) -> tuple[Path, str]:
    """A special file and the words its refusal names."""
    if name == "fifo":
        path = tmp_path / "pipe.json"
        os.mkfifo(path)
        return path, "pipe"
    if name == "folder":
        path = tmp_path / "folder.json"
        path.mkdir()
        return path, "folder"
    return Path(name), "device"


SPECIALS = ["fifo", "/dev/zero", "/dev/urandom", "folder"]


@pytest.mark.parametrize("name", SPECIALS)
def test_the_loader_refuses_a_special_file_without_reading_it(tmp_path, name):
    path, kind = _special(name, tmp_path)
    with pytest.raises(WorkflowFileError) as caught:
        load_workflow(path)
    assert str(caught.value).startswith(f"{path}: ") and kind in str(caught.value)
    assert "regular files" in str(caught.value) or kind == "folder"


@pytest.mark.parametrize("name", SPECIALS)
def test_the_command_line_refuses_a_special_file_in_one_line(tmp_path, name):
    path, kind = _special(name, tmp_path)
    assert_cli_refuses(path, str(path), kind)


@pytest.mark.parametrize("name", SPECIALS)
def test_the_studio_refuses_a_special_file_and_keeps_the_open_document(qtbot, tmp_path, dialogs, name):
    window = window_on_my_file(qtbot, tmp_path)
    path, kind = _special(name, tmp_path)
    assert_studio_refuses(window, dialogs, path, path.name, kind)


def test_the_size_limit_is_enforced_while_reading(tmp_path, monkeypatch):
    """A file over the limit is refused after reading at most limit + 1 bytes, whatever stat says."""
    monkeypatch.setattr(workflow_file, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_bytes(b'{"name": "' + b"x" * 2000 + b'"}')
    with pytest.raises(WorkflowFileError, match="too large"):
        load_workflow(big)
    small = tmp_path / "small.json"
    small.write_bytes(b'{"name": "' + b"x" * 900 + b'"}')
    assert load_workflow(small).name == "x" * 900

