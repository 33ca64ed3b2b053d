"""Every op in the table against PyTorch in float64: forward values and gradients, edge values included."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from oracles import needs_torch, torch

import autograd
from autograd import OPS, Value, grad, logsumexp, sum_values, weighted_sum
from autograd.ops import BUILTIN


@dataclass
class Row:
    """How to call one op on Values and on float64 tensors, and where to try it."""

    ours: Callable
    theirs: Callable
    points: list[tuple[float, ...]]


BIG = 1000.0
ROWS = {
    "add": Row(lambda a, b: a + b, lambda a, b: a + b, [(1.5, -2.25), (0.0, 0.0), (1e300, 1e300), (-3.0, 3.0)]),
    "sub": Row(lambda a, b: a - b, lambda a, b: a - b, [(1.5, -2.25), (0.0, 0.0), (-1e300, 1e300)]),
    "mul": Row(lambda a, b: a * b, lambda a, b: a * b, [(1.5, -2.25), (0.0, 7.0), (1e150, 1e150), (-0.5, -0.5)]),
    "div": Row(lambda a, b: a / b, lambda a, b: a / b, [(1.5, -2.25), (0.0, 7.0), (1.0, 1e-100), (-7.0, 3.0)]),
    "neg": Row(lambda a: -a, lambda a: -a, [(1.5,), (0.0,), (-1e308,)]),
    "pow_const": Row(
        lambda a, n: a**n.data,  # a number exponent
        lambda a, n: a ** n.item(),
        [
            (2.0, 3.0),
            (-2.0, 3.0),
            (-2.0, 2.0),
            (1.5, 0.5),
            (0.0, 2.0),
            (0.0, 1.0),
            (0.0, 0.0),
            (3.0, -1.0),
            (-3.0, -2.0),
            (7.0, 0.0),
            (1e-3, 2.5),
        ],
    ),
    "pow": Row(
        lambda a, b: a**b,  # a Value exponent
        lambda a, b: a**b,
        [(2.0, 3.0), (1.5, 0.5), (0.5, -2.5), (0.0, 2.0), (0.0, 1.0), (3.0, 0.0), (1e-3, 2.5), (0.0, 0.0)],
    ),
    # pow's slope in its base for a Value exponent b: scaled_power(b, a, b - 1), 0 where b is 0
    "scaled_power": Row(
        OPS["scaled_power"],
        lambda c, a, e: c * a**e,
        [(2.0, 3.0, 2.0), (-1.5, 0.5, -2.0), (0.5, 4.0, -0.5), (3.0, 0.0, 2.0), (1e-3, 7.0, 2.5), (4.0, 2.0, 1.0)],
    ),
    "exp": Row(Value.exp, lambda a: torch.exp(a), [(0.0,), (1.0,), (-BIG,), (709.0,), (-3.5,)]),
    "log": Row(Value.log, lambda a: torch.log(a), [(1.0,), (1e-300,), (2.5,), (1e300,)]),
    "sqrt": Row(Value.sqrt, lambda a: torch.sqrt(a), [(1.0,), (1e-300,), (2.0,), (1e300,)]),
    "tanh": Row(Value.tanh, lambda a: torch.tanh(a), [(0.0,), (0.5,), (-BIG,), (BIG,), (20.0,), (-1e-9,)]),
    "sigmoid": Row(Value.sigmoid, lambda a: torch.sigmoid(a), [(0.0,), (0.5,), (-BIG,), (BIG,), (-40.0,), (40.0,)]),
    "relu": Row(Value.relu, lambda a: torch.relu(a), [(0.0,), (1e-300,), (-1e-300,), (2.5,), (-2.5,)]),
    "softplus": Row(
        Value.softplus, lambda a: torch.nn.functional.softplus(a), [(0.0,), (0.5,), (-BIG,), (BIG,), (-30.0,), (30.0,)]
    ),
    "abs": Row(Value.abs, lambda a: torch.abs(a), [(0.0,), (-2.5,), (2.5,), (-1e-300,)]),
    "sin": Row(Value.sin, lambda a: torch.sin(a), [(0.0,), (1.0,), (-BIG,), (math.pi,)]),
    "cos": Row(Value.cos, lambda a: torch.cos(a), [(0.0,), (1.0,), (-BIG,), (math.pi / 2,)]),
    "step": Row(Value.step, lambda a: (torch.sign(a) + torch.sign(a).abs()) / 2, [(0.0,), (2.5,), (-2.5,), (1e-300,)]),
    "sign": Row(Value.sign, lambda a: torch.sign(a), [(0.0,), (2.5,), (-2.5,), (-1e-300,)]),
    "sum": Row(
        lambda *xs: sum_values(xs),
        lambda *xs: torch.stack(xs).sum(),
        [(1.0,), (1.0, 2.0, -3.5), (0.1, 0.2, 0.3, 0.4, 0.5)],
    ),
    "logsumexp": Row(
        lambda *xs: logsumexp(xs),
        lambda *xs: torch.logsumexp(torch.stack(xs), 0),
        [(0.5,), (1.0, 2.0, -3.5), (1e4, -1e4, 3.0), (-1e4, -1e4 + 1.0)],
    ),
    # x != 0 only: where x is 0, PyTorch masks ∂/∂x to 0 (it is log y) and gives nan for ∂/∂y at y = 0 (see
    # test_xlogy_where_x_is_0_has_the_derivatives_of_the_zero_function)
    "xlogy": Row(
        Value.xlogy, lambda a, b: torch.xlogy(a, b), [(2.0, 3.0), (-1.5, 0.25), (1e-300, 1e300), (3.0, 1e-300)]
    ),
    # x != 0 only: where x is 0 this op is 0 and so are its derivatives (xlogy's ∂/∂y, kept 0 at every order)
    "xdivy": Row(
        OPS["xdivy"], lambda a, b: a / b, [(2.0, 3.0), (-1.5, 0.25), (1e-300, 1e300), (3.0, 1e-150), (-7.0, -2.0)]
    ),
    "weighted_sum": Row(
        lambda *xs: weighted_sum(xs[0:2], xs[2:4], xs[4]),
        lambda *xs: xs[0] * xs[2] + xs[1] * xs[3] + xs[4],
        [(0.15, 0.2, 2.0, 3.0, 0.0), (-1.0, 0.5, 0.25, -4.0, 0.35)],
    ),
}
CASES = [(name, point) for name, row in ROWS.items() for point in row.points]


def close(ours: float, theirs: float) -> bool:
    """Equal to within a few units in the last place (PyTorch's kernels round differently)."""
    return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-300)


