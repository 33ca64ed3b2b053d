"""Reading network specs: the schema's defaults, and a clear error (file, line, field) for each bad input."""

from __future__ import annotations

import copy
import re
import textwrap

import pytest

import nn
from nn import SpecError, load_spec

GOOD = textwrap.dedent(
    """\
    name = "tiny"
    inputs = ["p", "q"]
    learning_rate = 0.1

    [[layers]]
    size = 2
    activation = "tanh"
    weights = [[0.1, 0.2], [0.3, 0.4]]

    [[layers]]
    size = 1
    activation = "sigmoid"
    bias = "shared"
    weights = [[0.5, 0.6]]
    biases = [0.7]

    [[samples]]
    inputs = [1.0, 2.0]
    targets = [1.0]
    """
)

MINIMAL = {
    "name": "minimal",
    "inputs": 2,
    "learning_rate": 0.5,
    "layers": [{"size": 3, "activation": "relu"}, {"size": 2, "activation": "linear"}],
    "samples": [{"inputs": [1, 2], "targets": [0, 1]}],
}


def write(tmp_path, text: str):
    path = tmp_path / "net.toml"
    path.write_text(text)
    return path


def test_a_file_with_defaults_builds_its_network(tmp_path):
    ex = load_spec(write(tmp_path, GOOD))
    assert ex.name == "tiny" and ex.title == "tiny" and ex.notes == () and ex.loss == "half_squared_error"
    assert ex.network.sizes == [2, 2, 1]
    names = "w1_1_1 w1_1_2 w1_2_1 w1_2_2 w2_1_1 w2_1_2 b2"  # the first layer gives weights, no biases: it has none
    assert list(ex.network.parameters_by_name()) == names.split()
    pass_ = ex.forward()
    assert pass_.names()[-3:] == ["out_n2_1", "target_n2_1", "E_total"]
    assert "E_n2_1" not in pass_  # one output: the total is the only error


def test_weights_without_biases_make_a_layer_without_biases(tmp_path):
    """A document that gives weights and no biases has none: a trainable zero bias would change its gradients' list
    and its update step (a correct no-bias document was marked wrong)."""
    layer = load_spec(write(tmp_path, GOOD)).network.layers[0]
    assert layer.bias_mode == "none" and layer.bias_parameters() == []
    zero = load_spec(write(tmp_path, GOOD.replace('activation = "tanh"', 'activation = "tanh"\nbias = "neuron"')))
    assert [b.data for b in zero.network.layers[0].bias_parameters()] == [0.0, 0.0]  # asked for: zero biases
    unset = dict(MINIMAL, layers=[{"size": 3, "activation": "relu"}, {"size": 2, "activation": "linear"}])
    assert load_spec(unset).network.layers[0].bias_mode == "neuron"  # random weights: biases as before


def test_a_dict_with_defaults_builds_its_network():
    ex = load_spec(MINIMAL)
    assert ex.network.input_names == ("x1", "x2") and ex.trainable == tuple(ex.network.parameters_by_name())
    assert ex.forward().names()[-3:] == ["E_n2_1", "E_n2_2", "E_total"]
    assert [w.data for w in ex.network.layers[0].neurons[0].w] == [
        w.data for w in load_spec(MINIMAL).network.layers[0].neurons[0].w
    ]  # seeded: the same weights every time


@pytest.mark.parametrize(
    ("loss", "reference"),
    [("mse", lambda o, t: sum((a - b) ** 2 for a, b in zip(o, t)) / len(o)), ("hinge", None)],
)
def test_other_losses_make_a_total_only(loss, reference):
    spec = copy.deepcopy(MINIMAL) | {"loss": loss, "loss_name": "J"}
    pass_ = load_spec(spec).forward()
    assert pass_.names()[-1] == "J" and "E_n2_1" not in pass_
    if reference:
        outputs = [o.data for o in pass_.outputs]
        assert pass_.loss.data == pytest.approx(reference(outputs, [0, 1]), rel=1e-15)


