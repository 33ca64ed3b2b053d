"""What the benchmark rows share: the MLP workload built as micrograd's demo builds it, the timer and the table.

Each rows module (``nn_rows``, ``compiled_rows``, ...) measures one part of the project with these; run one
alone with ``python benchmarks/<name>_rows.py``, or every row with ``python benchmarks/bench.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable

import autograd

SIZES = [2, 16, 16, 1]
POINTS = 32
Row = tuple[str, str, float, str]


def median_seconds(fn: Callable[[], object], repeats: int, *, loop: bool = False) -> float:
    """Median wall time of fn over repeats: after a full collection each, or back to back if loop."""
    times = []
    if loop:
        fn()  # warm up, as the first steps of a training loop do
    for _ in range(repeats):
        if not loop:
            gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


OPS_TIMED = 1_000_000  # ops one chain measurement takes in all: chains of the length measured, back to back


def chained(length: int) -> int:
    """How many chains of length make one measurement: OPS_TIMED ops, so every length is timed alike."""
    return max(1, OPS_TIMED // length)


def chain(length: int, paused: bool = False) -> tuple[float, float, float]:
    """Seconds per op to build, backpropagate and drop chains of length tanh ops with the engine, back to back
    as a loop runs (chained(length) of them); the last one's out and grad.

    The collector runs (the default for a user's own loop) unless paused (autograd.collector_paused()).
    """
    gc.collect()
    count = chained(length)
    start = time.perf_counter()
    with autograd.collector_paused() if paused else contextlib.nullcontext():
        for _ in range(count):
            x = y = autograd.Value(0.5)
            for _ in range(length):
                y = y.tanh()
            y.backward()
            out, grad = y.data, x.grad
            del x, y
    return (time.perf_counter() - start) / (length * count), out, grad


def dataset(seed: int = 0) -> tuple[list[list[float]], list[float]]:
    """POINTS random points in the square with labels ±1."""
    rng = random.Random(seed)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(POINTS)]
    return xs, [1.0 if x * y > 0 else -1.0 for x, y in xs]


def unfused_mlp(value_type: type, seed: int = 1) -> list[list[list]]:
    """MLP weights as value_type leaves: layers of neurons of [bias, *weights]."""
    rng = random.Random(seed)
    return [
        [[value_type(rng.uniform(-1, 1)) for _ in range(nin + 1)] for _ in range(nout)]
        for nin, nout in zip(SIZES, SIZES[1:])
    ]


def unfused_step(value_type: type, layers: list, xs: list, ys: list, lr: float = 0.01) -> float:
    """One hinge-loss SGD step built from binary ops exactly as micrograd's nn builds it."""
    loss = unfused_loss(value_type, layers, xs, ys)
    params = [p for layer in layers for neuron in layer for p in neuron]
    for p in params:
        p.grad = 0.0
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss.data


def unfused_loss(value_type: type, layers: list, xs: list, ys: list) -> object:
    """The mean hinge loss of the MLP over the points, as micrograd's demo builds it."""
    losses = []
    for x, y in zip(xs, ys):
        acts = [value_type(v) for v in x]
        for depth, layer in enumerate(layers):
            outs = [sum((w * a for w, a in zip(n[1:], acts)), n[0]) for n in layer]
            acts = outs if depth == len(layers) - 1 else [o.relu() for o in outs]
        losses.append((1 + -y * acts[0]).relu())
    return sum(losses) * (1.0 / len(losses))


def print_table(rows: list[tuple[str, str, float, str]]) -> None:
    """The rows as a Markdown table whose columns line up."""
    cells = [(what, f"{value:.2f} {unit}", comparison) for what, unit, value, comparison in rows]
    header = ("measure", "this engine", "compared in the same run")
    widths = [max(len(row[k]) for row in [header, *cells]) for k in range(3)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for what, value, comparison in cells:
        print(f"| {what.ljust(widths[0])} | {value.rjust(widths[1])} | {comparison.ljust(widths[2])} |")


def main(*sources: Callable[[int], list[Row]]) -> None:
    """Print the rows of sources as one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="runs per timing (median taken)")
    repeats = parser.parse_args().repeats
    os.environ["AUTOGRAD_CACHE"] = tempfile.mkdtemp(prefix="autograd-bench-")  # native programs: a first run
    print_table([row for source in sources for row in source(repeats)])
