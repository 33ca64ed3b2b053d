"""Module, Neuron, Layer, MLP: micrograd's API and results, PyTorch float64 gradients, names and metadata."""

from __future__ import annotations

import math

import micrograd.nn
import pytest
from oracles import needs_torch, torch, torch_activation

from autograd import Value
from nn import MLP, Layer, Neuron
from nn.naming import NamingError, layer_names


def copy_into_micrograd(ours: MLP) -> micrograd.nn.MLP:
    theirs = micrograd.nn.MLP(ours.sizes[0], ours.sizes[1:])
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        q.data = p.data
    return theirs


def test_micrograd_api_and_results():
    ours = MLP(3, [4, 4, 1], seed=0)
    theirs = copy_into_micrograd(ours)
    assert repr(ours) == repr(theirs)
    assert len(ours.parameters()) == len(theirs.parameters()) == 41
    for x in ([2.0, 3.0, -1.0], [0.5, -0.25, 1.5]):
        out, ref = ours(x), theirs(x)
        assert isinstance(out, Value)
        assert out.data == pytest.approx(ref.data, rel=1e-12)
        ours.zero_grad()
        theirs.zero_grad()
        out.backward()
        ref.backward()
        assert [p.grad for p in ours.parameters()] == pytest.approx([q.grad for q in theirs.parameters()], rel=1e-12)
    ours.zero_grad()
    assert all(p.grad == 0.0 for p in ours.parameters())


def test_micrograd_style_neuron_and_layer():
    n = Neuron(2, nonlin=False)
    assert repr(n) == "LinearNeuron(2)" and len(n.parameters()) == 3 and n.b.data == 0.0
    assert all(-1.0 <= w.data < 1.0 for w in n.w)
    layer = Layer(2, 3)
    assert repr(layer) == "Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)]"
    assert len(layer([1.0, 2.0])) == 3 and isinstance(Layer(2, 1)([1.0, 2.0]), Value)


