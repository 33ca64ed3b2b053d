"""Traced programs against the dynamic engine, float for float: values, gradients, errors, descent."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import needs_torch, torch

import autograd
from autograd import OPS, TraceError, Value, constant, sum_values, trace, weighted_sum
from autograd.compiler.codegen import code as op_code
from autograd.compiler.codegen import namespace
from autograd.expressions import literal
from autograd.ops import BUILTIN

EDGES = [0.0, -0.0, 5e-324, -5e-324, 1.0, -1.0, 0.5, 2.0, -3.0, 709.78, 710.0, -745.2, 1e-300, 1e300, -1e308]
floats = st.one_of(st.sampled_from(EDGES), st.floats(allow_nan=False, allow_infinity=False))
small = st.floats(-3.0, 3.0)
EXPONENTS = [2.0, 3.0, 1.0, 0.5, 0.0, -1.0, -2.0, 1.5, 10.0, -0.5]


def same(a: float, b: float) -> bool:
    """Equal as floats, zeros of the same sign."""
    return (a == b and math.copysign(1.0, a) == math.copysign(1.0, b)) or (a != a and b != b)


# ---- templates against the op table -------------------------------------------------------------


def run_template(name: str, operands: list[float], literals: set[int]) -> tuple[float, list[float]]:
    """Evaluate the op's template on operands (those at literals written into the code as numbers)."""
    names = [literal(x) if k in literals else f"a{k}" for k, x in enumerate(operands)]
    code = op_code(OPS[name], "out", *names)
    scope = dict(namespace(), **{f"a{k}": x for k, x in enumerate(operands)})
    if code.pair:
        scope["out"], scope["out_d"] = eval(code.value, scope)
    else:
        scope["out"] = eval(code.value, scope)
    open_ = code.gate is None or eval(code.gate, scope)
    return scope["out"], [eval(d, scope) if open_ else 0.0 for d in code.local_grads]


def operands_for(name: str) -> st.SearchStrategy[tuple[list[float], set[int]]]:
    """Operand lists for the op (a number exponent is a literal, as generated code writes it)."""
    if name == "pow_const":
        return st.tuples(floats, st.one_of(st.sampled_from(EXPONENTS), floats)).map(lambda t: (list(t), {1}))
    if name in ("sum", "logsumexp"):
        return st.lists(floats, min_size=1, max_size=40).map(lambda xs: (xs, set()))
    if name == "weighted_sum":
        return st.tuples(st.integers(0, 4), st.booleans(), st.lists(floats, min_size=9, max_size=9)).map(
            lambda t: (t[2][: 2 * t[0] + t[1]], set())
        )
    arity = OPS[name].arity
    assert arity is not None
    return st.lists(floats, min_size=arity, max_size=arity).map(lambda xs: (xs, set()))


@pytest.mark.parametrize("name", sorted(BUILTIN))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_templates_give_the_op_tables_floats(name, data):
    operands, literals = data.draw(operands_for(name))
    try:
        expected = OPS[name].apply(*operands)
    except (ArithmeticError, ValueError):
        with pytest.raises((ArithmeticError, ValueError)):
            run_template(name, operands, literals)
        return
    value, local_grads = run_template(name, operands, literals)
    assert same(value, expected[0]) and isinstance(value, float)
    assert len(local_grads) == len(expected[1])
    for ours, theirs in zip(local_grads, expected[1]):
        assert same(ours, theirs)


# ---- every op, traced once and replayed ---------------------------------------------------------


def call_of(name: str) -> tuple[Callable[..., Value], int]:
    """The op applied to Values, and how many: its arity, or three for an op of any number of operands."""
    op = OPS[name]
    return op, op.arity or 3


def dynamic(f: Callable[..., Value], args: list[float]) -> tuple[float, list[float]] | BaseException:
    """f's value and gradients by the dynamic engine, or the error it raises."""
    leaves = [Value(x) for x in args]
    try:
        out = f(*leaves)
        out.backward()
    except (ArithmeticError, ValueError) as error:
        return error
    return out.data, [leaf.grad for leaf in leaves]


