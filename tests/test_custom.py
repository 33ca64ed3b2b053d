"""Your own ops (define_op) in every part of the engine, gradcheck naming a wrong rule, and forward mode."""

from __future__ import annotations

import math
import re
import threading

import pytest
from oracles import needs_torch, torch

import autograd
import backprop
import nn
from autograd import GradcheckError, Value, define_op, gradcheck, jvp, no_grad
from autograd.functions import exp

softsign = define_op("test_softsign", lambda a: a / (1 + abs(a)), lambda a, out: (1 / (1 + abs(a)) ** 2,))
# x·e^y with a rule only floats can run (math.exp): first order and the tracer still work
scaled_exp = define_op("scaled_exp", lambda x, y: x * math.exp(y), lambda x, y, out: (math.exp(y), out))


def torch_softsign(t):
    return t / (1 + t.abs())


@needs_torch
@pytest.mark.parametrize("x", [-3.0, -0.5, 0.25, 2.0])
def test_a_defined_op_matches_pytorch_to_the_second_derivative(x):
    v = Value(x)
    (g,) = autograd.grad(softsign(v), [v], create_graph=True)
    (h,) = autograd.grad(g, [v])
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (tg,) = torch.autograd.grad(torch_softsign(t), [t], create_graph=True)
    (th,) = torch.autograd.grad(tg, [t])
    assert softsign(v).data == pytest.approx(torch_softsign(t).item(), rel=1e-15)
    assert g.data == pytest.approx(tg.item(), rel=1e-15) and h == pytest.approx(th.item(), rel=1e-13)


def test_a_defined_op_works_in_backward_trace_drawings_and_explanations():
    w, x = Value(0.5, "w"), Value(-1.5, "x")
    out = softsign(w * x)
    out.label = "out"
    out.backward()
    assert w.grad == pytest.approx(-1.5 / (1 + 0.75) ** 2, rel=1e-15)
    program = autograd.trace(lambda a: softsign(w * a), -1.5)
    assert "test_softsign" not in program.source.gradient()  # compiled from its rules, inline
    assert program(2.0) == softsign(w * 2.0).data
    assert "test_softsign" in autograd.OPS and softsign(2.0) == pytest.approx(2.0 / 3.0)
    import viz

    assert "test_softsign" in viz.draw_graph(out).source
    product = out.parents[0]
    product.label = "wx"
    pass_ = nn.Pass(nn.Sample((), ()), 0, {"w": w, "x": x, "wx": product, "out": out}, [out], out)
    assert backprop.explain(pass_, "w").lines() == [
        "∂out/∂w = ∂out/∂wx · ∂wx/∂w",
        f"          = {1 / 1.75**2:.6g} · -1.5 = {-1.5 / 1.75**2:.6g}",
    ]


def test_a_rule_that_compares_an_operand_with_equals_is_run_on_floats_not_compiled_into_one_branch():
    flat_at_zero = define_op(
        "flat_at_zero", lambda a: 1.0 if a == 0.0 else a * 2.0, lambda a, out: (0.0 if a == 0.0 else 2.0,)
    )
    assert not flat_at_zero.compiled  # == on source is source too, so the if cannot be read as one branch
    for x, value, slope in ((0.0, 1.0, 0.0), (3.0, 6.0, 2.0)):
        v = Value(x)
        out = flat_at_zero(v)
        out.backward()
        assert (out.data, v.grad) == (value, slope)
        assert autograd.trace(lambda a: flat_at_zero(a), 1.5).value_and_grad(x) == (value, [slope])


def test_an_op_whose_rules_only_floats_can_run_still_works_at_first_order_and_traced():
    a, b = Value(2.0), Value(0.5)
    out = scaled_exp(a, b)
    out.backward()
    assert (out.data, a.grad, b.grad) == (2.0 * math.exp(0.5), math.exp(0.5), 2.0 * math.exp(0.5))
    assert not scaled_exp.compiled
    program = autograd.trace(lambda x: scaled_exp(x, b) * x, 3.0)
    value, (dx,) = program.value_and_grad(3.0)
    assert value == 9.0 * math.exp(0.5) and dx == pytest.approx(6.0 * math.exp(0.5), rel=1e-15)
    assert gradcheck(lambda x, y: scaled_exp(x, y), [1.5, -0.3])