def test_every_op_has_a_row():
    assert set(ROWS) == set(BUILTIN)


@needs_torch
@pytest.mark.parametrize(("name", "point"), CASES, ids=[f"{n}{p}" for n, p in CASES])
def test_op_matches_pytorch(name, point):
    row = ROWS[name]
    xs = [Value(x) for x in point]
    out = row.ours(*xs)
    assert out.op == name
    out.backward()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    expected = row.theirs(*ts)
    expected.backward()
    assert close(out.data, expected.item()), (out.data, expected.item())
    for x, t in zip(xs, ts):
        theirs = 0.0 if t.grad is None else t.grad.item()
        assert close(x.grad, theirs), (x.grad, theirs)


@needs_torch
@pytest.mark.parametrize(("name", "point"), CASES, ids=[f"{n}{p}" for n, p in CASES])
def test_second_derivatives_match_pytorch(name, point):
    if name == "pow" and point[1] == 0.0:
        pytest.skip("PyTorch's pow backward masks a zero exponent, so its mixed second derivative there is 0")
    if name == "softplus" and point[0] > 20.0:
        pytest.skip("PyTorch's softplus is linear above its threshold of 20, so its second derivative there is 0")
    row = ROWS[name]
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    firsts = torch.autograd.grad(row.theirs(*ts), ts, create_graph=True, allow_unused=True, materialize_grads=True)
    theirs = [
        [h.item() for h in torch.autograd.grad(g, ts, allow_unused=True, materialize_grads=True, retain_graph=True)]
        if g.requires_grad
        else [0.0] * len(ts)
        for g in firsts
    ]
    if not all(math.isfinite(h) for r in theirs for h in r):
        pytest.skip(f"PyTorch's second derivatives are not all finite here: {theirs}")
    xs = [Value(x) for x in point]
    ours = [grad(g, xs) for g in grad(row.ours(*xs), xs, create_graph=True)]
    for our_row, their_row in zip(ours, theirs):
        assert all(close(a, b) for a, b in zip(our_row, their_row)), (ours, theirs)


