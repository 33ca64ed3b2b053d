"""Walking a computation graph: the one topological order that backward, viz and the tracer share.

And keeping Python's cyclic garbage collector off graphs, which hold no cycles: it would walk them in vain.
"""

from __future__ import annotations

import functools
import gc
import threading
from typing import Any, Protocol, TypeVar

try:  # built at install where a C compiler is (setup.py); without it the collector walks nodes as any object
    from autograd._untracked import track as _track
    from autograd._untracked import untrack
except ImportError:  # pragma: no cover - tested in a process without the module
    _track = untrack = None


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


def walked(node: Any) -> None:
    """Have the cyclic collector walk node and every node it depends on: it now holds what may lead back to it.

    A node made by an op refers only to older nodes and numbers, so it cannot be part of a reference cycle
    and is left out of the collector's walks (untrack), which would make each op dearer the bigger the graph.
    A Value grad, a meta dict or anything stored in a node later may close a cycle through the nodes below
    it, so the engine calls this then. A tracked node's ancestors are tracked when its tuple of operands is (the
    walk keeps it so): the walk stops at one. A shallow copy of a node is tracked but shares the original's tuple.
    """
    if _track is None or _walked_already(node):
        return
    stack, is_tracked = [node], gc.is_tracked
    while stack:
        node = stack.pop()
        _track(node)
        if node.parents:  # the tuple too: it is an edge of any cycle through node
            _track(node.parents)
            # _walked_already, inlined: a neuron's net node has a parent per weight and input
            stack += [p for p in node.parents if not (is_tracked(p) and (not p.parents or is_tracked(p.parents)))]


def _walked_already(node: Any) -> bool:
    """Whether node and its tuple of operands are tracked: then so is every node below it."""
    parents = getattr(node, "parents", ())  # none yet: an old pickle sets meta before parents
    return gc.is_tracked(node) and (not parents or gc.is_tracked(parents))


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
