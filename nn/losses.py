"""Loss functions built from engine ops: the documents' ½·Σ(target − out)², MSE, BCE from logits, hinge,
softmax with cross-entropy, and cross-entropy of a softmax layer's probabilities.

Each takes predictions (Values) and targets (numbers or Values) in matching order. ``LOSSES`` holds the
named ones as records: their terms and reduction, and the last layer each takes.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autograd import Value, logsumexp, sum_values, xlogy
from nn.activations import log_softmax
from nn.layers import check_choice

Target = Value | float
REDUCTIONS = ("mean", "sum")


def squared_errors(outputs: Sequence[Value], targets: Sequence[Target]) -> list[Value]:
    """½·(target − out)² for each output: the documents' per-output errors E_o1, E_o2, …"""
    _check_pairs("squared_errors", outputs, targets)
    return [0.5 * (t - o) ** 2 for o, t in zip(outputs, targets)]


def half_squared_error(outputs: Sequence[Value], targets: Sequence[Target]) -> Value:
    """The documents' E = ½·Σ(target − out)², summed over every output."""
    return _total(squared_errors(outputs, targets), "sum")


def mse(outputs: Sequence[Value], targets: Sequence[Target], *, reduction: str = "mean") -> Value:
    """Mean (or summed) squared error, as torch.nn.functional.mse_loss."""
    _check_pairs("mse", outputs, targets)
    return _total(_squared_differences(outputs, targets), reduction)


def bce_with_logits(logits: Sequence[Value], targets: Sequence[Target], *, reduction: str = "mean") -> Value:
    """Binary cross-entropy from logits z and targets y in [0, 1]: softplus(z) − y·z, never overflowing."""
    _check_pairs("bce_with_logits", logits, targets)
    return _total(_cross_entropies(logits, targets), reduction)


def hinge(scores: Sequence[Value], labels: Sequence[Target], *, reduction: str = "mean") -> Value:
    """max(0, 1 − y·score) for labels y = ±1, as micrograd's demo trains its classifier."""
    _check_pairs("hinge", scores, labels)
    return _total(_hinges(scores, labels), reduction)


def _squared_differences(outputs: Sequence[Value], targets: Sequence[Target]) -> list[Value]:
    return [(o - t) ** 2 for o, t in zip(outputs, targets)]


def _cross_entropies(logits: Sequence[Value], targets: Sequence[Target]) -> list[Value]:
    # -[y·log σ(z) + (1 - y)·log(1 - σ(z))] = log(1 + e^z) - y·z, and softplus is stable for any z.
    return [z.softplus() - y * z for z, y in zip(logits, targets)]


def _hinges(scores: Sequence[Value], labels: Sequence[Target]) -> list[Value]:
    return [(1.0 - y * s).relu() for s, y in zip(scores, labels)]


def cross_entropy(logits: Sequence[Value | float], target: int | Sequence[Target]) -> Value:
    """−log softmax(logits)[target] for a class index, or −Σ p·log softmax for class probabilities p,
    as torch.nn.functional.cross_entropy for one sample."""
    target = _class_or_probabilities("cross_entropy", target, len(logits), "logits")
    if isinstance(target, int):
        return logsumexp(logits) - logits[target]
    _check_pairs("cross_entropy", logits, target)
    logs = log_softmax(logits)
    return -sum_values([p * q for p, q in zip(target, logs)])


def categorical_cross_entropy(probabilities: Sequence[Value], target: int | Sequence[Target]) -> Value:
    """−Σ t·log p for one sample's probabilities p (a softmax layer's outputs) and class or probabilities t.

    What cross_entropy computes from logits, for a network whose last layer is softmax already.
    """
    target = _class_or_probabilities("categorical_cross_entropy", target, len(probabilities), "outputs")
    if isinstance(target, int):
        return -xlogy(1.0, probabilities[target])  # log p, of a Value or a number
    _check_pairs("categorical_cross_entropy", probabilities, target)
    return -sum_values([xlogy(t, p) for p, t in zip(probabilities, target)])  # a target of 0 adds 0, even for p = 0