@pytest.mark.parametrize(
    ("name", "derivatives", "message"),
    [
        (
            "wrong_sign",
            lambda a, b, out: (-b * exp(a * b), a * exp(a * b)),
            r"wrong_sign: d/da is -4\.98018 by its rule, 4\.98018 by finite",
        ),
        (
            "missing_factor",
            lambda a, b, out: (exp(a * b), a * exp(a * b)),
            r"missing_factor: d/da is 3\.32012 by its rule, 4\.98018 by finite",
        ),
        (
            "other_operand",
            lambda a, b, out: (a * exp(a * b), b * exp(a * b)),
            r"other_operand: d/da is 2\.65609 by its rule, 4\.98018 by finite",
        ),
    ],
)
def test_gradcheck_names_a_wrong_hand_derived_derivative(name, derivatives, message):
    op = define_op(name, lambda a, b: exp(a * b), derivatives)  # the true slopes: b·e^(ab), a·e^(ab)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, y: op(x, y) * 2.0, [0.8, 1.5])
    text = str(caught.value)
    assert re.search(message, text), text
    assert "by its rule" in text and "by finite differences at a=0.8, b=1.5" in text


def test_bad_definitions_are_refused_when_they_are_made():
    with pytest.raises(ValueError, match=r"^define_op: an op named 'tanh' exists already; choose another name$"):
        define_op("tanh", lambda a: a, lambda a, out: (1.0,), replace=True)  # never a built-in
    with pytest.raises(
        ValueError, match=r"'test_softsign' exists already; .* \(or pass replace=True to redefine yours\)$"
    ):
        define_op("test_softsign", lambda a: a, lambda a, out: (1.0,))
    again = define_op(
        "test_softsign", lambda a: a / (1 + abs(a)), lambda a, out: (1 / (1 + abs(a)) ** 2,), replace=True
    )
    assert again(Value(1.0)).data == 0.5
    with pytest.raises(ValueError, match=r"define_op: two: derivatives must return one derivative per operand"):
        define_op("two", lambda a, b: a * b, lambda a, b, out: (b,))
    with pytest.raises(ValueError, match=r"^define_op: the name must be an identifier"):
        define_op("my op", lambda a: a, lambda a, out: (1.0,))
    with pytest.raises(TypeError, match=r"define_op: star: value must take its operands as plain parameters"):
        define_op("star", lambda *a: a[0], lambda *a: (1.0,))
    with pytest.raises(TypeError, match=r"^define_op: nothing: derivatives must be a function, got int$"):
        define_op("nothing", lambda a: a, 3)
    assert "two" not in autograd.OPS and "star" not in autograd.OPS


@needs_torch
@pytest.mark.parametrize("seed", range(4))
def test_jvp_is_torch_func_jvp(seed):
    rng = __import__("random").Random(seed)
    point, tangent = [rng.uniform(0.2, 1.5) for _ in range(3)], [rng.uniform(-1, 1) for _ in range(3)]

    def f(a, b, c):
        return (a * b).tanh() * c.exp() + (a / b) ** 2 - c.sqrt()

    value, derivative = jvp(f, point, tangent)
    ts = [torch.tensor(v, dtype=torch.float64) for v in point]
    their_value, theirs = torch.func.jvp(f, tuple(ts), tuple(torch.tensor(t, dtype=torch.float64) for t in tangent))
    assert value == pytest.approx(their_value.item(), rel=1e-15)
    assert derivative == pytest.approx(theirs.item(), rel=1e-13)


def test_jvp_needs_no_backward_pass_and_checks_its_arguments():
    x = Value(1.0)
    assert jvp(lambda a: a * a * 3.0, [x], [2.0]) == (3.0, 12.0)
    assert x.grad == 0.0
    with pytest.raises(ValueError, match=r"^jvp: 1 inputs but 2 tangents; give one tangent per input$"):
        jvp(lambda a: a, [1.0], [1.0, 2.0])
    with pytest.raises(TypeError, match=r"^jvp: f must return a Value, got float$"):
        jvp(lambda a: 1.0, [1.0], [1.0])


def test_no_grad_records_no_graph_in_its_thread_only():
    w = Value(2.0)
    with no_grad():
        y = w * 3.0 + 1.0
        seen = []
        thread = threading.Thread(target=lambda: seen.append((w * 2.0).parents))
        thread.start()
        thread.join()
    assert y.data == 7.0 and y.parents == () and seen[0] != ()
    y.backward()
    assert w.grad == 0.0  # as torch: a result made under no_grad has no path back
    assert (w * 3.0).parents  # recording again after the block

    @no_grad()
    def evaluate(v):
        return v * v

    assert evaluate(w).parents == ()


