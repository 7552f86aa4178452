"""Where a run's steps go, as a plain description, and the Dask client kept for it from run to run.

A run request may carry an *executor description* (a small dict that crosses the kernel's pipe as it is):

- `{"kind": "local", "workers": 2, "threads": 1, "memory_limit": "auto"}`: a local cluster of worker
  processes (`workers` None: one per core);
- `{"kind": "scheduler", "address": "tcp://host:8786", "timeout": 5}`: a running Dask scheduler.

No description runs the steps in the process itself. Starting a cluster costs seconds, so `ExecutorKeeper`
keeps the client (and the local cluster it owns) between runs, starts a new one only when the description
changes or the old one is gone, and shuts it down with its owner (the kernel process, the studio's window,
the command). Dask is imported only here and only when a description asks for it (see docs/spec/010-dask.md).
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Any

INSTALL_HINT = "install it: pip install 'fancy-studio[dask]'"
"""What to do when Dask is missing (the optional extra)."""
CONNECT_TIMEOUT = 5.0
"""Seconds to reach a scheduler before the run is refused (a description may say otherwise)."""


def dask_installed() -> bool:
    """True when `distributed` can be imported (asked without importing it: about a millisecond)."""
    try:
        return importlib.util.find_spec("distributed") is not None
    except (ImportError, ValueError):
        return False


def local_cluster(workers: int | None = None, threads: int = 1, memory_limit: str = "auto") -> dict[str, Any]:
    return {"kind": "local", "workers": workers, "threads": threads, "memory_limit": memory_limit}


def scheduler(address: str, timeout: float | None = None) -> dict[str, Any]:
    return {"kind": "scheduler", "address": address,
            "timeout": CONNECT_TIMEOUT if timeout is None else timeout}


def describe(spec: dict[str, Any] | None) -> str:
    """Where runs go, in a few words: "this machine", "local cluster, 2 processes", "tcp://host:8786"."""
    if spec is None:
        return "this machine"
    if spec["kind"] == "local":
        workers = spec.get("workers")
        plural = "es" if workers != 1 else ""
        count = "one process per core" if workers is None else f"{workers} process{plural}"
        return f"local cluster, {count}"
    return f"Dask scheduler {spec['address']}"


def short_address(address: str | None) -> str | None:
    """A worker's address as a step's tooltip shows it: host:port, without the protocol."""
    if not address:
        return None
    return address.split("://", 1)[-1]


def open_client(spec: dict[str, Any]) -> Any:
    """A new `distributed.Client` for `spec` (a local cluster it owns, or a connection to a scheduler).

    Raises the core's `ClusterError` with one line: Dask is not installed, the cluster cannot start, the
    scheduler cannot be reached."""
    from fancy_studio.core.dask.cluster import connect, start_local_cluster

    if spec["kind"] == "local":
        return start_local_cluster(workers=spec.get("workers"),
                                   threads_per_worker=int(spec.get("threads") or 1),
                                   memory_limit=spec.get("memory_limit") or "auto")
    if spec["kind"] == "scheduler":
        return connect(str(spec["address"]), timeout=float(spec.get("timeout") or CONNECT_TIMEOUT))
    raise ValueError(f"unknown executor kind {spec['kind']!r}")


def close_client(client: Any) -> None:
    """Close a client and, when it started one, its local cluster; never raises (it may be half gone)."""
    cluster = getattr(client, "cluster", None)
    try:
        client.close()
    except Exception:  # noqa: BLE001 - a scheduler already gone
        pass
    if cluster is not None:
        try:
            cluster.close()
        except Exception:  # noqa: BLE001
            pass


class ExecutorKeeper:
    """One kept Dask client, for the descriptions a run after run asks for (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spec: dict[str, Any] | None = None
        self._client: Any = None

    @property
    def client(self) -> Any:
        return self._client

    def executor(self, spec: dict[str, Any] | None) -> Any:
        """The executor for `spec`: None (in this process) for no description (a kept cluster is closed),
        else a `DaskExecutor` on the kept client, made anew when `spec` differs from the last one or that
        client is closed."""
        if spec is None:
            self.close()  # runs went back to this process: a kept cluster's processes are let go
            return None
        from fancy_studio.core import DaskExecutor

        # Stop restarts the workers of a cluster of our own, so a step that never returns stops too
        return DaskExecutor(self.client_for(spec), restart_on_stop=spec["kind"] == "local")

    def client_for(self, spec: dict[str, Any]) -> Any:
        with self._lock:
            client = self._client
            gone = getattr(client, "status", "running") != "running"
            if client is not None and (spec != self._spec or gone):
                self._client = self._spec = None
                close_client(client)
                client = None
            if client is None:
                client = open_client(spec)  # raises: nothing is kept
                self._client, self._spec = client, dict(spec)
            return client

    def info(self) -> dict[str, Any] | None:
        """What the studio shows of the kept cluster: its dashboard's address and its workers' count."""
        client = self._client
        if client is None:
            return None
        from fancy_studio.core.dask.cluster import dashboard_link

        try:
            workers = len(client.scheduler_info().get("workers", {}))
        except Exception:  # noqa: BLE001 - a scheduler gone meanwhile
            workers = None
        try:
            link = dashboard_link(client)
        except Exception:  # noqa: BLE001
            link = None
        return {"dashboard": link, "workers": workers, "where": describe(self._spec)}

    def close(self) -> None:
        with self._lock:
            client, self._client, self._spec = self._client, None, None
        if client is not None:
            close_client(client)
