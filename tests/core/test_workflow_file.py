"""The file format: lossless round trips, migration, refusal of bad and future files, atomic saves."""

from __future__ import annotations

import json
import os
from pathlib import Path
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fancy_studio.core import (
    CellSpec,
    InMemoryStore,
    Position,
    SchemaVersionError,
    UnsavableValueError,
    Workflow,
    WorkflowFileError,
    WorkflowStep,
    load_workflow,
    parse_workflow,
    save_workflow,
)

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "temperature.json"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)
port_names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)


@st.composite
def workflows(draw: st.DrawFn) -> Workflow:
    cells = draw(st.lists(
        st.builds(lambda alias, has, value: CellSpec(alias=alias, value=value) if has else CellSpec(alias=alias),
                  st.text(max_size=12), st.booleans(), json_values),
        max_size=6))
    ids = [c.id for c in cells] or [uuid4()]
    steps = draw(st.lists(
        st.builds(lambda slug, ins, outs, label: WorkflowStep(function_slug=slug, inputs=ins, outputs=outs, label=label),
                  st.from_regex(r"[a-z]{1,6}\.[a-z_]{1,8}", fullmatch=True),
                  st.dictionaries(port_names, st.sampled_from(ids), max_size=3),
                  st.dictionaries(port_names, st.sampled_from(ids), max_size=2),
                  st.text(max_size=10)),
        max_size=5))
    layout_ids = ids + [s.id for s in steps]
    layout = draw(st.dictionaries(st.sampled_from(layout_ids),
                                  st.builds(Position, x=st.floats(-1e6, 1e6), y=st.floats(-1e6, 1e6)), max_size=4))
    metadata = draw(st.dictionaries(st.text(max_size=8), json_values, max_size=3))
    return Workflow(name=draw(st.text(max_size=20)), cells=cells, steps=steps, layout=layout, metadata=metadata)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(workflows())
def test_json_round_trip_is_lossless(wf: Workflow):
    text = wf.model_dump_json()
    back = Workflow.model_validate_json(text)
    assert back == wf
    assert back.model_dump_json() == text
    assert [c.has_value for c in back.cells] == [c.has_value for c in wf.cells]


def test_a_null_literal_stays_a_value_and_a_computed_cell_has_none():
    wf = Workflow(cells=[CellSpec(alias="nothing", value=None), CellSpec(alias="computed")])
    data = json.loads(wf.model_dump_json())
    assert "value" in data["cells"][0] and data["cells"][0]["value"] is None
    assert "value" not in data["cells"][1]
    back = Workflow.model_validate_json(wf.model_dump_json())
    assert back.cells[0].has_value and not back.cells[1].has_value


def test_save_and_load_keep_everything(tmp_path: Path):
    wf = load_workflow(EXAMPLE)
    target = tmp_path / "copy.json"
    save_workflow(wf, target)
    assert load_workflow(target) == wf


def test_an_older_schema_is_migrated():
    a, out = str(uuid4()), str(uuid4())
    old = {"schema_version": 0, "name": "old", "cells": {a: {"alias": "a", "value": 1}},
           "steps": [{"function": "math.increment", "inputs": {"x": a}, "outputs": {"return": out}}]}
    wf = parse_workflow(json.dumps(old))
    assert wf.schema_version == 2
    assert wf.steps[0].function_slug == "math.increment"
    assert wf.cells[0].alias == "a" and wf.cells[0].value == 1


V1_FILE = Path(__file__).parent / "files" / "v1_divide_and_add.json"


def test_a_version_1_file_opens_runs_and_saves_as_version_2_with_nothing_else_changed(tmp_path):
    """Version 2 added params, bypass and groups, each left out of the file when unused."""
    written = json.loads(V1_FILE.read_text(encoding="utf-8"))
    assert written["schema_version"] == 1
    workflow = load_workflow(V1_FILE)
    assert workflow.schema_version == 2
    assert all(step.params == {} and not step.bypass for step in workflow.steps) and workflow.groups == []
    store = InMemoryStore()
    from fancy_studio.core import Engine

    assert Engine(store).run(workflow).ok
    assert store.get(workflow.steps[1].outputs["return"]).value == 5
    save_workflow(workflow, tmp_path / "saved.json")
    saved = json.loads((tmp_path / "saved.json").read_text(encoding="utf-8"))
    assert saved.pop("schema_version") == 2
    del written["schema_version"]
    assert saved == written


def test_a_newer_schema_is_refused_with_a_clear_message():
    with pytest.raises(SchemaVersionError, match="schema version 99.*update Fancy Studio"):
        parse_workflow(json.dumps({"schema_version": 99, "name": "future"}))


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b'{"name": "x", "steps": [', "not valid JSON"),
    (bytes(range(256)) * 4, "not a text file"),
    (b'{"name": 5}', "name"),
    (b'{"steps": [{"function_slug": "math.increment", "inputs": {"x": "not-a-uuid"}}]}', "steps.0.inputs.x"),
    (b"[1, 2, 3]", "expected a JSON object"),
    (b'{"unknown_key": 1}', "unknown_key"),
    (b"[" * 100_000 + b"]" * 100_000, ""),
])
def test_broken_files_raise_a_one_line_file_error(content: bytes, message: str):
    with pytest.raises(WorkflowFileError) as caught:
        parse_workflow(content, "broken.json")
    text = str(caught.value)
    assert text.startswith("broken.json: ") and message in text and "\n" not in text


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(WorkflowFileError, match="no such file"):
        load_workflow(tmp_path / "absent.json")
    with pytest.raises(WorkflowFileError, match="folder"):
        load_workflow(tmp_path)


