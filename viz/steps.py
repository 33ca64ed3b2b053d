"""The page's step mode as data: the forward pass over the named values in the reader's order, the backward pass
from the root down, and at which step each value's number and gradient are first shown (viz/steps.js walks it).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping, Sequence

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
    given = _given(drawn, index, named)
    owners = _owners(drawn, index, given)
    operands: dict[int, set[int]] = {i: set() for i in given}  # the stepped values each one's formula names
    for i in given:
        for c in owners[i]:
            operands[c].add(i)
    # each put off until the values its formula names are met (a softmax's first output needs every net of its layer)
    stepped = _in_turn(operands, given)
    forward = {i: k for k, i in enumerate(stepped)}
    # from the root down; of those whose gradient can be known, the first in the forward pass (a neuron's
    # weights follow its net, as the documents derive them)
    backward = _in_turn({i: owners[i] for i in given}, forward)
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


def _given(drawn: Sequence[Value], index: dict[Value, int], named: Sequence[Value] | None) -> dict[int, int]:
    """The stepped values' indices, each with its place in named; each must be in the graph, once, with the root."""
    if named is None:
        named = [v for v in drawn if not v.is_constant]
    position: dict[int, int] = {}
    for v in named:
        if v not in index:
            raise ValueError(f"walk: {v!r} is not a value of this graph")
        if index[v] in position:
            raise ValueError(f"walk: {v!r} is stepped twice")
        position[index[v]] = len(position)
    if len(drawn) - 1 not in position:
        raise ValueError("walk: the root must be one of the values stepped")
    return position


def _owners(drawn: Sequence[Value], index: dict[Value, int], stepped: Mapping[int, int]) -> list[frozenset[int]]:
    """Each value's nearest stepped consumers, looking through folded ones: whose formulas it is part of."""
    owners: list[frozenset[int]] = [frozenset()] * len(drawn)
    consumers: list[list[int]] = [[] for _ in drawn]
    for i, v in enumerate(drawn):
        for p in dict.fromkeys(v.parents):
            consumers[index[p]].append(i)
    for i in reversed(range(len(drawn))):  # consumers come after their operands: theirs are done first
        owners[i] = frozenset().union(*({c} if c in stepped else owners[c] for c in consumers[i]))
    return owners


def _in_turn(needs: Mapping[int, Collection[int]], rank: Mapping[int, int]) -> list[int]:
    """needs' keys, each once all it needs are taken; of those that can be taken, the one of least rank."""
    waiting = {i: len(needed) for i, needed in needs.items()}
    unblocks: dict[int, list[int]] = {}
    for i, needed in needs.items():
        for j in needed:
            unblocks.setdefault(j, []).append(i)
    ready = [(rank[i], i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for j in unblocks.get(i, []):
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, (rank[j], j))
    return order
