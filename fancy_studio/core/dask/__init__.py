"""Running a workflow's steps on a Dask cluster (`distributed`): the executor, the tasks the workers run,
and how to reach or start a cluster.

Importing this package does not import `distributed` (about half a second): each module imports it
inside the functions that need it, so `from fancy_studio.core import DaskExecutor` stays cheap and works
without the `dask` extra installed (using it then says how to add it).
"""

from fancy_studio.core.dask.cluster import (
    ClusterError,
    DaskTarget,
    connect,
    dashboard_link,
    missing_functions,
    open_target,
    parse_dask_target,
    start_local_cluster,
)
from fancy_studio.core.dask.executor import DaskExecutor

__all__ = [
    "ClusterError",
    "DaskExecutor",
    "DaskTarget",
    "connect",
    "dashboard_link",
    "missing_functions",
    "open_target",
    "parse_dask_target",
    "start_local_cluster",
]
