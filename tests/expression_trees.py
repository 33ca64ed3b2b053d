"""Random expression trees, read alike as Values and as sympy expressions, and where floats can follow them.

A tree is a symbol's index, (unary, tree) or (binary, tree, tree). ``enclosure`` decides from the sympy
readings alone, with mpmath's interval arithmetic, whether the engine must compute a tree and its derivatives.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import sympy
from hypothesis import strategies as st
from mpmath.ctx_iv import MPIntervalContext

from autograd import Value

SYMBOLS = sympy.symbols("x y z", real=True)  # real: sympy differentiates |x| as sign(x)

# Each entry builds the same function on Values and on sympy expressions.
UNARY = {
    "neg": (lambda a: -a, lambda a: -a),
    "exp": (Value.exp, sympy.exp),
    "log": (Value.log, sympy.log),
    "sqrt": (Value.sqrt, sympy.sqrt),
    "tanh": (Value.tanh, sympy.tanh),
    "sigmoid": (Value.sigmoid, lambda a: 1 / (1 + sympy.exp(-a))),
    "softplus": (Value.softplus, lambda a: sympy.log(1 + sympy.exp(a))),
    "sin": (Value.sin, sympy.sin),
    "cos": (Value.cos, sympy.cos),
    "abs": (Value.abs, sympy.Abs),
    "relu": (Value.relu, lambda a: sympy.Max(a, 0)),
    "square": (lambda a: a**2, lambda a: a**2),
    "cube": (lambda a: a**3, lambda a: a**3),
    "reciprocal": (lambda a: a**-1, lambda a: 1 / a),
    "half-power": (lambda a: a**0.5, lambda a: a ** sympy.Rational(1, 2)),
    "two-to-the": (lambda a: 2**a, lambda a: 2**a),
    "scale": (lambda a: 3 * a - 1, lambda a: 3 * a - 1),
}
BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "pow": (lambda a, b: a**b, lambda a, b: a**b),
}


def trees(depth: int) -> st.SearchStrategy:
    """Expression trees as nested tuples: a symbol index, (unary, tree) or (binary, tree, tree)."""
    leaf = st.integers(0, len(SYMBOLS) - 1)
    if depth == 0:
        return leaf
    sub = trees(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(sorted(UNARY)), sub),
        st.tuples(st.sampled_from(sorted(BINARY)), sub, sub),
    )


def build(tree, leaves):
    """The tree as (Value, sympy expression)."""
    if isinstance(tree, int):
        return leaves[tree], SYMBOLS[tree]
    table = UNARY if len(tree) == 2 else BINARY
    ours, theirs = table[tree[0]]
    parts = [build(t, leaves) for t in tree[1:]]
    return ours(*(p[0] for p in parts)), theirs(*(p[1] for p in parts))


def relative_error(ours: float, exact: sympy.Expr) -> float:
    """|ours - exact|, relative to |exact| where that is above 1."""
    exact = float(exact)
    return abs(ours - exact) / max(1.0, abs(exact))


point = st.floats(-3, 3, allow_nan=False).filter(lambda v: abs(v) > 1e-3)


# ---- where floats can follow a tree ---------------------------------------------------------------
# Every step's result is enclosed in an interval, widened by more than the engine's rounding (a few
# units in the last place, or anything below the smallest normal float), so that it holds the float
# the engine computes. A second-order pass multiplies the checked numbers along paths about twice as
# long as a tree (of depth 3) is deep: 1e30 keeps a product of eight of them below float's range.
ROUNDING, UNDERFLOW = 2.0**-40, 1e-300
iv = MPIntervalContext()  # intervals of our own, precise beyond floats, so that only the widening models them
iv.prec = 113
LIMITS = {1: 1e300, 2: 1e30}
OPERANDS = sympy.symbols("a b", real=True)


class _Unsure(Exception):
    """A step is outside its domain, or too near its edge or float's range to tell."""


@dataclass(frozen=True)
class Enclosure:
    """A tree's value and gradient as intervals, as wide as floats computing them step by step may stray."""

    value: Any
    gradient: list


def enclosure(tree, values, order: int = 1) -> Enclosure | None:
    """The tree's value and gradient at values as intervals; None where the engine may fail to compute them.

    The engine must not fail where every step (at its operands' intervals) is surely defined and
    differentiable (a log's operand positive, no kink, ...), and every value, local derivative up to
    order and gradient is surely finite in floats.
    """
    leaves = [iv.mpf(v) for v in values]
    gradient = [iv.mpf(0)] * len(leaves)
    try:
        value, step = _forward(tree, leaves, order, LIMITS[order])
        if isinstance(step, int):
            gradient[step] = iv.mpf(1)
        else:
            _backward(step, iv.mpf(1), gradient, LIMITS[order])
    except _Unsure:
        return None
    return Enclosure(value, gradient)


