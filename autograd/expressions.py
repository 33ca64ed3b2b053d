"""An op's rule read as Python source: ``Expr`` stands in for a number and records what is computed.

Calling an op's value and derivative rules with ``Expr`` operands gives their source text, which
the engine compiles into its float rule and the tracer writes into generated programs: the rules
are written once, as ordinary arithmetic and ops, and read three ways (floats, Values, source).
"""

from __future__ import annotations

import math
from typing import Any

# How tightly each kind of expression binds, as in Python's grammar: an operand that binds less
# tightly than its operator needs brackets.
CONDITIONAL, COMPARISON, SUM, PRODUCT, UNARY, POWER, ATOM = range(7)


class Expr:
    """Python source for a number: its text and how tightly it binds."""

    __slots__ = ("precedence", "text")

    def __init__(self, text: str, precedence: int = ATOM):
        self.text = text
        self.precedence = precedence

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    def __str__(self) -> str:
        return self.text

    # ---- arithmetic ------------------------------------------------------------------------

    def __add__(self, other: Any) -> Expr:
        return _binary(self, "+", other, SUM)

    def __radd__(self, other: Any) -> Expr:
        return _binary(other, "+", self, SUM)

    def __sub__(self, other: Any) -> Expr:
        return _binary(self, "-", other, SUM)

    def __rsub__(self, other: Any) -> Expr:
        return _binary(other, "-", self, SUM)

    def __mul__(self, other: Any) -> Expr:
        return _binary(self, "*", other, PRODUCT)

    def __rmul__(self, other: Any) -> Expr:
        return _binary(other, "*", self, PRODUCT)

    def __truediv__(self, other: Any) -> Expr:
        return _binary(self, "/", other, PRODUCT)

    def __rtruediv__(self, other: Any) -> Expr:
        return _binary(other, "/", self, PRODUCT)

    def __pow__(self, other: Any) -> Expr:
        return power(self, other)

    def __rpow__(self, other: Any) -> Expr:
        return power(other, self)

    # Comparisons are source too: a rule that branches on one (if a == b:) reaches __bool__ and is refused.
    def __gt__(self, other: Any) -> Expr:
        return _binary(self, ">", other, COMPARISON)

    def __ge__(self, other: Any) -> Expr:
        return _binary(self, ">=", other, COMPARISON)

    def __lt__(self, other: Any) -> Expr:
        return _binary(self, "<", other, COMPARISON)

    def __le__(self, other: Any) -> Expr:
        return _binary(self, "<=", other, COMPARISON)

    def __eq__(self, other: Any) -> Expr:  # type: ignore[override]
        return _binary(self, "==", other, COMPARISON)

    def __ne__(self, other: Any) -> Expr:  # type: ignore[override]
        return _binary(self, "!=", other, COMPARISON)

    __hash__ = object.__hash__

    def __neg__(self) -> Expr:
        return Expr(f"-{group(self, UNARY)}", UNARY)

    def __abs__(self) -> Expr:
        return call("abs", self)

    def __bool__(self) -> bool:
        raise TypeError(
            "an op's rule cannot branch on its operands; use where() in a value rule, step() or sign() in a derivative"
        )

    @staticmethod
    def reading(op: Any, operands: Any) -> Expr:
        """An op applied to source operands (autograd.primitive.Op.__call__): its value as source."""
        return op.source(*operands)


def number(x: Any) -> Expr:
    """x as an expression: an Expr itself, or a number written as a literal."""
    if isinstance(x, Expr):
        return x
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise TypeError(f"an op's rule can only compute with numbers, got {type(x).__name__}: {x!r}")
    if x != x:
        raise ValueError("an op's rule cannot compute with nan")
    return Expr(literal(float(x)))


def literal(x: float) -> str:
    """x as Python source that can stand as an operand anywhere: (-2.0) for -2.0, inf for infinity."""
    if math.isinf(x):
        return "inf" if x > 0 else "(-inf)"
    text = float.__repr__(float(x))  # never a subclass's own repr
    return f"({text})" if math.copysign(1.0, x) < 0 else text


def group(x: Any, precedence: int) -> str:
    """x's text, in brackets if it binds less tightly than precedence."""
    e = number(x)
    return e.text if e.precedence >= precedence else f"({e.text})"


def call(name: str, *args: Any) -> Expr:
    """The call name(args) as an expression."""
    return Expr(f"{name}({', '.join(number(a).text for a in args)})")


def power(a: Any, b: Any) -> Expr:
    """a ** b: Python's own operator for a whole exponent >= 1 (nothing can go wrong but overflow,
    which raises), else the engine's power(), which checks its operands."""
    if is_literal(b) and literal_value(b).is_integer() and literal_value(b) >= 1.0:
        return Expr(f"{group(a, ATOM)} ** {group(b, POWER)}", POWER)
    return call("power", a, b)


def _binary(a: Any, symbol: str, b: Any, precedence: int) -> Expr:
    # Left to right: the right operand needs brackets even at the same precedence (a * (b / c) is not
    # a * b / c in floats, nor a + (b + c) a + b + c), and a comparison's operands always do (a < b < c
    # is a chain in Python, not (a < b) < c).
    left = precedence + 1 if precedence == COMPARISON else precedence
    right = precedence + 1
    return Expr(f"{group(a, left)} {symbol} {group(b, right)}", precedence)


def is_literal(x: Any) -> bool:
    """True if x is a number, or an Expr that is a number written out."""
    if not isinstance(x, Expr):
        return True
    try:
        float(x.text.strip("()"))
    except ValueError:
        return False
    return True


def literal_value(x: Any) -> float:
    """The number a literal Expr (or a number) stands for."""
    return float(x.text.strip("()")) if isinstance(x, Expr) else float(x)
