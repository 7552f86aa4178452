"""Typed errors of the core.

Every problem a user can cause has its own type, so callers (the command line, the studio's problems
dock, tests) can react to the kind of problem, and a message that names the step, the function and the
cell involved, so the user can find it.
"""

from __future__ import annotations

import errno
from pathlib import Path
from uuid import UUID


class FancyError(Exception):
    """Base of every error the core raises on purpose."""


# --- functions -------------------------------------------------------------------------------------


class FunctionRegistrationError(FancyError):
    """A function cannot be registered (bad slug, clashing slug, unusable signature)."""


# --- store -----------------------------------------------------------------------------------------


class CellNotFoundError(FancyError, KeyError):
    """A cell id that the store does not hold."""

    def __init__(self, cell_id: UUID) -> None:
        self.cell_id = cell_id
        super().__init__(f"no cell with id {cell_id} in the store")

    def __str__(self) -> str:
        return str(self.args[0])


# --- workflow files --------------------------------------------------------------------------------


class WorkflowFileError(FancyError):
    """A workflow file that cannot be read: not JSON, wrong shape, wrong types."""


class SchemaVersionError(WorkflowFileError):
    """A workflow file written by a newer version of Fancy Studio."""


class UnsavableValueError(FancyError, ValueError):
    """A cell's value that a workflow file (JSON) cannot hold: a tuple, a set, NaN, an object, …
    (`cell_id` is None when the number is in the layout or the metadata rather than a cell.)"""

    def __init__(self, message: str, *, cell_id: UUID | None) -> None:
        self.cell_id = cell_id
        super().__init__(message)


class ReadOnlyFileError(FancyError, PermissionError):
    """A save would overwrite a file that is read-only (no write permission): refused unless the caller
    says to overwrite it (the studio asks the user first). Also a `PermissionError`, so code that
    reports failed writes as `OSError` reports this one too."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        PermissionError.__init__(self, errno.EACCES, f"'{self.path.name}' is read-only; nothing was written",
                                 str(self.path))

    def __str__(self) -> str:
        return str(self.strerror)


# --- validation ------------------------------------------------------------------------------------


class WorkflowValidationError(FancyError):
    """A workflow that cannot run as it stands. Subclasses say why."""

    def __init__(
        self,
        message: str,
        *,
        step_id: UUID | None = None,
        function_slug: str | None = None,
        cell_id: UUID | None = None,
    ) -> None:
        self.step_id = step_id
        self.function_slug = function_slug
        self.cell_id = cell_id
        self.group_path: tuple[UUID, ...] = ()
        """For a problem inside a group: the instance ids from the outermost (then `step_id`) inwards,
        then the inner step's own id in its definition (see `groups.in_groups`)."""
        super().__init__(message)


class UnknownFunctionError(WorkflowValidationError, KeyError):
    """A slug that no registered function has (looked up directly, or named by a step)."""

    def __init__(self, slug: str, step_id: UUID | None = None) -> None:
        where = f"step {step_id} uses " if step_id else ""
        super().__init__(
            f"{where}unknown function '{slug}': no installed function has that slug",
            step_id=step_id,
            function_slug=slug,
        )
        self.slug = slug

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return str(self.args[0])


class CycleError(WorkflowValidationError):
    """Steps that depend on each other in a loop."""

    def __init__(self, message: str, *, step_ids: list[UUID], cell_ids: list[UUID]) -> None:
        self.step_ids = step_ids
        self.cell_ids = cell_ids
        super().__init__(message, step_id=step_ids[0] if step_ids else None)


class UnprovidedInputError(WorkflowValidationError):
    """A step reads a cell that no step writes and no initial cell provides."""


class DuplicateProducerError(WorkflowValidationError):
    """Two steps write the same cell."""


class MissingParameterError(WorkflowValidationError):
    """A required parameter of a function is not wired to any cell."""


class UnknownPortError(WorkflowValidationError):
    """A step wires an input or output name the function does not have."""


class TypeMismatchError(WorkflowValidationError):
    """A cell's type cannot be what a function's input expects."""


class GroupError(WorkflowValidationError):
    """A group instance or definition that does not fit: an instance of a definition the workflow lacks,
    a port naming an inner cell no inner step uses, a parameter exposing an inner step's input that does
    not exist, a bypassed instance."""


class RecursiveGroupError(GroupError):
    """Group definitions that contain themselves, directly or through others (`chain`: their ids, the
    first one again at the end)."""

    def __init__(self, message: str, *, chain: list[UUID]) -> None:
        self.chain = chain
        super().__init__(message)


class RunCancelledError(FancyError):
    """Raised inside the engine's workers to stop at the next step boundary."""
