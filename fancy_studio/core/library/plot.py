"""Charts of a table, drawn as PNG images with matplotlib, and saving an image to a file.

matplotlib is imported on first use, never when the library is registered (it costs a quarter of a second,
and most workflows draw nothing). It is used through its object API only: a `Figure` on its own
`FigureCanvasAgg`, never pyplot, whose global figures and backend belong to whoever else runs in the
process. The PNG carries no software version or date, so the same table always gives the same bytes and a
chart's result is reused like any other value.
"""

from __future__ import annotations

import io
import math
from typing import Any

from fancy_studio.core.atomic_write import write_atomically
from fancy_studio.core.data_types import DataFrame, Image
from fancy_studio.core.functions import fancy_function
from fancy_studio.core.paths import writable_file

FIGURE_INCHES = (8.0, 5.0)
DPI = 100
"""A chart is 800 × 500 pixels."""
MAX_BINS = 10_000
MAX_BARS = 10_000
"""One bar per row: more would take minutes to draw and be thinner than a pixel."""
MAX_LABELS = 40
"""Text labels along the bottom at most; with more rows every n-th is labelled."""
MAX_UNSORTED_LINE = 100_000
"""Points a line may join out of order along x (each segment may cross the chart: 1,000,000 take 90 s)."""
AGG_PATH_CHUNK = 20_000
FEW_BARS = 200
"""Up to this many bars are matplotlib's own patches; more are one collection (see `_draw_bars`)."""


class ColumnNotFoundError(KeyError):
    """A column the table does not have (a `KeyError`, as pandas raises, with a readable message)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


def _column(table: Any, name: str, what: str) -> Any:
    """The column `name` of `table`, or an error that names it and lists the table's columns."""
    if not isinstance(table, DataFrame):
        raise TypeError(f"{what}: 'table' must be a table (a pandas DataFrame); "
                        f"it is a {type(table).__name__}")
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
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not matplotlib.rcParams["agg.path.chunksize"]:
        # Agg refuses a line of a million zig-zagging points ("Exceeded cell block limit") unless it may
        # draw it in pieces; matplotlib's documented remedy, and it changes nothing else
        matplotlib.rcParams["agg.path.chunksize"] = AGG_PATH_CHUNK

    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if title:
        axes.set_title(title)
    return figure, axes


def _finish(figure: Any, axes: Any, empty: bool, x_label: str, y_label: str, whole_y: bool = False) -> Image:
    """Label the axes and draw the figure as PNG; `whole_y`: the values up the side are counts or whole
    numbers, so its ticks are too (never "2.5 words")."""
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    if whole_y and not empty:
        from matplotlib.ticker import MaxNLocator

        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
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
    if len(table) > MAX_BARS:
        raise ValueError(f"plot.bar: the table has {len(table):,} rows, one bar each; at most {MAX_BARS:,} "
                         "bars can be drawn (group or filter the table first)")
    figure, axes = _figure(title)
    _draw_bars(axes, heights.to_numpy(dtype=float, na_value=float("nan")))
    _label_positions(axes, labels)
    return _finish(figure, axes, len(table) == 0, x, y, _is_whole(heights))