def assert_replays(program: autograd.Program, f: Callable[..., Value], args: list[float]) -> None:
    """program at args gives the dynamic engine's floats, or raises its error word for word."""
    expected = dynamic(f, args)
    if isinstance(expected, BaseException):
        with pytest.raises(type(expected)) as raised:
            program.value_and_grad(*args)
        assert str(raised.value) == str(expected)
        return
    value, grads = program.value_and_grad(*args)
    assert same(value, expected[0]) and same(program(*args), expected[0])
    assert all(map(same, grads, expected[1])), (grads, expected[1])


@pytest.mark.parametrize("name", sorted(BUILTIN))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_each_op_replays_as_the_engine_computes_it(name, data):
    f, n = call_of(name)
    example = [0.75] * n
    program = trace(f, *example)
    for _ in range(3):
        assert_replays(program, f, data.draw(st.lists(floats, min_size=n, max_size=n)))


@pytest.mark.parametrize("exponent", EXPONENTS)
@settings(max_examples=40, deadline=None)
@given(x=floats)
def test_pow_with_number_exponents(exponent, x):
    def f(a):
        return a**exponent

    assert_replays(trace(f, 1.25), f, [x])


@pytest.mark.parametrize("x", [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1.0, -1.0])
def test_relu_at_and_around_zero(x):
    def f(a, b):
        return (a.relu() * b + (a * b).relu() - (a - 0.0).relu()).relu() + a

    program = trace(f, 1.0, 2.0)
    for args in ([x, 2.0], [x, -2.0], [-x, 0.0]):
        assert_replays(program, f, args)


# ---- random networks and losses -----------------------------------------------------------------

ACTIVATIONS = {"relu": Value.relu, "tanh": Value.tanh, "sigmoid": Value.sigmoid, "linear": lambda v: v}
LOSSES: dict[str, Callable[[Value, float], Value]] = {
    "hinge": lambda out, y: (1 + -y * out).relu(),
    "half squared": lambda out, y: 0.5 * (y - out) ** 2,
    "bce": lambda out, y: out.softplus() - (y > 0) * out,
    "abs": lambda out, y: abs(out - y),
}


def network(rng: random.Random, sizes: list[int], activation: str, fused: bool) -> Callable[[list[Value]], Value]:
    """An MLP as a function of its inputs: weights are Values it closes over (the parameters)."""
    layers = [
        [[Value(rng.uniform(-1.5, 1.5)) for _ in range(n + 1)] for _ in range(m)] for n, m in zip(sizes, sizes[1:])
    ]
    act = ACTIVATIONS[activation]

    def forward(xs: list[Value]) -> Value:
        for depth, layer in enumerate(layers):
            if fused:
                outs = [weighted_sum(neuron[1:], xs, neuron[0]) for neuron in layer]
            else:
                outs = [sum((w * x for w, x in zip(neuron[1:], xs)), neuron[0]) for neuron in layer]
            xs = outs if depth == len(layers) - 1 else [act(o) for o in outs]
        return xs[0]

    forward.params = [p for layer in layers for neuron in layer for p in neuron]  # type: ignore[attr-defined]
    return forward


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    loss=st.sampled_from(sorted(LOSSES)),
    fused=st.booleans(),
    batch=st.integers(1, 4),
    points=st.lists(
        st.lists(st.sampled_from([0.0, -0.0, 1.0, -1.0]) | small, min_size=4, max_size=4), min_size=8, max_size=8
    ),
)
def test_random_networks_replay_float_for_float(seed, sizes, activation, loss, fused, batch, points):
    rng = random.Random(seed)
    n_in = sizes[0]
    model = network(rng, [n_in, *sizes[1:], 1], activation, fused)
    labels = [rng.choice([1.0, -1.0]) for _ in range(batch)]

    def f(xs):
        return sum_values([LOSSES[loss](model(x), y) for x, y in zip(xs, labels)]) * (1.0 / batch)

    def batch_of(k: int) -> list[list[float]]:
        return [points[(k + i) % 8][:n_in] for i in range(batch)]

    program = trace(f, batch_of(0))
    for step in range(3):  # new inputs, and parameters changed in place between calls
        xs = batch_of(step + 1)
        leaves = [[Value(x) for x in row] for row in xs]
        out = f(leaves)
        for p in model.params:
            p.grad = 0.0
        out.backward()
        expected = [p.grad for p in model.params]
        value, (grads,) = program.value_and_grad(xs)
        assert same(value, out.data)
        assert all(same(g, leaf.grad) for row, grow in zip(leaves, grads) for leaf, g in zip(row, grow))
        for p in model.params:
            p.grad = 0.0
        assert same(program.backward(xs), out.data)
        assert all(same(p.grad, g) for p, g in zip(model.params, expected))
        for p in model.params:
            p.data -= 0.1 * p.grad