def test_trainable_groups_and_lists():
    ex = load_spec(copy.deepcopy(MINIMAL) | {"trainable": "biases"})
    assert ex.trainable == ("b1_1", "b1_2", "b1_3", "b2_1", "b2_2")
    ex = load_spec(copy.deepcopy(MINIMAL) | {"trainable": ["w2_1_3"]})
    before = ex.parameter_values()
    ex.step()
    changed = [k for k, v in ex.parameter_values().items() if v != before[k]]
    assert changed in (["w2_1_3"], [])


def edit(**changes):
    spec = copy.deepcopy(MINIMAL)
    for key, value in changes.items():
        target, *path = key.split("__")
        obj = spec
        for part in [target, *path][:-1]:
            obj = obj[int(part)] if isinstance(obj, list) else obj[part]
        last = [target, *path][-1]
        if isinstance(obj, list):
            obj[int(last)] = value
        elif value is None:
            del obj[last]
        else:
            obj[last] = value
    return spec


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": None}, "<spec>: name: this required field is missing"),
        ({"name": "Tiny Net"}, "<spec>: name: use lower-case letters, digits and single hyphens, got 'Tiny Net'"),
        ({"learning_rate": "fast"}, "<spec>: learning_rate: expected an integer or a number, got string 'fast'"),
        ({"learning_rate": 0}, "<spec>: learning_rate: must be positive, got 0.0"),
        ({"learning_rate": True}, "<spec>: learning_rate: expected an integer or a number, got boolean True"),
        ({"inputs": 0}, "<spec>: inputs: a network needs at least one input, got 0"),
        ({"inputs": ["a", 1]}, "<spec>: inputs: expected a non-empty list of input names, got list ['a', 1]"),
        ({"layers": []}, "<spec>: layers: a network needs at least one layer"),
        ({"layers__0__activation": "gelu"}, "<spec>: layers[0].activation: unknown activation 'gelu'; use one of"),
        ({"layers__0__bias": "each"}, "<spec>: layers[0].bias: unknown bias mode 'each'; use one of neuron, shared"),
        ({"layers__0__size": None}, "<spec>: layers[0].size: this required field is missing"),
        ({"layers__0__size": 0}, "<spec>: layers[0].size: a layer needs at least one neuron, got 0"),
        ({"layers__1__sizes": 2}, "<spec>: layers[1].sizes: unknown field; the fields are size, activation, bias"),
        ({"layers__0__neurons": ["a", "b"]}, "<spec>: layers[0].neurons: expected 3 names (size), got 2"),
        ({"layers__0__neurons": "h{m}"}, "<spec>: layers[0]: layer 1 neurons: unknown placeholder {m} in 'h{m}'"),
        ({"layers__1__net": 3}, "<spec>: layers[1].net: expected a name pattern or a list of names, got integer 3"),
        ({"layers__0__weights": [[1, 2]]}, "<spec>: layers[0].weights: expected 3 rows (one per neuron), got list"),
        (
            {"layers__0__weights": [[1, 2], [3, 4], [5]]},
            "<spec>: layers[0].weights[2]: expected 2 weights (one per input), got 1",
        ),
        (
            {"layers__0__weights": [[1, 2], [3, 4], [5, "6"]]},
            "<spec>: layers[0].weights[2][1]: expected a number, got string '6'",
        ),
        (
            {"layers__1__weights": [[1, 2, float("nan")], [1, 2, 3]]},
            "<spec>: layers[1].weights[0][2]: expected a finite number, got nan",
        ),
        ({"layers__1__biases": [1.0]}, "<spec>: layers[1].biases: expected 2 biases (bias = 'neuron'), got 1"),
        (
            {"layers__0__neurons": "x{n}"},
            "<spec>: layers: MLP: every value needs its own name; these are used twice: "
            "'x1' (an input and a neuron of layer 1)",
        ),
        ({"samples": []}, "<spec>: samples: needs at least one sample"),
        ({"samples__0__inputs": [1]}, "<spec>: samples[0].inputs: expected 2 inputs, got 1"),
        ({"samples__0__targets": None}, "<spec>: samples[0].targets: this required field is missing"),
        ({"samples__0__weight": 2}, "<spec>: samples[0].weight: unknown field; the fields are inputs, targets"),
        ({"worked_sample": 1}, "<spec>: worked_sample: no sample 1; there are 1"),
        ({"loss": "l1"}, "<spec>: loss: unknown loss 'l1'; use one of half_squared_error, mse"),
        ({"targets": ["t"]}, "<spec>: targets: targets: expected a pattern or a list of 2 names, got ['t']"),
        ({"errors": "out_{neuron}"}, "<spec>: errors: the name 'out_n2_1' is already used by another value"),
        ({"loss_name": "x1"}, "<spec>: loss_name: the name 'x1' is already used by another value"),
        ({"trainable": "some"}, "<spec>: trainable: use one of all, weights, biases or a list of names, got 'some'"),
        ({"trainable": ["w9"]}, "<spec>: trainable[0]: no parameter named 'w9'; the parameters are w1_1_1"),
        ({"trainable": []}, "<spec>: trainable: selects no parameter"),
        ({"trainable": [["w1_1_1"]]}, "<spec>: trainable[0]: expected a parameter's name, got list ['w1_1_1']"),
        ({"trainable": [{"w": 1}]}, "<spec>: trainable[0]: expected a parameter's name, got table {'w': 1}"),
        (
            {"trainable": ["b1_1", "w1_1_1", "b1_1"]},
            "<spec>: trainable[2]: 'b1_1' is listed twice: trainable[0] and [2]",
        ),
        ({"inputs": ["a", "b", "a"]}, "<spec>: inputs[2]: 'a' is listed twice: inputs[0] and [2]"),
        ({"inputs": ["a", ""]}, "<spec>: inputs: inputs: a name cannot be empty"),
        ({"layers__1__neurons": ["o", ""]}, "<spec>: layers[1]: layer 2 neurons: a name cannot be empty"),
        ({"layers__0__weight_names": "{}"}, "<spec>: layers[0]: layer 1 weight names: unknown placeholder {}"),
        ({"targets": ["t", ""]}, "<spec>: targets: targets: a name cannot be empty"),
        ({"loss_name": ""}, "<spec>: loss_name: a name cannot be empty"),
        (
            {"layers__0__weights": [[1e308, 1e308]] * 3},
            "<spec>: samples[0]: this sample's pass cannot be computed: weighted_sum: the result of weighted_sum(",
        ),
        (
            {"samples__0__targets": [1e308, -1e308]},
            "<spec>: samples[0]: this sample's pass cannot be computed: pow: 1e+308 ** 2.0 overflows a float",
        ),
        ({"notes": ["ok", 3]}, "<spec>: notes[1]: expected a string, got integer 3"),
        ({"epochs": 3}, "<spec>: epochs: unknown field; the fields are name, title, source"),
    ],
)
def test_bad_dict_specs_name_the_field(changes, message):
    with pytest.raises(SpecError) as info:
        load_spec(edit(**changes))
    assert str(info.value).startswith(message)


