"""Activations: the elementwise ones a neuron applies to its weighted sum, and softmax, which a layer applies
to all of its neurons' sums at once; ``ACTIVATIONS`` holds each by name, with how it is shown and its torch module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd import Value, logsumexp


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


@dataclass(frozen=True)
class Activation:
    """A named activation: its function, how a neuron shows it, its torch module, and what it applies to."""

    name: str
    function: Callable[..., Any] | None  # a neuron's sum -> its output; a layer's sums -> its outputs; None: linear
    shown: str  # a neuron's repr: ReLUNeuron(2)
    torch_module: str  # the torch.nn module computing it (Identity: none is needed)
    per_layer: bool = False  # each output depends on every neuron of the layer
    summary: str = ""  # what the spec schema says of it beside its name


ACTIVATIONS: dict[str, Activation] = {
    activation.name: activation
    for activation in (
        Activation("sigmoid", Value.sigmoid, "Sigmoid", "Sigmoid"),
        Activation("tanh", Value.tanh, "Tanh", "Tanh"),
        Activation("relu", Value.relu, "ReLU", "ReLU"),
        Activation("linear", None, "Linear", "Identity"),  # no node: a linear neuron's output is its weighted sum
        Activation(
            "softmax",
            softmax,
            "Softmax",
            "Softmax",
            per_layer=True,
            summary="the layer's outputs are e^net / Σ e^net over its neurons",
        ),
    )
}
