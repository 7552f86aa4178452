"""Charts of a table as PNG images (matplotlib's Agg, without pyplot), and saving them (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pandas as pd
import pytest

from fancy_studio.core import Engine, InMemoryStore, StepStatus, Workflow, WorkflowStep
from fancy_studio.core.data_types import Image
from fancy_studio.core.functions import RETURN, registry
from fancy_studio.core.library import plot

ROOT = Path(__file__).resolve().parents[2]
SALES = pd.DataFrame({"region": ["North", "South", "East"], "amount": [120.5, 80.0, 42.0],
                      "orders": [3, 2, 1], "paid": [True, False, True]})


def test_every_chart_is_a_png_image_of_the_declared_type():
    assert registry.get("plot.bar").output(RETURN).type is Image
    charts = [plot.bar(SALES, "region", "amount"), plot.line(SALES, "region", "amount", title="Sales"),
              plot.scatter(SALES, "orders", "amount"), plot.histogram(SALES, "amount", bins=5),
              plot.bar(SALES, "region", "paid")]  # true/false values count as 1 and 0
    for chart in charts:
        assert isinstance(chart, Image) and (chart.width, chart.height) == (800, 500)
        assert Image.from_png(chart.png) == chart


def test_the_same_table_gives_the_same_bytes_and_another_table_other_bytes():
    """No date or version is written into the PNG, so a chart's hash (and its reuse) is stable."""
    first = plot.bar(SALES, "region", "amount", title="Sales")
    assert plot.bar(SALES.copy(), "region", "amount", title="Sales").png == first.png
    changed = SALES.assign(amount=[1.0, 2.0, 3.0])
    assert plot.bar(changed, "region", "amount", title="Sales").png != first.png
    assert plot.bar(SALES, "region", "amount", title="Other").png != first.png
    assert b"Software" not in first.png and b"matplotlib" not in first.png


@pytest.mark.parametrize("slug, args", [
    ("plot.bar", ("regoin", "amount")), ("plot.line", ("region", "amuont")),
    ("plot.scatter", ("orders", "nope")), ("plot.histogram", ("nope",)),
])
def test_a_missing_column_is_named_with_the_columns_the_table_has(slug, args):
    with pytest.raises(KeyError) as caught:
        registry.get(slug).func(SALES, *args)
    message = str(caught.value)
    missing = next(a for a in args if a not in SALES.columns)
    assert message.startswith(f"{slug}: no column '{missing}'")
    assert "the table has: region, amount, orders, paid" in message


def test_text_on_a_value_axis_is_refused_naming_the_column():
    with pytest.raises(TypeError, match="column 'region' holds .* not numbers"):
        plot.scatter(SALES, "region", "amount")
    with pytest.raises(TypeError, match="column 'region'"):
        plot.histogram(SALES, "region")
    with pytest.raises(TypeError, match="'table' must be a table"):
        plot.bar([{"region": "North"}], "region", "amount")


@pytest.mark.parametrize("bins", [0, -3, 10_001])
def test_histogram_bins_outside_the_range_are_refused(bins):
    with pytest.raises(ValueError, match="bins must be between 1 and 10,000"):
        plot.histogram(SALES, "amount", bins=bins)


def test_an_empty_table_draws_an_empty_chart_rather_than_failing():
    """A filter that keeps no rows still gives a picture (saying so), so the rest of the pipeline runs."""
    empty = SALES.iloc[0:0]
    charts = [plot.bar(empty, "region", "amount"), plot.line(empty, "region", "amount"),
              plot.scatter(empty, "orders", "amount"), plot.histogram(empty, "amount")]
    assert all(isinstance(chart, Image) for chart in charts)
    assert charts[0].png != plot.bar(SALES, "region", "amount").png
    only_missing = pd.DataFrame({"v": [float("nan")] * 3})
    assert isinstance(plot.histogram(only_missing, "v"), Image)


def test_many_bars_are_drawn_as_one_collection_with_every_nth_label_and_too_many_are_refused():
    many = pd.DataFrame({"key": [f"k{i}" for i in range(plot.FEW_BARS + 1)],
                         "value": [float("nan"), *range(plot.FEW_BARS)]})
    chart = plot.bar(many, "key", "value")
    assert isinstance(chart, Image) and chart.png != plot.bar(many.iloc[::-1], "key", "value").png
    too_many = pd.DataFrame({"key": range(plot.MAX_BARS + 1), "value": 1})
    with pytest.raises(ValueError, match="10,001 rows, one bar each; at most 10,000 bars"):
        plot.bar(too_many, "key", "value")


