"""Where Qt cannot open a window, the studio says why in one line and exits 2, instead of Qt's abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fancy_studio.gui.window import platform_check
from fancy_studio.gui.window.platform_check import missing_library_in, platform_problem

ROOT = Path(__file__).resolve().parents[1]
X11 = {"DISPLAY": ":97"}


@pytest.fixture
def a_library_is_missing(monkeypatch):
    """This machine as a minimal Linux would be: one library the xcb plugin needs cannot be loaded."""
    libraries = dict(platform_check.XCB_LIBRARIES, **{"libxcb-fancy-gone.so.0": "libxcb-fancy-gone0"})
    monkeypatch.setattr(platform_check, "XCB_LIBRARIES", libraries)
    return "libxcb-fancy-gone.so.0"


def test_a_missing_library_is_named_with_the_command_that_installs_it(a_library_is_missing):
    problem = platform_problem(X11, "linux")
    assert problem is not None and "\n" not in problem
    assert a_library_is_missing in problem
    assert "sudo apt-get install libxcb-fancy-gone0" in problem
    assert "libxcb-cursor.so.0" not in problem  # only what is missing (this machine has the rest)


def test_the_libraries_are_checked_whenever_qt_would_use_xcb(a_library_is_missing):
    assert platform_problem({}, "linux") is not None and a_library_is_missing in platform_problem({}, "linux")
    assert a_library_is_missing in platform_problem({"QT_QPA_PLATFORM": "xcb", **X11}, "linux")
    # other platforms, chosen by the user or by a Wayland session, do not need xcb
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert platform_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert platform_problem({}, "darwin") is None and platform_problem({}, "win32") is None


def test_with_every_library_and_a_display_there_is_nothing_to_say():
    assert platform_check.missing_xcb_libraries() == []  # this machine has the Qt libraries
    assert platform_problem(X11, "linux") is None


def test_without_any_display_it_says_so():
    problem = platform_problem({}, "linux")
    assert problem is not None and "\n" not in problem
    assert "DISPLAY" in problem and "fancy-studio run FILE" in problem
    xcb_without_x = {"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}
    assert "DISPLAY is not set" in platform_problem(xcb_without_x, "linux")


def test_a_library_the_list_does_not_know_is_read_from_the_loaders_error(monkeypatch, tmp_path):
    assert missing_library_in("libxcb-new.so.2: cannot open shared object file: No such file or directory") \
        == "libxcb-new.so.2"
    assert missing_library_in("/x/libqxcb.so: undefined symbol: foo") is None
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"not a library")  # loads no better than a plugin whose dependency is gone
    monkeypatch.setattr(platform_check, "_xcb_plugin", lambda: plugin)
    assert platform_check.missing_xcb_libraries() == []  # an error that names no library: Qt will say


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb platform is Linux's")
def test_the_studio_without_a_display_prints_one_line_and_exits_2():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "fancy_studio"], env=env, capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0], done.stderr
    assert "qt.qpa" not in done.stderr and "Aborted" not in done.stderr
