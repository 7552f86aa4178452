"""Issue 10 case 16: the studio's own files are the user's alone, under the usual umask 022.

Recovery files (the unsaved copy of a 0600 workflow included) and their lock files are 0600 in a 0700
folder; the settings file is 0600 in a 0700 folder; and saving a 0600 workflow leaves it 0600.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from fancy_studio.gui.window import main_window, recovery
from fancy_studio.gui.window.main_window import MainWindow
from tests.example_ids import CELSIUS, EXAMPLE
from tests.gui.dialogs import answer_dialogs

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def private_workflow(tmp_path) -> Path:
    path = tmp_path / "secret.json"
    shutil.copyfile(EXAMPLE, path)
    path.chmod(0o600)
    return path


def window_on(qtbot, path: Path) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_workflow(path)
    return window


@pytest.mark.parametrize("folder_existed", [False, True])
def test_the_unsaved_copy_of_a_private_workflow_is_private(qtbot, private_workflow, folder_existed):
    folder = recovery.recovery_dir()
    if folder_existed:  # made world-readable by an earlier version
        folder.mkdir(parents=True, mode=0o755)
        folder.chmod(0o755)
    window = window_on(qtbot, private_workflow)
    window.document.set_cell_value(CELSIUS, 12.5)
    window.recovery.write()
    assert mode(folder) == 0o700
    assert {f.suffix: mode(f) for f in folder.iterdir()} == {".json": 0o600, ".lock": 0o600}


def test_saving_a_private_workflow_keeps_it_private(qtbot, private_workflow):
    window = window_on(qtbot, private_workflow)
    window.document.set_cell_value(CELSIUS, 12.5)
    assert window.save_workflow()
    assert mode(private_workflow) == 0o600


@pytest.mark.parametrize("existed", [False, True])
def test_the_settings_file_is_private(qtbot, monkeypatch, tmp_path, existed):
    ini = tmp_path / "config" / "FancyStudio" / "Fancy Studio.conf"
    if existed:  # written world-readable by an earlier version
        ini.parent.mkdir(parents=True, mode=0o755)
        ini.write_text("[General]\nrecentFiles=/home/someone/secret.json\n")
        ini.chmod(0o644)
    monkeypatch.setattr(main_window, "settings", lambda: QSettings(str(ini), QSettings.Format.IniFormat))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.close()  # saves the window's layout into the settings
    settings = main_window.settings()
    assert settings.value("windowState") is not None  # written indeed
    settings.setValue("probe", 1)
    settings.sync()
    assert settings.status() == QSettings.Status.NoError
    assert mode(ini) == 0o600 and mode(ini.parent) == 0o700
