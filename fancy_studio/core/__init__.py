"""The headless core: cells, functions, workflows and the engine. Never imports Qt."""

from fancy_studio.core.annotations import Frame, Note
from fancy_studio.core.caching import function_version, step_key, value_hash
from fancy_studio.core.engine import CancelToken, Engine, RunCallbacks, RunResult, StepError, StepStatus
from fancy_studio.core.errors import (
    CellNotFoundError,
    CycleError,
    DuplicateProducerError,
    FancyError,
    FunctionRegistrationError,
    GroupError,
    MissingParameterError,
    RecursiveGroupError,
    SchemaVersionError,
    TypeMismatchError,
    UnknownFunctionError,
    UnknownPortError,
    UnprovidedInputError,
    UnsavableValueError,
    WorkflowFileError,
    WorkflowValidationError,
)
from fancy_studio.core.functions import FancyFunction, FunctionRegistry, Port, fancy_function, registry
from fancy_studio.core.result_cache import Lineage, ResultCache, StoredResult
from fancy_studio.core.sqlite_store import SqliteStore
from fancy_studio.core.store import Cell, DatumStore, InMemoryStore
from fancy_studio.core.validation import ExecutionPlan, find_problems
from fancy_studio.core.value_summary import StoredSummary
from fancy_studio.core.groups import Flattened, flat_id, flatten
from fancy_studio.core.workflow import (
    GROUP_SLUG_PREFIX,
    SCHEMA_VERSION,
    CellSpec,
    ExposedParam,
    GroupDefinition,
    Position,
    Workflow,
    WorkflowStep,
    group_slug,
)
from fancy_studio.core.workflow_file import load_workflow, parse_workflow, save_workflow

__all__ = [
    "GROUP_SLUG_PREFIX",
    "SCHEMA_VERSION",
    "CancelToken",
    "Cell",
    "CellNotFoundError",
    "CellSpec",
    "CycleError",
    "DaskExecutor",
    "DatumStore",
    "DuplicateProducerError",
    "Engine",
    "ExposedParam",
    "ExecutionPlan",
    "FancyError",
    "FancyFunction",
    "Flattened",
    "Frame",
    "FunctionRegistrationError",
    "FunctionRegistry",
    "GroupDefinition",
    "GroupError",
    "InMemoryStore",
    "Lineage",
    "MissingParameterError",
    "Note",
    "Port",
    "Position",
    "RecursiveGroupError",
    "RunCallbacks",
    "ResultCache",
    "RunResult",
    "SchemaVersionError",
    "SqliteStore",
    "StepError",
    "StepStatus",
    "StoredResult",
    "StoredSummary",
    "TypeMismatchError",
    "UnknownFunctionError",
    "UnknownPortError",
    "UnprovidedInputError",
    "UnsavableValueError",
    "Workflow",
    "WorkflowFileError",
    "WorkflowStep",
    "WorkflowValidationError",
    "fancy_function",
    "find_problems",
    "flat_id",
    "flatten",
    "function_version",
    "group_slug",
    "load_workflow",
    "parse_workflow",
    "registry",
    "save_workflow",
    "step_key",
    "value_hash",
]


def __getattr__(name: str) -> object:
    """`DaskExecutor` is exported lazily: its package is imported on first use (it never imports
    `distributed` at import time either)."""
    if name == "DaskExecutor":
        from fancy_studio.core.dask import DaskExecutor

        return DaskExecutor
    raise AttributeError(f"module 'fancy_studio.core' has no attribute {name!r}")
