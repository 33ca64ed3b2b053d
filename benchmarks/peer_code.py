"""The peers' hand-written code for benchmarks/peers.py: the workloads in Python floats, NumPy and C, by hand.

Each computes what the engine's graph computes, in float64, and returns the loss (or value) and the
gradients in the engine's order of parameters (a neuron's weights, then its bias; layer by layer).
"""

from __future__ import annotations

import ctypes
import math
import os
import shutil
import subprocess
import tempfile
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # NumPy is imported by its peers only: the others' processes are timed end to end
    import numpy as np

Layers = list[tuple[list[list[float]], list[float]]]  # per layer: weights (one row per neuron) and biases


# ---- Python floats by hand ---------------------------------------------------------------------------------


def floats_mlp(layers: Layers, xs: list[list[float]], ts: list[float]) -> tuple[float, Layers]:
    """Mean squared error of a ReLU MLP with a linear output over the points, and its gradients."""
    grads = [([[0.0] * len(row) for row in w], [0.0] * len(b)) for w, b in layers]
    total, scale, last = 0.0, 2.0 / len(xs), len(layers) - 1
    for x, t in zip(xs, ts):
        acts = [x]
        for depth, (w, b) in enumerate(layers):
            z = [sum(wi * a for wi, a in zip(row, acts[-1])) + bj for row, bj in zip(w, b)]
            acts.append(z if depth == last else [v if v > 0.0 else 0.0 for v in z])
        error = acts[-1][0] - t
        total += error * error
        delta = [scale * error]
        for depth in range(last, -1, -1):
            (w, _), (gw, gb), inputs = layers[depth], grads[depth], acts[depth]
            back = [0.0] * len(inputs)
            for row, grow, j, d in zip(w, gw, range(len(delta)), delta):
                gb[j] += d
                for i, a in enumerate(inputs):
                    grow[i] += d * a
                    back[i] += d * row[i]
            delta = [g if a > 0.0 else 0.0 for g, a in zip(back, inputs)]
    return total / len(xs), grads


def floats_step(layers: Layers, xs: list[list[float]], ts: list[float], lr: float) -> float:
    """One SGD step of floats_mlp's loss, in place; the loss before it."""
    loss, grads = floats_mlp(layers, xs, ts)
    for (w, b), (gw, gb) in zip(layers, grads):
        for row, grow in zip(w, gw):
            for i, g in enumerate(grow):
                row[i] -= lr * g
        for j, g in enumerate(gb):
            b[j] -= lr * g
    return loss


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0.0 else math.exp(z) / (1.0 + math.exp(z))


def floats_russo(w: list[float], x: list[float], t: list[float], b1: float, b2: float) -> tuple[float, list[float]]:
    """½Σ(t − o)² of the 3-3-3 sigmoid network (weights w, biases fixed) and d/dw."""
    h = [sigmoid(w[3 * n] * x[0] + w[3 * n + 1] * x[1] + w[3 * n + 2] * x[2] + b1) for n in range(3)]
    o = [sigmoid(w[9 + 3 * n] * h[0] + w[10 + 3 * n] * h[1] + w[11 + 3 * n] * h[2] + b2) for n in range(3)]
    g, back = [0.0] * 18, [0.0, 0.0, 0.0]
    for n in range(3):
        d = (o[n] - t[n]) * o[n] * (1.0 - o[n])
        for i in range(3):
            g[9 + 3 * n + i] = d * h[i]
            back[i] += d * w[9 + 3 * n + i]
    for n in range(3):
        d = back[n] * h[n] * (1.0 - h[n])
        for i in range(3):
            g[3 * n + i] = d * x[i]
    return sum(0.5 * (tn - on) ** 2 for tn, on in zip(t, o)), g


def floats_chain(length: int, x: float) -> tuple[float, float]:
    """x through length tanh ops, and d out / d x by a backward pass over the stored results."""
    outs = []
    for _ in range(length):
        x = math.tanh(x)
        outs.append(x)
    g = 1.0
    for t in reversed(outs):
        g = (1.0 - t * t) * g
    return x, g


class ChainNode:
    """A node laid out as the engine's Value is (seven slots, its operand in a tuple), with no engine behind it."""

    __slots__ = ("data", "grad", "label", "local", "meta", "op", "parents")


def object_chain(length: int, x: float) -> tuple[float, float]:
    """floats_chain with a ChainNode per op, walked back from the end with a set of the nodes seen (as a
    topological sort keeps one): what a long graph costs per op through memory alone, without the engine."""
    node = ChainNode()
    node.data, node.parents = x, ()
    for _ in range(length):
        t = math.tanh(node.data)
        made = ChainNode()
        made.data, made.grad, made.local, made.parents = t, 0.0, 1.0 - t * t, (node,)
        made.op, made.label, made.meta = "tanh", None, None
        node = made
    out, seen, g = node.data, set(), 1.0
    while node.parents:
        seen.add(node)
        g = node.local * g
        node = node.parents[0]
    return out, g