@needs_torch
@pytest.mark.parametrize(
    ("modes", "acts"),
    [
        (("neuron", "shared", "none", "neuron"), ["tanh", "sigmoid", "relu", "linear"]),
        (("none", "none", "shared", "shared"), ["tanh", "sigmoid", "relu", "linear"]),
        (("neuron", "shared", "none", "neuron"), ["softmax", "tanh", "softmax", "softmax"]),
    ],
)
def test_activations_and_bias_modes_match_pytorch_float64(modes, acts):
    net = MLP(3, [4, 3, 5, 2], activation=acts, bias=modes, seed=7)
    x = [0.3, -1.2, 0.8]
    out = net.forward(x)
    loss = out[0] * out[1] + out[1]
    loss.backward()
    h = torch.tensor(x, dtype=torch.float64)
    tensors = []
    for layer, act in zip(net.layers, acts):
        w = torch.tensor([[p.data for p in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        bias = layer.bias_parameters()
        b = torch.tensor([p.data for p in bias], dtype=torch.float64, requires_grad=True)
        tensors.append((layer, w, bias, b))
        h = torch_activation(act)(w @ h + (b if bias else 0.0))
    (h[0] * h[1] + h[1]).backward()
    assert [o.data for o in out] == pytest.approx(h.tolist(), rel=1e-13)
    for layer, w, bias, b in tensors:
        assert [[p.grad for p in n.w] for n in layer.neurons] == [pytest.approx(r, rel=1e-12) for r in w.grad.tolist()]
        assert [p.grad for p in bias] == pytest.approx(b.grad.tolist() if bias else [], rel=1e-12)


def test_bias_modes_give_one_bias_per_neuron_one_per_layer_or_none():
    net = MLP(2, [3, 3, 1], bias=["neuron", "shared", "none"], activation="sigmoid", seed=1)
    counts = [len(layer.parameters()) - sum(len(n.w) for n in layer.neurons) for layer in net.layers]
    assert counts == [3, 1, 0] == [len(layer.bias_parameters()) for layer in net.layers]
    shared = net.layers[1].shared_bias
    assert all(n.b is shared for n in net.layers[1].neurons)
    assert all(n.b is None for n in net.layers[2].neurons)


def test_a_neuron_is_one_weighted_sum_node_then_one_activation_node():
    layer = Layer(3, 1, activation="sigmoid", weights=[[0.1, 0.2, 0.3]], biases=[0.5])
    x = [Value(1.0), Value(2.0), Value(3.0)]
    out = layer(x)
    (net,) = out.parents
    assert out.op == "sigmoid" and net.op == "weighted_sum"
    assert list(net.parents) == [*layer.neurons[0].w, *x, layer.neurons[0].b]
    assert net.data == 0.1 * 1.0 + 0.2 * 2.0 + 0.3 * 3.0 + 0.5


def test_exact_weights_are_laid_out_neuron_by_neuron():
    net = MLP(2, [3, 1], weights=[[[1, 2], [3, 4], [5, 6]], [[7, 8, 9]]], biases=[[0.1, 0.2, 0.3], [0.4]])
    assert [p.data for p in net.parameters()] == [1, 2, 0.1, 3, 4, 0.2, 5, 6, 0.3, 7, 8, 9, 0.4]
    assert [p.label for p in net.layers[0].parameters()] == [
        "w1_1_1",
        "w1_1_2",
        "b1_1",
        "w1_2_1",
        "w1_2_2",
        "b1_2",
        "w1_3_1",
        "w1_3_2",
        "b1_3",
    ]


def test_seeded_initialisation_is_reproducible_and_micrograd_like():
    first = [p.data for p in MLP(2, [8, 1], seed=3).parameters()]
    assert first == [p.data for p in MLP(2, [8, 1], seed=3).parameters()]
    assert first != [p.data for p in MLP(2, [8, 1], seed=4).parameters()]
    net = MLP(2, [8, 1], seed=3)
    assert all(-1.0 <= w.data < 1.0 for n in net.layers[0].neurons for w in n.w)
    assert all(n.b.data == 0.0 for layer in net.layers for n in layer.neurons)


def test_patterns_name_every_value_and_named_forward_finds_them():
    net = MLP(
        2,
        [2, 1],
        activation="sigmoid",
        bias=["shared", "neuron"],
        inputs=["i1", "i2"],
        names=[
            {"neurons": "h{n}", "weights": "w{k}", "biases": "b{layer}"},
            {"neurons": ["o1"], "weights": "w_{input}_{neuron}", "biases": "b_{neuron}", "out": ["y"]},
        ],
    )
    assert list(net.parameters_by_name()) == ["w1", "w2", "w3", "w4", "b1", "w_h1_o1", "w_h2_o1", "b_o1"]
    outputs, values = net.named_forward([1.0, 0.5])
    assert list(values) == ["i1", "i2", "net_h1", "out_h1", "net_h2", "out_h2", "net_o1", "y"]
    assert values["y"] is outputs[0] and values["net_o1"] is outputs[0].parents[0]
    assert values["out_h2"].meta == {"layer": 1, "neuron": "h2"}
    assert net["b1"].meta == {"role": "parameter", "layer": 1}
    assert net["w_h2_o1"].meta == {"role": "parameter", "layer": 2, "neuron": "o1"}
    assert values["i2"].meta == {"role": "input", "layer": 0, "neuron": "i2"}


def test_weight_placeholders_count_within_the_layer_and_across_the_network():
    names = layer_names(2, 2, ["h1", "h2", "h3"], "none", neurons="o{n}", weights="w{j}.{k}.{i}", first_weight=10)
    assert names.weights == (("w1.10.1", "w2.11.2", "w3.12.3"), ("w4.13.1", "w5.14.2", "w6.15.3"))


def test_bad_names_are_refused_clearly():
    with pytest.raises(NamingError, match=r"layer 1 neurons: unknown placeholder \{m\} in 'h\{m\}'"):
        MLP(2, [2], names=[{"neurons": "h{m}"}])
    with pytest.raises(NamingError, match=r"layer 1 neurons: expected a pattern or a list of 2 names, got \['a'\]"):
        MLP(2, [2], names=[{"neurons": ["a"]}])
    with pytest.raises(ValueError, match=r"used twice: 'w' \(a parameter of layer 1 and a parameter of layer 1\)"):
        MLP(2, [2], names=[{"weights": "w"}])
    with pytest.raises(ValueError, match=r"'x1' \(an input and the output of n1_1\)"):
        MLP(2, [1], names=[{"out": "x1"}])


def test_bad_shapes_and_choices_are_refused_clearly():
    with pytest.raises(
        ValueError, match="activation must be one of 'sigmoid', 'tanh', 'relu', 'linear', 'softmax', got 'gelu'"
    ):
        MLP(2, [1], activation="gelu")
    with pytest.raises(ValueError, match="bias must be one of 'neuron', 'shared', 'none', got 'per-neuron'"):
        MLP(2, [1], bias="per-neuron")
    with pytest.raises(ValueError, match=r"neuron n1_1: expected 2 weights \(one per input\), got 3"):
        MLP(2, [1], weights=[[[1, 2, 3]]])
    with pytest.raises(ValueError, match=r"layer 1: expected 1 rows of weights \(one per neuron\), got 2"):
        MLP(2, [1], weights=[[[1, 2], [3, 4]]])
    with pytest.raises(ValueError, match="layer 1: bias 'shared' needs 1 bias values, got 2"):
        MLP(2, [2], bias="shared", biases=[[1, 2]])
    with pytest.raises(ValueError, match=r"MLP: activation needs one entry per layer \(2\), got 1"):
        MLP(2, [2, 1], activation=["relu"])
    with pytest.raises(ValueError, match="MLP: expected 2 inputs, got 3"):
        MLP(2, [1])([1.0, 2.0, 3.0])
    with pytest.raises(KeyError, match="no parameter named 'w9'; the parameters are w1_1_1, w1_1_2, b1_1"):
        MLP(2, [1])["w9"]


@needs_torch
def test_a_softmax_layer_is_torch_s_softmax_of_its_nets_for_nets_up_to_1e4():
    layer = Layer(1, 4, activation="softmax", weights=[[1e4], [-1e4], [0.0], [9999.0]])
    x = Value(1.0)
    out = layer.forward([x])
    (out[0] * 2.0 + out[3]).backward()
    z = torch.tensor([1e4, -1e4, 0.0, 9999.0], dtype=torch.float64, requires_grad=True)
    p = torch.softmax(z, dim=0)
    (p[0] * 2.0 + p[3]).backward()
    near = 4 * math.ulp(1e4)  # net - logsumexp cancels: a few ulps of the nets, as a relative error of exp
    assert [o.data for o in out] == pytest.approx(p.tolist(), rel=near, abs=1e-300)
    assert [w.grad for n in layer.neurons for w in n.w] == pytest.approx(z.grad.tolist(), rel=near, abs=1e-300)
    assert sum(o.data for o in out) == pytest.approx(1.0, rel=1e-15)


def test_a_softmax_layer_names_its_nets_and_outputs_and_needs_the_whole_layer():
    net = MLP(2, [3], activation="softmax", names=[{"neurons": ["a", "b", "c"]}], seed=0)
    outputs, values = net.named_forward([0.5, -0.5])
    assert [values[f"out_{n}"] for n in "abc"] == outputs
    assert [values[f"net_{n}"].op for n in "abc"] == ["weighted_sum"] * 3
    assert str(net) == "MLP of [Layer of [SoftmaxNeuron(2), SoftmaxNeuron(2), SoftmaxNeuron(2)]]"
    with pytest.raises(ValueError, match=r"^neuron a: a softmax output needs the whole layer; call the Layer$"):
        net.layers[0].neurons[0]([0.5, -0.5])
