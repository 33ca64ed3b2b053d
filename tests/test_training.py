"""The training loop: its history against a PyTorch float64 loop, convergence, batches, progress bar."""

from __future__ import annotations

import inspect

import pytest
from oracles import needs_torch, torch

import autograd
import nn
from nn import MLP, SGD
from nn.training import History, SampleLoss, accuracy, batch_loss, replayed_loss, train


def torch_layers(model: MLP) -> list[tuple]:
    """Each layer's weights and biases as float64 tensors that need grads, copied from model."""
    return [
        (
            torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True),
            torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True),
        )
        for layer in model.layers
    ]


def torch_history(model: MLP, samples, steps: int, lr: float) -> tuple[list[float], list[float]]:
    """Full-batch gradient descent on ½·Σ(t − out)² in PyTorch, from model's current parameters."""
    layers = torch_layers(model)
    acts = [getattr(torch, layer.activation) for layer in model.layers]
    x = torch.tensor([s.inputs for s in samples], dtype=torch.float64)
    t = torch.tensor([s.targets for s in samples], dtype=torch.float64)
    opt = torch.optim.SGD([p for pair in layers for p in pair], lr=lr)
    losses = []
    for _ in range(steps):
        h = x
        for (w, b), act in zip(layers, acts):
            h = act(h @ w.T + b)
        loss = 0.5 * ((t - h) ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [v for w, b in layers for v in [*w.flatten().tolist(), *b.tolist()]]


def parameters_in_torch_order(model: MLP) -> list[float]:
    """Each layer's weights row by row, then its biases: the order torch_history returns."""
    ours = []
    for layer in model.layers:
        ours += [w.data for n in layer.neurons for w in n.w] + [n.b.data for n in layer.neurons]
    return ours


@needs_torch
def test_history_and_parameters_match_a_pytorch_loop():
    model = MLP(2, [3, 2], activation=["tanh", "sigmoid"], seed=2)
    expected_losses, expected_params = torch_history(model, nn.swap(), steps=5, lr=0.7)
    history = train(model, nn.swap(), steps=5, lr=0.7, loss="half_squared_error")
    assert isinstance(history, History) and len(history) == 5
    assert history.losses == pytest.approx(expected_losses, rel=1e-13)
    assert parameters_in_torch_order(model) == pytest.approx(expected_params, rel=1e-13)


def test_the_documents_swap_network_learns_the_swap_task():
    ex = nn.example("swap-2-4-3-2")
    history = train(ex.network, ex.samples, steps=1000, lr=2.0, loss="half_squared_error")
    assert history.final < 0.01 < history.losses[0]
    for sample in ex.samples:
        assert [round(o.data) for o in ex.network.forward(sample.inputs)] == list(sample.targets)


def test_xor_is_learned():
    model = MLP(2, [4, 1], activation=["tanh", "sigmoid"], seed=0)
    history = train(model, nn.xor(), steps=400, lr=1.0)
    assert history.final < 0.01


def test_moons_reach_full_training_accuracy_with_the_hinge_loss():
    """micrograd's demo: 100 points, MLP(2, [16, 16, 1]), hinge loss, L2 decay, lr from 1.0 down to 0.1."""
    data = nn.moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=1)
    opt = SGD(model.parameters(), lr=1.0, weight_decay=2e-4)  # micrograd's 1e-4·Σp², as a decay of 2e-4
    train(model, data, steps=100, loss="hinge", optimizer=opt, schedule=lambda k: 1.0 - 0.9 * k / 100)
    assert accuracy(model, data) == 1.0


def test_batches_are_seeded_and_schedules_set_the_learning_rate():
    runs = []
    for _ in range(2):
        model = MLP(2, [3, 1], seed=5)
        runs.append(train(model, nn.moons(20), steps=5, loss="hinge", batch_size=4, seed=9).losses)
    assert runs[0] == runs[1]
    opt = SGD(MLP(2, [1], seed=0).parameters(), lr=1.0)
    seen = []
    train(MLP(2, [1], seed=0), nn.xor(), steps=3, optimizer=opt, schedule=lambda k: seen.append(k) or 0.5)
    assert seen == [0, 1, 2] and opt.lr == 0.5