def test_a_dict_spec_can_say_where_it_came_from():
    with pytest.raises(SpecError, match=r"^audit.toml \[network\]: loss: unknown loss"):
        load_spec(edit(loss="l1"), where="audit.toml [network]")
    with pytest.raises(SpecError, match=r"^<spec>: \(top level\): expected a table, got list"):
        load_spec([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('activation = "sigmoid"', 'activation = "softmx"', ":12: layers[1].activation: unknown activation"),
        ("weights = [[0.5, 0.6]]", "weights = [[0.5]]", ":14: layers[1].weights[0]: expected 2 weights"),
        ("targets = [1.0]", 'targets = ["one"]', ":19: samples[0].targets[0]: expected a number, got string 'one'"),
        ("learning_rate = 0.1", "learning_rate = -1", ":3: learning_rate: must be positive, got -1.0"),
        ("size = 1", "size = 1\ncolour = 1", ":12: layers[1].colour: unknown field"),
        ('name = "tiny"', "", ": name: this required field is missing"),
        (
            "learning_rate = 0.1",
            'learning_rate = 0.1\ntrainable = ["w1_1_1", ["w1_1_2"]]',
            ":4: trainable[1]: expected a parameter's name, got list ['w1_1_2']",
        ),
        ('inputs = ["p", "q"]', 'inputs = ["p", "q", "p"]', ":2: inputs[2]: 'p' is listed twice: inputs[0] and [2]"),
        (
            "weights = [[0.1, 0.2], [0.3, 0.4]]",
            "weights = [[1e308, 1e308], [0.3, 0.4]]",
            ":17: samples[0]: this sample's pass cannot be computed: weighted_sum: the result of weighted_sum(1e+308, ",
        ),
    ],
)
def test_bad_files_name_the_file_line_and_field(tmp_path, old, new, message):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(info.value).startswith(f"{path}{message}")


