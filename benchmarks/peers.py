"""Peers side by side in one run (issue 22's table): the engine's default path against jax.jit, torch eager,
torch's hessian, and hand-written Python floats, NumPy and C, on four workloads.

Before anything is timed, every peer's loss (or value) and gradients are checked equal to the engine's to
PRECISION relative (a gradient relative to the largest of its workload's): the rows compare the same work.
A peer missing on this machine (jax, torch, a C compiler) is skipped with a note. In each row a peer's time is
followed by (xR), its time over the engine's: under 1, the peer is faster. Run alone: ``python
benchmarks/peers.py``.
"""

from __future__ import annotations

import copy
import ctypes
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd
import nn
from autograd import Value
from nn.training import SampleLoss, batch_loss

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import higher_rows
import peer_code
import workloads

PRECISION = 2e-15
MOONS, MOONS_LR = 100, 0.1
CHAINS = (10_000, 1_000_000)
TORCH_TANH = "torch's tanh is not libm's (an ulp apart at a third of the chain's points): checked to an ulp per op"
Peer = tuple[str, Callable[[], Any]]  # a name and one step (or one whole computation) to time


Result = tuple[float, list[float]]  # a value (a loss) and its gradients


def same(what: str, peer: str, ours: Result, theirs: Result, precision: float = PRECISION) -> None:
    """RuntimeError unless the peer's value and gradients are the engine's to precision (relative)."""
    (value, grads), (their_value, their_grads) = ours, theirs
    scale = max(abs(g) for g in grads) or 1.0
    worst = max(abs(a - float(b)) for a, b in zip(grads, their_grads)) / scale
    if len(grads) != len(their_grads) or abs(value - their_value) > precision * abs(value) or worst > precision:
        raise RuntimeError(
            f"peers: {what}: {peer} gives {their_value!r} and gradients {worst:.2g} apart (relative), the engine "
            f"{value!r}; the timing would compare different work"
        )


def flat(pairs: Any) -> list[float]:
    """Per layer (weights, biases) as the engine orders parameters: each neuron's weights, then its bias."""
    out: list[float] = []
    for w, b in pairs:
        w, b = np.asarray(w), np.asarray(b)
        for j in range(len(b)):
            out += [float(v) for v in w[j]]
            out.append(float(b[j]))
    return out


def optional(name: str) -> Any:
    """The module, or None if it is not installed here (the peer is then skipped with a note)."""
    try:
        module = __import__(name)
    except ImportError:
        return None
    if name == "jax":
        module.config.update("jax_enable_x64", True)  # float64, as the engine
    return module


def row(what: str, unit: str, ours: float, peers: list[Peer], repeats: int, notes: list[str]) -> workloads.Row:
    """The engine's time and each peer's (timed back to back, as a training loop runs), in unit."""
    scale = {"µs": 1e6, "ms": 1e3, "µs/op": 1e6}[unit]
    cells = []
    for name, run in peers:
        t = workloads.median_seconds(run, repeats, loop=True)
        cells.append(f"{name} {t * scale:.3g} (x{t / ours:.2g})")
    return what, unit, ours * scale, "; ".join(cells + notes)


# ---- the moons MLP: one step of nn.train's default -----------------------------------------------------------


def moons_problem() -> tuple[nn.MLP, list[nn.Sample], peer_code.Layers, list[list[float]], list[float]]:
    """micrograd's moons demo as this project trains it: MLP(2, [16, 16, 1]) (ReLU), mean squared error, SGD."""
    model, data = nn.MLP(2, [16, 16, 1], seed=0), nn.moons(MOONS)
    layers = [
        ([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons]) for layer in model.layers
    ]
    return model, data, layers, [list(s.inputs) for s in data], [s.targets[0] for s in data]


