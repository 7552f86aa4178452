"""Charts of a table, drawn as PNG images with matplotlib, and saving an image to a file.

matplotlib is imported on first use, never when the library is registered (it costs a quarter of a second,
and most workflows draw nothing). It is used through its object API only: a `Figure` on its own
`FigureCanvasAgg`, never pyplot, whose global figures and backend belong to whoever else runs in the
process. The PNG carries no software version or date, so the same table always gives the same bytes and a
chart's result is reused like any other value.
"""

from __future__ import annotations

import io
from typing import Any

from fancy_studio.core.atomic_write import write_atomically
from fancy_studio.core.data_types import DataFrame, Image
from fancy_studio.core.functions import fancy_function
from fancy_studio.core.paths import resolve_path

FIGURE_INCHES = (8.0, 5.0)
DPI = 100
"""A chart is 800 × 500 pixels."""
MAX_BINS = 10_000


class ColumnNotFoundError(KeyError):
    """A column the table does not have (a `KeyError`, as pandas raises, with a readable message)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def _column(table: Any, name: str, what: str) -> Any:
    """The column `name` of `table`, or an error that names it and lists the table's columns."""
    if not isinstance(table, DataFrame):
        raise TypeError(f"{what}: 'table' must be a table (a pandas DataFrame); it is a {type(table).__name__}")
    if name not in table.columns:
        names = [str(c) for c in table.columns]
        listed = ", ".join(names[:30]) + (f", … ({len(names):,} columns)" if len(names) > 30 else "")
        raise ColumnNotFoundError(f"{what}: no column {name!r}; the table has: {listed or 'no columns'}")
    column = table[name]
    if getattr(column, "ndim", 1) != 1:
        raise ValueError(f"{what}: the table has more than one column called {name!r}")
    return column


def _numbers(column: Any, name: str, what: str) -> Any:
    """The column as numbers (missing values dropped later by matplotlib), or an error naming it."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(column.dtype):
        return column.astype(int)
    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column
    raise TypeError(f"{what}: column {name!r} holds {column.dtype} values, not numbers, so it cannot be "
                    "drawn on a value axis")


def _figure(title: str) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if title:
        axes.set_title(title)
    return figure, axes


def _finish(figure: Any, axes: Any, empty: bool, x_label: str, y_label: str) -> Image:
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    if empty:
        axes.set_xticks([])
        axes.set_yticks([])
        axes.text(0.5, 0.5, "no rows", transform=axes.transAxes, ha="center", va="center", color="gray")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return Image.from_png(buffer.getvalue())


@fancy_function("plot.bar", title="Bar Chart")
def bar(table: DataFrame, x: str, y: str, title: str = "") -> Image:
    """A bar chart of a table: one bar per row, labelled by column `x` and as tall as column `y` (numbers).
    `table`: the rows to draw (group them first to get one bar per group); `x`: the column of labels;
    `y`: the column of heights; `title`: drawn above the chart (none by default)."""
    labels = _column(table, x, "plot.bar")
    heights = _numbers(_column(table, y, "plot.bar"), y, "plot.bar")
    figure, axes = _figure(title)
    axes.bar([str(label) for label in labels], heights.to_numpy())
    if len(table) > 8:
        axes.tick_params(axis="x", labelrotation=45)
    return _finish(figure, axes, len(table) == 0, x, y)


@fancy_function("plot.line", title="Line Chart")
def line(table: DataFrame, x: str, y: str, title: str = "") -> Image:
    """A line through the rows of a table, in their order: column `x` along the bottom, column `y`
    (numbers) up the side. `table`: the rows to draw (sort it by `x` first for a time series); `x`: the
    column along the horizontal axis; `y`: the column of values; `title`: drawn above the chart."""
    xs = _column(table, x, "plot.line")
    ys = _numbers(_column(table, y, "plot.line"), y, "plot.line")
    figure, axes = _figure(title)
    axes.plot(_axis_values(xs), ys.to_numpy(), marker="o" if len(table) <= 50 else None)
    return _finish(figure, axes, len(table) == 0, x, y)


@fancy_function("plot.scatter", title="Scatter Plot")
def scatter(table: DataFrame, x: str, y: str, title: str = "") -> Image:
    """One dot per row of a table, at column `x` across and column `y` up (both numbers). `table`: the
    rows to draw; `x`: the column along the horizontal axis; `y`: the column along the vertical axis;
    `title`: drawn above the chart."""
    xs = _numbers(_column(table, x, "plot.scatter"), x, "plot.scatter")
    ys = _numbers(_column(table, y, "plot.scatter"), y, "plot.scatter")
    figure, axes = _figure(title)
    axes.scatter(xs.to_numpy(), ys.to_numpy(), s=16)
    return _finish(figure, axes, len(table) == 0, x, y)


@fancy_function("plot.histogram", title="Histogram")
def histogram(table: DataFrame, column: str, bins: int = 20, title: str = "") -> Image:
    """How the numbers of one column are spread: their range cut into `bins` equal parts, with a bar as
    tall as the count of values in each. `table`: the rows; `column`: the column of numbers (missing
    values are left out); `bins`: how many bars (20 by default); `title`: drawn above the chart."""
    if not 1 <= bins <= MAX_BINS:
        raise ValueError(f"plot.histogram: bins must be between 1 and {MAX_BINS:,}, not {bins}")
    values = _numbers(_column(table, column, "plot.histogram"), column, "plot.histogram").dropna()
    figure, axes = _figure(title)
    axes.hist(values.to_numpy(), bins=bins)
    return _finish(figure, axes, len(values) == 0, column, "count")


def _axis_values(column: Any) -> Any:
    """Numbers and dates as they are; anything else as text (matplotlib then spaces them evenly)."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column.to_numpy()
    return [str(value) for value in column]


@fancy_function("plot.save", title="Save Image", cacheable=False)
def save(image: Image, path: str) -> str:
    """Write an image (a chart) to a PNG file and give back the file's path. `image`: the picture to
    write; `path`: where (relative to the workflow's folder; an existing file is replaced whole, never left
    half-written). Runs every time."""
    if not isinstance(image, Image):
        raise TypeError(f"plot.save: 'image' must be an image; it is a {type(image).__name__}")
    target = resolve_path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"plot.save: the folder {str(target.parent)!r} does not exist (saving {path!r})")
    write_atomically(target, image.png)
    return path