def test_cross_entropy_of_a_softmax_layer_is_refused_with_the_loss_to_use(tmp_path):
    text = GOOD.replace('activation = "sigmoid"', 'activation = "softmax"').replace(
        "learning_rate = 0.1", 'learning_rate = 0.1\nloss = "cross_entropy"'
    )
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, text))
    assert str(info.value).endswith(
        ":4: loss: loss 'cross_entropy' takes logits and applies softmax itself, but the last layer is softmax "
        "already; use 'categorical_cross_entropy' (−Σ t·log p of the probabilities)"
    )
    load_spec(write(tmp_path, text.replace('"cross_entropy"', '"categorical_cross_entropy"')))


def test_invalid_toml_and_missing_files_are_reported(tmp_path):
    path = write(tmp_path, GOOD.replace("size = 2", "size = = 2"))
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}:6: TOML syntax error at column 8: Invalid value$"):
        load_spec(path)
    missing = tmp_path / "nope.toml"
    with pytest.raises(SpecError, match=rf"^{re.escape(str(missing))}: cannot read the spec: No such file"):
        load_spec(missing)


def test_the_schema_documents_every_field():
    from nn.specs import LAYER_FIELDS, SCHEMA, TOP_FIELDS

    for field in TOP_FIELDS + LAYER_FIELDS:
        assert re.search(rf"^\s+{field}\b|, {field}\b", SCHEMA, re.M), field
    assert nn.examples()  # the shipped specs all follow it (each loads)
    for name in nn.examples():
        nn.example(name)


def listed(schema, field):
    """The names a field of the schema text lists, in order (its continuation lines included)."""
    text = re.search(rf"^  {re.escape(field)} +(.*(?:\n {{18}}.*)*)", schema, re.M)[1]
    return re.findall(r'"(\w+)"', text)


def test_the_schema_lists_the_losses_and_activations_from_their_registries():
    from nn.activations import ACTIVATIONS, Activation
    from nn.losses import LOSSES, Loss
    from nn.specs import SCHEMA, schema

    assert listed(SCHEMA, "loss") == list(LOSSES)
    assert listed(SCHEMA, "activation*") == list(ACTIVATIONS)
    l1 = Loss("l1", nn.mse, lambda outputs, targets: [], "mean", summary="Σ|target − out|")
    swish = Activation("swish", None, "Swish", "SiLU")
    grown = schema({**LOSSES, "l1": l1}, {**ACTIVATIONS, "swish": swish})
    assert listed(grown, "loss") == [*LOSSES, "l1"] and '"l1" (Σ|target − out|)' in grown
    assert listed(grown, "activation*") == [*ACTIVATIONS, "swish"] and ', or "swish"' in grown


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inputs": 10**9}, "<spec>: inputs: 1,000,000,000 is too many: a network has at most 100,000 parameters"),
        (
            {"layers__0__size": 10**9},
            "<spec>: layers[0].size: 1,000,000,000 is too many: a network has at most 100,000 parameters",
        ),
        (
            {"inputs": 200, "layers__0__size": 500},
            "<spec>: layers: the layers make 101,502 parameters: a network has at most 100,000 parameters",
        ),
        (
            {"layers__0__neurons": "{n:>50000000}"},
            "<spec>: layers[0]: layer 1 neurons: the format {n:>50000000} in '{n:>50000000}' could make names longer "
            "than 100 characters",
        ),
        (
            {"layers__0__neurons": "{n[0]}"},
            "<spec>: layers[0]: layer 1 neurons: unknown placeholder {n[0]} in '{n[0]}'",
        ),
        (
            {"loss_name": "E" * 101},
            "<spec>: loss_name: 'EEEEEEEEEEEEEEEEEEEE'... is 101 characters; a name has at most 100",
        ),
    ],
)
def test_oversized_networks_and_names_are_refused_before_anything_is_built(changes, message):
    with pytest.raises(SpecError) as info:
        load_spec(edit(**changes))
    assert str(info.value).startswith(message)


