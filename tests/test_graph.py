"""Graph walks: the topological order's invariants on random graphs, and grad() against PyTorch."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import needs_torch, torch

from autograd import Value, grad, leaves, topological_order


def random_graph(seed: int, size: int) -> tuple[Value, list[Value]]:
    """A random DAG of adds and muls over a few leaves, with shared nodes and repeated operands."""
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(3)]
    for _ in range(size):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(a * b if rng.random() < 0.5 else a + b)
    return nodes[-1], nodes[:3]


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 60))
def test_order_puts_every_node_once_before_its_parents(seed, size):
    root, _ = random_graph(seed, size)
    order = topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    assert order[0] is root
    assert len(position) == len(order)  # each node once
    reachable, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node not in reachable:
            reachable.add(node)
            stack.extend(node.parents)
    assert set(order) == reachable
    for node in order:
        for parent in node.parents:
            assert position[node] < position[parent]


def test_leaves_are_the_nodes_no_op_made():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    z = x * y + x
    assert set(leaves(z)) == {x, y}


@needs_torch
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 40))
def test_grad_matches_pytorch_and_leaves_grads_alone(seed, size):
    root, xs = random_graph(seed, size)
    ours = grad(root, xs)
    assert all(x.grad == 0.0 for x in topological_order(root))
    rng = random.Random(seed)
    for _ in xs:
        rng.uniform(-1, 1)  # replay the leaves' draws so the same ops are chosen
    ts = [torch.tensor(x.data, dtype=torch.float64, requires_grad=True) for x in xs]
    nodes = list(ts)
    for _ in range(size):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(a * b if rng.random() < 0.5 else a + b)
    theirs = torch.autograd.grad(nodes[-1], ts, allow_unused=True, materialize_grads=True)
    for o, t in zip(ours, theirs):
        assert o == pytest.approx(t.item(), rel=1e-12, abs=1e-300)


def test_grad_of_an_unused_input_is_zero_and_infinite_ones_are_reported():
    x, unused = Value(2.0), Value(5.0)
    assert grad(x * x, [x, unused]) == [4.0, 0.0]
    z = Value(0.0, label="z")
    message = r"^grad: the gradient reaching z is inf: the local derivative of sqrt\(0\.0\) with respect to it is inf$"
    with pytest.raises(FloatingPointError, match=message):
        grad(z.sqrt(), [z])
