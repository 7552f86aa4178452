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


def test_the_window_frame_shows_before_the_canvas_and_no_data_library_is_imported():
    """`app.open_window` shows the frame after importing main_window only: the canvas (and the core's
    models under it) and pandas, numpy, PIL, matplotlib, pyqtgraph and pyarrow come later, if ever."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    late = ("fancy_studio.gui.canvas.scene", "fancy_studio.core.workflow", "pandas", "numpy", "PIL", "matplotlib",
            "pyqtgraph", "pyarrow")
    code = f"import fancy_studio.gui.window.main_window, sys; print([m for m in {late!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         timeout=120, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_nothing_at_start_up_imports_dask_and_the_dask_executor_is_a_lazy_export():
    """`distributed` costs about half a second: the core, the CLI, the kernel and the studio import it only
    when a run goes to a cluster; `from fancy_studio.core import DaskExecutor` does not import it either."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    code = ("import sys, fancy_studio.core, fancy_studio.cli, fancy_studio.kernel.kernel, fancy_studio.kernel.child,"
            " fancy_studio.gui.window.main_window, fancy_studio.gui.app\n"
            "from fancy_studio.core import DaskExecutor\n"
            "from fancy_studio.core.dask import parse_dask_target, connect, start_local_cluster\n"
            "assert DaskExecutor.__module__ == 'fancy_studio.core.dask.executor'\n"
            "print([m for m in ('distributed', 'dask', 'tornado') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         timeout=120, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]"
