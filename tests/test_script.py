"""The ops' rules and traced programs read as JavaScript (autograd.script), run in V8, against the Python engine.

Equal to 1e-12 relative, not bit for bit: V8's Math.exp, Math.log, Math.tanh, ... (fdlibm's) differ from
glibc's in the last bit on some arguments; arithmetic, comparisons and Math.sqrt are exact in both.
"""

from __future__ import annotations

import json
import math
import random
import re

import pytest
from test_ops import ROWS

import autograd
import nn
from autograd import OPS, Value, define_op
from autograd.script import Unreadable, graph, javascript, program, rule, runtime

mini_racer = pytest.importorskip("py_mini_racer", reason="mini-racer runs the JavaScript (the tests extra has it)")

# Where each op's domain ends: the JavaScript raises the Python engine's error, word for word.
DOMAIN = [
    ("log", (-1.0,)),
    ("log", (0.0,)),
    ("sqrt", (-2.0,)),
    ("div", (1.0, 0.0)),
    ("exp", (710.0,)),
    ("pow", (-2.0, 0.5)),
    ("pow_const", (-2.0, 0.5)),
    ("pow_const", (0.0, -1.0)),
    ("pow_const", (1e300, 2.0)),
    ("xlogy", (1.0, -1.0)),
    ("xdivy", (1.0, 0.0)),
    ("sin", (math.inf,)),
    ("relu", (math.nan,)),
    ("scaled_power", (1.0, -2.0, 0.5)),
]


@pytest.fixture(scope="module")
def v8():
    with mini_racer.MiniRacer() as engine:
        engine.eval(runtime())
        yield engine


def run(v8, expression: str):
    """What a JavaScript expression gives, as JSON, or ["error", its name, its message]."""
    wrapped = f"(function () {{ try {{ return JSON.stringify({expression}); }} catch (e) {{ return JSON.stringify(['error', e.name, e.message]); }} }})()"  # noqa: E501
    return json.loads(v8.eval(wrapped))


def python(f, *args):
    """What f(*args) gives, shaped as run's."""
    try:
        return f(*args)
    except Exception as e:
        return ["error", type(e).__name__, str(e)]


def same(ours, theirs) -> bool:
    """Numbers equal to 1e-12 relative (nested lists alike), errors word for word."""
    if isinstance(ours, list):
        return isinstance(theirs, list) and len(ours) == len(theirs) and all(map(same, ours, theirs))
    if isinstance(ours, str):
        return ours == theirs
    return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-300) or ours == theirs


def js_rule(v8, op, point):
    v8.eval(f"var RULE = {rule(op, len(point))};")
    return run(v8, f"RULE(...{json.dumps(point)})")


CASES = [(name, point) for name, row in ROWS.items() for point in row.points] + DOMAIN


@pytest.mark.parametrize(("name", "point"), CASES, ids=[f"{n}{p}" for n, p in CASES])
def test_each_rule_in_javascript_gives_what_the_engine_gives(v8, name, point):
    op = OPS[name]
    theirs = python(lambda *xs: [op.apply(*xs)[0], list(op.apply(*xs)[1])], *point)
    ours = js_rule(v8, op, point)
    assert same(ours, theirs), (ours, theirs)


def test_the_domain_points_are_errors_in_python():
    assert all(python(OPS[name].apply, *point)[0] == "error" for name, point in DOMAIN)


def test_the_script_writes_floats_as_python_does(v8):
    rng = random.Random(19)
    xs = [0.0, -0.0, 1.0, 1e16, 1e15, 1.5e16, 1e-4, 1e-5, 0.1, 123.0, 5e-324, 1.7976931348623157e308, math.inf, -2.5]
    xs += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30) for _ in range(300)]
    assert run(v8, f"{json.dumps([x for x in xs if math.isfinite(x)])}.map(repr)") == [
        repr(x) for x in xs if math.isfinite(x)
    ]
    assert run(v8, "[repr(Infinity), repr(-Infinity), repr(NaN)]") == ["inf", "-inf", "nan"]


def test_python_semantics_where_javascript_differs():
    assert javascript("a / b") == "div($a, $b)"  # a ZeroDivisionError, not an infinity
    assert javascript("1.0 if a else 0.0") == "(truth($a) ? 1.0 : 0.0)"  # nan is true in Python
    assert javascript("a ** 2.0") == "floatpow($a, 2.0)"  # an OverflowError, not an infinity
    assert javascript("-x * inf") == "((-$x) * Infinity)"


def test_what_cannot_be_read_says_what(v8):
    with pytest.raises(Unreadable, match=r"a // b.*no JavaScript reading"):
        javascript("a // b")
    for call in ("print(a)", "sum((a, b), 1.0)", "max(a, b)"):
        with pytest.raises(Unreadable, match=re.escape(f"{call!r}: a call the script does not know")):
            javascript(call)
    floats_only = define_op("test_script_floats_only", lambda a: math.exp(a), lambda a, out: (out,))
    with pytest.raises(Unreadable, match="test_script_floats_only: its rules can only run on floats in Python"):
        rule(floats_only, 1)


def test_an_op_of_your_own_runs_in_javascript(v8):
    softsign = define_op("test_script_softsign", lambda a: a / (1 + abs(a)), lambda a, out: (1 / (1 + abs(a)) ** 2,))
    for x in (-3.0, 0.0, 0.25):
        assert same(js_rule(v8, softsign, (x,)), [softsign.apply(x)[0], list(softsign.apply(x)[1])])


# ---- programs ---------------------------------------------------------------------------------------


def load(engine, text: str) -> None:
    engine.eval(f"var P = {text}; var v = P.initial();")


