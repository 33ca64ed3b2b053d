"""Benchmark rows for the nn package: a training step of its MLP against micrograd's nn, in one run.

``rows(repeats)`` returns rows shaped like ``workloads.run``'s; run this file to print them.
"""

from __future__ import annotations

import sys

import micrograd.nn

import autograd
import nn
from nn.training import batch_loss

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import workloads


def our_mlp() -> nn.MLP:
    """MLP(2, [16, 16, 1]) with the benchmark's initial weights (the draws workloads.unfused_mlp makes)."""
    layers = workloads.unfused_mlp(float)
    weights = [[neuron[1:] for neuron in layer] for layer in layers]
    biases = [[neuron[0] for neuron in layer] for layer in layers]
    return nn.MLP(workloads.SIZES[0], workloads.SIZES[1:], weights=weights, biases=biases)


def micrograd_mlp() -> micrograd.nn.MLP:
    """micrograd's MLP with the same initial weights, parameter for parameter."""
    theirs = micrograd.nn.MLP(workloads.SIZES[0], workloads.SIZES[1:])
    for p, q in zip(our_mlp().parameters(), theirs.parameters(), strict=True):
        q.data = p.data
    return theirs


def our_step(model: nn.MLP, optimizer: nn.SGD, samples: list[nn.Sample]) -> float:
    """One hinge-loss SGD step of this package's MLP (one weighted-sum node per neuron)."""
    loss = batch_loss(model, samples, "hinge")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.data


def micrograd_step(model: micrograd.nn.MLP, xs: list, ys: list, lr: float = 0.01) -> float:
    """The same step as micrograd's demo writes it."""
    losses = [(1 + -y * model(x)).relu() for x, y in zip(xs, ys)]
    loss = sum(losses) * (1.0 / len(losses))
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """Measure every row: (what, unit, this package's number, comparison text)."""
    xs, ys = workloads.dataset()
    samples = [nn.Sample(tuple(x), (y,)) for x, y in zip(xs, ys)]
    ours, theirs, unfused = our_mlp(), micrograd_mlp(), workloads.unfused_mlp(autograd.Value)
    optimizer = nn.SGD(ours.parameters(), lr=0.01)
    first = our_step(ours, optimizer, samples), micrograd_step(theirs, xs, ys)
    if abs(first[0] - first[1]) > 1e-9 * max(1.0, abs(first[1])):
        raise RuntimeError(f"nn_rows: the two steps compute different losses {first}; the timing would mislead")
    t_ours = workloads.median_seconds(lambda: our_step(ours, optimizer, samples), repeats, loop=True)
    t_mg = workloads.median_seconds(lambda: micrograd_step(theirs, xs, ys), repeats, loop=True)
    t_unfused = workloads.median_seconds(
        lambda: workloads.unfused_step(autograd.Value, unfused, xs, ys), repeats, loop=True
    )
    return [
        (
            f"nn MLP(2,[16,16,1]) step, {workloads.POINTS} pts, hinge",
            "ms",
            t_ours * 1e3,
            f"{t_mg / t_ours:.1f}x faster than micrograd's nn ({t_mg * 1e3:.1f} ms); "
            f"{t_unfused / t_ours:.1f}x faster than this engine with binary ops ({t_unfused * 1e3:.1f} ms)",
        )
    ]


if __name__ == "__main__":
    workloads.main(rows)
