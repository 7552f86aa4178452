"""Functions the kernel tests run, in a registry of their own (the studio's global one stays as it is).

Importable by the kernel (it has the tests' `sys.path`), so they are sent by reference."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

from fancy_studio.core import FunctionRegistry, Workflow, WorkflowStep, fancy_function, registry


def registry_with_builtins() -> FunctionRegistry:
    """A registry of its own holding the built-ins (a new `FunctionRegistry` gets them only when the
    library was not imported yet)."""
    own = FunctionRegistry(load_builtins=False)
    for function in registry:
        own.register(function)
    return own


REGISTRY = registry_with_builtins()


@fancy_function("kernel_test.pid", registry=REGISTRY, cacheable=False)
def pid() -> int:
    """The process that runs the step."""
    return os.getpid()


@fancy_function("kernel_test.segfault", registry=REGISTRY, cacheable=False)
def segfault(x: Any) -> int:
    """Dies of SIGSEGV, as a crashing C extension would."""
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    return 0


@fancy_function("kernel_test.abort", registry=REGISTRY, cacheable=False)
def abort(x: Any) -> int:
    """Abort the process (SIGABRT), as a failed C assertion in an extension does."""
    import os

    os.abort()


@fancy_function("kernel_test.os_exit", registry=REGISTRY, cacheable=False)
def os_exit(x: Any) -> int:
    """Leave the process at once with a code, skipping every cleanup, as some extensions do."""
    import os

    os._exit(3)


@fancy_function("kernel_test.memory_hog", registry=REGISTRY, cacheable=False)
def memory_hog(x: Any) -> int:
    """Ask for more memory than the process may have: its address space is capped a little above what it
    uses now (restored after), so the allocation fails as it does on a machine out of memory."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        in_use = int(statm.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (in_use + (256 << 20), hard))
    try:
        hog = bytearray(4 << 30)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    return len(hog)


@fancy_function("kernel_test.oom_killed", registry=REGISTRY, cacheable=False)
def oom_killed(x: Any) -> int:
    """Die as Linux's out-of-memory killer ends a process: SIGKILL, with no chance to say anything."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(10)
    return 0


@fancy_function("kernel_test.forever", registry=REGISTRY, cacheable=False)
def forever(x: Any) -> int:
    """Never returns."""
    while True:
        time.sleep(0.05)


@fancy_function("kernel_test.exit", registry=REGISTRY, cacheable=False)
def call_exit(x: Any) -> int:
    sys.exit(3)


@fancy_function("kernel_test.interrupt", registry=REGISTRY, cacheable=False)
def interrupt(x: Any) -> int:
    raise KeyboardInterrupt("from the step")


def chain(*slugs: str, value: Any = 1) -> tuple[Workflow, list[WorkflowStep], list[Any]]:
    """A workflow of one step per slug, each reading the last one's output (the first reads `value`)."""
    workflow = Workflow()
    cell = workflow.input_cell("x", value)
    steps, cells = [], [cell]
    for i, slug in enumerate(slugs):
        out = workflow.output_cell(f"c{i}")
        name = "x" if slug != "kernel_test.pid" else None
        steps.append(workflow.add_step(WorkflowStep(function_slug=slug, inputs={name: cell.id} if name else {},
                                                    outputs={"return": out.id})))
        cells.append(out)
        cell = out
    return workflow, steps, cells


def branch(workflow: Workflow, source: Any, slug: str = "math.increment") -> tuple[WorkflowStep, Any]:
    """Add an independent step reading `source`; its step and output cell."""
    out = workflow.output_cell(f"branch{len(workflow.steps)}")
    step = workflow.add_step(WorkflowStep(function_slug=slug, inputs={"x": source.id}, outputs={"return": out.id}))
    return step, out
