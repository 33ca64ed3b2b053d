"""Benchmark rows for autograd.compiled: traced training against micrograd, plain floats and the dynamic engine.

``rows(repeats)`` returns rows shaped like ``workloads.run``'s; run this file to print them. Each row first
checks that the compiled training gives the dynamic engine's numbers exactly, so the timing compares
the same work.
"""

from __future__ import annotations

import sys

import micrograd.engine

import autograd
import nn

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import plain_mlp
import workloads

LR = 0.01
STEPS_333 = 10_000


def mlp_program(layers: list, ys: list[float]) -> autograd.Program:
    """the workload's hinge loss over the points, traced with the points as the argument."""
    xs, _ = workloads.dataset()
    return autograd.trace(lambda points: workloads.unfused_loss(lambda v: v, layers, points, ys), xs, native=False)


def parameters(layers: list) -> list[float]:
    """Every weight and bias of the workload's MLP layers."""
    return [p.data for layer in layers for neuron in layer for p in neuron]


def same_training(compiled: list[float], dynamic: list[float], what: str) -> None:
    """Raise unless the two runs computed the same numbers (a timing of different work would mislead)."""
    if compiled != dynamic:
        raise RuntimeError(f"compiled_rows: {what}: the compiled and dynamic runs differ; the timing would mislead")


def rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """Measure every row: (what, unit, the compiled program's number, comparison text)."""
    xs, ys = workloads.dataset()

    ours, dynamic = workloads.unfused_mlp(autograd.Value), workloads.unfused_mlp(autograd.Value)
    program = mlp_program(ours, ys)
    sgd = nn.SGD(program.params, lr=LR)
    losses = [sgd.descend(program, 1, xs)[0] for _ in range(3)]
    same_training(losses, [workloads.unfused_step(autograd.Value, dynamic, xs, ys, LR) for _ in range(3)], "MLP")
    same_training(parameters(ours), parameters(dynamic), "MLP parameters")
    theirs = workloads.unfused_mlp(micrograd.engine.Value)
    plain = plain_mlp.PlainMLP(workloads.SIZES, seed=1)
    t_ours = workloads.median_seconds(lambda: sgd.descend(program, 1, xs), repeats, loop=True)
    t_plain = workloads.median_seconds(lambda: plain.hinge_step(xs, ys, LR), repeats, loop=True)
    t_mg = workloads.median_seconds(
        lambda: workloads.unfused_step(micrograd.engine.Value, theirs, xs, ys), repeats, loop=True
    )

    compiled, dynamic_example = nn.example("russo-3-3-3"), nn.example("russo-3-3-3")
    doc = autograd.trace(lambda: compiled.forward().loss, native=False)  # the Python replay (native_rows: C)

    def train_compiled() -> list[float]:
        return compiled.optimizer.descend(doc, STEPS_333)

    def train_dynamic() -> list[float]:
        return [dynamic_example.step().loss.data for _ in range(STEPS_333)]

    same_training(train_compiled(), train_dynamic(), "russo-3-3-3")
    same_training(
        list(compiled.parameter_values().values()),
        list(dynamic_example.parameter_values().values()),
        "russo-3-3-3 parameters",
    )
    long_repeats = max(1, repeats // 4)
    t_doc = workloads.median_seconds(train_compiled, long_repeats, loop=True)
    t_doc_dynamic = workloads.median_seconds(train_dynamic, long_repeats, loop=True)
    return [
        (
            f"MLP(2,[16,16,1]) step, {workloads.POINTS} pts, traced once (autograd.trace)",
            "ms",
            t_ours * 1e3,
            f"{t_mg / t_ours:.0f}x faster than micrograd ({t_mg * 1e3:.1f} ms); "
            f"{t_plain / t_ours:.1f}x faster than plain floats ({t_plain * 1e3:.2f} ms)",
        ),
        (
            f"russo-3-3-3: {STEPS_333:,} steps, traced once (autograd.trace)",
            "ms",
            t_doc * 1e3,
            f"{t_doc_dynamic / t_doc:.1f}x faster than the dynamic engine, "
            f"nn.example(...).step() ({t_doc_dynamic * 1e3:.0f} ms)",
        ),
    ]


if __name__ == "__main__":
    workloads.main(rows)
