"""SGD against torch.optim.SGD: plain, momentum, dampening, Nesterov, weight decay, a subset of parameters."""

from __future__ import annotations

import math

import pytest
from oracles import needs_torch, torch

import autograd
import nn
from autograd import Value
from nn import SGD

START = [0.4, -0.3, 1.2, 0.7]


def objective(p):
    """A small non-quadratic function of four parameters, written once for both engines."""
    return (p[0] * p[1]).tanh() + (p[2] - 0.5) ** 2 * p[3] + (p[3] * 3.0).sigmoid()


@needs_torch
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"momentum": 0.9},
        {"momentum": 0.9, "dampening": 0.3},
        {"momentum": 0.8, "nesterov": True},
        {"weight_decay": 0.1},
        {"momentum": 0.5, "weight_decay": 0.01, "nesterov": True},
    ],
)
@pytest.mark.parametrize("chosen", [[0, 1, 2, 3], [1, 3]])
def test_steps_match_torch_optim_sgd(options, chosen):
    ours = [Value(x) for x in START]
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    opt = SGD([ours[i] for i in chosen], lr=0.1, **options)
    ref = torch.optim.SGD([theirs[i] for i in chosen], lr=0.1, **options)
    for _ in range(6):
        for p in ours:
            p.grad = 0.0
        opt.zero_grad()
        objective(ours).backward()
        opt.step()
        ref.zero_grad()
        for t in theirs:
            t.grad = None
        objective(theirs).backward()
        ref.step()
        assert [p.data for p in ours] == pytest.approx([t.item() for t in theirs], rel=1e-13)
    assert [ours[i].data for i in range(4) if i not in chosen] == [START[i] for i in range(4) if i not in chosen]


@pytest.mark.parametrize("options", [{}, {"weight_decay": 0.1}])
def test_descend_replays_the_step_loop_float_for_float(options):
    ps, qs = [Value(x, f"p{i}") for i, x in enumerate(START)], [Value(x) for x in START]
    program = autograd.trace(lambda x: objective(ps) * x, 1.5)
    values = SGD(ps[1:], lr=0.05, **options).descend(program, 40, 1.5)
    dynamic = SGD(qs[1:], lr=0.05, **options)
    expected = []
    for _ in range(40):
        dynamic.zero_grad()
        loss = objective(qs) * 1.5
        loss.backward()
        dynamic.step()
        expected.append(loss.data)
    assert values == expected and [p.data for p in ps] == [q.data for q in qs]
    assert all(p.grad == 0.0 for p in ps)  # descend changes data only


def test_descend_refuses_what_it_cannot_replay():
    w, unused = Value(0.5, "w"), Value(1.0, "unused")
    program = autograd.trace(lambda: w * w)
    with pytest.raises(ValueError, match=r"^SGD.descend: momentum keeps a velocity per parameter"):
        SGD([w], lr=0.1, momentum=0.9).descend(program, 1)
    with pytest.raises(ValueError, match=r"^SGD.descend: 'unused' is not a parameter of the program"):
        SGD([w, unused], lr=0.1, weight_decay=0.1).descend(program, 1)
    assert SGD([w, unused], lr=0.1).descend(program, 1) == [0.25] and unused.data == 1.0  # its gradient is 0


def test_zero_grad_clears_only_its_parameters():
    a, b = Value(1.0), Value(2.0)
    a.grad = b.grad = 5.0
    SGD([a], lr=0.1).zero_grad()
    assert (a.grad, b.grad) == (0.0, 5.0)


def test_bad_settings_are_refused_clearly():
    with pytest.raises(ValueError, match="SGD: got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="SGD: every parameter must be a Value"):
        SGD([1.0], lr=0.1)  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"SGD: lr must be a finite number >= 0, got -0\.1"):
        SGD([Value(1.0)], lr=-0.1)
    with pytest.raises(ValueError, match="SGD: momentum must be a finite number >= 0, got nan"):
        SGD([Value(1.0)], lr=0.1, momentum=float("nan"))
    with pytest.raises(ValueError, match="SGD: Nesterov momentum requires a momentum and zero dampening"):
        SGD([Value(1.0)], lr=0.1, nesterov=True)


