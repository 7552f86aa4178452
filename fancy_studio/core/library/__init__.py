"""The built-in function library, registered when the registry is first used."""

from fancy_studio.core.library import convert, lists, math, text  # noqa: F401
from fancy_studio.core.library import tables, tables_io, tables_records  # noqa: F401
