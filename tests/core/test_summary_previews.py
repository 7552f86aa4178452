"""A large table's summary says its shape and first columns, a large image's carries a thumbnail, so the
studio can preview them on the canvas without reading them; rows written before these parts still read."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image as PILImage

from fancy_studio.core import SqliteStore, StoredSummary
from fancy_studio.core.data_types import Image
from fancy_studio.core.image_png import THUMBNAIL_SIDE, image_of, png_of, thumbnail_png
from fancy_studio.core.value_summary import (
    SUMMARY_BYTES,
    TableOutline,
    summary_from,
    summary_json,
    table_outline,
)

KEY = b"P" * 32
ROOT = Path(__file__).resolve().parents[2]


def noise_png(width: int, height: int) -> bytes:
    """A PNG of random pixels: it hardly compresses, so a few hundred pixels a side pass SUMMARY_BYTES."""
    pixels = np.random.default_rng(7).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    PILImage.fromarray(pixels, "RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def decoded_size(png: bytes) -> tuple[int, int]:
    with PILImage.open(io.BytesIO(png)) as image:
        image.load()
        return image.size


def _stored(tmp_path, value) -> StoredSummary:
    path = tmp_path / "s.fancystore"
    with SqliteStore(path, key=KEY) as writer:
        cell_id = writer.put(value, "big").id
    with SqliteStore(path, key=KEY, summaries=True) as store:
        summary = store.get(cell_id).value
    assert isinstance(summary, StoredSummary), "the value was meant to be over SUMMARY_BYTES"
    return summary


def test_a_large_table_summary_has_its_shape_and_first_column_names(tmp_path):
    frame = pd.DataFrame({f"column {i}": np.arange(20_000, dtype=np.int64) * i for i in range(25)})
    summary = _stored(tmp_path, frame)
    assert summary.type_name == "DataFrame"
    assert summary.outline == TableOutline(20_000, 25, tuple(f"column {i}" for i in range(20)))
    assert summary.outline.size_text() == "20,000 rows × 25 columns"
    assert summary.thumbnail is None


def test_a_large_image_summary_carries_a_thumbnail_that_keeps_its_proportions(tmp_path):
    png = noise_png(480, 320)
    assert len(png) > SUMMARY_BYTES
    summary = _stored(tmp_path, Image.from_png(png))
    assert summary.outline is None and summary.thumbnail is not None
    assert decoded_size(summary.thumbnail) == (THUMBNAIL_SIDE, 64)
    assert len(summary.thumbnail) < len(png) // 10
    raw = _stored(tmp_path, png)  # PNG bytes are an image too
    assert raw.type_name == "bytes" and decoded_size(raw.thumbnail) == (THUMBNAIL_SIDE, 64)


def test_a_row_written_before_outlines_and_thumbnails_still_reads(tmp_path):
    old = json.dumps({"type": "DataFrame", "preview": "   a\n0  1", "size": 300_000, "length": 1})
    summary = summary_from("id", old)
    assert (summary.type_name, summary.size, summary.outline, summary.thumbnail) == ("DataFrame", 300_000,
                                                                                    None, None)
    path = tmp_path / "s.fancystore"
    with SqliteStore(path, key=KEY) as writer:
        cell_id = writer.put(b"\x00" * (SUMMARY_BYTES + 10), "old").id
    with sqlite3.connect(path) as db:  # as an older writer left it: no outline, no thumbnail
        db.execute("UPDATE cells SET summary = ?", (old,))
    with SqliteStore(path, key=KEY, summaries=True) as store:
        assert store.get(cell_id).value.outline is None


def test_malformed_optional_parts_are_left_out_not_refused():
    text = json.dumps({"type": "Image", "preview": "Image(…)", "size": 1, "length": None,
                       "shape": ["many", 2], "columns": "abc", "thumbnail": "%%% not base64"})
    summary = summary_from("id", text)
    assert summary.outline is None and summary.thumbnail is None and summary.type_name == "Image"


def test_every_kind_of_table_has_an_outline_and_other_values_none():
    import pyarrow as pa

    assert table_outline(pd.Series([1.5, 2.5], name="amount")) == TableOutline(2, 1, ("amount",))
    arrow = pa.table({"region": ["n", "s", "e"], "n": [1, 2, 3]})
    assert table_outline(arrow) == TableOutline(3, 2, ("region", "n"))
    assert table_outline(np.zeros((4, 3))) == TableOutline(4, 3)
    assert table_outline([{"a": 1, "b": 2}, {"a": 3, "b": 4}]) == TableOutline(2, 2, ("a", "b"))
    assert table_outline(pd.DataFrame({"x": []})).size_text() == "0 rows × 1 column"
    assert table_outline(pd.DataFrame({"x" * 200: [1]})).names[0] == "x" * 59 + "…"
    for other in ([1, 2, 3], "text", {"a": 1}, np.zeros(3), None):
        assert table_outline(other) is None
    assert "shape" not in json.loads(summary_json([1, 2, 3], 10))


def test_figures_and_pil_images_become_png_of_their_size():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1), dpi=50)
    figure.add_subplot().plot([1, 3, 2])
    assert image_of(figure).width == 100 and image_of(figure).height == 50
    picture = PILImage.new("RGB", (30, 20), "red")
    assert decoded_size(png_of(picture)) == (30, 20)
    assert png_of([1, 2]) is None and png_of(b"not a png") is None
    small = noise_png(40, 30)
    assert thumbnail_png(small) == small  # already small enough: kept as it is
    assert thumbnail_png(b"\x89PNG\r\n\x1a\n broken") is None


def test_drawing_a_figure_never_imports_pyplot():
    code = ("from matplotlib.figure import Figure; import sys\n"
            "from fancy_studio.core.image_png import png_of\n"
            "f = Figure(); f.add_subplot().plot([1, 2]); assert png_of(f)[:4] == b'\\x89PNG'\n"
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("module", ["PIL", "matplotlib", "pandas"])
def test_the_summary_module_imports_no_heavy_library(module):
    code = ("import sys, fancy_studio.core.value_summary, fancy_studio.core.image_png\n"
            f"print({module!r} in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         check=True)
    assert out.stdout.strip() == "False"