def parameter_positions(program) -> list[int]:
    return [k for k, node in enumerate(program.nodes) if node.op == "param"]


@pytest.mark.parametrize("name", nn.examples())
def test_every_bundled_network_forward_backward_and_100_steps(name):
    example = nn.example(name)
    traced = autograd.trace(lambda: example.forward().loss)
    text = traced.script(params=example.optimizer.params)
    pass_ = example.forward().backward()
    positions = parameter_positions(traced)
    with mini_racer.MiniRacer() as engine:
        load(engine, text)
        values = run(engine, "P.forward(v)")
        grads = run(engine, "P.backward(v)")
        assert same(values[-1], pass_.loss.data)
        assert same([grads[k] for k in positions], [q.grad for q in traced.params])
        losses = run(engine, f"P.train(v, {example.learning_rate!r}, 100)")
        trained = run(engine, "v")
    assert same(losses, example.train(100))
    assert same([trained[k] for k in positions], [q.data for q in traced.params])


def test_every_value_and_gradient_of_a_network_equals_the_engines():
    example = nn.example("russo-3-3-3")
    order = autograd.topological_order(example.forward().backward().loss)[::-1]
    text = program(graph(order), [v.data for v in order])
    with mini_racer.MiniRacer() as engine:
        load(engine, text)
        assert same(run(engine, "P.forward(v)"), [v.data for v in order])
        assert same(run(engine, "P.backward(v)"), [v.grad for v in order])


def engine_error(f):
    try:
        f()
    except Exception as e:
        return ["error", type(e).__name__, str(e)]
    raise AssertionError("the engine raised nothing")


def test_a_program_raises_the_engines_errors():
    x = Value(1.0, "x")
    cases = [
        (lambda x: (x * 2).log(), -1.0),  # an op's domain
        (lambda x: (x * 400).exp(), 2.0),  # exp's check
        (lambda x: x * 1e200 * x, 1e60),  # overflow
        (lambda x: (x * x).sqrt(), 0.0),  # an infinite local derivative: backward's error
    ]
    for f, at in cases:
        traced = autograd.trace(f, x)
        with mini_racer.MiniRacer() as engine:
            load(engine, traced.script(at))
            ours = run(engine, "P.backward(P.forward(v))")
        y = Value(at, "x")
        assert ours == engine_error(lambda f=f, y=y: f(y).backward()), f


OPTIMIZERS = [
    ("adam", {"lr": 0.05}),
    ("adam", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True, "betas": (0.8, 0.99)}),
    ("adamw", {"lr": 0.05, "weight_decay": 0.1}),
    ("sgd", {"lr": 0.5, "weight_decay": 0.1}),
]


@pytest.mark.parametrize(("name", "settings"), OPTIMIZERS)
@pytest.mark.parametrize("before", [0, 3])
def test_100_steps_of_an_optimizer_in_javascript_are_nn_trains(name, settings, before):
    """The program takes the optimizer's step from its state (after `before` steps in Python), as nn.train does."""
    example = nn.example("mazur-2-2-2")
    optimizer = nn.optim.OPTIMIZERS[name](example.network.parameters(), **settings)

    def train(steps):
        return nn.train(example.network, example.samples, steps=steps, optimizer=optimizer, loss=example.loss).losses

    train(before)
    order = autograd.topological_order(example.forward().loss)[::-1]
    positions = {v: k for k, v in enumerate(order)}
    trainable = [positions[p] for p in optimizer.params]
    text = program(graph(order), [v.data for v in order], trainable, optimizer.script_update())
    with mini_racer.MiniRacer() as engine:
        load(engine, text)
        losses = run(engine, f"P.train(v, {optimizer.lr!r}, 100)")
        trained = run(engine, "v")
    assert same(losses, train(100))
    assert same([trained[k] for k in trainable], [p.data for p in optimizer.params])
    if name != "sgd":  # the moments and the step count
        count = len(trainable)
        state = trained[len(order) :]
        assert state[-1] == 100 + before
        assert same(state[count:-1], [*optimizer.exp_avg_sq, *optimizer.max_exp_avg_sq])
        # the first moment is an average of gradients that cancel as the loss falls: to 1e-12 of their size
        size = math.sqrt(max(optimizer.exp_avg_sq))
        assert all(math.isclose(a, b, abs_tol=1e-12 * size) for a, b in zip(state[:count], optimizer.exp_avg))


@pytest.mark.parametrize("make", [nn.optim.Adam, nn.optim.AdamW, nn.optim.SGD])
def test_a_step_that_overflows_is_the_optimizers_error_and_changes_nothing(make):
    x = Value(3.0, "x")
    optimizer = make([x], lr=1e308)
    order = autograd.topological_order(x * x)[::-1]
    text = program(graph(order), [v.data for v in order], [order.index(x)], optimizer.script_update())
    with mini_racer.MiniRacer() as engine:
        load(engine, text)
        ours = run(engine, "P.train(v, 1e308, 1)")
        after = run(engine, "v")
    (x * x).backward()
    assert ours == engine_error(optimizer.step)
    assert after[order.index(x)] == x.data == 3.0


def test_adams_state_must_have_a_moment_per_trainable_value():
    x = Value(3.0, "x")
    order = autograd.topological_order(x * x)[::-1]
    update = autograd.script.AdamUpdate(name="AdamW", exp_avg=(0.1, 0.2))
    with pytest.raises(ValueError, match=r"^AdamW: exp_avg has 2 moments for 1 trainable values$"):
        program(graph(order), [v.data for v in order], [order.index(x)], update)
