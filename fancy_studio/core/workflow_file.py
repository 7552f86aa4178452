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
import stat
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from fancy_studio.core.atomic_write import write_atomically
from fancy_studio.core.errors import SchemaVersionError, UnsavableValueError, WorkflowFileError
from fancy_studio.core.store import DatumStore
from fancy_studio.core.workflow import NOT_FINITE, CellSpec, Workflow, non_finite_at

MAX_FILE_BYTES = 256 * 1024 * 1024
"""The largest workflow file read (enforced while reading: a device or pipe reports no size)."""
READ_CHUNK_BYTES = 1024 * 1024
BOM = "\ufeff"
"""A UTF-8 byte order mark, which some editors put at the start of a file: skipped when reading."""
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_BINARY", 0))
"""Non-blocking, so that opening a FIFO with no writer returns at once (and is then refused)."""
_SELF_DESCRIBED = frozenset((NOT_FINITE, "duplicate_id"))
"""Error types whose message names its place itself (see workflow.py's validators)."""


def parse_workflow(data: bytes | str, source: str = "<text>") -> Workflow:
    """Parse a workflow from JSON text; raise `WorkflowFileError` (or `SchemaVersionError`).

    The text is strict JSON, optionally after a UTF-8 byte order mark (some editors write one). NaN,
    Infinity and numbers too large for a float are refused, naming the cell (or the metadata) that holds
    them, so that whatever loads saves back and reopens; a layout position that is not finite is dropped
    (the studio places the node anew).
    """
    if isinstance(data, bytes):
        if not data.strip():
            raise WorkflowFileError(f"{source}: the file is empty")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WorkflowFileError(
                f"{source}: not a text file (byte {exc.start} is not UTF-8); a workflow file is JSON"
            ) from None
    data = data.removeprefix(BOM)
    if not data.strip():
        raise WorkflowFileError(f"{source}: the file is empty")
    try:
        return Workflow.model_validate_json(data)
    except ValidationError as exc:
        raise WorkflowFileError(f"{source}: {describe_validation_error(exc)}") from None
    except RecursionError:
        raise WorkflowFileError(f"{source}: the JSON is nested too deeply to be a workflow") from None
    except SchemaVersionError as exc:
        raise SchemaVersionError(f"{source}: {exc}") from None


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
        if kind in _SELF_DESCRIBED:  # the message names the step or cell itself
            message = first["msg"]
        if kind == "model_type" or kind == "dict_type":
            message = f"{location}: expected a JSON object ({first['msg']})"
    more = len(errors) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return message


def load_workflow(path: str | os.PathLike[str]) -> Workflow:
    """Read a workflow file. Raises `WorkflowFileError` for anything that is not a readable workflow."""
    path = Path(path)
    return parse_workflow(read_workflow_bytes(path), str(path))


def read_workflow_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most `MAX_FILE_BYTES`; `WorkflowFileError` for anything else.

    A FIFO, a device (/dev/zero, /dev/urandom) or a folder is refused without reading it: the file is opened
    non-blocking (so a FIFO with no writer cannot hang the caller) and checked with fstat before any read.
    The size limit is enforced while reading, not from stat's size, which a special file reports as 0.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except IsADirectoryError:
        raise WorkflowFileError(f"{path}: is a folder, not a workflow file") from None
    except FileNotFoundError:
        raise WorkflowFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise WorkflowFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise WorkflowFileError(
                f"{path}: {_not_a_file(mode)}, not a workflow file; only regular files are read")
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(READ_CHUNK_BYTES, MAX_FILE_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise WorkflowFileError(
                f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB, too large for a workflow file")
        return b"".join(chunks)
    except OSError as exc:
        raise WorkflowFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _not_a_file(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISFIFO(mode):
        return "is a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device"
    if stat.S_ISSOCK(mode):
        return "is a socket"
    return "is not a regular file"


def dump_workflow(workflow: Workflow) -> str:
    """The file's text: indented JSON, so files diff well under version control.

    Raises `UnsavableValueError`, naming the cell, for a number JSON cannot hold (NaN, ±Infinity) that got
    into the workflow after validation (inside a list, say): written as JSON's `null` it would not read
    back the same, and a non-finite position would not read back at all.
    """
    _refuse_non_finite(workflow)
    return workflow.model_dump_json(indent=2)


def _refuse_non_finite(workflow: Workflow) -> None:
    for cell in workflow.cells:
        problem = non_finite_at(cell.value, "its value") if cell.has_value else None
        if problem is not None:
            name = f"'{cell.alias}' ({cell.id})" if cell.alias else str(cell.id)
            raise UnsavableValueError(f"cell {name}: {problem}; nothing was written", cell_id=cell.id)
    for node_id, position in workflow.layout.items():
        problem = non_finite_at([position.x, position.y], "its position")
        if problem is not None:
            raise UnsavableValueError(f"node {node_id}: {problem}; nothing was written", cell_id=None)
    problem = non_finite_at(workflow.metadata, "metadata")
    if problem is not None:
        raise UnsavableValueError(f"{problem}; nothing was written", cell_id=None)


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
