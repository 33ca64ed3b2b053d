"""Higher order replayed: ``trace_hessian`` and ``trace_jvp`` trace f once and replay its Hessian or jvp as a program.

Both are ``Program``s of a function built from f with the engine's own transforms, so they are read as
Python (and as C when that pays, ``native``) like any trace: the Hessian from one program of
Σ_k ∂f/∂x_k at copy k of x (the gradient traced with create_graph), whose gradient in copy k is row k, so
one replay gives every row; the jvp from one program of f(x + ε·t), whose derivative in ε at ε = 0 is ∇f·t.
Where a replay meets inf, nan or an op's domain error, the dynamic ``autograd.hessian`` / ``autograd.jvp``
run instead and give their own result or error, word for word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd.compiler.program import Program, trace
from autograd.transforms import grad, hessian, input_numbers, jvp, output_of
from autograd.value import Value, as_finite_float, sum_values

# A Hessian program replays n copies of the gradient's graph (one per row) in one call while that has at most
# this many nodes; a larger one replays one copy n times (the ~10 µs a call costs is then small beside it).
ROWS_LIMIT = 20_000


def trace_hessian(f: Callable[..., Value], inputs: Sequence[Any], *, native: bool | str = "auto") -> HessianProgram:
    """f(*values) traced once at inputs: a program giving autograd.hessian(f, other inputs) by replay.

    native: as trace's. f must build the same graph at every input (the rule of autograd.trace).
    """
    numbers = input_numbers("hessian", inputs)
    n = len(numbers)

    def seeded(xs: list[Value], seeds: list[Value]) -> Value:  # its gradient in xs at seeds = e_k: row k
        gradients = grad(output_of("hessian", f, xs), xs, create_graph=True)
        return sum_values([s * g for s, g in zip(seeds, gradients)] or [0.0])

    def rows(copies: list[list[Value]]) -> Value:  # its gradient in copy k: row k
        derivatives = [grad(output_of("hessian", f, xs), xs, create_graph=True)[k] for k, xs in enumerate(copies)]
        return sum_values(derivatives or [0.0])

    one = trace(seeded, numbers, [0.0] * n, native=native)
    if n * len(one.nodes) > ROWS_LIMIT:
        return HessianProgram(f, n, one, all_rows=False)
    return HessianProgram(f, n, trace(rows, [numbers] * n, native=native), all_rows=True)


def trace_jvp(f: Callable[..., Value], inputs: Sequence[Any], *, native: bool | str = "auto") -> JvpProgram:
    """f(*values) traced once at inputs: a program giving autograd.jvp(f, other inputs, tangents) by replay."""
    numbers = input_numbers("jvp", inputs)

    def along(xs: list[Value], tangents: list[Value], epsilon: Value) -> Value:
        return output_of("jvp", f, [x + epsilon * t for x, t in zip(xs, tangents)])

    return JvpProgram(f, len(numbers), trace(along, numbers, [0.0] * len(numbers), 0.0, native=native))


class HessianProgram:
    """f's Hessian replayed: called with inputs as autograd.hessian(f, inputs) is, and giving its numbers
    (float for float when all rows replay at once; to rounding when a row at a time)."""

    def __init__(self, f: Callable[..., Value], n: int, program: Program, *, all_rows: bool):
        self.f = f
        self.n = n  # inputs
        # all_rows: a program of Σ_k ∂f/∂x_k at copy k of x, whose gradient in copy k is the Hessian's row k;
        # else one of Σ_k s_k ∂f/∂x_k, whose gradient in x at s = e_k is row k
        self.program = program
        self.all_rows = all_rows

    def __repr__(self) -> str:
        return f"<HessianProgram of {getattr(self.f, '__name__', 'f')}: {self.program!r}>"

    def __call__(self, inputs: Sequence[Any]) -> list[list[float]]:
        """The matrix of d²f / d input_i d input_j at inputs, as nested lists of floats."""
        n = self.n
        x = _same_count("hessian", inputs, n)
        try:
            if self.all_rows:
                grads = self.program.flat_value_and_grad(x * n)[1]  # x checked: its copies need no shapes
                return [grads[k * n : (k + 1) * n] for k in range(n)]
            return [self.program.value_and_grad(x, seeds)[1][0] for seeds in _unit_vectors(n)]
        except (ArithmeticError, ValueError):  # the engine's own error (or result) for what the replay met
            return hessian(self.f, x)


class JvpProgram:
    """f's jvp replayed: called with inputs and tangents as autograd.jvp(f, inputs, tangents) is."""

    def __init__(self, f: Callable[..., Value], n: int, program: Program):
        self.f = f
        self.n = n  # inputs
        self.program = program  # of f(x + ε·t): its value and derivative in ε at ε = 0 are f and ∇f·t

    def __repr__(self) -> str:
        return f"<JvpProgram of {getattr(self.f, '__name__', 'f')}: {self.program!r}>"

    def __call__(self, inputs: Sequence[Any], tangents: Sequence[Any]) -> tuple[float, float]:
        """(f(inputs), the derivative of f along tangents)."""
        x = _same_count("jvp", inputs, self.n)
        if len(tangents) != len(x):
            raise ValueError(f"jvp: {len(x)} inputs but {len(tangents)} tangents; give one tangent per input")
        t = [as_finite_float(v, f"jvp: tangent {i}") for i, v in enumerate(tangents)]
        try:
            value, (_, _, along) = self.program.value_and_grad(x, t, 0.0)
        except (ArithmeticError, ValueError):
            return jvp(self.f, x, t)
        if along - along:
            return jvp(self.f, x, t)  # raises the engine's own FloatingPointError
        return value, along


def _unit_vectors(n: int) -> list[list[float]]:
    return [[1.0 if j == k else 0.0 for j in range(n)] for k in range(n)]


def _same_count(what: str, inputs: Sequence[Any], count: int) -> list[float]:
    """inputs as finite floats; ValueError unless there are as many as the program was traced with."""
    x = input_numbers(what, inputs)
    if len(x) != count:
        raise ValueError(f"{what}: the program was traced with {count} inputs, got {len(x)}")
    return x