def test_detach_cuts_the_path_back():
    w = Value(2.0, "w")
    d = (w * w).detach()
    out = d * w
    out.backward()
    assert (d.data, d.parents, w.grad) == (4.0, (), 4.0)  # only the direct factor; nothing through d


def test_operands_may_have_any_name_even_the_results():
    """d(x·x)/dx is 2x whatever the operand is called: out, exp, inf, sum or log."""
    for name in ("out", "exp", "inf", "sum", "log"):
        square = define_op(f"square_of_{name}", eval(f"lambda {name}: {name} * {name}"),
                           eval(f"lambda {name}, result: (2.0 * {name},)"))  # fmt: skip
        x = Value(3.0)
        y = square(x)
        y.backward()
        assert (y.data, x.grad) == (9.0, 6.0), name
        assert autograd.trace(lambda a, f=square: f(a), 3.0).value_and_grad(3.0) == (9.0, [6.0])
        assert autograd.grad(square(x), [x], create_graph=True)[0].data == 6.0


def test_a_rule_that_reads_other_than_it_runs_on_floats_is_not_compiled():
    """A value rule that tells floats from source apart: the compiled reading would differ, so it is not used."""
    sneaky = define_op("sneaky", lambda a: a if isinstance(a, float) else 2.0 * a, lambda a, out: (1.0,))
    assert not sneaky.compiled
    x = Value(3.0)
    assert sneaky(x).data == 3.0 and sneaky(3.0) == 3.0
    assert autograd.trace(lambda a: sneaky(a), 1.0)(3.0) == 3.0


def test_names_that_the_compiled_rules_use_themselves_are_refused():
    with pytest.raises(
        ValueError, match=r"^define_op: the name must be an identifier like 'softsign' \(not _\.\.\.\), "
    ):
        define_op("_hidden", lambda a: a, lambda a, out: (1.0,))


def test_ops_can_be_defined_while_another_thread_traces():
    errors = []

    def trace_often():
        try:
            for _ in range(200):
                autograd.trace(lambda a: (a * 2.0).tanh(), 0.5)
        except Exception as e:
            errors.append(e)

    thread = threading.Thread(target=trace_often)
    thread.start()
    for k in range(300):
        define_op(f"threaded_{k}", lambda a: a * 3.0, lambda a, out: (3.0,))
    thread.join()
    assert errors == []


def test_a_redefined_op_is_never_read_two_ways():
    """After replace=True, programs follow the new rules, and an older graph refuses create_graph instead of mixing."""
    twice = define_op("twice_then_five", lambda a: a * 2.0, lambda a, out: (2.0,))
    program = autograd.trace(lambda a: twice(a) * a, 3.0)
    sample_sum = autograd.trace_sum(lambda x: [twice(x[0]) * x[0]], [3.0])
    x = Value(3.0)
    old = twice(x)
    assert program.value_and_grad(3.0) == (18.0, [12.0])
    five = define_op("twice_then_five", lambda a: a * 5.0, lambda a, out: (5.0,), replace=True)
    y = Value(3.0)
    fresh = five(y) * y
    fresh.backward()
    assert program.value_and_grad(3.0) == (fresh.data, [y.grad]) == (45.0, [30.0])
    assert sample_sum.backward([([3.0],)]) == 45.0
    with pytest.raises(
        RuntimeError,
        match=r"^backward\(create_graph=True\): the derivative of twice_then_five\(3\.0\) "
        r"with respect to operand 0 is 5\.0 by its rule read on Values, but 2\.0 when the node was made",
    ):
        old.backward(create_graph=True)  # fmt: skip
    old.backward()  # its own numbers, as recorded
    assert x.grad == 2.0


def test_a_derivative_rule_that_reads_otherwise_on_values_refuses_create_graph():
    tricky = define_op("tricky_slope", lambda a: a * 2.0, lambda a, out: (2.0 if isinstance(a, float) else 3.0 * a,))
    x = Value(0.5)
    with pytest.raises(RuntimeError, match=r"is 1\.5 by its rule read on Values, but 2\.0 when the node was made"):
        tricky(x).backward(create_graph=True)