def test_gradients_match_torch():
    torch = pytest.importorskip("torch")
    rng = random.Random(4)
    model = network(rng, [3, 5, 4, 1], "tanh", fused=False)
    program = trace(lambda xs: model(xs).sigmoid(), [0.1, 0.2, 0.3])
    program.backward([0.4, -0.7, 1.1])
    params = torch.tensor([p.data for p in model.params], dtype=torch.float64, requires_grad=True)
    x, k = torch.tensor([0.4, -0.7, 1.1], dtype=torch.float64), 0
    for n_in, n_out in [(3, 5), (5, 4), (4, 1)]:
        w = params[k : k + n_out * (n_in + 1)].reshape(n_out, n_in + 1)
        k += n_out * (n_in + 1)
        x = w[:, 0] + w[:, 1:] @ x
        x = torch.tanh(x) if n_out != 1 else x
    torch.sigmoid(x[0]).backward()
    assert [p.grad for p in model.params] == pytest.approx(params.grad.tolist(), rel=1e-12, abs=1e-15)


# ---- shapes of graphs the generator must handle ---------------------------------------------------


def test_long_chains_and_deep_relu_stacks_compile_and_replay():
    ws = [Value(random.Random(k).uniform(0.5, 1.5)) for k in range(60)]

    def f(x, xs):
        for w in ws:  # 60 relus deep: more gates than the generator nests
            x = (x * w + 0.01).relu()
        return x + sum(xs, x) + sum_values(xs)  # a 1,000-add chain and a 1,000-operand sum

    xs = [0.001 * k for k in range(1000)]
    program = trace(f, 1.0, xs)
    for x in (1.0, -1.0, 0.0):
        leaves = [Value(v) for v in xs]
        x_leaf = Value(x)
        out = f(x_leaf, leaves)
        out.backward()
        value, (gx, gxs) = program.value_and_grad(x, xs)
        assert same(value, out.data) and same(gx, x_leaf.grad)
        assert all(same(g, leaf.grad) for g, leaf in zip(gxs, leaves))


def test_repeated_operands_unused_arguments_and_trivial_programs():
    def f(a, unused, b):
        c = a + a
        return c * c + b * a

    assert_replays(trace(f, 1.0, 2.0, 3.0), f, [1.5, 9.0, -2.0])
    assert trace(lambda a: a, 2.0).value_and_grad(5.0) == (5.0, [1.0])
    three = trace(lambda a: constant(3.0), 1.0)
    assert three.value_and_grad(7.0) == (3.0, [0.0])


def test_grads_are_shaped_like_the_arguments():
    program = trace(lambda xs, y: xs[0][0] * y + xs[1][1], [[1.0, 2.0], [3.0, 4.0]], 5.0)
    value, grads = program.value_and_grad([[1.0, 2.0], [3.0, Value(4.0)]], 2)
    assert value == 6.0
    assert grads == [[[2.0, 0.0], [0.0, 1.0]], 1.0]


# ---- shape mismatches and what a program cannot replay --------------------------------------------


