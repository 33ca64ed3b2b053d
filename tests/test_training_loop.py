"""Training steps in one generated loop (SampleSum.train, nn.train's default): the optimizers' rules read as C,
float for float their Python step(), state written back, errors and the fallback without a compiler."""

from __future__ import annotations

import math
import re
import warnings

import pytest
from test_native import CASES, random_network
from test_native import same as same_float

import nn
from autograd.compiler import libraries
from nn.training import SampleLoss, train

needs_cc = pytest.mark.skipif(libraries.compiler() is None, reason="no C compiler: the native reading is not built")

# Every optimizer with each of its options (torch.optim's semantics), on and off.
OPTIONS = [
    ("SGD", {"lr": 0.3}),
    ("SGD", {"lr": 0.3, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.02}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "eps": 1e-6, "weight_decay": 0.3, "amsgrad": True}),
]
IDS = [f"{name}-{'-'.join(map(str, options.values()))}" for name, options in OPTIONS]


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A cache directory of the test's own."""
    monkeypatch.setenv("AUTOGRAD_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def same(a, b) -> bool:
    """test_native's same, for nested lists that may hold None, whole numbers, strings and types too."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return same_float(a, b)
    return type(a) is type(b) and a == b


def optimizer_state(optimizer) -> list:
    """Everything an optimizer keeps between steps, as numbers."""
    if isinstance(optimizer, nn.SGD):
        return [optimizer.velocity]
    return [optimizer.steps, optimizer.exp_avg, optimizer.exp_avg_sq, optimizer.max_exp_avg_sq]


def python_steps(model, samples, loss: str, optimizer, steps: int) -> list[float]:
    """The loop the generated one stands for: zero_grad, the replayed loss's backward, step()."""
    replayed = SampleLoss(model, loss, samples[0], native=False)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        losses.append(replayed.backward(samples))
        optimizer.step()
    return losses


def both_ways(make, loss: str, option: int, steps: int = 100) -> list[list]:
    """steps natively in one loop, and in Python step by step: losses, parameters, grads, optimizer state each."""
    name, options = OPTIONS[option]
    found = []
    for looped in (True, False):
        model, samples = make()
        optimizer = getattr(nn, name)(model.parameters(), **options)
        if looped:
            replayed = SampleLoss(model, loss, samples[0], native=True)
            trained = replayed.train(samples, steps, optimizer.update_rule(), optimizer.params)
            assert trained.failed is None
            optimizer.restore(trained.state, trained.count)
            (replay,) = replayed.program._replays.values()
            assert all(loop.is_native for loop in replay.loops.values())
            losses = trained.losses
        else:
            losses = python_steps(model, samples, loss, optimizer, steps)
        params = model.parameters()
        found.append([losses, [p.data for p in params], [p.grad for p in params], optimizer_state(optimizer)])
    return found


@needs_cc
@pytest.mark.parametrize("option", range(len(OPTIONS)), ids=IDS)
@pytest.mark.parametrize("name", nn.examples())
def test_every_optimizer_and_option_steps_natively_as_in_python_on_the_bundled_networks(name, option):
    def make():
        example = nn.example(name)
        return example.network, list(example.samples)

    looped, stepped = both_ways(make, nn.example(name).loss, option)
    assert same(looped, stepped)
    assert all(math.isfinite(x) for x in looped[1])


@needs_cc
@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_random_mlps_with_every_activation_and_loss_step_natively_as_in_python(activation, loss):
    option = CASES.index((activation, loss)) % len(OPTIONS)  # every option, over the cases
    looped, stepped = both_ways(lambda: random_network(activation, loss), loss, option)
    assert same(looped, stepped)


def run_train(option: int, steps: int = 100, **given):
    """nn.train on the swap network (4 samples, mean over them) with OPTIONS[option]: history, parameters, state."""
    example = nn.example("swap-2-4-3-2")
    name, options = OPTIONS[option]
    optimizer = getattr(nn, name)(example.network.parameters(), **options)
    history = train(example.network, list(example.samples), steps=steps, optimizer=optimizer, loss="mse", **given)
    return [history.losses, history.notes, list(example.parameter_values().values()), optimizer_state(optimizer)]


@needs_cc
@pytest.mark.parametrize("option", range(len(OPTIONS)), ids=IDS)
def test_nn_train_in_one_native_loop_trains_what_the_dynamic_engine_trains(option):
    assert same(run_train(option, native=True), run_train(option, compiled=False))


def test_a_progress_bar_shows_each_loop_of_steps_and_changes_no_number(monkeypatch):
    class Bar:
        def __init__(self, steps, progress):
            self.updates, self.shown = [], []

        def update(self, n=1):
            self.updates.append(n)

        def set_postfix(self, loss, refresh):
            self.shown.append(loss)

        def close(self):
            bars.append(self)

    bars = []
    monkeypatch.setattr("nn.training._progress_bar", Bar)
    shown = run_train(6, steps=120, progress=True)
    assert same(shown, run_train(6, steps=120, compiled=False))
    bar = bars[0]  # the looped run's (the other's steps are one at a time)
    assert bar.updates == [50, 50, 20] and bar.shown == [f"{shown[0][k]:.4g}" for k in (49, 99, 119)]


@needs_cc
@pytest.mark.parametrize("option", [2, 6, 8], ids=[IDS[2], IDS[6], IDS[8]])
def test_state_is_written_back_between_native_runs_python_steps_and_saved_state(option):
    """Native runs, a Python step, and state saved and loaded in between: as 101 Python steps."""
    name, options = OPTIONS[option]
    example = nn.example("swap-2-4-3-2")
    samples = list(example.samples)
    reference = getattr(nn, name)(example.network.parameters(), **options)
    expected = python_steps(example.network, samples, "mse", reference, 101)
    expected_state = [list(example.parameter_values().values()), optimizer_state(reference)]

    example = nn.example("swap-2-4-3-2")
    replayed = SampleLoss(example.network, "mse", samples[0], native=True)
    optimizer = getattr(nn, name)(example.network.parameters(), **options)
    losses = []
    for steps in (30, 1, 30, 40):
        if steps == 1:  # a Python step reads the state the loop wrote back
            losses += python_steps(example.network, samples, "mse", optimizer, 1)
            continue
        trained = replayed.train(samples, steps, optimizer.update_rule(), optimizer.params)
        optimizer.restore(trained.state, trained.count)
        losses += trained.losses
        if len(losses) == 61 and name != "SGD":  # saved and loaded into a new optimizer
            saved = optimizer.state_dict()
            optimizer = getattr(nn, name)(example.network.parameters(), **options)
            optimizer.load_state_dict(saved)
    assert same([losses, list(example.parameter_values().values()), optimizer_state(optimizer)],
                [expected, *expected_state])  # fmt: skip


@needs_cc
@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_an_optimizer_over_some_parameters_loops_and_the_others_grads_add_up_as_without_a_loop(name):
    """The document's optimizer trains the weights, not the biases: the loop steps those, as the engine does, and
    the biases' grads, which nobody zeroes, add up every step's as backward's do."""
    runs, looped = [], []
    for given in ({"native": True}, {"native": False}, {"compiled": False}):
        example = nn.example("russo-3-3-3")
        params = example.optimizer.params
        optimizer = getattr(nn, name)(params, lr=0.5)
        for p in example.network.parameters():
            p.grad = 0.25
        history = train(example.network, list(example.samples), steps=50, optimizer=optimizer, loss=example.loss,
                        **given)  # fmt: skip
        looped.append(history.looped)
        numbers = [(p.data, p.grad) for p in example.network.parameters()]
        runs.append([history.losses, numbers, optimizer_state(optimizer)])
    assert len(params) < len(example.network.parameters())
    assert looped == ["C", "Python", None]
    assert runs[0] == runs[1] == runs[2]


@needs_cc
def test_an_overflow_mid_run_of_an_optimizer_over_some_parameters_leaves_every_number_as_without_a_loop():
    found = []
    for given in ({"native": True}, {"native": False}, {"compiled": False}):
        model, data = nn.MLP(2, [4, 1], activation="relu", seed=0), nn.moons(20, seed=0)
        optimizer = nn.SGD(model.parameters()[:8], lr=1e150)
        for p in model.parameters():
            p.grad = 0.25
        history = nn.History()
        with warnings.catch_warnings(), pytest.raises(ArithmeticError) as error:
            warnings.simplefilter("ignore", RuntimeWarning)  # the divergence note
            train(model, data, steps=300, optimizer=optimizer, history=history, **given)
        found.append([str(error.value), history.losses, [(p.data, p.grad) for p in model.parameters()]])
    assert found[0] == found[1] == found[2]
    assert "overflows a float" in found[0][0] and len(found[0][1]) > 0


@needs_cc
def test_a_subclass_with_its_own_step_steps_in_python_as_before():
    """A loop runs the rule of nn's own optimizers; a subclass's step() is its own, which trains as the engine does."""

    class Halved(nn.SGD):
        def step(self):
            self.lr /= 2.0
            super().step()

    runs = []
    for given in ({"native": True}, {"compiled": False}):
        example = nn.example("russo-3-3-3")
        optimizer = Halved(example.network.parameters(), lr=0.5)
        history = train(example.network, list(example.samples), steps=50, optimizer=optimizer, loss=example.loss,
                        **given)  # fmt: skip
        assert history.looped is None
        runs.append([history.losses, list(example.parameter_values().values())])
    assert same(runs[0], runs[1])


@pytest.mark.parametrize("native", [True, "auto"])
@pytest.mark.parametrize("option", [0, 4, 6], ids=[IDS[0], IDS[4], IDS[6]])
def test_an_overflow_mid_run_raises_the_engines_error_with_the_parameters_at_the_last_good_step(option, native):
    """The loop stops before the step that overflows; train takes it in Python, which raises as without a loop."""
    name, options = OPTIONS[option]
    found = []
    for given in ({"native": native}, {"compiled": False}):
        model, data = nn.MLP(2, [4, 1], activation="relu", seed=0), nn.moons(20, seed=0)
        optimizer = getattr(nn, name)(model.parameters(), **{**options, "lr": 1e150})
        history = nn.History()
        with warnings.catch_warnings(), pytest.raises(ArithmeticError) as error:
            warnings.simplefilter("ignore", RuntimeWarning)  # the divergence note
            train(model, data, steps=300, optimizer=optimizer, history=history, **given)
        found.append([type(error.value), str(error.value), history.losses, [p.data for p in model.parameters()]])
    assert same(found[0], found[1])
    assert re.fullmatch(r"train: step \d+ \(lr=1e\+150\): .*; try lr=1e\+149", found[0][1])
    assert len(found[0][2]) > 0


def test_without_a_compiler_the_loop_runs_in_python_with_one_warning(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setattr(libraries, "_noted", [])
    with pytest.warns(RuntimeWarning, match="no C compiler found"):
        without = run_train(5, native=True)
    assert same(without, run_train(5, compiled=False))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert same(run_train(5), without)  # "auto": noted once already


def test_train_refuses_an_unknown_native_mode():
    with pytest.raises(ValueError, match="train: native must be True, False or 'auto', got 'yes'"):
        train(nn.MLP(2, [1]), nn.moons(4), steps=1, native="yes")


@needs_cc
def test_the_history_says_how_the_steps_ran():
    example = nn.example("russo-3-3-3")
    ran = []
    for given in ({"native": True}, {"native": False}, {"compiled": False}, {"batch_size": 1}):
        history = train(example.network, list(example.samples), steps=3, loss=example.loss, **given)
        ran.append(history.looped)
    assert ran == ["C", "Python", None, None]  # a random batch each step is drawn and taken step by step
