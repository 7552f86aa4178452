"""`fancy-studio run` on issue 13's files: params, bypassed steps (and groups: see test_groups_cli)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


def _twin_files(tmp_path: Path) -> tuple[Path, Path]:
    from fancy_studio.core.group_edits import group_selection
    from tests.core.group_helpers import flat_twin

    flat, steps, _cells = flat_twin()
    save_workflow(flat, tmp_path / "flat.json")
    group_selection(flat, [steps["inc"].id, steps["double"].id], name="Inc and double").apply(flat)
    flat.steps[0].label = "Prepare"
    save_workflow(flat, tmp_path / "grouped.json")
    return tmp_path / "flat.json", tmp_path / "grouped.json"


@pytest.mark.parametrize("isolate", [False, True], ids=["in process", "isolated"])
def test_a_grouped_file_runs_with_the_results_of_its_flat_twin(tmp_path: Path, isolate: bool):
    flat, grouped = _twin_files(tmp_path)
    extra = ["--isolate"] if isolate else []
    runs = {name: fancy("run", str(path), "--json", *extra) for name, path in (("flat", flat), ("grouped", grouped))}
    for done in runs.values():
        assert done.returncode == 0, done.stderr
    outputs = {name: {o["alias"]: o["value"] for o in json.loads(done.stdout)["outputs"]} for name, done in runs.items()}
    assert outputs["grouped"] == outputs["flat"] == {"neg": -8.0, "other": 4.0}
    assert len(json.loads(runs["grouped"].stdout)["steps"]) == 4


def test_progress_names_a_step_inside_a_group_by_its_group(tmp_path: Path):
    _, grouped = _twin_files(tmp_path)
    done = fancy("run", str(grouped))
    progress = [line.rsplit(" (", 1)[0] for line in done.stderr.splitlines() if line.startswith("✓ ")]
    assert progress == ["✓ Prepare › Increment", "✓ Increment", "✓ Prepare › Multiply", "✓ Negate"]


def test_a_broken_group_is_one_line_and_exit_2(tmp_path: Path):
    _, grouped = _twin_files(tmp_path)
    data = json.loads(grouped.read_text(encoding="utf-8"))
    data["groups"][0]["steps"][1]["params"] = {"b": "two"}
    grouped.write_text(json.dumps(data), encoding="utf-8")
    done = fancy("run", str(grouped))
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "in group 'Inc and double' as 'Prepare' (" in done.stderr and "step 'Multiply'" in done.stderr