def test_batch_loss_uses_every_output_and_target():
    model = MLP(2, [2], activation="linear", seed=0)
    loss = batch_loss(model, nn.swap(), "mse")
    outs = [o.data for s in nn.swap() for o in model.forward(s.inputs)]
    targets = [t for s in nn.swap() for t in s.targets]
    assert loss.data == pytest.approx(sum((o - t) ** 2 for o, t in zip(outs, targets)) / 8, rel=1e-14)


def test_progress_bar_only_when_asked_or_long(capsys):
    train(MLP(2, [1], seed=0), nn.xor(), steps=3, progress=True)
    assert "training" in capsys.readouterr().err
    train(MLP(2, [1], seed=0), nn.xor(), steps=3)
    assert capsys.readouterr().err == ""


def test_bad_arguments_are_refused_clearly():
    model = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="train: steps must not be negative, got -1"):
        train(model, nn.xor(), steps=-1)
    with pytest.raises(ValueError, match="train: needs at least one sample"):
        train(model, [], steps=1)
    with pytest.raises(ValueError, match="train: batch_size must be between 1 and 4, got 5"):
        train(model, nn.xor(), steps=1, batch_size=5)


@needs_torch
@pytest.mark.parametrize("compiled", [False, True, "auto"])
def test_compiled_training_matches_pytorch_too(compiled):
    model = MLP(2, [3, 2], activation="sigmoid", seed=3)
    samples = nn.swap()
    expected_losses, expected_params = torch_history(model, samples, steps=25, lr=0.5)
    history = train(model, samples, steps=25, lr=0.5, compiled=compiled, loss="half_squared_error")
    assert history.losses == pytest.approx(expected_losses, rel=1e-12)
    assert parameters_in_torch_order(model) == pytest.approx(expected_params, rel=1e-12)


def test_compiled_training_replays_batches_momentum_and_schedules():
    runs = []
    for compiled in (False, True):
        model = MLP(2, [6, 1], seed=5)
        optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
        history = train(
            model,
            nn.moons(30, seed=2),
            steps=15,
            loss="hinge",
            optimizer=optimizer,
            batch_size=8,
            schedule=lambda k: 0.05 / (1 + k),
            compiled=compiled,
        )
        runs.append((history.losses, [p.data for p in model.parameters()]))
    assert runs[0] == runs[1]  # the replayed program computes the dynamic engine's floats exactly


def test_compiled_training_falls_back_with_a_warning_when_the_loss_branches_on_values():
    def branching(outputs, targets):
        o, t = outputs[0], targets[0]
        return (o - t) ** 2 if o.data > 0 else (o + t) ** 2

    model = MLP(2, [2, 1], seed=1)
    with pytest.warns(
        UserWarning,
        match=r"^train: cannot compile the loss, using the dynamic engine: trace: f reads "
        r"the value of 'out_n2_1' at .*test_training\.py:\d+",
    ):
        history = train(model, nn.xor()[:1], steps=3, loss=branching, compiled=True)
    assert len(history) == 3


def test_a_diverging_run_is_noted_once_with_a_smaller_learning_rate(recwarn):
    history = train(MLP(2, [4, 1], seed=0), nn.moons(20, seed=0), steps=300, loss="half_squared_error")
    messages = [str(w.message) for w in recwarn.list if w.category is RuntimeWarning]
    assert len(messages) == 1
    assert messages[0].startswith("train: the loss rose from 9.657 to ")
    assert messages[0].endswith(f"by step {history.diverged} with lr=0.1: the steps overshoot; try lr=0.01")
    assert history.losses[history.diverged] > 10 * history.losses[0] >= max(history.losses[: history.diverged])
    assert history.notes == messages


@pytest.mark.parametrize("native", [True, False])
def test_trains_warnings_point_at_its_caller_whichever_path_took_the_step(native, recwarn):
    train(MLP(2, [4, 1], seed=0), nn.moons(20, seed=0), steps=300, loss="half_squared_error", native=native)
    (warning,) = [w for w in recwarn.list if w.category is RuntimeWarning]
    assert (warning.filename, warning.lineno) == (__file__, inspect.currentframe().f_lineno - 2)


def test_the_defaults_train_the_same_network(recwarn):
    model = MLP(2, [4, 1], seed=0)
    history = train(model, nn.moons(20, seed=0), steps=300)
    assert (history.diverged, history.notes, recwarn.list) == (None, [], [])
    assert history.final < 0.5 * history.losses[0]
    assert accuracy(model, nn.moons(20, seed=0)) >= 0.85


