"""Reading and writing workflow files: parse, check, report; write atomically.

Reading never runs anything: the text is parsed as JSON into the pydantic model, and every problem
becomes a `WorkflowFileError` with a one-line message that says what is wrong and where. Writing goes to
a temporary file in the same folder that replaces the target only once it is complete, so a crash or a
full disk mid-save leaves the old file as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from fancy_studio.core.errors import WorkflowFileError
from fancy_studio.core.workflow import Workflow

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


def save_workflow(workflow: Workflow, path: str | os.PathLike[str]) -> None:
    """Write atomically: a temporary file beside the target, flushed to disk, then renamed over it."""
    write_atomically(Path(path), dump_workflow(workflow).encode("utf-8") + b"\n")


def write_atomically(path: Path, data: bytes) -> None:
    folder = path.resolve().parent
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        if path.exists():
            os.chmod(temp_name, path.stat().st_mode & 0o7777)
        else:
            os.chmod(temp_name, 0o666 & ~_umask())
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
