"""A run as the level being edited shows it: a group's node sums up its steps, a step inside a group shows
how it ran in the instance the group was entered through.

A workflow with groups runs flattened (`core/groups.py`): the run's model (`RunStatusModel`) knows the
flattened steps, whose ids are made from the instance path (`flat_id`). The canvas draws nodes of one
level. `LevelRunStatus` stands between them with the model's reading methods: at the top level of a
workflow without groups they are the model's own (nothing in between), otherwise each node id is turned
into the ids the run knows, and the model's `changed` news into the nodes of this level.

A group's node is running while any step inside runs, failed when any failed, cached when all were
reused, done when all are done or cached; it is stale when it or any step inside is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid5

from PySide6.QtCore import QObject, Signal

from fancy_studio.core.errors import WorkflowValidationError
from fancy_studio.core.groups import Flattened, flat_id, flatten
from fancy_studio.gui.run.status import IDLE, RunStatusModel, StepRunInfo, StepState

_ENDED = frozenset(s for s in StepState if s not in (StepState.IDLE, StepState.QUEUED, StepState.RUNNING))
_DONE = frozenset({StepState.DONE, StepState.CACHED, StepState.BYPASSED})


@dataclass
class LevelMap:
    """How the nodes of one level are known to a run."""

    path: tuple[UUID, ...]
    """The instances leading to the level (empty: the top level)."""
    steps: dict[UUID, UUID] = field(default_factory=dict)
    """A step node → its flattened id (a plain step at the top level keeps its own: not listed)."""
    cells: dict[UUID, UUID] = field(default_factory=dict)
    """A cell node → the cell the run writes (inside a group a port's cell is the instance's cell outside)."""
    groups: dict[UUID, list[UUID]] = field(default_factory=dict)
    """A group instance's node → the flattened steps inside it."""
    nodes: dict[UUID, UUID] = field(default_factory=dict)
    """A flattened step or cell id → the node of this level that shows it."""


def level_map(flattened: Flattened, path: tuple[UUID, ...], graph: Any) -> LevelMap:
    """The map of the level entered through `path` (empty: the top level), whose nodes are `graph`'s."""
    found = LevelMap(path)
    depth = len(path)
    for step_id, step_path in flattened.step_paths.items():
        if step_path[:depth] != path:
            continue
        node = step_path[depth]
        found.nodes[step_id] = node
        if len(step_path) > depth + 1:
            found.groups.setdefault(node, []).append(step_id)
        else:
            found.steps[node] = step_id
    if depth:
        instances = _instances(flattened, path)
        for cell_id in _cell_ids(graph):
            run_id = _cell_run_id(instances, cell_id)
            found.cells[cell_id] = run_id
            found.nodes[run_id] = cell_id
    return found


def _instances(flattened: Flattened, path: tuple[UUID, ...]) -> list[tuple[Any, Any]]:
    """(instance step, its definition) along `path`, outermost first."""
    definitions = {d.id: d for d in flattened.source.groups}
    steps = {s.id: s for s in flattened.source.steps}
    found = []
    for instance_id in path:
        instance = steps[instance_id]
        definition = definitions[instance.group_id]
        found.append((instance, definition))
        steps = {s.id: s for s in definition.steps}
    return found


def _cell_run_id(instances: list[tuple[Any, Any]], cell_id: UUID) -> UUID:
    """The id the run gives an inner cell: a wired port's cell is the cell outside (looked up a level up),
    any other the instance path's own (as `groups.flatten` makes it)."""
    instance, definition = instances[-1]
    for ports, wiring in ((definition.inputs, instance.inputs), (definition.outputs, instance.outputs)):
        for port, inner in ports.items():
            if inner == cell_id and port in wiring:
                outer = wiring[port]
                return outer if len(instances) == 1 else _cell_run_id(instances[:-1], outer)
    return uuid5(flat_id(step.id for step, _d in instances), str(cell_id))


def _cell_ids(graph: Any) -> set[UUID]:
    ids = {cell.id for cell in graph.cells}
    for step in graph.steps:
        ids.update(step.inputs.values())
        ids.update(step.outputs.values())
    return ids


