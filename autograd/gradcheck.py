"""Checking gradients against central finite differences, as PyTorch's gradcheck does, op by op too."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd.graph import topological_order
from autograd.primitive import OPS, Op
from autograd.transforms import grad
from autograd.value import Value, as_finite_float


class GradcheckError(RuntimeError):
    """Backward's gradients disagree with finite differences; the message is a table of both."""


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if f's backward gradients match central differences at inputs, else GradcheckError.

    f takes one Value per input and returns a Value. Each analytic gradient must satisfy
    |analytic - numeric| <= atol + rtol·|numeric|, and a second backward must give exactly twice it.
    First, every node's local derivatives are compared in the same way with central differences of
    its op's own value rule, so a wrong hand-derived derivative is named by op and operand.
    """
    if not eps > 0:
        raise ValueError(f"gradcheck: eps must be positive, got {eps!r}")
    names = [_name(x, i) for i, x in enumerate(inputs)]
    point = [as_finite_float(x.data if isinstance(x, Value) else x, f"gradcheck {n}") for x, n in zip(inputs, names)]
    leaves = [Value(x, label=n) for x, n in zip(point, names)]
    out = _call(f, leaves)
    wrong_ops = local_derivative_errors(out, eps, atol, rtol)
    out.backward()
    analytic = [leaf.grad for leaf in leaves]
    out.backward()
    second = [leaf.grad for leaf in leaves]
    numeric = []
    for i in range(len(point)):
        plus, minus = list(point), list(point)
        plus[i] += eps
        minus[i] -= eps
        numeric.append((_evaluate(f, plus) - _evaluate(f, minus)) / (2 * eps))
    wrong = [abs(a - n) > atol + rtol * abs(n) for a, n in zip(analytic, numeric)]
    unrepeatable = [s != 2 * a for a, s in zip(analytic, second)]
    if not any(wrong) and not any(unrepeatable) and not wrong_ops:
        return True
    if not raise_exception:
        return False
    report = (
        [_report(names, point, analytic, numeric, second, wrong, eps, atol, rtol)]
        if any(wrong) or any(unrepeatable)
        else []
    )
    if wrong_ops:
        report.append("gradcheck: local derivatives that disagree with their op's value rule:")
        report += [f"  {line}" for line in wrong_ops]
    raise GradcheckError("\n".join(report))


def _name(x: Value | float, i: int) -> str:
    return x.label if isinstance(x, Value) and x.label else f"input {i}"


def _call(f: Callable[..., Value], args: list[Value]) -> Value:
    out = f(*args)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    return out


def _evaluate(f: Callable[..., Value], point: list[float]) -> float:
    return _call(f, [Value(x) for x in point]).data


def _report(names, point, analytic, numeric, second, wrong, eps, atol, rtol) -> str:
    header = ("input", "value", "analytic", "numeric", "difference", "2nd backward", "problem")
    rows = [header]
    for name, x, a, n, s, bad in zip(names, point, analytic, numeric, second, wrong):
        flags = "wrong" if bad else ""
        if s != 2 * a:
            flags = (flags + ", " if flags else "") + "2nd backward not 2x"
        rows.append((name, f"{x:.6g}", f"{a:.10g}", f"{n:.10g}", f"{a - n:.3g}", f"{s:.10g}", flags))
    lines = table(rows)
    title = (
        f"gradcheck: backward's gradients disagree with central differences (eps={eps:g}, atol={atol:g}, rtol={rtol:g})"
    )
    return "\n".join([title, *lines])


def table(rows: Sequence[Sequence[str]]) -> list[str]:
    """rows (the first a header) as columns aligned right with " | " between them and a rule under the header."""
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return lines


def local_derivative_errors(root: Value, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> list[str]:
    """For every op in root's graph, each local derivative that central differences of the op's value
    rule contradict: "op: d/da is <rule> by its rule, <numeric> by finite differences at a=..."."""
    found: list[str] = []
    seen: set[tuple[str, tuple[float, ...]]] = set()
    for node in topological_order(root):
        if not node.parents or node.op not in OPS:
            continue
        op, point = OPS[node.op], tuple(p.data for p in node.parents)
        if (op.name, point) in seen:
            continue
        seen.add((op.name, point))
        rule = op.apply(*point)[1]
        for i, slope in enumerate(rule):
            if node.parents[i].is_constant:  # a number's derivative is never used (pow_const's exponent)
                continue
            numeric = _central_difference(op, point, i, eps)
            if numeric is not None and abs(slope - numeric) > atol + rtol * abs(numeric):
                found.append(
                    f"{op.name}: d/d{_operand(op, i)} is {slope:.6g} by its rule, {numeric:.6g} by finite "
                    f"differences at {_at(op, point)}"
                )
    return found


def _central_difference(op: Op, point: tuple[float, ...], i: int, eps: float) -> float | None:
    """(value(x_i + eps) - value(x_i - eps)) / 2·eps by the op's float rule; None outside its domain."""
    plus, minus = list(point), list(point)
    plus[i] += eps
    minus[i] -= eps
    try:
        return (op.apply(*plus)[0] - op.apply(*minus)[0]) / (2 * eps)
    except (ArithmeticError, ValueError):
        return None


def _operand(op: Op, i: int) -> str:
    return op.operands[i] if op.arity is not None else f" operand {i}"


def _at(op: Op, point: tuple[float, ...]) -> str:
    names = op.operands if op.arity is not None else [f"x{i}" for i in range(len(point))]
    return ", ".join(f"{n}={x!r}" for n, x in zip(names, point))


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if f's second derivatives match finite differences of its first, else GradcheckError.

    As PyTorch's gradgradcheck: the gradient of f, taken with create_graph=True and summed with
    fixed weights u_i, is itself gradchecked: its backward (the second derivatives) against central
    differences of the first derivatives.
    """
    weights = [1.0 / (i + 1) for i in range(len(inputs))]

    def first_derivatives(*xs: Value) -> Value:
        grads = grad(_call(f, list(xs)), list(xs), create_graph=True)
        total = grads[0] * weights[0]
        for g, u in zip(grads[1:], weights[1:]):
            total = total + g * u
        return total

    return gradcheck(first_derivatives, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
