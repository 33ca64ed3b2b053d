"""Saving and loading parameters: exact round trips, and clear errors that leave the network unchanged."""

from __future__ import annotations

import errno
import json
import os
import random
import re
import stat
import subprocess
import sys
import threading

import pytest

from autograd import Value
from nn import MLP, CheckpointError, Module, example, load_parameters, save_parameters


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
        (lambda d: d.update(version=True), "version: expected 1, got boolean True"),
        (lambda d: d.update(version=1.0), "version: expected 1, got number 1.0"),
        (lambda d: d.update(sizes=[2.0, 2, 1]), "sizes: the file holds a 2.0-2-1 network, this network is 2-2-1"),
        (lambda d: d.update(step=3), "step: unknown field; the fields are format, version, sizes, parameters"),
        (
            lambda d: d["parameters"].update(b1_1=10**30),
            "parameters.b1_1: integer 1000000000000000000000000000000 has no exact float; a parameter is a float",
        ),
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


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"b1_1": ', '"b1_1": 5.0, "b1_1": ', ':9: the key "b1_1" is given twice in one object; which value is meant?'),
        ('"version": 1,', '"version": 1, "version": 2,', ':1: the key "version" is given twice in one object'),
        ('"b1_1": ', '"b1_1": NaN, "x": ', ":12: NaN is not a JSON number (JSON has no NaN or infinities)"),
        ('"b1_1": ', '"b1_1": -Infinity, "x": ', ":12: -Infinity is not a JSON number"),
        ('"b1_1": ', '"b1_1": 1e999, "x": ', ": parameters.b1_1: expected a finite number, got inf"),
    ],
)
def test_what_json_leaves_open_is_refused_with_its_line_and_changes_nothing(tmp_path, old, new, message):
    path = tmp_path / "p.json"
    save_parameters(MLP(2, [2, 1], seed=0), path)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    model = MLP(2, [2, 1], seed=7)
    before = values(model)
    with pytest.raises(CheckpointError, match=f"^{re.escape(str(path) + message)}"):
        load_parameters(model, path)
    assert values(model) == before


def test_bad_json_and_missing_files_are_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n "format": "scalar-backprop parameters",\n "version": 1,,\n}')
    model = MLP(2, [1], seed=0)
    with pytest.raises(CheckpointError, match=r"broken.json:3: JSON syntax error at column \d+: Expecting"):
        load_parameters(model, path)
    path.write_text("[1, 2]")
    with pytest.raises(CheckpointError, match=r"broken.json: \(top level\): expected a JSON object, got array"):
        load_parameters(model, path)
    with pytest.raises(CheckpointError, match=r"nope.json: cannot read the parameters: No such file"):
        load_parameters(model, tmp_path / "nope.json")


class Params(Module):
    """A module holding the given Values as its parameters, named or not."""

    def __init__(self, *params):
        self.params = list(params)

    def parameters(self):
        return self.params


def nan_value(label):
    v = Value(0.0, label)
    v.data = float("nan")  # what a diverged optimizer step leaves behind
    return v


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ([Value(1.0), Value(2.0)], r"parameters\[0\]: the parameter has no name"),
        ([Value(1.0, "a"), Value(2.0, "")], r"parameters\[1\]: the parameter has no name"),
        ([Value(1.0, "a"), Value(2.0, 3)], r"parameters\[1\]: expected a name \(a string\), got integer 3"),
        (
            [Value(1.0, "a"), Value(2.0, "b"), Value(3.0, "a")],
            r"parameters.a: parameters\[0\] and \[2\] share this name",
        ),
        ([Value(1.0, "a"), nan_value("b")], r"parameters.b: expected a finite number, got nan"),
    ],
)
def test_parameters_a_file_cannot_hold_are_refused_at_save_time(tmp_path, params, message):
    path = tmp_path / "p.json"
    path.write_text("old")
    with pytest.raises(CheckpointError, match=f"^{re.escape(str(path))}: {message}"):
        save_parameters(Params(*params), path)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["p.json"]


def test_a_network_with_same_named_parameters_cannot_load_either(tmp_path):
    path = tmp_path / "p.json"
    save_parameters(Params(Value(1.0, "a"), Value(2.0, "b")), path)
    model = Params(Value(5.0, "a"), Value(6.0, "a"))
    with pytest.raises(CheckpointError, match=r"p.json: parameters.a: parameters\[0\] and \[1\] share this name$"):
        load_parameters(model, path)
    assert values(model) == [5.0, 6.0]


