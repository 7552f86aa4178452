"""What kind of data a value is, for choosing its viewer and its preview: a table, an image or a number series.

Answered from the value's class (module and name), so asking never imports pandas, pyarrow, numpy,
matplotlib or PIL: a value of theirs exists only where they were imported already.
"""

from __future__ import annotations

from typing import Any

from fancy_studio.core.data_types import Image, class_named, is_png


def _class_is(value: Any, module: str, *names: str) -> bool:
    return class_named(type(value), (module,), names)


def is_table(value: Any) -> bool:
    """A pandas DataFrame or Series, a pyarrow Table, a 2-D numpy array, or a non-empty list of dicts."""
    if _class_is(value, "pandas", "DataFrame", "Series") or _class_is(value, "pyarrow", "Table", "RecordBatch"):
        return True
    if _class_is(value, "numpy", "ndarray"):
        return getattr(value, "ndim", 0) in (1, 2) and value.ndim == 2
    return type(value) is list and bool(value) and all(type(row) is dict for row in value[:1000])


def is_image(value: Any) -> bool:
    """An `Image`, PNG bytes, a matplotlib Figure or a PIL image."""
    return (type(value) is Image or is_png(value) or _class_is(value, "matplotlib", "Figure")
            or _class_is(value, "PIL", "Image"))


def is_number_series(value: Any) -> bool:
    """Numbers to plot: a numeric pandas Series, a 1-D numeric numpy array, or a list of numbers (not bools)."""
    if _class_is(value, "pandas", "Series"):
        return getattr(value.dtype, "kind", "") in "iuf" and len(value) > 0
    if _class_is(value, "numpy", "ndarray"):
        return value.ndim == 1 and value.dtype.kind in "iuf" and len(value) > 0
    if type(value) is list and len(value) > 1:
        return all(type(item) in (int, float) for item in value[:1000])
    return False
