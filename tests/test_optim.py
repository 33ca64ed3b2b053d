"""SGD against torch.optim.SGD: plain, momentum, dampening, Nesterov, weight decay, a subset of parameters."""

from __future__ import annotations

import math

import pytest
import torch

import autograd
import nn
from autograd import Value
from nn import SGD

START = [0.4, -0.3, 1.2, 0.7]


def objective(p):
    """A small non-quadratic function of four parameters, written once for both engines."""
    return (p[0] * p[1]).tanh() + (p[2] - 0.5) ** 2 * p[3] + (p[3] * 3.0).sigmoid()


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
    with pytest.raises(ValueError, match=r"SGD: lr must not be negative, got -0\.1"):
        SGD([Value(1.0)], lr=-0.1)
    with pytest.raises(ValueError, match="SGD: momentum must be finite, got nan"):
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
    with pytest.raises(ValueError, match=rf"^SGD: {setting} must be finite, got {bad!r}$"):
        SGD([Value(1.0)], **{"lr": 0.1, setting: bad})


def test_a_schedule_cannot_set_an_infinite_learning_rate():
    optimizer = SGD([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match=r"^SGD: lr must be finite, got inf$"):
        optimizer.lr = math.inf
    assert optimizer.lr == 0.1
    with pytest.raises(ValueError, match=r"^SGD: lr must be finite, got inf$"):
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
