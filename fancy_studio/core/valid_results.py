"""Which stored datums still hold what a workflow would compute now: what reopening it may show.

A store kept between sessions holds the cells of the workflow's last run. The workflow may have been
edited since (in the studio, by hand, on another machine), so reopening it shows only the cells that are
still right for it: an input cell whose stored value is the workflow's literal value, and a computed
cell whose recorded recipe (its `Lineage.key`) is the key its step would have now, given the function's
current version and its inputs as they are now — which are themselves known only when their own
producers are still valid. Everything else is out of date and is not shown.

This is the reuse check of `core/reuse.py` made without running anything: the same pure `step_key`, over
the same content hashes (a step's params hashed as the inputs they are). A step whose function is not
installed, is not cacheable or has a fingerprint (its result depends on the outside world, which only a
run may ask) is not vouched for; a bypassed step's output is, when it holds the value that passes through.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import networkx as nx

from fancy_studio.core.bypass import pass_through
from fancy_studio.core.caching import step_key, value_hash
from fancy_studio.core.errors import FancyError
from fancy_studio.core.functions import FancyFunction, FunctionRegistry, registry as default_registry
from fancy_studio.core.groups import flatten
from fancy_studio.core.params import call_params
from fancy_studio.core.result_cache import ResultCache
from fancy_studio.core.reuse import params_hashes
from fancy_studio.core.store import DatumStore
from fancy_studio.core.value_summary import whole_value
from fancy_studio.core.workflow import Workflow, WorkflowStep


def valid_cells(workflow: Workflow, store: DatumStore,
                registry: FunctionRegistry = default_registry) -> set[UUID]:
    """The ids of the cells in `store` that hold what `workflow` would put there now (see the module). A
    workflow with groups is judged flattened, as it runs: the cells inside groups by their flattened ids."""
    if workflow.groups:
        try:
            workflow = flatten(workflow).workflow
        except FancyError:  # groups that cannot be flattened vouch for nothing inside them
            pass
    hashes: dict[UUID, str] = {}
    valid: set[UUID] = set()
    for cell in workflow.literal_cells():
        stored = _stored_hash(store, cell.id)
        digest = value_hash(cell.value)
        if digest is None:
            continue
        hashes[cell.id] = digest
        if stored is not None and stored == digest:
            valid.add(cell.id)
    if not isinstance(store, ResultCache):
        return valid  # no lineage: no computed value can be vouched for
    for step in _in_order(workflow.steps):
        outputs = _still_valid_outputs(step, store, hashes, registry)
        if outputs is None:
            continue
        for cell_id, digest in outputs.items():
            hashes[cell_id] = digest
            valid.add(cell_id)
    return valid


def stale_cells(workflow: Workflow, store: DatumStore, registry: FunctionRegistry = default_registry, *,
                keep: set[UUID] | None = None) -> list[UUID]:
    """The ids of the cells in `store` that `valid_cells` does not vouch for (to be forgotten); `keep`:
    what `valid_cells` already gave, so it is not worked out twice."""
    if keep is None:
        keep = valid_cells(workflow, store, registry)
    return [cell_id for cell_id in _stored_ids(store) if cell_id not in keep]


def _still_valid_outputs(step: WorkflowStep, store: Any, hashes: dict[UUID, str],
                         registry: FunctionRegistry) -> dict[UUID, str] | None:
    """The step's output cells with their content hashes when its stored outputs are still its result
    now; None when any is not (or cannot be told)."""
    function = registry.find(step.function_slug)
    if function is None or not step.outputs:
        return None
    if step.bypass:
        return _passed_through(step, function, store, hashes)
    if not function.cacheable or function.fingerprint is not None:
        return None
    input_hashes = {}
    for name, cell_id in step.inputs.items():
        digest = hashes.get(cell_id)
        if digest is None:
            return None
        input_hashes[name] = digest
    params = step.used_params
    if params and not params_hashes(call_params(function.input_ports, params), input_hashes):
        return None
    key = step_key(function.slug, function.version, input_hashes)
    outputs: dict[UUID, str] = {}
    for cell_id in step.outputs.values():
        try:
            lineage = store.lineage(cell_id)
        except Exception:  # noqa: BLE001 - a record that cannot be read vouches for nothing
            return None
        if lineage is None or lineage.key != key:
            return None
        digest = _stored_hash(store, cell_id)
        if digest is None:
            return None
        outputs[cell_id] = digest
    return outputs


def _passed_through(step: WorkflowStep, function: FancyFunction, store: Any,
                    hashes: dict[UUID, str]) -> dict[UUID, str] | None:
    """A bypassed step's output cell with its hash, when it holds the value the step passes through now
    (see `bypass`); None otherwise. Its other outputs get nothing, so they hold nothing valid."""
    pair = pass_through(function)
    if pair is None or pair[1] not in step.outputs:
        return None
    source, target = pair
    if source in step.inputs:
        digest = hashes.get(step.inputs[source])
    elif source in step.params:
        digest = value_hash(call_params(function.input_ports, {source: step.params[source]})[source])
    else:
        digest = value_hash(function.input_ports[source].default)
    cell_id = step.outputs[target]
    if digest is None or _stored_hash(store, cell_id) != digest:
        return None
    return {cell_id: digest}


def _stored_hash(store: DatumStore, cell_id: UUID) -> str | None:
    """The content hash of the cell's stored value; None when it is not there or cannot be read. The hash
    its row holds when the store keeps one (`SqliteStore.stored_hash`): a large value is not read to be
    checked; else the value's, read and hashed."""
    try:
        if cell_id not in store:
            return None
        kept = getattr(store, "stored_hash", None)
        digest = kept(cell_id) if kept is not None else None
        return digest if digest is not None else value_hash(whole_value(store, store.get(cell_id)))
    except Exception:  # noqa: BLE001 - e.g. a pickle signed by someone else: not shown, recomputed
        return None


def _stored_ids(store: DatumStore) -> Iterable[UUID]:
    ids = getattr(store, "cell_ids", None)
    if ids is not None:
        return ids()
    return [cell.id for cell in store]


def _in_order(steps: list[WorkflowStep]) -> list[WorkflowStep]:
    """The steps producers first; a workflow with a cycle (which cannot run) vouches for none."""
    producer = {cell_id: step.id for step in steps for cell_id in step.outputs.values()}
    graph = nx.DiGraph()
    graph.add_nodes_from(step.id for step in steps)
    for step in steps:
        for cell_id in step.inputs.values():
            if cell_id in producer:
                graph.add_edge(producer[cell_id], step.id)
    try:
        order = list(nx.topological_sort(graph))
    except nx.NetworkXUnfeasible:
        return []
    by_id = {step.id: step for step in steps}
    return [by_id[step_id] for step_id in order]
