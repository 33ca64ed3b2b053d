"""Derivatives without touching any .grad: grad of a graph, and of whole functions jvp (forward mode) and hessian."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd.graph import collector_paused, topological_order
from autograd.value import Value, all_finite_floats, as_finite_float, constant, float_gradients, graph_gradients


def grad(output: Value, inputs: Sequence[Value], *, create_graph: bool = False) -> list[Any]:
    """d output / d input for each input, leaving every node's .grad untouched.

    An input that output does not depend on gets 0.0, as in PyTorch with allow_unused and
    materialize_grads. create_graph: the derivatives are Values that can be differentiated again.
    """
    if create_graph:
        found = graph_gradients(topological_order(output))
        return [found[x] if x in found else constant(0.0) for x in inputs]
    totals = float_gradients(topological_order(output), caller="grad")
    return [totals.get(x, 0.0) for x in inputs]


@collector_paused()  # f's graph is built and dropped inside
def jvp(f: Callable[..., Value], inputs: Sequence[Any], tangents: Sequence[Any]) -> tuple[float, float]:
    """(f(inputs), the derivative of f along tangents) by forward mode: no backward pass.

    Each node's tangent is Σ local derivative · its operand's tangent, in the order the nodes
    were computed, so one sweep from the inputs gives the directional derivative.
    """
    if len(tangents) != len(inputs):
        raise ValueError(f"jvp: {len(inputs)} inputs but {len(tangents)} tangents; give one tangent per input")
    leaves = _leaves("jvp", inputs)
    tangent = {x: as_finite_float(t, f"jvp: tangent {i}") for i, (x, t) in enumerate(zip(leaves, tangents))}
    out = output_of("jvp", f, leaves)
    for node in reversed(topological_order(out)):  # operands first
        if node.parents and node not in tangent:
            tangent[node] = sum((d * tangent.get(p, 0.0) for p, d in zip(node.parents, node.local_grads)), 0.0)
    result = tangent.get(out, 0.0)
    if result - result:
        raise FloatingPointError(f"jvp: the directional derivative is {result!r}")
    return out.data, result


@collector_paused()  # f's graph and its derivatives' are built and dropped inside
def hessian(f: Callable[..., Value], inputs: Sequence[Any]) -> list[list[float]]:
    """The matrix of second derivatives d²f / d input_i d input_j, as nested lists of floats."""
    leaves = _leaves("hessian", inputs)
    out = output_of("hessian", f, leaves)
    rows = []
    for g in grad(out, leaves, create_graph=True):
        rows.append(grad(g, leaves) if g.parents else [0.0] * len(leaves))
    return rows


def input_numbers(what: str, inputs: Sequence[Any]) -> list[float]:
    """Each input's number (a Value's data); ValueError or TypeError naming what and the input otherwise."""
    if inputs.__class__ in (list, tuple) and all_finite_floats(inputs):  # the usual call: no message made per input
        return list(inputs)
    return [as_finite_float(x.data if isinstance(x, Value) else x, f"{what}: input {i}") for i, x in enumerate(inputs)]


def _leaves(what: str, inputs: Sequence[Any]) -> list[Value]:
    numbers = input_numbers(what, inputs)
    return [Value(x, getattr(given, "label", None)) for x, given in zip(numbers, inputs)]


def output_of(what: str, f: Callable[..., Value], leaves: Sequence[Value]) -> Value:
    """f(*leaves), or TypeError (naming what) if that is not a Value."""
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"{what}: f must return a Value, got {type(out).__name__}")
    return out
