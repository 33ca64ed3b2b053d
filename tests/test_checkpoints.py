"""Saving and loading parameters: exact round trips, and clear errors that leave the network unchanged."""

from __future__ import annotations

import json
import random

import pytest

from nn import MLP, CheckpointError, example, load_parameters, save_parameters


def values(model):
    return [p.data for p in model.parameters()]


def test_floats_round_trip_exactly(tmp_path):
    model = MLP(3, [5, 2], activation="tanh", bias=["shared", "neuron"], seed=1)
    rng = random.Random(0)
    awkward = [0.1, 1 / 3, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, -0.0]
    for p in model.parameters():
        p.data = awkward.pop() if awkward else rng.uniform(-1, 1) * 10.0 ** rng.randint(-300, 300)
    path = tmp_path / "params.json"
    save_parameters(model, path)
    other = MLP(3, [5, 2], activation="tanh", bias=["shared", "neuron"], seed=2)
    load_parameters(other, path)
    assert [x.hex() for x in values(other)] == [x.hex() for x in values(model)]


def test_the_file_is_readable_json_keyed_by_the_documents_names(tmp_path):
    path = tmp_path / "russo.json"
    save_parameters(example("russo-3-3-3").network, path)
    document = json.loads(path.read_text())
    assert document["sizes"] == [3, 3, 3]
    assert document["parameters"]["w10"] == 0.65 and document["parameters"]["b2"] == 0.6


def saved(tmp_path, edit):
    model = MLP(2, [2, 1], seed=0)
    path = tmp_path / "p.json"
    save_parameters(model, path)
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))
    return path


def drop(name):
    return lambda d: d["parameters"].pop(name)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(format="pickle"), "format: expected 'scalar-backprop parameters', got string 'pickle'"),
        (lambda d: d.pop("version"), "version: expected 1, got nothing"),
        (lambda d: d.update(sizes=[2, 3, 1]), "sizes: the file holds a 2-3-1 network, this network is 2-2-1"),
        (lambda d: d.update(sizes="2-2-1"), "sizes: the file holds a string '2-2-1' network, this network is 2-2-1"),
        (lambda d: d.update(parameters=[1, 2]), "parameters: expected a JSON object of name: number, got array [1, 2]"),
        (lambda d: d["parameters"].update(w9=1.0), "parameters.w9: no parameter of this network has this name"),
        (drop("b2_1"), "parameters: missing b2_1"),
        (lambda d: d["parameters"].update(w1_1_2="0.5"), "parameters.w1_1_2: expected a number, got string '0.5'"),
        (lambda d: d["parameters"].update(b1_1=True), "parameters.b1_1: expected a number, got boolean True"),
        (lambda d: d["parameters"].update(b1_1=None), "parameters.b1_1: expected a number, got nothing"),
        (lambda d: d["parameters"].update(b1_1=float("nan")), "parameters.b1_1: expected a finite number, got nan"),
    ],
)
def test_mismatched_files_are_refused_and_change_nothing(tmp_path, edit, message):
    path = saved(tmp_path, edit)
    model = MLP(2, [2, 1], seed=7)
    before = values(model)
    with pytest.raises(CheckpointError) as info:
        load_parameters(model, path)
    assert str(info.value) == f"{path}: {message}"
    assert values(model) == before


def test_bad_json_and_missing_files_are_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n "format": "scalar-backprop parameters",\n "version": 1,,\n}')
    model = MLP(2, [1], seed=0)
    with pytest.raises(CheckpointError, match=r"broken.json:3: not valid JSON: Expecting property name"):
        load_parameters(model, path)
    path.write_text("[1, 2]")
    with pytest.raises(CheckpointError, match=r"broken.json: \(top level\): expected a JSON object, got array"):
        load_parameters(model, path)
    with pytest.raises(CheckpointError, match=r"nope.json: cannot read the parameters: No such file"):
        load_parameters(model, tmp_path / "nope.json")
