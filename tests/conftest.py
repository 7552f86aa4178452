"""Shared test set-up: Qt runs headless, and no test reads or writes the user's real studio settings
or recovery files."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_signing_key(monkeypatch, tmp_path):
    """Stores sign their pickles with a key under $XDG_CONFIG_HOME and live under $XDG_DATA_HOME: a
    test's own (and its subprocesses'), never the user's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    # an example copy runs in Documents/Fancy Studio Examples: here, the test's own folder
    monkeypatch.setenv("FANCY_STUDIO_EXAMPLES_FOLDER", str(tmp_path / "examples-work"))


@pytest.fixture(autouse=True)
def _private_studio_settings(monkeypatch, tmp_path, request):
    """Point the studio's QSettings, recovery files and stores under tmp_path (modules may patch them
    again themselves). A studio window runs its steps on its own run thread unless the test is marked
    `kernel`: hundreds of windows would otherwise start hundreds of kernel processes."""
    try:
        from PySide6.QtCore import QSettings

        from fancy_studio.gui.window import main_window
    except ImportError:  # core-only environments
        return
    from fancy_studio.gui.window import recovery, workflow_stores

    ini = str(tmp_path / "studio-settings.ini")
    if request.node.get_closest_marker("kernel") is None:
        from fancy_studio.gui.run import kernel_actions

        monkeypatch.setattr(kernel_actions, "runs_in_kernel", lambda _settings: False)
    monkeypatch.setattr(main_window, "settings", lambda: QSettings(ini, QSettings.Format.IniFormat))
    monkeypatch.setattr(recovery, "recovery_dir", lambda: tmp_path / "recovery")
    monkeypatch.setattr(workflow_stores, "stores_dir", lambda: tmp_path / "stores")
