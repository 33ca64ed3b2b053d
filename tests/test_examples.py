"""The documents' networks: every printed number at its printed precision, and PyTorch float64 agreement."""

from __future__ import annotations

import tomllib
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from importlib.resources import files

import pytest
from oracles import needs_torch, torch, torch_activation

import nn
from backprop import bundled, bundled_document

NAMES = [
    "russo-3-3-3",
    "one-neuron",
    "two-neurons-chain",
    "two-neurons-layer",
    "hmkcode-2-2-1",
    "swap-2-4-3-2",
    "mazur-2-2-2",
]


def agrees(value: float, printed: str, decimals: int | None = None) -> bool:
    """True if value, rounded or truncated to the printed decimals, is what was printed."""
    written = printed.replace(",", ".")
    step = Decimal(1).scaleb(-(len(written.partition(".")[2]) if decimals is None else decimals))
    exact = Decimal(value)
    return Decimal(written) in (exact.quantize(step, ROUND_HALF_EVEN), exact.quantize(step, ROUND_DOWN))


def measure(part, claim) -> float:
    """A printed value or derivative recomputed by the networks alone, after the claim's steps."""
    ex = part.example()
    sample = ex.worked_sample if part.sample is None else part.sample
    for _ in range(claim.step):
        ex.step(sample)
    pass_ = ex.forward(sample)
    names = claim.quantity.names
    if claim.quantity.kind == "derivative":
        return pass_.gradient(names[1], names[0])
    return ex.learning_rate if names[0] == "learning_rate" else pass_[names[0]].data


# The printed numbers come from the one transcription, backprop/documents/*.toml: each value or
# derivative the documents print is recomputed here by nn alone (the audit classifies them in
# test_audit.py). The documents' mistakes, by claim id, with what the numbers should be:
CORRECTED = {  # by document and part
    ("000-russo", 1): {
        "dE_total/dw10": "0.05264",
        "w10@1": "0.62368",
        "dE_total/dout_h1": "0.08380",
        "w5@1": "0.39897",
        "out_h2@1": "0.60459",
        "out_h3@1": "0.61530",
        "out_o1@1": "0.86081",
        "out_o2@1": "0.89306",
        "out_o3@1": "0.72793",
        "E_total@1": "0.38147",
    },
    ("001-three-examples", 1): {"y": "1.50", "dL/dw": "-0.115", "dL/db": "-0.231", "b@1": "0.123"},
    ("001-three-examples", 2): {
        "dy_hat/dz3 (in dL/dw2)": "0.234",
        "dL/dw2": "-0.115",
        "z3 (in the second equation)": "0.51",
        "y_hat (from z3 = 0.56)": "0.63",
        "w2@1": "0.2115",
        "b2@1": "0.4205",
    },
    ("002-hmkcode", 1): {"h1@1": "0.982", "h2@1": "0.452", "out@1": "0.288"},
    ("002-hmkcode", 2): {
        "w1@1": "0.16257600",
        "w3@1": "0.11572000",
        "w2@1": "0.21886400",
        "w4@1": "0.07358000",
        "h1@1": "0.98174400",
        "h2@1": "0.45218000",
        "out@1": "0.28845906",
    },
    ("003-swap-network", 1): {"net_c3": "1.7447", "net_d1": "0.9440"},
    ("004-mazur", 1): {"dE_o2/dout_h1": "-0.019049118", "E_total@1": "0.291027774"},
}
PARTS = {(name, i): part for name in bundled() for i, part in enumerate(bundled_document(name).parts, 1)}
CLAIMS = [
    pytest.param(where, claim, id=f"{where[0]}#{where[1]}:{claim.id}")
    for where, part in PARTS.items()
    for claim in part.claims
    if claim.printed is not None and claim.quantity.kind in ("value", "derivative")
]


def test_the_documents_networks_are_shipped_by_name():
    assert sorted(nn.examples()) == sorted(NAMES)


