"""nn.to_torch and nn.from_torch: the same outputs and gradients as PyTorch in float64, and clear refusals."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

import nn
from nn import MLP, from_torch, to_torch

NEEDS_TORCH = "the bridge's oracle is PyTorch"


def test_importing_nn_does_not_import_torch():
    code = "import sys, nn; nn.MLP(2, [1]); assert 'torch' not in sys.modules, 'nn imported torch'"
    subprocess.run([sys.executable, "-c", code], check=True)


def linears(module):
    return [m for m in module if hasattr(m, "weight")]


def torch_parameter_pairs(model, module):
    """(our Value, torch tensor, index) for every parameter, matched by layer, neuron and input."""
    pairs = []
    for layer, linear in zip(model.layers, linears(module), strict=True):
        for n, neuron in enumerate(layer.neurons):
            pairs += [(w, linear.weight, (n, i)) for i, w in enumerate(neuron.w)]
            if layer.bias_mode == "neuron":
                pairs.append((neuron.b, linear.bias, (n,)))
        if layer.bias_mode == "shared":
            pairs.append((layer.shared_bias, linear.bias, ()))
    return pairs


def assert_same_outputs_and_gradients(model, module, inputs, targets, torch):
    x = torch.tensor(inputs, dtype=torch.float64)
    out = module(x)
    assert out.dtype == torch.float64
    torch_loss = 0.5 * ((torch.tensor(targets, dtype=torch.float64) - out) ** 2).sum()
    torch_loss.backward()
    outputs = [model.forward(row) for row in inputs]
    loss = nn.half_squared_error([o for row in outputs for o in row], [t for row in targets for t in row])
    model.zero_grad()
    loss.backward()
    ours = [o.data for row in outputs for o in row]
    assert ours == pytest.approx(out.flatten().tolist(), rel=1e-12, abs=1e-14)
    pairs = torch_parameter_pairs(model, module)
    assert len(pairs) == len(model.parameters()) == sum(p.numel() for p in module.parameters())
    for ours, tensor, index in pairs:
        assert ours.data == tensor[index].item()  # the weights are copied exactly
        assert ours.grad == pytest.approx(tensor.grad[index].item(), rel=1e-12, abs=1e-14), ours.label


@pytest.mark.parametrize("name", nn.examples())
def test_the_documents_networks_match_torch(name):
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    ex = nn.example(name)
    module = to_torch(ex.network)
    kinds = [type(m).__name__ for m in module]
    for layer, linear in zip(ex.network.layers, linears(module)):
        expected = {"shared": "SharedBiasLinear", "neuron": "Linear", "none": "Linear"}[layer.bias_mode]
        assert type(linear).__name__ == expected and (linear.bias is None) == (layer.bias_mode == "none")
    assert kinds.count("Sigmoid") == sum(layer.activation == "sigmoid" for layer in ex.network.layers)
    samples = ex.samples
    assert_same_outputs_and_gradients(
        ex.network, module, [list(s.inputs) for s in samples], [list(s.targets) for s in samples], torch
    )


@pytest.mark.parametrize("seed", range(10))
def test_random_mlps_match_torch(seed):
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    rng = random.Random(seed)
    sizes = [rng.randint(1, 5) for _ in range(rng.randint(2, 4))]
    depth = len(sizes) - 1
    model = MLP(
        sizes[0],
        sizes[1:],
        activation=[rng.choice(list(nn.ACTIVATIONS)) for _ in range(depth)],
        bias=[rng.choice(["neuron", "shared", "none"]) for _ in range(depth)],
        biases=None,
        seed=seed,
    )
    for p in model.parameters():
        p.data = rng.uniform(-1.5, 1.5)  # biases too, so that they matter
    inputs = [[rng.uniform(-2, 2) for _ in range(sizes[0])] for _ in range(5)]
    targets = [[rng.uniform(-1, 1) for _ in range(sizes[-1])] for _ in range(5)]
    assert_same_outputs_and_gradients(model, to_torch(model), inputs, targets, torch)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_from_torch_computes_what_the_sequential_does(dtype):
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(3, 5),
        torch.nn.Tanh(),
        torch.nn.Linear(5, 4, bias=False),
        torch.nn.ReLU(),
        nn.bridge.SharedBiasLinear(4, 2, dtype=torch.float32),
        torch.nn.Sigmoid(),
        torch.nn.Linear(2, 2),
        torch.nn.Identity(),
    ).to(getattr(torch, dtype))
    with torch.no_grad():
        module[4].bias.fill_(0.3)
    model = from_torch(module)
    assert [layer.bias_mode for layer in model.layers] == ["neuron", "none", "shared", "neuron"]
    assert [layer.activation for layer in model.layers] == ["tanh", "relu", "sigmoid", "linear"]
    inputs = [[0.5, -1.0, 2.0], [-0.3, 0.1, 0.7]]
    expected = module.to(torch.float64)(torch.tensor(inputs, dtype=torch.float64)).flatten().tolist()
    assert [o.data for x in inputs for o in model.forward(x)] == pytest.approx(expected, rel=1e-12)
    back = to_torch(model)  # and back again: the same weights, bit for bit
    assert [p.tolist() for p in back.parameters()] == [p.double().tolist() for p in module.parameters()]


def test_a_model_with_a_shared_bias_pickles():
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    import io

    module = to_torch(nn.example("russo-3-3-3").network)
    buffer = io.BytesIO()
    torch.save(module, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    assert type(loaded[0]) is nn.bridge.SharedBiasLinear
    assert loaded[0].bias.item() == nn.example("russo-3-3-3").network.layers[0].shared_bias.data


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        (
            lambda t: [t.Linear(2, 3), t.Tanh(), t.Dropout(0.5), t.Linear(3, 1)],
            r"layer 2 \(Dropout\) is not supported; the supported layers are Linear, SharedBiasLinear, ",
        ),
        (lambda t: [t.Linear(2, 3), t.LeakyReLU()], r"layer 1 \(LeakyReLU\) is not supported"),
        (lambda t: [t.Tanh(), t.Linear(2, 3)], r"layer 0 \(Tanh\): an activation must follow a Linear layer"),
        (lambda t: [t.Linear(2, 3), t.Tanh(), t.ReLU()], r"layer 2 \(ReLU\): an activation must follow a Linear"),
        (
            lambda t: [t.Linear(2, 3), t.Linear(4, 1)],
            r"layer 1 \(Linear\): takes 4 inputs, but the layer before gives 3",
        ),
        (lambda t: [t.Sequential(t.Linear(2, 2))], r"layer 0 \(Sequential\) is not supported"),
        (
            lambda t: [t.Linear(2, 3), t.Softmax(dim=0)],
            r"layer 1 \(Softmax\): dim=0; the engine's softmax is over a layer's outputs, dim=-1$",
        ),
        (lambda t: [], "the Sequential has no Linear layer"),
        (
            lambda t: [t.Linear(1100, 1000)],
            "the network has about 1,101,000 parameters; this engine takes at most 1,000,000",
        ),
    ],
)
def test_from_torch_names_the_first_unsupported_layer(layers, message):
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    with pytest.raises(ValueError, match="from_torch: " + message):
        from_torch(torch.nn.Sequential(*layers(torch.nn)))


def test_a_softmax_layer_crosses_the_bridge_both_ways():
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    model = MLP(2, [4, 3], activation=["relu", "softmax"], seed=5)
    module = to_torch(model)
    assert [type(m).__name__ for m in module] == ["Linear", "ReLU", "Linear", "Softmax"] and module[3].dim == -1
    back = from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Softmax(dim=1)).double())
    assert [layer.activation for layer in back.layers] == ["softmax"]
    inputs, targets = [[0.4, -1.3], [2.0, 0.5]], [[1.0, 0.0, 0.0], [0.2, 0.3, 0.5]]
    assert_same_outputs_and_gradients(model, module, inputs, targets, torch)


@pytest.mark.parametrize("activation", list(nn.ACTIVATIONS))
def test_every_activation_crosses_the_bridge_and_back(activation):
    pytest.importorskip("torch", reason=NEEDS_TORCH)
    model = MLP(2, [3, 2], activation=["tanh", activation], seed=1)
    back = from_torch(to_torch(model))
    assert [layer.activation for layer in back.layers] == ["tanh", activation]
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]


def test_from_torch_refuses_non_finite_weights_and_other_modules():
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(3, 2))
    with torch.no_grad():
        module[1].weight[1, 2] = float("nan")
        module[0].bias[1] = float("inf")
    with pytest.raises(ValueError, match=r"from_torch: layer 0 \(Linear\): bias\[1\] is inf; the engine holds finite"):
        from_torch(module)
    with torch.no_grad():
        module[0].bias[1] = 0.0
    with pytest.raises(ValueError, match=r"from_torch: layer 1 \(Linear\): weight\[1\]\[2\] is nan"):
        from_torch(module)
    with pytest.raises(TypeError, match=r"from_torch: expected a torch\.nn\.Sequential, got Linear"):
        from_torch(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match=r"to_torch: expected an nn\.MLP, got Layer"):
        to_torch(nn.Layer(2, 2))


def test_a_model_too_large_is_refused_before_any_weight_is_copied():
    """144M parameters on torch's meta device (no memory): the count is checked first, nothing is read."""
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    model = torch.nn.Sequential(torch.nn.Linear(12_000, 12_000, device="meta"), torch.nn.Tanh())
    with pytest.raises(ValueError, match=r"^from_torch: the network has about 144,012,000 parameters; "):
        from_torch(model)
