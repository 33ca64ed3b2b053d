"""Hessians and jvps replayed (autograd.trace_hessian, trace_jvp) against the dynamic engine's, which the
sympy and PyTorch tests of test_higher_order.py hold: every op, random functions, the bundled networks, errors."""

from __future__ import annotations

import re

import pytest
from expression_trees import build, enclosure, point, trees
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_higher_order import replaced

import autograd
import nn
from autograd import OPS, Value, hessian, jvp, logsumexp, sum_values, trace_hessian, trace_jvp, weighted_sum
from autograd.compiler import higher
from autograd.ops import BUILTIN

# One function per op of the engine (so a new op needs a row), each at two points inside its domain:
# traced at the first, replayed at the second.
EVERY_OP = {
    "abs": lambda a, b, c: abs(a - b).sin() * a,
    "add": lambda a, b, c: (a + b).tanh() * b,
    "cos": lambda a, b, c: (a * b).cos() * c,
    "div": lambda a, b, c: a / b + c / a,
    "exp": lambda a, b, c: (a * b).exp(),
    "log": lambda a, b, c: (a * b).log() * c,
    "logsumexp": lambda a, b, c: logsumexp([a, b * c, c]),
    "mul": lambda a, b, c: a * b * a * c,
    "neg": lambda a, b, c: (-(a * b)).exp(),
    "pow": lambda a, b, c: a**b,
    "pow_const": lambda a, b, c: (a * b) ** 3 + c**-2,
    "relu": lambda a, b, c: (a * b).relu() * a,
    "scaled_power": lambda a, b, c: OPS["scaled_power"](c, a, b),
    "sigmoid": lambda a, b, c: (a * b).sigmoid() * c,
    "sign": lambda a, b, c: (a - b).sign() * a * b,
    "sin": lambda a, b, c: (a * b).sin(),
    "softplus": lambda a, b, c: (a * b).softplus(),
    "sqrt": lambda a, b, c: (a * b).sqrt() * c,
    "step": lambda a, b, c: (a - b).step() * a * b + (b - a).step() * c * c,
    "sub": lambda a, b, c: (a - b) ** 2 * c,
    "sum": lambda a, b, c: sum_values([a * b, b * c, c * a]).tanh(),
    "tanh": lambda a, b, c: (a * b).tanh(),
    "weighted_sum": lambda a, b, c: weighted_sum([a, b], [b, c], c).sin(),
    "xdivy": lambda a, b, c: OPS["xdivy"](a, b) * c,
    "xlogy": lambda a, b, c: a.xlogy(b * c),
}
TRACED_AT, REPLAYED_AT = [0.7, 1.3, 0.4], [0.5, 1.1, 0.9]


def close(ours: list, theirs: list, precision: float = 1e-12) -> bool:
    """Equal to precision, relative to each number where it is above 1."""
    flat_ours = [x for row in ours for x in (row if isinstance(row, list) else [row])]
    flat_theirs = [x for row in theirs for x in (row if isinstance(row, list) else [row])]
    return len(flat_ours) == len(flat_theirs) and all(
        abs(a - b) <= precision * max(1.0, abs(b)) for a, b in zip(flat_ours, flat_theirs)
    )


def test_every_op_of_the_engine_has_a_row():
    assert set(EVERY_OP) == set(BUILTIN)


@pytest.mark.parametrize("name", sorted(EVERY_OP))
def test_a_replayed_hessian_and_jvp_are_the_engines_for_every_op(name):
    f = EVERY_OP[name]
    program = trace_hessian(f, TRACED_AT, native=False)
    expected = hessian(f, REPLAYED_AT)
    assert program.all_rows and program(REPLAYED_AT) == expected  # float for float: each row's sums in its order
    assert any(x != 0.0 for row in expected for x in row)
    tangents = [0.3, -1.2, 0.8]
    along = trace_jvp(f, TRACED_AT, native=False)
    assert close(list(along(REPLAYED_AT, tangents)), list(jvp(f, REPLAYED_AT, tangents)))


@settings(max_examples=80, deadline=None)
@given(trees(3), st.tuples(point, point, point), st.tuples(point, point, point))
def test_random_functions_replay_the_dynamic_hessian_and_its_errors(tree, traced_at, replayed_at):
    assume(enclosure(tree, traced_at, order=2) is not None)  # the trace itself needs a graph free of errors

    def f(*leaves: Value) -> Value:
        return build(tree, leaves)[0] * 1.0  # a Value even where the tree is one of its leaves

    program = trace_hessian(f, traced_at, native=False)
    try:
        expected = hessian(f, replayed_at)
    except (ArithmeticError, ValueError) as e:  # the replay gives the dynamic engine's error, word for word
        with pytest.raises(type(e), match=re.escape(str(e))):
            program(replayed_at)
        return
    assert close(program(replayed_at), expected)