def test_a_call_with_other_shapes_is_a_trace_error():
    program = trace(lambda xs, y: xs[0] * y, [1.0, 2.0], 3.0)
    with pytest.raises(TraceError, match=r"^program: args\[0\] has 3 items; the traced example had 2$"):
        program([1.0, 2.0, 3.0], 3.0)
    with pytest.raises(TraceError, match=r"^program: args\[0\] is a number; the traced example had a list of 2$"):
        program(1.0, 3.0)
    with pytest.raises(TraceError, match=r"^program: args\[1\] is a list of 1; the traced example had a number$"):
        program.value_and_grad([1.0, 2.0], [3.0])
    with pytest.raises(TraceError, match=r"^program: args has 1 items; the traced example had 2$"):
        program.backward([1.0, 2.0])
    with pytest.raises(TypeError, match=r"^program: argument must be a real number \(int or float\), got str: 'a'$"):
        program(["a", 2.0], 3.0)
    with pytest.raises(TypeError, match=r"^trace: args\[0\]\[1\] must be a number, a Value or a list of them"):
        trace(lambda xs: xs[0], [1.0, "b"])


def test_reading_a_value_while_tracing_is_a_trace_error():
    def branches(x):
        return x.relu() if x.data > 0 else -x

    with pytest.raises(TraceError, match=r"^trace: f reads the value of a leaf node at .*test_compiled.py:\d+; "):
        trace(branches, 1.0)
    w = Value(2.0, "w")
    with pytest.raises(TraceError, match=r"reads the value of 'w' at .*cannot repeat branches or numbers"):
        trace(lambda x: x * float(w), 1.0)
    with pytest.raises(TraceError, match=r"^trace: f reads the value of a mul node at "):
        trace(lambda x: x * 2.0 if (x * w).data > 1.0 else x, 1.0)
    assert Value.__dict__["data"].__class__.__name__ == "member_descriptor"  # the watch is gone


def test_reads_of_fixed_numbers_and_the_engines_own_reads_are_allowed():
    def f(x):
        half = Value(0.5)
        assert f"{half}" == repr(half) == "Value(data=0.5, grad=0.0)" and x.grad == 0.0 == constant(2.0).grad
        return x * half.data + constant(2.0).data  # numbers that never change

    assert_replays(trace(f, 1.0), f, [3.0])


def test_other_untraceable_functions_are_trace_errors():
    w = Value(1.0, "w")
    h = w * 2.0
    with pytest.raises(TraceError, match=r"^trace: f uses a mul node, which was computed before the trace; "):
        trace(lambda x: x * h, 1.0)
    with pytest.raises(TraceError, match=r"^trace: f must return a Value, got float: 2.0$"):
        trace(lambda x: 2.0, 1.0)

    def writes(x):
        w.data = 3.0
        return x * w

    with pytest.raises(TraceError, match=r"^trace: f sets the data of 'w' at .*; a program cannot replay that$"):
        trace(writes, 1.0)
    with pytest.raises(ZeroDivisionError, match=r"^div: division by zero in 1.0 / 0.0$"):
        trace(lambda x: x / 0.0, 1.0)  # f's own error, and the watch on Value.data is gone after it
    assert Value.__dict__["data"].__class__.__name__ == "member_descriptor"


def test_check_finds_a_graph_that_changed():
    scale = [2.0]

    def f(x):
        return x * scale[0] if len(scale) == 1 else x.relu()

    program = trace(f, 1.0)
    program.check(5.0)  # the same graph: no error
    scale[0] = 3.0
    message = (
        "check: at these arguments f builds another graph than the traced one (node 1: the number 2.0 "
        "traced, the number 3.0 now): its control flow or its numbers depend on values. "
        "Use the dynamic engine for f."
    )
    with pytest.raises(TraceError, match="^" + re.escape(message) + "$"):
        program.check(5.0)
    scale.append(1.0)
    with pytest.raises(TraceError, match=r"\(node 1: the number 2.0 traced, relu of nodes \[0\] now\)"):
        program.check(5.0)
    with pytest.raises(TraceError, match=r"^program: args\[0\] is a list of 1"):
        program.check([5.0])


# ---- domain errors on replay: the engine's own errors ----------------------------------------------