def test_constants_are_refused_so_no_step_changes_arithmetic_elsewhere():
    w = Value(0.5)
    loss = (w * 2.0 - 1.0) ** 2
    shared = r"^SGD: parameter \d is the constant (2|1)\.0 \(a number in an operation, shared by every graph"
    with pytest.raises(ValueError, match=shared):
        SGD(autograd.leaves(loss), lr=0.1, weight_decay=0.01)
    assert (Value(3.0) * 2.0).data == 6.0
    SGD([p for p in autograd.leaves(loss) if not p.is_constant], lr=0.1).step()


@pytest.mark.parametrize("setting", ["lr", "momentum", "dampening", "weight_decay"])
@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_non_finite_settings_are_refused(setting, bad):
    with pytest.raises(ValueError, match=rf"^SGD: {setting} must be a finite number >= 0, got {bad!r}$"):
        SGD([Value(1.0)], **{"lr": 0.1, setting: bad})


def test_a_schedule_cannot_set_an_infinite_learning_rate():
    optimizer = SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match=r"^SGD: lr must be a finite number >= 0, got inf$"):
        optimizer.lr = math.inf
    assert optimizer.lr == 0.1
    with pytest.raises(ValueError, match=r"^SGD: lr must be a finite number >= 0, got inf$"):
        nn.train(nn.MLP(1, [1], seed=0), nn.xor()[:1], steps=1, lr=math.inf)


@pytest.mark.parametrize("options", [{}, {"momentum": 0.9}])
def test_a_step_that_overflows_changes_no_parameter(options):
    a, b = Value(1.0, "a"), Value(2.0, "b")
    optimizer = SGD([a, b], lr=1e300, **options)
    a.grad, b.grad = 1.0, -1e20
    overflows = r"^SGD: the step makes 'b' inf \(data 2\.0, grad -1e\+20, lr 1e\+300\); no parameter was changed$"
    with pytest.raises(FloatingPointError, match=overflows):
        optimizer.step()
    assert (a.data, b.data, optimizer.velocity) == (1.0, 2.0, None)
    b.grad = math.nan  # set by hand
    with pytest.raises(FloatingPointError, match=r"^SGD: the step makes 'b' nan"):
        optimizer.step()


# Adam and AdamW against torch.optim on a real network, their saved state, and their refusals.

ADAM_OPTIONS = [
    {},
    {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.02, "amsgrad": True},
    {"lr": 0.01, "weight_decay": 0.05, "amsgrad": True, "betas": (0.0, 0.5)},
]


def network_and_data():
    from nn import MLP, moons

    return MLP(2, [6, 5, 1], activation="tanh", seed=1), moons(16, seed=2)


