"""Bring workflow files from older schema versions up to the current one; refuse newer ones.

Each migration is a plain function from the JSON data of version N to that of version N+1, so an old
file keeps loading for as long as Fancy Studio exists. A file with no `schema_version` is taken to be
current (that is what `Workflow(name=...)` in Python code builds).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fancy_studio.core.errors import SchemaVersionError


def _from_0(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 0, the draft format: a step named its function under `function`, and cells were a
    mapping of id to `{alias, value}` instead of a list."""
    data = dict(data)
    steps = []
    for step in data.get("steps", []):
        if isinstance(step, dict) and "function" in step and "function_slug" not in step:
            step = {**step, "function_slug": step["function"]}
            del step["function"]
        steps.append(step)
    data["steps"] = steps
    cells = data.get("cells", [])
    if isinstance(cells, dict):
        data["cells"] = [{"id": cell_id, **spec} for cell_id, spec in cells.items()]
    data["schema_version"] = 1
    return data


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_0}
"""Version N → the function that turns N's data into N+1's."""


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    from fancy_studio.core.workflow import SCHEMA_VERSION

    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        return data  # let validation report the wrong type
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
