"""Graph walks: the topological order's invariants on random graphs, and grad() against PyTorch."""

from __future__ import annotations

import gc
import random
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import needs_torch, torch

import autograd
import nn
from autograd import Value, collector_paused, grad, hessian, jvp, leaves, topological_order


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


# ---- the cyclic collector kept off the engine's own graphs ------------------------------------------


class Cycle:
    """User garbage only the cyclic collector frees: an object that refers to itself."""

    def __init__(self):
        self.me = self


def test_collector_paused_pauses_nests_and_collects_what_was_made_meanwhile():
    assert gc.isenabled()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
            made = weakref.ref(Cycle())
        assert not gc.isenabled()  # the outer block still holds
    assert gc.isenabled()
    assert made() is not None  # not freed by reference counting: a cycle
    gc.collect()
    assert made() is None  # user garbage is collected after the block


def test_collector_paused_leaves_a_collector_that_was_off_off_and_survives_errors():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_the_engine_builds_and_drops_its_own_graphs_with_the_collector_paused():
    """nn.train's dynamic steps, hessian, jvp and a program's slow path: the collector is off while f runs."""
    seen = []

    def f(a, b):
        seen.append(gc.isenabled())
        return (a * b).tanh() + a.log()

    hessian(f, [1.5, 2.0])
    jvp(f, [1.5, 2.0], [1.0, 0.0])
    assert seen == [False, False]
    program = autograd.trace(f, 1.5, 2.0)
    seen.clear()
    with pytest.raises(ValueError, match="log: operand must be positive"):
        program.value_and_grad(-1.0, 2.0)  # the replay fails: the engine says why
    with pytest.raises(ValueError, match="log: operand must be positive"):
        program(-1.0, 2.0)

    def loss(outputs, targets):
        seen.append(gc.isenabled())
        return nn.losses.mse(outputs, targets)

    nn.train(nn.MLP(2, [2, 1], seed=0), nn.xor(), steps=2, loss=loss, compiled=False)
    assert seen == [False] * 4 and gc.isenabled()
