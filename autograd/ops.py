"""The primitive operations, each one entry: its value and local derivatives side by side, and how it is written.

An entry is all the engine needs to know of an op: its float rule, derivatives of any order, forward
mode, the tracer's generated code, the drawings and the walkthrough's formulas all read it (see
``autograd.primitive.Op`` for what a rule must respect). The helpers the rules use sit beside the
entries that use them; each means the same on floats, Values and source.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

from autograd.expressions import CONDITIONAL, Expr, call, group, is_literal, literal_value, number
from autograd.primitive import ARITHMETIC, SINGULAR, SMOOTH, Check, Op, register, seal_builtins, source_function

EXP_LIMIT = math.log(1.7976931348623157e308)  # exp(x) overflows a float beyond this
_FLOAT = (float, int)
# sum() adds floats left to right before Python 3.12 and compensates from 3.12: spell out the same adds.
_ADDS_IN_ORDER = sys.version_info < (3, 12)


def _is_float(x: Any) -> bool:
    return x.__class__ in _FLOAT


def where(condition: Any, then: Any, otherwise: Any) -> Any:
    """then where condition holds, else otherwise: a value rule's branch (read as floats or source only)."""
    if any(isinstance(x, Expr) for x in (condition, then, otherwise)):
        a, b, c = (group(e, CONDITIONAL + 1) for e in (then, condition, otherwise))
        return Expr(f"{a} if {b} else {c}", CONDITIONAL)
    return then if condition else otherwise


def _finite(name: str) -> Check:
    return Check(
        "a - a", ValueError, name + ": operand must be finite, got " + name + "({a!r}); was its .data set by hand?"
    )


# ---- arithmetic ---------------------------------------------------------------------------------
# fmt: off
add = register(Op("add", lambda a, b, out: (1.0, 1.0), lambda a, b: a + b, kind=ARITHMETIC,
                  symbol="+", text="{0} + {1}", latex="{0} + {1}"))
sub = register(Op("sub", lambda a, b, out: (1.0, -1.0), lambda a, b: a - b, kind=ARITHMETIC,
                  symbol="-", text="{0} − {1}", latex="{0} - {1}", grouped=True))
mul = register(Op("mul", lambda a, b, out: (b, a), lambda a, b: a * b, kind=ARITHMETIC,
                  symbol="*", text="{0}·{1}", latex="{0} \\cdot {1}", grouped=True, coefficient=True,
                  pairs=lambda operands, j: operands[1 - j]))
div = register(Op("div", lambda a, b, out: (1.0 / b, -out / b), lambda a, b: a / b,
                  checks=(Check("b == 0.0", ZeroDivisionError, "div: division by zero in {a!r} / {b!r}"),),
                  symbol="/", text="{0} / {1}", latex="\\frac{{{0}}}{{{1}}}", grouped=True))
neg = register(Op("neg", lambda a, out: (-1.0,), lambda a: -a, kind=ARITHMETIC,
                  symbol="-", text="−{0}", latex="-{0}", grouped=True))
# fmt: on


# ---- powers: PyTorch's conventions at the edges ---------------------------------------------------


# The helpers in JavaScript (autograd.script) raise what they raise, with the same words; repr() and fail() are
# the script's Python repr of a float and its raise.
_POWER = """function (a, b) {
  if (a !== a || b !== b) fail("ValueError", "pow: operands must be numbers, got " + repr(a) + " ** " + repr(b) +
    "; was a .data set by hand?");
  if (a < 0 && !Number.isInteger(b)) fail("ValueError", "pow: negative base " + repr(a) +
    " with non-integer exponent " + repr(b) + " has no real value");
  if (a === 0 && b < 0) fail("ZeroDivisionError", "pow: zero to a negative power in " + repr(a) + " ** " + repr(b));
  const r = Math.pow(a, b);
  if (r - r !== 0 && a - a === 0) fail("OverflowError", "pow: " + repr(a) + " ** " + repr(b) + " overflows a float");
  return r;
}"""


