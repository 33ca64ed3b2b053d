"""Benchmark rows for the native reading of programs (C) against the Python replay, and for the collector's pause.

``rows(repeats)`` returns rows shaped like ``workloads.run``'s; run this file to print them. Every native row
first checks that the native and the Python readings give the same numbers, so the timing compares the same
work. Programs are built into a fresh cache directory (``workloads.main``): "first build" means a first run.
"""

from __future__ import annotations

import functools
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import autograd
import nn
from nn.training import SampleLoss

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import compiled_rows
import training_rows
import workloads

CHAIN = (10_000, 1_000_000)


def whole_batch_rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """The workload's hinge loss traced over the whole batch: one step natively against the Python replay."""
    xs, ys = workloads.dataset()
    steps = {}
    for native in (False, True):
        layers = workloads.unfused_mlp(autograd.Value)
        start = time.perf_counter()
        program = autograd.trace(lambda points, ls=layers: workloads.unfused_loss(lambda v: v, ls, points, ys), xs,
                                 native=native)  # fmt: skip
        program.backward(xs)
        built = time.perf_counter() - start
        sgd = nn.SGD(program.params, lr=compiled_rows.LR)
        steps[native] = (sgd, program, built, [_step(sgd, program, xs) for _ in range(3)])
    compiled_rows.same_training(steps[True][3], steps[False][3], "whole batch, native")
    t = {n: workloads.median_seconds(lambda s=s: _step(*s[:2], xs), repeats, loop=True) for n, s in steps.items()}
    return [
        (
            f"MLP(2,[16,16,1]) step, {workloads.POINTS} pts, whole batch traced, native (trace(native=True))",
            "ms",
            t[True] * 1e3,
            f"{t[False] / t[True]:.1f}x faster than the Python replay ({t[False] * 1e3:.2f} ms); "
            f"trace + first build {steps[True][2]:.1f} s",
        )
    ]


def _step(optimizer: nn.SGD | nn.Adam, program: autograd.Program | SampleLoss, xs: list) -> float:
    optimizer.zero_grad()
    value = program.backward(xs)
    optimizer.step()
    return value


