"""The real-data examples run headless from any folder: their paths are relative to the workflow file, and
the CLI prints a table as its size and columns (and `--json` as its first rows)."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fancy_studio.cli_values import json_value, value_text
from fancy_studio.core.data_types import Image
from fancy_studio.resources import examples_dir

EXAMPLES = ["sales_by_region", "word_counts", "clean_contacts", "join_tables", "statistics_report"]


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """The examples and their data copied to a folder of their own (never written where they are bundled)."""
    folder = tmp_path / "examples"
    folder.mkdir()
    for name in EXAMPLES:
        shutil.copy(examples_dir() / f"{name}.json", folder)
    shutil.copytree(examples_dir() / "data", folder / "data")
    return folder


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fancy_studio", "run", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_runs_from_another_folder_and_writes_beside_its_file(examples, tmp_path, name):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run(str(examples / f"{name}.json"), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "failed" not in result.stderr
    assert list(elsewhere.iterdir()) == []  # nothing written where the command ran


def test_sales_by_region_writes_the_totals_and_the_chart(examples, tmp_path):
    result = run(str(examples / "sales_by_region.json"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with open(examples / "region_totals.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["region"] for row in rows] == ["North", "West", "East", "South"]
    with open(examples / "data" / "sales.csv", newline="") as file:
        sales = [row for row in csv.DictReader(file) if float(row["amount"]) > 100]
    north = sum(float(row["amount"]) for row in sales if row["region"] == "North")
    assert float(rows[0]["amount"]) == pytest.approx(north)
    assert (examples / "sales_by_region.png").read_bytes().startswith(b"\x89PNG")
    assert "chart_file = 'sales_by_region.png'" in result.stdout


def test_a_table_output_is_printed_as_its_size_and_in_json_as_its_first_rows(examples, tmp_path):
    text = run(str(examples / "statistics_report.json"), cwd=tmp_path).stdout
    assert "per_sensor = table: 3 rows × 2 columns (sensor, temperature)" in text
    assert "garden_chart = Image(" in text
    outputs = {o["alias"]: o["value"] for o in json.loads(
        run("--json", str(examples / "statistics_report.json"), cwd=tmp_path).stdout)["outputs"]}
    table = outputs["per_sensor"]
    assert table["type"] == "table" and table["rows"] == 3 and table["columns"] == ["sensor", "temperature"]
    assert [row["sensor"] for row in table["head"]] == ["cellar", "garden", "kitchen"]
    assert outputs["histogram"]["type"] == "image" and outputs["histogram"]["width"] > 0


def test_value_text_and_json_of_tables_series_and_numpy_numbers():
    import numpy as np
    import pandas as pd

    dates = pd.date_range("2026-01-01", periods=25)
    frame = pd.DataFrame({"a": np.arange(25, dtype=np.int64), "when": dates})
    assert value_text(frame) == "table: 25 rows × 2 columns (a, when)"
    assert value_text(pd.Series([1.5], name="x")) == "table: 1 row × 1 column (x)"
    written = json_value(frame)
    assert written["rows"] == 25 and len(written["head"]) == 20
    assert written["head"][1] == {"a": 1, "when": "2026-01-02T00:00:00"}
    json.dumps(written, allow_nan=False)
    png = Image(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0\0\0\2\0\0\0\3" + b"\0" * 9, 2, 3)
    assert json_value(png) == {"type": "image", "width": 2, "height": 3, "png_bytes": len(png.png)}