def torch_layers(model, torch):
    """Each layer's weight matrix and bias vector as float64 leaves, copied from model."""
    layers = []
    for layer in model.layers:
        w = torch.tensor([[p.data for p in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        layers.append((w, b))
    return layers


def torch_loss(layers, data, torch):
    x = torch.tensor([s.inputs for s in data], dtype=torch.float64)
    for w, b in layers:
        x = torch.tanh(x @ w.T + b)
    return ((x[:, 0] - torch.tensor([s.targets[0] for s in data], dtype=torch.float64)) ** 2).mean()


def flat(model=None, layers=None):
    if model is not None:
        return [p.data for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]
    return [v for w, b in layers for row, bias in zip(w.tolist(), b.tolist()) for v in (*row, bias)]


@pytest.mark.parametrize("options", ADAM_OPTIONS)
@pytest.mark.parametrize("kind", ["Adam", "AdamW"])
def test_fifty_adam_steps_match_torch_optim_in_float64(kind, options):
    torch = pytest.importorskip("torch", reason="the oracle is torch.optim")
    import nn
    from nn import mse

    model, data = network_and_data()
    layers = torch_layers(model, torch)
    opt = getattr(nn, kind)(model.parameters(), **options)
    ref = getattr(torch.optim, kind)([t for pair in layers for t in pair], **options)
    for _ in range(50):
        opt.zero_grad()
        outputs = [model.forward(s.inputs)[0] for s in data]
        mse(outputs, [s.targets[0] for s in data]).backward()
        opt.step()
        ref.zero_grad()
        torch_loss(layers, data, torch).backward()
        ref.step()
    assert flat(model) == pytest.approx(flat(layers=layers), rel=1e-12, abs=1e-12)
    assert flat(model) != pytest.approx(flat(network_and_data()[0]), abs=1e-3)  # the steps did move it


def test_adamw_default_weight_decay_is_torchs():
    torch = pytest.importorskip("torch", reason="the oracle is torch.optim")
    from nn import AdamW

    assert AdamW([Value(1.0)]).weight_decay == torch.optim.AdamW([torch.zeros(1)]).defaults["weight_decay"]


def adam_run(opt, model, data, steps):
    from nn import mse

    for _ in range(steps):
        opt.zero_grad()
        mse([model.forward(s.inputs)[0] for s in data], [s.targets[0] for s in data]).backward()
        opt.step()


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_state_saved_as_json_resumes_exactly(amsgrad, tmp_path):
    import json

    from nn import Adam, load_parameters, save_parameters

    model, data = network_and_data()
    opt = Adam(model.parameters(), lr=0.02, amsgrad=amsgrad)
    adam_run(opt, model, data, 5)
    save_parameters(model, tmp_path / "model.json")
    (tmp_path / "adam.json").write_text(json.dumps(opt.state_dict()))
    adam_run(opt, model, data, 5)
    straight_through = flat(model)

    resumed, _ = network_and_data()
    load_parameters(resumed, tmp_path / "model.json")
    opt2 = Adam(resumed.parameters())  # other settings: loading restores them
    opt2.load_state_dict(json.loads((tmp_path / "adam.json").read_text()))
    assert (opt2.lr, opt2.steps, opt2.amsgrad) == (0.02, 5, amsgrad)
    adam_run(opt2, resumed, data, 5)
    assert flat(resumed) == straight_through


def test_adam_state_dict_is_keyed_by_name():
    from nn import Adam

    w, b = Value(1.0, "w"), Value(2.0, "b")
    opt = Adam([w, b], lr=0.1)
    w.grad, b.grad = 0.5, -2.0
    opt.step()
    state = opt.state_dict()
    assert state["step"] == 1 and list(state["state"]) == ["w", "b"]
    assert state["state"]["b"] == {"exp_avg": pytest.approx(-0.2), "exp_avg_sq": pytest.approx(0.004)}
    assert w.data == pytest.approx(0.9) and b.data == pytest.approx(2.1)  # Adam's first step is lr·sign(g)


def good_state():
    from nn import Adam

    opt = Adam([Value(1.0, "w"), Value(2.0, "b")])
    return opt, opt.state_dict()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="x"), "format: expected 'scalar-backprop optimizer state', got string 'x'"),
        (lambda d: d.update(optimizer="SGD"), "optimizer: expected 'Adam', got string 'SGD'"),
        (lambda d: d.update(step=-1), "step: expected a whole number from 0 to 2\\*\\*63 - 1, got integer -1"),
        (lambda d: d.update(step=1.5), "step: expected a whole number from 0 to 2\\*\\*63 - 1, got number 1.5"),
        (lambda d: d.update(step=10**5000), "step: expected a whole number .*, got an integer of 16,610 bits"),
        (lambda d: d.update(version=True), "version: expected 1, got boolean True"),
        (lambda d: d.update(version=1.0), "version: expected 1, got number 1.0"),
        (lambda d: d.update(lr=0.5), "lr: unknown field; the fields are format, version, optimizer, settings, step"),
        (lambda d: d["settings"].update(betas1=0.5), "settings.betas1: unknown field; the fields are lr, betas, eps"),
        (lambda d: d["settings"].update(lr=float("nan")), "settings.lr must be a finite number >= 0, got nan"),
        (lambda d: d["settings"].update(betas=[0.9, 1.0]), r"settings.betas\[1\] must be in \[0, 1\), got 1.0"),
        (lambda d: d["settings"].update(eps="1e-8"), "settings.eps must be a number, got string '1e-8'"),
        (lambda d: d["settings"].update(amsgrad=1), "settings.amsgrad must be True or False, got integer 1"),
        (lambda d: d["state"].pop("b"), "state: missing b"),
        (lambda d: d["state"].update(c=d["state"]["w"]), "state.c: no parameter of this optimizer has this name"),
        (lambda d: d["state"]["w"].update(exp_avg="0"), "state.w.exp_avg: expected a number, got string '0'"),
        (lambda d: d["state"]["w"].update(exp_avg_sq=-1.0), "state.w.exp_avg_sq: a second moment cannot be negative"),
        (lambda d: d["state"]["w"].pop("exp_avg"), "state.w: expected a dict of exp_avg, exp_avg_sq"),
    ],
)
def test_a_bad_state_dict_is_refused_and_changes_nothing(change, message):
    from nn import CheckpointError

    opt, state = good_state()
    before = opt.state_dict()
    change(state)
    with pytest.raises(CheckpointError, match="Adam.load_state_dict: " + message):
        opt.load_state_dict(state)
    assert opt.state_dict() == before