def test_a_failed_save_leaves_the_old_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "flow.json"
    save_workflow(Workflow(name="original"), target)
    before = target.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        save_workflow(Workflow(name="replacement"), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["flow.json"], "no temporary file is left behind"


def test_loading_runs_nothing(tmp_path: Path):
    marker = tmp_path / "ran"
    wf = Workflow(name="evil", steps=[WorkflowStep(function_slug="os.system", inputs={}, outputs={})],
                  metadata={"code": f"open('{marker}', 'w')"})
    path = tmp_path / "evil.json"
    save_workflow(wf, path)
    load_workflow(path)
    assert not marker.exists()


# --- saving the input values a store holds ------------------------------------------------------------


def _reads(wf: Workflow, *cell_ids, out=None) -> None:
    for index, cell_id in enumerate(cell_ids):
        outputs = {"return": out} if (out is not None and index == 0) else {"return": uuid4()}
        wf.add_step(WorkflowStep(function_slug="math.add", inputs={"a": cell_id, "b": cell_id}, outputs=outputs))


def test_save_with_a_store_writes_the_input_cells_it_holds(tmp_path: Path):
    store = InMemoryStore()
    a, b = store.put(1.5, "a"), store.put([1, {"k": None}], "b")
    unrelated = store.put("not read by any step", "unrelated")
    wf = Workflow(name="w")
    declared = wf.output_cell("")  # declared without a value or alias: the store fills both
    store.put(7, "from store", id=declared.id)
    middle = uuid4()
    _reads(wf, a.id, b.id, declared.id, out=middle)
    wf.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": middle}, outputs={"return": uuid4()}))
    store.put(99, "computed", id=middle)  # written by a step: not an input, not saved
    before = wf.model_dump()

    save_workflow(wf, tmp_path / "w.json", store=store)

    assert wf.model_dump() == before, "saving leaves the workflow object as it was"
    loaded = load_workflow(tmp_path / "w.json")
    literals = {c.id: (c.alias, c.value) for c in loaded.literal_cells()}
    assert literals == {a.id: ("a", 1.5), b.id: ("b", [1, {"k": None}]), declared.id: ("from store", 7)}
    assert unrelated.id not in {c.id for c in loaded.cells} and middle not in literals


def test_a_value_the_workflow_declares_wins_over_the_store(tmp_path: Path):
    store = InMemoryStore()
    wf = Workflow(name="w")
    given = wf.input_cell("given", 3)
    store.put(4, "other", id=given.id)
    _reads(wf, given.id)
    save_workflow(wf, tmp_path / "w.json", store=store)
    assert [(c.alias, c.value) for c in load_workflow(tmp_path / "w.json").literal_cells()] == [("given", 3)]


@pytest.mark.parametrize("value, said", [
    ((1, 2), "(type tuple)"), ({1, 2}, "(type set)"), (float("nan"), "nan"), ([1, float("inf")], "[1] is inf"),
    ({1: "x"}, "JSON keys are text"), ({"k": b"x"}, "['k'] is b'x' (type bytes)"), (object(), "(type object)"),
])
def test_a_value_a_file_cannot_hold_names_the_cell_and_writes_nothing(tmp_path: Path, value, said):
    store = InMemoryStore()
    bad = store.put(value, "bad input")
    wf = Workflow(name="w")
    _reads(wf, bad.id)
    target = tmp_path / "w.json"
    target.write_text("the old file")
    with pytest.raises(UnsavableValueError) as caught:
        save_workflow(wf, target, store=store)
    assert caught.value.cell_id == bad.id
    assert "'bad input'" in str(caught.value) and str(bad.id) in str(caught.value) and said in str(caught.value)
    assert target.read_text() == "the old file" and sorted(p.name for p in tmp_path.iterdir()) == ["w.json"]


def test_without_a_store_the_file_has_no_input_values(tmp_path: Path):
    store = InMemoryStore()
    a = store.put(1, "a")
    wf = Workflow(name="w")
    _reads(wf, a.id)
    save_workflow(wf, tmp_path / "w.json")
    assert load_workflow(tmp_path / "w.json").cells == []


def test_cells_named_only_in_steps_are_declared_once_after_their_port():
    from uuid import uuid4

    from fancy_studio.core import Workflow, WorkflowStep

    workflow = Workflow()
    given, middle, out = uuid4(), uuid4(), uuid4()
    workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": given}, outputs={"return": middle}))
    workflow.add_step(WorkflowStep(function_slug="math.increment", inputs={"x": middle}, outputs={"return": out}))
    added = workflow.declare_referenced_cells()
    assert [(c.id, c.alias, c.has_value) for c in added] == [
        (middle, "return", False), (given, "x", False), (out, "return", False)]
    assert workflow.declare_referenced_cells() == []  # nothing left to declare


def test_a_step_timeout_is_saved_only_when_set_and_must_be_a_positive_finite_number(tmp_path) -> None:
    """Issue 12: `timeout` (seconds, for a kernel) is data in the file; a file without it loads and saves
    as before."""
    import json

    import pydantic

    from fancy_studio.core import Workflow, WorkflowStep, load_workflow, save_workflow

    workflow = Workflow()
    plain = workflow.add_step(WorkflowStep(function_slug="math.increment"))
    limited = workflow.add_step(WorkflowStep(function_slug="math.increment", timeout=5))
    path = tmp_path / "timeout.json"
    save_workflow(workflow, path)
    saved = {step["id"]: step for step in json.loads(path.read_text())["steps"]}
    assert "timeout" not in saved[str(plain.id)] and saved[str(limited.id)]["timeout"] == 5
    loaded = load_workflow(path)
    assert [step.timeout for step in loaded.steps] == [None, 5]
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(pydantic.ValidationError):
            WorkflowStep(function_slug="math.increment", timeout=bad)
