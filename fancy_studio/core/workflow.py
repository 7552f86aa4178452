"""The workflow model: steps that call functions, cells they read and write, and the studio's layout.

This is the single truth that the file format, the engine and the studio share. It is plain data
(pydantic, JSON): a step names its function by slug only, so a workflow is never code.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from uuid import UUID, uuid4

from pydantic import (
    BaseModel, ConfigDict, Field, JsonValue, Strict, ValidationInfo, field_validator, model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from fancy_studio.core.annotations import Frame, Note, duplicate_id

SCHEMA_VERSION = 2
"""The version of the file format this code writes. Older files are migrated on load (see `migrations`):
version 2 added a step's `params` and `bypass` and the workflow's `groups`."""


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

    @field_validator("value")
    @classmethod
    def _finite_value(cls, value: JsonValue, info: ValidationInfo) -> JsonValue:
        """A field validator, not a model one: a refused assignment then leaves the old value in place."""
        problem = non_finite_at(value, "value")
        if problem is not None:
            alias, cell_id = info.data.get("alias"), info.data.get("id")
            name = f"'{alias}' ({cell_id})" if alias else str(cell_id)
            raise PydanticCustomError(NOT_FINITE, "cell {name}: {problem}",
                                      {"name": name, "problem": problem})
        return value

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
    timeout: float | None = Field(default=None, gt=0, allow_inf_nan=False, exclude_if=lambda value: value is None)
    """Seconds the step may run in a kernel (`fancy_studio.kernel`) before it is killed and fails with
    "Timeout"; None (left out of the file) is no limit. The in-process engine cannot stop a running step
    and ignores it."""
    params: dict[str, JsonValue] = Field(default_factory=dict, exclude_if=lambda value: not value)
    """Literal values of inputs, by input name (`{"b": 5}`): an input takes the cell wired to it when there
    is one, else its value here, else the function's default. Finite JSON values only, as a cell's value;
    left out of the file when empty."""
    bypass: bool = Field(default=False, exclude_if=lambda value: not value)
    """A bypassed step is not called: its first input of an output's type passes through to that output
    (see `core/bypass.py`); left out of the file when false."""

    @field_validator("params")
    @classmethod
    def _finite_params(cls, params: dict[str, JsonValue], info: ValidationInfo) -> dict[str, JsonValue]:
        """A field validator, as `CellSpec.value`'s: a refused assignment leaves the old params in place."""
        problem = non_finite_at(params, "params")
        if problem is not None:
            label, slug, step_id = info.data.get("label"), info.data.get("function_slug"), info.data.get("id")
            name = f"'{label}' ({slug}, {step_id})" if label else f"{slug} ({step_id})"
            raise PydanticCustomError(NOT_FINITE, "step {name}: {problem}", {"name": name, "problem": problem})
        return params

    @property
    def group_id(self) -> UUID | None:
        """The definition this step is an instance of (its slug is `group:<definition id>`), else None."""
        slug = self.function_slug
        if not slug.startswith(GROUP_SLUG_PREFIX):
            return None
        try:
            return UUID(slug[len(GROUP_SLUG_PREFIX):])
        except ValueError:
            return None

    @property
    def used_params(self) -> dict[str, JsonValue]:
        """The params the step runs with: those of inputs no wire feeds (a wire wins over a param, which
        the file keeps for when the wire goes)."""
        params = self.params
        if not params:
            return params
        inputs = self.inputs
        return {name: value for name, value in params.items() if name not in inputs}


class Position(BaseModel):
    """Where the studio draws a node (scene coordinates of its top-left corner), in finite numbers: a file's
    position that is not finite loads as no position, and the studio places the node anew."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    x: float = Field(default=0.0, allow_inf_nan=False)
    y: float = Field(default=0.0, allow_inf_nan=False)


class ExposedParam(BaseModel):
    """A group's parameter: an input of one of its steps, set from each instance (`WorkflowStep.params`)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    step: UUID
    """The inner step (a step of the definition, possibly an instance of another group)."""
    input: str = Field(min_length=1)
    """Its input (for an inner instance: a parameter its own definition exposes)."""