def _label_positions(axes: Any, labels: Any) -> None:
    """Label positions 0, 1, 2… along the bottom with `labels` as text: each of them up to `MAX_LABELS`,
    else every n-th (matplotlib lays out every label it is given, a second per thousand)."""
    count = len(labels)
    step = -(-count // MAX_LABELS) or 1
    axes.set_xticks(range(0, count, step), [str(label) for label in labels[::step]],
                    rotation=45 if count > 8 else 0, ha="right" if count > 8 else "center")


def _draw_bars(axes: Any, heights: Any) -> None:
    """Bars at 0, 1, 2…: matplotlib's own for a few, one collection of rectangles for many (a patch per
    bar takes seconds for a thousand)."""
    if len(heights) <= FEW_BARS:
        axes.bar(range(len(heights)), heights)
        return
    from matplotlib.collections import PolyCollection

    half = 0.4
    rectangles = [((i - half, 0), (i - half, h), (i + half, h), (i + half, 0))
                  for i, h in enumerate(heights.tolist()) if not math.isnan(h)]  # NaN: no bar
    axes.add_collection(PolyCollection(rectangles, facecolors="C0", edgecolors="none"))
    axes.set_xlim(-0.5 - half, len(heights) - 0.5 + half)
    axes.autoscale_view(scalex=False)


@fancy_function("plot.line", title="Line Chart")
def line(table: DataFrame, x: str, y: str, title: str = "") -> Image:
    """A line through the rows of a table, in their order: column `x` along the bottom, column `y`
    (numbers) up the side. `table`: the rows to draw (sort it by `x` first for a time series); `x`: the
    column along the horizontal axis; `y`: the column of values; `title`: drawn above the chart."""
    xs = _column(table, x, "plot.line")
    ys = _numbers(_column(table, y, "plot.line"), y, "plot.line").to_numpy()
    marker = "o" if len(table) <= 50 else None
    figure, axes = _figure(title)
    if _is_numeric_or_date(xs):
        if len(table) > MAX_UNSORTED_LINE and not (xs.is_monotonic_increasing or xs.is_monotonic_decreasing):
            raise ValueError(f"plot.line: {len(table):,} points out of order along {x!r} would take minutes "
                             f"to draw; sort the table by {x!r} first, or draw them with plot.scatter")
        axes.plot(xs.to_numpy(), ys, marker=marker)
    else:  # text: one position per row, in the table's order
        axes.plot(range(len(table)), ys, marker=marker)
        _label_positions(axes, xs)
    return _finish(figure, axes, len(table) == 0, x, y, _is_whole(table[y]))


@fancy_function("plot.scatter", title="Scatter Plot")
def scatter(table: DataFrame, x: str, y: str, title: str = "") -> Image:
    """One dot per row of a table, at column `x` across and column `y` up (both numbers). `table`: the
    rows to draw; `x`: the column along the horizontal axis; `y`: the column along the vertical axis;
    `title`: drawn above the chart."""
    xs = _numbers(_column(table, x, "plot.scatter"), x, "plot.scatter")
    ys = _numbers(_column(table, y, "plot.scatter"), y, "plot.scatter")
    figure, axes = _figure(title)
    axes.scatter(xs.to_numpy(), ys.to_numpy(), s=16)
    return _finish(figure, axes, len(table) == 0, x, y, _is_whole(ys))


@fancy_function("plot.histogram", title="Histogram")
def histogram(table: DataFrame, column: str, bins: int = 20, title: str = "") -> Image:
    """How the numbers of one column are spread: their range cut into `bins` equal parts, with a bar as
    tall as the count of values in each. `table`: the rows; `column`: the column of numbers (missing
    and infinite values are left out); `bins`: how many bars (20 by default); `title`: drawn above the
    chart."""
    if not 1 <= bins <= MAX_BINS:
        raise ValueError(f"plot.histogram: bins must be between 1 and {MAX_BINS:,}, not {bins}")
    values = _numbers(_column(table, column, "plot.histogram"), column, "plot.histogram").dropna()
    if _is_numeric_or_date(values) and not _is_datetime(values):
        values = values[values.abs() != math.inf]
    figure, axes = _figure(title)
    axes.hist(values.to_numpy(), bins=bins)
    return _finish(figure, axes, len(values) == 0, column, "count", whole_y=True)


def _is_whole(column: Any) -> bool:
    """A column of whole numbers (an integer dtype, not yes/no)."""
    import pandas as pd

    return pd.api.types.is_integer_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)


def _is_datetime(column: Any) -> bool:
    import pandas as pd

    return pd.api.types.is_datetime64_any_dtype(column.dtype)


def _is_numeric_or_date(column: Any) -> bool:
    import pandas as pd

    dtype = column.dtype
    return (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)) \
        or pd.api.types.is_datetime64_any_dtype(dtype)


@fancy_function("plot.save", title="Save Image", cacheable=False)
def save(image: Image, path: str) -> str:
    """Write an image (a chart) to a PNG file and give back the file's path. `image`: the picture to
    write; `path`: where (relative to the workflow's folder; an existing file is replaced whole, never left
    half-written). Runs every time."""
    if not isinstance(image, Image):
        raise TypeError(f"plot.save: 'image' must be an image; it is a {type(image).__name__}")
    write_atomically(writable_file(path, "plot.save"), image.png)
    return path
