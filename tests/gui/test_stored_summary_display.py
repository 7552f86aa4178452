"""How the studio shows a value left on disk (a `StoredSummary`): the Datums table, the canvas's preview,
and Export reading it whole. The kernel end to end is in test_big_values_studio.py."""

from __future__ import annotations

from PySide6.QtCore import Qt

from fancy_studio.core import SqliteStore, StoredSummary
from fancy_studio.gui.canvas import style
from fancy_studio.gui.datums.export import records
from fancy_studio.gui.datums.model import TYPE, VALUE, DatumTableModel, value_preview

KEY = b"D" * 32
LINES = "first line\nsecond line\n" * 20_000  # 460,000 characters; 500 KB as JSON


def test_a_summary_shows_its_type_preview_and_size_and_exports_whole(qtbot, tmp_path):
    path = tmp_path / "s.fancystore"
    with SqliteStore(path, key=KEY) as writer:
        text_id = writer.put(LINES, "log").id
        blob_id = writer.put(bytes(range(256)) * 4000, "blob").id
    with SqliteStore(path, key=KEY, summaries=True) as store:
        model = DatumTableModel(store)
        model.refresh()
        row = {model.cell_at(r).alias: r for r in range(model.rowCount())}
        assert model.index(row["log"], TYPE).data() == "str"
        shown = model.index(row["log"], VALUE).data()
        assert shown.startswith("first line ⏎ second line ⏎") and shown.endswith("(500.0 KB)")  # its JSON on disk
        tip = model.index(row["blob"], VALUE).data(Qt.ItemDataRole.ToolTipRole)
        assert "bytes, 1,024,000 long, 1.0 MB" in tip and "stays on disk until you open it" in tip
        summary = store.get(blob_id).value
        assert isinstance(summary, StoredSummary)
        assert style.preview(summary) == "b'\\x00\\x01\\x02\\x0…"
        assert style.preview(store.get(text_id).value) == '"first line secon…'
        assert value_preview(summary).startswith("b'\\x00\\x01")  # what the inspector shows too
        exported = {record["alias"]: record for record in records(list(store), str, store)}
        assert exported["log"]["value"] == LINES and exported["blob"]["type"] == "bytes"
