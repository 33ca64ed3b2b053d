"""micrograd users' code on this engine, against micrograd itself (0.1.0, installed by the tests extra).

The same code runs on micrograd's Value and on ours and must give the same numbers; micrograd's own
nn.py, as installed, runs on our Value; the lecture's backward pass by hand works node by node.
Nothing is downloaded at test time.
"""

from __future__ import annotations

import importlib.util
import math
import random
import types

import micrograd.engine
import pytest

from autograd import Value

MICROGRAD = micrograd.engine.Value


def by_hand(root) -> None:
    """backward as micrograd's lecture first writes it: a topological order by _prev, then each node's _backward()."""
    order: list = []
    seen: set = set()

    def visit(v) -> None:
        if v not in seen:
            seen.add(v)
            for child in v._prev:
                visit(child)
            order.append(v)

    visit(root)
    root.grad = 1.0
    for v in reversed(order):
        v._backward()


def every_op(V: type, backward) -> list[float]:
    """Every op micrograd has, numbers on either side, in place and on a repeated operand: value and gradient."""
    x, y = V(1.5), V(-2.0)
    p = x * y + y**2 - 3
    q = (2 - x) / (y - 1) + 4 / p
    q += q * x + (-p).relu()  # relu where it passes its operand on
    r = (x + y).relu() * q + 0.5 * q**3  # and where it does not
    out = r / 7.0 - x / y + x * x
    backward(out)
    return [out.data, x.grad, y.grad]


@pytest.mark.parametrize("backward", [Value.backward, by_hand], ids=["backward", "by hand"])
def test_micrograds_ops_give_micrograds_numbers(backward):
    theirs, ours = every_op(MICROGRAD, MICROGRAD.backward), every_op(Value, backward)
    # micrograd divides as a · b**-1, this engine as a / b: a few units in the last place apart
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(ours, theirs)), (ours, theirs)


def test_the_lectures_manual_backward_node_by_node_equals_backward():
    x1, x2, w1, w2, b = Value(2.0), Value(0.0), Value(-3.0), Value(1.0), Value(6.8813735870195432)
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    o.grad = 1.0
    for node in (o, n, b, x1w1x2w2, x1w1, x2w2, x1, w1, x2, w2):  # leaves too: theirs does nothing
        node._backward()
    manual = [v.grad for v in (x1, x2, w1, w2, b)]
    o.zero_grad()
    o.backward()
    assert manual == [v.grad for v in (x1, x2, w1, w2, b)]
    assert math.isclose(manual[1], (1 - o.data**2) * w2.data)  # the lecture's do/dx2 = (1 − o²)·w2 = 0.5


def test_a_backward_step_by_hand_that_overflows_is_refused_and_writes_nothing():
    x = Value(1e200)
    y = x * 2.0
    y.grad = 1e308
    with pytest.raises(FloatingPointError, match=r"gradient reaching a leaf node with data 1e\+200 is inf"):
        y._backward()
    assert x.grad == 0.0


def micrograds_nn_on(V: type) -> types.ModuleType:
    """micrograd's nn.py as installed, its one import of Value handed V instead."""
    spec = importlib.util.find_spec("micrograd.nn")
    source = spec.loader.get_source("micrograd.nn")
    original = "from micrograd.engine import Value"
    assert original in source
    module = types.ModuleType(f"micrograd.nn on {V.__module__}")
    module.Value = V
    exec(compile(source.replace(original, ""), spec.origin, "exec"), module.__dict__)
    return module


def trained(V: type) -> list[float]:
    """Three steps of micrograd's demo loop (hinge loss, L2 decay) with micrograd's nn.py on V."""
    nn = micrograds_nn_on(V)
    random.seed(1)
    model = nn.MLP(2, [8, 8, 1])
    points = [((0.5, -1.0), 1), ((-0.3, 0.8), -1), ((1.2, 0.1), 1), ((-1.0, -0.6), -1)]
    for _ in range(3):
        scores = [model([V(a), V(b)]) for (a, b), _ in points]
        losses = [(1 + -y * s).relu() for ((_, y), s) in zip(points, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.5 * p.grad
    return [p.data for p in model.parameters()]


def test_micrograds_nn_trains_on_our_value_as_on_its_own():
    theirs, ours = trained(MICROGRAD), trained(Value)
    assert len(ours) == len(theirs) == (2 + 1) * 8 + (8 + 1) * 8 + 8 + 1
    assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(ours, theirs)), (ours, theirs)