# The C bodies: py_pow(a, b, &r) is Python's float ** (0; 1 where it raises OverflowError; 2 another error).
@source_function(
    script=_POWER,
    c="if (!(a < 0.0 && b != floor(b)) && !(a == 0.0 && b < 0.0) && !py_pow(a, b, &r)) return r;\n"
    "*err = 1; return NAN;",
)
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


_POWER_SLOPE = """function (a, b) {
  if (b === 0) return 0.0;
  if (a === 0 && b < 1) return Infinity;
  const r = Math.pow(a, b - 1.0);
  return r - r === 0 ? b * r : (b > 0 ? Infinity : -Infinity);
}"""


@source_function(
    script=_POWER_SLOPE,
    c="if (b == 0.0) return 0.0;\nif (a == 0.0 && b < 1.0) return INFINITY;\n"
    "switch (py_pow(a, b - 1.0, &r)) { case 0: return b * r; case 1: return copysign(INFINITY, b); }\n"
    "*err = 1; return NAN;",
)
def power_slope(a: Any, b: Any) -> Any:
    """d/da a^b = b·a^(b-1); PyTorch's conventions: 0 where b == 0, +inf at a == 0 for 0 < b < 1."""
    if isinstance(a, Expr) or isinstance(b, Expr):
        if is_literal(b) and literal_value(b).is_integer() and literal_value(b) >= 1.0:
            return number(b) * number(a) ** (literal_value(b) - 1.0) if literal_value(b) > 1.0 else Expr("1.0")
        return call("power_slope", a, b)
    if not _is_float(a):  # Values: a graph, so that the slope can be differentiated again
        if not getattr(b, "is_constant", False):
            return scaled_power(b, a, b - 1.0)  # a node that is 0 where b is, at 0 ** 0 too
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


def _scaled_power(c: float, a: float, e: float) -> float:
    """c·a^e, 0 where c is 0; ±inf where a^e is infinite (0 to a negative power, overflow)."""
    if c != c or a != a or e != e:
        raise ValueError(f"scaled_power: operands must be numbers, got scaled_power({c!r}, {a!r}, {e!r})")
    if a < 0.0:  # as for pow with a Value exponent
        raise ValueError(f"scaled_power: negative base {a!r}: its derivative c·a^e·log(a) in e is not real")
    if c == 0.0:
        return 0.0
    if a == 0.0 and e < 0.0:
        return math.copysign(math.inf, c)
    try:
        return c * a**e
    except OverflowError:
        return math.copysign(math.inf, c)


_SCALED_POWER = """function (c, a, e) {
  if (c !== c || a !== a || e !== e) fail("ValueError", "scaled_power: operands must be numbers, got scaled_power(" +
    repr(c) + ", " + repr(a) + ", " + repr(e) + ")");
  if (a < 0) fail("ValueError", "scaled_power: negative base " + repr(a) +
    ": its derivative c·a^e·log(a) in e is not real");
  if (c === 0) return 0.0;
  if (a === 0 && e < 0) return c > 0 ? Infinity : -Infinity;
  const r = Math.pow(a, e);
  return r - r === 0 ? c * r : (c > 0 ? Infinity : -Infinity);
}"""

# fmt: off
# c·a^e, 0 where c is 0 whatever a^e is: a^b's slope b·a^(b-1) for a Value b, which 0 ** 0 makes 0·0^-1.
# Where a is 0 its derivatives in c and e are 0, as the slope a^b·log(a) in b is: the two orders of a mixed
# second derivative of a^b then agree there.
scaled_power = register(Op("scaled_power",
                           lambda c, a, e, out: (scaled_power(step(abs(a)), a, e), scaled_power(c * e, a, e - 1.0),
                                                 out * log_or_zero(a)),
                           function=_scaled_power, script=_SCALED_POWER, kind=SINGULAR,
                           c="if (c != c || a != a || e != e || a < 0.0) { *err = 1; return NAN; }\n"
                             "if (c == 0.0) return 0.0;\nif (a == 0.0 && e < 0.0) return copysign(INFINITY, c);\n"
                             "switch (py_pow(a, e, &r)) { case 0: return c * r; case 1: return copysign(INFINITY, c); }"
                             "\n*err = 1; return NAN;",
                           text="{0}·{1}^{2}", latex="{0} \\cdot {1}^{{{2}}}"))
