"""Reading and writing text and JSON files, listing a folder, and taking paths apart.

A relative path is relative to the workflow's folder (see `core.paths`), so a workflow finds its data
wherever it is run from. A reader's result depends on the file, not only on its name: each reader has a
`fingerprint` (the file's size and modification time; a folder's listing: its entries' names and times),
so a step whose file changed runs again instead of reusing what it read before. A writer is
`cacheable=False` (it writes on every run, so a file deleted since is written again) and writes atomically:
the whole new content or the old file, never half of it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from typing import Any

from fancy_studio.core.atomic_write import write_atomically
from fancy_studio.core.functions import fancy_function
from fancy_studio.core.paths import existing_file, file_fingerprint, resolve_path, writable_file


@fancy_function("files.read_text", title="Read Text File", fingerprint=file_fingerprint)
def read_text(path: str, encoding: str = "utf-8") -> str:
    """The whole text of a file. `path`: the file to read (relative to the workflow's folder);
    `encoding`: how its bytes are text ("utf-8" by default; "latin-1", "cp1252"… for older files).
    Line breaks of any kind become "\\n"."""
    file = existing_file(path, "files.read_text")
    try:
        return file.read_text(encoding=encoding)
    except LookupError:
        raise ValueError(f"files.read_text: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"files.read_text: {str(path)!r} is not {encoding} text (byte {exc.start}: "
                         f"{exc.reason}); try another encoding") from None


@fancy_function("files.write_text", title="Write Text File", cacheable=False)
def write_text(text: str, path: str) -> str:
    """Write `text` to a file (UTF-8) and give back its path. `text`: what to write; `path`: the file
    (relative to the workflow's folder; an existing one is replaced whole). Runs every time."""
    if not isinstance(text, str):
        raise TypeError(f"files.write_text: 'text' must be text; it is a {type(text).__name__}")
    write_atomically(writable_file(path, "files.write_text"), text.encode("utf-8"))
    return path


@fancy_function("files.read_json", title="Read JSON File", fingerprint=file_fingerprint)
def read_json(path: str) -> Any:
    """The value a JSON file holds: a dict, a list, text, a number, true/false or null. `path`: the file
    to read (UTF-8, relative to the workflow's folder). A file that is not JSON is an error naming its
    line and column."""
    file = existing_file(path, "files.read_json")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"files.read_json: {str(path)!r} is not valid JSON: line {exc.lineno}, column "
                         f"{exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"files.read_json: {str(path)!r} is not UTF-8 text (byte {exc.start})") from None


@fancy_function("files.write_json", title="Write JSON File", cacheable=False)
def write_json(value: Any, path: str) -> str:
    """Write `value` to a JSON file (indented, UTF-8) and give back its path. `value`: a dict, list, text,
    number, true/false or null (nested as deep as you like); `path`: the file (relative to the workflow's
    folder; an existing one is replaced whole). Runs every time."""
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"files.write_json: the value cannot be written as JSON: {exc}") from None
    write_atomically(writable_file(path, "files.write_json"), (text + "\n").encode("utf-8"))
    return path


def _folder(folder: str, what: str) -> Path:
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"{what}: 'folder' must be the path of a folder; it is a {type(folder).__name__}")
    found = resolve_path(folder)
    if not found.exists():
        raise FileNotFoundError(f"{what}: no folder {os.fspath(folder)!r} (looked for {found})")
    if not found.is_dir():
        raise NotADirectoryError(f"{what}: {os.fspath(folder)!r} is a file, not a folder")
    return found


def _matches(folder: str, pattern: str, what: str) -> list[PurePath]:
    """The entries of `folder` that `pattern` matches, relative to it, sorted."""
    if not pattern or os.path.isabs(pattern):
        raise ValueError(f"{what}: the pattern must be a relative pattern like '*.csv', not {pattern!r}")
    base = _folder(folder, what)
    try:
        return sorted(found.relative_to(base) for found in base.glob(pattern))
    except (ValueError, NotImplementedError) as exc:
        raise ValueError(f"{what}: the pattern {pattern!r} cannot be used: {exc}") from None


def _listing_fingerprint(folder: str, pattern: str = "*", **_: Any) -> list[tuple[str, int]]:
    """The matching entries' names and modification times: a file added, removed or changed lists anew."""
    base = resolve_path(folder)
    return [(str(entry), (base / entry).stat().st_mtime_ns)
            for entry in _matches(folder, pattern, "files.list_folder")]


@fancy_function("files.list_folder", title="List Folder", fingerprint=_listing_fingerprint)
def list_folder(folder: str, pattern: str = "*") -> list[str]:
    """The paths of the files and folders in `folder` whose names match `pattern`, sorted by name.
    `folder`: where to look (relative to the workflow's folder); `pattern`: `*` any name (the default),
    `*.csv` the CSV files, `**/*.txt` text files in sub-folders too. Each path is `folder` joined to the
    name, so it feeds a reader directly."""
    return [str(PurePath(folder) / entry) for entry in _matches(folder, pattern, "files.list_folder")]


@fancy_function("files.path_name", title="File Name")
def path_name(path: str) -> str:
    """The last part of `path`, with its extension: "data/sales.csv" gives "sales.csv"."""
    return PurePath(path).name


@fancy_function("files.path_stem", title="File Name without Extension")
def path_stem(path: str) -> str:
    """The last part of `path` without its extension: "data/sales.csv" gives "sales"."""
    return PurePath(path).stem


@fancy_function("files.path_suffix", title="File Extension")
def path_suffix(path: str) -> str:
    """The extension of `path` with its dot: "data/sales.csv" gives ".csv" ("" when it has none)."""
    return PurePath(path).suffix


@fancy_function("files.path_parent", title="Parent Folder")
def path_parent(path: str) -> str:
    """The folder `path` is in: "data/sales.csv" gives "data" ("." for a bare file name)."""
    return str(PurePath(path).parent)


@fancy_function("files.path_join", title="Join Path")
def path_join(folder: str, name: str) -> str:
    """`name` inside `folder`: "data" and "sales.csv" give "data/sales.csv". `folder`: a folder's path;
    `name`: a file name (or a relative path) in it."""
    return str(PurePath(folder) / name)
