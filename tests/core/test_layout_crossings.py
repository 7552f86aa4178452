"""count_crossings, the measure Auto Layout is chosen by, against the plain pair-by-pair test."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from fancy_studio.core import layout_crossings
from fancy_studio.core.layout_crossings import count_crossings


def _orientation(p, q, r) -> int:
    value = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return (value > 0) - (value < 0)


def brute_force(segments) -> int:
    """Pairs that cross at a point inside both: each one's ends strictly on either side of the other."""
    return sum(1 for (a, b), (c, d) in combinations(segments, 2)
               if _orientation(a, b, c) * _orientation(a, b, d) < 0 and _orientation(c, d, a) * _orientation(c, d, b) < 0)


def random_segments(rng: random.Random, count: int, cells: int) -> list:
    """Ends on a coarse grid, so that shared ends, touching, collinear and vertical wires all happen."""
    segments = []
    while len(segments) < count:
        a = (rng.randint(0, cells) * 20.0, rng.randint(0, cells) * 20.0)
        b = (rng.randint(0, cells) * 20.0, rng.randint(0, cells) * 20.0)
        if a != b:
            segments.append((a, b))
    return segments


@pytest.mark.parametrize("seed", range(60))
def test_it_counts_as_the_pair_by_pair_test_does(seed):
    rng = random.Random(seed)
    segments = random_segments(rng, rng.randint(2, 40), rng.choice([3, 5, 12]))
    assert count_crossings(segments) == brute_force(segments)


@pytest.mark.parametrize("seed", range(20))
def test_the_slabs_and_the_pairs_agree(seed, monkeypatch):
    """The two ways it counts (slabs for a layered drawing, pairs for a tangle) give the same answer."""
    rng = random.Random(seed)
    segments = random_segments(rng, 30, 6)
    by_slabs = count_crossings(segments)
    monkeypatch.setattr(layout_crossings, "_pair_by_pair", lambda slanted: pytest.fail("not a tangle"))
    small = [((x1, y1), (x1 + 40.0, y2)) for (x1, y1), (_x2, y2) in segments]  # short wires: slabs
    assert count_crossings(small) == brute_force(small)
    monkeypatch.undo()
    assert by_slabs == brute_force(segments)


def test_wires_that_share_an_end_or_only_touch_do_not_cross():
    fan = [((0.0, 0.0), (100.0, y)) for y in range(-50, 60, 10)]
    assert count_crossings(fan) == 0
    touching = [((0.0, 0.0), (100.0, 100.0)), ((50.0, 50.0), (100.0, 0.0))]  # one ends on the other
    assert count_crossings(touching) == 0
    assert count_crossings([((0.0, 0.0), (100.0, 100.0)), ((0.0, 100.0), (100.0, 0.0))]) == 1


def test_a_crossing_on_the_x_of_another_wires_end_counts_once():
    """Two wires crossing at x = 50, where a third wire (elsewhere) ends: the slabs meet there."""
    segments = [((0.0, 0.0), (100.0, 100.0)), ((0.0, 100.0), (100.0, 0.0)), ((50.0, 500.0), (200.0, 500.0))]
    assert count_crossings(segments) == 1


def test_a_layered_drawing_of_twenty_thousand_wires_counts_quickly():
    """A ladder: wire i from column 0 at height i to column 1 at height -i crosses every other."""
    rungs = [((0.0, float(i)), (100.0, float(-i))) for i in range(20_000)]
    assert count_crossings(rungs[:300]) == 300 * 299 // 2
    columns = [((x * 100.0, float(i)), (x * 100.0 + 100.0, float(i))) for x in range(10) for i in range(2_000)]
    assert count_crossings(columns) == 0
