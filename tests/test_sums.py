"""Sums over samples replayed from one traced sample graph, against the dynamic engine and PyTorch float64."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import needs_torch, torch, torch_activation

import nn
from autograd import SampleSum, TraceError, Value, sum_values, trace_sum
from nn import MLP
from nn.activations import ACTIVATIONS
from nn.losses import LOSSES

NEURON_ACTIVATIONS = sorted(name for name, kind in ACTIVATIONS.items() if not kind.per_layer)
LAYER_ACTIVATIONS = sorted(name for name, kind in ACTIVATIONS.items() if kind.per_layer)  # softmax


def last_layer_for(loss: str, activation: str) -> str:
    """The last layer's activation for a loss: categorical cross-entropy takes a softmax's probabilities."""
    return "softmax" if loss == "categorical_cross_entropy" else activation


def model_terms(model: MLP, loss: str):
    terms_of = LOSSES[loss].terms
    return lambda inputs, targets: terms_of(model.forward(inputs), targets)


def dynamic_sum(terms, samples, seed=1.0):
    """The dynamic engine's sum over every sample's terms, its backward run with seed."""
    total = sum_values([t for s in samples for t in terms(*s)])
    total.backward(seed)
    return total.data


def grads_after(params, run):
    for q in params:
        q.grad = 0.0
    value = run()
    return value, [q.grad for q in params]


@pytest.mark.parametrize("loss", sorted(LOSSES))
@pytest.mark.parametrize(("network", "data"), [((2, [4, 1]), nn.moons(30, seed=2)), ((2, [3, 2]), nn.swap())])
def test_the_replay_is_the_dynamic_sum_float_for_float(loss, network, data):
    depth = len(network[1])
    model = MLP(*network, activation=["relu"] * (depth - 1) + [last_layer_for(loss, "linear")], seed=4)
    terms = model_terms(model, loss)
    samples = [(list(s.inputs), list(s.targets)) for s in data]
    program = trace_sum(terms, *samples[0])
    params = model.parameters()
    for seed in (1.0, 1.0 / 7):
        replayed = grads_after(params, lambda seed=seed: program.backward(samples, seed))
        assert replayed == grads_after(params, lambda seed=seed: dynamic_sum(terms, samples, seed))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    hidden=st.lists(st.integers(1, 4), max_size=2),
    outputs=st.integers(1, 2),
    activation=st.sampled_from(NEURON_ACTIVATIONS),
    last=st.sampled_from([*NEURON_ACTIVATIONS, *LAYER_ACTIVATIONS]),
    loss=st.sampled_from(sorted(LOSSES)),
    scale=st.sampled_from([1.0, 0.25, 1.0 / 3]),
    points=st.lists(
        st.lists(st.sampled_from([0.0, -0.0, 1.0, -1.0]) | st.floats(-3.0, 3.0), min_size=4, max_size=4),
        min_size=1,
        max_size=6,
    ),
)
def test_random_networks_and_batches_replay_float_for_float(
    seed, hidden, outputs, activation, last, loss, scale, points
):
    activations = [activation] * len(hidden) + [last_layer_for(loss, last)]
    model = MLP(2, [*hidden, outputs], activation=activations, seed=seed)
    terms = model_terms(model, loss)
    samples = [(p[:2], p[2 : 2 + outputs]) for p in points]
    program = trace_sum(terms, *samples[0])
    params = model.parameters()
    for _ in range(3):  # parameters changed in place between calls
        replayed = grads_after(params, lambda: program.backward(samples, scale))
        expected = grads_after(params, lambda: dynamic_sum(terms, samples, scale))
        assert [repr(x) for x in (replayed[0], *replayed[1])] == [repr(x) for x in (expected[0], *expected[1])]
        for q in params:
            q.data -= 0.1 * q.grad


def test_a_parameter_used_many_times_per_sample_adds_up_in_the_engine_s_order():
    w = Value(0.3, label="w")
    terms = lambda x: [(w * x).tanh() * w + w * w * x, (w - x) ** 2]  # noqa: E731
    rng = random.Random(0)
    samples = [(rng.uniform(-3, 3),) for _ in range(50)]
    program = trace_sum(terms, 1.0)
    replayed = grads_after([w], lambda: program.backward(samples, 0.37))
    assert replayed == grads_after([w], lambda: dynamic_sum(terms, samples, 0.37))


def test_an_iterator_of_samples_is_read_once_even_when_the_engine_redoes_the_sum():
    w = Value(1.0, label="w")
    program = trace_sum(lambda x: [(w * x).exp()], 1.0)
    assert program.backward(iter([(1.0,), (2.0,)])) == math.exp(1.0) + math.exp(2.0)
    with pytest.raises(OverflowError, match="exp"):  # the fast path fails; the engine reads the samples again
        program.backward(iter([(1.0,), (1000.0,)]))


def test_grads_add_to_what_was_there_as_backward_does():
    w = Value(1.5)
    terms = lambda x: [w * x * x]  # noqa: E731
    program = trace_sum(terms, 2.0)
    w.grad = 0.1
    program.backward([(1.0,), (3.0,)])
    replayed = w.grad
    w.grad = 0.1
    dynamic_sum(terms, [(1.0,), (3.0,)])
    assert replayed == w.grad == 0.1 + 10.0


def test_each_shape_of_sample_is_traced_once_and_the_sum_keeps_the_order():
    w = Value(0.5)
    terms = lambda xs: [w * x for x in xs] + [w * w]  # noqa: E731
    samples = [([1.0],), ([2.0, 3.0],), ([4.0],), ([0.1, 0.2],), ([0.3, 1e-17],)]
    program = trace_sum(terms, [9.0])
    replayed = grads_after([w], lambda: program.backward(samples))
    assert replayed == grads_after([w], lambda: dynamic_sum(terms, samples))
    assert repr(program) == "<SampleSum of <lambda>: 2 traced sample shape(s)>"
    assert program.source.count("def run(xs, p, a, carried, seed):") == 2


def test_the_generated_code_is_one_sample_s_graph_in_a_loop():
    w, b = Value(2.0), Value(1.0)
    program = trace_sum(lambda x, t: [(w * x + b - t) ** 2], 1.0, 0.0)
    assert "for x in xs:" in program.source
    assert len(program.source.splitlines()) < 20  # one sample's graph, however many samples


def test_an_overflow_is_the_engine_s_own_error():
    w = Value(1.0, label="w")
    program = trace_sum(lambda x: [(w * x).exp()], 1.0)
    with pytest.raises(OverflowError, match="exp"):
        program.backward([(1.0,), (1000.0,)])
    assert w.grad == 0.0  # nothing half-written


def test_a_sample_graph_that_branches_on_values_is_refused():
    w = Value(1.0)
    with pytest.raises(TraceError, match=r"^trace: f reads the value of a mul node at .*test_sums\.py:\d+"):
        trace_sum(lambda x: [w * x if (w * x).data > 0 else -w * x], 1.0)


def test_bad_calls_are_refused_clearly():
    program = trace_sum(lambda x: [Value(1.0) * x], 1.0)
    with pytest.raises(ValueError, match=r"^SampleSum: needs at least one sample, got none$"):
        program.backward([])
    with pytest.raises(ValueError, match="backward gradient"):
        program.backward([(1.0,)], math.inf)
    with pytest.raises(TypeError, match=r"^trace_sum: args\[0\] must be a number, a Value or a list of them, got str"):
        program.backward([("one",)])
    assert isinstance(program, SampleSum)
    for made in ([], Value(1.0)):
        with pytest.raises(TypeError, match=r"^trace_sum: terms must return a non-empty list of Values, got "):
            trace_sum(lambda x, made=made: made, 1.0)


TORCH_TERMS = {
    "half_squared_error": lambda o, t: 0.5 * (t - o) ** 2,
    "mse": lambda o, t: (o - t) ** 2,
    "bce_with_logits": lambda o, t: torch.nn.functional.softplus(o) - t * o,
    "hinge": lambda o, t: torch.relu(1.0 - t * o),
}


@needs_torch
@pytest.mark.parametrize("loss", sorted(TORCH_TERMS))  # cross_entropy: test_training's multi-class tests
def test_the_replay_matches_pytorch_float64(loss):
    model = MLP(2, [5, 1], seed=7)
    data = nn.moons(40, seed=3)
    if loss == "bce_with_logits":
        data = [nn.Sample(s.inputs, tuple((t + 1) / 2 for t in s.targets)) for s in data]
    samples = [(list(s.inputs), list(s.targets)) for s in data]
    program = trace_sum(model_terms(model, loss), *samples[0])
    value, grads = grads_after(model.parameters(), lambda: program.backward(samples))

    tensors = [torch.tensor(q.data, dtype=torch.float64, requires_grad=True) for q in model.parameters()]
    by_param = dict(zip(map(id, model.parameters()), tensors))
    total = torch.zeros((), dtype=torch.float64)
    for x, (t,) in samples:
        h = [torch.tensor(v, dtype=torch.float64) for v in x]
        for layer in model.layers:
            act = torch_activation(layer.activation)
            h = [act(sum((by_param[id(w)] * a for w, a in zip(n.w, h)), by_param[id(n.b)])) for n in layer.neurons]
        total = total + TORCH_TERMS[loss](h[0], t)
    total.backward()
    assert value == pytest.approx(total.item(), rel=1e-12)
    assert grads == pytest.approx([q.grad.item() for q in tensors], rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("kept", [1 << 16, 2])
def test_samples_changed_between_calls_are_read_again(monkeypatch, kept):
    from autograd.compiler import sample_sum as sums

    monkeypatch.setattr(sums, "KEPT_SAMPLES", kept)  # 2: the kept numbers start again while a batch is read
    w = Value(0.5)
    terms = lambda x, t: [(w * x[0] - t[0]) ** 2]  # noqa: E731
    program = trace_sum(terms, [1.0], [0.0])
    lists = [([float(k)], [1.0]) for k in range(5)]
    tuples = [((float(k),), (1.0,)) for k in range(5)]
    for samples in (lists, tuples, lists, tuples):
        assert grads_after([w], lambda s=samples: program.backward(s)) == grads_after(
            [w], lambda s=samples: dynamic_sum(terms, s)
        )
        if samples is lists:
            lists[4][0][0] += 7.0  # a list can change: its numbers are read at every call
        else:
            tuples[4] = ((tuples[4][0][0] + 7.0,), (1.0,))
