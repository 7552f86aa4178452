"""Startup stays light: importing the studio must not pull in networkx (it is imported where it is used)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_main_window_import_does_not_import_networkx():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", "import fancy_studio.gui.window.main_window, sys; print('networkx' in sys.modules)"],
        env=env, capture_output=True, text=True, check=True, timeout=120, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "False"
