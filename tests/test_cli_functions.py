"""`--functions FILE` on the command line (issue 14): a user's functions file loaded before the run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fancy_studio.core import Workflow, save_workflow
from fancy_studio.core.function_files import FUNCTIONS_FILES_KEY
from tests.core.helpers import step

SALES = '''\
from fancy_studio.core import fancy_function


@fancy_function("sales.with_tax")
def with_tax(amount: float) -> float:
    return round(amount * 1.25, 2)
'''

ROUNDING = '''\
from fancy_studio.core import fancy_function


@fancy_function("sales.whole")
def whole(amount: float) -> int:
    return int(amount)
'''


def fancy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fancy_studio", *args], check=False, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def taxed(tmp_path: Path) -> Path:
    """A workflow: amount → sales.with_tax → sales.whole, naming its two functions files."""
    wf = Workflow(name="taxed")
    amount = wf.input_cell("amount", 10.0)
    taxed_cell, whole_cell = wf.output_cell("taxed"), wf.output_cell("whole")
    wf.add_step(step("sales.with_tax", {"amount": amount.id}, taxed_cell.id))
    wf.add_step(step("sales.whole", {"amount": taxed_cell.id}, whole_cell.id))
    wf.metadata[FUNCTIONS_FILES_KEY] = ["lib/sales.py", "lib/rounding.py"]
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "sales.py").write_text(SALES, encoding="utf-8")
    (tmp_path / "lib" / "rounding.py").write_text(ROUNDING, encoding="utf-8")
    path = tmp_path / "taxed.json"
    save_workflow(wf, path)
    return path


def test_run_uses_functions_from_the_files_given_and_the_flag_repeats(taxed: Path):
    lib = taxed.parent / "lib"
    done = fancy("run", "--functions", str(lib / "sales.py"), "--functions", str(lib / "rounding.py"),
                 str(taxed))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "whole = 12"
    assert "sales.py: 1 function loaded" in done.stderr and "rounding.py: 1 function loaded" in done.stderr


def test_run_in_a_kernel_uses_functions_from_a_file(taxed: Path):
    lib = taxed.parent / "lib"
    done = fancy("run", "--isolate", "--json", "--functions", str(lib / "sales.py"),
                 "--functions", str(lib / "rounding.py"), str(taxed))
    assert done.returncode == 0, done.stderr
    assert [output["value"] for output in json.loads(done.stdout)["outputs"]] == [12]


def test_run_never_loads_the_files_the_workflow_names_on_its_own_and_says_which_were_not_given(taxed: Path):
    lib = taxed.parent / "lib"
    done = fancy("run", "--functions", str(lib / "sales.py"), str(taxed))
    assert done.returncode == 1
    assert "names functions files that were not given with --functions: lib/rounding.py" in done.stderr
    assert "lib/sales.py" not in done.stderr.split("not given with --functions:")[1].splitlines()[0]
    assert "skipped" in done.stderr


def test_a_missing_functions_file_is_an_input_error(taxed: Path):
    done = fancy("run", "--functions", str(taxed.parent / "nope.py"), str(taxed))
    assert done.returncode == 2 and done.stdout == ""
    expected = f"fancy-studio: the functions file {taxed.parent / 'nope.py'} does not exist"
    assert done.stderr.strip() == expected


def test_a_syntax_error_is_a_warning_with_file_and_line_and_the_good_file_still_loads(taxed: Path):
    lib = taxed.parent / "lib"
    broken = ROUNDING.replace("return int(amount)", "return int(amount")
    (lib / "rounding.py").write_text(broken, encoding="utf-8")
    done = fancy("run", "--functions", str(lib / "sales.py"), "--functions", str(lib / "rounding.py"),
                 str(taxed))
    assert done.returncode == 1
    assert f"fancy-studio: warning: {(lib / 'rounding.py').resolve()}:6: SyntaxError" in done.stderr
    assert "✓ With Tax" in done.stderr


def test_text_from_a_functions_file_is_escaped_in_the_terminal(taxed: Path):
    hostile = taxed.parent / "hostile.py"
    hostile.write_text('raise RuntimeError("\\x1b[2J gone")\n', encoding="utf-8")
    done = fancy("run", "--functions", str(hostile), str(taxed))
    assert "\x1b" not in done.stderr and "\\x1b[2J gone" in done.stderr


def test_the_functions_command_lists_what_a_file_adds(taxed: Path):
    done = fancy("functions", "--json", "--functions", str(taxed.parent / "lib" / "sales.py"))
    assert done.returncode == 0, done.stderr
    assert "sales.with_tax" in {entry["slug"] for entry in json.loads(done.stdout)}


def test_the_studio_refuses_a_missing_functions_file_before_opening(tmp_path: Path):
    done = fancy("--functions", str(tmp_path / "nope.py"))
    assert done.returncode == 2 and "the functions file" in done.stderr and "does not exist" in done.stderr


def test_the_readme_functions_file_runs_as_the_readme_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The file printed under "Functions from a file", loaded with the command shown there."""
    import re

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Functions from a file"):]
    block = re.search(r"^```python\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE).group(1)
    assert block.startswith("# sales_functions.py\n")
    (tmp_path / "sales_functions.py").write_text(block, encoding="utf-8")
    wf = Workflow(name="flow")
    amount = wf.input_cell("amount", 100.0)
    total = wf.output_cell("total")
    wf.add_step(step("sales.with_tax", {"amount": amount.id}, total.id))
    save_workflow(wf, tmp_path / "flow.json")
    monkeypatch.chdir(tmp_path)
    assert "fancy-studio run --functions sales_functions.py flow.json" in section
    done = fancy("run", "--functions", "sales_functions.py", "flow.json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "total = 125.0"