class GroupDefinition(BaseModel):
    """A group: steps and cells defined once, used by any number of instances (see `core/groups.py`).

    An instance is an ordinary `WorkflowStep` whose `function_slug` is `group:<this id>`: its `inputs` and
    `outputs` map this definition's port names to cells outside, and its `params` set the parameters this
    definition exposes. Each port names the inner cell it stands for; an input port's cell may hold a value,
    used when an instance leaves that port unwired. A definition may hold instances of other definitions,
    never (directly or not) of itself.
    """

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    name: str = "Group"
    description: str = ""
    cells: list[CellSpec] = Field(default_factory=list)
    steps: list[WorkflowStep] = Field(default_factory=list)
    layout: dict[UUID, Position] = Field(default_factory=dict)
    """Where the studio draws the inner nodes when the group is entered."""
    inputs: dict[str, UUID] = Field(default_factory=dict)
    """Port name → the inner cell an instance's input cell feeds."""
    outputs: dict[str, UUID] = Field(default_factory=dict)
    """Port name → the inner cell an instance's output cell takes its value from."""
    params: dict[str, ExposedParam] = Field(default_factory=dict)
    """Port name → the inner step's input it sets."""

    @model_validator(mode="before")
    @classmethod
    def _drop_non_finite_positions(cls, data: Any) -> Any:
        return _without_non_finite_positions(data)

    @model_validator(mode="after")
    def _check_ids(self) -> GroupDefinition:
        """The inner ids are unique within the definition (an instance's inner ids are made from them)."""
        problem = duplicate_id({"step": self.steps, "cell": self.cells})
        if problem is not None:
            raise PydanticCustomError("duplicate_id", "group '{name}': {problem}",
                                      {"name": self.name, "problem": problem})
        return self

    def step(self, step_id: UUID) -> WorkflowStep:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"no step {step_id} in group '{self.name}'")


