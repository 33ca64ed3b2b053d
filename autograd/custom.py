"""Your own ops: a value rule and hand-derived derivatives make a primitive like the built-in ones."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from autograd.expressions import Expr
from autograd.ops import BUILTIN
from autograd.primitive import OPS, PYTHON_NAMES, SOURCE_FUNCTIONS, Op, register, settle_reading


def define_op(
    name: str,
    value: Callable[..., Any],
    derivatives: Callable[..., Sequence[Any]],
    *,
    symbol: str | None = None,
    replace: bool = False,
) -> Op:
    """Register the op ``name`` and return it: called on Values it makes a node, on numbers a float,
    and inside other ops' rules it reads as source, so that one op's derivative can use another.

    value(*operands) computes the result; derivatives(*operands, out) returns one local derivative
    per operand. Write both with arithmetic and autograd.functions (exp, log, sigmoid, ...), which
    work on floats, Values and source alike: then the op is compiled, traced, and differentiable to
    any order. Rules that only floats can run (math.exp, an if on an operand) still work, at first
    order and through the tracer. replace=True redefines an op of your own (a notebook cell run again).
    """
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        raise ValueError(f"define_op: the name must be an identifier like 'softsign' (not _...), got {name!r}")
    reserved = name in BUILTIN or name in SOURCE_FUNCTIONS or name in PYTHON_NAMES
    if reserved or (name in OPS and not replace):
        raise ValueError(
            f"define_op: an op named {name!r} exists already; choose another name"
            + ("" if reserved or name not in OPS else " (or pass replace=True to redefine yours)")
        )
    for what, rule in (("value", value), ("derivatives", derivatives)):
        if not callable(rule):
            raise TypeError(f"define_op: {name}: {what} must be a function, got {type(rule).__name__}")
    _arity(name, value)
    op = Op(name, derivatives, value, symbol=symbol or name)
    _check_count(op)
    registered = register(op, replace=True)
    settle_reading(op, _sample_points(len(op.operands)))
    return registered


_SAMPLES = (0.5, -1.25, 2.0, 0.0, 3.0, -0.75)  # where an op's compiled rule must equal its rules on floats


def _sample_points(count: int) -> list[tuple[float, ...]]:
    """Points of count operands made of _SAMPLES, each operand taking every sample once."""
    return [tuple(_SAMPLES[(i + k) % len(_SAMPLES)] for k in range(count)) for i in range(len(_SAMPLES))]


def _arity(name: str, value: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(value).parameters.values()
    except (TypeError, ValueError):
        raise TypeError(f"define_op: {name}: cannot read value's parameters") from None
    if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters) or not parameters:
        raise TypeError(f"define_op: {name}: value must take its operands as plain parameters, like lambda a, b: ...")
    return len(parameters)


def _check_count(op: Op) -> None:
    """The derivatives give one entry per operand, checked on source operands (or on 0.5 each)."""
    n = len(op.operands)
    try:
        found = op.derivatives(*(Expr(x) for x in op.operands), Expr("out"))
    except Exception:  # rules only floats can run
        try:
            found = op.derivatives(*([0.5] * n), op.value(*([0.5] * n)))
        except Exception:
            return  # apply() checks the count at the first use
    if not isinstance(found, tuple | list) or len(found) != n:
        got = f"{len(found)} derivatives" if isinstance(found, tuple | list) else f"a {type(found).__name__}"
        raise ValueError(
            f"define_op: {op.name}: derivatives must return one derivative per operand "
            f"({n}: {', '.join(op.operands)}) as a tuple, got {got}"
        )
