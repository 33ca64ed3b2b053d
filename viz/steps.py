"""The page's step mode as data: the forward pass over the named values in the reader's order, the backward pass
from the root down, and at which step each value's number and gradient are first shown (viz/steps.js walks it).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from autograd import Value

ALWAYS = -1  # a constant's number is part of a formula: shown at every step


def walk(drawn: Sequence[Value], named: Sequence[Value] | None = None) -> dict[str, list[int]]:
    """The step mode of drawn (a topological order, inputs first): which values are stepped, in which order, and
    the step at which each value's data ("seen") and gradient ("known") first show, counted from 0 over the
    forward steps and then the backward ones.

    named: the values stepped, in the order a reader meets them (every other value is folded into the
    formula of the named values it feeds); default: every value but the constants, inputs first.
    """
    index = {v: i for i, v in enumerate(drawn)}
    stepped = _stepped(drawn, index, named)
    forward = {i: k for k, i in enumerate(stepped)}
    owners = _owners(drawn, index, forward)
    backward = _backward(drawn, index, forward, owners)
    after = {i: len(stepped) + k for k, i in enumerate(backward)}
    seen, known = [], []
    for i, v in enumerate(drawn):
        if i in forward:
            seen.append(forward[i])
            known.append(after[i])
        elif not owners[i]:
            seen.append(ALWAYS)
            known.append(ALWAYS)
        else:  # folded: computed within the first formula it is part of (a constant is part of it from the start),
            # its gradient (a constant's: none, 0) known once all of theirs are
            seen.append(ALWAYS if v.is_constant else min(forward[c] for c in owners[i]))
            known.append(max(after[c] for c in owners[i]))
    return {"forward": stepped, "backward": backward, "seen": seen, "known": known}


def _stepped(drawn: Sequence[Value], index: dict[Value, int], named: Sequence[Value] | None) -> list[int]:
    """The stepped values' indices in their order, each put off until the stepped values its formula names are
    met (a softmax's first output needs every net of its layer); each must be in the graph, once."""
    if named is None:
        return [i for i, v in enumerate(drawn) if not v.is_constant]
    position: dict[int, int] = {}
    for v in named:
        if v not in index:
            raise ValueError(f"walk: {v!r} is not a value of this graph")
        if index[v] in position:
            raise ValueError(f"walk: {v!r} is stepped twice")
        position[index[v]] = len(position)
    if len(drawn) - 1 not in position:
        raise ValueError("walk: the root must be one of the values stepped")
    needs = {i: _named_below(drawn, index, i, position) for i in position}
    after: dict[int, list[int]] = {}
    for i, below in needs.items():
        for j in below:
            after.setdefault(j, []).append(i)
    waiting = {i: len(below) for i, below in needs.items()}
    ready = [(position[i], i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:  # of those whose operands are met, the first in the given order
        _, i = heapq.heappop(ready)
        order.append(i)
        for j in after.get(i, []):
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, (position[j], j))
    return order


def _named_below(drawn: Sequence[Value], index: dict[Value, int], i: int, position: dict[int, int]) -> set[int]:
    """The stepped values value i's formula names: its operands, looking through those that are folded into it."""
    found: set[int] = set()
    stack = [index[p] for p in drawn[i].parents]
    seen = set(stack)
    while stack:
        j = stack.pop()
        if j in position:
            found.add(j)
            continue
        for p in drawn[j].parents:
            if index[p] not in seen:
                seen.add(index[p])
                stack.append(index[p])
    return found


def _owners(drawn: Sequence[Value], index: dict[Value, int], stepped: dict[int, int]) -> list[frozenset[int]]:
    """Each value's nearest stepped consumers, looking through folded ones: whose formulas it is part of."""
    owners: list[frozenset[int]] = [frozenset()] * len(drawn)
    consumers: list[list[int]] = [[] for _ in drawn]
    for i, v in enumerate(drawn):
        for p in dict.fromkeys(v.parents):
            consumers[index[p]].append(i)
    for i in reversed(range(len(drawn))):  # consumers come after their operands: theirs are done first
        owners[i] = frozenset().union(*({c} if c in stepped else owners[c] for c in consumers[i]))
    return owners


def _backward(
    drawn: Sequence[Value], index: dict[Value, int], stepped: dict[int, int], owners: list[frozenset[int]]
) -> list[int]:
    """The stepped values from the root down, each once every stepped value computed from it is done; of those
    ready, the first in the forward pass (a neuron's weights follow its net, as the documents derive them)."""
    waiting = {i: len(owners[i]) for i in stepped}
    below: dict[int, list[int]] = {}
    for i in stepped:
        for c in owners[i]:
            below.setdefault(c, []).append(i)
    ready = [(stepped[i], i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for j in below.get(i, []):
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, (stepped[j], j))
    return order
