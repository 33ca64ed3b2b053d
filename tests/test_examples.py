"""The documents' networks: every printed number at its printed precision, and PyTorch float64 agreement."""

from __future__ import annotations

import tomllib
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from importlib.resources import files

import pytest
import torch

import nn

NAMES = ["russo-3-3-3", "one-neuron", "two-neurons-chain", "two-neurons-layer", "hmkcode-2-2-1", "swap-2-4-3-2"]


def agrees(value: float, printed: str) -> bool:
    """True if value, rounded or truncated to the printed number of decimals, is what was printed."""
    step = Decimal(1).scaleb(-len(printed.partition(".")[2]))
    exact = Decimal(value)
    return Decimal(printed) in (exact.quantize(step, ROUND_HALF_EVEN), exact.quantize(step, ROUND_DOWN))


def measure(ex: nn.WorkedExample, kind: str, name: str, of: str | None) -> float:
    """What the document printed, recomputed: a value, a derivative, an updated parameter, a second pass."""
    if kind == "value":
        return ex.forward()[name].data
    if kind == "grad":
        return ex.forward().gradient(name, of)
    before = ex.step().loss.data
    if kind == "updated":
        return ex[name].data
    after = ex.forward()
    return before - after.loss.data if kind == "drop" else after[name].data


# (example, kind, name, printed, of): numbers the documents print that the engine reproduces.
# kind: value = forward pass; grad = d(of, default the loss)/d(name); updated = after one step;
# after = forward pass after one step; drop = loss before minus loss after one step.
PRINTED = [
    *[
        ("russo-3-3-3", "value", n, v, None)
        for n, v in [
            ("net_h1", "0.38"),
            ("out_h1", "0.59387"),
            ("out_h2", "0.60468"),
            ("out_h3", "0.61538"),
            ("net_o1", "1.87083"),
            ("out_o1", "0.86655"),
            ("out_o2", "0.895"),
            ("out_o3", "0.72411"),
            ("E_total", "0.38728"),
            ("E_o1", "0.2938"),
            ("E_o2", "0.07801"),
            ("E_o3", "0.01547"),
        ]
    ],
    ("russo-3-3-3", "grad", "out_o1", "0.76655", None),
    ("russo-3-3-3", "grad", "net_o1", "0.11564", "out_o1"),
    ("russo-3-3-3", "grad", "w10", "0.59387", "net_o1"),
    ("russo-3-3-3", "grad", "out_h1", "0.057618", "E_o1"),
    ("russo-3-3-3", "grad", "out_h1", "0.0297", "E_o2"),
    ("russo-3-3-3", "grad", "out_h1", "-0.00351", "E_o3"),
    ("russo-3-3-3", "grad", "net_h1", "0.24119", "out_h1"),
    ("russo-3-3-3", "grad", "w1", "0.05", "net_h1"),
    ("russo-3-3-3", "grad", "w1", "0.00101", None),
    *[
        ("russo-3-3-3", "updated", n, v, None)
        for n, v in [
            ("w1", "0.19949"),
            ("w2", "0.24899"),
            ("w3", "0.29848"),
            ("w4", "0.34948"),
            ("w6", "0.44845"),
            ("w7", "0.49947"),
            ("w8", "0.54894"),
            ("w9", "0.59841"),
            ("w11", "0.6732"),
            ("w12", "0.72272"),
            ("w13", "0.78897"),
            ("w14", "0.83877"),
            ("w15", "0.88858"),
            ("w16", "0.11043"),
            ("w17", "0.21062"),
            ("w18", "0.31081"),
            ("b1", "0.3"),
            ("b2", "0.6"),
        ]
    ],
    ("russo-3-3-3", "after", "out_h1", "0.59379", None),
    ("one-neuron", "value", "z", "0.25", None),
    ("one-neuron", "value", "y_hat", "0.56", None),
    ("one-neuron", "value", "L", "0.44", None),
    ("one-neuron", "grad", "y_hat", "-0.94", None),
    ("one-neuron", "grad", "z", "0.25", "y_hat"),
    ("one-neuron", "grad", "w", "0.5", "z"),
    ("one-neuron", "grad", "b", "1", "z"),
    ("one-neuron", "updated", "w", "0.312", None),
    ("two-neurons-chain", "value", "z2", "0.25", None),
    ("two-neurons-chain", "value", "a2", "0.56", None),
    ("two-neurons-chain", "value", "z3", "0.512", None),
    ("two-neurons-chain", "value", "y_hat", "0.625", None),
    ("two-neurons-chain", "value", "L", "0.38", None),
    ("two-neurons-chain", "grad", "y_hat", "-0.875", None),
    ("two-neurons-chain", "grad", "z3", "0.23", "y_hat"),
    ("two-neurons-chain", "grad", "b2", "-0.205", None),
    ("two-neurons-chain", "grad", "a2", "0.2", "z3"),
    ("two-neurons-chain", "grad", "z2", "0.25", "a2"),
    ("two-neurons-chain", "grad", "w1", "0.5", "z2"),
    ("two-neurons-chain", "grad", "w1", "-0.005", None),
    ("two-neurons-chain", "grad", "b1", "-0.01", None),
    ("two-neurons-chain", "updated", "w1", "0.3005", None),
    ("two-neurons-chain", "updated", "b1", "0.101", None),
    ("hmkcode-2-2-1", "value", "h1", "0.90", None),
    ("hmkcode-2-2-1", "value", "h2", "0.35", None),
    ("hmkcode-2-2-1", "value", "out", "0.214", None),
    ("hmkcode-2-2-1", "value", "Error", "0.3089", None),
    ("hmkcode-2-2-1", "grad", "out", "-0.786", None),
    *[
        ("hmkcode-2-2-1", "updated", n, v, None)
        for n, v in [
            ("w1", "0.162"),
            ("w2", "0.218"),
            ("w3", "0.115"),
            ("w4", "0.073"),
            ("w5", "0.195"),
            ("w6", "0.213"),
        ]
    ],
    *[
        ("swap-2-4-3-2", "value", n, v, None)
        for n, v in [
            ("net_b1", "0.1"),
            ("net_b2", "0.3"),
            ("net_b3", "0.5"),
            ("net_b4", "0.7"),
            ("out_b1", "0.5250"),
            ("out_b2", "0.5744"),
            ("out_b3", "0.6225"),
            ("out_b4", "0.6682"),
            ("net_c1", "0.7887"),
            ("net_c2", "1.2667"),
            ("out_c1", "0.6876"),
            ("out_c2", "0.7802"),
            ("out_c3", "0.8513"),
            ("net_d2", "1.6397"),
            ("out_d1", "0.7199"),
            ("out_d2", "0.8375"),
        ]
    ],
]