def test_every_op_gives_one_derivative_formula_per_operand():
    for op in map(OPS.__getitem__, BUILTIN):
        formulas = op.formulas()
        assert len(formulas) == (op.arity or 2) and all(formulas), op.name


def test_xlogy_where_x_is_0_has_the_derivatives_of_the_zero_function():
    sympy = pytest.importorskip("sympy")
    a, b = sympy.symbols("a b", positive=True)
    f = a * sympy.log(b)
    for y in (2.0, 1e-300, 0.5):
        x, yv = Value(0.0), Value(y)
        out = x.xlogy(yv)
        out.backward()
        assert out.data == 0.0
        assert x.grad == pytest.approx(float(sympy.diff(f, a).subs({a: 0, b: y})), rel=1e-15)  # log y
        assert yv.grad == float(sympy.diff(f, b).subs({a: 0, b: y})) == 0.0
    x, y = Value(0.0), Value(0.0)  # f(0, y) = 0 for every y >= 0: 0 for both, where neither derivative exists
    out = x.xlogy(y)
    out.backward()
    assert (out.data, x.grad, y.grad) == (0.0, 0.0, 0.0)
    x, y = Value(0.0), Value(0.0)  # the same at every order: a target of 0 whose probability underflowed
    x.xlogy(y).backward(create_graph=True)
    assert (x.grad.data, y.grad.data) == (0.0, 0.0)
    assert autograd.hessian(lambda a, b: a.xlogy(b), [0.0, 0.0]) == [[0.0, 0.0], [0.0, 0.0]]
    assert autograd.hessian(lambda a, b: a.xlogy(b), [2.0, 3.0]) == [[0.0, 1 / 3], [1 / 3, -2 / 9]]
    assert Value(0.0).xlogy(-1.0).data == 0.0  # PyTorch's torch.xlogy(0, -1) is 0 too
    with pytest.raises(ValueError, match=r"^xlogy: y must be positive where x is not 0, got xlogy\(2\.0, -1\.0\)$"):
        Value(2.0).xlogy(-1.0)
    by_hand = Value(1.0)
    by_hand.data = float("nan")
    with pytest.raises(ValueError, match=r"^xlogy: operands must be numbers, got xlogy\(nan, 1\.0\)$"):
        by_hand.xlogy(1.0)


def _first_derivatives(name, point, *, create_graph):
    """d out / d operand for every operand that is not a number, by backward (with or without create_graph)."""
    xs = [Value(x) for x in point]
    out = ROWS[name].ours(*xs)
    out.backward(create_graph=create_graph)
    return [x.grad.data if isinstance(x.grad, Value) else x.grad for x in _differentiated(name, xs)]


def _differentiated(name, operands):
    return operands[:1] if name == "pow_const" else operands  # its exponent is a number, never differentiated


def _replayed_derivatives(name, point):
    """The same derivatives from the traced program's generated code."""
    if name == "pow_const":  # the exponent is a number baked into the program
        program = autograd.trace(lambda a: a ** point[1], point[0])
        return program.value_and_grad(point[0])[1]
    program = autograd.trace(lambda *xs: ROWS[name].ours(*xs), *point)
    return program.value_and_grad(*point)[1]


@pytest.mark.parametrize(("name", "point"), CASES, ids=[f"{n}{p}" for n, p in CASES])
def test_the_three_readings_of_a_rule_give_the_same_first_derivative(name, point):
    """Floats (backward), Values (create_graph) and source (the replayed program) read one rule alike."""
    try:
        floats = _first_derivatives(name, point, create_graph=False)
    except FloatingPointError:
        pytest.skip("the float derivative is not finite here")
    assert _first_derivatives(name, point, create_graph=True) == floats
    assert _replayed_derivatives(name, point) == floats


