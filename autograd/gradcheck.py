"""Checking backward's gradients against central finite differences, as PyTorch's gradcheck does."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
    """
    if not eps > 0:
        raise ValueError(f"gradcheck: eps must be positive, got {eps!r}")
    names = [_name(x, i) for i, x in enumerate(inputs)]
    point = [as_finite_float(x.data if isinstance(x, Value) else x, f"gradcheck {n}") for x, n in zip(inputs, names)]
    leaves = [Value(x, label=n) for x, n in zip(point, names)]
    out = _call(f, leaves)
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
    if not any(wrong) and not any(unrepeatable):
        return True
    if not raise_exception:
        return False
    raise GradcheckError(_report(names, point, analytic, numeric, second, wrong, eps, atol, rtol))


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
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    title = (
        f"gradcheck: backward's gradients disagree with central differences (eps={eps:g}, atol={atol:g}, rtol={rtol:g})"
    )
    return "\n".join([title, *lines])
