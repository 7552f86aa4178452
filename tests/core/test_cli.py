"""The `fancy-studio` command line: exit codes and output on good, failing and broken files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest

from fancy_studio.core import Workflow, WorkflowStep, save_workflow
from tests.core.helpers import step

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "temperature.json"


def fancy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fancy_studio", *args], capture_output=True, text=True, timeout=60)


def test_run_prints_the_output_cells_and_exits_0():
    done = fancy("run", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sentence = 'It is 70.7 °F outside.'"
    assert "✓" in done.stderr and "3 steps: 3 done" in done.stderr


def test_progress_names_steps_by_title_as_the_studio_does():
    """The example's steps have no label of their own: they show their function's title, not the slug."""
    done = fancy("run", str(EXAMPLE))
    progress = [line.rsplit(" (", 1)[0] for line in done.stderr.splitlines() if line.startswith("✓ ")]
    assert progress == ["✓ Multiply", "✓ Add", "✓ Format"]
    assert "math.multiply" not in done.stderr


def test_a_renamed_step_shows_its_own_name_and_a_failure_adds_slug_and_id(tmp_path: Path):
    wf = Workflow(name="named")
    a, zero = wf.input_cell("a", 1), wf.input_cell("zero", 0)
    renamed = wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": a.id},
                                       outputs={"return": uuid4()}, label="Bump"))
    divide = wf.add_step(step("math.divide", {"a": a.id, "b": zero.id}, uuid4()))
    path = tmp_path / "named.json"
    save_workflow(wf, path)
    done = fancy("run", str(path))
    lines = done.stderr.splitlines()
    assert "… Bump" in lines and any(line.startswith("✓ Bump (") for line in lines)
    assert f"✗ Divide (math.divide, {str(divide.id)[:8]}): math.divide raised ZeroDivisionError: division by zero" \
        in lines
    assert renamed.label == "Bump" and done.returncode == 1


def test_text_from_the_file_cannot_drive_the_terminal(tmp_path: Path):
    """Labels, aliases and values are printed with control characters (escape sequences, carriage
    returns, bidirectional overrides) escaped, each on its own line."""
    wf = Workflow(name="hostile")
    a = wf.input_cell("a", 1)
    out = wf.output_cell("res\x1b[2J\rult\u202e")
    wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": a.id}, outputs={"return": out.id},
                             label="Clear\x1b[2J\nscreen"))
    missing = wf.add_step(WorkflowStep(function_slug="x.y\x07", inputs={"x": a.id}, outputs={"return": uuid4()}))
    path = tmp_path / "hostile.json"
    save_workflow(wf, path)
    done = fancy("run", str(path))
    for stream in (done.stdout, done.stderr):
        assert not any(ch in stream for ch in "\x1b\r\x07\u202e"), stream
    assert done.stdout == "res\\x1b[2J\\rult\\u202e = 2\n"
    assert "✓ Clear\\x1b[2J\\nscreen (" in done.stderr
    assert (f"– x.y\\x07 (x.y\\x07, {str(missing.id)[:8]}): skipped: function 'x.y\\x07' is not installed"
            in done.stderr.splitlines())


def test_a_missing_function_skips_its_steps_runs_the_rest_and_exits_1(tmp_path: Path):
    wf = Workflow(name="partly installed")
    a = wf.input_cell("a", 1)
    gone, after, other = wf.output_cell("gone"), wf.output_cell("after"), wf.output_cell("other")
    missing = wf.add_step(step("plugin.absent", {"x": a.id}, gone.id))
    dependent = wf.add_step(step("math.increment", {"x": gone.id}, after.id))
    wf.add_step(step("math.increment", {"x": a.id}, other.id))
    path = tmp_path / "partly.json"
    save_workflow(wf, path)
    done = fancy("run", str(path))
    assert done.returncode == 1, done.stderr
    assert done.stdout == "other = 2\n"
    lines = done.stderr.splitlines()
    assert f"– plugin.absent (plugin.absent, {str(missing.id)[:8]}): skipped: function 'plugin.absent' is not installed" \
        in lines
    assert (f"– Increment (math.increment, {str(dependent.id)[:8]}): skipped: depends on step 'plugin.absent', "
            "whose function 'plugin.absent' is not installed") in lines
    assert "3 steps: 1 done, 2 skipped" in done.stderr and "Traceback" not in done.stderr
    payload = json.loads(fancy("run", str(path), "--json", "-q").stdout)
    assert payload["steps"][str(missing.id)] == {"status": "skipped", "seconds": None, "error": None,
                                                 "reason": "function 'plugin.absent' is not installed"}


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