OVERFLOWED = "a product of finite local derivatives overflowed a float"
DOMAIN_ERRORS = [  # f, the arguments it fails at, and the engine's error there
    (lambda x: x.log(), [-1.0], ValueError, "log: operand must be positive, got log(-1.0)"),
    (lambda x: x.sqrt() + 1.0, [-4.0], ValueError, "sqrt: operand must not be negative, got sqrt(-4.0)"),
    (lambda x: 1.0 / x, [0.0], ZeroDivisionError, "div: division by zero in 1.0 / 0.0"),
    (
        lambda x: (x * 10.0).exp(),
        [100.0],
        OverflowError,
        "exp: exp(1000.0) overflows a float (largest argument 709.782712893384)",
    ),
    (lambda x: (x * x * x).tanh(), [1e200], OverflowError, "mul: the result of mul(1e+200, 1e+200) overflows a float"),
    (lambda x: (x + x).sigmoid(), [1e308], OverflowError, "add: the result of add(1e+308, 1e+308) overflows a float"),
    (
        lambda x: x.sqrt(),
        [0.0],
        FloatingPointError,
        "backward: the gradient reaching a leaf node with data 0.0 is inf: "
        "the local derivative of sqrt(0.0) with respect to it is inf",
    ),
    (
        lambda x: x.sqrt() * 1e300,
        [1e-300],
        FloatingPointError,
        f"backward: the gradient reaching a leaf node with data 1e-300 is inf: {OVERFLOWED}",
    ),
    (  # stopped behind a closed relu, where the program skips the gradient
        lambda z, x: (z.relu() * x) * 1e300,
        [-1.0, 1e10],
        FloatingPointError,
        f"backward: the gradient reaching a relu node with data 0.0 is inf: {OVERFLOWED}",
    ),
    (  # at a node with only numbers below it
        lambda x: x * sum_values([1e-300, 0.0]) * 1e10,
        [1e300],
        FloatingPointError,
        f"backward: the gradient reaching a sum node with data 1e-300 is inf: {OVERFLOWED}",
    ),
]


@pytest.mark.parametrize(("f", "args", "error", "message"), DOMAIN_ERRORS)
def test_domain_errors_on_replay_are_the_engines(f, args, error, message):
    program = trace(f, *[2.0 for _ in args])
    assert isinstance(dynamic(f, args), error) and str(dynamic(f, args)) == message
    with pytest.raises(error) as raised:
        program.value_and_grad(*args)
    assert str(raised.value) == message
    if error is not FloatingPointError:  # a forward error: the value alone raises it too
        with pytest.raises(error, match="^" + re.escape(message) + "$"):
            program(*args)


def test_a_false_alarm_gives_the_engines_result():
    def f(x):  # each value is finite, but their sum (the program's overflow check) is not
        return (x * 1.0).tanh() + (x * 1.0).tanh()

    assert_replays(trace(f, 1.0), f, [1.5e308])
    p = Value(1.5e308)
    assert descend(trace(lambda: f(p)), 3, 0.1) == [2.0, 2.0, 2.0]


# ---- gradient descent: iterate with p - lr·g (nn.SGD.descend's rule) ----------------------------


def descend(program, steps, lr, *args, params=None):
    """steps of p ← p − lr·g on program's params in its generated loop."""
    return program.iterate(steps, lambda p, g: p - lr * g, *args, params=params)


def dynamic_descent(
    f: Callable[[], Value], params: list[Value], trained: list[Value], steps: int, lr: float
) -> list[float]:
    values = []
    for _ in range(steps):
        out = f()
        for p in params:
            p.grad = 0.0
        out.backward()
        for p in trained:
            p.data -= lr * p.grad
        values.append(out.data)
    return values


def test_descend_is_the_dynamic_loop_float_for_float():
    def make() -> tuple[Callable[[], Value], list[Value]]:
        model = network(random.Random(7), [2, 4, 3, 1], "relu", fused=False)
        data = [([0.5, -1.0], 1.0), ([-0.25, 0.75], -1.0), ([0.0, 0.0], 1.0)]
        return lambda: sum_values([(1 + -y * model([Value(a) for a in x])).relu() for x, y in data]), model.params  # type: ignore[attr-defined]

    f, params = make()
    trained = params[::2]
    values = descend(trace(f), 200, 0.05, params=trained)
    f2, params2 = make()
    assert values == dynamic_descent(f2, params2, params2[::2], 200, 0.05)
    assert all(same(p.data, q.data) for p, q in zip(params, params2))
    assert all(p.grad == 0.0 for p in params)  # iterate leaves grads alone


