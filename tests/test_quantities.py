"""Quantities: parsing, evaluation, and recomputation with substituted values, checked by hand."""

from __future__ import annotations

import inspect
import math
import sys

import pytest

from autograd import Value
from backprop.quantities import QuantityError, evaluate, parse_formula, parse_quantity, replay


def stages_of(values):
    return lambda step: values


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


@pytest.fixture
def neuron():
    w, x, b = Value(0.3, "w"), Value(0.5, "x"), Value(0.1, "b")
    z = w * x + b
    z.label = "z"
    y_hat = z.sigmoid()
    y_hat.label = "y_hat"
    loss = 0.5 * (1.5 - y_hat) ** 2
    loss.label = "L"
    return {"w": w, "x": x, "b": b, "z": z, "y_hat": y_hat, "L": loss}


def test_kinds_of_quantity():
    assert parse_quantity("out_h1").kind == "value"
    derivative = parse_quantity("dE_total/dw10")
    assert (derivative.kind, derivative.of, derivative.wrt) == ("derivative", "E_total", "w10")
    expression = parse_quantity("E_total@0 - E_total@1")
    assert expression.kind == "expression" and expression.names == ("E_total",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty quantity"),
        ("1 +", "is not a name, a derivative dA/dB or an arithmetic expression"),
        ("f(x)", "f is not a function; the functions are exp, log"),
        ("x.real", "only numbers, names, name@step, functions"),
        ("tanh(a, b)", "tanh takes 1 operand, got 2"),
        ("sum()", "sum takes at least one operand"),
        ("out_o#1", "'#' is not allowed"),
        ("a % b", "only the operators"),
        ("'a' + 1", "is not a number"),
    ],
)
def test_bad_quantities_are_explained(text, message):
    with pytest.raises(QuantityError, match=message):
        parse_quantity(text)


def test_values_derivatives_and_expressions(neuron):
    stages = stages_of(neuron)
    s = sigmoid(0.25)
    assert evaluate(parse_quantity("y_hat"), stages, 0) == pytest.approx(s)
    assert evaluate(parse_quantity("dL/dw"), stages, 0) == pytest.approx(-(1.5 - s) * s * (1 - s) * 0.5)
    assert evaluate(parse_quantity("1 - y_hat"), stages, 0) == pytest.approx(1 - s)
    assert evaluate(parse_quantity("exp(z) / (1 + exp(z))"), stages, 0) == pytest.approx(s)  # the op table's functions
    gradient = -(1.5 - s) * s * (1 - s) * 0.5
    update = parse_quantity("w - 0.1 * dL/dw")  # a derivative inside an expression, in the format's notation
    assert (update.kind, update.names) == ("expression", ("w", "L"))
    assert evaluate(update, stages, 0) == pytest.approx(0.3 - 0.1 * gradient)
    assert evaluate(parse_quantity("dL/dw@0 * 2"), stages, 0) == pytest.approx(2 * gradient)
    assert parse_quantity("dL/dw@3").steps == (3,)


def test_substituted_values_are_fresh_leaves(neuron):
    stages = stages_of(neuron)
    assert evaluate(parse_quantity("L"), stages, 0, {"y_hat": 0.56}) == pytest.approx(0.5 * 0.94**2)
    # the derivative is taken at the substituted number: sigma'(0.56), the document's z3 mistake
    assert evaluate(parse_quantity("dy_hat/dz"), stages, 0, {"z": 0.56}) == pytest.approx(
        sigmoid(0.56) * (1 - sigmoid(0.56))
    )
    assert evaluate(parse_quantity("dL/dy_hat"), stages, 0, {"y_hat": 0.56}) == pytest.approx(-0.94)


def test_a_derivative_through_a_printed_value_uses_it_as_the_document_does(neuron):
    """A document works out dout/dnet = out·(1 − out) and δ = −(t − out)·out·(1 − out) from its printed out:
    a replaced value on the derivative's own path stays on it, its local derivative taken where it gives that out."""
    stages = stages_of(neuron)
    assert evaluate(parse_quantity("dy_hat/dz"), stages, 0, {"y_hat": 0.5}) == pytest.approx(0.25, rel=1e-12)
    assert evaluate(parse_quantity("dL/dz"), stages, 0, {"y_hat": 0.56}) == pytest.approx(
        -(1.5 - 0.56) * 0.56 * (1 - 0.56), rel=1e-12
    )
    assert evaluate(parse_quantity("dL/dw"), stages, 0, {"y_hat": 0.56}) == pytest.approx(
        -(1.5 - 0.56) * 0.56 * (1 - 0.56) * 0.5,
        rel=1e-12,  # x = 0.5
    )
    # a printed number no sigmoid gives: the local derivative stays where the engine's value is
    engine = neuron["y_hat"].data
    assert evaluate(parse_quantity("dy_hat/dz"), stages, 0, {"y_hat": 1.2}) == pytest.approx(engine * (1 - engine))
    assert evaluate(parse_quantity("dy_hat/dy_hat"), stages, 0, {"y_hat": 0.56}) == 1.0


def test_replay_shares_what_does_not_change(neuron):
    copies = replay(neuron["L"], {neuron["z"]: 0.0})
    assert copies[neuron["w"]] is neuron["w"]
    assert copies["y_hat" and neuron["y_hat"]].data == 0.5
    assert neuron["y_hat"].data == pytest.approx(sigmoid(0.25))  # the original is untouched


def test_unknown_names_list_the_known_ones(neuron):
    with pytest.raises(QuantityError, match="unknown name 'w9'; the network's names are w, x, b"):
        evaluate(parse_quantity("w9"), stages_of(neuron), 0)


def test_a_negative_difference_squared_is_a_square(neuron):
    """(t - out) ** 2 of a t below out: a printed squared error, not a power whose exponent needs a positive base."""
    stages = stages_of(neuron)
    s = sigmoid(0.25)
    assert evaluate(parse_quantity("(x - y_hat) ** 2"), stages, 0) == pytest.approx((0.5 - s) ** 2)
    assert evaluate(parse_quantity("(x - y_hat) ** -1"), stages, 0) == pytest.approx(1 / (0.5 - s))
    with pytest.raises(ValueError, match="negative"):  # a fractional power of a negative number is not real
        evaluate(parse_quantity("(x - y_hat) ** 0.5"), stages, 0)


def test_a_formula_too_deep_for_pythons_own_parser_is_refused_by_name():
    depth = len(inspect.stack())
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 40)  # the parser's own limit follows Python's
    try:
        with pytest.raises(
            QuantityError, match=r"^'a\+a\+a\+a\+a\+a\+a\+a\+a\+a\+'...: too deeply nested for Python's parser$"
        ):
            parse_formula("+".join(["a"] * 1000))
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize(
    ("text", "read"),
    [("ﬁ + 1", "fi"), ("ｗ1 * 2", "w1"), ("dE_total/dw1 * ℌ", "H"), ("tanh(x\u212b)", "x\u00c5")],
)
def test_a_name_python_reads_as_another_is_refused_saying_how_it_reads_it(text, read):
    # Python reads names in NFKC form: "ﬁ + 1" named fi, which no value is called; the error said "unknown name 'fi'"
    word = next(w for w in text.replace("(", " ").replace(")", " ").split() if w.isidentifier() and not w.isascii())
    with pytest.raises(QuantityError, match=f"the name '{word}' is read by Python as '{read}' .*: write '{read}'$"):
        parse_quantity(text)
    assert parse_quantity("x\u00c5 + α").names == ("x\u00c5", "α")  # letters that are their own NFKC form are names