def test_a_loss_that_overflows_names_the_step_and_a_learning_rate_to_try():
    history = History()
    with (
        pytest.warns(RuntimeWarning),
        pytest.raises(OverflowError, match=r"^train: step \d+ \(lr=50\): .* overflows a float; try lr=5$"),
    ):
        train(MLP(2, [4, 1], seed=0), nn.moons(20, seed=0), steps=300, lr=50, history=history)
    assert history.notes[-1].startswith("train: step ")


@pytest.mark.parametrize("loss", ["mse", "half_squared_error", "hinge", "bce_with_logits"])
@pytest.mark.parametrize("batch_size", [None, 1, 7])
def test_the_default_replays_each_sample_float_for_float(loss, batch_size):
    runs = []
    for compiled in (False, "auto"):
        model = MLP(2, [5, 2], seed=2)
        samples = [nn.Sample(s.inputs, (s.targets[0], -s.targets[0] / 2)) for s in nn.moons(24, seed=1)]
        history = train(model, samples, steps=15, lr=0.05, loss=loss, batch_size=batch_size, compiled=compiled)
        runs.append((history.losses, [p.data for p in model.parameters()], history.notes))
    assert runs[0] == runs[1]


def test_a_named_loss_is_traced_for_one_sample_not_the_batch():
    replay, reason = replayed_loss(MLP(2, [3, 1], seed=0), "mse", nn.moons(200), None)
    assert isinstance(replay, SampleLoss) and reason is None
    assert replay.program.source.count("for x in xs:") == 1


def test_the_default_traces_a_loss_function_once_and_false_never_does():
    calls = []

    def counted(outputs, targets):
        calls.append(len(outputs))
        return nn.losses.mse(outputs, targets)

    train(MLP(2, [3, 1], seed=0), nn.xor(), steps=5, loss=counted)
    assert calls == [4]  # traced once, then replayed
    train(MLP(2, [3, 1], seed=0), nn.xor(), steps=5, loss=counted, compiled=False)
    assert calls == [4] * 6


def test_the_default_notes_a_loss_it_cannot_trace_in_one_line_without_a_warning(recwarn):
    def branching(outputs, targets):
        o, t = outputs[0], targets[0]
        return (o - t) ** 2 if o.data > 0 else (o + t) ** 2

    history = train(MLP(2, [2, 1], seed=1), nn.xor()[:1], steps=3, loss=branching)
    assert recwarn.list == []
    assert len(history) == 3 and len(history.notes) == 1 and "\n" not in history.notes[0]
    assert history.notes[0].startswith("train: cannot compile the loss, using the dynamic engine: trace: f reads ")
    assert train(MLP(2, [2, 1], seed=1), nn.xor()[:1], steps=3, loss=branching, compiled=False).notes == []


def test_compiled_must_be_true_false_or_auto():
    with pytest.raises(ValueError, match=r"^train: compiled must be True, False or 'auto', got 'yes'$"):
        train(MLP(2, [1], seed=0), nn.xor(), steps=1, compiled="yes")
    with pytest.raises(ValueError, match=r"^train: compiled must be True, False or 'auto', got 1$"):
        train(MLP(2, [1], seed=0), nn.xor(), steps=1, compiled=1)


@needs_torch
def test_cross_entropy_training_is_pytorchs_and_replays_float_for_float():
    data = nn.spirals(8, classes=3, seed=1)
    model = MLP(2, [5, 3], activation=["tanh", "linear"], seed=3)
    twin = MLP(2, [5, 3], activation=["tanh", "linear"], seed=3)
    layers = torch_layers(model)
    replayed = train(model, data, steps=5, lr=0.3, loss="cross_entropy")
    dynamic = train(twin, data, steps=5, lr=0.3, loss="cross_entropy", compiled=False)
    assert replayed.losses == dynamic.losses and replayed.notes == []
    x = torch.tensor([s.inputs for s in data], dtype=torch.float64)
    classes = torch.tensor([s.targets.index(1.0) for s in data])
    opt = torch.optim.SGD([p for pair in layers for p in pair], lr=0.3)
    for ours in dynamic.losses:
        logits = torch.tanh(x @ layers[0][0].T + layers[0][1]) @ layers[1][0].T + layers[1][1]
        loss = torch.nn.functional.cross_entropy(logits, classes)
        assert ours == pytest.approx(loss.item(), rel=1e-13)
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_three_spiral_arms_are_learned_with_cross_entropy_and_adam():
    data = nn.spirals(100, classes=3, seed=0)
    model = MLP(2, [16, 16, 3], activation=["tanh", "tanh", "linear"], seed=0)
    history = train(model, data, steps=300, optimizer=nn.Adam(model.parameters(), lr=0.02), loss="cross_entropy")
    assert history.notes == [] and history.final < 0.1 * history.losses[0]
    assert accuracy(model, data) >= 0.95


