"""What the studio sends its kernel for a run: the run's functions and the request itself (pickles).

Every function the run's steps use is sent with the run, taken from the studio's own registry, so the
kernel runs what the studio checked the workflow against. cloudpickle decides how: by reference (module
and qualified name) when the function can be imported under its name and resolves to the very function
registered (built-ins, plugins, a user's module on `sys.path`), so the kernel imports the code itself;
by value when it cannot (a function defined in a script's `__main__`, or inside another function). A
function sent by reference is imported afresh by a restarted kernel: an edited file takes effect.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
from collections.abc import Sequence
from typing import Any

from fancy_studio.core.validation import ExecutionPlan
from fancy_studio.kernel.protocol import RUN


class ShippingError(Exception):
    """Something the run needs cannot be sent to the kernel (a function or a value pickle refuses)."""


def pack_functions(checked: ExecutionPlan) -> dict[str, bytes]:
    """slug → the pickled `FancyFunction`, for every function the plan's steps call."""
    import cloudpickle

    packed: dict[str, bytes] = {}
    for compiled in checked.compiled:
        function = compiled.function
        if function is None or function.slug in packed:
            continue  # not installed: the kernel's plan skips the step too
        # a copy without the cached code version: the kernel hashes the code it actually imported
        fresh = dataclasses.replace(function)
        try:
            packed[function.slug] = cloudpickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise ShippingError(f"function '{function.slug}' cannot be sent to the kernel: {exc}") from exc
    return packed


def pack_run(run_id: int, workflow: Any, initial: Sequence[Any] | None, *, targets: Sequence[Any] | None,
             order: list[Any], reuse: bool, store: str | None, functions: dict[str, bytes]) -> bytes:
    """The run message: its kind byte, then the pickled request (cloudpickle for input values that
    plain pickle refuses, such as a lambda)."""
    request = {"id": run_id, "workflow": workflow, "initial": None if initial is None else list(initial),
               "targets": None if targets is None else list(targets), "order": order, "reuse": reuse,
               "store": store, "functions": functions,
               "sys_path": list(sys.path)}  # as it is now: a script may have added a folder since the start
    try:
        body = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        import cloudpickle

        try:
            body = cloudpickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise ShippingError(f"the run's input values cannot be sent to the kernel: {exc}") from exc
    return RUN + body
