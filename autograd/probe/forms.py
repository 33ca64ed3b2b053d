"""The forms a micrograd-style ``Value`` class is probed with: each op as a learner writes it, where it is
tried alone, and the wrong local derivatives that learners often write for it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Slip:
    """A wrong local derivative: what it is, and its rule (the operands, then the numbers, then the output)."""

    text: str
    rule: Callable[..., tuple[float, ...]]


@dataclass(frozen=True)
class Form:
    """An op as it is written, with Values a, b and numbers, e.g. "a + b", "2 - a", "a ** n", "a.tanh()"."""

    name: str
    text: str  # a format: {0}, {1}… the Value operands, then the numbers
    arity: int  # how many operands are Values
    apply: Callable[..., Any]  # the form on Values of either class: Values first, then numbers
    needs: str  # the attribute of the class that provides it
    points: tuple[tuple[float, ...], ...]  # where it is tried alone, plainest first: operands, then numbers
    kinks: tuple[float, ...] = ()  # operand values where the derivative is a convention (relu at 0)
    reflected: tuple[str, Callable[..., Any]] | None = None  # a number on the left: the other order, written and run
    slips: tuple[Slip, ...] = ()
    numbers: tuple[tuple[float, ...], ...] = ((),)  # the numbers random expressions give it
    tried: bool = False  # the class has it only if it runs at its first point (micrograd asserts a number exponent)


BINARY_POINTS = ((1.5, -0.5), (0.0, 0.0), (-2.0, 3.0))
NUMBER_POINTS = ((1.5,), (0.0,), (-2.0,))
SQUARE = "d/da of a ** n is n·a^(n-1)"


def _pow_slips() -> tuple[Slip, ...]:
    return (
        Slip(f"{SQUARE}; here a^(n-1): the factor n (the exponent) is missing", lambda a, n, out: (a ** (n - 1),)),
        Slip(f"{SQUARE}; here n·a^n: the exponent is not lowered by 1", lambda a, n, out: (n * a**n,)),
        Slip(f"{SQUARE}; here n·a: the power is missing", lambda a, n, out: (n * a,)),
    )


FORMS = (
    Form("a + b", "{0} + {1}", 2, lambda a, b: a + b, "__add__", BINARY_POINTS),
    Form("a * b", "{0} * {1}", 2, lambda a, b: a * b, "__mul__", ((1.5, -0.5), (0.0, 2.0), (-2.0, 3.0))),
    Form("a - b", "{0} - {1}", 2, lambda a, b: a - b, "__sub__", BINARY_POINTS),
    Form(
        "a / b",
        "{0} / {1}",
        2,
        lambda a, b: a / b,
        "__truediv__",
        ((1.5, -0.5), (0.0, 2.0), (-2.0, 4.0)),
        slips=(
            Slip("d/db of a / b is -a/b²; here -1/b²: the factor a is missing", lambda a, b, out: (1 / b, -1 / b**2)),
        ),
    ),
    Form(
        "a ** n",
        "{0} ** {1}",
        1,
        lambda a, n: a**n,
        "__pow__",
        ((1.5, 2), (1.5, 3), (2.25, 0.5), (0.5, -2), (-1.5, 3), (0.0, 2), (1.5, 0)),
        slips=_pow_slips(),
        numbers=((2,), (3,), (-1,), (0.5,)),
    ),
    Form("a ** b", "{0} ** {1}", 2, lambda a, b: a**b, "__pow__", ((1.5, 2.0), (4.0, 0.5), (2.0, -1.0)), tried=True),
    Form("-a", "-{0}", 1, lambda a: -a, "__neg__", NUMBER_POINTS),
    Form("a + 2", "{0} + 2", 1, lambda a: a + 2, "__add__", NUMBER_POINTS),
    Form("2 + a", "2 + {0}", 1, lambda a: 2 + a, "__radd__", NUMBER_POINTS),
    Form("a - 2", "{0} - 2", 1, lambda a: a - 2, "__sub__", NUMBER_POINTS),
    Form("2 - a", "2 - {0}", 1, lambda a: 2 - a, "__rsub__", NUMBER_POINTS, reflected=("a - 2", lambda a: a - 2)),
    Form("a * 2", "{0} * 2", 1, lambda a: a * 2, "__mul__", NUMBER_POINTS),
    Form("2 * a", "2 * {0}", 1, lambda a: 2 * a, "__rmul__", NUMBER_POINTS),
    Form("a / 2", "{0} / 2", 1, lambda a: a / 2, "__truediv__", NUMBER_POINTS),
    Form(
        "2 / a",
        "2 / {0}",
        1,
        lambda a: 2 / a,
        "__rtruediv__",
        ((1.5,), (-0.5,), (4.0,)),
        reflected=("a / 2", lambda a: a / 2),
    ),
    Form(
        "2 ** a",
        "2 ** {0}",
        1,
        lambda a: 2**a,
        "__rpow__",
        ((0.5,), (0.0,), (-1.0,)),
        reflected=("a ** 2", lambda a: a**2),
    ),
    Form(
        "a.relu()",
        "{0}.relu()",
        1,
        lambda a: a.relu(),
        "relu",
        ((1.5,), (-1.5,), (0.0,)),
        kinks=(0.0,),
        slips=(
            Slip(
                "d/da of relu is 1 where a > 0, else 0; here 1 everywhere: the gate is missing", lambda a, out: (1.0,)
            ),
            Slip(
                "d/da of relu is 1 where a > 0, else 0; here the output (out.data for out.data > 0)",
                lambda a, out: (out,),
            ),
        ),
    ),
    Form(
        "a.tanh()",
        "{0}.tanh()",
        1,
        lambda a: a.tanh(),
        "tanh",
        ((0.5,), (0.0,), (-1.5,), (3.0,)),
        slips=(
            Slip("d/da of t = tanh(a) is 1 - t²; here 1 - t", lambda a, out: (1 - out,)),
            Slip(
                "d/da of t = tanh(a) is 1 - t²; here 1 - a²: the input squared, not the output",
                lambda a, out: (1 - a * a,),
            ),
            Slip("d/da of t = tanh(a) is 1 - t²; here t²", lambda a, out: (out * out,)),
        ),
    ),
    Form(
        "a.exp()",
        "{0}.exp()",
        1,
        lambda a: a.exp(),
        "exp",
        ((0.5,), (0.0,), (-2.0,)),
        slips=(Slip("d/da of e^a is e^a (out.data); here a (self.data)", lambda a, out: (a,)),),
    ),
    Form(
        "a.log()",
        "{0}.log()",
        1,
        lambda a: a.log(),
        "log",
        ((2.0,), (0.5,), (1.0,)),
        slips=(Slip("d/da of log(a) is 1/a; here log(a), the output", lambda a, out: (out,)),),
    ),
    Form(
        "a.sigmoid()",
        "{0}.sigmoid()",
        1,
        lambda a: a.sigmoid(),
        "sigmoid",
        ((0.5,), (0.0,), (-2.0,)),
        slips=(
            Slip("d/da of s = sigmoid(a) is s·(1 - s); here s", lambda a, out: (out,)),
            Slip("d/da of s = sigmoid(a) is s·(1 - s); here 1 - s", lambda a, out: (1 - out,)),
        ),
    ),
    Form("a.sqrt()", "{0}.sqrt()", 1, lambda a: a.sqrt(), "sqrt", ((4.0,), (0.25,), (2.0,))),
    Form("abs(a)", "abs({0})", 1, lambda a: abs(a), "__abs__", ((1.5,), (-1.5,), (0.0,)), kinks=(0.0,)),
    Form(
        "a.sin()",
        "{0}.sin()",
        1,
        lambda a: a.sin(),
        "sin",
        ((0.5,), (0.0,), (-2.0,)),
        slips=(Slip("d/da of sin(a) is cos(a); here -cos(a)", lambda a, out: (-math.cos(a),)),),
    ),
    Form(
        "a.cos()",
        "{0}.cos()",
        1,
        lambda a: a.cos(),
        "cos",
        ((0.5,), (0.0,), (-2.0,)),
        slips=(Slip("d/da of cos(a) is -sin(a); here sin(a)", lambda a, out: (math.sin(a),)),),
    ),
)
BY_NAME = {form.name: form for form in FORMS}
HELPERS = ("a + b", "a * b")  # what the probes of the other forms combine them with, once each agrees alone
