"""Any image value as PNG bytes, and a small PNG thumbnail of it, without Qt.

An image reaches a viewer, a thumbnail or a summary as one of four things: our `Image`, PNG bytes, a
matplotlib `Figure` or a PIL image (`core.value_kinds.is_image`). Everything that shows or stores one
starts from its PNG bytes. matplotlib and PIL are imported only here, inside the functions, and only
for a value of theirs (which exists only where they were imported already) or to make a thumbnail.
"""

from __future__ import annotations

import io
from typing import Any

from fancy_studio.core.data_types import Image, is_png
from fancy_studio.core.value_kinds import is_image

_PNG_MODES = ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16")
"""PIL image modes PNG holds as they are (others, CMYK say, are converted to RGBA first)."""
THUMBNAIL_SIDE = 96
"""The longest side of a thumbnail in pixels (the canvas draws a cell's image preview at this size)."""


def png_of(value: Any) -> bytes | None:
    """The value's picture as PNG bytes, or None when it is no image (see `value_kinds.is_image`).

    A matplotlib Figure is drawn by its own `savefig`, which uses the Agg renderer for PNG without
    pyplot (no GUI backend is touched); a PIL image is saved as PNG. Raises what they raise."""
    if not is_image(value):
        return None
    if type(value) is Image:
        return value.png
    if is_png(value):
        return bytes(value)
    buffer = io.BytesIO()
    if hasattr(value, "savefig"):  # a matplotlib Figure
        value.savefig(buffer, format="png")
    else:  # a PIL image
        image = value if value.mode in _PNG_MODES else value.convert("RGBA")
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def image_of(value: Any) -> Image | None:
    """The value as our `Image` (PNG bytes and size), or None when it is no image."""
    png = png_of(value)
    return Image.from_png(png) if png is not None else None


def thumbnail_png(png: bytes, side: int = THUMBNAIL_SIDE) -> bytes | None:
    """PNG bytes of the picture shrunk to fit `side` × `side` pixels (kept as it is when it fits already);
    None when PIL cannot read it. PIL (matplotlib's own dependency) is imported on first use."""
    try:
        from PIL import Image as PILImage
    except ImportError:  # pragma: no cover - matplotlib brings it; without it a summary has no thumbnail
        return None
    try:
        with PILImage.open(io.BytesIO(png)) as image:
            if image.width <= side and image.height <= side:
                return bytes(png)
            image.draft("RGBA", (side, side))
            small = image.convert("RGBA")
            small.thumbnail((side, side))
            buffer = io.BytesIO()
            small.save(buffer, format="PNG", optimize=True)
            return buffer.getvalue()
    except (OSError, ValueError, SyntaxError):  # PIL's errors for a damaged or unknown picture
        return None