def test_state_dict_needs_distinct_parameter_names():
    from nn import Adam

    with pytest.raises(ValueError, match=r"Adam: parameters\[1\] has no name"):
        Adam([Value(1.0, "w"), Value(2.0)]).state_dict()
    with pytest.raises(ValueError, match=r"Adam: parameters\[0\] and \[1\] share the name 'w'"):
        Adam([Value(1.0, "w"), Value(2.0, "w")]).state_dict()


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"lr": -0.1}, ValueError, r"Adam: lr must be a finite number >= 0, got -0\.1"),
        ({"lr": float("inf")}, ValueError, "Adam: lr must be a finite number >= 0, got inf"),
        ({"lr": float("nan")}, ValueError, "Adam: lr must be a finite number >= 0, got nan"),
        ({"lr": "0.1"}, TypeError, "Adam: lr must be a number, got string '0.1'"),
        ({"betas": (1.0, 0.999)}, ValueError, r"Adam: betas\[0\] must be in \[0, 1\), got 1\.0"),
        ({"betas": (0.9, -0.1)}, ValueError, r"Adam: betas\[1\] must be a finite number >= 0, got -0\.1"),
        ({"betas": (0.9,)}, TypeError, r"Adam: betas must be a pair of numbers, got tuple \(0\.9,\)"),
        ({"eps": 0.0}, ValueError, r"Adam: eps must be a finite number > 0, got 0\.0"),
        ({"eps": -1e-8}, ValueError, "Adam: eps must be a finite number > 0, got -1e-08"),
        ({"weight_decay": -0.01}, ValueError, r"Adam: weight_decay must be a finite number >= 0, got -0\.01"),
        ({"amsgrad": "yes"}, TypeError, "Adam: amsgrad must be True or False, got string 'yes'"),
    ],
)
def test_bad_adam_settings_name_the_argument_and_value(options, error, message):
    from nn import Adam

    with pytest.raises(error, match=message):
        Adam([Value(1.0)], **options)


def test_bad_adam_parameters_and_a_bad_lr_later_are_refused():
    from nn import AdamW

    a = Value(1.0)
    with pytest.raises(ValueError, match="AdamW: got an empty parameter list"):
        AdamW([])
    with pytest.raises(TypeError, match="AdamW: every parameter must be a Value, got float at 1"):
        AdamW([a, 1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="AdamW: parameters 0 and 2 are the same Value; list each once"):
        AdamW([a, Value(2.0), a])
    opt = AdamW([a])
    with pytest.raises(ValueError, match="AdamW: lr must be a finite number >= 0, got nan"):
        opt.lr = float("nan")  # as a schedule would set it
    assert opt.lr == 1e-3


# Learning-rate schedules for nn.train, against torch.optim.lr_scheduler.


def torch_lrs(torch, make_scheduler, steps):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.3)
    scheduler = make_scheduler(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return lrs


def test_step_schedule_is_torchs_step_lr():
    torch = pytest.importorskip("torch", reason="the oracle is torch.optim.lr_scheduler")
    from nn import step_schedule

    expected = torch_lrs(torch, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5), 30)
    assert [step_schedule(0.3, 7, gamma=0.5)(k) for k in range(30)] == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("min_lr", [0.0, 0.05])
