"""Adding a built-in op is one entry: atan, registered as the engine's own ops are, works everywhere they do."""

from __future__ import annotations

import math

import pytest
from svg_reading import Picture

import autograd
import viz
from autograd import Value, grad, gradcheck, jvp
from autograd.primitive import OPS, SMOOTH, Check, Op, register
from backprop.walkthrough import formula

# The whole of the op: its float function, its derivative written with arithmetic, how it is written.
atan = OPS.get("test_atan") or register(
    Op(
        "test_atan",
        lambda a, out: (1.0 / (1.0 + a * a),),
        function=math.atan,
        kind=SMOOTH,
        symbol="atan",
        text="atan({0})",
        latex="\\arctan\\left({0}\\right)",
    )
)


def slope(a):
    return 1.0 / (1.0 + a * a)


def curvature(a):
    return -2.0 * a / (1.0 + a * a) ** 2


@pytest.mark.parametrize("a", [-3.0, -0.5, 0.0, 0.25, 2.0, 1e8])
def test_the_engine_gives_its_value_and_derivatives_of_any_order(a):
    x = Value(a, "x")
    out = atan(x)
    out.backward()
    assert (out.data, x.grad) == (math.atan(a), slope(a))
    (first,) = grad(atan(x), [x], create_graph=True)
    (second,) = grad(first, [x])
    assert first.data == slope(a) and second == pytest.approx(curvature(a), rel=1e-14, abs=1e-300)
    assert jvp(lambda v: atan(v * 2.0), [a], [1.0]) == (math.atan(2 * a), 2.0 * slope(2 * a))
    assert atan(a) == math.atan(a)  # on numbers: a float


def test_it_is_traced_and_replayed_float_for_float():
    w = Value(0.5, "w")
    program = autograd.trace(lambda a: atan(w * a) * a, 3.0)
    for a in (3.0, -1.5, 1e200):
        x = Value(a)
        out = atan(w * x) * x
        out.backward()
        assert program.value_and_grad(a) == (out.data, [x.grad])
    assert "atan(" in program.source.gradient()  # the float function, called by the op's name


def test_its_three_readings_agree_where_the_float_derivative_is_finite():
    x = Value(1e300)  # 1 + a·a overflows to inf: the derivative is 0.0, in every reading
    atan(x).backward()
    assert x.grad == 0.0
    y = Value(1e300)
    atan(y).backward(create_graph=True)
    assert y.grad.data == 0.0
    assert autograd.trace(lambda a: atan(a), 1e300).value_and_grad(1e300)[1] == [0.0]


def test_gradcheck_the_walkthrough_and_the_drawings_know_it():
    assert gradcheck(lambda v: atan(v * v), [0.7])
    x = Value(0.5, "x")
    out = atan(x * 2.0)
    out.label = "o"
    assert formula(out) == "atan(x·2)"
    assert formula(out, latex=True) == "\\arctan\\left(x \\cdot 2\\right)"
    picture = Picture(viz.render_svg(out))
    assert ["atan"] in [shape.texts for shape in picture.nodes.values()]  # its op node, labelled by its symbol


def test_a_built_in_name_cannot_be_registered_twice():
    with pytest.raises(ValueError, match=r"^an op named 'exp' exists already"):
        register(Op("exp", lambda a, out: (out,), function=math.exp))


def test_an_op_is_read_by_its_operands():
    x = Value(0.5)
    assert atan(0.5) == math.atan(0.5) and atan(x).data == math.atan(0.5) and atan(x).parents == (x,)
    assert OPS["xlogy"](0.0, x).parents[1] is x  # a number and a Value: a node, the number a constant
    assert repr(atan) == "<op test_atan: operands a>" and repr(OPS["sum"]) == "<op sum: any number of operands>"
    with pytest.raises(TypeError, match=r"^test_atan: operands must be Values or real numbers, got str: 'x'$"):
        atan("x")


def test_an_entry_that_cannot_be_read_is_refused_when_it_is_made():
    with pytest.raises(TypeError, match=r"^half: give the op a value rule or a float function, not both or neither$"):
        Op("half", lambda a, out: (0.5,))
    with pytest.raises(ValueError, match=r"^an op's name must not begin with _, got '_half'$"):
        register(Op("_half", lambda a, out: (0.5,), lambda a: a * 0.5))
    checked = Op(
        "checked_half", lambda out, res: (0.5,), lambda out: out * 0.5, checks=(Check("out < 0.0", ValueError, "no"),)
    )
    with pytest.raises(ValueError, match=r"^checked_half: an op with checks cannot name an operand 'out'$"):
        register(checked)
