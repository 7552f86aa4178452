"""`fancy-studio run FILE --dask TARGET` (issue 15): the steps run on a Dask cluster, with the output and
exit code of an in-process run; a cluster that cannot be used is one line and exit 2, before anything runs."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fancy_studio import cli
from fancy_studio.core import Workflow, WorkflowStep, save_workflow
from fancy_studio.kernel import executors

pytestmark = pytest.mark.skipif(not executors.dask_installed(), reason="needs the dask extra")


def fancy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fancy_studio", *args], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def fan_out(tmp_path_factory) -> Path:
    """x → four increments → pairwise sums → total; beside it, a division by zero and the step reading it."""
    wf = Workflow(name="fan out")
    x, zero = wf.input_cell("x", 10), wf.input_cell("zero", 0)
    branches = []
    for i in range(4):
        out = wf.output_cell(f"b{i}")
        wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": x.id}, outputs={"return": out.id},
                                 label=f"Branch {i}"))
        branches.append(out)
    left, right, total = wf.output_cell("left"), wf.output_cell("right"), wf.output_cell("total")
    for a, b, out in ((branches[0], branches[1], left), (branches[2], branches[3], right), (left, right, total)):
        wf.add_step(WorkflowStep(function_slug="math.add", inputs={"a": a.id, "b": b.id}, outputs={"return": out.id}))
    ratio, after = wf.output_cell("ratio"), wf.output_cell("after")
    wf.add_step(WorkflowStep(function_slug="math.divide", inputs={"a": x.id, "b": zero.id},
                             outputs={"return": ratio.id}))
    wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": ratio.id}, outputs={"return": after.id}))
    path = tmp_path_factory.mktemp("dask-cli") / "fan_out.json"
    save_workflow(wf, path)
    return path


@pytest.fixture(scope="module")
def in_process(fan_out) -> subprocess.CompletedProcess[str]:
    return fancy("run", str(fan_out))


@pytest.mark.parametrize("isolate", [False, True], ids=["client here", "client in the kernel"])
def test_a_local_cluster_gives_the_output_and_exit_code_of_an_in_process_run(fan_out, in_process, isolate):
    extra = ["--isolate"] if isolate else []
    done = fancy("run", str(fan_out), "--dask", "local:2", "-v", *extra)
    assert in_process.returncode == 1 and "total = 44" in in_process.stdout.splitlines()
    assert done.stdout == in_process.stdout, done.stderr
    assert done.returncode == in_process.returncode
    lines = done.stderr.splitlines()
    assert any(line.startswith("✗ Divide (math.divide") and "ZeroDivisionError" in line for line in lines), lines
    assert lines[-1].startswith("9 steps: 7 done, 1 failed, 1 skipped in ")
    branch_lines = [line for line in lines if line.startswith("✓ Branch ")]
    assert len(branch_lines) == 4 and all(", worker 127.0.0.1:" in line for line in branch_lines), lines


def _refused_port() -> int:
    with socket.socket() as sock:  # bound, then closed: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("isolate", [False, True], ids=["client here", "client in the kernel"])
def test_an_unreachable_scheduler_is_one_line_and_exit_2_before_anything_runs(fan_out, monkeypatch, isolate):
    address = f"tcp://127.0.0.1:{_refused_port()}"
    if isolate:
        done = fancy("run", str(fan_out), "--dask", address, "--isolate")
        code, out, err = done.returncode, done.stdout, done.stderr
    else:
        monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1.0)
        out_io, err_io = io.StringIO(), io.StringIO()
        code = cli.run_command([str(fan_out), "--dask", address], out_io, err_io)
        out, err = out_io.getvalue(), err_io.getvalue()
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"fancy-studio: cannot reach the Dask scheduler at {address} ("), err
    assert not any(line.startswith(("…", "✓")) for line in lines)


def test_without_dask_installed_the_command_says_how_to_add_it(fan_out, monkeypatch):
    monkeypatch.setattr(executors, "dask_installed", lambda: False)
    out, err = io.StringIO(), io.StringIO()
    assert cli.run_command([str(fan_out), "--dask", "local:2"], out, err) == 2
    assert out.getvalue() == ""
    assert err.getvalue() == ("fancy-studio: --dask needs Dask, which is not installed: "
                              "install it: pip install 'fancy-studio[dask]'\n")


@pytest.mark.parametrize("target", ["local:0", "local:two", "somewhere"])
def test_a_target_that_is_none_is_named(fan_out, target):
    out, err = io.StringIO(), io.StringIO()
    assert cli.run_command([str(fan_out), "--dask", target], out, err) == 2
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"fancy-studio: --dask: '{target}' is not") and out.getvalue() == ""