@needs_torch
def test_a_softmax_layer_trains_on_its_probabilities_as_pytorch_does_and_replays():
    data = nn.spirals(6, classes=3, seed=2)
    model, twin = (MLP(2, [4, 3], activation=["tanh", "softmax"], seed=1) for _ in range(2))
    layers = torch_layers(model)
    replayed = train(model, data, steps=6, lr=0.5, loss="categorical_cross_entropy")
    dynamic = train(twin, data, steps=6, lr=0.5, loss="categorical_cross_entropy", compiled=False)
    assert replayed.losses == dynamic.losses and replayed.notes == []
    x = torch.tensor([s.inputs for s in data], dtype=torch.float64)
    t = torch.tensor([s.targets for s in data], dtype=torch.float64)
    opt = torch.optim.SGD([p for pair in layers for p in pair], lr=0.5)
    for ours in dynamic.losses:
        probabilities = torch.softmax(torch.tanh(x @ layers[0][0].T + layers[0][1]) @ layers[1][0].T + layers[1][1], 1)
        loss = -(t * probabilities.log()).sum(1).mean()
        assert ours == pytest.approx(loss.item(), rel=1e-13)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert [p.data for p in model.parameters()] == [p.data for p in twin.parameters()]


def test_cross_entropy_on_a_softmax_layer_is_refused_with_the_loss_to_use():
    model = MLP(2, [3], activation="softmax", seed=0)
    with pytest.raises(ValueError, match=r"^train: loss 'cross_entropy' takes logits and applies softmax itself, but"):
        train(model, nn.spirals(3, classes=3), steps=1, loss="cross_entropy")


@pytest.mark.parametrize("taken_out", ["detach", "no_grad"])
def test_a_loss_that_takes_a_value_out_of_the_graph_trains_as_the_dynamic_engine(taken_out):
    """detach() and no_grad() inside the loss: the replay would bake the traced number in, so it is not used."""

    def loss(outputs, targets):
        o, t = outputs[0], targets[0]
        if taken_out == "detach":
            scale = o.detach()
        else:
            with autograd.no_grad():
                scale = o * 1.0
        return scale * (o - t) ** 2

    replayed = train(MLP(2, [2, 1], seed=1), nn.xor(), steps=4, loss=loss)
    dynamic = train(MLP(2, [2, 1], seed=1), nn.xor(), steps=4, loss=loss, compiled=False)
    assert replayed.losses == dynamic.losses and len(replayed.notes) == 1
    assert replayed.notes[0].startswith("train: cannot compile the loss, using the dynamic engine: trace: f ")


def test_numpy_samples_train_in_the_default_path_as_in_the_dynamic_engine():
    """Arrays as inputs and targets: the replay reads their numbers (it raised TypeError)."""
    np = pytest.importorskip("numpy")
    arrays = [nn.Sample(np.array(s.inputs), np.array(s.targets)) for s in nn.xor()]
    replayed = train(MLP(2, [2, 1], seed=1), arrays, steps=3)
    assert replayed.notes == []
    assert replayed.losses == train(MLP(2, [2, 1], seed=1), arrays, steps=3, compiled=False).losses
    assert replayed.losses == train(MLP(2, [2, 1], seed=1), nn.xor(), steps=3).losses


def _by_target(outputs, targets):
    """A hand-written loss that tests its targets as numbers, as a loss written for floats does."""
    total = 0.0
    for o, t in zip(outputs, targets):
        total = total + ((o - 1.0) ** 2 if t else (o + 1.0) ** 2)
    return total * (1.0 / len(outputs))


def _by_comparison(outputs, targets):
    return sum((o - t) ** 2 if t > 0.5 else (o - t) ** 2 * 3.0 for o, t in zip(outputs, targets))


def _by_equality(outputs, targets):
    return sum(-o if t == 1.0 else o for o, t in zip(outputs, targets))


