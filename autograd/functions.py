"""The functions an op's rules are written with, each meaning the same on floats, Values and source.

An op's value and derivatives (``autograd.ops``) are ordinary arithmetic plus these functions.
On floats they compute (with PyTorch's conventions at the edges); on Values they build graph
nodes, so a derivative can be differentiated again; on ``Expr`` they write the Python source the
engine compiles and the tracer replays. Your own ops (``define_op``) may use them too.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

from autograd.expressions import CONDITIONAL, Expr, call, group, is_literal, literal_value, number

_FLOAT = (float, int)
EXP_LIMIT = math.log(1.7976931348623157e308)  # exp(x) overflows a float beyond this
# sum() adds floats left to right before Python 3.12 and compensates from 3.12: spell out the same adds.
_ADDS_IN_ORDER = sys.version_info < (3, 12)


def _is_float(x: Any) -> bool:
    return x.__class__ in _FLOAT


def exp(x: Any) -> Any:
    """e ** x."""
    return math.exp(x) if _is_float(x) else x.exp()


def log(x: Any) -> Any:
    """The natural logarithm."""
    return math.log(x) if _is_float(x) else x.log()


def sqrt(x: Any) -> Any:
    """The square root."""
    return math.sqrt(x) if _is_float(x) else x.sqrt()


def tanh(x: Any) -> Any:
    """The hyperbolic tangent."""
    return math.tanh(x) if _is_float(x) else x.tanh()


def sin(x: Any) -> Any:
    """The sine."""
    return math.sin(x) if _is_float(x) else x.sin()


def cos(x: Any) -> Any:
    """The cosine."""
    return math.cos(x) if _is_float(x) else x.cos()


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), exponentiating only a number <= 0, so that no x overflows."""
    if _is_float(x):
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)
    if isinstance(x, Expr):
        a = group(x, CONDITIONAL + 1)
        return Expr(f"1.0 / (1.0 + exp(-{a})) if {a} >= 0.0 else exp({a}) / (1.0 + exp({a}))", CONDITIONAL)
    return x.sigmoid()


def step(x: Any) -> Any:
    """1 where x > 0, else 0 (the derivative of relu, as in PyTorch); its own derivative is 0."""
    if _is_float(x):
        return 1.0 if x > 0.0 else 0.0
    if isinstance(x, Expr):
        return Expr(f"1.0 if {group(x, CONDITIONAL + 1)} > 0.0 else 0.0", CONDITIONAL)
    return x.step()


def sign(x: Any) -> Any:
    """1, -1 or 0 (at 0): the derivative of abs, as in PyTorch; its own derivative is 0."""
    if _is_float(x):
        return (1.0 if x > 0.0 else -1.0) if x else 0.0
    if isinstance(x, Expr):
        a = group(x, CONDITIONAL + 1)
        return Expr(f"(1.0 if {a} > 0.0 else -1.0) if {a} else 0.0", CONDITIONAL)
    return x.sign()


def positive(x: Any, then: Any, otherwise: Any) -> Any:
    """then where x > 0, else otherwise (on floats and source only: a value rule's branch)."""
    if isinstance(x, Expr):
        a, b, c = (group(e, CONDITIONAL + 1) for e in (then, x, otherwise))
        return Expr(f"{a} if {b} > 0.0 else {c}", CONDITIONAL)
    return then if x > 0.0 else otherwise


def xlogy(x: Any, y: Any) -> Any:
    """x·log(y), and 0 where x is 0 whatever y is (PyTorch's xlogy): a target of 0 never takes log 0."""
    if isinstance(x, Expr) or isinstance(y, Expr):
        a, b = group(x, CONDITIONAL + 1), group(y, CONDITIONAL + 1)
        return Expr(f"0.0 if {a} == 0.0 else {a} * log({b})", CONDITIONAL)
    if _is_float(x) and _is_float(y):
        return 0.0 if x == 0.0 else x * math.log(y)
    return x.xlogy(y) if not _is_float(x) else _lifted(x).xlogy(y)


def log_or_zero(y: Any) -> Any:
    """log(y) where y > 0, else 0: xlogy's derivative in x (on Values xlogy(step(y), y), differentiable again)."""
    if isinstance(y, Expr):
        b = group(y, CONDITIONAL + 1)
        return Expr(f"log({b}) if {b} > 0.0 else 0.0", CONDITIONAL)
    if _is_float(y):
        return math.log(y) if y > 0.0 else 0.0
    return y.step().xlogy(y)


def xdivy(x: Any, y: Any) -> Any:
    """x / y, and 0 where x is 0 whatever y is: xlogy's derivative in y (on Values plain x / y)."""
    if isinstance(x, Expr) or isinstance(y, Expr):
        a, b = group(x, CONDITIONAL + 1), group(y, CONDITIONAL + 1)
        return Expr(f"0.0 if {a} == 0.0 else {a} / {b}", CONDITIONAL)
    if _is_float(x) and _is_float(y):
        return 0.0 if x == 0.0 else x / y
    return x / y


def _lifted(x: float) -> Any:
    from autograd.value import constant  # the Values these functions build: imported when first needed

    return constant(x)