# (example, kind, name, printed, of, correct, words of the note that records it): numbers the
# documents print wrongly. The engine must give the correct value, and the example's notes must say so.
DOCUMENT_ERRORS = [
    ("russo-3-3-3", "grad", "w10", "0.05304", None, "0.05264", "dE_total/dw10 = 0.05304"),
    ("russo-3-3-3", "updated", "w10", "0.62348", None, "0.62368", "w10 = 0.62348"),
    ("russo-3-3-3", "updated", "w5", "0.39845", None, "0.39897", "w5 = 0.39845"),
    ("russo-3-3-3", "grad", "out_h1", "0.08381", None, "0.08380", "dE_total/dout_h1 = 0.08381"),
    ("russo-3-3-3", "after", "out_h2", "0.60458", None, "0.60459", "out_h2 = 0.60458"),
    ("russo-3-3-3", "after", "out_h3", "0.62237", None, "0.61530", "out_h3 = 0.62237"),
    ("russo-3-3-3", "after", "out_o1", "0.86141", None, "0.86081", "out_o1 = 0.86141"),
    ("russo-3-3-3", "after", "out_o2", "0.89365", None, "0.89306", "out_o2 = 0.89365"),
    ("russo-3-3-3", "after", "out_o3", "0.72837", None, "0.72793", "out_o3 = 0.72837"),
    ("russo-3-3-3", "after", "E_total", "0.38208", None, "0.38147", "E_total = 0.38208"),
    ("russo-3-3-3", "drop", "E_total", "0.0052", None, "0.0058", "a reduction of 0.0052"),
    ("one-neuron", "grad", "w", "-0.118", None, "-0.115", "dL/dw = -0.94 · 0.25 · 0.5 = -0.118"),
    ("one-neuron", "grad", "b", "-0.235", None, "-0.231", "dL/db = -0.235"),
    ("one-neuron", "updated", "b", "0.125", None, "0.123", "b_new = 0.125"),
    ("two-neurons-chain", "value", "z3", "0.56", None, "0.51", "z3 = sigma(0.25) = 0.56"),
    ("two-neurons-chain", "grad", "z3", "0.235", "y_hat", "0.234", "also prints as 0.235"),
    ("two-neurons-chain", "grad", "w2", "-0.103", None, "-0.115", "dL/dw2 = -0.103"),
    ("two-neurons-chain", "updated", "w2", "0.2103", None, "0.2115", "w2_new = 0.2103"),
    ("two-neurons-chain", "updated", "b2", "0.3795", None, "0.4205", "b2_new = 0.3795"),
    ("hmkcode-2-2-1", "after", "h1", "0.978", None, "0.982", "h1 = 0.978"),
    ("hmkcode-2-2-1", "after", "h2", "0.448", None, "0.452", "h2 = 0.448"),
    ("hmkcode-2-2-1", "after", "out", "0.286", None, "0.288", "out = 0.286"),
    ("hmkcode-2-2-1", "updated", "w1", "0.16535608", None, "0.16257600", "w1 = 0.16535608"),
    ("hmkcode-2-2-1", "after", "out", "0.29414432", None, "0.28845906", "prediction of 0.29414432"),
    ("swap-2-4-3-2", "value", "net_c3", "1.7448", None, "1.7447", "net_c3 = 1.7448"),
    ("swap-2-4-3-2", "value", "net_d1", "0.9441", None, "0.9440", "net_d1 = 0.9441"),
]