def test_a_line_along_text_keeps_the_table_order_and_a_huge_unsorted_line_is_refused():
    months = pd.DataFrame({"month": ["Jan", "Feb", "Mar"], "sales": [3, 1, 2]})
    assert plot.line(months, "month", "sales").png != plot.line(months.iloc[::-1], "month", "sales").png
    rows = plot.MAX_UNSORTED_LINE + 1
    shuffled = pd.DataFrame({"x": [(i * 7919) % rows for i in range(rows)], "y": 1.0})
    with pytest.raises(ValueError, match="out of order along 'x' .* sort the table by 'x' first"):
        plot.line(shuffled, "x", "y")


def test_histogram_leaves_out_missing_and_infinite_values():
    values = pd.DataFrame({"v": [1.0, 2.0, 2.5, None, float("inf"), -float("inf")]})
    assert plot.histogram(values, "v").png == plot.histogram(values.iloc[:3], "v").png


def test_save_writes_the_png_atomically_and_refuses_a_missing_folder(tmp_path: Path):
    chart = plot.bar(SALES, "region", "amount")
    target = tmp_path / "chart.png"
    target.write_bytes(b"old")
    assert plot.save(chart, str(target)) == str(target)
    assert target.read_bytes() == chart.png
    assert [p.name for p in tmp_path.iterdir()] == ["chart.png"]  # no temporary file left behind
    assert registry.get("plot.save").cacheable is False
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plot.save(chart, str(tmp_path / "no such folder" / "chart.png"))
    with pytest.raises(TypeError, match="'image' must be an image"):
        plot.save(b"\x89PNG", str(target))


def test_sales_chart_in_a_workflow_is_reused_and_saved_again_relative_to_the_workflow_folder(tmp_path: Path):
    csv = tmp_path / "sales.csv"
    SALES.to_csv(csv, index=False)
    wf = Workflow(name="sales chart")
    source = wf.input_cell("path", str(csv))
    table, chart, written = uuid4(), uuid4(), uuid4()
    wf.add_step(WorkflowStep(function_slug="table.read_csv", inputs={"path": source.id},
                                    outputs={RETURN: table}))
    draw = wf.add_step(WorkflowStep(function_slug="plot.bar", inputs={"table": table},
                                    params={"x": "region", "y": "amount", "title": "Sales"},
                                    outputs={RETURN: chart}))
    save = wf.add_step(WorkflowStep(function_slug="plot.save", inputs={"image": chart},
                                    params={"path": "out/chart.png"}, outputs={RETURN: written}))
    (tmp_path / "out").mkdir()
    engine = Engine(InMemoryStore())
    first = engine.run(wf, folder=tmp_path)
    assert first.ok, first.errors
    saved = tmp_path / "out" / "chart.png"
    assert saved.read_bytes() == engine.store.get(chart).value.png
    saved.unlink()
    again = engine.run(wf, folder=tmp_path)
    assert again.ok, again.errors
    assert again.step_status[draw.id] is StepStatus.CACHED  # the same table: the same chart, not drawn again
    assert again.step_status[save.id] is StepStatus.DONE and saved.exists()  # written on every run


def test_importing_the_library_imports_neither_matplotlib_nor_pandas():
    code = ("import sys, fancy_studio.core.library; from fancy_studio.core.functions import registry; "
            "assert 'plot.bar' in registry; "
            "print(sorted(m for m in ('matplotlib', 'pandas', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_drawing_leaves_pyplot_and_the_process_backend_alone():
    import matplotlib

    backend = matplotlib.get_backend() if "matplotlib.pyplot" in sys.modules else None
    plot.line(SALES, "orders", "amount")
    if backend is None:
        assert "matplotlib.pyplot" not in sys.modules
    else:
        assert matplotlib.get_backend() == backend


def test_counts_up_the_side_have_whole_ticks_only():
    """A bar of counts (an integer column) and a histogram never show "2.5" on their value axis."""
    from unittest import mock

    import matplotlib.ticker
    import pandas as pd

    from fancy_studio.core.library import plot

    made: list = []
    original = matplotlib.ticker.MaxNLocator

    def spy(*args, **kwargs):
        made.append(kwargs)
        return original(*args, **kwargs)

    counts = pd.DataFrame({"word": ["engine", "science", "truths"], "count": [4, 3, 2]})
    with mock.patch.object(matplotlib.ticker, "MaxNLocator", spy):
        plot.bar(counts, "word", "count")
        assert made == [{"integer": True}]
        plot.bar(counts.assign(count=[4.5, 3.0, 2.0]), "word", "count")  # amounts: any ticks
        assert len(made) == 1
        plot.histogram(pd.DataFrame({"t": [1.5, 2.5, 2.7]}), "t")
        assert made == [{"integer": True}] * 2