def test_descend_stops_with_the_engines_error_where_the_dynamic_loop_would():
    p = Value(1.0)
    with pytest.raises(ValueError, match=r"^log: operand must be positive, got log\(-0.5\)$"):
        descend(trace(lambda: p.log() + p * p), 10, 0.5)
    assert p.data == -0.5  # after the one step that succeeded: 1 - 0.5·(1/1 + 2·1)


def test_iterate_argument_checks():
    program = trace(lambda: Value(1.0) * 2.0)
    with pytest.raises(ValueError, match=r"^iterate: steps must be a whole number >= 0, got -1$"):
        descend(program, -1, 0.1)
    with pytest.raises(TypeError, match=r"^iterate: update must be arithmetic of p and g, like lambda p, g: "):
        program.iterate(1, lambda p, g: math.exp(p))
    with pytest.raises(TypeError, match=r"^iterate: update must be arithmetic of p and g.*nan"):
        descend(program, 1, math.nan)


def test_the_documents_network_trains_as_nn_trains_it():
    nn = pytest.importorskip("nn")
    compiled, dynamic_ = nn.example("russo-3-3-3"), nn.example("russo-3-3-3")
    program = trace(lambda: compiled.forward().loss)
    values = compiled.optimizer.descend(program, 300)
    assert values == [dynamic_.step().loss.data for _ in range(300)]
    assert compiled.parameter_values() == dynamic_.parameter_values()


# ---- only plain floats reach generated code ---------------------------------------------------


def test_a_numpy_number_in_one_graph_does_not_break_later_traces():
    np = pytest.importorskip("numpy")
    Value(1.0) * np.float64(0.4033203125)  # the first use of this number: it becomes the cached constant
    program = trace(lambda x: x * 0.4033203125, 1.0)
    assert program(2.0) == 2.0 * 0.4033203125
    assert "np" not in program.source.gradient()


class Sneaky(float):
    """A float whose repr is code that leaves a mark when it runs."""

    def __repr__(self):
        return "__import__('builtins').__dict__.setdefault('_autograd_sneaky', 0.2939453125)"


def test_the_repr_of_a_user_number_never_becomes_code():
    import builtins

    Value(1.0) + Sneaky(0.2939453125)
    program = trace(lambda x: x * 0.2939453125 + x * Sneaky(0.2939453125), 1.0)
    assert program(2.0) == 2.0 * 0.2939453125 * 2 and program.value_and_grad(2.0)[1] == [0.2939453125 * 2]
    assert not hasattr(builtins, "_autograd_sneaky")
    assert "import" not in program.source.gradient() and "import" not in program.source.forward()


# ---- a trace never replays a number it should not -----------------------------------------------


def derivative_times_value(x):
    y = x * x * x
    (g,) = autograd.grad(y, [x])
    return y * g


def reads_a_gradient(x):
    y = x * x
    y.backward()
    return y * x.grad


def reads_a_local_derivative(x):
    y = x * x
    return y * y.local_grads[0]


def reads_a_repr(x):
    y = x * x
    return y * float(repr(y).split("=")[1].split(",")[0])


def reads_an_f_string(x):
    y = x * x
    return y * float(f"{y}".split("=")[1].split(",")[0])


@pytest.mark.parametrize(
    ("f", "what"),
    [
        (derivative_times_value, "the local derivatives of a mul node"),
        (reads_a_gradient, "the gradient of a leaf node"),
        (reads_a_local_derivative, "the local derivatives of a mul node"),
        (reads_a_repr, "the value of a mul node"),
        (reads_an_f_string, "the value of a mul node"),
    ],
)
def test_numbers_taken_out_of_values_while_tracing_are_trace_errors(f, what):
    with pytest.raises(TraceError, match=rf"^trace: f reads {what} at .*test_compiled.py:\d+; a program replays"):
        trace(f, 2.0)
    assert all(Value.__dict__[name].__class__.__name__ == "member_descriptor" for name in ("data", "grad"))


