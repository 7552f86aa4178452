"""Reading tables from files and writing them: CSV, JSON, Parquet and Excel, with pandas.

A reader's result depends on the file, not only on its path: each has a `fingerprint` (the file's size and
modification time), so a step whose file changed runs again instead of reusing what it read before. A
writer is `cacheable=False`: it writes on every run, so an output file deleted since the last run is
written again. A writer writes a temporary file beside the target and moves it into place
(`os.replace`): a full disk or a failure half way leaves the old file as it was, and no temporary file.

A relative path is relative to the folder the run started in. pandas, pyarrow and openpyxl are imported
inside the functions (importing pandas takes a third of a second, see `core.data_types`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fancy_studio.core.atomic_write import write_atomically
from fancy_studio.core.data_types import DataFrame
from fancy_studio.core.functions import fancy_function
from fancy_studio.core.library.tables_checks import check_table
from fancy_studio.core.paths import existing_file, file_fingerprint, writable_file


def _read_failed(what: str, file: Path, kind: str, exc: Exception) -> ValueError:
    return ValueError(f"{what}: cannot read {str(file)!r} as {kind}: {exc}")


@fancy_function("table.read_csv", title="Read CSV", fingerprint=file_fingerprint)
def read_csv(path: str) -> DataFrame:
    """Read a CSV file (comma-separated values, a header row first) into a table. `path`: the file to
    read (relative to the workflow's folder). Column types are guessed from the values (numbers, text);
    empty cells are missing values."""
    what = "table.read_csv"
    file = existing_file(path, what)
    import pandas as pd

    try:
        return pd.read_csv(file)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise _read_failed(what, file, "CSV", exc) from exc


@fancy_function("table.read_json", title="Read JSON Table", fingerprint=file_fingerprint)
def read_json(path: str) -> DataFrame:
    """Read a table from a JSON file. `path`: the file to read (relative to the workflow's folder),
    holding a list of objects (one per row: [{"region": "West", "amount": 120}, …]) or an object of
    columns ({"region": ["West", …], …}); a file ending in .jsonl holds one object per line."""
    what = "table.read_json"
    file = existing_file(path, what)
    import pandas as pd

    try:
        with file.open(encoding="utf-8") as stream:
            if file.suffix.lower() in (".jsonl", ".ndjson"):
                data: Any = [_json_line(line, number, file, what)
                             for number, line in enumerate(stream, 1) if line.strip()]
            else:
                data = json.load(stream)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what}: {str(file)!r} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                         f"column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise _read_failed(what, file, "JSON (UTF-8 text)", exc) from exc
    if isinstance(data, list) and all(isinstance(row, dict) for row in data):
        return pd.DataFrame(data)
    if isinstance(data, dict) and all(isinstance(values, (list, dict)) for values in data.values()):
        try:
            return pd.DataFrame(data)
        except ValueError as exc:  # columns of different lengths
            raise _read_failed(what, file, "a table", exc) from exc
    raise ValueError(f"{what}: {str(file)!r} holds no table: a JSON table is a list of objects (one per row) "
                     f"or an object whose values are columns (lists); it holds a {type(data).__name__}")


def _json_line(line: str, number: int, file: Path, what: str) -> dict:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what}: {str(file)!r} line {number} is not valid JSON: {exc.msg}") from None
    if not isinstance(row, dict):
        raise TypeError(f"{what}: {str(file)!r} line {number} is not an object (one row per line)")
    return row


@fancy_function("table.read_parquet", title="Read Parquet", fingerprint=file_fingerprint)
def read_parquet(path: str) -> DataFrame:
    """Read a Parquet file (a compact, typed table format) into a table, with pyarrow. `path`: the file
    to read (relative to the workflow's folder)."""
    what = "table.read_parquet"
    file = existing_file(path, what)
    import pandas as pd
    import pyarrow

    try:
        return pd.read_parquet(file, engine="pyarrow")
    except pyarrow.ArrowException as exc:
        raise _read_failed(what, file, "Parquet", exc) from exc


@fancy_function("table.read_excel", title="Read Excel Sheet", fingerprint=file_fingerprint)
def read_excel(path: str, sheet: str | int = 0) -> DataFrame:
    """Read one sheet of an Excel workbook (.xlsx) into a table, its first row the column names.
    `path`: the workbook to read (relative to the workflow's folder); `sheet`: the sheet's name, or its
    position counting from 0 (the first sheet by default)."""
    what = "table.read_excel"
    file = existing_file(path, what)
    import pandas as pd

    try:
        book = pd.ExcelFile(file, engine="openpyxl")
    except Exception as exc:  # openpyxl's errors for a file that is not a workbook have no common base
        raise _read_failed(what, file, "an Excel workbook", exc) from exc
    with book:
        names = [str(name) for name in book.sheet_names]
        if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
            raise TypeError(f"{what}: 'sheet' must be a sheet's name or position; it is {sheet!r:.60}")
        if isinstance(sheet, str) and sheet not in names:
            raise ValueError(f"{what}: {str(file)!r} has no sheet {sheet!r}; its sheets: {', '.join(names)}")
        if isinstance(sheet, int) and not 0 <= sheet < len(names):
            raise ValueError(f"{what}: {str(file)!r} has {len(names)} sheet(s) ({', '.join(names)}); "
                             f"there is no sheet at position {sheet} (the first is 0)")
        return pd.read_excel(book, sheet_name=sheet)


# --- writing ----------------------------------------------------------------------------------------


def _write(table: Any, path: Any, what: str, content: Callable[[Any], bytes]) -> str:
    """Write `content(table)` to `path` atomically; the path as given (relative paths stay relative, so a
    value stored from it means the same file wherever the workflow moves)."""
    check_table(table, what)
    file = writable_file(path, what)
    write_atomically(file, content(table))
    return os.fspath(path)


@fancy_function("table.write_csv", title="Write CSV", cacheable=False)
def write_csv(table: DataFrame, path: str) -> str:
    """Write the table to a CSV file (UTF-8, a header row, no index column), replacing the file if it
    exists; runs every time. `table`: the table to write; `path`: the file to write (relative to the
    workflow's folder). Returns `path`."""
    return _write(table, path, "table.write_csv", lambda frame: frame.to_csv(index=False).encode("utf-8"))


@fancy_function("table.write_parquet", title="Write Parquet", cacheable=False)
def write_parquet(table: DataFrame, path: str) -> str:
    """Write the table to a Parquet file (with pyarrow, no index column), replacing the file if it exists;
    runs every time. `table`: the table to write; `path`: the file to write (relative to the workflow's
    folder). Returns `path`."""
    what = "table.write_parquet"

    def content(frame: Any) -> bytes:
        import pyarrow

        try:
            return frame.to_parquet(None, engine="pyarrow", index=False)
        except (pyarrow.ArrowException, ValueError) as exc:  # a column Parquet cannot hold (mixed types)
            raise ValueError(f"{what}: cannot write the table as Parquet: {exc}") from exc

    return _write(table, path, what, content)
