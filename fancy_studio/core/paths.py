"""Where a relative path in a workflow points: the workflow file's folder, not wherever the process started.

A workflow that reads `data/sales.csv` must find it when run from the studio, from `fancy-studio run` in
another folder, or in the kernel (whose working folder is the studio's). The runner names the folder
(`Engine.run(..., folder=...)`: the CLI gives the file's folder, the studio its document's) and functions
that take a path turn it into a real one with `resolve_path`. Without a folder (a script calling the engine)
a relative path is relative to the working folder, as in any Python code.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

_folder: ContextVar[Path | None] = ContextVar("fancy_studio_workflow_folder", default=None)


def workflow_folder() -> Path | None:
    """The folder relative paths of the running workflow start from, or None (the working folder)."""
    return _folder.get()


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """`path` with `~` expanded, joined to the workflow's folder when it is relative."""
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a path is needed here, and it is empty")
    resolved = Path(text).expanduser()
    base = _folder.get()
    if base is not None and not resolved.is_absolute():
        resolved = base / resolved
    return resolved


@contextlib.contextmanager
def relative_to(folder: str | os.PathLike[str] | None) -> Iterator[None]:
    """Within the block, relative paths resolve against `folder` (None: the working folder)."""
    token = _folder.set(Path(folder).expanduser().resolve() if folder is not None else None)
    try:
        yield
    finally:
        _folder.reset(token)


def existing_file(path: Any, what: str) -> Path:
    """The file a reader's `path` names, resolved; an error naming the path and where it was looked for
    when it is not a path, missing, or a folder. `what` names the function ("table.read_csv")."""
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise TypeError(f"{what}: 'path' must be the path of a file; it is {path!r:.60}")
    file = resolve_path(path)
    if not file.exists():
        raise FileNotFoundError(f"{what}: no file {os.fspath(path)!r} (looked for {file.absolute()})")
    if file.is_dir():
        raise IsADirectoryError(f"{what}: {os.fspath(path)!r} is a folder, not a file")
    return file


def writable_file(path: Any, what: str) -> Path:
    """Where a writer writes `path`, resolved: its folder must exist, and it must not be a folder."""
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise TypeError(f"{what}: 'path' must be the path of a file; it is {path!r:.60}")
    file = resolve_path(path)
    if not file.parent.is_dir():
        raise FileNotFoundError(f"{what}: cannot write {os.fspath(path)!r}: the folder {str(file.parent)!r} "
                                "does not exist")
    if file.is_dir():
        raise IsADirectoryError(f"{what}: {os.fspath(path)!r} is a folder, not a file")
    return file


def file_fingerprint(path: Any, **_: Any) -> str:
    """The file's size and modification time (in nanoseconds): a reader's `fingerprint=`, so a changed file
    is read again and an unchanged one reused. A missing file raises, and the step runs and says so."""
    status = resolve_path(path).stat()
    return f"{status.st_size}:{status.st_mtime_ns}"