def log1p_exp(x: Any) -> Any:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no finite x overflows (a value rule, floats and source)."""
    if isinstance(x, Expr):
        a = group(x, CONDITIONAL + 1)
        return Expr(f"max({a}, 0.0) + log1p(exp(-abs({a})))", 2)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def ratio(x: Any, y: Any) -> Any:
    """x / y, infinite (with x's sign) where y is 0 instead of an error: a derivative at a singularity."""
    if isinstance(x, Expr) or isinstance(y, Expr):
        a, b = group(x, CONDITIONAL + 1), group(y, CONDITIONAL + 1)
        return Expr(f"{a} / {b} if {b} else {a} * inf", CONDITIONAL)
    if _is_float(y):
        return x / y if y else x * math.inf
    return x / y


def total(xs: Sequence[Any]) -> Any:
    """x0 + x1 + ... from 0.0, left to right, as sum(xs, 0.0) adds floats."""
    if xs and isinstance(xs[0], Expr):
        return _adds([number(x).text for x in xs])
    if xs and not _is_float(xs[0]):
        from autograd.value import sum_values  # Values: one n-ary node

        return sum_values(xs)
    return sum(xs, 0.0)


def logsumexp(xs: Sequence[Any]) -> Any:
    """log(e^x0 + e^x1 + ...), shifted by the largest x so that no term overflows (floats and source)."""
    if xs and isinstance(xs[0], Expr):
        return call("logsumexp", *xs)
    return _logsumexp(*xs)


def _logsumexp(*xs: float) -> float:
    top = max(xs)
    return top + math.log(sum([math.exp(x - top) for x in xs], 0.0))


def dot(ws: Sequence[Any], xs: Sequence[Any]) -> Any:
    """w0·x0 + w1·x1 + ..., added from 0.0 left to right (floats and source: a value rule)."""
    if ws and isinstance(ws[0], Expr):
        return _adds([(number(w) * number(x)).text for w, x in zip(ws, xs)])
    return sum(map(float.__mul__, ws, xs), 0.0)


def _adds(terms: list[str]) -> Expr:
    """The expression sum(terms, 0.0) computes, float for float."""
    if not terms:
        return Expr("0.0")
    if _ADDS_IN_ORDER and len(terms) <= 32:  # a longer chain would nest too deep for the compiler
        return Expr(" + ".join(("0.0", *terms)), 2)
    return Expr(f"sum(({', '.join(terms)},), 0.0)")


# ---- powers: PyTorch's conventions at the edges ----------------------------------------------


def power(a: Any, b: Any) -> Any:
    """a ** b for a real result: a negative base needs a whole exponent; 0 to a negative power and
    overflow are errors (Values: a node; source: Python's ** where nothing but overflow can go wrong)."""
    if isinstance(a, Expr) or isinstance(b, Expr):
        return number(a) ** number(b)
    if not (_is_float(a) and _is_float(b)):
        return a**b
    if a != a or b != b:  # nan ** 0 and 1 ** nan are 1.0: a nan set by hand would vanish
        raise ValueError(f"pow: operands must be numbers, got {a!r} ** {b!r}; was a .data set by hand?")
    if a < 0.0 and not float(b).is_integer():
        raise ValueError(f"pow: negative base {a!r} with non-integer exponent {b!r} has no real value")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: zero to a negative power in {a!r} ** {b!r}")
    try:
        return a**b
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {b!r} overflows a float") from None


def power_slope(a: Any, b: Any) -> Any:
    """d/da a^b = b·a^(b-1); PyTorch's conventions: 0 where b == 0, +inf at a == 0 for 0 < b < 1."""
    if isinstance(a, Expr) or isinstance(b, Expr):
        if is_literal(b) and literal_value(b).is_integer() and literal_value(b) >= 1.0:
            return number(b) * number(a) ** (literal_value(b) - 1.0) if literal_value(b) > 1.0 else Expr("1.0")
        return call("power_slope", a, b)
    if not _is_float(a):  # Values: a graph, so that the slope can be differentiated again
        if not getattr(b, "is_constant", False):
            return b * a ** (b - 1.0)
        e = b.data  # a number exponent stays a number: x ** 3 has slope 3·x ** 2
        return 0.0 if e == 0.0 else e * a ** (e - 1.0)
    if b == 0.0:
        return 0.0
    if a == 0.0 and b < 1.0:
        return math.inf
    try:
        return b * a ** (b - 1.0)
    except OverflowError:
        return math.copysign(math.inf, b)


def exponent_slope(out: Any, a: Any) -> Any:
    """d/db a^b = a^b·ln(a), given out = a^b; 0 at a == 0 (PyTorch's limit for b > 0)."""
    if isinstance(out, Expr) or isinstance(a, Expr):
        return call("exponent_slope", out, a)
    if _is_float(a):
        return out * math.log(a) if a != 0.0 else 0.0  # a negative a: log raises, as the op's check does
    return out * log_or_zero(a)  # no branch on a's data: a traced derivative must hold at a = 0 too


# The names the compiled float rules and the tracer's generated programs call.
NAMESPACE: dict[str, Any] = {
    "exp": math.exp,
    "log": math.log,
    "log1p": math.log1p,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "inf": math.inf,
    "power": power,
    "power_slope": power_slope,
    "exponent_slope": exponent_slope,
    "logsumexp": _logsumexp,
}
