"""Derivatives of derivatives (create_graph, hessian, gradgradcheck) against PyTorch float64 and sympy."""

from __future__ import annotations

import math

import pytest
import sympy
from expression_trees import SYMBOLS, build, enclosure, point, relative_error, trees
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from oracles import needs_torch, torch

import autograd
import nn
from autograd import GradcheckError, Value, define_op, grad, gradgradcheck, hessian


def test_the_sixth_derivative_of_tanh_is_sympys():
    x = Value(0.5)
    d = x.tanh()
    for _ in range(6):
        (d,) = grad(d, [x], create_graph=True)
    s = sympy.Symbol("s")
    exact = sympy.diff(sympy.tanh(s), s, 6).subs(s, sympy.Rational(1, 2)).evalf(30)
    assert d.data == pytest.approx(float(exact), rel=1e-13)


@settings(max_examples=150, deadline=None)
@given(trees(3), st.tuples(point, point, point))
def test_second_derivatives_match_sympy(tree, values):
    assume(enclosure(tree, values, order=2) is not None)  # outside the domain, or too near its edge for floats
    leaves = [Value(v) for v in values]
    out, expr = build(tree, leaves)
    firsts = grad(out, leaves, create_graph=True)
    seconds = [grad(g, leaves) for g in firsts]
    at = dict(zip(SYMBOLS, values))
    for row, a in zip(seconds, SYMBOLS):
        for value, b in zip(row, SYMBOLS):
            exact = sympy.diff(expr, a, b).subs(at).evalf(30)
            assume(exact.is_real and abs(float(exact)) < 1e10)
            assert relative_error(value, exact) < 1e-7, (a, b, value, exact)


@needs_torch
def test_the_hessian_of_the_russo_networks_loss_is_pytorchs():
    ex = nn.example("russo-3-3-3")
    names = [f"w{i}" for i in range(1, 19)]
    start = [ex[n].data for n in names]

    def loss(*weights):  # the document's own graph, its weights replaced by the inputs
        return replaced(ex.forward().loss, {ex.network[n]: w for n, w in zip(names, weights)})

    ours = hessian(loss, start)
    theirs = torch.autograd.functional.hessian(_torch_russo_loss(ex), torch.tensor(start, dtype=torch.float64))
    assert len(ours) == 18 and all(len(row) == 18 for row in ours)
    for i in range(18):
        for j in range(18):
            assert ours[i][j] == pytest.approx(theirs[i, j].item(), rel=1e-10, abs=1e-14)


def replaced(root: Value, new: dict[Value, Value]) -> Value:
    """root's graph rebuilt with some leaves replaced (so that f is a function of its inputs)."""
    from autograd import OPS
    from autograd.value import apply

    built: dict[Value, Value] = {}
    for node in reversed(autograd.topological_order(root)):
        if not node.parents:
            built[node] = new.get(node, node)
        else:
            built[node] = apply(OPS[node.op], [built[p] for p in node.parents])
    return built[root]


def _torch_russo_loss(ex):
    x = torch.tensor(ex.samples[0].inputs, dtype=torch.float64)
    t = torch.tensor(ex.samples[0].targets, dtype=torch.float64)
    b1, b2 = ex["b1"].data, ex["b2"].data

    def loss(w):
        h = torch.sigmoid(w[:9].reshape(3, 3) @ x + b1)
        o = torch.sigmoid(w[9:].reshape(3, 3) @ h + b2)
        return 0.5 * ((t - o) ** 2).sum()

    return loss


@needs_torch
@pytest.mark.parametrize("seed", range(5))
def test_create_graph_gradients_are_pytorchs_and_differentiate_again(seed):
    rng = __import__("random").Random(seed)
    point = [rng.uniform(0.2, 1.5) for _ in range(3)]

    def f(a, b, c, lib):
        return lib.tanh(a * b) * lib.exp(c) / (1 + a * a) + lib.sqrt(b + c) - lib.log(a + 2) * c**3

    xs = [Value(v) for v in point]
    ours = grad(f(*xs, _ValueLib), xs, create_graph=True)
    ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
    theirs = torch.autograd.grad(f(*ts, torch), ts, create_graph=True)
    for g, h in zip(ours, theirs):
        assert g.data == pytest.approx(h.item(), rel=1e-13)
        seconds = grad(g, xs)
        expected = torch.autograd.grad(h, ts, retain_graph=True)
        assert seconds == pytest.approx([e.item() for e in expected], rel=1e-12)


class _ValueLib:
    """The functions f uses, for Values (torch provides its own)."""

    tanh, exp = staticmethod(Value.tanh), staticmethod(Value.exp)
    sqrt, log = staticmethod(Value.sqrt), staticmethod(Value.log)


def test_backward_with_create_graph_leaves_values_that_differentiate_again():
    x = Value(0.7, "x")
    y = x**3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(3 * 0.7**2, rel=1e-15)
    (second,) = grad(x.grad, [x])
    assert second == pytest.approx(6 * 0.7, rel=1e-15)
    y.backward(create_graph=True)  # accumulates, as PyTorch does
    assert x.grad.data == pytest.approx(2 * 3 * 0.7**2, rel=1e-15)


def test_without_create_graph_gradients_stay_floats_and_no_graph_is_built():
    x = Value(0.7)
    y = (x * x).tanh()
    before = len(autograd.topological_order(y))
    y.backward()
    assert type(x.grad) is float and len(autograd.topological_order(y)) == before
    assert all(type(g) is float for g in grad(y, [x]))


def test_gradgradcheck_passes_on_true_second_derivatives_and_names_a_wrong_one():
    assert gradgradcheck(lambda a, b: (a * b).tanh() + a**3 / b, [0.3, 0.7])
    slope = define_op("slope_of_square", lambda a: 2 * a, lambda a, out: (3.0,))  # should be 2
    square = define_op("square_with_bad_slope", lambda a: a * a, lambda a, out: (slope(a),))
    assert autograd.gradcheck(square, [0.8])  # the first derivative is right
    with pytest.raises(GradcheckError, match=r"slope_of_square: d/da is 3 by its rule, 2 by finite differences"):
        gradgradcheck(square, [0.8])


def test_a_hessian_of_a_function_linear_in_an_input_has_zeros():
    rows = hessian(lambda a, b: a * 3.0 + b * b, [1.0, 2.0])
    assert rows == [[0.0, 0.0], [0.0, 2.0]]
    assert math.isclose(hessian(lambda a: a.exp(), [1.0])[0][0], math.e)


def test_a_gradient_made_from_a_constant_and_a_number_backpropagates():
    # d(-x)/dx is the seed constant times -1: that product must give the shared constant no gradient
    x = Value(0.3)
    (d,) = grad(-x, [x], create_graph=True)
    d.backward()
    assert d.data == -1.0 and x.grad == 0.0  # d does not depend on x


@pytest.mark.parametrize(
    "loss",
    [
        lambda a, b: nn.cross_entropy([a, b, 0.5], 0),
        lambda a, b: nn.cross_entropy([a, b], [0.3, 0.7]),
        lambda a, b: nn.categorical_cross_entropy(nn.softmax([a, b, 0.5]), 1),
        lambda a, b: nn.categorical_cross_entropy(nn.softmax([a, b]), [0.3, 0.7]),
    ],
)
def test_gradgradcheck_passes_through_softmax_and_cross_entropy(loss):
    assert gradgradcheck(loss, [0.4, -0.7])