def per_step(train: Callable[[int], object], steps: int, repeats: int) -> float:
    """Seconds per step of train(steps + 1) beyond train(1): the one-time work (trace, a build) taken out."""
    short = workloads.median_seconds(lambda: train(1), repeats)
    long = workloads.median_seconds(lambda: train(steps + 1), max(1, repeats // 4))
    return (long - short) / steps


def warm_cache(make: Callable[[], tuple[nn.MLP, dict[str, Any]]], samples: Sequence[nn.Sample]) -> None:
    """nn.train's native builds cached (its loop of steps, its per-sample program), as an earlier run leaves them."""
    model, options = make()
    nn.train(model, samples, steps=2, progress=False, native=True, **options)
    sample_loss = SampleLoss(model, options.get("loss", "mse"), samples[0])
    sample_loss.program = autograd.trace_sum(sample_loss.program.terms, *samples[0], native=True)
    sample_loss.backward(samples)


def default_per_step(
    make: Callable[[], tuple[nn.MLP, dict[str, Any]]], samples: Sequence[nn.Sample], steps: int, repeats: int
) -> tuple[float, float]:
    """Seconds per step of nn.train(*make()) replayed in Python (a first run's short script) and by default, cached.

    steps: enough that the steps' time stands well above the jitter of a call's trace (a few ms).
    """

    def train(n: int, native: bool | str = "auto") -> object:
        model, options = make()
        return nn.train(model, samples, steps=n, progress=False, native=native, **options)

    python = per_step(lambda n: train(n, native=False), steps, max(3, repeats // 4))
    warm_cache(make, samples)
    return python, per_step(train, steps, repeats)


def moons_rows(repeats: int) -> list[workloads.Row]:
    """One SGD step of the moons MLP over 100 points: nn.train's default against every peer."""
    model, data, layers, xs, ts = moons_problem()
    loss = batch_loss(model, data, "mse")
    loss.backward()
    ours = (loss.data, [p.grad for p in model.parameters()])
    make = lambda: (nn.MLP(2, [16, 16, 1], seed=0), {"lr": MOONS_LR})  # noqa: E731
    first, ours_time = default_per_step(make, data, 1000, repeats)
    peers, notes = [], [f"this project replayed in Python (a first run's) {first * 1e6:.3g} (x{first / ours_time:.2g})"]
    for name, make_peer in (
        ("jax.jit", jax_moons),
        ("torch eager", torch_moons),
        ("numpy by hand", numpy_moons),
        ("floats by hand", floats_moons),
        ("C by hand", c_moons),
    ):
        made = make_peer(copy.deepcopy(layers), xs, ts)
        if isinstance(made, str):
            notes.append(f"{name}: {made}")
            continue
        same("moons step", name, ours, made[0])
        peers.append((name, made[1]))
    what = f"moons({MOONS}) MLP(2,[16,16,1]) SGD step, nn.train (default, native build cached)"
    return [row(what, "µs", ours_time, peers, repeats, notes)]


def jax_moons(layers: peer_code.Layers, xs: list, ts: list) -> Any:
    jax = optional("jax")
    if jax is None:
        return "jax is not installed"
    step, params, mse = peer_code.jax_moons(jax, layers, xs, ts, MOONS_LR)
    value, grads = jax.jit(jax.value_and_grad(mse))(params)
    state = [params]

    def run() -> None:
        _, state[0] = step(state[0])
        jax.block_until_ready(state[0])

    return (float(value), flat(grads)), run


def torch_moons(layers: peer_code.Layers, xs: list, ts: list) -> Any:
    torch = optional("torch")
    if torch is None:
        return "torch is not installed"
    step, params, loss = peer_code.torch_moons(torch, layers, xs, ts, MOONS_LR)
    first = loss()
    first.backward()
    grads = flat([(w.grad, b.grad) for w, b in params])
    for pair in params:
        for p in pair:
            p.grad = None
    return (first.item(), grads), step


def numpy_moons(layers: peer_code.Layers, xs: list, ts: list) -> Any:
    params = [(np.array(w), np.array(b)) for w, b in layers]
    x, t = np.array(xs), np.array(ts)
    value, grads = peer_code.numpy_mlp(params, x, t)

    def run() -> float:
        value, grads = peer_code.numpy_mlp(params, x, t)
        for (w, b), (gw, gb) in zip(params, grads):
            w -= MOONS_LR * gw
            b -= MOONS_LR * gb
        return value

    return (value, flat(grads)), run


def floats_moons(layers: peer_code.Layers, xs: list, ts: list) -> Any:
    value, grads = peer_code.floats_mlp(layers, xs, ts)
    return (value, flat(grads)), lambda: peer_code.floats_step(layers, xs, ts, MOONS_LR)


def c_moons(layers: peer_code.Layers, xs: list, ts: list) -> Any:
    lib = peer_code.compiled_c()
    if lib is None:
        return "no C compiler"
    p, g = peer_code.doubles(flat(layers)), peer_code.doubles([0.0] * 337)
    x, t = peer_code.doubles([v for point in xs for v in point]), peer_code.doubles(ts)
    value = lib.mlp_step(x, t, len(ts), p, g, 0.0)  # a step of rate 0: the loss and gradients only
    grads = list(g)
    return (value, grads), lambda: lib.mlp_step(x, t, len(ts), p, g, MOONS_LR)


# ---- the 3-3-3 tutorial network: one SGD step, and the Hessian of its loss -----------------------------------


def russo_ours() -> tuple[float, list[float]]:
    """The engine's loss and gradients of the 3-3-3 network's weights (the dynamic engine)."""
    w = [Value(x) for x in higher_rows.START]
    loss = higher_rows.our_loss(*w)
    loss.backward()
    return loss.data, [v.grad for v in w]


def russo_rows(repeats: int) -> list[workloads.Row]:
    """One SGD step of the 3-3-3 network (nn.train's default; SGD.descend's loop) against every peer."""
    ours = russo_ours()
    lr = higher_rows.EXAMPLE.learning_rate

    def make() -> tuple[nn.MLP, dict[str, Any]]:
        example = nn.example("russo-3-3-3")
        return example.network, {"optimizer": example.optimizer, "loss": example.loss}

    first, ours_time = default_per_step(make, higher_rows.EXAMPLE.samples, 20_000, repeats)
    example = nn.example("russo-3-3-3")
    program = autograd.trace(lambda: example.forward().loss)
    descend = workloads.median_seconds(lambda: example.optimizer.descend(program, 10_000), repeats) / 10_000
    peers, notes = (
        [],
        [
            f"this project replayed in Python (a first run's) {first * 1e6:.3g} (x{first / ours_time:.2g})",
            f"this project inside SGD.descend(10000) {descend * 1e6:.3g} (x{descend / ours_time:.2g})",
        ],
    )
    for name, make_peer in (
        ("jax.jit", jax_russo),
        ("torch eager", torch_russo),
        ("numpy by hand", numpy_russo),
        ("floats by hand", floats_russo),
        ("C by hand", c_russo),
    ):
        made = make_peer(list(higher_rows.START), lr)
        if isinstance(made, str):
            notes.append(f"{name}: {made}")
            continue
        same("3-3-3 step", name, ours, made[0])
        peers.append((name, made[1]))
    return [
        row("russo-3-3-3 SGD step, nn.train (default, native build cached)", "µs", ours_time, peers, repeats, notes)
    ]


def _russo_numbers() -> tuple[list[float], list[float], float, float]:
    return list(higher_rows.INPUTS), list(higher_rows.TARGETS), higher_rows.B1, higher_rows.B2


def framework_loss(array: Callable[[list[float]], Any], sigmoid: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The 3-3-3 loss of its 18 weights with a framework's float64 arrays and sigmoid (jax.numpy's, torch's)."""
    inputs, targets, b1, b2 = _russo_numbers()
    x, t = array(inputs), array(targets)

    def loss(w: Any) -> Any:
        h = sigmoid(w[:9].reshape(3, 3) @ x + b1)
        o = sigmoid(w[9:].reshape(3, 3) @ h + b2)
        return 0.5 * ((t - o) ** 2).sum()

    return loss


def jax_loss(jax: Any) -> Callable[[Any], Any]:
    return framework_loss(jax.numpy.array, jax.nn.sigmoid)


def jax_russo(w: list[float], lr: float) -> Any:
    jax = optional("jax")
    if jax is None:
        return "jax is not installed"
    loss = jax_loss(jax)

    @jax.jit
    def step(w: Any) -> Any:
        value, g = jax.value_and_grad(loss)(w)
        return value, w - lr * g

    value, grads = jax.jit(jax.value_and_grad(loss))(jax.numpy.array(w))
    state = [jax.numpy.array(w)]

    def run() -> None:
        _, state[0] = step(state[0])
        state[0].block_until_ready()

    return (float(value), [float(g) for g in grads]), run


def torch_loss(torch: Any) -> Callable[[Any], Any]:
    return framework_loss(lambda v: torch.tensor(v, dtype=torch.float64), torch.sigmoid)


def torch_russo(w: list[float], lr: float) -> Any:
    torch = optional("torch")
    if torch is None:
        return "torch is not installed"
    loss = torch_loss(torch)
    weights = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    first = loss(weights)
    first.backward()
    grads = [float(g) for g in weights.grad]
    weights.grad = None

    def run() -> float:
        value = loss(weights)
        value.backward()
        with torch.no_grad():
            weights.sub_(lr * weights.grad)
            weights.grad = None
        return value.item()

    return (first.item(), grads), run


def numpy_russo(w: list[float], lr: float) -> Any:
    inputs, targets, b1, b2 = _russo_numbers()
    weights, x, t = np.array(w), np.array(inputs), np.array(targets)
    value, grads = peer_code.numpy_russo(weights, x, t, b1, b2)

    def run() -> float:
        value, grads = peer_code.numpy_russo(weights, x, t, b1, b2)
        weights[:] -= lr * grads
        return value

    return (value, list(grads)), run


def floats_russo(w: list[float], lr: float) -> Any:
    x, t, b1, b2 = _russo_numbers()

    def run() -> float:
        value, grads = peer_code.floats_russo(w, x, t, b1, b2)
        for k, g in enumerate(grads):
            w[k] -= lr * g
        return value

    return peer_code.floats_russo(w, x, t, b1, b2), run


def c_russo(w: list[float], lr: float) -> Any:
    lib = peer_code.compiled_c()
    if lib is None:
        return "no C compiler"
    inputs, targets, b1, b2 = _russo_numbers()
    weights, g = peer_code.doubles(w), peer_code.doubles([0.0] * 18)
    x, t = peer_code.doubles(inputs), peer_code.doubles(targets)
    value = lib.russo_step(weights, x, t, b1, b2, g, 0.0)
    return (value, list(g)), lambda: lib.russo_step(weights, x, t, b1, b2, g, lr)


def hessian_rows(repeats: int) -> list[workloads.Row]:
    """The 18×18 Hessian of the 3-3-3 loss replayed (autograd.trace_hessian) against torch's and jax.jit's."""
    loss, start = higher_rows.our_loss, higher_rows.START
    first = autograd.trace_hessian(loss, start, native=False)  # what a first run replays until a build pays
    began = time.perf_counter()
    autograd.trace_hessian(loss, start, native=True)(start)  # its native build, into the cache
    built = time.perf_counter() - began
    program = autograd.trace_hessian(loss, start)  # the default (native="auto"), the build in the cache
    ours = [h for r in program(start) for h in r]
    for _ in range(3):  # "auto" times both readings once and keeps the faster
        program(start)
    same("Hessian", "autograd.hessian", (0.0, [h for r in autograd.hessian(loss, start) for h in r]), (0.0, ours))
    # back to back, as row() times the peers (a full collection before each call would leave its caches cold)
    t_ours = workloads.median_seconds(lambda: program(start), repeats, loop=True)
    t_first = workloads.median_seconds(lambda: first(start), repeats, loop=True)
    t_dynamic = workloads.median_seconds(lambda: autograd.hessian(loss, start), repeats, loop=True)
    peers, notes = (
        [],
        [
            f"first run (Python replay) {t_first * 1e6:.3g} (x{t_first / t_ours:.2g})",
            f"autograd.hessian {t_dynamic * 1e6:.3g} (x{t_dynamic / t_ours:.2g})",
        ],
    )
    torch, jax = optional("torch"), optional("jax")
    if torch is None:
        notes.append("torch is not installed")
    else:
        torch_loss_, w = torch_loss(torch), torch.tensor(start, dtype=torch.float64)
        hess = lambda: torch.autograd.functional.hessian(torch_loss_, w, vectorize=True)  # noqa: E731
        same("Hessian", "torch hessian(vectorize=True)", (0.0, ours), (0.0, hess().flatten().tolist()))
        peers.append(("torch hessian(vectorize=True)", hess))
    if jax is None:
        notes.append("jax is not installed")
    else:
        x = jax.numpy.array(start)
        compiled = jax.jit(jax.hessian(jax_loss(jax)))
        same("Hessian", "jax.jit(jax.hessian)", (0.0, ours), (0.0, np.asarray(compiled(x)).ravel().tolist()))
        peers.append(("jax.jit(jax.hessian)", lambda: compiled(x).block_until_ready()))
    reading = program.program.readings()["gradient"]
    what = f"russo-3-3-3 loss: Hessian 18×18, autograd.trace_hessian (default: {reading}, build cached)"
    notes.append(f"trace and native build once: {built * 1e3:.0f} ms; no hand-written Hessian")
    return [row(what, "µs", t_ours, peers, repeats, notes)]


# ---- a chain of tanh ops: building and differentiating a long graph ------------------------------------------


PAUSED_OBJECT_CHAIN = autograd.collector_paused()(peer_code.object_chain)


def chain_rows(repeats: int) -> list[workloads.Row]:
    """µs per op of a tanh chain at 10⁴ and 10⁶ ops: the engine against torch's scalar tensors, floats and C.

    Plain objects laid out as a Value (peer_code.object_chain) show what the graph's size costs without the engine.
    """
    rows, torch, lib = [], optional("torch"), peer_code.compiled_c()
    for length in CHAINS:
        times = 3  # medians of three at both lengths, each of 10⁶ ops in all (workloads.chained)
        runs = [workloads.chain(length) for _ in range(times)]
        t_ours, (_, out, grad) = statistics.median(t for t, _, _ in runs), runs[0]
        t_paused = statistics.median(workloads.chain(length, paused=True)[0] for _ in range(times))
        peers: list[Peer] = [
            ("floats by hand", lambda n=length: peer_code.floats_chain(n, 0.5)),
            ("plain objects as Values", lambda n=length: peer_code.object_chain(n, 0.5)),
            ("the same collector_paused()", lambda n=length: PAUSED_OBJECT_CHAIN(n, 0.5)),
        ]
        notes = [f"this project inside collector_paused() {t_paused * 1e6:.3g} (x{t_paused / t_ours:.2g})"]
        notes.append(TORCH_TANH if torch else "torch is not installed")
        if torch:
            peers.append(("torch scalar tensors", lambda n=length: torch_chain(torch, n)))
        if lib:
            peers.append(("C by hand", lambda n=length: c_chain(lib, n)))
        else:
            notes.append("C by hand: no C compiler")
        cells = []
        for name, run in peers:
            precision = length * 2.0**-53 if name.startswith("torch") else PRECISION  # see TORCH_TANH
            same(f"tanh chain of {length}", name, (out, [grad]), (lambda r: (r[0], [r[1]]))(run()), precision)
            t = statistics.median(_seconds(run, workloads.chained(length)) for _ in range(times)) / length
            cells.append(f"{name} {t * 1e6:.3g} (x{t / t_ours:.2g})")
        rows.append((f"tanh chain build + backward, {length:,} ops", "µs/op", t_ours * 1e6, "; ".join(cells + notes)))
    return rows


def c_chain(lib: ctypes.CDLL, length: int) -> tuple[float, float]:
    grad = ctypes.c_double()
    return lib.tanh_chain(length, 0.5, ctypes.byref(grad)), grad.value


def torch_chain(torch: Any, length: int) -> tuple[float, float]:
    x = y = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    for _ in range(length):
        y = y.tanh()
    y.backward()
    return y.item(), x.grad.item()


def _seconds(run: Callable[[], object], count: int) -> float:
    """Seconds a run takes, run count times back to back after a full collection."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(count):
        run()
    return (time.perf_counter() - start) / count


def rows(repeats: int) -> list[workloads.Row]:
    """Every workload's row: (what, unit, this engine's number, the peers' numbers)."""
    return [*moons_rows(repeats), *russo_rows(repeats), *hessian_rows(repeats), *chain_rows(repeats)]


if __name__ == "__main__":
    workloads.main(rows)
