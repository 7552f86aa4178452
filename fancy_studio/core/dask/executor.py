"""`DaskExecutor`: the engine's steps as Dask tasks (`Engine(store, executor=DaskExecutor(client))`).

(Skeleton: the signature is final; the body is being filled in.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client

    from fancy_studio.core.step_run import StepRun
    from fancy_studio.core.validation import ExecutionPlan


class DaskExecutor:
    """Runs a run's steps on the cluster behind `client` (see the module docstring).

    `retries`: Dask's own retries of a task whose worker raised past our wrapper (a step's exception never
    does: it is the step's failure). `restart_on_stop`: Stop also restarts the workers running this run's
    tasks, so a step that never returns really stops (only for a cluster you own: it kills whatever else
    those workers run). `check_functions`: before submitting anything, ask the workers whether they can
    import every function sent by reference, and raise a `ClusterError` naming the missing ones."""

    def __init__(self, client: Client, *, retries: int = 0, restart_on_stop: bool = False,
                 check_functions: bool = True) -> None:
        self.client = client
        self.retries = retries
        self.restart_on_stop = restart_on_stop
        self.check_functions = check_functions

    def check(self, checked: ExecutionPlan) -> None:
        """Raise a `ClusterError` naming each function of the plan that the workers cannot call."""
        raise NotImplementedError

    def execute(self, run: StepRun) -> None:
        """Run the plan's steps on the cluster, writing each result to the store as it finishes."""
        raise NotImplementedError