def test_the_six_documents_networks_are_shipped_by_name():
    assert sorted(nn.examples()) == sorted(NAMES)


@pytest.mark.parametrize(("name", "kind", "what", "printed", "of"), PRINTED)
def test_printed_numbers_are_reproduced(name, kind, what, printed, of):
    value = measure(nn.example(name), kind, what, of)
    assert agrees(value, printed), f"{name} {kind} {what}: {value!r} is not {printed} at printed precision"


@pytest.mark.parametrize(("name", "kind", "what", "printed", "of", "correct", "note"), DOCUMENT_ERRORS)
def test_printed_mistakes_are_corrected_and_noted(name, kind, what, printed, of, correct, note):
    ex = nn.example(name)
    value = measure(ex, kind, what, of)
    assert not agrees(value, printed)
    assert agrees(value, correct), f"{name} {kind} {what}: {value!r} is not {correct}"
    assert note in " ".join(ex.notes)
    assert note in repr(ex) and note in ex.describe()


def test_agrees_accepts_rounding_and_truncation_only():
    assert agrees(0.72272535, "0.72272") and agrees(0.72272535, "0.72273")
    assert not agrees(0.72272535, "0.72274") and not agrees(0.0526425, "0.05304")
    assert agrees(-0.0035138, "-0.00351") and agrees(1.0, "1")


# ---- an independent oracle: the same networks in PyTorch float64, built from the TOML text --------

ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda x: x}


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
        x = ACTS[layer["activation"]](net)
        nets.append(net)
        outs.append(x)
    target = torch.tensor(data["targets"], dtype=torch.float64)
    loss = (0.5 * (target - x) ** 2).sum()
    return leaves, nets, outs, loss


def spec_of(name: str) -> dict:
    return tomllib.loads((files("nn.networks") / f"{name}.toml").read_text())


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
