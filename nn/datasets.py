"""Small datasets as lists of samples: document 003's swap task, XOR, two moons and multi-class spirals."""

from __future__ import annotations

import math
import random
from typing import NamedTuple


class Sample(NamedTuple):
    """One training pair: the network's inputs and the outputs wanted for them."""

    inputs: tuple[float, ...]
    targets: tuple[float, ...]


def swap() -> list[Sample]:
    """Document 003's task: two binary inputs, the same two bits in swapped order as targets."""
    bits = [(1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]  # the document's table order
    return [Sample((a, b), (b, a)) for a, b in bits]


def xor() -> list[Sample]:
    """The four XOR pairs with targets 0 or 1."""
    bits = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
    return [Sample((a, b), (float(a != b),)) for a, b in bits]


def moons(n: int = 100, *, noise: float = 0.1, seed: int = 0) -> list[Sample]:
    """Two interleaving half circles (as sklearn's make_moons), shuffled, with labels -1 and +1.

    The upper moon is labelled -1 and the lower one +1 (sklearn's 0 and 1); Gaussian noise of
    standard deviation ``noise`` is added to each coordinate.
    """
    if n < 2:
        raise ValueError(f"moons: needs at least 2 points, got {n}")
    if not noise >= 0.0:
        raise ValueError(f"moons: noise must not be negative, got {noise!r}")
    rng = random.Random(seed)
    upper, lower = n // 2, n - n // 2

    def arc(count: int, k: int) -> float:
        return math.pi * k / (count - 1) if count > 1 else 0.0

    points = [((math.cos(arc(upper, k)), math.sin(arc(upper, k))), -1.0) for k in range(upper)]
    points += [((1.0 - math.cos(arc(lower, k)), 0.5 - math.sin(arc(lower, k))), 1.0) for k in range(lower)]
    rng.shuffle(points)
    return [Sample((x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)), (label,)) for (x, y), label in points]


SPIRAL_TURN = 4.0  # radians each arm winds from the centre to radius 1, as in CS231n's spiral data


def spirals(n_per_class: int, classes: int = 3, *, noise: float = 0.2, seed: int = 0) -> list[Sample]:
    """Interleaved spiral arms in the plane, one per class, shuffled, with one-hot targets.

    Arm j's k-th point has radius r = k/(n_per_class − 1) and angle 2π·j/classes + SPIRAL_TURN·r
    plus Gaussian noise of standard deviation ``noise`` (radians); its targets are 1.0 at index j
    and 0.0 elsewhere, so ``sample.targets.index(1.0)`` is its class.
    """
    for what, value, least in (("n_per_class", n_per_class, 1), ("classes", classes, 2)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"spirals: {what} must be a whole number, got {type(value).__name__} {value!r}")
        if value < least:
            raise ValueError(f"spirals: {what} must be at least {least}, got {value}")
    if not (isinstance(noise, int | float) and math.isfinite(noise) and noise >= 0.0):
        raise ValueError(f"spirals: noise must be a finite number >= 0, got {noise!r}")
    rng = random.Random(seed)
    points = []
    for j in range(classes):
        target = tuple(float(c == j) for c in range(classes))
        for k in range(n_per_class):
            r = k / (n_per_class - 1) if n_per_class > 1 else 0.0
            angle = 2.0 * math.pi * j / classes + SPIRAL_TURN * r + rng.gauss(0.0, noise)
            points.append(Sample((r * math.cos(angle), r * math.sin(angle)), target))
    rng.shuffle(points)
    return points
