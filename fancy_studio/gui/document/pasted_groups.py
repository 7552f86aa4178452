"""The group definitions a copied selection carries, and what pasting them adds to a workflow.

A group's node means nothing without its definition, so a copy carries the definitions its group nodes
use, with the ones those use in turn (`carried_groups`). Pasting (`merge_groups`) decides, for each
carried definition, inner ones first, which definition of the workflow pasted into the pasted nodes use:

- its id is free there: it is added with that id (into another workflow, or back into the one it was
  copied from after its group went away, by an ungroup say);
- a definition with that id is there and does the same (the same steps, cells, ports and parameters: its
  name, description or inner layout may differ): the pasted nodes are more nodes of it, so pasting into
  the workflow a node was copied from makes another node of the same group;
- one with that id is there but does something else (edited since the copy, or another file's group
  sharing its id): the copied one is added as a new group, with a new id and a name of its own, and the
  pasted nodes use it. They compute what the copied nodes did, and the group there is left as it was:
  nothing is lost on either side.

A group holding one that became new is itself new (its node inside refers to the new id). A name already
taken by another group gets " 2", " 3", … so that the palette tells them apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID, uuid4

from fancy_studio.core import GroupDefinition, WorkflowStep, group_slug

_MEANING = {"cells", "steps", "inputs", "outputs", "params"}
"""What a definition does: two definitions alike in these are the same group."""


def carried_groups(groups: Iterable[GroupDefinition], steps: Iterable[WorkflowStep]) -> list[GroupDefinition]:
    """Copies of the definitions the steps use, and of those these use, at any depth (outer ones first)."""
    by_id = {definition.id: definition for definition in groups}
    found: dict[UUID, GroupDefinition] = {}
    todo = [step.group_id for step in steps if step.group_id is not None]
    while todo:
        group_id = todo.pop(0)
        if group_id in found or group_id not in by_id:
            continue
        definition = found[group_id] = by_id[group_id]
        todo.extend(step.group_id for step in definition.steps if step.group_id is not None)
    return [definition.model_copy(deep=True) for definition in found.values()]


@dataclass
class GroupMerge:
    """What a paste does with the carried definitions (`merge_groups`)."""

    added: list[GroupDefinition] = field(default_factory=list)
    """Definitions the workflow lacks, to add (copies: the carried ones are left as they are)."""
    ids: dict[UUID, UUID] = field(default_factory=dict)
    """A carried definition's id → the id of the definition the pasted nodes use instead of it."""
    forked: list[tuple[str, str]] = field(default_factory=list)
    """(name here, the new group's name) for each carried definition whose id a different group has."""

    def retarget(self, step: WorkflowStep) -> WorkflowStep:
        """`step` (a pasted node) made a node of the definition its own became; the same step otherwise."""
        target = self.ids.get(step.group_id) if step.group_id is not None else None
        if target is None or target == step.group_id:
            return step
        return step.model_copy(update={"function_slug": group_slug(target)})

    def used_by(self, steps: Iterable[WorkflowStep]) -> list[GroupDefinition]:
        """The added definitions `steps` need (directly or through other added ones), in `added`'s order."""
        added = {definition.id: definition for definition in self.added}
        needed: set[UUID] = set()
        todo = [step.group_id for step in steps if step.group_id in added]
        while todo:
            group_id = todo.pop()
            if group_id in needed:
                continue
            needed.add(group_id)
            inner = added[group_id].steps  # type: ignore[index]
            todo.extend(step.group_id for step in inner if step.group_id in added)
        return [definition for definition in self.added if definition.id in needed]


def merge_groups(existing: Iterable[GroupDefinition], carried: Iterable[GroupDefinition]) -> GroupMerge:
    """What pasting the `carried` definitions into a workflow whose definitions are `existing` does: see the
    module docstring. Changes neither."""
    here = {definition.id: definition for definition in existing}
    names = {definition.name for definition in here.values()}
    carried_by_id = {definition.id: definition for definition in carried}
    merge = GroupMerge()

    def place(group_id: UUID, on_the_way: frozenset[UUID]) -> UUID:
        if group_id in merge.ids:
            return merge.ids[group_id]
        definition = carried_by_id[group_id].model_copy(deep=True)
        for step in definition.steps:  # the inner nodes of carried groups first: they may become new
            inner = step.group_id
            if inner in carried_by_id and inner not in on_the_way:
                target = place(inner, on_the_way | {group_id})  # type: ignore[arg-type]
                if target != inner:
                    step.function_slug = group_slug(target)
        current = here.get(group_id)
        if current is not None and _does_the_same(current, definition):
            merge.ids[group_id] = group_id
            return group_id
        if current is not None:
            definition.id = uuid4()
            definition.name = _free_name(definition.name, names)
            merge.forked.append((current.name, definition.name))
        elif definition.name in names:
            definition.name = _free_name(definition.name, names)
        names.add(definition.name)
        here[definition.id] = definition
        merge.added.append(definition)
        merge.ids[group_id] = definition.id
        return definition.id

    for group_id in carried_by_id:
        place(group_id, frozenset())
    return merge


def _does_the_same(one: GroupDefinition, other: GroupDefinition) -> bool:
    return one.model_dump(include=_MEANING) == other.model_dump(include=_MEANING)


def _free_name(name: str, taken: set[str]) -> str:
    """`name`, or "name 2", "name 3", … : the first no group has (a trailing number is counted on)."""
    if name not in taken:
        return name
    match = re.fullmatch(r"(.*\S) (\d+)", name)
    base, number = (match.group(1), int(match.group(2))) if match else (name, 1)
    while f"{base} {number}" in taken or number == 1:
        number += 1
    return f"{base} {number}"
