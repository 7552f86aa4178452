"""Where a table viewer's pages come from: the kernel that holds the value, or a `TableSource` here.

Both answer `page(start, count, query)` with the same JSON-friendly dict (see `TableSource.page`), so the
model does not know which it reads. A large value the studio holds only as a `StoredSummary` is paged by
the kernel (the studio never loads it); a value the studio already holds, or any value when there is no
kernel (steps run in the studio's process, or the kernel died), is paged here.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from fancy_studio.core.table_source import TableQuery, TableSource


class PagesBusy(Exception):
    """The kernel is running a workflow; it answers pages between runs (ask again later)."""


class PagesError(Exception):
    """A page cannot be had: the value is gone, is not a table, or the kernel failed."""


class Pages(Protocol):
    where: str
    """"kernel" or "studio": who reads the value (the viewer says so)."""

    def page(self, start: int, count: int, query: TableQuery) -> dict[str, Any]: ...


class LocalPages:
    """Pages of a table held in the studio's process."""

    where = "studio"

    def __init__(self, value: Any) -> None:
        try:
            self.source = TableSource.from_value(value)
        except ValueError as exc:
            raise PagesError(str(exc)) from exc

    def page(self, start: int, count: int, query: TableQuery) -> dict[str, Any]:
        try:
            return self.source.page(start, count, query)
        except ValueError as exc:
            raise PagesError(str(exc)) from exc


class KernelPages:
    """Pages of a cell's value read by the kernel from the store's file (`Kernel.table_page`)."""

    where = "kernel"

    def __init__(self, kernel: Any, store_path: str, cell_id: UUID) -> None:
        self.kernel, self.store_path, self.cell_id = kernel, store_path, cell_id

    def page(self, start: int, count: int, query: TableQuery) -> dict[str, Any]:
        from fancy_studio.kernel import KernelBusy, KernelError

        try:
            return self.kernel.table_page(self.store_path, self.cell_id, start, count, query)
        except KernelBusy as exc:
            raise PagesBusy(str(exc)) from exc
        except KernelError as exc:
            raise PagesError(str(exc)) from exc
