"""Frames and notes in the workflow file: they round-trip, stay out of files that have none, and are
checked like the rest (finite numbers, a positive size, a known colour, ids of their own)."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from fancy_studio.core import (
    Frame,
    Note,
    Workflow,
    WorkflowFileError,
    WorkflowStep,
    load_workflow,
    parse_workflow,
    save_workflow,
)
from fancy_studio.core.annotations import FRAME_COLORS

EXAMPLE_TEXT = '{"schema_version": 1, "name": "plain", "cells": [], "steps": [], "layout": {}}'


def annotated() -> Workflow:
    workflow = Workflow(name="organised")
    workflow.frames.append(Frame(title="Inputs", color="blue", collapsed=True, x=-20, y=40.5, width=500,
                                 height=300))
    workflow.notes.append(Note(text="# Read me\n\n*first*", markdown=True, x=600, y=-80, width=260,
                               height=140))
    workflow.notes.append(Note(text="plain\ntwo lines"))
    return workflow


def test_frames_and_notes_round_trip_through_a_file(tmp_path):
    workflow = annotated()
    save_workflow(workflow, tmp_path / "organised.json")
    loaded = load_workflow(tmp_path / "organised.json")
    assert loaded == workflow
    assert loaded.frames[0].collapsed and loaded.frames[0].color == "blue"
    assert loaded.notes[0].markdown and loaded.notes[1].text == "plain\ntwo lines"


def test_a_workflow_without_frames_or_notes_writes_neither_key():
    data = json.loads(Workflow(name="plain").model_dump_json())
    assert "frames" not in data and "notes" not in data
    assert parse_workflow(EXAMPLE_TEXT).frames == []  # and a file without them loads


def test_every_colour_name_is_a_frame_colour_and_others_are_refused():
    assert FRAME_COLORS[0] == "gray" and len(set(FRAME_COLORS)) == len(FRAME_COLORS) >= 6
    for color in FRAME_COLORS:
        Frame(color=color)
    data = json.loads(annotated().model_dump_json())
    data["frames"][0]["color"] = "chartreuse"
    with pytest.raises(WorkflowFileError, match=r"frames\.0\.color"):
        parse_workflow(json.dumps(data))


@pytest.mark.parametrize(("kind", "field", "value"), [
    ("frames", "x", "1e400"), ("frames", "width", "-5"), ("frames", "height", "0"),
    ("notes", "y", "1e999"), ("notes", "width", "0"), ("notes", "height", "-1e400"),
])
def test_a_position_or_size_that_is_not_finite_and_positive_is_refused_naming_where(kind, field, value):
    text = annotated().model_dump_json()
    data = json.loads(text)
    data[kind][0][field] = "PLACEHOLDER"
    text = json.dumps(data).replace('"PLACEHOLDER"', value)
    with pytest.raises(WorkflowFileError, match=rf"{kind}\.0\.{field}"):
        parse_workflow(text)


def test_a_misspelt_key_is_an_error_not_silently_dropped():
    data = json.loads(annotated().model_dump_json())
    data["notes"][0]["markdwon"] = True
    with pytest.raises(WorkflowFileError, match=r"notes\.0\.markdwon"):
        parse_workflow(json.dumps(data))


def test_ids_are_unique_across_steps_cells_frames_and_notes():
    shared = uuid4()
    with pytest.raises(ValueError, match=f"the id {shared} is used by both a step and a frame"):
        Workflow(steps=[WorkflowStep(id=shared, function_slug="math.add")], frames=[Frame(id=shared)])
    with pytest.raises(ValueError, match=f"the id {shared} is used by both a frame and a note"):
        Workflow(frames=[Frame(id=shared)], notes=[Note(id=shared)])
    with pytest.raises(ValueError, match=f"two notes have the id {shared}"):
        Workflow(notes=[Note(id=shared), Note(id=shared)])
    data = json.loads(annotated().model_dump_json())
    data["notes"][1]["id"] = data["frames"][0]["id"]
    with pytest.raises(WorkflowFileError, match="used by both a frame and a note"):
        parse_workflow(json.dumps(data))


def test_the_model_refuses_a_bad_value_on_assignment_and_keeps_the_old_one():
    frame = Frame(width=300)
    with pytest.raises(ValueError):
        frame.width = float("inf")
    with pytest.raises(ValueError):
        frame.color = "beige"
    assert frame.width == 300 and frame.color == "gray"
