"""Random expression trees: the engine's gradients against sympy's symbolic derivatives."""

from __future__ import annotations

import contextlib

import pytest
import sympy
from expression_trees import SYMBOLS, build, enclosure, point, relative_error, trees
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from autograd import Value

# |(|z| + x)| + x/x: a tree Hypothesis once saved with a RecursionError inside sympy (issue 23), on both
# sides of the kink of the outer |·| and with x/x, which sympy reads as 1
KEPT = ("add", ("abs", ("add", ("abs", 2), 0)), ("div", 0, 0))


@settings(max_examples=300, deadline=None)
@given(trees(4), st.tuples(point, point, point))
@example(KEPT, (-2.5, 1.0, 1.5))
@example(KEPT, (0.5, -1.0, -2.0))
@example(KEPT, (-1.5, 0.5, 1.5000000001))  # |z| + x is 1e-10: floats still tell its sign
def test_gradients_match_sympy(tree, values):
    enclosed = enclosure(tree, values)
    assume(enclosed is not None)  # outside the domain, or too near its edge for floats: other tests check
    leaves = [Value(v) for v in values]
    out, expr = build(tree, leaves)
    out.backward()
    at = dict(zip(SYMBOLS, values))
    exact = expr.subs(at).evalf(30)
    assume(exact.is_real and abs(float(exact)) < 1e12)
    assert relative_error(out.data, exact) < 1e-9 or out.data in enclosed.value  # or as near as floats can be
    for symbol, leaf, floats_can in zip(SYMBOLS, leaves, enclosed.gradient):
        derivative = sympy.diff(expr, symbol).subs(at).evalf(30)
        assume(derivative.is_real and abs(float(derivative)) < 1e12)
        # terms that cancel (3x¹²/z − 3x¹²/z) leave only as many digits as floats keep of them
        assert relative_error(leaf.grad, derivative) < 1e-8 or leaf.grad in floats_can, (symbol, leaf.grad, derivative)


# (tree, x, the engine's error there or None): edges of the domain and of floats, each beside a point inside
EDGES = [
    (("pow", ("neg", 0), 1), 0.5, ValueError),  # a negative base with a Value exponent: no real derivative
    (("pow", ("exp", ("neg", ("cube", 0))), 1), 2.0, None),  # base e^−8
    (("log", ("neg", ("scale", 0))), 1 / 3, ValueError),  # 3·x − 1 is −5.6e-17, but 0.0 in floats
    (("log", ("neg", ("scale", 0))), 0.3333333, None),
    (("log", ("exp", ("neg", ("exp", ("exp", 0))))), 2.0, ValueError),  # e^−1618 is 0.0 in floats
    (("log", ("exp", ("neg", ("exp", ("exp", 0))))), 1.0, None),
    (("div", 1, ("sub", ("tanh", ("cube", 0)), ("tanh", ("exp", 0)))), 3.0, ZeroDivisionError),  # both 1.0 in floats
    (("div", 1, ("sub", ("tanh", ("cube", 0)), ("tanh", ("exp", 0)))), 1.5, None),
    (("exp", ("cube", ("cube", 0))), 2.074, OverflowError),  # e^710 is beyond floats
    (("exp", ("cube", ("cube", 0))), 2.0, None),
    (("sqrt", ("relu", ("neg", 0))), 0.5, FloatingPointError),  # sqrt at 0: an infinite derivative
    (("sqrt", ("relu", 0)), 0.5, None),
]


@pytest.mark.parametrize(("tree", "x", "error"), EDGES)
def test_trees_are_defined_where_floats_follow_them(tree, x, error):
    assert (enclosure(tree, (x, 1.0, 1.0)) is not None) is (error is None)
    with pytest.raises(error) if error else contextlib.nullcontext():
        build(tree, [Value(x), Value(1.0), Value(1.0)])[0].backward()


@pytest.mark.parametrize("tree", [("relu", ("sub", 1, 2)), ("abs", ("sub", 1, 2))])
def test_trees_are_not_defined_at_a_kink(tree):
    assert enclosure(tree, (0.5, 1.0, 1.0)) is None  # y − z is 0: no derivative (sympy's Heaviside(0) is 1/2)


def test_hypothesis_keeps_no_example_between_runs_and_draws_the_same_ones_each_run():
    """A failure saved in .hypothesis/ would replay first on every later run in that checkout (tests/conftest.py)."""
    assert settings.default.database is None
    assert settings.get_profile("repeatable").derandomize  # the profile a run loads unless told otherwise
