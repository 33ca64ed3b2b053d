"""Speed and memory of the engine against micrograd (from PyPI) and plain floats, in one run.

Run: ``python benchmarks/bench.py [--repeats N]``. Every time is the median over the repeats;
every ratio compares two numbers measured in this run on this machine. Training steps run back to
back, as in a training loop, so the garbage collector's work is part of each engine's cost
(micrograd's closures form reference cycles that only the cyclic collector frees; this engine's
graphs have none and are freed as soon as the loss is dropped).
"""

from __future__ import annotations

import gc
import statistics
import sys
import threading
import tracemalloc
from collections.abc import Callable

import micrograd.engine
import micrograd.nn

import autograd

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import compiled_rows
import end_to_end
import higher_rows
import native_rows
import nn_rows
import peers
import plain_mlp
import training_rows
import workloads
from workloads import SIZES, dataset, median_seconds, unfused_loss, unfused_mlp, unfused_step

CHAIN = 500_000


def bytes_per_node(build: Callable[[], object], count_nodes: Callable[[object], int]) -> float:
    """Bytes traced while build() runs, divided by the nodes of the graph it returns."""
    gc.collect()
    tracemalloc.start()
    root = build()
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return used / count_nodes(root)


def micrograd_node_count(root: micrograd.engine.Value) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def chain(value_type: type, length: int) -> object:
    """A chain of length ops alternating x*c and x+c."""
    x = value_type(0.5)
    for _ in range(length // 2):
        x = x * 0.999999 + 0.000001
    return x


def in_big_stack(fn: Callable[[], object]) -> object:
    """Run fn in a thread with a 2 GiB stack and a raised recursion limit (micrograd recurses)."""
    result: list[object] = []
    old_limit, old_size = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(10 * CHAIN)
    threading.stack_size(2**31 - 1)
    try:
        thread = threading.Thread(target=lambda: result.append(fn()))
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    return result[0]


def run(repeats: int) -> list[tuple[str, str, float, str]]:
    """Measure every row: (what, unit, this engine's number, comparison text)."""
    xs, ys = dataset()
    rows = []

    ours = unfused_mlp(autograd.Value)
    theirs = unfused_mlp(micrograd.engine.Value)
    plain = plain_mlp.PlainMLP(SIZES, seed=1)
    t_ours = median_seconds(lambda: unfused_step(autograd.Value, ours, xs, ys), repeats, loop=True)
    t_mg = median_seconds(lambda: unfused_step(micrograd.engine.Value, theirs, xs, ys), repeats, loop=True)
    t_plain = median_seconds(lambda: plain.hinge_step(xs, ys, 0.01), repeats, loop=True)
    rows.append(
        (
            "MLP(2,[16,16,1]) step, 32 pts, unfused binary ops",
            "ms",
            t_ours * 1e3,
            f"{t_mg / t_ours:.1f}x faster than micrograd ({t_mg * 1e3:.1f} ms); "
            f"{t_ours / t_plain:.1f}x slower than plain floats ({t_plain * 1e3:.2f} ms)",
        )
    )

    def our_graph() -> autograd.Value:
        layers = unfused_mlp(autograd.Value)
        return unfused_loss(autograd.Value, layers, xs, ys)

    def their_graph() -> micrograd.engine.Value:
        layers = unfused_mlp(micrograd.engine.Value)
        return unfused_loss(micrograd.engine.Value, layers, xs, ys)

    b_ours = statistics.median(
        bytes_per_node(our_graph, lambda r: len(autograd.topological_order(r))) for _ in range(3)
    )
    b_mg = statistics.median(bytes_per_node(their_graph, micrograd_node_count) for _ in range(3))
    rows.append(
        (
            "memory per graph node (MLP step graph)",
            "bytes",
            b_ours,
            f"{b_mg / b_ours:.1f}x less than micrograd ({b_mg:.0f} bytes)",
        )
    )

    def our_chain() -> None:
        chain(autograd.Value, CHAIN).backward()

    def their_chain() -> None:
        in_big_stack(lambda: chain(micrograd.engine.Value, CHAIN).backward())

    chain_repeats = max(1, repeats // 4)
    t_ours = median_seconds(our_chain, chain_repeats)
    t_mg = median_seconds(their_chain, chain_repeats)
    rows.append(
        (
            f"{CHAIN:,}-op chain: build + backward",
            "s",
            t_ours,
            f"{t_ours / t_mg:.2f} of micrograd's time ({t_mg:.2f} s, recursion limit raised)",
        )
    )
    return rows


if __name__ == "__main__":
    sources = (run, nn_rows.rows, compiled_rows.rows, training_rows.rows, higher_rows.rows, native_rows.rows)
    workloads.main(*sources, peers.rows, end_to_end.rows)