def _class_or_probabilities(what: str, target: object, count: int, outputs: str) -> int | Sequence[Target]:
    """target as an int class index below count (any integer type, a NumPy one too), or a list as it is."""
    if isinstance(target, bool | str) or not isinstance(target, numbers.Integral | Sequence):
        raise TypeError(f"{what}: target must be a class index or a list of probabilities, got {target!r}")
    if isinstance(target, numbers.Integral):
        index = int(target)
        if not 0 <= index < count:
            raise ValueError(f"{what}: target class {index} is out of range for {count} {outputs}")
        return index
    return target


@dataclass(frozen=True)
class Loss:
    """A named loss: its function, its terms and their reduction, and the outputs it takes."""

    name: str
    function: Callable[..., Value]  # (outputs, targets) -> the loss, as the function of that name
    terms: Callable[..., list[Value]]  # (outputs, targets) -> one term an output, or one a sample
    reduction: str  # how the terms add up to the function's value: "sum" or "mean"
    classifies: bool = False  # one output per class, with a class index or one-hot targets
    refused_last: str | None = None  # the activation of a last layer this loss cannot take, ...
    refusal: str = ""  # ... and why
    summary: str = ""  # what the spec schema says of it beside its name

    def total(self, terms: list[Value]) -> Value:
        """The loss from its terms: their sum or their mean, as the function adds them up."""
        return _total(terms, self.reduction)

    def misfit(self, last_activation: str) -> str | None:
        """Why this loss cannot take the outputs of a last layer with this activation, or None."""
        return f"loss {self.name!r} {self.refusal}" if last_activation == self.refused_last else None


def _one_sample(loss: Callable[[Sequence[Value], int | Sequence[Target]], Value]) -> Callable[..., list[Value]]:
    """A loss of one sample's outputs and target as the sample's only term."""
    return lambda outputs, target: [loss(outputs, target)]


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("half_squared_error", half_squared_error, squared_errors, "sum", summary="½·Σ(target − out)²"),
        Loss("mse", mse, _squared_differences, "mean"),
        Loss("bce_with_logits", bce_with_logits, _cross_entropies, "mean"),
        Loss("hinge", hinge, _hinges, "mean"),
        Loss(
            "cross_entropy",
            lambda logits, target: cross_entropy(logits, target),  # one sample's
            _one_sample(cross_entropy),
            "mean",
            classifies=True,
            refused_last="softmax",
            refusal=(
                "takes logits and applies softmax itself, but the last layer is softmax already; "
                "use 'categorical_cross_entropy' (−Σ t·log p of the probabilities)"
            ),
            summary="softmax of the outputs",
        ),
        Loss(
            "categorical_cross_entropy",
            lambda probabilities, target: categorical_cross_entropy(probabilities, target),  # one sample's
            _one_sample(categorical_cross_entropy),
            "mean",
            classifies=True,
            summary="−Σ t·log out, for a softmax last layer",
        ),
    )
}


def loss_named(name: str) -> Loss:
    """The loss called ``name`` in LOSSES, or a ValueError listing the names."""
    return LOSSES[check_choice("loss", name, tuple(LOSSES))]


def loss_function(name: str) -> Callable[..., Value]:
    """The function of the loss called ``name`` in LOSSES."""
    return loss_named(name).function


def _check_pairs(what: str, predictions: Sequence[Value | float], targets: Sequence[Target]) -> None:
    if len(predictions) != len(targets):
        raise ValueError(f"{what}: {len(predictions)} predictions but {len(targets)} targets; they must pair up")
    if not predictions:
        raise ValueError(f"{what}: needs at least one prediction, got none")


def _total(terms: list[Value], reduction: str) -> Value:
    check_choice("reduction", reduction, REDUCTIONS)
    total = terms[0] if len(terms) == 1 else sum_values(terms)
    return total * (1.0 / len(terms)) if reduction == "mean" and len(terms) > 1 else total
