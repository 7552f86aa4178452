"""The studio's kernel imports pandas and pyarrow once it is ready, in the background, so the first page of
a table (or the first table step) does not wait for them; a plain kernel imports neither."""

from __future__ import annotations

import sys
import time

from fancy_studio.core import Workflow, WorkflowStep
from fancy_studio.core.functions import FunctionRegistry, fancy_function
from fancy_studio.kernel import Kernel

registry = FunctionRegistry(load_builtins=False)


@fancy_function("test_warm.pandas_loaded", registry=registry)
def pandas_loaded(wait: float) -> bool:
    """Whether pandas is imported in this process, looking again until `wait` seconds have passed."""
    ends = time.monotonic() + wait
    while "pandas" not in sys.modules and time.monotonic() < ends:
        time.sleep(0.02)
    return "pandas" in sys.modules


def test_a_kernel_told_to_warm_imports_pandas_without_a_step_asking(tmp_path):
    from fancy_studio.core import SqliteStore

    for warm, wait, expected in ((("pandas",), 30.0, True), ((), 0.0, False)):
        kernel = Kernel(warm=warm)
        kernel.start()
        try:
            workflow = Workflow(name="warm")
            wait_cell = workflow.input_cell("wait", wait)
            answer = workflow.output_cell("answer")
            workflow.add_step(WorkflowStep(function_slug="test_warm.pandas_loaded",
                                           inputs={"wait": wait_cell.id}, outputs={"return": answer.id}))
            path = tmp_path / f"warm-{bool(warm)}.fancystore"
            result = kernel.run(workflow, store_path=path, registry=registry)
            assert result.ok, result.errors
            store = SqliteStore(path)
            assert store.get(answer.id).value is expected
            store.close()
        finally:
            kernel.shutdown()
