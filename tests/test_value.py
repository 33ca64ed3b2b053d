"""The Value node: construction, errors that name what was wrong, accumulation rules, depth."""

from __future__ import annotations

import math
import sys
from fractions import Fraction

import pytest
from oracles import needs_torch, torch

import autograd
from autograd import Constant, Value, constant, sum_values, weighted_sum

# ---- construction ---------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), [(1, 1.0), (2.5, 2.5), (True, 1.0), (Fraction(1, 4), 0.25)])
def test_data_is_stored_as_a_float(given, stored):
    v = Value(given)
    assert v.data == stored and type(v.data) is float
    assert v.grad == 0.0 and type(v.grad) is float


@pytest.mark.parametrize(("given", "type_name"), [("1.0", "str"), (None, "NoneType"), (1j, "complex"), ([1.0], "list")])
def test_non_numeric_data_is_a_type_error_naming_the_type(given, type_name):
    with pytest.raises(TypeError, match=rf"^Value data must be a real number \(int or float\), got {type_name}"):
        Value(given)


@pytest.mark.parametrize("given", [math.nan, math.inf, -math.inf, 10**400])
def test_non_finite_data_is_rejected(given):
    with pytest.raises(ValueError, match=r"^Value data must be finite, got"):
        Value(given)


def test_label_meta_repr_and_float():
    v = Value(2.0, label="w1", meta={"role": "parameter"})
    assert v.label == "w1" and v.meta == {"role": "parameter"}
    assert repr(v) == "Value(data=2.0, grad=0.0, label='w1')"
    assert float(v) == 2.0
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0.0)"


def test_micrograd_attributes():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    assert c._prev == {a, b} and c._op == "*"
    assert a._op == "" and a._prev == set()


# ---- operands -------------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["a", None, 1j, [1.0]])
def test_non_numeric_operands_are_type_errors_naming_the_type(other):
    name = type(other).__name__
    with pytest.raises(TypeError, match=rf"^mul: operands must be Values or real numbers, got {name}: "):
        Value(1.0) * other
    with pytest.raises(TypeError, match=rf"^add: operands must be Values or real numbers, got {name}: "):
        other + Value(1.0)
    with pytest.raises(TypeError, match=rf"^pow_const: operands must be Values or real numbers, got {name}"):
        Value(1.0) ** other


def test_numbers_on_either_side_become_constants_in_operand_order():
    x = Value(3.0)
    y = 2 - x
    assert [p.data for p in y.parents] == [2.0, 3.0]
    assert y.parents[0].is_constant and not x.is_constant
    assert (2**x).data == 8.0 and (x**2).data == 9.0 and (1 / x).data == 1 / 3


def test_numbers_get_no_gradient_and_share_one_constant_node():
    x = Value(3.0)
    y = x * 2.5 + 2.5 / x + x**2.0
    y.backward()
    constants = [
        p
        for node in (y.parents[0].parents[0], y.parents[0].parents[1], y.parents[1])
        for p in node.parents
        if p.is_constant
    ]
    assert [c.data for c in constants] == [2.5, 2.5, 2.0]
    assert constants[0] is constants[1]
    assert all(c.grad == 0.0 for c in constants)
    assert x.grad == pytest.approx(2.5 - 2.5 / 9 + 6)
    z = sum_values([x, 1.0, x]) + weighted_sum([x, 2.0], [4.0, x], 1.0)
    z.backward()
    assert all(p.grad == 0.0 for node in (z.parents[0], z.parents[1]) for p in node.parents if p.is_constant)


def test_a_constant_used_as_a_value_still_gets_no_gradient():
    x, c = Value(3.0), constant(4.0)
    y = x * c + sum_values([c, x]) + weighted_sum([c], [x], c)
    y.backward()
    assert c.is_constant and c.grad == 0.0
    assert x.grad == 4.0 + 1.0 + 4.0