def test_a_gradient_a_trace_could_replay_is_allowed():
    w = Value(1.5, "w")

    def f(x):
        fresh = Value(3.0)  # f's own leaf, made from a number: its gradient is 0.0 on every call
        return x * w * fresh.grad + fresh.local_grads.__len__()

    program = trace(f, 1.0)
    for x in (2.0, -1.0):
        assert_replays(program, f, [x])
    w.grad = 1.0
    with pytest.raises(TraceError, match=r"^trace: f reads the gradient of 'w' at "):
        trace(lambda x: x * w.grad, 1.0)  # a parameter's gradient changes between calls


@needs_torch
def test_a_traced_derivative_in_the_exponent_holds_at_a_zero_base_too():
    def slope(a, b):  # d/db a^b = a^b·ln a, and 0 at a = 0 (PyTorch's limit for b > 0)
        (g,) = autograd.grad(a**b, [b], create_graph=True)
        return g * 1.0

    program = trace(slope, 2.0, 3.0)  # traced where a > 0: no branch on a's data may be baked in
    for a in (2.0, 0.0, 0.5):
        base, exponent = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (a, 3.0))
        (expected,) = torch.autograd.grad(base**exponent, [exponent])
        assert program(a, 3.0) == pytest.approx(expected.item(), rel=1e-15, abs=1e-300)


def test_a_program_raises_the_error_f_raises_first():
    def f(x, y):
        return x.log() + y.sqrt()

    program = trace(f, 1.0, 1.0)
    for call in (program, program.value_and_grad, program.backward):
        with pytest.raises(ValueError, match=r"^log: operand must be positive, got log\(-1\.0\)$"):
            f(Value(-1.0), Value(-2.0))
        with pytest.raises(ValueError, match=r"^log: operand must be positive, got log\(-1\.0\)$"):
            call(-1.0, -2.0)


def test_check_does_not_fail_when_the_constant_cache_fills_during_a_trace():
    counter = iter(range(10**6))

    def f(x):
        y = x * 0.6337890625
        for _ in range(3000):  # fresh numbers: the cache of constants empties itself somewhere in here
            constant(next(counter) + 0.5)
        return y + x * 0.6337890625

    program = trace(f, 1.0)
    for x in (2.0, 3.0, 4.0, 5.0):  # the cache empties at another point of f each time
        program.check(x)
    assert program(2.0) == 2.0 * 0.6337890625 * 2


def test_descend_never_leaves_a_parameter_infinite():
    w = Value(1.0, "w")
    program = trace(lambda x: w * x, 1.0)
    with pytest.raises(
        FloatingPointError,
        match=r"^iterate: step 0 makes 'w' -inf \(data 1\.0, grad 1e\+20, update p - 1e\+300 \* g\)",
    ):
        descend(program, 1, 1e300, 1e20)
    assert w.data == 1.0
    wanders = trace(lambda: w.sin())  # w steps by up to lr each time, until one step overflows
    expected, steps = 1.0, 0
    while math.isfinite(expected - 1.5e308 * math.cos(expected)):
        expected, steps = expected - 1.5e308 * math.cos(expected), steps + 1
    with pytest.raises(FloatingPointError, match=rf"^iterate: step {steps} makes 'w' -?inf .*as before that step$"):
        descend(wanders, 1000, 1.5e308)
    assert w.data == expected and steps > 1


def test_a_parameter_set_to_nan_by_hand_is_reported():
    w = Value(1.0, "w")
    program = trace(lambda x: (w * x).relu(), 1.0)
    w.data = math.nan
    for call in (program, program.value_and_grad, program.backward, lambda x: descend(program, 1, 0.1, x)):
        with pytest.raises(ValueError, match=r"^program: the data of the parameter 'w' must be finite, got nan$"):
            call(1.0)


def test_a_read_is_the_engines_by_its_code_not_by_its_file_name():
    import autograd.value as value_module

    namespace: dict = {}
    source = "def f(x):\n    return x * 2.0 if x.data > 0 else x * -2.0\n"
    exec(compile(source, value_module.__file__, "exec"), namespace)  # user code that claims the engine's file
    with pytest.raises(TraceError, match=r"trace: f reads the value of a leaf node at .*value\.py:2"):
        autograd.trace(namespace["f"], 1.0)


