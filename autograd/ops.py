"""The primitive operations: for each, its forward value and local derivatives, side by side.

Every op is a pure function of floats returning ``(value, local_derivatives)``, registered in
``OPS`` under its name. The engine, the tracer, the tests and the graph drawings all read this table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Result = tuple[float, tuple[float, ...]]

# Shared tuples of constant local derivatives: nodes that use them allocate nothing for them.
ONE = (1.0,)
ZERO = (0.0,)
MINUS_ONE = (-1.0,)
ONE_ONE = (1.0, 1.0)
ONE_MINUS_ONE = (1.0, -1.0)
_ONES: dict[int, tuple[float, ...]] = {}


@dataclass(frozen=True)
class Op:
    """A primitive: its name, how it is written, its arity and its float rule."""

    name: str
    symbol: str
    arity: int | None  # None: any number of operands
    derivatives: tuple[str, ...]  # the local derivative with respect to each operand, as a formula
    apply: Callable[..., Result]


OPS: dict[str, Op] = {}


def primitive(name: str, symbol: str, arity: int | None, *derivatives: str) -> Callable:
    """Register the decorated float rule as the op ``name``."""

    def register(apply: Callable[..., Result]) -> Op:
        op = Op(name, symbol, arity, derivatives, apply)
        OPS[name] = op
        return op

    return register


def _operands(name: str, *values: float) -> str:
    return f"{name}({', '.join(repr(v) for v in values)})"


# ---- arithmetic ---------------------------------------------------------------------------


@primitive("add", "+", 2, "1", "1")
def add(a: float, b: float) -> Result:
    return a + b, ONE_ONE


@primitive("sub", "-", 2, "1", "-1")
def sub(a: float, b: float) -> Result:
    return a - b, ONE_MINUS_ONE


@primitive("mul", "*", 2, "b", "a")
def mul(a: float, b: float) -> Result:
    return a * b, (b, a)


@primitive("div", "/", 2, "1/b", "-a/b²")
def div(a: float, b: float) -> Result:
    if b == 0.0:
        raise ZeroDivisionError(f"div: division by zero in {a!r} / {b!r}")
    out = a / b
    return out, (1.0 / b, -out / b)


@primitive("neg", "-", 1, "-1")
def neg(a: float) -> Result:
    return -a, MINUS_ONE


@primitive("pow_const", "**", 2, "b·a^(b-1)", "0 (a number exponent is a constant)")
def pow_const(a: float, b: float) -> Result:
    """a ** b for a number exponent b: a negative base needs an integer exponent."""
    if a < 0.0 and not b.is_integer():
        raise ValueError(f"pow: negative base {a!r} with non-integer exponent {b!r} has no real value")
    return _power(a, b), (_power_slope(a, b), 0.0)


@primitive("pow", "**", 2, "b·a^(b-1)", "a^b·ln(a)")
def pow_(a: float, b: float) -> Result:
    """a ** b for a Value exponent b: the base must not be negative (ln a must be real)."""
    if a < 0.0:
        raise ValueError(
            f"pow: negative base {a!r} with a Value exponent {b!r}: "
            "the derivative a^b·ln(a) with respect to the exponent is not real"
        )
    out = _power(a, b)
    # PyTorch's convention: at a == 0 the exponent's derivative is 0 (the limit for b > 0).
    return out, (_power_slope(a, b), out * math.log(a) if a > 0.0 else 0.0)


def _power(a: float, b: float) -> float:
    if a != a or b != b:  # nan ** 0 and 1 ** nan are 1.0: a nan set by hand would vanish
        raise ValueError(f"pow: operands must be numbers, got {a!r} ** {b!r}; was a .data set by hand?")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: zero to a negative power in {a!r} ** {b!r}")
    try:
        return a**b
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {b!r} overflows a float") from None


def _power_slope(a: float, b: float) -> float:
    # d/da a^b = b·a^(b-1); PyTorch's conventions: 0 when b == 0, +inf at a == 0 for 0 < b < 1.
    if b == 0.0:
        return 0.0
    if a == 0.0 and b < 1.0:
        return math.inf
    try:
        return b * a ** (b - 1.0)
    except OverflowError:
        return math.copysign(math.inf, b)


# ---- elementary functions -------------------------------------------------------------------

_EXP_LIMIT = math.log(1.7976931348623157e308)  # exp(x) overflows a float beyond this


@primitive("exp", "exp", 1, "exp(a)")
def exp(a: float) -> Result:
    if a > _EXP_LIMIT:
        raise OverflowError(f"exp: exp({a!r}) overflows a float (largest argument {_EXP_LIMIT!r})")
    out = math.exp(a)
    return out, (out,)


@primitive("log", "log", 1, "1/a")
def log(a: float) -> Result:
    if a <= 0.0:
        raise ValueError(f"log: operand must be positive, got log({a!r})")
    return math.log(a), (1.0 / a,)


@primitive("sqrt", "sqrt", 1, "1/(2·sqrt(a))")
def sqrt(a: float) -> Result:
    if a < 0.0:
        raise ValueError(f"sqrt: operand must not be negative, got sqrt({a!r})")
    out = math.sqrt(a)
    return out, (0.5 / out if out else math.inf,)


@primitive("tanh", "tanh", 1, "1 - tanh(a)²")
def tanh(a: float) -> Result:
    t = math.tanh(a)  # never overflows
    return t, (1.0 - t * t,)


@primitive("sigmoid", "σ", 1, "σ(a)·(1 - σ(a))")
def sigmoid(a: float) -> Result:
    # Only ever exponentiate a non-positive number, so no input overflows.
    if a >= 0.0:
        s = 1.0 / (1.0 + math.exp(-a))
    else:
        e = math.exp(a)
        s = e / (1.0 + e)
    return s, (s * (1.0 - s),)


@primitive("relu", "ReLU", 1, "1 if a > 0 else 0")
def relu(a: float) -> Result:
    if a > 0.0:
        return a, ONE
    if a <= 0.0:
        return 0.0, ZERO
    raise ValueError(f"relu: operand must be a number, got relu({a!r}); was its .data set by hand?")


@primitive("softplus", "softplus", 1, "σ(a)")
def softplus(a: float) -> Result:
    # log(1 + e^a) = max(a, 0) + log1p(e^-|a|): no overflow for any finite a.
    out = max(a, 0.0) + math.log1p(math.exp(-abs(a)))
    return out, (sigmoid.apply(a)[0],)


@primitive("abs", "abs", 1, "sign(a) (0 at 0)")
def abs_(a: float) -> Result:
    return abs(a), ((1.0 if a > 0.0 else -1.0) if a else 0.0,)


@primitive("sin", "sin", 1, "cos(a)")
def sin(a: float) -> Result:
    try:
        return math.sin(a), (math.cos(a),)
    except ValueError:  # math's "domain error" for ±inf
        raise ValueError(f"sin: operand must be finite, got sin({a!r}); was its .data set by hand?") from None


@primitive("cos", "cos", 1, "-sin(a)")
def cos(a: float) -> Result:
    try:
        return math.cos(a), (-math.sin(a),)
    except ValueError:  # math's "domain error" for ±inf
        raise ValueError(f"cos: operand must be finite, got cos({a!r}); was its .data set by hand?") from None


# ---- n-ary ----------------------------------------------------------------------------------


def ones(n: int) -> tuple[float, ...]:
    """A shared tuple of n ones."""
    cached = _ONES.get(n)
    if cached is None:
        cached = _ONES[n] = (1.0,) * n
    return cached


@primitive("sum", "Σ", None, "1 for every operand")
def sum_(values: Sequence[float]) -> Result:
    return sum(values, 0.0), ones(len(values))


@primitive("weighted_sum", "Σw·x", None, "x_i for w_i", "w_i for x_i", "1 for the bias")
def weighted_sum(weights: Sequence[float], inputs: Sequence[float], bias: float | None) -> Result:
    """Σ w_i·x_i (+ bias), summed left to right as the chain of binary ops would be."""
    out = sum(map(float.__mul__, weights, inputs), 0.0)
    if bias is None:
        return out, (*inputs, *weights)
    return out + bias, (*inputs, *weights, 1.0)
