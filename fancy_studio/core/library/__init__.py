"""The built-in function library, registered when the registry is first used."""

from fancy_studio.core.library import control, convert, dates, dicts, files, lists, math, plot, text  # noqa: F401
from fancy_studio.core.library import tables, tables_io, tables_records  # noqa: F401
from fancy_studio.core.library import table_cleaning  # noqa: F401
