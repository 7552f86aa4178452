"""Bring workflow files from older schema versions up to the current one; refuse newer ones.

Each migration is a plain function from the JSON data of version N to that of version N+1, so an old
file keeps loading for as long as Fancy Studio exists. A file with no `schema_version` is taken to be
current (that is what `Workflow(name=...)` in Python code builds).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fancy_studio.core.errors import SchemaVersionError


def _from_0(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 0, the draft format: a step named its function under `function`, and cells were a
    mapping of id to `{alias, value}` instead of a list.

    Only what has the draft's shape is converted; anything else (`steps: null`, a cell that is not an
    object) is passed on as it is, for validation to report in one line with its place.
    """
    data = dict(data)
    steps = data.get("steps", [])
    if isinstance(steps, list):
        data["steps"] = [
            {**{k: v for k, v in step.items() if k != "function"}, "function_slug": step["function"]}
            if isinstance(step, dict) and "function" in step and "function_slug" not in step else step
            for step in steps
        ]
    cells = data.get("cells", [])
    if isinstance(cells, dict):
        data["cells"] = [{"id": cell_id, **spec} if isinstance(spec, dict) else spec
                         for cell_id, spec in cells.items()]
    data["schema_version"] = 1
    return data


def _from_1(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 added what version 1 could not hold (a step's `params` and `bypass`, the workflow's
    `groups`), each left out of the file when unused: a version 1 file is a version 2 file as it is."""
    return {**data, "schema_version": 2}


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_0, 1: _from_1}
"""Version N → the function that turns N's data into N+1's."""


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    from fancy_studio.core.workflow import SCHEMA_VERSION

    version = data.get("schema_version", SCHEMA_VERSION)
    if type(version) is not int:  # "2", 2.0 and true are not versions (bool is an int subclass)
        raise SchemaVersionError(
            f"schema_version must be a whole number such as {SCHEMA_VERSION}, not {_shown(version)}")
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"this file uses workflow schema version {version}, but this Fancy Studio reads versions "
            f"up to {SCHEMA_VERSION}: update Fancy Studio to open it"
        )
    if version < 0:
        raise SchemaVersionError(f"schema version {version} does not exist")
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    return data


def _shown(value: Any) -> str:
    """A wrong schema_version as the file wrote it (JSON), shortened."""
    shown_as_json = isinstance(value, (str, float, bool)) or value is None
    text = json.dumps(value) if shown_as_json else type(value).__name__
    return text if len(text) <= 40 else text[:39] + "…"
