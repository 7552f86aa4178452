"""The committed JSON Schema of the workflow file (docs/workflow.schema.json) matches the model."""

from __future__ import annotations

import json
from pathlib import Path

from fancy_studio.core.workflow import Workflow

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "workflow.schema.json"


def test_committed_schema_matches_the_model() -> None:
    expected = json.dumps(Workflow.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    assert SCHEMA_PATH.exists(), (
        f"{SCHEMA_PATH} is missing: run `.venv/bin/python docs/generate_schema.py`"
    )
    committed = SCHEMA_PATH.read_text(encoding="utf-8")
    assert committed == expected, (
        "docs/workflow.schema.json is out of date with fancy_studio/core/workflow.py: "
        "run `.venv/bin/python docs/generate_schema.py` and commit the result"
    )
