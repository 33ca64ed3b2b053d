"""Walking a computation graph: the one topological order that backward, viz and the tracer share.

And keeping Python's cyclic garbage collector off graphs, which hold no cycles: it would walk them in vain.
"""

from __future__ import annotations

import functools
import gc
import threading
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


class collector_paused:
    """A block (or a decorated function) in which Python's cyclic garbage collector does not run.

    A graph holds no cycles (each node refers only to older ones), so its nodes are freed by reference
    counting; the collector's passes over a growing graph only make each op dearer the bigger the graph
    (gen 2 passes walk every node again). Pause it around building, using and dropping a graph, as the
    engine does for the graphs it builds itself; garbage made meanwhile is collected after the block.
    The collector is process-wide, so the pause lasts while any thread is inside such a block.
    """

    def __enter__(self) -> collector_paused:
        global _pauses, _was_enabled
        with _PAUSES:
            if not _pauses:
                _was_enabled = gc.isenabled()
                gc.disable()
            _pauses += 1
        return self

    def __exit__(self, *exc: object) -> None:
        global _pauses
        with _PAUSES:
            _pauses -= 1
            if not _pauses and _was_enabled:
                gc.enable()

    def __call__(self, f: Any) -> Any:
        @functools.wraps(f)
        def paused(*args: Any, **kwargs: Any) -> Any:
            with collector_paused():
                return f(*args, **kwargs)

        return paused


_pauses = 0  # blocks open in any thread
_was_enabled = False  # whether the collector ran before the first of them
_PAUSES = threading.Lock()