# Points where a convention sets a derivative (a zero operand of xlogy, xdivy, pow, its slope), beside the rows' own.
CONVENTION_POINTS = {
    "xlogy": [(0.0, 2.0), (0.0, 0.0), (0.0, 1e-300)],
    "xdivy": [(0.0, 2.0), (0.0, 0.0)],
    "pow": [(0.0, 0.0), (0.0, 1.0), (0.0, 3.0), (2.0, 0.0)],
    "scaled_power": [(0.0, 0.0, -1.0), (0.0, 2.0, -1.0), (2.0, 0.0, 0.0), (0.0, 0.0, 0.0)],
}
SYMMETRY_CASES = CASES + [(name, point) for name, points in CONVENTION_POINTS.items() for point in points]


@pytest.mark.parametrize(("name", "point"), SYMMETRY_CASES, ids=[f"{n}{p}" for n, p in SYMMETRY_CASES])
def test_the_two_orders_of_a_mixed_second_derivative_agree(name, point):
    """d/dx d/dy = d/dy d/dx, also where a convention gives a derivative (xlogy(0, 2) gave 0.5 one way, 0 the other)."""
    xs = [Value(x) for x in point]
    try:
        firsts = grad(ROWS[name].ours(*xs), xs, create_graph=True)
        rows = [grad(g, xs) for g in firsts]
    except FloatingPointError:
        pytest.skip("a derivative is not finite here")
    for i, row in enumerate(rows):
        for j in range(i):
            assert close(row[j], rows[j][i]), (i, j, rows)


def test_0_to_the_power_0_with_a_value_exponent_has_0_derivatives_at_every_order():
    """backward gives the documented 0 at 0 ** 0; create_graph and hessian gave ZeroDivisionError."""
    x, y = Value(0.0), Value(0.0)
    (x**y).backward(create_graph=True)
    assert (x.grad.data, y.grad.data) == (0.0, 0.0)
    assert autograd.hessian(lambda a, b: a**b, [0.0, 0.0]) == [[0.0, 0.0], [0.0, 0.0]]
    sympy = pytest.importorskip("sympy")
    a, b = sympy.symbols("a b", positive=True)
    f = a**b
    expected = [[float(sympy.diff(f, u, v).subs({a: 2, b: 0})) for v in (a, b)] for u in (a, b)]
    ours = autograd.hessian(lambda a, b: a**b, [2.0, 0.0])  # its mixed derivative is 1/a
    assert all(close(o, e) for o_row, e_row in zip(ours, expected) for o, e in zip(o_row, e_row)), (ours, expected)
    with pytest.raises(
        ValueError, match=r"^scaled_power: negative base -2\.0: its derivative c·a\^e·log\(a\) in e is not real$"
    ):
        OPS["scaled_power"](Value(1.0), Value(-2.0), Value(2.0))


def _walked_by_hand(out: Value) -> None:
    """micrograd's lecture: the root's grad set to 1, then each node's own _backward(), the root first."""
    out.grad = 1.0
    for node in autograd.topological_order(out):
        node._backward()


@pytest.mark.parametrize(("name", "point"), CASES, ids=[f"{n}{p}" for n, p in CASES])
def test_each_nodes_backward_step_walked_by_hand_adds_what_backward_does(name, point):
    def grads(backward):
        xs = [Value(x) for x in point]
        backward(ROWS[name].ours(*xs))
        return [x.grad for x in xs]

    try:
        expected = grads(Value.backward)
    except FloatingPointError:
        with pytest.raises(FloatingPointError):
            grads(_walked_by_hand)
        return
    assert grads(_walked_by_hand) == expected


def test_a_step_by_hand_adds_a_term_per_use_of_an_operand():
    def grads(backward):
        x, y = Value(0.5), Value(-1.5)
        backward(weighted_sum([x, y], [x, x], y) * sum_values([x, x, y, 2.0]) + logsumexp([y, x, y]))
        return [x.grad, y.grad]

    assert grads(_walked_by_hand) == grads(Value.backward)
