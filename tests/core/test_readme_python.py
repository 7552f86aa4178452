"""The README's "Use it from Python" round trip, exactly as printed there: build, run and save in Python,
then run the saved file with the command the README shows."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).parents[2] / "README.md"


def readme_section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def code_blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE)


@pytest.fixture
def python_section() -> str:
    return readme_section("Use it from Python")


def test_the_readme_python_example_saves_a_file_the_cli_runs(python_section: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    example = code_blocks(python_section, "python")[0]
    exec(compile(example, "README.md (Use it from Python)", "exec"), {"__name__": "readme_example"})

    saved = json.loads((tmp_path / "my_flow.json").read_text(encoding="utf-8"))
    assert [(c["alias"], c["value"]) for c in saved["cells"] if "value" in c] == [("my_input", 10)]

    run_line = next(line for line in code_blocks(python_section, "bash")[0].splitlines()
                    if line.startswith("fancy-studio run "))
    command, _, comment = run_line.partition("#")
    argv = shlex.split(command)[1:]
    done = subprocess.run([sys.executable, "-m", "fancy_studio", *argv], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == comment.split("prints:", 1)[1].strip() == "result = 11"
