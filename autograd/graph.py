"""Walking a computation graph: the one topological order that backward, viz and the tracer share."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar


class Node(Protocol):
    """What a walk needs of a node (a Value): the operands it was computed from."""

    @property
    def parents(self) -> tuple[Any, ...]: ...


N = TypeVar("N", bound=Node)  # the kind of node walked (a Value), returned as given
_PLACE = object()  # on the stack above a node: all of that node's parents are placed


def topological_order(root: N) -> list[N]:
    """Every node root depends on, once each: root first, and each node before all of its parents.

    An iterative depth-first search (no recursion limit): a node is placed once all of its
    parents are, then the list is reversed. The stack holds bare nodes, so nothing is allocated
    per node.
    """
    order: list[N] = []
    seen: set[N] = set()
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


def leaves(root: N) -> list[N]:
    """The nodes root depends on that no op produced, in topological order."""
    return [node for node in topological_order(root) if not node.parents]
