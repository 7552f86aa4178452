"""The `fancy-studio` command line: exit codes and output on good, failing and broken files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest

from fancy_studio.core import Workflow, save_workflow
from tests.core.helpers import step

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "temperature.json"


def fancy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fancy_studio", *args], capture_output=True, text=True, timeout=60)


def test_run_prints_the_output_cells_and_exits_0():
    done = fancy("run", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sentence = 'It is 70.7 °F outside.'"
    assert "✓" in done.stderr and "3 steps: 3 done" in done.stderr


def test_run_json_is_machine_readable():
    done = fancy("run", str(EXAMPLE), "--json")
    payload = json.loads(done.stdout)
    assert payload["ok"] is True
    assert [o["alias"] for o in payload["outputs"]] == ["sentence"]
    assert all(s["status"] == "done" for s in payload["steps"].values())


def test_a_failing_step_exits_1_and_says_which(tmp_path: Path):
    wf = Workflow(name="fails")
    a, zero = wf.input_cell("a", 1), wf.input_cell("zero", 0)
    wf.add_step(step("math.divide", {"a": a.id, "b": zero.id}, uuid4()))
    path = tmp_path / "fails.json"
    save_workflow(wf, path)
    done = fancy("run", str(path))
    assert done.returncode == 1
    assert "math.divide raised ZeroDivisionError" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_invalid_workflow_exits_2_with_one_line(tmp_path: Path):
    wf = Workflow(name="cycle")
    x, y = wf.output_cell("x"), wf.output_cell("y")
    wf.add_step(step("math.increment", {"x": x.id}, y.id))
    wf.add_step(step("math.increment", {"x": y.id}, x.id))
    path = tmp_path / "cycle.json"
    save_workflow(wf, path)
    done = fancy("run", str(path))
    assert done.returncode == 2
    assert "cycle" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [
    b"",
    b'{"name": "x", "steps": [{"function_slug": "math.incr',
    bytes(range(256)),
    b'{"name": ["not", "a", "string"]}',
    b"[" * 50_000 + b"]" * 50_000,
    b'{"schema_version": 7}',
])
def test_broken_files_exit_2_without_a_traceback(tmp_path: Path, content: bytes):
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    done = fancy("run", str(path))
    assert done.returncode == 2
    assert done.stderr.startswith("fancy-studio: ") and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_file_exits_2():
    done = fancy("run", "/nonexistent/flow.json")
    assert done.returncode == 2 and "no such file" in done.stderr


def test_functions_lists_the_library():
    done = fancy("functions")
    assert done.returncode == 0
    assert "math.increment" in done.stdout and "text.upper" in done.stdout
    listed = json.loads(fancy("functions", "--json").stdout)
    increment = next(f for f in listed if f["slug"] == "math.increment")
    assert increment["inputs"] == [{"name": "x", "type": "float", "required": True}]
