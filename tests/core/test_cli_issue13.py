"""`fancy-studio run` on issue 13's files: params, bypassed steps (and groups: see test_groups_cli)."""

from __future__ import annotations

from pathlib import Path

from fancy_studio.core import Workflow, WorkflowStep, save_workflow
from tests.core.test_cli import fancy


def _bypassed_file(tmp_path: Path, *, passes: bool) -> Path:
    wf = Workflow(name="bypass")
    x = wf.input_cell("x", 2.0)
    text = wf.input_cell("text", "abc")
    first = wf.output_cell("first")
    if passes:
        wf.add_step(WorkflowStep(function_slug="math.multiply", inputs={"a": x.id}, params={"b": 10},
                                 outputs={"return": first.id}, bypass=True, label="Scale"))
    else:
        wf.add_step(WorkflowStep(function_slug="text.length", inputs={"text": text.id},
                                 outputs={"return": first.id}, bypass=True, label="Scale"))
    result = wf.output_cell("result")
    wf.add_step(WorkflowStep(function_slug="math.add", inputs={"a": first.id}, params={"b": 0.5},
                             outputs={"return": result.id}))
    path = tmp_path / "bypass.json"
    save_workflow(wf, path)
    return path


def test_a_bypassed_step_is_told_and_its_value_passes_on(tmp_path: Path):
    done = fancy("run", str(_bypassed_file(tmp_path, passes=True)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "result = 2.5"
    assert "↷ Scale (bypassed)" in done.stderr.splitlines()
    assert "2 steps: 1 done, 1 bypassed" in done.stderr


def test_a_bypass_that_passes_nothing_skips_the_reader_saying_why_and_exits_1(tmp_path: Path):
    done = fancy("run", str(_bypassed_file(tmp_path, passes=False)))
    assert done.returncode == 1
    skipped = [line for line in done.stderr.splitlines() if line.startswith("– ")]
    assert len(skipped) == 1 and skipped[0].startswith("– Add (math.add, ")
    assert skipped[0].endswith("skipped: depends on step 'Scale', which is bypassed and passes nothing to its "
                               "output 'return' (bypassed: no input of the output's type)")
