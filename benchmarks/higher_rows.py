"""Benchmark rows for derivatives of derivatives and forward mode: the Russo network's Hessian against
PyTorch's, and a jvp against one backward pass, in one run.

``rows(repeats)`` returns rows shaped like ``workloads.run``'s; run this file to print them.
"""

from __future__ import annotations

import sys

import autograd
import nn
from autograd import Value, weighted_sum

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import workloads

EXAMPLE = nn.example("russo-3-3-3")
START = [EXAMPLE[f"w{i}"].data for i in range(1, 19)]  # the document's 18 weights
INPUTS, TARGETS = EXAMPLE.samples[0].inputs, EXAMPLE.samples[0].targets
B1, B2 = EXAMPLE["b1"].data, EXAMPLE["b2"].data


def our_loss(*w: Value) -> Value:
    """The document's E_total as a function of its 18 weights (biases fixed, as the document trains)."""
    hidden = [weighted_sum(w[3 * n : 3 * n + 3], INPUTS, B1).sigmoid() for n in range(3)]
    outs = [weighted_sum(w[9 + 3 * n : 12 + 3 * n], hidden, B2).sigmoid() for n in range(3)]
    return autograd.sum_values([0.5 * (t - o) ** 2 for t, o in zip(TARGETS, outs)])


def rows(repeats: int) -> list[tuple[str, str, float, str]]:
    """Measure every row: (what, unit, this engine's number, comparison text)."""
    found = []
    t_ours = workloads.median_seconds(lambda: autograd.hessian(our_loss, START), repeats)
    found.append(("russo-3-3-3 loss: Hessian of 18 weights", "ms", t_ours * 1e3, _against_torch(t_ours, repeats)))
    tangent = [1.0] * len(START)
    t_jvp = workloads.median_seconds(lambda: autograd.jvp(our_loss, START, tangent), repeats)

    def backward() -> None:
        our_loss(*(Value(x) for x in START)).backward()

    t_back = workloads.median_seconds(backward, repeats)
    found.append(
        (
            "russo-3-3-3 loss: jvp (forward mode), 18 weights",
            "ms",
            t_jvp * 1e3,
            f"{t_jvp / t_back:.2f} of one forward + backward pass ({t_back * 1e3:.3f} ms)",
        )
    )
    return found + replayed_rows(repeats, t_ours, t_jvp)


def replayed_rows(repeats: int, t_hessian: float, t_jvp: float) -> list[tuple[str, str, float, str]]:
    """The Hessian and the jvp traced once and replayed in Python (native=False), against the dynamic ones.

    The Hessian is float for float the dynamic one; the jvp is summed in another order (equal to 1e-12)."""
    hessian = autograd.trace_hessian(our_loss, START, native=False)
    jvp = autograd.trace_jvp(our_loss, START, native=False)
    tangent = [1.0] * len(START)
    replayed, dynamic = jvp(START, tangent), autograd.jvp(our_loss, START, tangent)
    if (
        hessian(START) != autograd.hessian(our_loss, START)
        or max(abs(a - b) for a, b in zip(replayed, dynamic)) > 1e-12
    ):
        raise RuntimeError("higher_rows: a replayed Hessian or jvp differs from the dynamic one")
    t_replayed = workloads.median_seconds(lambda: hessian(START), repeats)
    t_along = workloads.median_seconds(lambda: jvp(START, tangent), repeats)
    return [
        (
            "russo-3-3-3 loss: Hessian, autograd.trace_hessian, Python replay",
            "ms",
            t_replayed * 1e3,
            f"{t_hessian / t_replayed:.1f}x faster than autograd.hessian ({t_hessian * 1e3:.2f} ms)",
        ),
        (
            "russo-3-3-3 loss: jvp, autograd.trace_jvp, Python replay",
            "ms",
            t_along * 1e3,
            f"{t_jvp / t_along:.1f}x faster than autograd.jvp ({t_jvp * 1e3:.3f} ms)",
        ),
    ]


def _against_torch(t_ours: float, repeats: int) -> str:
    try:
        import torch
    except ImportError:
        return "PyTorch is not installed: no comparison"
    x, t = torch.tensor(INPUTS, dtype=torch.float64), torch.tensor(TARGETS, dtype=torch.float64)

    def loss(w):
        h = torch.sigmoid(w[:9].reshape(3, 3) @ x + B1)
        o = torch.sigmoid(w[9:].reshape(3, 3) @ h + B2)
        return 0.5 * ((t - o) ** 2).sum()

    start = torch.tensor(START, dtype=torch.float64)
    theirs = torch.autograd.functional.hessian(loss, start)
    ours = autograd.hessian(our_loss, START)
    worst = max(abs(ours[i][j] - theirs[i, j].item()) for i in range(18) for j in range(18))
    if worst > 1e-12:
        raise RuntimeError(f"higher_rows: the Hessians differ by {worst}; the timing would mislead")
    t_torch = workloads.median_seconds(lambda: torch.autograd.functional.hessian(loss, start), repeats)
    ratio = f"{t_torch / t_ours:.1f}x faster" if t_ours < t_torch else f"{t_ours / t_torch:.1f}x slower"
    return f"{ratio} than PyTorch's hessian ({t_torch * 1e3:.2f} ms), equal to 1e-12"


if __name__ == "__main__":
    workloads.main(rows)
