"""The datasets: document 003's swap table, XOR, and the two-moons and spiral generators' geometry and seeding."""

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


@pytest.mark.parametrize(("n", "classes"), [(1, 2), (5, 3), (40, 4)])
def test_noiseless_spirals_lie_on_their_arms(n, classes):
    from nn import spirals

    data = spirals(n, classes, noise=0.0)
    assert len(data) == n * classes
    for c in range(classes):
        arm = [s.inputs for s in data if s.targets == tuple(float(i == c) for i in range(classes))]
        assert len(arm) == n
        radii = sorted(math.hypot(x, y) for x, y in arm)
        assert radii == pytest.approx([k / (n - 1) if n > 1 else 0.0 for k in range(n)], abs=1e-12)
        for x, y in arm:  # angle = 2π·c/classes + 4·r (mod 2π): each arm is the first one rotated
            r = math.hypot(x, y)
            if r > 0:
                turn = math.atan2(y, x) - 2 * math.pi * c / classes - 4.0 * r
                assert math.remainder(turn, 2 * math.pi) == pytest.approx(0.0, abs=1e-9)


def test_spirals_are_seeded_shuffled_noisy_and_one_hot():
    from nn import spirals

    assert spirals(30, seed=1) == spirals(30, seed=1)
    assert spirals(30, seed=1) != spirals(30, seed=2)
    data = spirals(100)
    classes = [s.targets.index(1.0) for s in data]
    assert classes != sorted(classes) and sorted(set(classes)) == [0, 1, 2]
    assert all(sorted(s.targets) == [0.0, 0.0, 1.0] for s in data)
    # the noise moves each angle (not the radius), so no point but the centre stays on its noiseless arm
    clean = {s.inputs for s in spirals(100, noise=0.0)}
    assert not clean & {s.inputs for s in data if s.inputs != (0.0, 0.0)}  # the centre has radius 0


def test_an_mlp_learns_the_spirals_with_one_hot_targets():
    from nn import MLP, Adam, spirals, train

    data = spirals(10, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 3], activation=["tanh", "tanh", "linear"], seed=0)
    train(model, data, steps=150, optimizer=Adam(model.parameters(), lr=0.05), compiled=True)
    predicted = [max(range(3), key=lambda c: model.forward(s.inputs)[c].data) for s in data]
    right = sum(p == s.targets.index(1.0) for p, s in zip(predicted, data))
    assert right / len(data) >= 0.85  # mse on one-hot targets; a third by chance


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        ((0,), {}, ValueError, "spirals: n_per_class must be at least 1, got 0"),
        ((10, 1), {}, ValueError, "spirals: classes must be at least 2, got 1"),
        ((10.0,), {}, TypeError, r"spirals: n_per_class must be a whole number, got float 10\.0"),
        ((10, True), {}, TypeError, "spirals: classes must be a whole number, got bool True"),
        ((10,), {"noise": -0.1}, ValueError, r"spirals: noise must be a finite number >= 0, got -0\.1"),
        ((10,), {"noise": float("nan")}, ValueError, "spirals: noise must be a finite number >= 0, got nan"),
    ],
)
def test_bad_spirals_arguments_are_refused_clearly(args, kwargs, error, message):
    from nn import spirals

    with pytest.raises(error, match=message):
        spirals(*args, **kwargs)
