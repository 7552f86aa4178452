"""A long chain is cut into rows of even length shaped like the view, never a long row and a stub."""

from __future__ import annotations

from collections import Counter

from fancy_studio.core.layout import MIN_ROW_LAYERS, layered_layout
from tests.core.helpers import chain


def _columns_per_row(steps: int) -> list[int]:
    workflow, _first, _cells = chain(steps)
    workflow.declare_referenced_cells()  # as the studio does when it opens a script's file
    positions = layered_layout(workflow, lambda _node: (100.0, 40.0), aspect=16 / 10)
    rows = Counter(y for _x, y in positions.values())
    return [rows[y] for y in sorted(rows)]


def test_a_script_built_chain_of_twelve_steps_is_cut_into_even_rows():
    per_row = _columns_per_row(12)  # 25 columns: the input, then a step and its cell twelve times
    assert len(per_row) >= 2, per_row
    assert max(per_row) - min(per_row) <= 1, per_row  # was 20 and 5: a long row and a stub
    assert min(per_row) >= MIN_ROW_LAYERS


def test_a_short_chain_stays_one_row():
    assert len(_columns_per_row(3)) == 1


def test_a_very_long_chain_has_rows_of_even_length():
    per_row = _columns_per_row(400)
    assert len(per_row) > 2 and max(per_row) - min(per_row) <= 1, per_row