class Workflow(BaseModel):
    """A named set of steps and cells, with the studio's layout and free-form metadata."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    schema_version: Annotated[int, Strict()] = SCHEMA_VERSION
    """Only a JSON integer is a version ("2", 2.0 and true are not: see `migrations.migrate`)."""
    id: UUID = Field(default_factory=uuid4)
    name: str = "Untitled"
    description: str = ""
    cells: list[CellSpec] = Field(default_factory=list)
    steps: list[WorkflowStep] = Field(default_factory=list)
    layout: dict[UUID, Position] = Field(default_factory=dict)
    """Node positions by step or cell id; only the studio reads it."""
    metadata: dict[str, JsonValue] = Field(default_factory=dict)
    """Anything a tool wants to keep with the workflow; Fancy Studio keeps it unchanged."""
    frames: list[Frame] = Field(default_factory=list, exclude_if=lambda frames: not frames)
    """Titled rectangles behind nodes (`annotations.py`); left out of the file when there are none."""
    notes: list[Note] = Field(default_factory=list, exclude_if=lambda notes: not notes)
    """Text blocks on the canvas; left out of the file when there are none."""
    groups: list[GroupDefinition] = Field(default_factory=list, exclude_if=lambda groups: not groups)
    """The group definitions its instances (steps with a `group:<id>` slug) use; left out of the file when
    there are none."""

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        from fancy_studio.core.migrations import migrate

        return migrate(data) if isinstance(data, dict) else data

    @model_validator(mode="before")
    @classmethod
    def _drop_non_finite_positions(cls, data: Any) -> Any:
        """A position that is not a finite number is no position: the node loads unplaced and the studio
        places it (a position is layout, not the user's data, and not worth refusing a file for)."""
        return _without_non_finite_positions(data)

    @model_validator(mode="after")
    def _check_ids_and_numbers(self) -> Workflow:
        """Ids are unique (a step's or cell's id is how everything refers to it), and the metadata holds
        only what JSON can hold, so that every workflow saves and reopens as it is."""
        seen: dict[UUID, str] = {}
        for kind, items in (("step", self.steps), ("cell", self.cells)):
            for item in items:
                if item.id not in seen:
                    seen[item.id] = kind
                elif seen[item.id] == kind:
                    raise PydanticCustomError(
                        "duplicate_id", "two {kind}s have the id {id}: each {kind} needs its own id",
                        {"kind": kind, "id": str(item.id)})
                else:
                    raise PydanticCustomError(
                        "duplicate_id", "the id {id} is used by both a step and a cell", {"id": str(item.id)})
        problem = non_finite_at(self.metadata, "metadata")
        if problem is not None:
            raise PydanticCustomError(NOT_FINITE, "{problem}", {"problem": problem})
        return self

    @model_validator(mode="after")
    def _check_group_ids(self) -> Workflow:
        """Each group definition has its own id (its instances name it by that id)."""
        if self.groups:
            problem = duplicate_id({"group": self.groups})
            if problem is not None:
                raise PydanticCustomError("duplicate_id", "{problem}", {"problem": problem})
        return self

    @model_validator(mode="after")
    def _check_annotation_ids(self) -> Workflow:
        """A frame's or note's id is its own: no step, cell, other frame or note has it."""
        if self.frames or self.notes:
            problem = duplicate_id({"step": self.steps, "cell": self.cells, "frame": self.frames,
                                    "note": self.notes})
            if problem is not None:
                raise PydanticCustomError("duplicate_id", "{problem}", {"problem": problem})
        return self

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

    def declare_referenced_cells(self) -> list[CellSpec]:
        """Declare every cell a step reads or writes that `cells` leaves out (a workflow built by a script
        with `add_step` alone), named after the port that first mentions it, so an editor can draw and
        wire it. Returns the new declarations; what runs does not change."""
        declared = {c.id for c in self.cells}
        added: list[CellSpec] = []
        for step in self.steps:
            for side in (step.outputs, step.inputs):
                for port, cell_id in side.items():
                    if cell_id not in declared:
                        declared.add(cell_id)
                        added.append(CellSpec(id=cell_id, alias=port))
        self.cells.extend(added)
        return added

    def alias_of(self, cell_id: UUID) -> str:
        """The cell's alias, or a short form of its id when it has none."""
        for cell in self.cells:
            if cell.id == cell_id and cell.alias:
                return cell.alias
        return str(cell_id)[:8]

    def literal_cells(self) -> list[CellSpec]:
        return [c for c in self.cells if c.has_value]


GROUP_SLUG_PREFIX = "group:"
"""The slug of a group instance is this prefix and its definition's id (`group_slug`)."""


def group_slug(definition_id: UUID) -> str:
    """The `function_slug` of an instance of the group definition `definition_id`."""
    return f"{GROUP_SLUG_PREFIX}{definition_id}"


NOT_FINITE = "not_finite"
"""The error type of a number JSON cannot hold (NaN, Infinity, or one too large for a float)."""


def non_finite_at(value: Any, where: str) -> str | None:
    """Where in `value` a NaN or an infinite number sits (as 'value[2]["x"] is NaN ...'), or None.

    A workflow file is strict JSON: it has no NaN or Infinity, so such a number could not be saved and read
    back the same.
    """
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, place = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                if math.isnan(item):
                    return f"{place} is NaN: a workflow file holds only finite numbers (JSON has no NaN)"
                sign = "" if item > 0 else "-"
                return (f"{place} is {sign}Infinity (or a number too large to hold, such as 1e400): "
                        f"a workflow file holds only finite numbers (JSON has no Infinity)")
        elif isinstance(item, list):
            stack.extend((inner, f"{place}[{index}]") for index, inner in reversed(list(enumerate(item))))
        elif isinstance(item, dict):
            stack.extend((inner, f"{place}[{key!r:.40}]") for key, inner in reversed(list(item.items())))
    return None


def _without_non_finite_positions(data: Any) -> Any:
    """`data` (a workflow's or a group's) without the layout entries whose x or y is not finite."""
    if not isinstance(data, dict) or not isinstance(data.get("layout"), dict):
        return data
    layout = data["layout"]
    kept = {node: spec for node, spec in layout.items() if not _non_finite_position(spec)}
    return data if len(kept) == len(layout) else {**data, "layout": kept}


def _non_finite_position(spec: Any) -> bool:
    """Whether a layout entry's x or y is a number that is not finite (other mistakes: left to validation)."""
    if isinstance(spec, Position):
        spec = {"x": spec.x, "y": spec.y}
    if not isinstance(spec, dict):
        return False
    for coordinate in (spec.get("x"), spec.get("y")):
        if isinstance(coordinate, bool) or not isinstance(coordinate, (int, float, str)):
            continue
        try:
            if not math.isfinite(float(coordinate)):
                return True
        except OverflowError:
            return True
        except ValueError:
            continue
    return False
