"""No kernel outlives the process that started it, and `fancy-studio run --isolate` survives a crash."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.processes import gone

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading
    sys.path.insert(0, {root!r})
    from fancy_studio.core import RunCallbacks
    from fancy_studio.kernel import Kernel
    from tests.kernel.kernel_functions import REGISTRY, chain

    kernel = Kernel()
    workflow, steps, _ = chain("kernel_test.forever")
    started = threading.Event()
    callbacks = RunCallbacks(on_step_started=lambda step: started.set())
    threading.Thread(target=lambda: kernel.run(workflow, store_path=None, callbacks=callbacks, registry=REGISTRY),
                     daemon=True).start()
    assert started.wait(60)
    print(kernel.pid, flush=True)
    if sys.argv[1] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.exit(0)  # the run's thread is still in the step
""")



@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process table in /proc")
@pytest.mark.parametrize("how", ["exit", "kill"])
def test_the_interpreter_ending_during_a_run_leaves_no_kernel(tmp_path: Path, how: str) -> None:
    script = tmp_path / "script.py"
    script.write_text(SCRIPT.format(root=str(ROOT)))
    done = subprocess.run([sys.executable, str(script), how], capture_output=True, text=True, timeout=90)
    kernel_pid = int(done.stdout.split()[0])
    assert kernel_pid != done.returncode  # (a pid was printed)
    assert gone(kernel_pid), f"kernel {kernel_pid} outlived its studio ({how})"


PLUGIN = textwrap.dedent("""
    import os, signal
    from fancy_studio.core import fancy_function

    @fancy_function("crashing.segfault")
    def segfault(x: float) -> float:
        os.kill(os.getpid(), signal.SIGSEGV)
        return x
""")


def installed_plugin(tmp_path: Path, name: str, source: str) -> Path:
    """A folder holding a plugin `<name>_plugin` (its module and its entry point in the group
    `fancy_studio.functions`), as `pip install` would leave it: put it on PYTHONPATH to load it."""
    site = tmp_path / "site"
    info = site / f"{name}_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Name: {name}-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[fancy_studio.functions]\n{name} = {name}_plugin\n")
    (site / f"{name}_plugin.py").write_text(source)
    return site


def test_run_isolate_reports_a_crashing_plugin_step_and_exits_1(tmp_path: Path) -> None:
    site = installed_plugin(tmp_path, "crashing", PLUGIN)
    from fancy_studio.core import Workflow, WorkflowStep

    workflow = Workflow(name="crash")
    x = workflow.input_cell("x", 1.5)
    dead, fine = workflow.output_cell("dead"), workflow.output_cell("fine")
    workflow.add_step(WorkflowStep(function_slug="crashing.segfault", inputs={"x": x.id}, outputs={"return": dead.id}))
    workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": x.id}, outputs={"return": fine.id}))
    path = tmp_path / "crash.json"
    path.write_text(workflow.model_dump_json())
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    done = subprocess.run([sys.executable, "-m", "fancy_studio", "run", str(path), "--isolate"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=90, env=env)
    assert done.returncode == 1, done.stderr
    assert "the kernel died: signal 11, SIGSEGV" in done.stderr
    assert "KernelDied" in done.stderr
    assert "fine = 2.5" in done.stdout


HANGING_PLUGIN = textwrap.dedent("""
    import os, time
    from pathlib import Path
    from fancy_studio.core import fancy_function

    @fancy_function("hanging.forever", cacheable=False)
    def forever(x: float) -> float:
        Path(os.environ["HANG_MARKER"]).write_text(str(os.getpid()))
        while True:
            time.sleep(0.05)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process table in /proc")
def test_ctrl_c_stops_run_isolate_on_a_step_that_never_returns(tmp_path: Path) -> None:
    import signal
    import time

    site = installed_plugin(tmp_path, "hanging", HANGING_PLUGIN)
    from fancy_studio.core import Workflow, WorkflowStep

    workflow = Workflow(name="hang")
    x = workflow.input_cell("x", 1.5)
    stuck = workflow.output_cell("stuck")
    workflow.add_step(WorkflowStep(function_slug="hanging.forever", inputs={"x": x.id}, outputs={"return": stuck.id}))
    path = tmp_path / "hang.json"
    path.write_text(workflow.model_dump_json())
    marker = tmp_path / "kernel.pid"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]), HANG_MARKER=str(marker))
    cli = subprocess.Popen([sys.executable, "-m", "fancy_studio", "run", str(path), "--isolate"], cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and cli.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), cli.communicate(timeout=10)
    kernel_pid = int(marker.read_text())
    cli.send_signal(signal.SIGINT)  # Ctrl+C
    out, err = cli.communicate(timeout=60)
    assert cli.returncode == 1, err
    assert "stopped (killed)" in err
    assert "Traceback" not in err
    assert gone(kernel_pid)