def _log_or_linear(outputs, targets):
    """A loss that catches an op's error: its branch depends on each sample's numbers."""
    total = 0.0
    for o, t in zip(outputs, targets):
        try:
            total = total + (o + t).log() * -1.0
        except ValueError:
            total = total + (o + t) * -1.0
    return total


@pytest.mark.filterwarnings("ignore:train. the loss rose:RuntimeWarning")  # _by_equality has no minimum
@pytest.mark.parametrize("loss", [_by_target, _by_comparison, _by_equality, _log_or_linear])
def test_the_default_replay_trains_what_the_dynamic_engine_trains_when_the_loss_reads_its_numbers(loss):
    """A truth test, a comparison, == or a caught error on a traced value: the replay was another model."""
    data = [nn.Sample((x / 10.0, -x / 7.0), (float(x % 3 == 0),)) for x in range(-9, 9)]
    runs = []
    for compiled in (False, "auto"):
        model = MLP(2, [3, 1], seed=4)
        history = train(model, data, steps=40, lr=0.05, loss=loss, batch_size=6, compiled=compiled)
        runs.append((history.losses, [p.data for p in model.parameters()]))
    assert runs[0] == runs[1]


def test_a_loss_function_over_a_large_batch_is_not_traced_but_trained_by_the_engine(monkeypatch):
    """Tracing 2,000 samples took 26 s and 4.9 GB where the engine took 1 s: refused before the cost."""

    def mean_squared(outputs, targets):
        return sum(((o - t) ** 2 for o, t in zip(outputs, targets)), 0.0) * (1.0 / len(outputs))

    def no_trace(*args):
        raise AssertionError("traced")

    model, data = MLP(2, [16, 16, 1], seed=0), nn.moons(2000, seed=0)
    monkeypatch.setattr("nn.training.trace", no_trace)
    program, reason = replayed_loss(model, mean_squared, data, None)
    assert program is None
    assert reason == (
        "train: the loss function over a batch of 2000 samples would be traced as about 132,000 nodes (more than "
        "20,000), using the dynamic engine; a named loss (nn.LOSSES) or a smaller batch_size is replayed"
    )
    history = train(model, data, steps=1, loss=mean_squared)
    assert history.notes == [reason] and len(history) == 1


@pytest.mark.parametrize(("name", "made"), [("sgd", SGD), ("adam", nn.Adam), ("AdamW", nn.AdamW)])
@pytest.mark.parametrize("lr", [None, 0.05])
def test_an_optimizer_by_name_trains_as_the_one_made_by_hand(name, made, lr):
    by_name, by_hand = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=0)
    named = train(by_name, nn.xor(), steps=5, optimizer=name, **({} if lr is None else {"lr": lr}))
    settings = {"lr": 0.1 if lr is None else lr} if made is SGD or lr is not None else {}  # SGD: train's 0.1
    opt = made(by_hand.parameters(), **settings)
    assert named.losses == train(by_hand, nn.xor(), steps=5, optimizer=opt).losses
    assert [p.data for p in by_name.parameters()] == [p.data for p in by_hand.parameters()]


def test_an_unknown_optimizer_or_a_stray_lr_is_refused_with_the_choices():
    model = MLP(2, [1], seed=0)
    choices = r"one of 'sgd', 'adam', 'adamw' or an optimizer with zero_grad\(\), step\(\) and lr, e\.g\. nn\.Adam\("
    with pytest.raises(ValueError, match=rf"^train: optimizer must be {choices}.*, got 'adagrad'$"):
        train(model, nn.xor(), steps=1, optimizer="adagrad", lr=0.01)
    with pytest.raises(TypeError, match=rf"^train: optimizer must be {choices}.*, got the class Adam$"):
        train(model, nn.xor(), steps=1, optimizer=nn.Adam)
    with pytest.raises(TypeError, match=rf"^train: optimizer must be {choices}.*, got dict$"):
        train(model, nn.xor(), steps=1, optimizer={"lr": 0.1})
    opt = SGD(model.parameters(), lr=0.5)
    with pytest.raises(ValueError, match=r"^train: lr=0.01 is for an optimizer train makes by name; the SGD given "):
        train(model, nn.xor(), steps=1, optimizer=opt, lr=0.01)
    assert [p.grad for p in model.parameters()] == [0.0] * 3  # refused before any step
