"""Walking a computation graph: the one topological order that backward, viz and the tracer share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograd.value import Value


_PLACE = object()  # on the stack above a node: all of that node's parents are placed


def topological_order(root: Value) -> list[Value]:
    """Every node root depends on, once each: root first, and each node before all of its parents.

    An iterative depth-first search (no recursion limit): a node is placed once all of its
    parents are, then the list is reversed. The stack holds bare nodes, so nothing is allocated
    per node.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Any] = [root]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if node is _PLACE:
            order.append(pop())
        elif node not in seen:
            seen.add(node)
            push(node)
            push(_PLACE)
            for parent in node.parents:
                if parent not in seen:
                    if parent.parents:
                        push(parent)
                    else:  # a leaf has no parents to wait for: place it now
                        seen.add(parent)
                        order.append(parent)
    order.reverse()
    return order


def leaves(root: Value) -> list[Value]:
    """The nodes root depends on that no op produced, in topological order."""
    return [node for node in topological_order(root) if not node.parents]


def grad(output: Value, inputs: Sequence[Value], *, create_graph: bool = False) -> list[Any]:
    """d output / d input for each input, leaving every node's .grad untouched.

    An input that output does not depend on gets 0.0, as in PyTorch with allow_unused and
    materialize_grads. create_graph: the derivatives are Values that can be differentiated again.
    """
    if create_graph:
        from autograd.value import constant, graph_gradients

        found = graph_gradients(topological_order(output))
        return [found.get(x) or constant(0.0) for x in inputs]
    totals = {output: 1.0}
    for node in topological_order(output):
        g = totals.get(node, 0.0)
        for parent, local in zip(node.parents, node.local_grads):
            totals[parent] = totals.get(parent, 0.0) + local * g
    result = [totals.get(x, 0.0) for x in inputs]
    for x, g in zip(inputs, result):
        if g - g:
            name = x.label or f"the input with data {x.data!r}"
            raise FloatingPointError(f"grad: the derivative with respect to {name} is {g!r}")
    return result
