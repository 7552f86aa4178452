"""Issue 10, case 12: the CLI prints every value a step returns, abbreviated where it is huge, and --json is
always valid JSON. Before, it crashed on a whole number over 4,300 digits (`math.power(10, 5000)`), a value
whose repr raises and a list nested 100,000 deep, and --json printed NaN and Infinity, which are not JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fancy_studio.core import Workflow, WorkflowStep, save_workflow

PLUGIN = textwrap.dedent('''
    """Steps that return values that are hard to print."""
    from fancy_studio.core.functions import fancy_function

    class BadRepr:
        def __repr__(self):
            raise RuntimeError("no repr")

    class EscapingRepr:
        def __repr__(self):
            return "\\x1b]52;c;ZXZpbA==\\x07\\nfancy-studio: all good"

    @fancy_function("odd.bad_repr")
    def bad_repr(x: float) -> object:
        return BadRepr()

    @fancy_function("odd.escaping_repr")
    def escaping_repr(x: float) -> object:
        return EscapingRepr()

    @fancy_function("odd.deep")
    def deep(x: float) -> list:
        value = []
        for _ in range(100_000):
            value = [value]
        return value

    @fancy_function("odd.cyclic")
    def cyclic(x: float) -> list:
        value = [1]
        value.append(value)
        return value

    @fancy_function("odd.nan")
    def nan(x: float) -> float:
        return float("nan")

    @fancy_function("odd.infinities")
    def infinities(x: float) -> list:
        return [float("inf"), float("-inf"), {"nested": float("nan")}]

    @fancy_function("odd.tuple_keys")
    def tuple_keys(x: float) -> dict:
        return {(1, 2): "pair", 3: ("a", "b")}

    @fancy_function("odd.big_list")
    def big_list(x: float) -> list:
        return list(range(3_000_000))

    @fancy_function("odd.big_text")
    def big_text(x: float) -> str:
        return "y" * 5_000_000
''')

RUNNER = textwrap.dedent('''
    import sys
    import odd_values  # registers the functions above
    from fancy_studio.cli import main
    raise SystemExit(main(sys.argv[1:]))
''')


def _strict_json(text: str):
    """`json.loads` that refuses NaN and Infinity (Python's accepts them; JSON has no such thing)."""
    def refuse(constant: str):
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


def _flow(tmp_path: Path, slug: str, inputs: dict | None = None) -> Path:
    wf = Workflow(name=slug)
    wired = {name: wf.input_cell(name, value).id for name, value in (inputs or {"x": 1}).items()}
    out = wf.output_cell("out")
    wf.add_step(WorkflowStep(function_slug=slug, inputs=wired, outputs={"return": out.id}))
    path = tmp_path / "flow.json"
    save_workflow(wf, path)
    (tmp_path / "odd_values.py").write_text(PLUGIN)
    (tmp_path / "runner.py").write_text(RUNNER)
    return path


def _run(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(path.parent), *sys.path])}
    return subprocess.run([sys.executable, str(path.parent / "runner.py"), "run", str(path), "-q", *args],
                          capture_output=True, text=True, timeout=60, env=env)


CASES = {
    # slug, inputs → what the text line shows (a part of it), what --json holds
    "power 10**5000": ("math.power", {"base": 10, "exponent": 5000},
                       "out = 1000000000…0000000000 (5,001 digits)",
                       "1000000000…0000000000 (5,001 digits)"),
    "negative power": ("math.power", {"base": -7, "exponent": 9999}, "out = -", None),
    "repr raises": ("odd.bad_repr", None, "out = <BadRepr object (its repr failed)>",
                    "<BadRepr object (its repr failed)>"),
    "deep list": ("odd.deep", None, "out = " + "[" * 100 + "…" + "]" * 100, None),
    "cyclic list": ("odd.cyclic", None, "out = [1, [1, [1, [1, ", None),
    "nan": ("odd.nan", None, "out = nan", "NaN"),
    "infinities": ("odd.infinities", None, "out = [inf, -inf, {'nested': nan}]",
                   ["Infinity", "-Infinity", {"nested": "NaN"}]),
    "tuple keys": ("odd.tuple_keys", None, "out = {(1, 2): 'pair', 3: ('a', 'b')}",
                   {"(1, 2)": "pair", "3": ["a", "b"]}),
    "big list": ("odd.big_list", None, "out = [0, 1, 2, 3, ", list(range(3_000_000))),
    "big text": ("odd.big_text", None, "out = 'yyyy", "y" * 5_000_000),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_value_prints_abbreviated_where_huge(tmp_path, case):
    slug, inputs, shown, _ = CASES[case]
    done = _run(_flow(tmp_path, slug, inputs))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    line, = done.stdout.splitlines()
    assert line.startswith(shown) or shown in line, line[:300]
    assert len(line) < 10_100  # abbreviated: "out = " and at most 10,000 characters and the note


@pytest.mark.parametrize("case", list(CASES))
def test_json_output_is_always_valid_json(tmp_path, case):
    slug, inputs, _, expected = CASES[case]
    done = _run(_flow(tmp_path, slug, inputs), "--json")
    assert done.returncode == 0, done.stderr
    payload = _strict_json(done.stdout)
    value = payload["outputs"][0]["value"]
    if expected is not None:
        assert value == expected
    if case == "deep list":
        depth = 0
        while isinstance(value, list):
            value, depth = value[0] if value else None, depth + 1
        assert (depth, value) == (100, "…")  # cut at a depth, with a marker


def test_a_value_whose_repr_writes_escapes_cannot_drive_the_terminal(tmp_path):
    done = _run(_flow(tmp_path, "odd.escaping_repr"))
    assert done.returncode == 0
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert done.stdout.splitlines() == ["out = \\x1b]52;c;ZXZpbA==\\x07\\nfancy-studio: all good"]