@pytest.mark.parametrize("name", nn.examples())
def test_the_bundled_networks_hessians_in_their_parameters_replay(name):
    example = nn.example(name)
    params = example.network.parameters_by_name()
    start = [p.data for p in params.values()]

    def loss(*weights: Value) -> Value:  # the document's own graph, its parameters replaced by the inputs
        return replaced(example.forward().loss, dict(zip(params.values(), weights)))

    program = trace_hessian(loss, start, native=False)
    moved = [w + 0.01 * (k % 5) for k, w in enumerate(start)]
    assert close(program(moved), hessian(loss, moved))
    tangents = [(-1.0) ** k for k in range(len(start))]
    assert close(list(trace_jvp(loss, start, native=False)(moved, tangents)), list(jvp(loss, moved, tangents)))


def test_a_hessian_too_large_for_all_rows_in_one_replay_takes_a_replay_per_row(monkeypatch):
    monkeypatch.setattr(higher, "ROWS_LIMIT", 10)
    f = EVERY_OP["weighted_sum"]
    program = trace_hessian(f, TRACED_AT, native=False)
    assert not program.all_rows
    assert close(program(REPLAYED_AT), hessian(f, REPLAYED_AT))


def test_the_native_reading_of_a_hessian_is_the_python_readings():
    f = EVERY_OP["logsumexp"]
    native, python = trace_hessian(f, TRACED_AT, native=True), trace_hessian(f, TRACED_AT, native=False)
    assert native(REPLAYED_AT) == python(REPLAYED_AT)
    if native.program.readings() != {"gradient": "C"}:
        pytest.skip("no C compiler here")


def test_an_op_error_at_the_new_inputs_is_the_dynamic_engines():
    f = EVERY_OP["log"]
    program, along = trace_hessian(f, TRACED_AT, native=False), trace_jvp(f, TRACED_AT, native=False)
    with pytest.raises(ValueError) as dynamic:
        hessian(f, [-0.5, 1.0, 1.0])
    with pytest.raises(ValueError, match=re.escape(str(dynamic.value))):
        program([-0.5, 1.0, 1.0])
    with pytest.raises(ValueError, match=re.escape(str(dynamic.value))):
        along([-0.5, 1.0, 1.0], [1.0, 0.0, 0.0])


def test_an_infinite_directional_derivative_is_the_dynamic_engines_error():
    along = trace_jvp(lambda a: a.sqrt(), [1.0], native=False)
    assert along([4.0], [1.0]) == (2.0, 0.25)
    with pytest.raises(FloatingPointError, match=re.escape("jvp: the directional derivative is inf")):
        along([0.0], [1.0])


def test_bad_inputs_and_tangents_are_refused_naming_them():
    program, along = trace_hessian(EVERY_OP["mul"], TRACED_AT), trace_jvp(EVERY_OP["mul"], TRACED_AT)
    with pytest.raises(ValueError, match="hessian: the program was traced with 3 inputs, got 2"):
        program([1.0, 2.0])
    with pytest.raises(ValueError, match=re.escape("hessian: input 1 must be finite, got inf")):
        program([1.0, float("inf"), 2.0])
    with pytest.raises(TypeError, match="jvp: input 0 must be a real number"):
        along(["x", 1.0, 2.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="jvp: 3 inputs but 2 tangents; give one tangent per input"):
        along(REPLAYED_AT, [1.0, 2.0])
    with pytest.raises(ValueError, match=re.escape("jvp: tangent 2 must be finite, got nan")):
        along(REPLAYED_AT, [1.0, 2.0, float("nan")])
    with pytest.raises(TypeError, match="hessian: f must return a Value, got float"):
        trace_hessian(lambda a: 3.0, [1.0])


def test_a_function_that_branches_on_a_value_cannot_be_traced():
    with pytest.raises(autograd.TraceError, match="reads the value"):
        trace_hessian(lambda a: a * a if a > 0 else -a, [1.0])


def test_a_value_f_closes_over_is_read_afresh_at_every_call_as_the_dynamic_engine_reads_it():
    w = Value(0.5)
    f = lambda a, b: (w * a * b).sin() + w * a * a  # noqa: E731
    program, along = trace_hessian(f, [1.0, 2.0], native=False), trace_jvp(f, [1.0, 2.0], native=False)
    w.data = -1.5
    assert program([0.3, 0.8]) == hessian(f, [0.3, 0.8])
    assert close(list(along([0.3, 0.8], [1.0, -2.0])), list(jvp(f, [0.3, 0.8], [1.0, -2.0])))
    assert w.grad == 0.0  # neither touches a gradient