def test_an_infinite_or_non_number_parameter_is_refused(tmp_path):
    model = MLP(2, [1], seed=0)
    model["w1_1_2"].data = float("-inf")
    with pytest.raises(CheckpointError, match=r"p.json: parameters.w1_1_2: expected a finite number, got -inf$"):
        save_parameters(model, tmp_path / "p.json")
    model["w1_1_2"].data = "0.5"
    with pytest.raises(CheckpointError, match=r"p.json: parameters.w1_1_2: expected a number, got string '0.5'$"):
        save_parameters(model, tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()


FILL_THEN_FAIL = """
import resource, signal, sys
import nn
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    nn.save_parameters(nn.MLP(2, [64, 64, 1], seed=0), sys.argv[1])
except nn.CheckpointError as e:
    print(e)
"""


def test_a_save_that_fails_part_way_leaves_the_old_checkpoint_loadable(tmp_path):
    path = tmp_path / "p.json"
    old = MLP(2, [2, 1], seed=3)
    save_parameters(old, path)
    result = subprocess.run([sys.executable, "-c", FILL_THEN_FAIL, str(path)], capture_output=True, text=True)
    assert result.stdout == f"{path}: cannot write the parameters: File too large\n", result.stderr
    assert os.listdir(tmp_path) == ["p.json"]  # the partial temporary file is gone
    loaded = MLP(2, [2, 1], seed=0)
    load_parameters(loaded, path)
    assert values(loaded) == values(old)


@pytest.mark.parametrize(
    ("failure", "raised"),
    [(OSError(errno.EIO, "Input/output error"), CheckpointError), (KeyboardInterrupt(), KeyboardInterrupt)],
)
def test_a_save_interrupted_before_the_rename_leaves_the_old_file(tmp_path, monkeypatch, failure, raised):
    path = tmp_path / "p.json"
    save_parameters(MLP(2, [1], seed=3), path)
    before = path.read_bytes()

    def fsync(fd):
        raise failure

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(raised) as caught:
        save_parameters(MLP(2, [1], seed=4), path)
    if raised is CheckpointError:
        assert str(caught.value) == f"{path}: cannot write the parameters: Input/output error"
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["p.json"]


def test_an_unwritable_place_is_named(tmp_path):
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(CheckpointError, match=r"dir.json: cannot write the parameters: Is a directory$"):
        save_parameters(MLP(2, [1], seed=0), tmp_path / "dir.json")
    assert os.listdir(tmp_path) == ["dir.json"]
    with pytest.raises(
        CheckpointError, match=r"missing/p.json: cannot write the parameters: No such file or directory$"
    ):
        save_parameters(MLP(2, [1], seed=0), tmp_path / "missing" / "p.json")


def test_concurrent_saves_and_loads_see_only_whole_files(tmp_path):
    path = tmp_path / "p.json"
    models = [MLP(4, [32, 32, 1], seed=k) for k in range(3)]
    save_parameters(models[0], path)
    failures = []

    def save_repeatedly(model):
        for _ in range(15):
            save_parameters(model, path)

    def load_repeatedly():
        reader = MLP(4, [32, 32, 1], seed=9)
        for _ in range(30):
            try:
                load_parameters(reader, path)
            except CheckpointError as e:
                failures.append(str(e))
                return
            if values(reader) not in [values(m) for m in models]:
                failures.append("a mix of two saves")

    threads = [threading.Thread(target=save_repeatedly, args=(m,)) for m in models]
    threads.append(threading.Thread(target=load_repeatedly))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert os.listdir(tmp_path) == ["p.json"]


def test_a_replaced_file_keeps_its_mode_and_a_new_file_follows_the_umask(tmp_path):
    old = tmp_path / "old.json"
    old.write_text("{}")
    old.chmod(0o640)
    save_parameters(MLP(2, [1], seed=0), old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    mask = os.umask(0o027)
    try:
        save_parameters(MLP(2, [1], seed=0), tmp_path / "new.json")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


def test_saving_through_a_symlink_replaces_the_file_it_points_to(tmp_path):
    target = tmp_path / "real.json"
    save_parameters(MLP(2, [1], seed=0), target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    model = MLP(2, [1], seed=5)
    save_parameters(model, link)
    assert link.is_symlink()
    loaded = MLP(2, [1], seed=0)
    load_parameters(loaded, target)
    assert values(loaded) == values(model)


def test_a_checkpoint_nested_too_deep_is_refused_with_its_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"^.*deep\.json:1: "):
        load_parameters(MLP(1, [1], seed=0), path)
