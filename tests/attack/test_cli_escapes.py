"""Issue 10, case 15: terminal escape injection. Text from a workflow file or a plugin (file names, slugs,
labels, aliases, port names, titles, categories) is printed by the CLI with control characters escaped, on
every path: load errors naming the file, validation errors naming a step or cell, progress and failures,
skipped steps, output lines, and the `functions` listing. --json is JSON, which escapes them itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path
from uuid import uuid4

import pytest

from fancy_studio.core import Workflow, WorkflowStep, save_workflow

VECTORS = {
    "C0": "bell\x07back\x08space\rreturn\x00nul",
    "C1 CSI": "red\x9b31mtext\x9b0m",
    "C1 next line": "one\x85fancy-studio: all good",
    "ESC clear screen": "\x1b[2J\x1b[Hcleared",
    "OSC 52 clipboard": "\x1b]52;c;cm0gLXJmIH4K\x07",
    "OSC title": "\x1b]0;owned\x1b\\",
    "bidi override": "invoice\u202etxt.exe\u2066isolated\u2069",
    "forged line": "done\nfancy-studio: all good, exit 0",
    "line separator": "done\u2028fancy-studio: all good",
}
UNSAFE = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs"))


def assert_inert(*streams: str) -> None:
    """Nothing that a terminal acts on, and no line that the file wrote itself."""
    for stream in streams:
        bad = sorted({ch for ch in stream if ch != "\n" and unicodedata.category(ch) in UNSAFE})
        assert not bad, f"raw control characters {bad!r} in {stream[:500]!r}"
        assert not any(line.startswith("fancy-studio: all good") for line in stream.splitlines()), stream


def fancy(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fancy_studio", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd, env=env, errors="surrogateescape")


def assert_refused_inertly(wf: Workflow, path: Path, message: str) -> None:
    """`run` of `wf` saved at `path` is refused (exit 2) with `message` on stderr, every stream inert."""
    save_workflow(wf, path)
    done = fancy("run", str(path))
    assert done.returncode == 2 and message in done.stderr
    assert_inert(done.stdout, done.stderr)


def _vector_ids():
    return pytest.mark.parametrize("vector", list(VECTORS.values()), ids=list(VECTORS))


def _safe_for_a_file_name(text: str) -> str:
    return text.replace("\x00", "")  # the one character (with '/') a file name cannot hold


@_vector_ids()
def test_a_file_name_in_a_load_error(tmp_path: Path, vector: str):
    path = tmp_path / f"flow{_safe_for_a_file_name(vector)}.json"
    path.write_text("{ not json")
    done = fancy("run", str(path))
    assert done.returncode == 2
    assert_inert(done.stdout, done.stderr)
    missing = fancy("run", str(tmp_path / f"gone{_safe_for_a_file_name(vector)}.json"))
    assert missing.returncode == 2
    assert_inert(missing.stdout, missing.stderr)


@_vector_ids()
def test_a_label_and_an_alias_in_a_validation_error(tmp_path: Path, vector: str):
    wf = Workflow(name=vector)
    orphan = wf.output_cell(f"alias{vector}")
    wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": orphan.id},
                             outputs={"return": wf.output_cell("out").id}, label=f"label{vector}"))
    assert_refused_inertly(wf, tmp_path / "unprovided.json", "no step writes that cell")


@_vector_ids()
def test_a_port_name_in_a_validation_error(tmp_path: Path, vector: str):
    wf = Workflow(name="ports")
    a = wf.input_cell("a", 1)
    wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": a.id, f"port{vector}": a.id},
                             outputs={"return": wf.output_cell("out").id}))
    assert_refused_inertly(wf, tmp_path / "ports.json", "wires input")


@_vector_ids()
def test_labels_slugs_and_aliases_while_running(tmp_path: Path, vector: str):
    wf = Workflow(name="running")
    a, zero = wf.input_cell("a", 1), wf.input_cell("zero", 0)
    out = wf.output_cell(f"result{vector}")
    wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": a.id}, outputs={"return": out.id},
                             label=f"bump{vector}"))
    wf.add_step(WorkflowStep(function_slug="math.divide", inputs={"a": a.id, "b": zero.id},
                             outputs={"return": uuid4()}, label=f"divide{vector}"))
    wf.add_step(WorkflowStep(function_slug=f"plugin.absent{vector}", inputs={"x": a.id},
                             outputs={"return": uuid4()}, label=f"absent{vector}"))
    wf.add_step(WorkflowStep(function_slug="text.upper", inputs={"text": wf.input_cell("t", vector).id},
                             outputs={"return": wf.output_cell(f"upper{vector}").id}))
    path = tmp_path / "running.json"
    save_workflow(wf, path)
    done = fancy("run", str(path))
    assert done.returncode == 1
    assert "ZeroDivisionError" in done.stderr and "not installed" in done.stderr
    assert_inert(done.stdout, done.stderr)
    as_json = fancy("run", str(path), "--json")
    assert_inert(as_json.stdout, as_json.stderr)
    assert json.loads(as_json.stdout)["ok"] is False


PLUGIN = textwrap.dedent('''
    import json, sys
    from fancy_studio.core.functions import fancy_function

    VECTOR = json.loads(sys.argv.pop())
    Hostile = type("Type" + VECTOR.replace("\\x00", ""), (), {})  # (a class name cannot hold NUL)

    def hostile(x: Hostile) -> Hostile:
        return x

    fancy_function("hostile.fn", title="Title" + VECTOR, category="Category" + VECTOR)(hostile)

    from fancy_studio.cli import main
    raise SystemExit(main(sys.argv[1:]))
''')


@_vector_ids()
def test_a_plugins_title_category_and_type_in_the_functions_listing(tmp_path: Path, vector: str):
    runner = tmp_path / "runner.py"
    runner.write_text(PLUGIN)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, str(runner), "functions", json.dumps(vector)], capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert "hostile.fn" in done.stdout
    assert_inert(done.stdout, done.stderr)
    listed = subprocess.run([sys.executable, str(runner), "functions", "--json", json.dumps(vector)],
                            capture_output=True, text=True, timeout=60, env=env)
    assert_inert(listed.stdout)
    assert any(f["title"] == "Title" + vector for f in json.loads(listed.stdout))
