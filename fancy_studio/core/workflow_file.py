"""Reading and writing workflow files: parse, check, report; write atomically.

Reading never runs anything: the text is parsed as JSON into the pydantic model, and every problem
becomes a `WorkflowFileError` with a one-line message that says what is wrong and where. Writing goes to
a temporary file in the same folder that replaces the target only once it is complete, so a crash or a
full disk mid-save leaves the old file as it was. A workflow built in Python often keeps its input values
in a store rather than in the workflow: `save_workflow(..., store=store)` writes them into the file, so
the file runs on its own.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from fancy_studio.core.atomic_write import write_atomically
from fancy_studio.core.errors import UnsavableValueError, WorkflowFileError
from fancy_studio.core.store import DatumStore
from fancy_studio.core.workflow import CellSpec, Workflow

MAX_FILE_BYTES = 256 * 1024 * 1024


def parse_workflow(data: bytes | str, source: str = "<text>") -> Workflow:
    """Parse a workflow from JSON text; raise `WorkflowFileError` (or `SchemaVersionError`)."""
    if isinstance(data, bytes):
        if not data.strip():
            raise WorkflowFileError(f"{source}: the file is empty")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WorkflowFileError(
                f"{source}: not a text file (byte {exc.start} is not UTF-8); a workflow file is JSON"
            ) from None
    if not data.strip():
        raise WorkflowFileError(f"{source}: the file is empty")
    try:
        return Workflow.model_validate_json(data)
    except ValidationError as exc:
        raise WorkflowFileError(f"{source}: {describe_validation_error(exc)}") from None
    except RecursionError:
        raise WorkflowFileError(f"{source}: the JSON is nested too deeply to be a workflow") from None


def describe_validation_error(exc: ValidationError) -> str:
    """One readable line for pydantic's error list: the first problem, its place, and how many more."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    kind = first.get("type", "")
    if kind.startswith("json_"):
        message = f"not valid JSON ({first['msg']})"
    else:
        location = ".".join(str(part) for part in first.get("loc", ())) or "the top level"
        message = f"{location}: {first['msg']}"
        if kind == "model_type" or kind == "dict_type":
            message = f"{location}: expected a JSON object ({first['msg']})"
    more = len(errors) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return message


def load_workflow(path: str | os.PathLike[str]) -> Workflow:
    """Read a workflow file. Raises `WorkflowFileError` for anything that is not a readable workflow."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise WorkflowFileError(f"{path}: {size} bytes is too large for a workflow file")
        raw = path.read_bytes()
    except IsADirectoryError:
        raise WorkflowFileError(f"{path}: is a folder, not a workflow file") from None
    except FileNotFoundError:
        raise WorkflowFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise WorkflowFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse_workflow(raw, str(path))


def dump_workflow(workflow: Workflow) -> str:
    """The file's text: indented JSON, so files diff well under version control."""
    return workflow.model_dump_json(indent=2)


def save_workflow(workflow: Workflow, path: str | os.PathLike[str], *, store: DatumStore | None = None,
                  overwrite_read_only: bool = False) -> None:
    """Write atomically: a temporary file beside the target, flushed to disk, then renamed over it.

    A symlink's target is written (the link stays), a hard-linked file keeps its links, the file keeps
    its permission bits, and a read-only file raises `ReadOnlyFileError` unless `overwrite_read_only`
    (see `write_atomically`). With `store`, the file also holds the values of the workflow's input cells
    taken from the store (see `with_input_values`); a value JSON cannot hold raises `UnsavableValueError`
    and writes nothing. The `workflow` object itself is left as it was.
    """
    if store is not None:
        workflow = with_input_values(workflow, store)
    write_atomically(Path(path), dump_workflow(workflow).encode("utf-8") + b"\n",
                     overwrite_read_only=overwrite_read_only)


def input_cell_ids(workflow: Workflow) -> list[UUID]:
    """The cells the workflow reads but no step writes (its inputs), in the order steps first read them."""
    produced = {cell_id for step in workflow.steps for cell_id in step.outputs.values()}
    return list(dict.fromkeys(cell_id for step in workflow.steps for cell_id in step.inputs.values()
                              if cell_id not in produced))


def with_input_values(workflow: Workflow, store: DatumStore) -> Workflow:
    """A copy of `workflow` whose input cells hold their literal values (and aliases) from `store`.

    An input cell the workflow already gives a value keeps it (the workflow is the truth); one the store
    does not hold is left as it is. Raises `UnsavableValueError`, naming the cell, for a value a workflow
    file cannot hold.
    """
    copy = workflow.model_copy(deep=True)
    declared = {cell.id: cell for cell in copy.cells}
    for cell_id in input_cell_ids(copy):
        cell = declared.get(cell_id)
        if (cell is not None and cell.has_value) or cell_id not in store:
            continue
        stored = store.get(cell_id)
        alias = (cell.alias if cell is not None else "") or stored.alias or ""
        problem = _json_problem(stored.value)
        if problem is not None:
            name = f"'{alias}' ({cell_id})" if alias else str(cell_id)
            raise UnsavableValueError(
                f"cell {name}: its value cannot be saved in a workflow file: {problem}; nothing was written",
                cell_id=cell_id)
        if cell is None:
            copy.add_cell(CellSpec(id=cell_id, alias=alias, value=stored.value))
        else:
            cell.value = stored.value
            cell.alias = alias
    return copy


_JSON_KINDS = "null, true/false, numbers, text, lists and objects with text keys"


def _json_problem(value: Any) -> str | None:
    """Why `value` cannot be written as JSON and read back the same, or None when it can."""
    try:
        return _json_problem_at(value, "")
    except RecursionError:
        return "it is nested too deeply (or contains itself)"


def _json_problem_at(value: Any, where: str) -> str | None:
    kind = type(value)
    if value is None or isinstance(value, (int, str)):  # (bool is an int)
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where or 'it'} is {value!r}, which JSON cannot hold"
    if kind is list:
        for index, item in enumerate(value):
            problem = _json_problem_at(item, f"{where}[{index}]")
            if problem is not None:
                return problem
        return None
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return f"{where or 'it'} has the key {key!r:.40} (type {type(key).__name__}): JSON keys are text"
            problem = _json_problem_at(item, f"{where}[{key!r:.40}]")
            if problem is not None:
                return problem
        return None
    return f"{where or 'it'} is {value!r:.40} (type {kind.__name__}); a workflow file holds {_JSON_KINDS}"