def test_n_ary_operands_must_be_numbers_or_values():
    with pytest.raises(TypeError, match=r"^sum_values: each value must be a Value or a real number, got str: 'a'$"):
        sum_values([Value(1.0), "a"])
    with pytest.raises(TypeError, match=r"^weighted_sum: each input must be a Value or a real number, got NoneType"):
        weighted_sum([Value(1.0)], [None])
    with pytest.raises(ValueError, match=r"^weighted_sum: 2 weights but 1 inputs; they must pair up$"):
        weighted_sum([1.0, 2.0], [Value(1.0)])
    with pytest.raises(ValueError, match=r"^sum_values: needs at least one value, got none$"):
        sum_values([])


def test_in_place_operators_make_new_nodes():
    c = Value(1.0)
    first = c
    c += 1
    c *= 3
    c -= 1
    c /= 5
    assert c.data == 1.0 and first.data == 1.0
    c.backward()
    assert first.grad == pytest.approx(0.6)


# ---- domain errors name the op and its operands ---------------------------------------------

DOMAIN_ERRORS = [
    (lambda: Value(0.0).log(), ValueError, r"^log: operand must be positive, got log\(0\.0\)$"),
    (lambda: Value(-1.0).log(), ValueError, r"^log: operand must be positive, got log\(-1\.0\)$"),
    (lambda: Value(-4.0).sqrt(), ValueError, r"^sqrt: operand must not be negative, got sqrt\(-4\.0\)$"),
    (lambda: Value(1.0) / 0, ZeroDivisionError, r"^div: division by zero in 1\.0 / 0\.0$"),
    (lambda: 1 / Value(0.0), ZeroDivisionError, r"^div: division by zero in 1\.0 / 0\.0$"),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, r"^pow: zero to a negative power in 0\.0 \*\* -1\.0$"),
    (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, r"^pow: zero to a negative power in 0\.0"),
    (
        lambda: Value(-8.0) ** (1 / 3),
        ValueError,
        r"^pow: negative base -8\.0 with non-integer exponent 0\.333\d+ has no real value$",
    ),
    (lambda: Value(-2.0) ** Value(2.0), ValueError, r"^pow: negative base -2\.0 with a Value exponent 2\.0"),
    (lambda: (-2) ** Value(0.5), ValueError, r"^pow: negative base -2\.0 with a Value exponent 0\.5"),
    (lambda: Value(1000.0).exp(), OverflowError, r"^exp: exp\(1000\.0\) overflows a float"),
    (lambda: Value(1e308) * 10, OverflowError, r"^mul: the result of mul\(1e\+308, 10\.0\) overflows a float$"),
    (lambda: Value(1e308) + 1e308, OverflowError, r"^add: the result of add\(1e\+308, 1e\+308\) overflows"),
    (lambda: Value(-1e308) - 1e308, OverflowError, r"^sub: the result of sub\(-1e\+308, 1e\+308\) overflows"),
    (lambda: Value(1e300) / 1e-300, OverflowError, r"^div: the result of div\(1e\+300, 1e-300\) overflows"),
    (lambda: Value(1e200) ** 2, OverflowError, r"^pow: 1e\+200 \*\* 2\.0 overflows a float$"),
    (lambda: Value(2.0) ** 1e6, OverflowError, r"^pow: 2\.0 \*\* 1000000\.0 overflows a float$"),
]


