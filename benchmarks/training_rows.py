"""Benchmark rows for training as a user meets it: nn.train's default (traced per sample, replayed) end to end.

``rows(repeats)`` returns rows shaped like ``workloads.run``'s; run this file to print them. Rows that time
two ways of training first check that both give the same numbers, so the timing compares the same work.
"""

from __future__ import annotations

import subprocess
import sys
import time

import autograd
import nn
from nn.training import batch_loss, replayed_loss

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import compiled_rows
import demo_loop
import nn_rows
import plain_mlp
import workloads

MOONS = 100
STEPS = 100
DEMO_STEPS = 10
DEMO = __file__.rsplit("/", 1)[0] + "/demo_loop.py"


def moons_model() -> nn.MLP:
    return nn.MLP(2, [16, 16, 1], seed=0)


def trace_rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """Tracing the moons loss per sample, against dynamic steps; 100 steps end to end, against dynamic."""
    data = nn.moons(MOONS)
    model = moons_model()
    optimizer = nn.SGD(model.parameters(), lr=0.1)

    def dynamic_step() -> None:
        optimizer.zero_grad()
        batch_loss(model, data, "mse").backward()
        optimizer.step()

    t_trace = workloads.median_seconds(lambda: replayed_loss(model, "mse", data, None), repeats)
    t_step = workloads.median_seconds(dynamic_step, repeats, loop=True)
    start = time.perf_counter()
    autograd.trace(lambda xs, ts: batch_loss(model, [nn.Sample(x, t) for x, t in zip(xs, ts)], "mse"), *_columns(data))
    t_whole = time.perf_counter() - start  # once: it takes about as long as 40 dynamic steps

    def train(compiled: bool | str) -> nn.History:
        return nn.train(moons_model(), data, steps=STEPS, compiled=compiled)

    compiled_rows.same_training(train("auto").losses, train(False).losses, "nn.train on moons")
    t_auto = workloads.median_seconds(lambda: train("auto"), max(1, repeats // 4))
    t_dynamic = workloads.median_seconds(lambda: train(False), max(1, repeats // 7))
    return [
        (
            f"trace of the moons({MOONS}) mse loss, one sample (trace_sum)",
            "ms",
            t_trace * 1e3,
            f"as long as {t_trace / t_step:.2f} dynamic steps ({t_step * 1e3:.1f} ms each); "
            f"the whole batch traced (autograd.trace): {t_whole * 1e3:.0f} ms",
        ),
        (
            f"nn.train: {STEPS} steps, MLP(2,[16,16,1]), moons({MOONS}), trace included",
            "ms",
            t_auto * 1e3,
            f"{t_dynamic / t_auto:.1f}x faster than compiled=False, the dynamic engine ({t_dynamic * 1e3:.0f} ms)",
        ),
    ]


def replay_row(repeats: int) -> list[tuple[str, str, float, str]]:
    """One replayed step per sample on the workload's points, against the whole-batch program and plain floats."""
    xs, ys = workloads.dataset()
    samples = [nn.Sample(tuple(x), (y,)) for x, y in zip(xs, ys)]
    model, dynamic = nn_rows.our_mlp(), nn_rows.our_mlp()
    optimizer, dynamic_optimizer = nn.SGD(model.parameters(), lr=0.01), nn.SGD(dynamic.parameters(), lr=0.01)
    replay, _ = replayed_loss(model, "hinge", samples, None)
    assert replay is not None

    def step() -> float:
        optimizer.zero_grad()
        value = replay.backward(samples)
        optimizer.step()
        return value

    losses = [step() for _ in range(3)]
    compiled_rows.same_training(
        losses, [nn_rows.our_step(dynamic, dynamic_optimizer, samples) for _ in range(3)], "hinge"
    )
    whole = compiled_rows.mlp_program(workloads.unfused_mlp(autograd.Value), ys)
    plain = plain_mlp.PlainMLP(workloads.SIZES, seed=1)
    t_step = workloads.median_seconds(step, repeats, loop=True)
    whole_sgd = nn.SGD(whole.params, lr=0.01)
    t_whole = workloads.median_seconds(lambda: whole_sgd.descend(whole, 1, xs), repeats, loop=True)
    t_plain = workloads.median_seconds(lambda: plain.hinge_step(xs, ys, 0.01), repeats, loop=True)
    return [
        (
            f"MLP(2,[16,16,1]) step, {workloads.POINTS} pts, replayed per sample (nn.train)",
            "ms",
            t_step * 1e3,
            f"{t_whole / t_step:.1f}x faster than the whole batch traced ({t_whole * 1e3:.2f} ms); "
            f"{t_plain / t_step:.1f}x faster than plain floats ({t_plain * 1e3:.2f} ms)",
        )
    ]


def process_seconds(engine: str) -> tuple[float, str]:
    """Wall time of demo_loop.py as a whole process, and the loss it printed."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, DEMO, engine, str(DEMO_STEPS)], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout.strip()


def process_rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """micrograd's demo loop as whole processes: this project's Value behind its nn.py, and nn, against it."""
    t_mg, loss_mg = process_seconds("micrograd")
    rows = []
    for engine, what in (("value", "this Value behind micrograd's nn.py"), ("nn", "nn.MLP + nn.train")):
        t, loss = process_seconds(engine)
        if abs(float(loss) - float(loss_mg)) > 1e-9:
            raise RuntimeError(f"training_rows: {engine} ends at loss {loss}, micrograd at {loss_mg}")
        rows.append(
            (
                f"micrograd's demo, {DEMO_STEPS} steps, {demo_loop.POINTS} pts, whole process: {what}",
                "s",
                t,
                f"{t_mg / t:.1f}x faster than micrograd's own process ({t_mg:.2f} s)",
            )
        )
    return rows


def rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """Measure every row: (what, unit, this engine's number, comparison text)."""
    return [*trace_rows(repeats), *replay_row(repeats), *process_rows(repeats)]


def _columns(samples: list[nn.Sample]) -> tuple[list[tuple[float, ...]], list[tuple[float, ...]]]:
    return [s.inputs for s in samples], [s.targets for s in samples]


if __name__ == "__main__":
    workloads.main(rows)
