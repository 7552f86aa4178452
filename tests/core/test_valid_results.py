"""What reopening a workflow may show: the stored cells that still hold what it would compute now."""

from __future__ import annotations

from collections import Counter

import pytest

from fancy_studio.core import Engine, InMemoryStore, SqliteStore, StepStatus, Workflow
from fancy_studio.core.functions import FunctionRegistry, fancy_function
from fancy_studio.core.valid_results import stale_cells, valid_cells
from tests.core.helpers import step


def _registry(calls: Counter, *, offset: int = 1) -> FunctionRegistry:
    reg = FunctionRegistry(load_builtins=False)

    @fancy_function("t.bump", registry=reg, version="1")
    def bump(x: int) -> int:
        calls["bump"] += 1
        return x + 1

    @fancy_function("t.add", registry=reg, version=str(offset))
    def add(a: int, b: int) -> int:
        calls["add"] += 1
        return a + b + offset - 1

    @fancy_function("t.now", registry=reg, cacheable=False)
    def now(x: int) -> int:
        return x

    return reg


def _workflow() -> tuple[Workflow, dict]:
    """a -> bump -> b; b, c -> add -> d; a -> now -> e."""
    wf = Workflow(name="valid results")
    a, c = wf.input_cell("a", 1), wf.input_cell("c", 10)
    b, d, e = wf.output_cell("b"), wf.output_cell("d"), wf.output_cell("e")
    wf.add_step(step("t.bump", {"x": a.id}, b.id))
    wf.add_step(step("t.add", {"a": b.id, "b": c.id}, d.id))
    wf.add_step(step("t.now", {"x": a.id}, e.id))
    return wf, {"a": a, "b": b, "c": c, "d": d, "e": e}


def _run(wf: Workflow, store, reg: FunctionRegistry):
    return Engine(store, registry=reg).run(wf, initial_cells=wf.literal_cells())


def test_after_a_run_every_cacheable_result_and_every_input_is_valid():
    wf, cells = _workflow()
    store, reg = InMemoryStore(), _registry(Counter())
    _run(wf, store, reg)
    ids = {name: cell.id for name, cell in cells.items()}
    assert valid_cells(wf, store, reg) == {ids["a"], ids["b"], ids["c"], ids["d"]}
    assert stale_cells(wf, store, reg) == [ids["e"]]  # uncacheable: only a run can say


def test_an_edited_input_invalidates_it_and_exactly_its_downstream():
    wf, cells = _workflow()
    store, reg = InMemoryStore(), _registry(Counter())
    _run(wf, store, reg)
    wf.cell(cells["c"].id).value = 20
    assert valid_cells(wf, store, reg) == {cells["a"].id, cells["b"].id}
    assert set(stale_cells(wf, store, reg)) == {cells["c"].id, cells["d"].id, cells["e"].id}


def test_a_new_function_version_invalidates_its_results_and_what_follows():
    wf, cells = _workflow()
    store = InMemoryStore()
    _run(wf, store, _registry(Counter()))
    assert cells["d"].id not in valid_cells(wf, store, _registry(Counter(), offset=2))
    assert cells["b"].id in valid_cells(wf, store, _registry(Counter(), offset=2))


def test_a_missing_function_vouches_for_nothing_after_it():
    wf, cells = _workflow()
    store, reg = InMemoryStore(), _registry(Counter())
    _run(wf, store, reg)
    wf.steps[0].function_slug = "t.gone"
    assert valid_cells(wf, store, reg) == {cells["a"].id, cells["c"].id}


def test_a_cycle_vouches_for_no_computed_value():
    wf, cells = _workflow()
    store, reg = InMemoryStore(), _registry(Counter())
    _run(wf, store, reg)
    wf.steps[0].inputs["x"] = cells["d"].id  # bump reads add's output, add reads bump's
    assert valid_cells(wf, store, reg) == {cells["a"].id, cells["c"].id}


def test_a_new_session_on_a_store_file_vouches_for_the_last_run_and_reuses_it(tmp_path):
    wf, cells = _workflow()
    calls = Counter()
    reg = _registry(calls)
    with SqliteStore(tmp_path / "s.fancystore", key=b"k" * 32) as store:
        _run(wf, store, reg)
    with SqliteStore(tmp_path / "s.fancystore", key=b"k" * 32) as store:
        assert valid_cells(wf, store, reg) == {cells[n].id for n in "abcd"}
        for cell_id in stale_cells(wf, store, reg):
            store.remove(cell_id)
        assert {cell.id for cell in store} == {cells[n].id for n in "abcd"}
        result = _run(wf, store, reg)
    assert calls == Counter(bump=1, add=1)
    assert [result.step_status[s.id] for s in wf.steps[:2]] == [StepStatus.CACHED, StepStatus.CACHED]


@pytest.mark.parametrize("kind", ["inputs differ", "damaged value"])
def test_a_stored_value_that_is_not_the_literal_is_not_valid(tmp_path, kind):
    wf, cells = _workflow()
    store, reg = InMemoryStore(), _registry(Counter())
    _run(wf, store, reg)
    if kind == "inputs differ":
        store.put(2, id=cells["a"].id)
    else:
        store.put(object(), id=cells["a"].id)  # a value with no stable hash
    assert cells["a"].id not in valid_cells(wf, store, reg)
    assert cells["b"].id in valid_cells(wf, store, reg)  # its recipe reads the literal 1, as stored
