"""Issue 10, cases 9, 10, 11 and 13: files of the wrong shape are refused in one line, and a BOM is fine.

9: `schema_version` given as a string, a float or a bool skipped the version check ("99", "2", "-1", 2.0,
   true ran with exit 0). Only a JSON integer is a version.
10: draft files (schema 0) of the wrong shape (steps null, a cell that is not an object) gave a traceback
   and exit 1, and a TypeError escaped the studio's open_workflow.
11: duplicate step ids were not rejected, and --json then listed 2 of 3 steps.
13: a UTF-8 byte order mark at the start of a file was refused ("expected value at line 1 column 1")."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest

from fancy_studio.core import WorkflowFileError, load_workflow, parse_workflow
from fancy_studio.core.errors import SchemaVersionError
from tests.attack.file_helpers import (
    assert_cli_refuses, assert_studio_refuses, example_data, fancy_run, window_on_my_file,
)
from tests.example_ids import CELSIUS, EXAMPLE, MULTIPLY
from tests.gui.dialogs import answer_dialogs


@pytest.fixture
def dialogs(monkeypatch):
    return answer_dialogs(monkeypatch)


def _write(tmp_path: Path, data: dict, name: str = "shape.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- 9: schema_version ------------------------------------------------------------------------------

NOT_VERSIONS = ["99", "2", "-1", "1", 2.0, 1.0, True, False, None, [1], {"v": 1}]


def _with_version(tmp_path: Path, version) -> Path:
    data = example_data()
    data["schema_version"] = version
    return _write(tmp_path, data, "version.json")


@pytest.mark.parametrize("version", NOT_VERSIONS, ids=repr)
def test_only_an_integer_is_a_schema_version(tmp_path, version):
    with pytest.raises(SchemaVersionError) as caught:
        load_workflow(_with_version(tmp_path, version))
    assert "schema_version must be a whole number" in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "version.json"))


@pytest.mark.parametrize("version", ["99", "2", "-1", 2.0, True], ids=repr)
def test_the_command_line_refuses_a_version_that_is_not_an_integer(tmp_path, version):
    path = _with_version(tmp_path, version)
    assert_cli_refuses(path, "version.json", "schema_version", json.dumps(version))


@pytest.mark.parametrize("version", [3, 99, -1])
def test_integer_versions_are_still_checked(tmp_path, version):
    with pytest.raises(SchemaVersionError):
        load_workflow(_with_version(tmp_path, version))


def test_a_version_given_as_text_cannot_be_assigned_either():
    workflow = load_workflow(EXAMPLE)
    with pytest.raises((ValueError, SchemaVersionError)):
        workflow.schema_version = "1"
    with pytest.raises((ValueError, SchemaVersionError)):
        workflow.schema_version = True
    assert workflow.schema_version == 2 and type(workflow.schema_version) is int


def test_the_studio_refuses_a_version_that_is_not_an_integer(qtbot, tmp_path, dialogs):
    window = window_on_my_file(qtbot, tmp_path)
    assert_studio_refuses(window, dialogs, _with_version(tmp_path, "2"), "version.json", "schema_version")


# --- 10: draft files of the wrong shape --------------------------------------------------------------

DRAFTS = {
    "steps-null": {"schema_version": 0, "name": "d", "steps": None},
    "steps-text": {"schema_version": 0, "name": "d", "steps": "abc"},
    "steps-object": {"schema_version": 0, "name": "d", "steps": {"a": 1}},
    "cell-not-a-mapping": {"schema_version": 0, "name": "d", "cells": {str(uuid4()): 5}},
    "cell-a-list": {"schema_version": 0, "name": "d", "cells": {str(uuid4()): [1, 2]}},
    "cells-null": {"schema_version": 0, "name": "d", "cells": None},
    "step-not-a-mapping": {"schema_version": 0, "name": "d", "steps": [7]},
}


@pytest.mark.parametrize("name", DRAFTS)
def test_a_draft_file_of_the_wrong_shape_is_refused_in_one_line(tmp_path, name):
    with pytest.raises(WorkflowFileError) as caught:
        load_workflow(_write(tmp_path, DRAFTS[name], "draft.json"))
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "draft.json")) and "\n" not in message
    assert "steps" in message or "cells" in message


@pytest.mark.parametrize("name", ["steps-null", "cell-not-a-mapping"])
def test_the_command_line_refuses_a_bad_draft_with_exit_2(tmp_path, name):
    assert_cli_refuses(_write(tmp_path, DRAFTS[name], "draft.json"), "draft.json")


@pytest.mark.parametrize("name", ["steps-null", "cell-not-a-mapping"])
def test_the_studio_refuses_a_bad_draft_and_keeps_the_open_document(qtbot, tmp_path, dialogs, name):
    window = window_on_my_file(qtbot, tmp_path)
    assert_studio_refuses(window, dialogs, _write(tmp_path, DRAFTS[name], "draft.json"), "draft.json")


def test_a_good_draft_still_migrates():
    cell = str(uuid4())
    step = {"function": "math.increment", "inputs": {"x": cell}, "outputs": {"return": str(uuid4())}}
    workflow = parse_workflow(json.dumps({"schema_version": 0, "name": "old", "steps": [step],
                                          "cells": {cell: {"alias": "a", "value": 1}}}))
    assert workflow.schema_version == 2 and workflow.steps[0].function_slug == "math.increment"
    assert workflow.cells[0].alias == "a" and workflow.cells[0].value == 1


# --- 11: duplicate ids ----------------------------------------------------------------------------------

def _with_duplicate_step(tmp_path: Path) -> Path:
    data = example_data()
    first = next(s for s in data["steps"] if s["id"] == str(MULTIPLY))
    data["steps"].append(dict(first, label="again"))
    return _write(tmp_path, data, "dupes.json")


def test_duplicate_step_ids_are_refused_naming_the_id(tmp_path):
    with pytest.raises(WorkflowFileError, match=f"two steps have the id {MULTIPLY}"):
        load_workflow(_with_duplicate_step(tmp_path))


def test_duplicate_cell_ids_are_refused_naming_the_id(tmp_path):
    data = example_data()
    data["cells"].append({"id": str(CELSIUS), "alias": "another"})
    with pytest.raises(WorkflowFileError, match=f"two cells have the id {CELSIUS}"):
        load_workflow(_write(tmp_path, data))


def test_a_step_and_a_cell_cannot_share_an_id(tmp_path):
    data = example_data()
    data["cells"].append({"id": str(MULTIPLY), "alias": "clash"})
    with pytest.raises(WorkflowFileError, match=f"the id {MULTIPLY} is used by both a step and a cell"):
        load_workflow(_write(tmp_path, data))


def test_the_command_line_refuses_duplicate_steps_instead_of_listing_two_of_three(tmp_path):
    path = _with_duplicate_step(tmp_path)
    assert_cli_refuses(path, "dupes.json", str(MULTIPLY))
    done = fancy_run(path, "--json")
    assert done.returncode == 2 and done.stdout == ""


def test_the_studio_refuses_duplicate_steps(qtbot, tmp_path, dialogs):
    window = window_on_my_file(qtbot, tmp_path)
    assert_studio_refuses(window, dialogs, _with_duplicate_step(tmp_path), "dupes.json", str(MULTIPLY))


# --- 13: a UTF-8 byte order mark ------------------------------------------------------------------------

def _with_bom(tmp_path: Path) -> Path:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    return path


def test_a_file_starting_with_a_bom_loads(tmp_path):
    assert load_workflow(_with_bom(tmp_path)) == load_workflow(EXAMPLE)
    assert parse_workflow("\ufeff" + EXAMPLE.read_text(encoding="utf-8")) == load_workflow(EXAMPLE)


def test_a_bom_anywhere_else_is_still_not_json(tmp_path):
    path = tmp_path / "late-bom.json"
    path.write_bytes(b"{\xef\xbb\xbf}")
    with pytest.raises(WorkflowFileError, match="not valid JSON"):
        load_workflow(path)


def test_the_command_line_runs_a_file_with_a_bom(tmp_path):
    done = fancy_run(_with_bom(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sentence = 'It is 70.7 °F outside.'"


def test_the_studio_opens_a_file_with_a_bom(qtbot, tmp_path, dialogs):
    window = window_on_my_file(qtbot, tmp_path)
    path = _with_bom(tmp_path)
    assert window.open_workflow(path) and not dialogs["critical"].calls
    assert window.document.path == path and window.document.workflow == load_workflow(EXAMPLE)