def per_sample_rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """nn.train's loop over samples (trace_sum) on moons(100): natively against the Python loop; nn.train warm."""
    data = nn.moons(training_rows.MOONS)
    losses, t = {}, {}
    for native in (False, True):
        model = training_rows.moons_model()
        loss = SampleLoss(model, "mse", data[0])
        loss.program = autograd.trace_sum(loss.program.terms, *data[0], native=native)
        sgd = nn.SGD(model.parameters(), lr=0.1)

        def step(loss: SampleLoss = loss, sgd: nn.SGD = sgd) -> float:
            sgd.zero_grad()
            value = loss.backward(data)
            sgd.step()
            return value

        losses[native] = [step() for _ in range(3)]
        t[native] = workloads.median_seconds(step, repeats, loop=True)
    compiled_rows.same_training(losses[True], losses[False], "per sample, native")

    first = _first_run_seconds()
    nn.train(training_rows.moons_model(), data, steps=1, native=True)  # the loop of steps built into the cache
    models = [training_rows.moons_model() for _ in range(max(1, repeats // 4))]  # made before: nn.train is timed
    t_warm = workloads.median_seconds(lambda: nn.train(models.pop(), data, steps=training_rows.STEPS), len(models))
    return [
        (
            f"moons({training_rows.MOONS}) step, MLP(2,[16,16,1]), per sample, native (trace_sum)",
            "ms",
            t[True] * 1e3,
            f"{t[False] / t[True]:.1f}x faster than the Python loop over samples ({t[False] * 1e3:.2f} ms)",
        ),
        (
            f"nn.train: {training_rows.STEPS} steps, moons({training_rows.MOONS}), the native loop in the cache",
            "ms",
            t_warm * 1e3,
            f"nn.train's default (native='auto'): a cached build is used at once, trace included; a first run "
            f"(a new process, an empty cache, the build included): {first * 1e3:.0f} ms",
        ),
    ]


FIRST_RUN = """
import sys, time
sys.path.insert(0, sys.argv[1])
import nn, training_rows
data = nn.moons(training_rows.MOONS)
start = time.perf_counter()
nn.train(training_rows.moons_model(), data, steps=training_rows.STEPS)
print(time.perf_counter() - start)
"""


def _first_run_seconds() -> float:
    """nn.train's 100 moons steps in a new process with an empty cache: trace, the build if it pays, the steps."""
    with tempfile.TemporaryDirectory() as cache:
        done = subprocess.run(
            [sys.executable, "-c", FIRST_RUN, __file__.rsplit("/", 1)[0]],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "AUTOGRAD_CACHE": cache},
        )
    return float(done.stdout)


def training_loop_rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """nn.train's steps in one native loop on russo-3-3-3 (SGD, Adam), against the step-by-step loop it replaced."""
    rows = []
    per_step = 1e6 / compiled_rows.STEPS_333
    for name in ("SGD", "Adam"):
        example = nn.example("russo-3-3-3")
        same = _russo_train(example, name, True).losses, _russo_stepped(example, name)
        compiled_rows.same_training(*same, f"nn.train on russo-3-3-3 with {name}, native")
        timed = {n: functools.partial(_russo_train, example, name, n) for n in (True, False)}
        t = {n: workloads.median_seconds(run, repeats) for n, run in timed.items()}
        t_stepped = workloads.median_seconds(functools.partial(_russo_stepped, example, name), max(1, repeats // 4))
        rows.append(
            (
                f"nn.train: russo-3-3-3, {name}, {compiled_rows.STEPS_333:,} steps in one native loop, a step",
                "µs",
                t[True] * per_step,
                f"{t[False] / t[True]:.1f}x faster than the loop in Python ({t[False] * per_step:.2f} µs); "
                f"{t_stepped / t[True]:.0f}x faster than step by step ({t_stepped * per_step:.1f} µs), as before",
            )
        )
    return rows


def _russo_train(example: nn.WorkedExample, name: str, native: bool) -> nn.History:
    """nn.train's STEPS_333 steps on the example from its first parameters, with the optimizer called name."""
    example.reset()
    optimizer = getattr(nn, name)(example.network.parameters(), lr=example.learning_rate)
    samples, steps = list(example.samples), compiled_rows.STEPS_333
    return nn.train(example.network, samples, steps=steps, optimizer=optimizer, loss=example.loss, native=native)


def _russo_stepped(example: nn.WorkedExample, name: str) -> list[float]:
    """The same steps as nn.train took them before the loop: the replayed loss's backward and step(), one by one."""
    example.reset()
    optimizer = getattr(nn, name)(example.network.parameters(), lr=example.learning_rate)
    samples = list(example.samples)
    loss = SampleLoss(example.network, example.loss, samples[0])
    return [_step(optimizer, loss, samples) for _ in range(compiled_rows.STEPS_333)]


def russo_rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """One value_and_grad call of the russo-3-3-3 loss: native against the Python replay."""
    example = nn.example("russo-3-3-3")
    python = autograd.trace(lambda: example.forward().loss, native=False)
    native = autograd.trace(lambda: example.forward().loss, native=True)
    compiled_rows.same_training(list(native.value_and_grad()), list(python.value_and_grad()), "russo-3-3-3, native")
    t = {p: workloads.median_seconds(lambda p=p: [p.value_and_grad() for _ in range(1000)], repeats) / 1000
         for p in (python, native)}  # fmt: skip
    return [
        (
            "russo-3-3-3 loss: value_and_grad, native",
            "µs",
            t[native] * 1e6,
            f"{t[python] / t[native]:.1f}x faster than the Python replay ({t[python] * 1e6:.1f} µs); "
            "called as an extension module (METH_FASTCALL), not through ctypes",
        )
    ]


def descend_rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """SGD.descend's loop of steps natively: russo-3-3-3's 10,000 steps, and one step of the workload's MLP."""
    runs = {}
    for native in (False, True):
        example = nn.example("russo-3-3-3")
        program = autograd.trace(lambda example=example: example.forward().loss, native=native)
        losses = example.optimizer.descend(program, compiled_rows.STEPS_333)
        runs[native] = (example, program, losses, list(example.parameter_values().values()))
    compiled_rows.same_training(runs[True][2] + runs[True][3], runs[False][2] + runs[False][3], "descend, native")
    t = {
        native: workloads.median_seconds(lambda e=e, p=p: e.optimizer.descend(p, compiled_rows.STEPS_333), repeats)
        for native, (e, p, _, _) in runs.items()
    }
    xs, ys = workloads.dataset()
    layers = workloads.unfused_mlp(autograd.Value)
    program = autograd.trace(lambda points: workloads.unfused_loss(lambda v: v, layers, points, ys), xs, native=True)
    sgd = nn.SGD(program.params, lr=compiled_rows.LR)
    t_mlp = workloads.median_seconds(lambda: sgd.descend(program, 1, xs), repeats, loop=True)
    return [
        (
            f"russo-3-3-3: {compiled_rows.STEPS_333:,} steps of SGD.descend, native",
            "ms",
            t[True] * 1e3,
            f"{t[False] / t[True]:.1f}x faster than the Python loop ({t[False] * 1e3:.1f} ms): "
            f"{t[True] / compiled_rows.STEPS_333 * 1e6:.2f} µs a step",
        ),
        (
            f"MLP(2,[16,16,1]) step, {workloads.POINTS} pts, whole batch, SGD.descend(program, 1), native",
            "ms",
            t_mlp * 1e3,
            "the update in C too; the parameters handed over and back each call",
        ),
    ]


def chain_rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """µs per op of a tanh chain at 10⁴ and 10⁶ ops, with the cyclic collector running and paused; bytes a node."""
    rows = []
    for paused in (False, True):
        # medians of three at both lengths, each of 10⁶ ops in all (workloads.chained)
        small, large = (statistics.median(workloads.chain(n, paused)[0] for _ in range(3)) for n in CHAIN)
        how = "inside autograd.collector_paused()" if paused else "the collector running"
        rows.append(
            (
                f"tanh chain build + backward at {CHAIN[1]:,} ops, {how}",
                "µs/op",
                large * 1e6,
                f"{large / small:.2f}x its time per op at {CHAIN[0]:,} ops ({small * 1e6:.2f} µs)",
            )
        )
    gc.collect()
    tracemalloc.start()
    x = autograd.Value(0.5)
    for _ in range(100_000):
        x = x.tanh()
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    rows.append(("memory per node of a tanh chain", "bytes", used / 100_001, "a Value, its operands and derivatives"))
    return rows


def rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """Measure every row: (what, unit, this engine's number, comparison text)."""
    rows = [*whole_batch_rows(repeats), *descend_rows(repeats), *per_sample_rows(repeats), *russo_rows(repeats)]
    rows += training_loop_rows(repeats)
    return rows + chain_rows(repeats)


if __name__ == "__main__":
    workloads.main(rows)