@functools.cache
def _reading(name: str) -> tuple[sympy.Expr, list[sympy.Expr], list[sympy.Expr]]:
    """The step's sympy reading over OPERANDS, its first and its second derivatives."""
    symbolic = UNARY[name][1] if name in UNARY else BINARY[name][1]
    operands = OPERANDS[: 1 if name in UNARY else 2]
    expression = symbolic(*operands)
    firsts = [sympy.diff(expression, a) for a in operands]
    return expression, firsts, [sympy.diff(d, a) for d in firsts for a in operands]


def _forward(tree, leaves: list, order: int, limit: float) -> tuple:
    """(the tree's value enclosed, its top step as (operand steps or leaf indices, local derivatives))."""
    if isinstance(tree, int):
        return leaves[tree], tree
    parts = [_forward(t, leaves, order, limit) for t in tree[1:]]
    expression, firsts, seconds = _reading(tree[0])
    at = dict(zip(OPERANDS, (value for value, _ in parts)))
    for second in seconds if order > 1 else ():
        _float(_interval(second, at), limit)
    slopes = [_float(_interval(d, at), limit) for d in firsts]
    return _float(_interval(expression, at), limit), ([step for _, step in parts], slopes)


def _backward(step: tuple, adjoint, gradient: list, limit: float) -> None:
    """Add each leaf's share of adjoint, the derivative of the root by step's value, to its gradient."""
    for operand, slope in zip(*step):
        share = _float(adjoint * slope, limit)
        if isinstance(operand, int):
            gradient[operand] = _float(gradient[operand] + share, limit)
        else:
            _backward(operand, share, gradient, limit)


def _interval(expression: sympy.Expr, at: dict):
    """An enclosure of expression, allowing for rounding at each of its steps; _Unsure off its domain."""
    if expression.is_Symbol:
        return at[expression]
    if expression.is_Rational:
        return iv.mpf(expression.p) / expression.q
    args = [_interval(a, at) for a in expression.args]
    if expression.is_Pow:
        return _rounded(_power(*args, expression.exp))
    inside, function = _FUNCTIONS[expression.func]
    if not inside(*args):
        raise _Unsure
    return _rounded(function(*args))


def _power(base, exponent, symbolic: sympy.Expr):
    if symbolic.is_Integer:  # a whole power: any base, but a negative one divides
        if symbolic < 0 and not _nonzero(base):
            raise _Unsure
        return base ** int(symbolic)
    if not _positive(base):  # a fractional or variable power: its derivative needs base > 0
        raise _Unsure
    return base**exponent


def _rounded(x):
    """x widened by more than a float's rounding."""
    x = iv.mpf(x)
    return x + iv.mpf([-1, 1]) * abs(x) * ROUNDING


def _float(x, limit: float):
    """An enclosure of the float the engine holds for x (rounded, or lost below the smallest normal
    float), if that is surely below limit in size; else _Unsure."""
    x = _rounded(x) + iv.mpf([-UNDERFLOW, UNDERFLOW])
    if abs(x).b > limit:
        raise _Unsure
    return x


def _positive(x) -> bool:
    return x.a > 0


def _nonzero(x) -> bool:
    return x.a > 0 or x.b < 0


def _anywhere(*xs) -> bool:
    return True


# sympy's functions in the readings and their derivatives: (where surely defined, the interval function)
_FUNCTIONS = {
    sympy.Add: (_anywhere, lambda *xs: sum(xs[1:], xs[0])),
    sympy.Mul: (_anywhere, lambda *xs: math.prod(xs[1:], start=xs[0])),
    sympy.exp: (_anywhere, iv.exp),
    sympy.log: (_positive, iv.log),
    sympy.sin: (_anywhere, iv.sin),
    sympy.cos: (_anywhere, iv.cos),
    sympy.tanh: (_anywhere, lambda a: 1 - 2 / (iv.exp(2 * a) + 1)),
    sympy.Abs: (_anywhere, abs),
    sympy.Max: (_anywhere, lambda x, y: iv.mpf([max(x.a, y.a), max(x.b, y.b)])),
    # the derivatives of kinks, which do not exist at 0 (sympy's Heaviside(0) is 1/2, PyTorch's step(0) is 0)
    sympy.sign: (_nonzero, lambda a: iv.mpf(1 if a.a > 0 else -1)),
    sympy.Heaviside: (lambda a, _: _nonzero(a), lambda a, _: iv.mpf(1 if a.a > 0 else 0)),
    sympy.DiracDelta: (_nonzero, lambda a: iv.mpf(0)),
}