@pytest.mark.parametrize(("where", "claim"), CLAIMS)
def test_printed_numbers_are_reproduced_or_corrected(where, claim):
    value = measure(PARTS[where], claim)
    correct = CORRECTED.get(where, {}).get(claim.id)
    if correct is None:
        assert agrees(value, claim.printed, claim.decimals), f"{value!r} is not {claim.printed}"
    else:
        assert not agrees(value, claim.printed, claim.decimals)
        assert agrees(value, correct), f"{value!r} is not {correct}"


def test_every_correction_names_a_claim():
    for where, fixes in CORRECTED.items():
        assert set(fixes) <= {c.id for c in PARTS[where].claims}, where


def test_agrees_accepts_rounding_and_truncation_only():
    assert agrees(0.72272535, "0.72272") and agrees(0.72272535, "0.72273")
    assert not agrees(0.72272535, "0.72274") and not agrees(0.0526425, "0.05304")
    assert agrees(-0.0035138, "-0.00351") and agrees(1.0, "1")


# ---- an independent oracle: the same networks in PyTorch float64, built from the TOML text --------


def torch_network(spec: dict, sample: int):
    """Every layer's weight matrix and bias as leaf tensors, and the forward pass's nets and outs."""
    data = spec["samples"][sample]
    x = torch.tensor(data["inputs"], dtype=torch.float64)
    leaves, nets, outs = [], [], []
    for layer in spec["layers"]:
        w = torch.tensor(layer["weights"], dtype=torch.float64, requires_grad=True)
        biases = layer.get("biases", [])
        b = torch.tensor(biases, dtype=torch.float64, requires_grad=True) if biases else None
        leaves.append((w, b))
        net = w @ x + (b if b is not None else 0.0)  # a shared bias broadcasts over the layer
        x = torch_activation(layer["activation"])(net)
        nets.append(net)
        outs.append(x)
    target = torch.tensor(data["targets"], dtype=torch.float64)
    loss = (0.5 * (target - x) ** 2).sum()
    return leaves, nets, outs, loss


def spec_of(name: str) -> dict:
    return tomllib.loads((files("nn.networks") / f"{name}.toml").read_text())


@needs_torch
@pytest.mark.parametrize("name", NAMES)
def test_forward_gradients_and_step_match_pytorch_float64(name):
    spec, ex = spec_of(name), nn.example(name)
    leaves, nets, outs, loss = torch_network(spec, ex.worked_sample)
    loss.backward()
    pass_ = ex.step()
    assert pass_.loss.data == pytest.approx(loss.item(), rel=1e-14)
    ours = [layer for layer in ex.network.layers]
    for layer, (w, b), net, out in zip(ours, leaves, nets, outs):
        for n, neuron in enumerate(layer.neurons):
            assert pass_[neuron.net_name].data == pytest.approx(net[n].item(), rel=1e-14)
            assert pass_[neuron.out_name].data == pytest.approx(out[n].item(), rel=1e-14)
            for i, weight in enumerate(neuron.w):
                assert weight.grad == pytest.approx(w.grad[n, i].item(), rel=1e-12, abs=1e-300)
        if b is not None:
            bias_grads = [p.grad for p in layer.bias_parameters()]
            assert bias_grads == pytest.approx(b.grad.tolist(), rel=1e-12)
    lr, trainable = spec["learning_rate"], set(ex.trainable)
    for layer, (w, _) in zip(ours, leaves):
        for n, neuron in enumerate(layer.neurons):
            for i, weight in enumerate(neuron.w):
                expected = w[n, i].item() - (lr * w.grad[n, i].item() if weight.label in trainable else 0.0)
                assert weight.data == pytest.approx(expected, rel=1e-14)


def test_russo_updates_only_the_weights():
    ex = nn.example("russo-3-3-3")
    ex.step()
    assert ex["b1"].data == 0.3 and ex["b2"].data == 0.6
    assert set(ex.trainable) == {f"w{k}" for k in range(1, 19)}


