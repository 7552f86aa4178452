"""Reaching a Dask cluster: start a local one, connect to a running scheduler, and check before a run that
the workers can call the workflow's functions.

`distributed` is imported inside each function (it costs about half a second, and it is an optional extra):
without it, each says how to add it (`ClusterError`). Every failure to reach a cluster is a `ClusterError`
with one readable line, raised before anything runs.
"""

from __future__ import annotations

import importlib
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fancy_studio.core.errors import FancyError
from fancy_studio.core.functions import FunctionRegistry, registry as default_registry

if TYPE_CHECKING:
    from distributed import Client

INSTALL_HINT = 'running on a Dask cluster needs the dask extra: pip install "fancy-studio[dask]"'


class ClusterError(FancyError):
    """A Dask cluster cannot be started or reached, or its workers cannot run the workflow's functions."""


def require_distributed() -> Any:
    """The `distributed` module, or a `ClusterError` saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError(f"{INSTALL_HINT} ({exc})") from None
    return distributed


# --- where a run goes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaskTarget:
    """Where a run goes: a local cluster of `workers` processes (None: one per core), or the scheduler at
    `address`."""

    address: str | None = None
    workers: int | None = None

    @property
    def local(self) -> bool:
        return self.address is None

    def __str__(self) -> str:
        if self.address is not None:
            return self.address
        return "local" if self.workers is None else f"local:{self.workers}"


_ADDRESS = re.compile(r"^(tcp|tls|inproc|ws|wss|ucx)://\S+$")


def parse_dask_target(text: str) -> DaskTarget:
    """"local" (a local cluster, one worker process per core), "local:N" (N processes) or a scheduler's
    address ("tcp://host:8786"); a `ClusterError` for anything else."""
    value = text.strip()
    if value == "local":
        return DaskTarget()
    if value.startswith("local:"):
        count = value[len("local:"):]
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"'{value}' is not a local cluster size: use local:N with N a number of "
                               "worker processes (1 or more)")
        return DaskTarget(workers=int(count))
    if _ADDRESS.match(value):
        return DaskTarget(address=value)
    if re.match(r"^[\w.\-]+:\d+$", value):  # host:port: Dask's default protocol
        return DaskTarget(address=f"tcp://{value}")
    raise ClusterError(f"'{value:.200}' is not a Dask target: use local, local:N or a scheduler address "
                       "such as tcp://host:8786")


def open_target(target: DaskTarget, *, threads_per_worker: int = 1, memory_limit: str | int = "auto",
                timeout: float = 5) -> Client:
    """A client for `target`: a new local cluster (owned by the client: closing it stops the cluster) or a
    connection to a running scheduler."""
    if target.local:
        return start_local_cluster(target.workers, threads_per_worker=threads_per_worker,
                                   memory_limit=memory_limit)
    assert target.address is not None
    return connect(target.address, timeout=timeout)


def start_local_cluster(workers: int | None = None, threads_per_worker: int = 1,
                        memory_limit: str | int = "auto") -> Client:
    """Start a cluster of `workers` worker processes on this machine (None: one per core), on the loopback
    address with its dashboard on a free port, and return a client that owns it (`client.close()` stops
    it). One thread per worker by default: pure-Python steps then use one core each."""
    distributed = require_distributed()
    try:
        return distributed.Client(n_workers=workers, threads_per_worker=threads_per_worker, processes=True,
                                  host="127.0.0.1", dashboard_address=":0", memory_limit=memory_limit,
                                  silence_logs=40)
    except Exception as exc:
        raise ClusterError(f"cannot start a local Dask cluster: {type(exc).__name__}: {exc}") from exc


def connect(address: str, timeout: float = 5) -> Client:
    """A client connected to the scheduler at `address`; a `ClusterError` when it cannot be reached within
    `timeout` seconds ("cannot reach the Dask scheduler at tcp://10.0.0.9:8786 (timed out after 5 s)")."""
    distributed = require_distributed()
    _reachable(address, timeout)
    try:
        return distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        text = str(exc)
        timed_out = "timed out" in text.lower() or isinstance(exc, TimeoutError)
        why = f"timed out after {timeout:g} s" if timed_out else f"{type(exc).__name__}: {text}"
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({why:.300})") from None
    except ValueError as exc:  # an address distributed cannot parse
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({exc})") from None


def _reachable(address: str, timeout: float) -> None:
    """For a tcp:// address, a plain connection first: an address that refuses or does not answer is told
    at once, without a half-made `Client` (which would wait again to close itself)."""
    if not address.startswith("tcp://"):
        return
    match = re.match(r"^tcp://(\[[^\]]+\]|[^:/]+):(\d+)/?$", address)
    if match is None:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: give its host and port, such as "
                           "tcp://host:8786")
    host, port = match.group(1).strip("[]"), int(match.group(2))
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except TimeoutError:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} (timed out after {timeout:g} s)") \
            from None
    except ConnectionRefusedError:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} (connection refused: is the "
                           "scheduler running, on that port?)") from None
    except OSError as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({exc.strerror or exc})") from None


def dashboard_link(client: Client) -> str | None:
    """The address of the cluster's dashboard (a web page), or None when it has none (bokeh missing)."""
    try:
        services = client.scheduler_info().get("services", {})
        if "dashboard" not in services:
            return None
        return str(client.dashboard_link)
    except Exception:  # noqa: BLE001 - a closed client, an odd scheduler: no link
        return None