# ---- the frameworks' moons MLP (jax.jit, torch eager): one place for the peers' rows and their whole processes ----


def jax_moons(jax: Any, layers: Layers, xs: list[list[float]], ts: list[float], lr: float) -> tuple[Any, Any, Any]:
    """jax.jit's SGD step of the moons MLP's mean squared error: (step(params) -> (loss, new params), params, loss)."""
    jnp = jax.numpy
    x, t = jnp.array(xs), jnp.array(ts)

    def mse(ps: list) -> Any:
        a = x
        for k, (w, b) in enumerate(ps):
            a = a @ w.T + b if k == len(ps) - 1 else jax.nn.relu(a @ w.T + b)
        return jnp.mean((a[:, 0] - t) ** 2)

    @jax.jit
    def step(ps: list) -> Any:
        value, g = jax.value_and_grad(mse)(ps)
        return value, jax.tree_util.tree_map(lambda p, q: p - lr * q, ps, g)

    return step, [(jnp.array(w), jnp.array(b)) for w, b in layers], mse


def torch_moons(torch: Any, layers: Layers, xs: list[list[float]], ts: list[float], lr: float) -> tuple[Any, Any, Any]:
    """torch eager's SGD step of the same: (step() -> the loss before it, the (w, b) tensors, loss())."""
    f64 = torch.float64
    x, t = torch.tensor(xs, dtype=f64), torch.tensor(ts, dtype=f64)
    params = [(torch.tensor(w, dtype=f64, requires_grad=True), torch.tensor(b, dtype=f64, requires_grad=True))
              for w, b in layers]  # fmt: skip

    def loss() -> Any:
        a = x
        for k, (w, b) in enumerate(params):
            a = a @ w.T + b if k == len(params) - 1 else torch.relu(a @ w.T + b)
        return ((a[:, 0] - t) ** 2).mean()

    def step() -> float:
        value = loss()
        value.backward()
        with torch.no_grad():
            for pair in params:
                for p in pair:
                    p -= lr * p.grad
                    p.grad = None
        return value.item()

    return step, params, loss


# ---- NumPy by hand -----------------------------------------------------------------------------------------


def numpy_mlp(layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray, t: np.ndarray) -> tuple[float, list]:
    """floats_mlp with a matrix product per layer: the loss and each layer's (dW, db)."""
    import numpy as np

    acts, zs = [x], []
    for depth, (w, b) in enumerate(layers):
        zs.append(acts[-1] @ w.T + b)
        acts.append(zs[-1] if depth == len(layers) - 1 else np.maximum(zs[-1], 0.0))
    error = acts[-1][:, 0] - t
    delta = (2.0 / len(t)) * error[:, None]
    grads = []
    for depth in range(len(layers) - 1, -1, -1):
        grads.append((delta.T @ acts[depth], delta.sum(axis=0)))
        if depth:
            delta = (delta @ layers[depth][0]) * (zs[depth - 1] > 0.0)
    return float(error @ error) / len(t), grads[::-1]


def numpy_russo(w: np.ndarray, x: np.ndarray, t: np.ndarray, b1: float, b2: float) -> tuple[float, np.ndarray]:
    """floats_russo with 3×3 matrix products."""
    import numpy as np

    w1, w2 = w[:9].reshape(3, 3), w[9:].reshape(3, 3)
    h = 1.0 / (1.0 + np.exp(-(w1 @ x + b1)))
    o = 1.0 / (1.0 + np.exp(-(w2 @ h + b2)))
    d2 = (o - t) * o * (1.0 - o)
    d1 = (w2.T @ d2) * h * (1.0 - h)
    return 0.5 * float((t - o) @ (t - o)), np.concatenate([np.outer(d1, x).ravel(), np.outer(d2, h).ravel()])


# ---- C by hand ---------------------------------------------------------------------------------------------