@pytest.mark.parametrize("name", NAMES)
def test_every_value_of_a_pass_is_reachable_by_its_name(name):
    ex = nn.example(name)
    pass_ = ex.forward()
    for label, value in pass_.values.items():
        assert value.label == label or value.op == "weighted_sum"  # a linear neuron's net is its out
    assert pass_.loss.label == ex.loss_name and pass_.loss.meta == {"role": "loss"}
    params = ex.network.parameters_by_name()
    assert all(pass_[p] is params[p] for p in params)
    assert [x.meta["role"] for x in (pass_[n] for n in ex.network.input_names)] == ["input"] * len(
        ex.network.input_names
    )


def test_russo_names_and_metadata_follow_the_document():
    pass_ = nn.example("russo-3-3-3").forward()
    expected = [f"w{k}" for k in range(1, 10)] + ["b1"] + [f"w{k}" for k in range(10, 19)] + ["b2"]
    assert [p.label for p in nn.example("russo-3-3-3").network.parameters()] == expected
    assert pass_["w10"].meta == {"role": "parameter", "layer": 2, "neuron": "o1"}
    assert pass_["b1"].meta == {"role": "parameter", "layer": 1}
    assert pass_["net_h1"].meta == {"layer": 1, "neuron": "h1"}
    assert pass_["out_o2"].meta == {"layer": 2, "neuron": "o2"}
    assert pass_["i1"].meta == {"role": "input", "layer": 0, "neuron": "i1"}
    assert pass_["target_o1"].meta == {"role": "target", "layer": 2, "neuron": "o1"}
    assert pass_["E_o3"].meta == {"role": "loss", "neuron": "o3"}
    # net_h1 = w1·i1 + w2·i2 + w3·i3 + b1 is one node with those operands, in that order
    net = pass_["net_h1"]
    assert net.op == "weighted_sum"
    assert [p.label for p in net.parents] == ["w1", "w2", "w3", "i1", "i2", "i3", "b1"]


def test_a_linear_neurons_net_and_out_are_one_value_with_both_names():
    pass_ = nn.example("hmkcode-2-2-1").forward()
    assert pass_["net_h1"] is pass_["h1"] and pass_["h1"].label == "h1"
    assert [p.label for p in pass_["out"].parents] == ["w5", "w6", "h1", "h2"]


def test_notes_record_the_target_contradiction_and_chosen_values():
    assert "y = 1 but computes every number with y = 1.5" in repr(nn.example("one-neuron"))
    assert "y = 1 but computes every number with y = 1.5" in nn.example("two-neurons-chain").describe()
    assert "no numbers" in nn.example("two-neurons-layer").describe()
    assert "no learning rate" in nn.example("swap-2-4-3-2").describe()
    assert nn.example("one-neuron").samples[0].targets == (1.5,)


def test_reset_restores_the_documents_initial_values():
    ex = nn.example("russo-3-3-3")
    before = ex.parameter_values()
    ex.step()
    assert ex.parameter_values() != before
    ex.reset()
    assert ex.parameter_values() == before


def test_unknown_names_are_refused_with_the_known_ones():
    with pytest.raises(KeyError, match="no example named 'mazur'; the examples are hmkcode-2-2-1"):
        nn.example("mazur")
    pass_ = nn.example("one-neuron").forward()
    with pytest.raises(KeyError, match="no value named 'E_total' in this pass; the names are w, b, x"):
        pass_["E_total"]
    with pytest.raises(IndexError, match="one-neuron: no sample 3; it has 1"):
        nn.example("one-neuron").forward(3)


def test_a_pass_gradient_leaves_grads_untouched_and_backward_fills_them():
    pass_ = nn.example("russo-3-3-3").forward()
    assert pass_.gradient("w1") > 0 and pass_["w1"].grad == 0.0
    pass_.backward()
    first = pass_["w1"].grad
    pass_.backward()  # clears and recomputes: no accumulation across calls
    assert pass_["w1"].grad == first == pass_.gradient("w1")


def test_the_swap_example_holds_the_documents_four_samples():
    ex = nn.example("swap-2-4-3-2")
    assert ex.samples == tuple(nn.swap())
    assert ex.samples[ex.worked_sample] == nn.Sample((1.0, 0.0), (0.0, 1.0))
