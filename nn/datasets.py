"""Small datasets as lists of samples: document 003's swap task, XOR, and a two-moons generator."""

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