def test_cosine_schedule_is_torchs_cosine_annealing_lr(min_lr):
    torch = pytest.importorskip("torch", reason="the oracle is torch.optim.lr_scheduler")
    from nn import cosine_schedule

    sched = lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=min_lr)  # noqa: E731
    expected = torch_lrs(torch, sched, 21)
    ours = [cosine_schedule(0.3, 20, min_lr=min_lr)(k) for k in range(21)]
    assert ours == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert (ours[0], ours[-1]) == (0.3, pytest.approx(min_lr, abs=1e-15))


def test_train_follows_a_schedule_with_adam():
    from nn import MLP, Adam, cosine_schedule, train, xor

    model = MLP(2, [4, 1], seed=0)
    opt = Adam(model.parameters())
    history = train(model, xor(), steps=40, optimizer=opt, schedule=cosine_schedule(0.05, 40))
    assert opt.lr == pytest.approx(0.05 * (1 + math.cos(math.pi * 39 / 40)) / 2)
    assert history.final < history.losses[0]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda s, c: s(-0.1, 5), r"step_schedule: lr must be a finite number >= 0, got -0\.1"),
        (lambda s, c: s(0.1, 0), "step_schedule: step_size must be a whole number >= 1, got integer 0"),
        (lambda s, c: s(0.1, 5, gamma=float("inf")), "step_schedule: gamma must be a finite number >= 0, got inf"),
        (lambda s, c: c(float("nan"), 5), "cosine_schedule: lr must be a finite number >= 0, got nan"),
        (lambda s, c: c(0.1, 2.5), "cosine_schedule: steps must be a whole number >= 1, got number 2.5"),
        (lambda s, c: c(0.1, 5, min_lr=-1.0), r"cosine_schedule: min_lr must be a finite number >= 0, got -1\.0"),
    ],
)
def test_bad_schedule_arguments_are_refused(make, message):
    from nn import cosine_schedule, step_schedule

    with pytest.raises(ValueError, match=message):
        make(step_schedule, cosine_schedule)


@pytest.mark.parametrize("bad", [float("nan"), -0.5, float("inf"), "0.1"])
def test_train_refuses_a_schedule_that_gives_a_bad_lr(bad):
    from nn import MLP, train, xor

    model = MLP(2, [1], seed=0)
    before = [p.data for p in model.parameters()]
    shown = repr(bad).replace(".", r"\.")
    with pytest.raises(
        ValueError, match=f"train: the schedule gave lr={shown} for step 2; a learning rate is a finite"
    ):
        train(model, xor(), steps=5, schedule=lambda k: 0.1 if k < 2 else bad)
    assert [p.data for p in model.parameters()] != before  # two steps ran, then the bad one was refused


def test_an_adam_step_that_overflows_is_refused_and_changes_nothing():
    from nn import Adam

    a, b = Value(1.0, "a"), Value(2.0, "b")
    opt = Adam([a, b], lr=0.1)
    a.grad, b.grad = 1.0, 1e200  # g·g overflows a float: the second moment would be inf
    with pytest.raises(FloatingPointError, match=r"Adam: step 1: parameter 1 \(b\) with grad 1e\+200 overflows"):
        opt.step()
    assert (a.data, b.data, opt.steps, opt.exp_avg, opt.exp_avg_sq) == (1.0, 2.0, 0, [0.0, 0.0], [0.0, 0.0])


@pytest.mark.parametrize(
    ("make", "options"),
    [(SGD, {}), (SGD, {"momentum": 0.9, "weight_decay": 0.1}), (nn.Adam, {}), (nn.AdamW, {"amsgrad": True})],
)
def test_a_step_after_backward_with_create_graph_reads_the_grads_numbers(make, options):
    """As torch.optim does when .grad has a graph: the step is the one the plain grads give, data stay floats."""
    w, u = Value(0.5, "w"), Value(0.5, "u")
    graphed, plain = make([w], lr=0.1, **options), make([u], lr=0.1, **options)
    for _ in range(3):
        graphed.zero_grad()
        plain.zero_grad()
        (w * w * 3.0).tanh().backward(create_graph=True)
        (u * u * 3.0).tanh().backward()
        graphed.step()
        plain.step()
        assert type(w.data) is float and w.data == u.data
