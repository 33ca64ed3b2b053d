"""The primitive operations, each defined once: its value and its local derivatives, side by side.

An op is its value rule ``value(*operands)`` and its derivative rule ``derivatives(*operands, out)``
(one derivative per operand, in terms of the operands and the result, as PyTorch's
derivatives.yaml states them), written with arithmetic and ``autograd.functions``, next to the
checks that give its domain errors. Everything else reads the rules from ``OPS``: the engine's
float rule (``op.apply``, compiled from them), the derivatives of derivatives (the rules applied to
Values), forward mode, the tracer's generated code, and the formulas the walkthrough prints.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import functions as fn
from autograd.expressions import Expr, is_literal, literal_value, number

Result = tuple[float, tuple[float, ...]]

# What generated code may assume about an op's floats; the tracer's overflow checks rely on it.
ARITHMETIC = "arithmetic"  # an inf or nan operand gives inf or nan; may overflow silently; finite locals
SMOOTH = "smooth"  # finite operands give a finite value or an exception; finite local derivatives
SINGULAR = "singular"  # may overflow silently; a local derivative may be infinite (like 1/0)
KINDS = (ARITHMETIC, SMOOTH, SINGULAR)


@dataclass(frozen=True)
class Check:
    """A domain error: where condition (source over the operands) holds, raise error(message)."""

    condition: str
    error: type[Exception]
    message: str  # an f-string body over the operands, e.g. "log: operand must be positive, got log({a!r})"


@dataclass(frozen=True)
class Op:
    """A primitive: how it is written, its value and derivative rules, its checks, and its float rule."""

    name: str
    symbol: str  # the op node's label in drawings (micrograd's _op)
    text: str  # how the walkthrough writes it: {0}, {1} the operands, e.g. "σ({0})"; {*} all of them
    latex: str
    value: Callable[..., Any]
    derivatives: Callable[..., Sequence[Any]]
    kind: str = SINGULAR
    checks: tuple[Check, ...] = ()
    gate: Callable[..., Any] | None = None  # where this is false every local derivative is exactly 0
    operands: tuple[str, ...] = field(init=False)  # the value rule's parameter names
    arity: int | None = field(init=False)  # None: any number of operands
    apply: Callable[..., Result] = field(init=False, repr=False)  # value and local derivatives of floats
    compiled: bool = field(init=False)  # the rules read as source (else apply calls them as they are)

    def __post_init__(self) -> None:
        names, arity = _signature(self.name, self.value)
        _set(self, "operands", names)
        _set(self, "arity", arity)
        apply, compiled = _float_rule(self)
        _set(self, "apply", apply)
        _set(self, "compiled", compiled)

    def code(self, out: str, *operands: str) -> tuple[str, tuple[str, ...], str | None]:
        """The rules as source over operand expressions: (value, local derivatives, gate or None)."""
        args = [Expr(a) for a in operands]
        value = number(self.value(*args)).text
        local = tuple(number(d).text for d in self.derivatives(*args, Expr(out)))
        return value, local, number(self.gate(*args)).text if self.gate else None

    def formulas(self) -> tuple[str, ...]:
        """Each local derivative as a formula over the operands and ``out``, e.g. ("1.0 - out * out",)."""
        names = self.operands if self.arity is not None else ("x0", "x1")
        return self.code("out", *names)[1]


OPS: dict[str, Op] = {}
BUILTIN: tuple[str, ...] = ()
_set = object.__setattr__  # a frozen Op's derived fields, set once


def register(op: Op, *, replace: bool = False) -> Op:
    """Add op to OPS; a ValueError if its name is taken (replace: an op of your own may be redefined)."""
    if op.name in OPS and not (replace and op.name not in BUILTIN):
        raise ValueError(f"an op named {op.name!r} exists already; the ops are {', '.join(OPS)}")
    if op.kind not in KINDS:
        raise ValueError(f"{op.name}: kind must be one of {', '.join(KINDS)}, got {op.kind!r}")
    OPS[op.name] = op
    return op


def _signature(name: str, value: Callable[..., Any]) -> tuple[tuple[str, ...], int | None]:
    try:
        parameters = list(inspect.signature(value).parameters.values())
    except (TypeError, ValueError):
        raise TypeError(f"{name}: value must be a function of the operands, got {value!r}") from None
    if len(parameters) == 1 and parameters[0].kind is inspect.Parameter.VAR_POSITIONAL:
        return (parameters[0].name,), None
    if not parameters or any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters):
        raise TypeError(f"{name}: value must take the operands as plain parameters, like lambda a, b: ...")
    return tuple(p.name for p in parameters), len(parameters)


def _float_rule(op: Op) -> tuple[Callable[..., Result], bool]:
    """op's rules compiled into one function of floats; if they cannot be read as source, the rules."""
    try:
        value, local, _ = op.code("out", *(op.operands if op.arity is not None else ("x0", "x1")))
    except Exception:  # e.g. math.exp or a branch on an operand: only floats can run these rules
        return _calling(op), False
    if op.arity is None:  # n-ary: one compiled rule per number of operands
        return _per_count(op), True
    return _compile(op, value, local, op.operands), True


