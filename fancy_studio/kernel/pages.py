"""Pages of a stored table, read by the kernel for the studio's table viewer (`P` messages).

A table a run made may be hundreds of megabytes; the studio holds only its summary and must not load it.
So the viewer asks the kernel: `P` + pickle of {id, store (the file's path), cell, start, count, query},
answered by one JSON `page` message (`TableSource.page`: columns, dtypes, row_count, total_rows, start,
rows, cells; and version: the row's revision and time) or `{"t": "page", "id": …, "error": text}`.

The kernel answers on its main loop, so only between runs (`Kernel.table_page` refuses with `KernelBusy`
while a run goes, and a run waits for a page being answered). It reads the value from the store's file
(the value the studio's summary stands for: the last run's), keeps the last `SOURCES_KEPT` tables it
read by cell and row revision, and closes the file before each run.
"""

from __future__ import annotations

import contextlib
import pickle
import traceback
from collections import OrderedDict
from dataclasses import asdict
from typing import Any
from uuid import UUID

from fancy_studio.kernel.protocol import PAGE

SOURCES_KEPT = 3
"""Tables the kernel keeps read (a viewer scrolling one table asks again and again)."""


def page_message(request_id: int, store_path: str, cell_id: UUID, start: int, count: int,
                 query: Any) -> bytes:
    """What the studio sends for one page (`query`: a `TableQuery`)."""
    request = {"id": request_id, "store": str(store_path), "cell": cell_id, "start": int(start),
               "count": int(count), "query": asdict(query)}
    return PAGE + pickle.dumps(request, protocol=5)


class PageServer:
    """The kernel's side: the store file open between runs, the tables it read lately."""

    def __init__(self) -> None:
        self._store: Any = None
        self._path: str | None = None
        self._sources: OrderedDict[tuple, Any] = OrderedDict()

    def answer(self, message: bytes, outbox: Any) -> None:
        """Answer one `P` message; anything that goes wrong is answered as an error, the kernel lives on."""
        request_id = None
        try:
            request = pickle.loads(message[1:])
            request_id = request["id"]
            from fancy_studio.core.table_source import TableQuery

            source, version = self._source(request["store"], request["cell"])
            page = source.page(request["start"], request["count"], TableQuery(**request["query"]))
            page["version"] = version
        except Exception as exc:  # noqa: BLE001 - told to the studio as text
            outbox.send({"t": "page", "id": request_id, "error": str(exc) or repr(exc),
                         "traceback": traceback.format_exc()})
            return
        outbox.send({"t": "page", "id": request_id, **page})

    def _source(self, path: str, cell_id: UUID) -> tuple[Any, list[Any]]:
        """The cell's table, and which value it is (its row's revision and time: a viewer whose pages
        came from another value starts again)."""
        from fancy_studio.core.table_source import TableSource

        store = self._open(path)
        cell = store.get(cell_id)  # the row only (a large value stays on disk): which value it is now
        key = (path, cell_id, cell.revision, cell.produced_at)
        source = self._sources.get(key)
        if source is None:
            source = TableSource.from_value(store.full_value(cell_id))
            self._sources[key] = source
            while len(self._sources) > SOURCES_KEPT:
                self._sources.popitem(last=False)
        self._sources.move_to_end(key)
        return source, [cell.revision, cell.produced_at]

    def _open(self, path: str) -> Any:
        if self._store is not None and self._path == path:
            return self._store
        self.close()
        from fancy_studio.core.sqlite_store import SqliteStore

        store = SqliteStore(path, summaries=True)
        store.follow()  # a reader: every read from the file, nothing kept or written by this object
        self._store, self._path = store, path
        return store

    def close(self) -> None:
        """Let go of the store's file (before a run, which opens it itself)."""
        store, self._store, self._path = self._store, None, None
        if store is not None:
            with contextlib.suppress(Exception):  # a reader has nothing to lose
                store.close()


def read_page(process: Any, request_id: int, message: bytes, timeout: float) -> dict[str, Any]:
    """The studio's side: send one page request to a ready `KernelProcess` and wait for its answer.
    Raises `KernelError` when the kernel cannot read the table, dies meanwhile or does not answer."""
    import queue
    import time

    from fancy_studio.kernel.kernel import KernelError

    answers = process.pages
    while True:  # an answer a timed-out request left behind is no answer to this one
        try:
            answers.get_nowait()
        except queue.Empty:
            break
    if not process.send(message):
        raise KernelError(f"the kernel is gone: {process.detail or 'its pipe is closed'}")
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = answers.get(timeout=0.05)
        except queue.Empty:
            if time.monotonic() > deadline:
                raise KernelError(f"the kernel did not answer a table page within {timeout:g} s") from None
            continue
        if answer["t"] == "exit":
            raise KernelError(f"the kernel died while reading the table: {answer['detail']}")
        if answer.get("id") != request_id:
            continue
        if "error" in answer:
            raise KernelError(str(answer["error"]))
        return answer