# fmt: on


@source_function(
    script="function (out, a) { return a !== 0 ? out * log(a) : 0.0; }",
    c="return a != 0.0 ? out * math1(log, a, err) : 0.0;",
)
def exponent_slope(out: Any, a: Any) -> Any:
    """d/db a^b = a^b·ln(a), given out = a^b; 0 at a == 0 (PyTorch's limit for b > 0)."""
    if isinstance(out, Expr) or isinstance(a, Expr):
        return call("exponent_slope", out, a)
    if _is_float(a):
        return out * math.log(a) if a != 0.0 else 0.0  # a negative a: log raises, as the op's check does
    return out * log_or_zero(a)  # no branch on a's data: a traced derivative must hold at a = 0 too


# fmt: off
# a ** b for a number exponent b (a constant: its derivative is never needed)
pow_const = register(Op("pow_const", lambda a, b, out: (power_slope(a, b), 0.0), power,
                        symbol="**", text="{0}^{1}", latex="{0}^{{{1}}}", grouped=True))
# a ** b for a Value exponent: the base must not be negative, since d/db = a^b·ln(a)
pow_ = register(Op("pow", lambda a, b, out: (power_slope(a, b), exponent_slope(out, a)), power,
                   checks=(Check("a < 0.0", ValueError, "pow: negative base {a!r} with a Value exponent {b!r}: the "
                                 "derivative a^b·ln(a) with respect to the exponent is not real"),),
                   symbol="**", text="{0}^{1}", latex="{0}^{{{1}}}", grouped=True))


# ---- functions of one operand ---------------------------------------------------------------------

# d/dx e^x = e^x
exp = register(Op("exp", lambda a, out: (out,), function=math.exp, script="Math.exp", kind=SMOOTH,
                  c="return math1(exp, a, err);",
                  checks=(Check(f"a > {EXP_LIMIT!r}", OverflowError,
                                f"exp: exp({{a!r}}) overflows a float (largest argument {EXP_LIMIT!r})"),),
                  text="exp({0})", latex="e^{{{0}}}"))
# d/dx ln x = 1/x
log = register(Op("log", lambda a, out: (1.0 / a,), function=math.log, script="log", c="return math1(log, a, err);",
                  checks=(Check("a <= 0.0", ValueError, "log: operand must be positive, got log({a!r})"),),
                  latex="\\ln\\left({0}\\right)"))
# fmt: on


@source_function(
    script="function (x, y) { return y !== 0 ? div(x, y) : x * Infinity; }",
    c="return y != 0.0 ? x / y : x * INFINITY;",
)
def ratio(x: Any, y: Any) -> Any:
    """x / y, infinite (with x's sign) where y is 0 instead of an error: a derivative at a singularity."""
    if isinstance(x, Expr) or isinstance(y, Expr):
        a, b = group(x, CONDITIONAL + 1), group(y, CONDITIONAL + 1)
        return Expr(f"{a} / {b} if {b} else {a} * inf", CONDITIONAL)
    if _is_float(y):
        return x / y if y else x * math.inf
    return x / y


def _sigmoid(a: Any) -> Any:
    """1 / (1 + e^-x), exponentiating only a number <= 0, so that no x overflows."""
    return where(a >= 0.0, 1.0 / (1.0 + exp(-a)), exp(a) / (1.0 + exp(a)))


def _softplus(x: float) -> float:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no finite x overflows."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# fmt: off
# d/dx √x = 1 / (2√x), infinite at 0
sqrt = register(Op("sqrt", lambda a, out: (ratio(0.5, out),), function=math.sqrt, script="Math.sqrt",
                   c="return math1(sqrt, a, err);",
                   checks=(Check("a < 0.0", ValueError, "sqrt: operand must not be negative, got sqrt({a!r})"),),
                   text="√({0})", latex="\\sqrt{{{0}}}"))