def deep(layers: int) -> dict:
    layer = {"size": 1, "activation": "sigmoid", "bias": "none"}
    return {"name": "deep", "inputs": 1, "learning_rate": 0.1, "layers": [layer] * layers} | {
        "samples": [{"inputs": [1.0], "targets": [1.0]}]
    }


def test_loading_is_linear_in_the_number_of_layers(monkeypatch):
    from nn.layers import Neuron

    calls = 0
    parameters = Neuron.parameters

    def counted(self):
        nonlocal calls
        calls += 1
        return parameters(self)

    monkeypatch.setattr(Neuron, "parameters", counted)
    work = []
    for layers in (500, 1000):
        calls = 0
        load_spec(deep(layers))
        work.append(calls)
    assert work[1] <= 2 * work[0]  # quadratic loading (a name looked up among all parameters) makes 4x


def test_a_file_of_10000_layers_loads(tmp_path):
    head = 'name = "deep"\ninputs = 1\nlearning_rate = 0.1\n[[samples]]\ninputs = [1.0]\ntargets = [1.0]\n'
    layer = '[[layers]]\nsize = 1\nactivation = "sigmoid"\nbias = "none"\n'
    example = load_spec(write(tmp_path, head + layer * 10_000))
    assert len(example.network.layers) == 10_000 and example.forward().loss.data > 0


def test_a_spec_without_a_source_describes_itself_without_an_empty_source_line():
    lines = load_spec(MINIMAL).describe().splitlines()
    assert lines[0] == "minimal" and lines[1].startswith("  network: 2-3-2, layers relu")
    assert "  source: nowhere" in load_spec(copy.deepcopy(MINIMAL) | {"source": "nowhere"}).describe()


@pytest.mark.parametrize("name", ["russo-3-3-3", "hmkcode-2-2-1", "swap-2-4-3-2", "two-neurons-chain"])
@pytest.mark.parametrize("sample", [None, -1])
def test_train_replays_the_step_loop_float_for_float(name, sample):
    replayed, dynamic = nn.example(name), nn.example(name)
    losses = replayed.train(40, sample)
    assert losses == [dynamic.step(sample).loss.data for _ in range(40)]
    assert replayed.parameter_values() == dynamic.parameter_values()


def test_a_softmax_example_trains_by_replay_as_its_step_loop_does_and_saves_its_parameters(tmp_path):
    from hand_built import softmax_example

    replayed, dynamic = softmax_example(), softmax_example()
    losses = replayed.train(40)
    assert losses == [dynamic.step().loss.data for _ in range(40)] and losses[-1] < 0.05 < losses[0]
    nn.save_parameters(replayed.network, tmp_path / "softmax.json")
    fresh = softmax_example()
    nn.load_parameters(fresh.network, tmp_path / "softmax.json")
    assert fresh.parameter_values() == replayed.parameter_values() == dynamic.parameter_values()


def test_train_refuses_bad_steps_and_samples():
    example = nn.example("russo-3-3-3")
    with pytest.raises(ValueError, match=r"^russo-3-3-3: train: steps must be a whole number >= 0, got 2\.5$"):
        example.train(2.5)
    with pytest.raises(IndexError, match=r"^russo-3-3-3: no sample 9; it has 1$"):
        example.train(3, 9)
    assert example.train(0) == []