@pytest.mark.parametrize(("make", "error", "message"), DOMAIN_ERRORS)
def test_domain_errors_name_the_op_and_operands(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_sigmoid_tanh_softplus_never_overflow():
    for x in (-1000.0, -1e308, 1000.0, 1e308):
        for f in (Value.sigmoid, Value.tanh, Value.softplus):
            v = Value(x)
            out = f(v)
            out.backward()
            assert math.isfinite(out.data) and math.isfinite(v.grad)
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_an_infinite_derivative_is_reported_by_backward_not_spread():
    x = Value(0.0, label="x")
    with pytest.raises(
        FloatingPointError,
        match=r"^backward: the gradient reaching x is inf: the local derivative of sqrt\(0\.0\) "
        r"with respect to it is inf$",
    ):
        x.sqrt().backward()


def test_an_overflowing_gradient_is_reported():
    x = Value(1e-300, label="x")
    y = x * 1e200 * 1e200  # data 1e100, but dy/dx = 1e400
    with pytest.raises(
        FloatingPointError,
        match=r"^backward: the gradient reaching x is inf: a product of finite local derivatives "
        r"overflowed a float$",
    ):
        y.backward()


def test_backward_rejects_a_non_finite_seed():
    with pytest.raises(ValueError, match=r"^backward gradient must be finite, got nan$"):
        Value(1.0).backward(math.nan)


# ---- gradients ------------------------------------------------------------------------------


def test_operands_keep_their_multiplicity():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0 and b.grad == 2.0
    assert b.parents == (a, a)
    sq = Value(3.0)
    (sq * sq).backward()
    assert sq.grad == 6.0


def _graph(x, y):
    """A small graph with shared subexpressions, built the same way for Values and tensors."""
    h = x * y + x.exp()
    u = h.tanh()
    return u * h + y / x, [h, u]


@needs_torch
def test_backward_k_times_gives_k_times_every_grad():
    x, y = Value(0.7), Value(-1.3)
    out, inner = _graph(x, y)
    out.backward()
    once = [v.grad for v in (x, y, *inner, out)]
    out.backward()
    out.backward()
    for v, g in zip((x, y, *inner, out), once):
        assert v.grad == pytest.approx(3 * g, rel=1e-15)
    # leaves: what PyTorch gives with retain_graph=True
    tx = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(-1.3, dtype=torch.float64, requires_grad=True)
    tout, _ = _graph(tx, ty)
    for _ in range(3):
        tout.backward(retain_graph=True)
    assert x.grad == pytest.approx(tx.grad.item(), rel=1e-13)
    assert y.grad == pytest.approx(ty.grad.item(), rel=1e-13)


def test_zero_grad_resets_the_whole_graph():
    x, y = Value(0.7), Value(-1.3)
    out, inner = _graph(x, y)
    out.backward()
    out.zero_grad()
    assert all(v.grad == 0.0 for v in (x, y, *inner, out))
    out.backward()
    fresh = [Value(0.7), Value(-1.3)]
    again, _ = _graph(*fresh)
    again.backward()
    assert (x.grad, y.grad) == (fresh[0].grad, fresh[1].grad)


def test_grads_are_floats():
    x = Value(2)
    (x * 3).backward()
    assert type(x.grad) is float


@pytest.fixture
def default_recursion_limit():
    """CPython's default limit, whatever a plugin or an earlier test raised it to."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(before)


def test_a_million_op_chain_at_the_default_recursion_limit(default_recursion_limit):
    n = 1_000_000
    rate = 1.0 + 1e-7
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * rate
    y.backward()
    assert y.data == pytest.approx(rate**n, rel=1e-9)
    assert x.grad == pytest.approx(rate**n, rel=1e-9)  # d(x·r^n)/dx = r^n


# ---- constants are shared, so they cannot change ----------------------------------------------


@pytest.mark.parametrize("name", ["data", "grad", "label", "meta", "parents", "local_grads", "op"])
def test_a_constant_cannot_be_assigned_or_deleted(name):
    c = (Value(1.0) * 7.25).parents[1]
    assert c.is_constant
    with pytest.raises(AttributeError, match=rf"^constant 7\.25: {name} cannot be changed: the node is shared"):
        setattr(c, name, 1.5)
    with pytest.raises(AttributeError, match=rf"^constant 7\.25: {name} cannot be changed: the node is shared"):
        delattr(c, name)
    assert (c.data, c.grad, c.op, c.parents) == (7.25, 0.0, "const", ())
    assert (Value(2.0) * 7.25).data == 14.5


def test_zeroing_a_constants_grad_is_allowed_and_backward_leaves_it_alone():
    c = constant(4.5)
    c.grad = 0.0  # zero_grad over a whole graph does this
    x = Value(2.0)
    y = x * c
    y.backward()
    y.backward()  # the second pass runs from zero and restores: constants included
    y.zero_grad()
    assert c.grad == 0.0 and x.grad == 0.0
    assert Constant(3.0).data == 3.0 and Constant(3.0).op == "const"


# ---- only plain floats enter a graph ----------------------------------------------------------


class LyingFloat(float):
    """A float subclass whose equality, hash, repr and float() all lie."""

    def __eq__(self, other):
        return True

    def __hash__(self):
        return hash(0.5)

    def __repr__(self):
        return "__import__('builtins')"

    def __float__(self):
        return 0.5


def test_numbers_of_other_types_become_plain_floats():
    np = pytest.importorskip("numpy")
    for number, expected in [(np.float64(0.1171875), 0.1171875), (Fraction(3, 8), 0.375), (np.float32(0.25), 0.25)]:
        assert type(Value(number).data) is float
        c = (Value(1.0) * number).parents[1]
        assert c.is_constant and type(c.data) is float and c.data == expected
        assert (Value(1.0) * expected).parents[1] is c  # the same cached node as the plain float


def test_a_float_subclass_counts_as_its_number_only():
    constant(0.5)  # cached
    liar = LyingFloat(3.0)
    product = Value(2.0) * liar
    assert product.data == 6.0 and type(product.parents[1].data) is float
    assert type(Value(liar).data) is float and Value(liar).data == 3.0


# ---- a .data set to nan or inf by hand is reported, not hidden -------------------------------------


@pytest.mark.parametrize(
    ("op", "message"),
    [
        (lambda v: v.relu(), r"^relu: operand must be a number, got relu\(nan\); was its \.data set by hand\?$"),
        (lambda v: v * 2.0, r"^mul: operand 0 of mul\(nan, 2\.0\) is not finite; was its \.data set by hand\?$"),
        (lambda v: v.tanh(), r"^tanh: operand 0 of tanh\(nan\) is not finite; was its \.data set by hand\?$"),
        (lambda v: v**0, r"^pow: operands must be numbers, got nan \*\* 0\.0; was a \.data set by hand\?$"),
        (lambda v: 1.0**v, r"^pow: operands must be numbers, got 1\.0 \*\* nan; was a \.data set by hand\?$"),
        (lambda v: v.sin(), r"^sin: operand must be finite, got sin\(nan\); was its \.data set by hand\?$"),
    ],
)
def test_an_op_on_a_nan_set_by_hand_says_so(op, message):
    v = Value(1.0)
    v.data = math.nan
    with pytest.raises(ValueError, match=message):
        op(v)


def test_an_op_on_an_inf_set_by_hand_says_so():
    v = Value(1.0)
    v.data = math.inf
    with pytest.raises(ValueError, match=r"^relu: operand 0 of relu\(inf\) is not finite; was its \.data set by hand"):
        v.relu()
    with pytest.raises(ValueError, match=r"^sin: operand must be finite, got sin\(inf\); was its \.data set by hand"):
        v.sin()
    with pytest.raises(ValueError, match=r"^cos: operand must be finite, got cos\(inf\); was its \.data set by hand"):
        v.cos()


def test_a_backward_that_raises_leaves_every_grad_as_it_was():
    a, b = Value(2.0, "a"), Value(0.0, "b")
    a.grad = 5.0
    y = a * 3.0 + b.sqrt()
    with pytest.raises(FloatingPointError, match=r"^backward: the gradient reaching b is inf"):
        y.backward()
    assert (a.grad, b.grad, y.grad) == (5.0, 0.0, 0.0)


def test_a_value_formats_as_its_number_so_grads_of_create_graph_can_be_shown():
    """As a scalar torch tensor: a format spec formats the data; drawings and pages show such grads."""
    import viz

    x = Value(0.5, "x")
    y = (x * x).tanh()
    y.label = "y"
    y.backward(create_graph=True)
    assert f"{x.grad:.4f}" == "0.9400" and f"{x}" == repr(x)
    assert "grad 0.94" in viz.draw_graph(y).source and "0.94" in viz.page(y)


def test_a_value_is_tested_and_compared_by_its_number_as_a_scalar_tensor_is():
    zero, two = Value(0.0), Value(2.0)
    assert (bool(zero), bool(two), bool(Value(-1e-300))) == (False, True, True)
    assert two == 2 and two != 3.0 and (two == 3.0) is False and zero == 0
    assert two > 1.5 and two >= 2.0 and zero < two and zero <= 0.0 and 3 > two  # noqa: SIM300
    assert max([zero, two, Value(1.0)]) is two and sorted([two, zero])[0] is zero
    assert two != Value(2.0) and two == two  # nodes are keys by identity
    assert {two: "a", Value(2.0): "b"}[two] == "a" and len({two, Value(2.0)}) == 2
    assert (two == "2") is False
    with pytest.raises(TypeError, match="'<' not supported between instances of 'Value' and 'str'"):
        two < "3"  # noqa: B015


def test_a_zero_gradient_graph_is_kept_when_create_graph_accumulates():
    """x.grad of 0 from create_graph still carries 2·x: a second pass adds to it, as in PyTorch."""
    x = Value(0.0)
    (x * x).backward(create_graph=True)
    (x * x * x).backward(create_graph=True)
    (g,) = autograd.grad(x.grad, [x])  # d/dx (2x + 3x²) = 2 at 0
    assert g == 2.0
    assert autograd.hessian(lambda a: a * a, [0.0]) == [[2.0]]


def test_a_graph_with_numbers_in_it_can_be_copied_and_pickled():
    """copy.deepcopy (as walkthrough does) and pickle raised AttributeError on the graph's constants."""
    import copy
    import pickle

    x = Value(2.0, label="x")
    y = (x * 3.0 - 1.0).tanh()
    for copied in (copy.deepcopy(y), pickle.loads(pickle.dumps(y))):
        assert copied.data == y.data and copied.parents[0] is not y.parents[0]
        (mul, one) = copied.parents[0].parents
        assert one.is_constant and one is constant(1.0)  # the shared constant of the number
        copied.backward()
        assert mul.parents[0].grad == pytest.approx(3.0 * (1.0 - y.data**2))
    assert x.grad == 0.0


def test_a_value_set_as_data_is_refused_where_it_is_used():
    """p.data = p.data - lr * p.grad with a grad of create_graph nested a Value in .data silently."""
    x = Value(2.0)
    (x * x).backward(create_graph=True)
    x.data = x.data - 0.1 * x.grad  # a Value
    message = r"^mul: the \.data of operand 0 is Value Value\(data=1\.6, .*\), not a number; after backward"
    with pytest.raises(TypeError, match=message):
        x * 2.0
    with pytest.raises(TypeError, match=message):
        x * Value(2.0)
    w = Value(2.0, label="w")
    program, summed = autograd.trace(lambda a: w * a, 1.0), autograd.trace_sum(lambda a: [w * a], 1.0)
    w.data = Value(3.0)
    with pytest.raises(TypeError, match=r"^program: the data of the parameter 'w' must be a real number .* got Value"):
        program(2.0)
    with pytest.raises(TypeError, match=r"^mul: the \.data of operand 0 is Value"):
        summed.backward([(1.0,), (2.0,)])
    w.data = 3  # an int set by hand: the results are floats
    assert (w * 2.0).data.__class__ is float and (w * w).data == 9.0


# ---- how a node is stored ------------------------------------------------------------------------


def test_local_grads_are_a_tuple_per_operand_whatever_the_op_keeps():
    x, w = Value(0.5), Value(2.0)
    t = x.tanh()
    assert t.local_grads == (1.0 - t.data * t.data,) and type(t.local_grads) is tuple
    assert (x * w).local_grads == (2.0, 0.5) and x.local_grads == ()
    assert sum_values([x]).local_grads == (1.0,)
    t.local_grads = [0.25]  # set by hand (as micrograd's lecture does): stored as a tuple
    assert t.local_grads == (0.25,)
    t.backward()
    assert x.grad == 0.25


def test_a_node_of_a_tanh_chain_takes_at_most_200_bytes():
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    x = Value(0.5)
    for _ in range(10_000):
        x = x.tanh()
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert used / 10_000 <= 200  # a Value (88 bytes), its operands' tuple (48), its data and derivative (24 each)