C_SOURCE = r"""
#include <math.h>
#include <stdlib.h>

/* MLP 2-16-16-1 (ReLU, ReLU, linear), mean squared error over n points, one SGD step on p (337 numbers:
   per neuron its weights, then its bias); g gets the gradients; returns the loss before the step. */
double mlp_step(const double *xs, const double *ts, int n, double *p, double *g, double lr) {
    double h1[16], h2[16], d1[16], d2[16], loss = 0.0;
    double *w1 = p, *w2 = p + 48, *w3 = p + 320, *g1 = g, *g2 = g + 48, *g3 = g + 320;
    for (int k = 0; k < 337; k++) g[k] = 0.0;
    for (int s = 0; s < n; s++) {
        const double *x = xs + 2 * s;
        for (int j = 0; j < 16; j++) {
            double z = w1[3 * j] * x[0] + w1[3 * j + 1] * x[1] + w1[3 * j + 2];
            h1[j] = z > 0.0 ? z : 0.0;
        }
        for (int j = 0; j < 16; j++) {
            double z = 0.0;
            for (int i = 0; i < 16; i++) z += w2[17 * j + i] * h1[i];
            z += w2[17 * j + 16];
            h2[j] = z > 0.0 ? z : 0.0;
        }
        double o = 0.0;
        for (int i = 0; i < 16; i++) o += w3[i] * h2[i];
        o += w3[16];
        double e = o - ts[s], d = 2.0 / n * e;
        loss += e * e;
        for (int i = 0; i < 16; i++) { g3[i] += d * h2[i]; d2[i] = h2[i] > 0.0 ? d * w3[i] : 0.0; d1[i] = 0.0; }
        g3[16] += d;
        for (int j = 0; j < 16; j++) {
            if (d2[j] == 0.0) continue;
            for (int i = 0; i < 16; i++) { g2[17 * j + i] += d2[j] * h1[i]; d1[i] += d2[j] * w2[17 * j + i]; }
            g2[17 * j + 16] += d2[j];
        }
        for (int j = 0; j < 16; j++) {
            if (h1[j] <= 0.0) continue;
            g1[3 * j] += d1[j] * x[0]; g1[3 * j + 1] += d1[j] * x[1]; g1[3 * j + 2] += d1[j];
        }
    }
    for (int k = 0; k < 337; k++) p[k] -= lr * g[k];
    return loss / n;
}

static double sig(double z) { return z >= 0.0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z)); }

/* The 3-3-3 sigmoid network, half squared error, one SGD step on its 18 weights (biases fixed). */
double russo_step(double *w, const double *x, const double *t, double b1, double b2, double *g, double lr) {
    double h[3], o[3], back[3] = {0.0, 0.0, 0.0}, loss = 0.0;
    for (int n = 0; n < 3; n++) h[n] = sig(w[3 * n] * x[0] + w[3 * n + 1] * x[1] + w[3 * n + 2] * x[2] + b1);
    for (int n = 0; n < 3; n++) o[n] = sig(w[9 + 3 * n] * h[0] + w[10 + 3 * n] * h[1] + w[11 + 3 * n] * h[2] + b2);
    for (int n = 0; n < 3; n++) {
        double d = (o[n] - t[n]) * o[n] * (1.0 - o[n]);
        loss += 0.5 * (t[n] - o[n]) * (t[n] - o[n]);
        for (int i = 0; i < 3; i++) { g[9 + 3 * n + i] = d * h[i]; back[i] += d * w[9 + 3 * n + i]; }
    }
    for (int n = 0; n < 3; n++) {
        double d = back[n] * h[n] * (1.0 - h[n]);
        for (int i = 0; i < 3; i++) g[3 * n + i] = d * x[i];
    }
    for (int k = 0; k < 18; k++) w[k] -= lr * g[k];
    return loss;
}

/* x through n tanh ops, results stored (the graph), then d out / d x by a backward pass over them. */
double tanh_chain(long n, double x, double *grad) {
    double *t = malloc(n * sizeof(double)), g = 1.0;
    for (long k = 0; k < n; k++) t[k] = x = tanh(x);
    for (long k = n - 1; k >= 0; k--) g = (1.0 - t[k] * t[k]) * g;
    free(t);
    *grad = g;
    return x;
}
"""


def compiled_c() -> ctypes.CDLL | None:
    """C_SOURCE built with the system compiler (no fast-math, no contraction), or None without one."""
    compiler = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if compiler is None:
        return None
    folder = tempfile.mkdtemp(prefix="autograd-peers-")
    source, library = os.path.join(folder, "peers.c"), os.path.join(folder, "peers.so")
    with open(source, "w") as f:
        f.write(C_SOURCE)
    flags = ["-O2", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC"]
    subprocess.run([compiler, *flags, source, "-o", library, "-lm"], check=True, capture_output=True)
    lib = ctypes.CDLL(library)
    d, p, i, n = ctypes.c_double, ctypes.POINTER(ctypes.c_double), ctypes.c_int, ctypes.c_long
    lib.mlp_step.argtypes, lib.mlp_step.restype = [p, p, i, p, p, d], d
    lib.russo_step.argtypes, lib.russo_step.restype = [p, p, p, d, d, p, d], d
    lib.tanh_chain.argtypes, lib.tanh_chain.restype = [n, d, p], d
    return lib


def doubles(values: list[float]) -> ctypes.Array:
    """A C array of doubles holding values."""
    return (ctypes.c_double * len(values))(*values)
