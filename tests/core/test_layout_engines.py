"""Both ways of laying a workflow out (Graphviz's dot, our own layered layout) keep what Auto Layout
promises: nothing overlaps, everything on the grid, inputs beside their readers, a step's inputs fed in
the order they are drawn, a fan's branches by their shared input; dot where it is missing falls back."""

from __future__ import annotations

import builtins
import random
from itertools import combinations
from uuid import UUID

import pytest

from fancy_studio.core import CellSpec, Workflow, WorkflowStep
from fancy_studio.core import layout as core_layout
from fancy_studio.core import layout_dot
from fancy_studio.core.layout import Spacing, layered_layout
from fancy_studio.core.layout_crossings import count_crossings

ENGINES = ["dot", "layered"]
CELL = (150.0, 44.0)
STEP = (190.0, 94.0)
"""A step with one output row and up to three input rows below it (as the studio draws them)."""


def size_of(workflow: Workflow):
    steps = {s.id for s in workflow.steps}
    return lambda node_id: STEP if node_id in steps else CELL


def port_of(workflow: Workflow):
    """An output at 40 below a step's top, its inputs at 60, 80, 100 in their order; a cell's middle."""
    steps = {s.id: s for s in workflow.steps}

    def port(node_id: UUID, side: str, name: str | None) -> float:
        step = steps.get(node_id)
        if step is None:
            return CELL[1] / 2
        if side == "out":
            return 40.0
        return 60.0 + 20.0 * list(step.inputs).index(name)

    return port


def lay_out(workflow: Workflow, engine: str, **kwargs) -> dict[UUID, tuple[float, float]]:
    return layered_layout(workflow, size_of(workflow), aspect=1e9, port_of=port_of(workflow), engine=engine,
                          **kwargs)


def segments(workflow: Workflow, positions) -> list:
    sizes, port = size_of(workflow), port_of(workflow)
    wires = []
    for step in workflow.steps:
        x, y = positions[step.id]
        for name, cell in step.inputs.items():
            cx, cy = positions[cell]
            wires.append(((cx + CELL[0], cy + CELL[1] / 2), (x, y + port(step.id, "in", name))))
        for cell in step.outputs.values():
            cx, cy = positions[cell]
            wires.append(((x + sizes(step.id)[0], y + 40.0), (cx, cy + CELL[1] / 2)))
    return wires


def add(workflow: Workflow, slug: str, inputs: dict[str, CellSpec], alias: str) -> tuple[WorkflowStep, CellSpec]:
    out = CellSpec(alias=alias)
    step = WorkflowStep(function_slug=slug, inputs={k: c.id for k, c in inputs.items()}, outputs={"return": out.id})
    workflow.steps.append(step)
    workflow.cells.append(out)
    return step, out


def pipeline(seed: int, steps: int = 40) -> Workflow:
    rng = random.Random(seed)
    workflow = Workflow(name=f"pipeline {seed}")
    cells = [workflow.input_cell(f"in{i}", i) for i in range(3)]
    for i in range(steps):
        inputs = {}
        for name in ("a", "b")[:rng.randint(1, 2)]:
            inputs[name] = rng.choice(cells[-6:]) if rng.random() < 0.8 else workflow.input_cell(f"k{i}{name}", 1)
        cells.append(add(workflow, "math.add", inputs, f"c{i}")[1])
    return workflow


def assert_placed_apart_on_the_grid(workflow: Workflow, positions) -> None:
    ids = [c.id for c in workflow.cells] + [s.id for s in workflow.steps]
    assert set(positions) == set(ids)
    sizes = size_of(workflow)
    for x, y in positions.values():
        assert x % Spacing.grid == 0 and y % Spacing.grid == 0
    rects = [(x, y, x + sizes(n)[0], y + sizes(n)[1]) for n, (x, y) in positions.items()]
    for a, b in combinations(rects, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], f"{a} overlaps {b}"


@pytest.fixture(autouse=True)
def _dot_is_installed():
    assert layout_dot.available(), "pygraphviz is a dependency (pyproject.toml): its wheel bundles Graphviz"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nothing_overlaps_and_everything_is_on_the_grid(engine, seed):
    workflow = pipeline(seed)
    assert_placed_apart_on_the_grid(workflow, lay_out(workflow, engine))