# d/dx tanh x = 1 - tanh(x)^2
tanh = register(Op("tanh", lambda a, out: (1.0 - out * out,), function=math.tanh, script="Math.tanh", kind=SMOOTH,
                   c="return math1(tanh, a, err);",
                   latex="\\tanh\\left({0}\\right)"))
# d/dx σ(x) = σ(x)·(1 - σ(x))
sigmoid = register(Op("sigmoid", lambda a, out: (out * (1.0 - out),), _sigmoid, kind=SMOOTH,
                      symbol="σ", text="σ({0})", latex="\\sigma\\left({0}\\right)"))
# the derivatives of relu and abs: piecewise constant, so their own derivative is 0
step = register(Op("step", lambda a, out: (0.0,), lambda a: where(a > 0.0, 1.0, 0.0), kind=SMOOTH,
                   latex="H\\left({0}\\right)"))
sign = register(Op("sign", lambda a, out: (0.0,), lambda a: where(a, where(a > 0.0, 1.0, -1.0), 0.0), kind=SMOOTH,
                   latex="\\mathrm{{sgn}}\\left({0}\\right)"))
# d/dx max(x, 0) = step(x): 0 at 0, as in PyTorch
relu = register(Op("relu", lambda a, out: (step(a),), lambda a: where(a > 0.0, a, 0.0), kind=SMOOTH,
                   checks=(Check("a != a", ValueError,
                                 "relu: operand must be a number, got relu({a!r}); was its .data set by hand?"),),
                   gate=lambda a: a > 0.0, symbol="ReLU", text="ReLU({0})", latex="\\mathrm{{ReLU}}\\left({0}\\right)"))
# d/dx log(1 + e^x) = σ(x)
softplus = register(Op("softplus", lambda a, out: (sigmoid(a),), function=_softplus, kind=SMOOTH,
                       script="function (x) { return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x))); }",
                       c="return (0.0 > a ? 0.0 : a) + math1(log1p, math1(exp, -fabs(a), err), err);",
                       latex="\\mathrm{{softplus}}\\left({0}\\right)"))
# d/dx |x| = sign(x): 0 at 0, as in PyTorch
abs_ = register(Op("abs", lambda a, out: (sign(a),), lambda a: abs(a), kind=SMOOTH,
                   text="|{0}|", latex="\\left|{0}\\right|"))
sin = register(Op("sin", lambda a, out: (cos(a),), function=math.sin, script="Math.sin", kind=SMOOTH,
                  checks=(_finite("sin"),), c="return math1(sin, a, err);",
                  latex="\\sin\\left({0}\\right)"))
cos = register(Op("cos", lambda a, out: (-sin(a),), function=math.cos, script="Math.cos", kind=SMOOTH,
                  checks=(_finite("cos"),), c="return math1(cos, a, err);",
                  latex="\\cos\\left({0}\\right)"))
# fmt: on


# ---- x·log(y), 0 where x is 0: cross-entropy's terms t·log p, finite for a target of 0 when p underflows --


def log_or_zero(y: Any) -> Any:
    """log(y) where y > 0, else 0: xlogy's derivative in x (on Values xlogy(step(y), y), differentiable again)."""
    if isinstance(y, Expr):
        return where(y > 0.0, log(y), 0.0)
    if _is_float(y):
        return math.log(y) if y > 0.0 else 0.0
    return xlogy(step(y), y)


# fmt: off
# x / y, and 0 where x is 0 whatever y is: xlogy's derivative in y, kept 0 at x = 0 in every order.
# ∂/∂x is 1/y, 0 where y is 0 (as log_or_zero's slope in y is: the mixed second derivatives of xlogy agree);
# ∂/∂y is −(x/y)/y, 0 where x is 0.
xdivy = register(Op("xdivy", lambda a, b, out: (xdivy(step(abs(b)), b), -xdivy(out, b)),
                    lambda a, b: where(a == 0.0, 0.0, a / b),
                    checks=(Check("a != 0.0 and b == 0.0", ZeroDivisionError,
                                  "xdivy: division by zero in {a!r} / {b!r}"),),
                    text="{0} / {1}", latex="\\frac{{{0}}}{{{1}}}", grouped=True))