def _calling(op: Op) -> Callable[..., Result]:
    value, derivatives = op.value, op.derivatives

    def apply(*xs: float) -> Result:
        out = value(*xs)
        return out, tuple(derivatives(*xs, out))

    return apply


COMPILED_OPERANDS = 64  # an n-ary op's rule is compiled for up to this many operands, else called


def _per_count(op: Op) -> Callable[..., Result]:
    """An n-ary op's float rule: compiled for each number of operands the first time it is met."""
    rules: dict[int, Callable[..., Result]] = {}
    calling = _calling(op)

    def apply(*xs: float) -> Result:
        rule = rules.get(len(xs))
        if rule is None:
            if len(xs) > COMPILED_OPERANDS:  # a long sum: its source would cost more than it saves
                return calling(*xs)
            names = tuple(f"x{i}" for i in range(len(xs)))
            value, local, _ = op.code("out", *names)
            rule = rules[len(xs)] = _compile(op, value, local, names)
        return rule(*xs)

    return apply


def _compile(op: Op, value: str, local: tuple[str, ...], operands: tuple[str, ...]) -> Callable[..., Result]:
    """def apply(operands): the checks, out = value, return out and the local derivatives."""
    params = ", ".join(operands)
    lines = [f"def apply({params}):"]
    for check in op.checks:
        lines += [f"    if {check.condition}:", f"        raise {check.error.__name__}(f{check.message!r})"]
    namespace: dict[str, Any] = dict(fn.NAMESPACE)
    namespace.update({e.__name__: e for e in (ValueError, ZeroDivisionError, OverflowError)})
    choice = _literal_choice(local)
    if all(is_literal(Expr(d)) for d in local):  # a shared tuple: the node allocates nothing for it
        namespace["LOCAL"] = tuple(literal_value(Expr(d)) for d in local)
        lines += [f"    return {value}, LOCAL"]
    elif choice:  # one of two shared tuples (relu's 1 or 0)
        condition, namespace["THEN"], namespace["ELSE"] = choice
        lines += [f"    return {value}, (THEN if {condition} else ELSE)"]
    else:
        lines += [f"    out = {value}", f"    return out, ({', '.join(local)},)"]
    exec(compile("\n".join(lines) + "\n", f"<float rule of {op.name}>", "exec"), namespace)
    return namespace["apply"]


def _literal_choice(local: tuple[str, ...]) -> tuple[str, tuple[float], tuple[float]] | None:
    """(condition, (x,), (y,)) if the one local derivative is ``x if condition else y`` of numbers."""
    if len(local) != 1:
        return None
    tree = ast.parse(local[0], mode="eval").body
    if not (isinstance(tree, ast.IfExp) and is_literal(Expr(ast.unparse(tree.body)))):
        return None
    if not is_literal(Expr(ast.unparse(tree.orelse))):
        return None
    pick = (literal_value(Expr(ast.unparse(tree.body))),), (literal_value(Expr(ast.unparse(tree.orelse))),)
    return ast.unparse(tree.test), *pick