@pytest.mark.parametrize("engine", ENGINES)
def test_an_input_cell_sits_just_left_of_its_deep_reader(engine):
    workflow = Workflow(name="deep")
    cell = workflow.input_cell("x0", 0)
    for i in range(6):
        _, cell = add(workflow, "math.increment", {"x": cell}, f"x{i + 1}")
    k = workflow.input_cell("k", 5)
    total, _ = add(workflow, "math.add", {"a": cell, "b": k}, "total")
    positions = lay_out(workflow, engine)
    assert positions[k.id][0] == positions[cell.id][0], "k shares the column of the other input"
    assert positions[k.id][0] < positions[total.id][0]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_steps_inputs_are_fed_in_the_order_they_are_drawn(engine):
    """Whatever the file's order, the cell wired to `a` (drawn above `b`) ends up above the one wired to `b`:
    the wires do not cross at the step."""
    for first in ("a", "b"):
        workflow = Workflow(name="two inputs")
        b = workflow.input_cell("b-source", 1)
        a = workflow.input_cell("a-source", 2)
        chain_a = add(workflow, "math.increment", {"x": a}, "a1")[1]
        chain_b = add(workflow, "math.increment", {"x": b}, "b1")[1]
        inputs = {"a": chain_a, "b": chain_b} if first == "a" else {"b": chain_b, "a": chain_a}
        step, _ = add(workflow, "math.add", inputs, "sum")
        step.inputs = {"a": chain_a.id, "b": chain_b.id}  # the drawn order: a above b
        positions = lay_out(workflow, engine)
        assert positions[chain_a.id][1] < positions[chain_b.id][1]
        assert count_crossings(segments(workflow, positions)) == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fans_branches_stay_by_the_input_they_share(engine):
    """Fan-out of 24 increments then an uneven tree of adds: no branch is moved far right of the input,
    whose wire would then cross the others (3.1 million crossings at 10,000 branches, before)."""
    workflow = Workflow(name="fan")
    source = workflow.input_cell("x", 0)
    layer = [add(workflow, "math.increment", {"x": source}, f"y{i}")[1] for i in range(24)]
    while len(layer) > 1:
        merged = [add(workflow, "math.add", {"a": layer[j], "b": layer[j + 1]}, f"s{len(workflow.cells)}")[1]
                  for j in range(0, len(layer) - 1, 2)]
        layer = merged + ([layer[-1]] if len(layer) % 2 else [])
    positions = lay_out(workflow, engine)
    increments = [s for s in workflow.steps if s.function_slug == "math.increment"]
    assert len({positions[s.id][0] for s in increments}) == 1, "every branch in the column after x"
    assert count_crossings(segments(workflow, positions)) == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_only_lays_out_the_nodes_named_by_the_wires_among_them(engine):
    workflow = pipeline(4)
    chosen = {s.id for s in workflow.steps[:8]} | {c for s in workflow.steps[:8] for c in s.outputs.values()}
    positions = lay_out(workflow, engine, only=chosen)
    assert set(positions) == chosen
    assert min(x for x, _ in positions.values()) == 0 and min(y for _, y in positions.values()) == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_a_cycle_in_a_broken_file_is_laid_out_anyway(engine):
    workflow = Workflow(name="cycle")
    a, b = CellSpec(alias="a"), CellSpec(alias="b")
    workflow.cells += [a, b]
    workflow.steps.append(WorkflowStep(function_slug="math.increment", inputs={"x": a.id}, outputs={"return": b.id}))
    workflow.steps.append(WorkflowStep(function_slug="math.increment", inputs={"x": b.id}, outputs={"return": a.id}))
    assert_placed_apart_on_the_grid(workflow, lay_out(workflow, engine))


def test_without_pygraphviz_auto_lays_out_on_its_own(monkeypatch):
    real_import = builtins.__import__

    def no_pygraphviz(name, *args, **kwargs):
        if name == "pygraphviz":
            raise ImportError("No module named 'pygraphviz'")
        return real_import(name, *args, **kwargs)

    workflow = pipeline(5)
    expected = lay_out(workflow, "layered")
    monkeypatch.setattr(builtins, "__import__", no_pygraphviz)
    assert not layout_dot.available()
    assert lay_out(workflow, "auto") == expected
    assert lay_out(workflow, "dot") == expected, "asked for dot, it says what it can"


def test_auto_takes_dot_up_to_its_limits_and_ours_beyond(monkeypatch):
    workflow = pipeline(6)
    nodes = len(workflow.cells) + len(workflow.steps)
    dot, ours = lay_out(workflow, "dot"), lay_out(workflow, "layered")
    assert dot != ours, "the two differ on this graph (else this test tells nothing)"
    assert lay_out(workflow, "auto") == dot
    monkeypatch.setattr(core_layout, "DOT_MAX_NODES", nodes - 1)
    assert lay_out(workflow, "auto") == ours
    monkeypatch.setattr(core_layout, "DOT_MAX_NODES", nodes)
    monkeypatch.setattr(core_layout, "DOT_MAX_SIZE", nodes - 1)
    assert lay_out(workflow, "auto") == ours
    with pytest.raises(ValueError, match="unknown layout engine"):
        lay_out(workflow, "neato")


def test_the_studio_starts_without_importing_pygraphviz():
    """Graphviz is loaded by the first layout, never at start-up (its libraries are large)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(root))
    out = subprocess.run([sys.executable, "-c", "import fancy_studio.gui.window.main_window, sys; "
                          "print('pygraphviz' in sys.modules)"],
                         env=env, capture_output=True, text=True, check=True, timeout=120, cwd=root)
    assert out.stdout.strip().splitlines()[-1] == "False"