# fmt: on


# fmt: off
# ∂/∂x is log y (PyTorch gives 0 where x is 0), ∂/∂y is x / y; both 0 at x = y = 0, where neither exists.
xlogy = register(Op("xlogy", lambda a, b, out: (log_or_zero(b), xdivy(a, b)),
                    lambda a, b: where(a == 0.0, 0.0, a * log(b)),
                    checks=(Check("a != a or b != b", ValueError, "xlogy: operands must be numbers, got xlogy({a!r}, "
                                  "{b!r})"),
                            Check("a != 0.0 and b <= 0.0", ValueError,
                                  "xlogy: y must be positive where x is not 0, got xlogy({a!r}, {b!r})")),
                    text="{0}·log({1})", latex="{0} \\ln\\left({1}\\right)"))
# fmt: on


# ---- n-ary: sums over many operands in one node ----------------------------------------------------


def total(xs: Sequence[Any]) -> Any:
    """x0 + x1 + ... from 0.0, left to right, as sum(xs, 0.0) adds floats (floats and source)."""
    if xs and isinstance(xs[0], Expr):
        return _adds([number(x).text for x in xs])
    return sum(xs, 0.0)


def _logsumexp(*xs: float) -> float:
    """log(e^x0 + e^x1 + ...), shifted by the largest x so that no term overflows."""
    top = max(xs)
    return top + math.log(sum([math.exp(x - top) for x in xs], 0.0))


_LOGSUMEXP = """function (...xs) {
  const top = Math.max(...xs);
  return top + Math.log(pysum(xs.map((x) => Math.exp(x - top))));
}"""


def weighted_layout(operands: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any], Any | None]:
    """A weighted sum's operands as (weights, inputs, bias or None): k weights, k inputs, a bias if odd."""
    k = len(operands) // 2
    return operands[:k], operands[k : 2 * k], operands[2 * k] if len(operands) % 2 else None


def _weighted_sum_value(*operands: Any) -> Any:
    weights, inputs, bias = weighted_layout(operands)
    out = dot(weights, inputs)
    return out if bias is None else out + bias


def _weighted_sum_derivatives(*operands_and_out: Any) -> tuple[Any, ...]:
    weights, inputs, bias = weighted_layout(operands_and_out[:-1])
    return (*inputs, *weights, *(() if bias is None else (1.0,)))


def _weight_partner(operands: Sequence[Any], j: int) -> Any:
    weights, inputs, _ = weighted_layout(operands)
    return inputs[j] if j < len(weights) else None


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


# fmt: off
sum_ = register(Op("sum", lambda *xs: (1.0,) * (len(xs) - 1), lambda *xs: total(xs), kind=ARITHMETIC,
                   symbol="Σ", text="{0} + {1}", latex="{0} + {1}", join=" + "))
# log Σ e^x_i, the normaliser of softmax: its derivatives are the softmax e^(x_i - out)
logsumexp = register(Op("logsumexp", lambda *xs: tuple(exp(x - xs[-1]) for x in xs[:-1]), function=_logsumexp,
                        script=_LOGSUMEXP, kind=SMOOTH, symbol="logΣexp", normaliser=True,
                        c="double top = xs[0], total = 0.0;\n"
                          "for (int i = 1; i < n; i++) if (xs[i] > top) top = xs[i];\n"
                          "for (int i = 0; i < n; i++) total += math1(exp, xs[i] - top, err);\n"
                          "return top + math1(log, total, err);"))
# Σ w_i·x_i (+ bias): operands are k weights, then k inputs, then the bias if there is one
weighted_sum = register(Op("weighted_sum", _weighted_sum_derivatives, _weighted_sum_value, kind=ARITHMETIC,
                           symbol="Σw·x", text="{0}·{1}", latex="{0} \\cdot {1}", join=" + ",
                           layout=weighted_layout, pairs=_weight_partner))
# fmt: on

BUILTIN = seal_builtins()  # the engine's own ops: no op of yours may take their names
