"""Functions the Dask tests run on a local cluster's workers: an importable module (the workers, started from
the test process, have its `sys.path`), so they travel by reference like an installed plugin's."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import NamedTuple

from fancy_studio.core.functions import FunctionRegistry, describe
from fancy_studio.core.paths import resolve_path


def add(a: int, b: int) -> int:
    return a + b


def double(x: int) -> int:
    return x * 2


def scale(x: int, factor: int = 3) -> int:
    return x * factor


def boom(x: int) -> int:
    raise ValueError(f"boom at {x}")


class MinMax(NamedTuple):
    low: int
    high: int


def min_max(values: list) -> MinMax:
    return MinMax(min(values), max(values))


def total(values: list) -> int:
    return sum(values)


def die(x: int) -> int:
    """Kill the worker process running it (as a segfault or the OOM killer would)."""
    os._exit(1)


def hang(x: int) -> int:
    """Never return (within any test's time): only a restart of its worker stops it."""
    time.sleep(3600)
    return x


def wait_for_file(x: int, path: str) -> int:
    """Return x once `path` exists (the test creates it when it has seen another step finish)."""
    deadline = time.monotonic() + 60
    while not Path(path).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.01)
    return x


def where(name: str) -> str:
    """Where a relative path of the workflow points, on the worker that runs the step."""
    return str(resolve_path(name))


def worker_pid(x: int) -> int:
    return os.getpid()


FUNCTIONS = {"t.add": add, "t.double": double, "t.scale": scale, "t.boom": boom, "t.min_max": min_max,
             "t.total": total, "t.die": die, "t.hang": hang, "t.wait_for_file": wait_for_file,
             "t.where": where, "t.worker_pid": worker_pid}


def test_registry() -> FunctionRegistry:
    """The built-ins and the functions above."""
    registry = FunctionRegistry()
    for slug, func in FUNCTIONS.items():
        registry.register(describe(func, slug))
    return registry


test_registry.__test__ = False  # type: ignore[attr-defined]  # (not a pytest test)
