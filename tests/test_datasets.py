"""The datasets: document 003's swap table, XOR, and the two-moons generator's geometry and seeding."""

from __future__ import annotations

import math

import pytest

from nn import Sample, moons, swap, xor


def test_swap_is_the_documents_table():
    assert swap() == [
        Sample((1.0, 1.0), (1.0, 1.0)),
        Sample((1.0, 0.0), (0.0, 1.0)),
        Sample((0.0, 1.0), (1.0, 0.0)),
        Sample((0.0, 0.0), (0.0, 0.0)),
    ]


def test_xor_truth_table():
    assert [(s.inputs, s.targets) for s in xor()] == [
        ((0.0, 0.0), (0.0,)),
        ((0.0, 1.0), (1.0,)),
        ((1.0, 0.0), (1.0,)),
        ((1.0, 1.0), (0.0,)),
    ]


@pytest.mark.parametrize("n", [2, 7, 100])
def test_noiseless_moons_lie_on_their_half_circles(n):
    data = moons(n, noise=0.0)
    assert len(data) == n
    upper = [s.inputs for s in data if s.targets == (-1.0,)]
    lower = [s.inputs for s in data if s.targets == (1.0,)]
    assert (len(upper), len(lower)) == (n // 2, n - n // 2)
    for x, y in upper:
        assert math.hypot(x, y) == pytest.approx(1.0) and y >= -1e-12
    for x, y in lower:
        assert math.hypot(x - 1.0, y - 0.5) == pytest.approx(1.0) and y <= 0.5 + 1e-12


def test_moons_are_seeded_shuffled_and_noisy():
    assert moons(50, seed=3) == moons(50, seed=3)
    assert moons(50, seed=3) != moons(50, seed=4)
    labels = [s.targets[0] for s in moons(100)]
    assert labels != sorted(labels)  # shuffled
    off = [abs(math.hypot(*s.inputs) - 1.0) for s in moons(100, noise=0.1) if s.targets == (-1.0,)]
    assert 0.02 < sum(off) / len(off) < 0.2


def test_bad_moons_arguments_are_refused_clearly():
    with pytest.raises(ValueError, match="moons: needs at least 2 points, got 1"):
        moons(1)
    with pytest.raises(ValueError, match=r"moons: noise must not be negative, got -0\.1"):
        moons(10, noise=-0.1)
