"""The table functions in workflows (issue 14): the "sales" pipeline run headless by the engine on every
execution path and by `fancy-studio run`, a missing column reported with the step that failed, and the
library importing without pandas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fancy_studio.core import (
    Engine,
    InMemoryStore,
    RunCallbacks,
    StepStatus,
    Workflow,
    WorkflowStep,
    find_problems,
    save_workflow,
)
from tests.core.helpers import PATHS, PlainStore

ROOT = Path(__file__).resolve().parents[2]

SALES = """region,amount,date
West,120,2024-01-05
East,80,2024-01-06
West,300,2024-01-09
North,150.5,2024-02-01
East,101,2024-02-03
North,99,2024-02-04
South,,2024-02-05
"""


def sales_pipeline(threshold: object = 100, column: str = "amount") -> tuple[Workflow, list[WorkflowStep]]:
    """read_csv("sales.csv") → filter_rows(column > threshold) → group_by(region, amount, sum) →
    write_csv("totals.csv"), with relative paths (the workflow's folder) and literal params on the steps."""
    wf = Workflow(name="Sales by region")
    names = ("sales", "big orders", "totals", "written")
    sales, big, totals, written = (wf.output_cell(name) for name in names)
    steps = [
        wf.add_step(WorkflowStep(function_slug="table.read_csv", outputs={"return": sales.id},
                                 params={"path": "sales.csv"}, label="Read sales")),
        wf.add_step(WorkflowStep(function_slug="table.filter_rows", inputs={"table": sales.id},
                                 outputs={"return": big.id}, label="Keep big orders",
                                 params={"column": column, "op": ">", "value": threshold})),
        wf.add_step(WorkflowStep(function_slug="table.group_by", inputs={"table": big.id},
                                 outputs={"return": totals.id}, label="Total by region",
                                 params={"by": "region", "column": "amount", "agg": "sum"})),
        wf.add_step(WorkflowStep(function_slug="table.write_csv", inputs={"table": totals.id},
                                 outputs={"return": written.id}, params={"path": "totals.csv"})),
    ]
    return wf, steps


TOTALS = "region,amount\nEast,101.0\nNorth,150.5\nWest,420.0\n"


@PATHS
def test_the_sales_pipeline_writes_the_totals(store_type, workers, tmp_path: Path) -> None:
    (tmp_path / "sales.csv").write_text(SALES, encoding="utf-8")
    wf, steps = sales_pipeline()
    assert find_problems(wf) == []
    store = store_type()
    result = Engine(store).run(wf, max_workers=workers, folder=tmp_path)
    assert result.ok, result.errors
    assert (tmp_path / "totals.csv").read_text(encoding="utf-8") == TOTALS
    written = store.get(steps[3].outputs["return"]).value
    assert written == "totals.csv"
    totals = store.get(steps[2].outputs["return"]).value
    assert totals["region"].tolist() == ["East", "North", "West"] and list(totals.index) == [0, 1, 2]
    sales = store.get(steps[0].outputs["return"]).value
    assert len(sales) == 7  # the input read is left whole by the filter after it


def test_a_threshold_typed_as_text_filters_as_a_number(tmp_path: Path) -> None:
    (tmp_path / "sales.csv").write_text(SALES, encoding="utf-8")
    wf, _ = sales_pipeline(threshold="100")
    assert find_problems(wf) == []
    result = Engine(InMemoryStore()).run(wf, folder=tmp_path)
    assert result.ok, result.errors
    assert (tmp_path / "totals.csv").read_text(encoding="utf-8") == TOTALS


def test_a_missing_column_fails_its_step_naming_the_step_and_the_column(tmp_path: Path) -> None:
    (tmp_path / "sales.csv").write_text(SALES, encoding="utf-8")
    (tmp_path / "totals.csv").write_text("the old totals\n", encoding="utf-8")
    wf, steps = sales_pipeline(column="regoin")
    failures: list[tuple[str, str]] = []
    callbacks = RunCallbacks(on_step_failed=lambda step, error: failures.append((step.label, str(error))))
    result = Engine(InMemoryStore()).run(wf, callbacks=callbacks, folder=tmp_path)
    assert not result.ok
    status = [result.step_status[step.id] for step in steps]
    assert status == [StepStatus.DONE, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.SKIPPED]
    message = "table.filter_rows: no column 'regoin'; the table has: region, amount, date"
    assert failures == [("Keep big orders", f"table.filter_rows raised ColumnNotFoundError: {message}")]
    error = result.errors[steps[1].id]
    assert error.step_id == steps[1].id and error.message == message
    assert isinstance(error.exception, KeyError)
    assert (tmp_path / "totals.csv").read_text(encoding="utf-8") == "the old totals\n"  # never written


def fancy_run(path: Path) -> subprocess.CompletedProcess[str]:
    """`fancy-studio run PATH` from the repository's folder (not the workflow's)."""
    return subprocess.run([sys.executable, "-m", "fancy_studio", "run", str(path)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, check=False)


def test_fancy_studio_run_reports_the_failing_step_by_name(tmp_path: Path) -> None:
    """What a user sees on the command line: the step's name, its slug and id, and the missing column."""
    (tmp_path / "sales.csv").write_text(SALES, encoding="utf-8")
    wf, steps = sales_pipeline(column="regoin")
    path = tmp_path / "sales.json"
    save_workflow(wf, path)
    done = fancy_run(path)
    assert done.returncode == 1, done.stderr
    expected = (f"✗ Keep big orders (table.filter_rows, {str(steps[1].id)[:8]}): table.filter_rows raised "
                "ColumnNotFoundError: table.filter_rows: no column 'regoin'; the table has: region, amount, "
                "date")
    assert expected in done.stderr.splitlines(), done.stderr

    fixed, _ = sales_pipeline()
    save_workflow(fixed, path)
    # run from another folder: "sales.csv" and "totals.csv" are found beside the workflow file
    done = fancy_run(path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "totals.csv").read_text(encoding="utf-8") == TOTALS


@pytest.mark.parametrize("module", ["fancy_studio.core.library", "fancy_studio.core.library.tables_io"])
def test_importing_the_library_does_not_import_pandas(module: str) -> None:
    """The registry imports the library on first use (the CLI, the kernel, the studio): pandas, pyarrow and
    openpyxl wait until a table function runs."""
    code = ("import sys; import {0}; from fancy_studio.core.functions import registry; "
            "assert registry.get('table.read_csv').inputs; "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'openpyxl', 'numpy') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code.format(module)], env=env, capture_output=True, text=True,
                         check=True, timeout=120, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_second_run_reuses_the_read_until_the_file_changes(tmp_path: Path) -> None:
    """The reader's fingerprint finds a relative path in the workflow's folder (not the working folder)."""
    sales_file = tmp_path / "sales.csv"
    sales_file.write_text(SALES, encoding="utf-8")
    wf, steps = sales_pipeline()
    engine = Engine(PlainStore())
    assert engine.run(wf, folder=tmp_path).ok
    (tmp_path / "totals.csv").unlink()
    again = engine.run(wf, folder=tmp_path)
    assert [again.step_status[step.id] for step in steps] == [
        StepStatus.CACHED, StepStatus.CACHED, StepStatus.CACHED, StepStatus.DONE]
    assert (tmp_path / "totals.csv").read_text(encoding="utf-8") == TOTALS
    sales_file.write_text(SALES + "South,1000,2024-03-01\n", encoding="utf-8")
    changed = engine.run(wf, folder=tmp_path)
    assert [changed.step_status[step.id] for step in steps] == [StepStatus.DONE] * 4
    with_south = TOTALS.replace("West", "South,1000.0\nWest")
    assert (tmp_path / "totals.csv").read_text(encoding="utf-8") == with_south