class LevelRunStatus(QObject):
    """The `RunStatusModel` read through the level being edited (see the module docstring); what it does
    not translate (`active`, `total`, `store`, …) is the model's."""

    changed = Signal(object)
    """Node ids of this level whose state changed (an id may appear more than once)."""

    def __init__(self, model: RunStatusModel, document: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model, self.document = model, document
        self._flattened: Flattened | None = None
        self._map: LevelMap | None = None
        self._direct = True
        model.changed.connect(self._model_changed)
        for signal in (document.reset, document.level_changed, document.groups_changed,
                       document.step_added, document.step_removed, document.step_changed,
                       document.cell_added, document.cell_removed):
            signal.connect(self._forget)
        self._forget()

    def __getattr__(self, name: str) -> Any:
        if name == "model":  # not set yet (while QObject is made)
            raise AttributeError(name)
        return getattr(self.model, name)

    # --- reading ---------------------------------------------------------------------------------------

    def _bind(self) -> None:
        """Read through the model directly when there is nothing to translate (no group anywhere)."""
        document, model = self.document, self.model
        self._direct = document.level is None and not document.workflow.groups
        if self._direct:
            self.info, self.state = model.info, model.state
            self.stale_reason, self.computed_value = model.stale_reason, model.computed_value
        else:
            self.info, self.state = self._info, self._state
            self.stale_reason, self.computed_value = self._stale_reason, self._computed_value

    def level_map(self) -> LevelMap | None:
        """The map of the level being edited (None when the workflow's groups cannot be flattened)."""
        level = self.document.level
        path = level.path if level is not None else ()
        if self._map is None or self._map.path != path:  # (the canvas may ask before `_forget` is told)
            flattened = self._flattened_workflow()
            if flattened is None:
                return None
            self._map = level_map(flattened, path, self.document.graph)
        return self._map

    def _info(self, node_id: UUID) -> StepRunInfo:
        found = self.level_map()
        if found is None:
            return self.model.info(node_id)
        runs = found.groups.get(node_id)
        if runs is not None:
            return self._summed(node_id, runs, found)
        info = self.model.info(found.steps.get(node_id, node_id))
        outer = self.model.stale_reason(found.path[0]) if info.stale is None and found.path else None
        if outer is not None:
            return StepRunInfo(info.state, info.seconds, info.error, info.reason, outer, info.worker)
        return info

    def _state(self, node_id: UUID) -> StepState:
        found = self.level_map()
        if found is None:
            return self.model.state(node_id)
        runs = found.groups.get(node_id)
        if runs is not None:
            return _summed_state([self.model.state(run) for run in runs], self.model.active)
        return self.model.state(found.steps.get(node_id, node_id))

    def _stale_reason(self, node_id: UUID) -> str | None:
        found = self.level_map()
        if found is None:
            return self.model.stale_reason(node_id)
        run_id = found.cells.get(node_id) or found.steps.get(node_id) or node_id
        reason = self.model.stale_reason(run_id)
        if reason is None and found.path:
            reason = self.model.stale_reason(found.path[0])
        return reason

    def _computed_value(self, cell_id: UUID) -> tuple[bool, Any]:
        found = self.level_map()
        return self.model.computed_value(found.cells.get(cell_id, cell_id) if found is not None else cell_id)

    def _summed(self, node_id: UUID, runs: list[UUID], found: LevelMap) -> StepRunInfo:
        """A group's node: one state for the steps inside it (see the module docstring)."""
        model = self.model
        infos = [model.info(run) for run in runs]
        state = _summed_state([info.state for info in infos], model.active)
        stale = model.stale_reason(node_id)
        if stale is None and found.path:
            stale = model.stale_reason(found.path[0])
        if stale is None:
            stale = next((info.stale for info in infos if info.stale is not None), None)
        error = next((info.error for info in infos if info.error is not None), None)
        reason = next((info.reason for info in infos if info.reason), None)
        seconds = sum(info.seconds or 0.0 for info in infos) if state in _DONE else None
        if state is StepState.IDLE and stale is None:
            return IDLE
        return StepRunInfo(state, seconds, error if state is StepState.FAILED else None, reason, stale)

    def step_title(self, step_id: UUID) -> str:
        """A step the run knows by its flattened id, named as the canvas shows it: "Group › Multiply" ("" when
        it comes from no group of the workflow)."""
        flattened = self._flattened_workflow()
        chain = flattened.instances(step_id) if flattened is not None else []
        if not chain:
            return ""
        inner_id = flattened.step_paths[step_id][-1]  # type: ignore[union-attr]
        inner = next((step for step in chain[-1][1].steps if step.id == inner_id), None)
        names = [instance.label or definition.name for instance, definition in chain]
        return " › ".join([*names, self.document.title_of(inner) if inner is not None else "?"])

    def _flattened_workflow(self) -> Flattened | None:
        if self._flattened is None:
            try:
                self._flattened = flatten(self.document.workflow)
            except WorkflowValidationError:
                return None
        return self._flattened

    # --- running ---------------------------------------------------------------------------------------

    def run_targets(self, node_ids: Iterable[UUID]) -> list[UUID]:
        """Run targets for nodes of this level: inside a group, the flattened ids of its steps (and of the
        instances inside it, which stand for their steps)."""
        level = self.document.level
        if level is None:
            return list(node_ids)
        return [flat_id((*level.path, node_id)) for node_id in node_ids]

    # --- news --------------------------------------------------------------------------------------------

    def _forget(self, *_args: object) -> None:
        """The workflow or the level changed: the maps are made again when next asked for."""
        self._flattened = None
        self._map = None
        self._bind()

    def _model_changed(self, ids: list[UUID]) -> None:
        if self._direct:
            self.changed.emit(ids)
            return
        found = self.level_map()
        if found is None:
            self.changed.emit(ids)
            return
        nodes = found.nodes
        if found.path:
            self.changed.emit([nodes[i] for i in ids if i in nodes])
        else:
            self.changed.emit([nodes.get(i, i) for i in ids])


def _summed_state(states: list[StepState], active: bool) -> StepState:
    """One state for a group's steps (see the module docstring)."""
    ran = [state for state in states if state is not StepState.IDLE]
    if not ran:
        return StepState.IDLE
    kinds = set(ran)
    if StepState.RUNNING in kinds:
        return StepState.RUNNING
    if StepState.FAILED in kinds:
        return StepState.FAILED
    if StepState.QUEUED in kinds:
        return StepState.RUNNING if active and kinds & _ENDED else StepState.QUEUED
    if StepState.CANCELLED in kinds:
        return StepState.CANCELLED
    if StepState.SKIPPED in kinds:
        return StepState.SKIPPED
    if kinds == {StepState.CACHED}:
        return StepState.CACHED
    return StepState.DONE
