"""The workflow model: steps that call functions, cells they read and write, and the studio's layout.

This is the single truth that the file format, the engine and the studio share. It is plain data
(pydantic, JSON): a step names its function by slug only, so a workflow is never code.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_serializer, model_validator

SCHEMA_VERSION = 1
"""The version of the file format this code writes. Older files are migrated on load."""


class CellSpec(BaseModel):
    """A cell the workflow declares: its id and alias and, for an input cell, its literal value.

    A cell with a `value` is an *input cell*: its value is part of the workflow. A cell without one is
    computed by a step (or supplied when the workflow runs). `value` is left out of the JSON of a cell
    that has none, so `null` stays a value a user can choose.
    """

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    alias: str = ""
    value: JsonValue = None
    description: str = ""

    @property
    def has_value(self) -> bool:
        return "value" in self.model_fields_set

    def clear_value(self) -> None:
        """Make this a computed cell again (no literal value)."""
        self.__dict__["value"] = None
        self.model_fields_set.discard("value")

    @model_serializer(mode="wrap")
    def _omit_absent_value(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        if not self.has_value:
            data.pop("value", None)
        return data


class WorkflowStep(BaseModel):
    """One call of a registered function: which cell feeds each input, which cell takes each output."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    function_slug: str = Field(min_length=1)
    inputs: dict[str, UUID] = Field(default_factory=dict)
    outputs: dict[str, UUID] = Field(default_factory=dict)
    label: str = ""
    """A user's own name for this step; empty shows the function's title."""


class Position(BaseModel):
    """Where the studio draws a node (scene coordinates of its top-left corner)."""

    model_config = ConfigDict(extra="forbid")

    x: float = 0.0
    y: float = 0.0


class Workflow(BaseModel):
    """A named set of steps and cells, with the studio's layout and free-form metadata."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    schema_version: int = SCHEMA_VERSION
    id: UUID = Field(default_factory=uuid4)
    name: str = "Untitled"
    description: str = ""
    cells: list[CellSpec] = Field(default_factory=list)
    steps: list[WorkflowStep] = Field(default_factory=list)
    layout: dict[UUID, Position] = Field(default_factory=dict)
    """Node positions by step or cell id; only the studio reads it."""
    metadata: dict[str, JsonValue] = Field(default_factory=dict)
    """Anything a tool wants to keep with the workflow; Fancy Studio keeps it unchanged."""

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        from fancy_studio.core.migrations import migrate

        return migrate(data) if isinstance(data, dict) else data

    # --- editing helpers ---------------------------------------------------------------------------

    def add_step(self, step: WorkflowStep) -> WorkflowStep:
        self.steps.append(step)
        return step

    def add_cell(self, cell: CellSpec) -> CellSpec:
        self.cells.append(cell)
        return cell

    def input_cell(self, alias: str, value: JsonValue) -> CellSpec:
        """Declare an input cell with a literal value and return it."""
        return self.add_cell(CellSpec(alias=alias, value=value))

    def output_cell(self, alias: str) -> CellSpec:
        """Declare a cell that a step will compute and return it."""
        return self.add_cell(CellSpec(alias=alias))

    def step(self, step_id: UUID) -> WorkflowStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"no step {step_id} in workflow '{self.name}'")

    def cell(self, cell_id: UUID) -> CellSpec:
        for cell in self.cells:
            if cell.id == cell_id:
                return cell
        raise KeyError(f"no cell {cell_id} declared in workflow '{self.name}'")

    def cell_ids(self) -> set[UUID]:
        """Every cell the workflow declares or a step refers to."""
        ids = {c.id for c in self.cells}
        for step in self.steps:
            ids.update(step.inputs.values())
            ids.update(step.outputs.values())
        return ids

    def alias_of(self, cell_id: UUID) -> str:
        """The cell's alias, or a short form of its id when it has none."""
        for cell in self.cells:
            if cell.id == cell_id and cell.alias:
                return cell.alias
        return str(cell_id)[:8]

    def literal_cells(self) -> list[CellSpec]:
        return [c for c in self.cells if c.has_value]