# --- can the workers call the functions? ----------------------------------------------------------------


def travels_by_value(func: Any) -> bool:
    """True when cloudpickle sends `func` by value (its code goes with each task: a functions file's, a
    script's, one defined in another function), so the workers need nothing installed for it."""
    import cloudpickle

    module = getattr(func, "__module__", None)
    if module is None or module == "__main__":
        return True
    by_reference = getattr(cloudpickle.cloudpickle, "_should_pickle_by_reference", None)
    if by_reference is not None:
        try:
            return not by_reference(func)
        except Exception:  # noqa: BLE001 - cloudpickle's own look-up failed: it would pickle by value
            return True
    return "<locals>" in getattr(func, "__qualname__", "")


def _where(func: Any) -> tuple[str, str]:
    return getattr(func, "__module__", "?"), getattr(func, "__qualname__", "?")


def missing_functions(client: Client, slugs: Iterable[str],
                      registry: FunctionRegistry = default_registry) -> dict[str, str]:
    """slug → why the workers cannot call it ("not on tcp://127.0.0.1:40001: x.f cannot be imported (…)"),
    for each of `slugs` (as registered in `registry`) that some worker lacks; empty when all can.

    A function that travels by value (see `travels_by_value`) needs nothing on the workers. Any other is
    sent by reference (its module and name), so each worker must import it: that is what is checked, on
    every worker at once (`client.run`)."""
    functions = {}
    for slug in slugs:
        function = registry.find(slug)
        if function is not None:
            functions[slug] = function.func
    return missing_among(client, functions)


def missing_among(client: Client, functions: Mapping[str, Any]) -> dict[str, str]:
    """`missing_functions` for the Python functions given by slug (a plan's own)."""
    wanted = {slug: _where(func) for slug, func in functions.items() if not travels_by_value(func)}
    if not wanted:
        return {}
    try:
        answers = client.run(importable_here, wanted)
    except Exception as exc:  # the workers cannot even import fancy_studio (or are gone)
        raise ClusterError(f"cannot ask the Dask workers which functions they have: {type(exc).__name__}: "
                           f"{exc}".rstrip()[:500]) from None
    if not answers:
        raise ClusterError("the Dask cluster has no workers")
    missing: dict[str, str] = {}
    for worker, problems in sorted(answers.items()):
        for slug, problem in problems.items():
            note = f"{worker}: {problem}"
            missing[slug] = f"{missing[slug]}; {note}" if slug in missing else f"not on {note}"
    return missing


def importable_here(wanted: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Run on each worker: slug → why (module, qualified name) cannot be imported here, for those that
    cannot. Importing the module is what unpickling a function sent by reference does; an installed plugin
    registers itself when its module is imported, so the worker's registry is loaded first."""
    from fancy_studio.core.functions import registry

    try:
        len(registry)  # loads the built-ins and installed plugins
    except Exception:  # noqa: BLE001 - a broken plugin is reported by its own import below
        pass
    problems: dict[str, str] = {}
    for slug, (module_name, qualname) in wanted.items():
        try:
            found: Any = importlib.import_module(module_name)
            for part in qualname.split("."):
                found = getattr(found, part)
        except Exception as exc:  # noqa: BLE001 - any import failure is the answer
            why = f"{type(exc).__name__}: {exc}"
            problems[slug] = f"{module_name}.{qualname} cannot be imported ({why:.250})"
    return problems


def describe_missing(missing: dict[str, str]) -> str:
    """One message for `missing_functions`' answer, naming each slug."""
    lines = [f"  {slug}: {why}" for slug, why in sorted(missing.items())]
    return ("the Dask workers cannot call these functions (install their plugin on every worker, or load "
            "them from a functions file):\n" + "\n".join(lines))
