"""Export datums to a file (Datums ▸ Export…): JSON keeps each value's structure, CSV opens in a spreadsheet.

A record per cell: id, alias, type, value, the step that produced it (id and title) and when. A value
JSON cannot hold (an arbitrary Python object) is written as its `repr`, as `fancy-studio run --json`
does. A value left on disk (a `StoredSummary`) is read whole from the store for the export. The file is
written atomically: an export that fails leaves any file already there as it was.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from fancy_studio.core.store import Cell, DatumStore
from fancy_studio.core.value_summary import whole_value
from fancy_studio.core.workflow_file import write_atomically
from fancy_studio.gui.datums.model import type_name

FIELDS = ("id", "alias", "type", "value", "produced_by", "producer", "when")
FILE_FILTER = "JSON (*.json);;CSV (*.csv)"


def jsonable(value: Any) -> Any:
    """`value` if JSON can hold it as it is, else its `repr`."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return repr(value)
    return value


def records(cells: Iterable[Cell], step_title: Callable[[UUID | None], str],
            store: DatumStore | None = None) -> list[dict[str, Any]]:
    """A record per cell, with its whole value (read from `store` when the cell holds only its summary)."""
    rows = []
    for cell in cells:
        value = whole_value(store, cell) if store is not None else cell.value
        rows.append({
            "id": str(cell.id),
            "alias": cell.alias or "",
            "type": type_name(value),
            "value": jsonable(value),
            "produced_by": str(cell.produced_by) if cell.produced_by is not None else None,
            "producer": step_title(cell.produced_by) if cell.produced_by is not None else "input",
            "when": datetime.fromtimestamp(cell.produced_at).isoformat(timespec="milliseconds"),
        })
    return rows


def export_datums(cells: Iterable[Cell], path: Path, step_title: Callable[[UUID | None], str],
                  store: DatumStore | None = None) -> int:
    """Write the cells to `path` (CSV when it ends in .csv, else JSON); return how many were written. Raises
    what `SqliteStore.full_value` raises when a value left on disk cannot be read back."""
    rows = records(cells, step_title, store)
    if path.suffix.lower() == ".csv":
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            value = row["value"]
            writer.writerow({**row, "value": value if isinstance(value, str) else json.dumps(value),
                             "produced_by": row["produced_by"] or ""})
        data = out.getvalue()
    else:
        data = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    write_atomically(path, data.encode("utf-8"))
    return len(rows)
