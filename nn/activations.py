"""Activations: the elementwise ones a neuron applies to its weighted sum, and softmax, which a layer applies
to all of its neurons' sums at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value, logsumexp

ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": None,  # no node: a linear neuron's output is its weighted sum
}
LAYER_ACTIVATIONS = ("softmax",)  # each output depends on every neuron of the layer
ACTIVATION_NAMES = (*ACTIVATIONS, *LAYER_ACTIVATIONS)
SHOWN = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "linear": "Linear", "softmax": "Softmax"}


def log_softmax(logits: Sequence[Value | float], *, meta: dict[str, Any] | None = None) -> list[Value]:
    """log softmax: each logit minus logsumexp of them all, stable for any logits.

    meta: for the logsumexp node they share (a layer's, so that drawings place it in the layer).
    """
    if not logits:
        raise ValueError("log_softmax: needs at least one logit, got none")
    normaliser = logsumexp(logits)
    if meta is not None:
        normaliser.meta = meta
    return [z - normaliser for z in logits]


def softmax(logits: Sequence[Value | float], *, meta: dict[str, Any] | None = None) -> list[Value]:
    """The probabilities e^z / Σ e^z, computed as exp(log_softmax): no logit overflows."""
    return [p.exp() for p in log_softmax(logits, meta=meta)]