def layout(operands: Sequence[Any]) -> tuple[Sequence[Any], Sequence[Any], Any | None]:
    """A weighted sum's operands as (weights, inputs, bias or None): k weights, k inputs, a bias if odd."""
    k = len(operands) // 2
    return operands[:k], operands[k : 2 * k], operands[2 * k] if len(operands) % 2 else None


def _weighted_sum_value(*operands: Any) -> Any:
    weights, inputs, bias = layout(operands)
    out = fn.dot(weights, inputs)
    return out if bias is None else out + bias


def _weighted_sum_derivatives(*operands_and_out: Any) -> tuple[Any, ...]:
    weights, inputs, bias = layout(operands_and_out[:-1])
    return (*inputs, *weights, *(() if bias is None else (1.0,)))


def _finite(name: str) -> Check:
    return Check(
        "a - a", ValueError, name + ": operand must be finite, got " + name + "({a!r}); was its .data set by hand?"
    )


# ---- the primitives -----------------------------------------------------------------------------
# fmt: off
for _op in (
    Op("add", "+", "{0} + {1}", "{0} + {1}", lambda a, b: a + b, lambda a, b, out: (1.0, 1.0), ARITHMETIC),
    Op("sub", "-", "{0} − {1}", "{0} - {1}", lambda a, b: a - b, lambda a, b, out: (1.0, -1.0), ARITHMETIC),
    Op("mul", "*", "{0}·{1}", "{0} \\cdot {1}", lambda a, b: a * b, lambda a, b, out: (b, a), ARITHMETIC),
    Op("div", "/", "{0} / {1}", "\\frac{{{0}}}{{{1}}}", lambda a, b: a / b,
       lambda a, b, out: (1.0 / b, -out / b), SINGULAR,
       (Check("b == 0.0", ZeroDivisionError, "div: division by zero in {a!r} / {b!r}"),)),
    Op("neg", "-", "−{0}", "-{0}", lambda a: -a, lambda a, out: (-1.0,), ARITHMETIC),
    # a ** b for a number exponent b (a constant: its derivative is never needed)
    Op("pow_const", "**", "{0}^{1}", "{0}^{{{1}}}", lambda a, b: fn.power(a, b),
       lambda a, b, out: (fn.power_slope(a, b), 0.0), SINGULAR),
    # a ** b for a Value exponent: the base must not be negative, since d/db = a^b·ln(a)
    Op("pow", "**", "{0}^{1}", "{0}^{{{1}}}", lambda a, b: fn.power(a, b),
       lambda a, b, out: (fn.power_slope(a, b), fn.exponent_slope(out, a)), SINGULAR,
       (Check("a < 0.0", ValueError, "pow: negative base {a!r} with a Value exponent {b!r}: the derivative "
              "a^b·ln(a) with respect to the exponent is not real"),)),
    Op("exp", "exp", "exp({0})", "e^{{{0}}}", lambda a: fn.exp(a), lambda a, out: (out,), SMOOTH,
       (Check(f"a > {fn.EXP_LIMIT!r}", OverflowError,
              f"exp: exp({{a!r}}) overflows a float (largest argument {fn.EXP_LIMIT!r})"),)),
    Op("log", "log", "log({0})", "\\ln\\left({0}\\right)", lambda a: fn.log(a), lambda a, out: (1.0 / a,), SINGULAR,
       (Check("a <= 0.0", ValueError, "log: operand must be positive, got log({a!r})"),)),
    Op("sqrt", "sqrt", "√({0})", "\\sqrt{{{0}}}", lambda a: fn.sqrt(a), lambda a, out: (fn.ratio(0.5, out),), SINGULAR,
       (Check("a < 0.0", ValueError, "sqrt: operand must not be negative, got sqrt({a!r})"),)),
    Op("tanh", "tanh", "tanh({0})", "\\tanh\\left({0}\\right)", lambda a: fn.tanh(a),
       lambda a, out: (1.0 - out * out,), SMOOTH),
    Op("sigmoid", "σ", "σ({0})", "\\sigma\\left({0}\\right)", lambda a: fn.sigmoid(a),
       lambda a, out: (out * (1.0 - out),), SMOOTH),
    Op("relu", "ReLU", "ReLU({0})", "\\mathrm{{ReLU}}\\left({0}\\right)", lambda a: fn.positive(a, a, 0.0),
       lambda a, out: (fn.step(a),), SMOOTH,
       (Check("a != a", ValueError, "relu: operand must be a number, got relu({a!r}); was its .data set by hand?"),),
       gate=lambda a: a > 0.0),
    Op("softplus", "softplus", "softplus({0})", "\\mathrm{{softplus}}\\left({0}\\right)", lambda a: fn.log1p_exp(a),
       lambda a, out: (fn.sigmoid(a),), SMOOTH),
    Op("abs", "abs", "|{0}|", "\\left|{0}\\right|", lambda a: abs(a), lambda a, out: (fn.sign(a),), SMOOTH),
    Op("sin", "sin", "sin({0})", "\\sin\\left({0}\\right)", lambda a: fn.sin(a), lambda a, out: (fn.cos(a),), SMOOTH,
       (_finite("sin"),)),
    Op("cos", "cos", "cos({0})", "\\cos\\left({0}\\right)", lambda a: fn.cos(a), lambda a, out: (-fn.sin(a),), SMOOTH,
       (_finite("cos"),)),
    # x·log(y), 0 where x is 0: cross-entropy's terms t·log p, finite for a target of 0 when p underflows.
    # ∂/∂x is log y (PyTorch gives 0 where x is 0), ∂/∂y is x / y; both 0 at x = y = 0, where neither exists.
    Op("xlogy", "xlogy", "{0}·log({1})", "{0} \\ln\\left({1}\\right)", lambda a, b: fn.xlogy(a, b),
       lambda a, b, out: (fn.log_or_zero(b), fn.xdivy(a, b)), SINGULAR,
       (Check("a != a or b != b", ValueError, "xlogy: operands must be numbers, got xlogy({a!r}, {b!r})"),
        Check("a != 0.0 and b <= 0.0", ValueError,
              "xlogy: y must be positive where x is not 0, got xlogy({a!r}, {b!r})"))),
    # the derivatives of relu and abs: piecewise constant, so their own derivative is 0
    Op("step", "step", "step({0})", "H\\left({0}\\right)", lambda a: fn.step(a), lambda a, out: (0.0,), SMOOTH),
    Op("sign", "sign", "sign({0})", "\\mathrm{{sgn}}\\left({0}\\right)", lambda a: fn.sign(a),
       lambda a, out: (0.0,), SMOOTH),
    Op("sum", "Σ", "{0} + {1}", "{0} + {1}", lambda *xs: fn.total(xs), lambda *xs: (1.0,) * (len(xs) - 1),
       ARITHMETIC),
    # log Σ e^x_i, the normaliser of softmax: its derivatives are the softmax e^(x_i - out)
    Op("logsumexp", "logΣexp", "logsumexp({*})", "\\mathrm{{logsumexp}}\\left({*}\\right)",
       lambda *xs: fn.logsumexp(xs), lambda *xs: tuple(fn.exp(x - xs[-1]) for x in xs[:-1]), SMOOTH),
    # Σ w_i·x_i (+ bias): operands are k weights, then k inputs, then the bias if there is one
    Op("weighted_sum", "Σw·x", "{0}·{1}", "{0} \\cdot {1}", _weighted_sum_value, _weighted_sum_derivatives,
       ARITHMETIC),
):
    register(_op)
# fmt: on

BUILTIN = tuple(OPS)  # the engine's own ops, which every consumer must know (the tests check)

add, sub, mul, div, neg = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
pow_const, pow_, exp, log, sqrt = OPS["pow_const"], OPS["pow"], OPS["exp"], OPS["log"], OPS["sqrt"]
tanh, sigmoid, relu, softplus, abs_ = OPS["tanh"], OPS["sigmoid"], OPS["relu"], OPS["softplus"], OPS["abs"]
sin, cos, step, sign = OPS["sin"], OPS["cos"], OPS["step"], OPS["sign"]
sum_, weighted_sum, logsumexp, xlogy = OPS["sum"], OPS["weighted_sum"], OPS["logsumexp"], OPS["xlogy"]
