"""Where a datum came from, in the workflow: the steps and cells upstream of a node (Show Lineage).

A pure question of the workflow's wiring, asked of its own producer and reader structure: a cell comes
from the step that writes it, a step from the cells it reads, back to the inputs no step writes. The
stored `Lineage` says which run made a value; this says which part of the graph a value depends on, so
the studio can point at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from fancy_studio.core.workflow import Workflow


@dataclass(frozen=True, slots=True)
class Upstream:
    """The nodes a set of nodes came from, themselves included, split by kind."""

    steps: frozenset[UUID]
    cells: frozenset[UUID]

    @property
    def nodes(self) -> frozenset[UUID]:
        return self.steps | self.cells


def upstream(workflow: Workflow, node_ids: Iterable[UUID]) -> Upstream:
    """Every step and cell that `node_ids` (step or cell ids) came from, and the nodes themselves.

    A cell's producer (the step that writes it), that step's input cells, their producers, and so on up
    to the inputs. Ids not in the workflow are left out. The walk visits each node once, so a diamond or
    a long chain costs time in proportion to what it finds."""
    producer: dict[UUID, UUID] = {}
    inputs: dict[UUID, list[UUID]] = {}
    known_cells = {cell.id for cell in workflow.cells}
    for step in workflow.steps:
        inputs[step.id] = list(step.inputs.values())
        known_cells.update(inputs[step.id])
        for cell_id in step.outputs.values():
            producer[cell_id] = step.id
    steps: set[UUID] = set()
    cells: set[UUID] = set()
    pending = list(node_ids)
    while pending:
        node = pending.pop()
        if node in inputs:
            if node not in steps:
                steps.add(node)
                pending.extend(inputs[node])
        elif (node in known_cells or node in producer) and node not in cells:
            cells.add(node)
            if node in producer:
                pending.append(producer[node])
    return Upstream(frozenset(steps), frozenset(cells))
