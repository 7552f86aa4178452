"""The kernel process: take the protocol pipes, say it is ready, then run what the studio sends.

Started as `python -m fancy_studio.kernel` by `Kernel`. It imports as little as it can before saying
"ready" (the engine, pydantic and the functions are imported just after, while the studio has nothing to
send yet), so start to ready stays far under a second.

The pipes are taken off fd 0 and 1 first: fd 0 then reads nothing and fd 1 writes to stderr, so a step's
`print()` or `input()` can never corrupt the channel. A reader thread takes the studio's messages: Stop is
handled there, at once, even while a step runs; end of input (the studio is gone) ends the process at
once, and on Linux the kernel also asks to be killed when the thread that started it exits.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import queue
import signal
import sys
import threading
import traceback
from typing import Any

from fancy_studio.kernel.protocol import (
    CANCEL,
    CHUNK_MESSAGE,
    PAGE,
    SHUTDOWN,
    SLOT_FD_ENV,
    SYS_PATH_ENV,
    WARM_ENV,
    WARMABLE,
    ChannelClosed,
    StepSlot,
    encode_json,
    read_message,
    write_message,
)


class Outbox:
    """The kernel's end of the pipe to the studio, shared by the run and its event flusher."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> None:
        payload = encode_json(message)
        with self._lock:
            try:
                write_message(self._fd, payload)
            except OSError:  # the studio is gone: nothing left to do
                os._exit(0)


class Cancels:
    """Stop requests by run number: a Stop can arrive before its run has started."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[int, Any] = {}
        self._requested: set[int] = set()

    def request(self, run_id: int) -> None:
        with self._lock:
            self._requested.add(run_id)
            token = self._tokens.get(run_id)
        if token is not None:
            token.cancel()

    def token(self, run_id: int) -> Any:
        from fancy_studio.core.run_types import CancelToken

        token = CancelToken()
        with self._lock:
            self._tokens = {run_id: token}
            if run_id in self._requested:
                token.cancel()
        return token


def take_pipes() -> tuple[int, int]:
    """The protocol's fds; fd 0 becomes /dev/null and fd 1 a copy of stderr."""
    incoming, outgoing = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - lives as long as the process
    return incoming, outgoing


def die_with_parent() -> None:
    """Linux: SIGKILL this process when the studio's thread that started it ends (a studio killed
    outright leaves no kernel behind, even one stuck in a C call that keeps the reader from running)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


def read_requests(fd: int, inbox: queue.Queue[bytes | None], cancels: Cancels) -> None:
    """The reader thread: queue runs, handle Stop at once, exit when the studio is gone."""
    while True:
        try:
            message = read_message(fd)
        except (ChannelClosed, OSError):
            os._exit(0)  # the studio is gone (or closed the pipe): no orphan
        kind = message[:1]
        if kind == CANCEL:
            cancels.request(int(message[1:]))
        elif kind == SHUTDOWN:
            inbox.put(None)
        else:
            inbox.put(message)


def warm_up() -> None:
    """Import the engine, the stores and the functions (built-ins, plugins) before the first run."""
    from fancy_studio.core import Engine, SqliteStore, registry  # noqa: F401

    len(registry)  # loads the built-ins and the entry-point plugins


def import_quietly(names: list[str]) -> None:
    """Import heavy libraries ahead of need (a table's first page, a chart); one that is missing or broken
    is left to the step that needs it to report."""
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - said by whatever uses it
            pass


def main() -> None:
    incoming, outgoing = take_pipes()
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in the studio's terminal is the studio's
    if SYS_PATH_ENV in os.environ:
        sys.path[:] = json.loads(os.environ.pop(SYS_PATH_ENV))
    slot = StepSlot(int(os.environ.pop(SLOT_FD_ENV)))
    outbox = Outbox(outgoing)
    inbox: queue.Queue[bytes | None] = queue.Queue()
    cancels = Cancels()
    threading.Thread(target=read_requests, args=(incoming, inbox, cancels), name="kernel-reader",
                     daemon=True).start()
    outbox.send({"t": "ready", "pid": os.getpid()})
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - a broken plugin is reported by the run that needs it
        pass
    libraries = [name for name in os.environ.pop(WARM_ENV, "").split(",") if name in WARMABLE]
    if libraries:  # on a thread: a run or a page that comes meanwhile is not held up by them
        threading.Thread(target=import_quietly, args=(libraries,), name="kernel-warm", daemon=True).start()
    from fancy_studio.kernel.child_run import run_request
    from fancy_studio.kernel.child_workflow import KernelCache
    from fancy_studio.kernel.executors import ExecutorKeeper
    from fancy_studio.kernel.pages import PageServer

    cache = KernelCache()
    pages = PageServer()
    executors = ExecutorKeeper()
    """The Dask client (and local cluster) runs with an executor use, kept from run to run."""
    while (message := inbox.get()) is not None:
        if message[:1] == PAGE:
            pages.answer(message, outbox)  # between runs only: see `pages`
            continue
        pages.close()  # a run opens the store itself; the studio reads it when the run is done
        if message[:1] == CHUNK_MESSAGE:
            gc.disable()  # until the run's plan is built: see `run_request`
            cache.receive(message)  # a part of the next run's workflow
            continue
        try:
            request = pickle.loads(message[1:])
            if not isinstance(request, dict):
                raise TypeError(f"a run request is a dict, not {type(request).__name__}")
            run_id = int(request["id"])
        except BaseException as exc:  # noqa: BLE001 - e.g. a value whose module the kernel cannot import
            gc.enable()
            outbox.send({"t": "error", "message": f"the kernel could not read the run: {exc!r}",
                         "traceback": traceback.format_exc()})
            continue
        run_request(request, slot, outbox, cancels.token(run_id), cache, executors)
    executors.close()  # a local cluster's worker processes end with it
    sys.stdout.flush()
    os._exit(0)
