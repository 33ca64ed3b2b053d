"""micrograd's demo training loop as one whole process, run by training_rows to time what a user waits for.

Run: ``python benchmarks/demo_loop.py ENGINE STEPS``; ENGINE is ``micrograd`` (its nn.py and Value),
``value`` (micrograd's unchanged nn.py on this project's Value) or ``nn`` (nn.MLP and nn.train). Each
trains MLP(2,[16,16,1]) from the same weights on the same 64 points with the mean hinge loss and the
demo's learning rate 1.0 - 0.9·k/STEPS (without its L2 term), with default garbage collection, and
prints the last step's loss.
"""

from __future__ import annotations

import random
import sys
import types

POINTS = 64
SIZES = [2, 16, 16, 1]


def data() -> tuple[list[list[float]], list[float], list[float]]:
    """The points, their ±1 labels and the initial parameters, micrograd's order (weights, then bias)."""
    rng = random.Random(0)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(POINTS)]
    ys = [1.0 if x * y > 0 else -1.0 for x, y in xs]
    count = sum((nin + 1) * nout for nin, nout in zip(SIZES, SIZES[1:]))
    return xs, ys, [rng.uniform(-1, 1) for _ in range(count)]


def micrograd_loop(steps: int) -> float:
    """The demo's loop, as micrograd's README writes it."""
    import micrograd.nn

    xs, ys, weights = data()
    model = micrograd.nn.MLP(SIZES[0], SIZES[1:])
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    for k in range(steps):
        scores = [model(x) for x in xs]
        losses = [(1 + -y * score).relu() for y, score in zip(ys, scores)]
        loss = sum(losses) * (1.0 / len(losses))
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / steps
        for p in model.parameters():
            p.data -= lr * p.grad
    return loss.data


def nn_loop(steps: int) -> float:
    """The same training with this project's nn.MLP and nn.train (its default: traced once, replayed)."""
    import nn

    xs, ys, weights = data()
    model = nn.MLP(SIZES[0], SIZES[1:])
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    samples = [nn.Sample(tuple(x), (y,)) for x, y in zip(xs, ys)]
    history = nn.train(model, samples, steps=steps, loss="hinge", schedule=lambda k: 1.0 - 0.9 * k / steps)
    return history.final


def main() -> None:
    engine, steps = sys.argv[1], int(sys.argv[2])
    if engine == "value":  # micrograd's nn.py imports Value from micrograd.engine: hand it this project's
        import autograd

        sys.modules["micrograd.engine"] = types.SimpleNamespace(Value=autograd.Value)  # type: ignore[assignment]
    print(repr(nn_loop(steps) if engine == "nn" else micrograd_loop(steps)))


if __name__ == "__main__":
    main()
