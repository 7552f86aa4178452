"""Issue 10, case 6: a built-in asked for an absurdly large result (an exponent, a repeat count, a width or
precision, a range's length, a separator or replacement repeated per item) refuses with a clear error
before computing, instead of holding the interpreter for minutes (`math.power(2, 10**10)` froze the
studio for 79 s; `text.format("{:>1500000000}")` wrote 1.5 GB). The step fails with the message, its
dependent is skipped, the rest runs."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest

from fancy_studio.core import Engine, InMemoryStore, StepStatus, Workflow, WorkflowStep, save_workflow


@dataclass(frozen=True)
class First:
    """An input given as the first item of a list (through `lists.first`, whose output is Any): how a
    text or a list reaches an input declared as a number."""

    items: list


def _workflow(slug: str, inputs: dict) -> tuple[Workflow, WorkflowStep, WorkflowStep, WorkflowStep]:
    """literal inputs → `slug` → To Text (its dependent); and an independent Increment."""
    wf = Workflow(name=slug)
    wired = {}
    for name, value in inputs.items():
        if isinstance(value, First):
            items, item = wf.input_cell(f"{name}_items", value.items), wf.output_cell(f"{name}_first")
            wf.add_step(WorkflowStep(function_slug="lists.first", inputs={"items": items.id},
                                     outputs={"return": item.id}))
            wired[name] = item.id
        else:
            wired[name] = wf.input_cell(name, value).id
    out, text, two = (wf.output_cell(n) for n in ("out", "text", "two"))
    big = wf.add_step(WorkflowStep(function_slug=slug, inputs=wired, outputs={"return": out.id}))
    after = wf.add_step(WorkflowStep(function_slug="convert.to_str", inputs={"value": out.id},
                                     outputs={"return": text.id}))
    one_in = wf.input_cell("x", 1)
    other = wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": one_in.id},
                                     outputs={"return": two.id}))
    return wf, big, after, other


REFUSED = {
    "power 2**10**10": ("math.power", {"base": 2, "exponent": 10**10},
                        "power: the result would be a whole number"),
    "power 12345**10**9": ("math.power", {"base": 12345, "exponent": 10**9}, "digits"),
    "power 10**10**7": ("math.power", {"base": 10, "exponent": 10**7}, "at most 1,262,611 digits"),
    "text repeated": ("math.multiply", {"a": First(["ab"]), "b": 10**10}, "multiply: the result would have "
                      "20,000,000,000 characters"),
    "repeat count first": ("math.multiply", {"a": 10**10, "b": First(["ab"])}, "20,000,000,000 characters"),
    "list repeated": ("math.multiply", {"a": First([[1, 2]]), "b": 10**9}, "2,000,000,000 items"),
    "width": ("text.format", {"template": "{:>1500000000}", "value": 1}, "width or precision 1500000000"),
    "precision": ("text.format", {"template": "{:.1500000000f}", "value": 1.5},
                  "width or precision 1500000000"),
    "nested width": ("text.format", {"template": "{0:>{value}}", "value": 10**9},
                     "width or precision 1000000000"),
    "width of 5000 digits": ("text.format", {"template": "{:>" + "9" * 5000 + "}", "value": 1},
                             "(5,000 characters)"),
    "many fields": ("text.format", {"template": "{0}" * 1000, "value": "x" * 20_000}, "format: the result"),
    "join separator": ("text.join", {"items": First([list(range(200_000))]), "separator": "-" * 100},
                       "join: the result would have 21,088,790 characters"),
    "replace": ("text.replace", {"text": "a" * 100_000, "old": "a", "new": "b" * 1000},
                "replace: the result would have 100,000,000 characters"),
    "range": ("lists.range", {"stop": 10**12}, "range: the result would have 1,000,000,000,000 numbers"),
    "range beyond maxsize": ("lists.range", {"stop": 10**30}, "range: the result would have 1e+30 numbers"),
    "json indent": ("convert.to_json", {"value": First([[1, 2]]), "indent": 10**9}, "to_json (indent)"),
    "json indent per line": ("convert.to_json", {"value": First([list(range(100_000))]), "indent": 1000},
                             "to_json: the result would have"),
}


@pytest.mark.parametrize("workers", [1, 2], ids=["sequential", "parallel"])
@pytest.mark.parametrize("case", list(REFUSED))
def test_an_absurd_size_fails_the_step_with_a_clear_message_before_computing(case, workers):
    slug, inputs, message = REFUSED[case]
    wf, big, after, other = _workflow(slug, inputs)
    store = InMemoryStore()
    result = Engine(store).run(wf, max_workers=workers)
    assert result.step_status[big.id] is StepStatus.FAILED, result.errors
    assert result.step_status[after.id] is StepStatus.SKIPPED
    assert result.step_status[other.id] is StepStatus.DONE
    error = result.errors[big.id]
    assert message in error.message and "at most" in error.message, error.message
    assert len(error.message) < 300


@pytest.mark.parametrize("slug,inputs,expected", [
    ("math.power", {"base": 2, "exponent": 4_000_000}, "2 ** 4,000,000"),  # just under the limit
    ("math.power", {"base": 1, "exponent": 10**12}, 1),
    ("math.power", {"base": -1, "exponent": 10**12 + 1}, -1),
    ("math.power", {"base": 2, "exponent": -(10**10)}, 0.0),
    ("math.round", {"x": 5, "digits": -(10**9)}, 0),  # answered, not computed through 10 ** 10**9
    ("math.round", {"x": 123456, "digits": -3}, 123000),
    ("text.format", {"template": "{:>20}|{value:.3f}", "value": 2.5}, "                 2.5|2.500"),
    ("math.multiply", {"a": First(["ab"]), "b": 3}, "ababab"),
    ("lists.range", {"stop": 5}, [0, 1, 2, 3, 4]),
    ("text.join", {"items": First([[1, 2, 3]]), "separator": "--"}, "1--2--3"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None)
def test_sizes_within_the_limits_are_computed(slug, inputs, expected):
    wf, big, after, other = _workflow(slug, inputs)
    store = InMemoryStore()
    result = Engine(store).run(wf)
    assert result.step_status[big.id] is StepStatus.DONE, result.errors
    if expected == "2 ** 4,000,000":
        expected = 2**4_000_000
    assert store.get(big.outputs["return"]).value == expected


def test_multiplying_two_large_whole_numbers_is_refused_past_the_limit():
    wf = Workflow(name="square of a big power")
    two, exponent = wf.input_cell("two", 2), wf.input_cell("exponent", 4_000_000)
    big, square = wf.output_cell("big"), wf.output_cell("square")
    wf.add_step(WorkflowStep(function_slug="math.power", inputs={"base": two.id, "exponent": exponent.id},
                             outputs={"return": big.id}))
    squaring = wf.add_step(WorkflowStep(function_slug="math.multiply", inputs={"a": big.id, "b": big.id},
                                        outputs={"return": square.id}))
    result = Engine(InMemoryStore()).run(wf)
    assert result.step_status[squaring.id] is StepStatus.FAILED
    assert "multiply: the result would be a whole number" in result.errors[squaring.id].message


# --- the CLI ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["power 2**10**10", "width", "range"])
def test_the_cli_fails_the_step_at_once_and_prints_no_giant(tmp_path: Path, case: str):
    slug, inputs, message = REFUSED[case]
    wf, big, after, other = _workflow(slug, inputs)
    path = tmp_path / "big.json"
    save_workflow(wf, path)
    done = subprocess.run([sys.executable, "-m", "fancy_studio", "run", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == "two = 2\n" and len(done.stderr) < 2000
    as_json = subprocess.run([sys.executable, "-m", "fancy_studio", "run", str(path), "--json", "-q"],
                             capture_output=True, text=True, timeout=60)
    payload = json.loads(as_json.stdout)
    assert payload["steps"][str(big.id)]["status"] == "failed"
    assert payload["steps"][str(after.id)]["status"] == "skipped"