def test_a_function_that_catches_an_ops_error_while_traced_is_refused():
    def safe_log(y):
        try:
            return y.log()
        except ValueError:
            return y * 0.0

    with pytest.raises(
        TraceError, match=r"^trace: f went on after an op's ValueError \(log: operand must be positive, "
    ):
        trace(safe_log, -1.0)
    with pytest.raises(TraceError, match=r"went on after an op's OverflowError \(exp: exp\(1000\.0\) overflows"):
        trace(lambda y: _exp_or_big(y), 1000.0)


def _exp_or_big(y):
    try:
        return y.exp()
    except OverflowError:
        return y * 1e300


def test_a_program_whose_f_catches_an_op_error_only_at_other_arguments_gives_what_f_gives_there():
    """The slow path calls f: its try block takes the other branch, as the dynamic engine does."""

    def log_or_linear(x, y):
        try:
            return (x * y).log() + y
        except ValueError:
            return x * y * -1.0 + y

    program = trace(log_or_linear, 2.0, 3.0)  # no error while traced
    for args in ([2.0, 3.0], [-2.0, 3.0], [0.0, 5.0]):
        assert program.value_and_grad(*args) == (dynamic(log_or_linear, args)[0], dynamic(log_or_linear, args)[1])
        assert program(*args) == dynamic(log_or_linear, args)[0]


@pytest.mark.parametrize(
    "f",
    [
        lambda x, t: x * 2.0 if t else x * 3.0,
        lambda x, t: x * 2.0 if t > 0.5 else x * 3.0,
        lambda x, t: x * 2.0 if t == 1.0 else x * 3.0,
        lambda x, t: x * 2.0 if max(x, t) is t else x * 3.0,
    ],
    ids=["truth test", "comparison", "equality", "max"],
)
def test_testing_or_comparing_a_traced_value_is_a_trace_error(f):
    """A branch on a value would be replayed unchanged (a truth test on a Value was always true)."""
    with pytest.raises(TraceError, match=r"^trace: f reads the value of a leaf node at .*test_compiled\.py:\d+"):
        trace(f, 1.0, 1.0)


# ---- a graph traced again: its source is written once -------------------------------------------------------


def test_a_graph_of_the_same_structure_traced_again_shares_its_source_and_keeps_its_own_numbers():
    """Each nn.train traces its loss anew: the source is written once, the numbers are each program's."""

    def program(w0: float, c: float, label: str = "w"):
        w = Value(w0, label)
        return trace(lambda x: (w * x + c).tanh(), 0.5)

    first, again = program(0.3, 1.0), program(-2.0, 1.0)
    assert again.source is first.source
    assert first.value_and_grad(0.5)[0] == math.tanh(0.3 * 0.5 + 1.0)
    assert again.value_and_grad(0.5)[0] == math.tanh(-2.0 * 0.5 + 1.0)
    for other in (program(0.3, 2.0), program(0.3, 1.0, "v"), program(0.3, -0.0), program(0.3, 0.0)):
        assert other.source is not first.source  # another constant (0.0 and -0.0 too), another name
    assert program(0.3, -0.0).source is not program(0.3, 0.0).source
    assert same(program(0.3, -0.0).value_and_grad(-0.0)[0], math.tanh(-0.0 * 0.3 + -0.0))


def test_a_redefined_op_gets_new_source_and_the_engines_code_found_again():
    from autograd import define_op
    from autograd.compiler import tracing

    double = define_op("test_twice", lambda a: 2 * a, lambda a, out: (2.0,))
    engine = tracing.engine_code()
    w = Value(0.25)
    first = trace(lambda x: double(w * x), 3.0)
    assert first.value_and_grad(3.0) == (1.5, [0.5])
    triple = define_op("test_twice", lambda a: 3 * a, lambda a, out: (3.0,), replace=True)
    assert tracing.engine_code() is not engine  # found again
    assert tracing.engine_code() is tracing.engine_code()  # and kept while the ops stay
    again = trace(lambda x: triple(w * x), 3.0)
    assert again.source is not first.source
    assert again.value_and_grad(3.0) == (2.25, [0.75])
