"""Each loss against PyTorch float64: its value and its gradients with respect to predictions and targets."""

from __future__ import annotations

import math

import pytest
from oracles import needs_torch, torch

from autograd import Value
from nn import (
    bce_with_logits,
    categorical_cross_entropy,
    cross_entropy,
    half_squared_error,
    hinge,
    log_softmax,
    mse,
    softmax,
    squared_errors,
)
from nn.losses import LOSSES, loss_function

PREDICTIONS = [0.7, -1.3, 2.2, 0.05]
TARGETS = [1.0, -1.0, 0.0, 1.0]
PROBABILITIES = [1.0, 0.0, 0.3, 0.75]


def reference_half_squared(o, t, reduction):
    return 0.5 * ((t - o) ** 2).sum()


CASES = [
    # (our loss, its keyword arguments, PyTorch's, targets)
    (half_squared_error, {}, reference_half_squared, PROBABILITIES),
    (mse, {"reduction": "mean"}, lambda o, t, r: torch.nn.functional.mse_loss(o, t, reduction=r), PROBABILITIES),
    (mse, {"reduction": "sum"}, lambda o, t, r: torch.nn.functional.mse_loss(o, t, reduction=r), PROBABILITIES),
    (
        bce_with_logits,
        {"reduction": "mean"},
        lambda o, t, r: torch.nn.functional.binary_cross_entropy_with_logits(o, t, reduction=r),
        PROBABILITIES,
    ),
    (
        bce_with_logits,
        {"reduction": "sum"},
        lambda o, t, r: torch.nn.functional.binary_cross_entropy_with_logits(o, t, reduction=r),
        PROBABILITIES,
    ),
    (hinge, {"reduction": "mean"}, lambda o, t, r: getattr(torch.clamp(1 - t * o, min=0), r)(), TARGETS),
    (hinge, {"reduction": "sum"}, lambda o, t, r: getattr(torch.clamp(1 - t * o, min=0), r)(), TARGETS),
]


@needs_torch
@pytest.mark.parametrize(("ours", "kwargs", "theirs", "targets"), CASES)
def test_value_and_gradients_match_pytorch_float64(ours, kwargs, theirs, targets):
    outs = [Value(x) for x in PREDICTIONS]
    ts = [Value(x) for x in targets]
    loss = ours(outs, ts, **kwargs)
    loss.backward()
    o = torch.tensor(PREDICTIONS, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(targets, dtype=torch.float64, requires_grad=True)
    ref = theirs(o, t, kwargs.get("reduction", "sum"))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-14)
    assert [v.grad for v in outs] == pytest.approx(o.grad.tolist(), rel=1e-13)
    assert [v.grad for v in ts] == pytest.approx(t.grad.tolist(), rel=1e-13, abs=1e-300)


@needs_torch
@pytest.mark.parametrize("logit", [-800.0, -40.0, 40.0, 800.0])
@pytest.mark.parametrize("target", [0.0, 0.5, 1.0])
def test_bce_from_logits_is_stable_at_extreme_logits(logit, target):
    z = Value(logit)
    loss = bce_with_logits([z], [target])
    loss.backward()
    zt = torch.tensor([logit], dtype=torch.float64, requires_grad=True)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(zt, torch.tensor([target], dtype=torch.float64))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-14)
    assert z.grad == pytest.approx(zt.grad.item(), rel=1e-14, abs=1e-300)


def test_the_documents_per_output_errors_and_their_sum():
    outs = [Value(0.8), Value(0.3)]
    errors = squared_errors(outs, [1.0, 0.0])
    assert [e.data for e in errors] == pytest.approx([0.5 * 0.2**2, 0.5 * 0.3**2], rel=1e-15)
    total = half_squared_error(outs, [1.0, 0.0])
    total.backward()
    assert [o.grad for o in outs] == pytest.approx([0.8 - 1.0, 0.3 - 0.0], rel=1e-15)  # out − target


def test_losses_are_found_by_name():
    assert set(LOSSES) == {
        "half_squared_error",
        "mse",
        "bce_with_logits",
        "hinge",
        "cross_entropy",
        "categorical_cross_entropy",
    }
    assert loss_function("hinge") is hinge
    with pytest.raises(ValueError, match="loss must be one of 'half_squared_error', 'mse', 'bce_with_logits', 'hinge'"):
        loss_function("l1")


@pytest.mark.parametrize("name", list(LOSSES))
def test_a_loss_is_its_terms_added_up_by_its_reduction(name):
    loss = LOSSES[name]
    outputs = [Value(p) for p in (0.2, 0.3, 0.5)]  # probabilities, for categorical_cross_entropy
    targets = [0.0, 1.0, 0.0] if loss.classifies else [1.0, -1.0, 0.0]
    assert loss.total(loss.terms(outputs, targets)).data == loss.function(outputs, targets).data


@pytest.mark.parametrize("name", [name for name, loss in LOSSES.items() if loss.classifies])
def test_a_classifying_loss_takes_a_class_index_for_its_one_hot_target(name):
    outputs = [Value(p) for p in (0.2, 0.3, 0.5)]
    assert LOSSES[name].function(outputs, 1).data == LOSSES[name].function(outputs, [0.0, 1.0, 0.0]).data


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(ValueError, match="mse: 2 predictions but 1 targets; they must pair up"):
        mse([Value(1.0), Value(2.0)], [1.0])
    with pytest.raises(ValueError, match="hinge: needs at least one prediction, got none"):
        hinge([], [])
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', got 'none'"):
        bce_with_logits([Value(1.0)], [1.0], reduction="none")


LOGITS = [
    [2.0, -1.0, 0.5],
    [1e4, -1e4, 3.0],
    [-1e4, -1e4 + 1.0, -1e4 + 2.0],
    [0.0],
    [7.5, 7.5, -2.25, 1e-3],
]


@needs_torch
@pytest.mark.parametrize("logits", LOGITS)
def test_cross_entropy_and_log_softmax_are_pytorchs_for_any_logits(logits):
    for target in [0, len(logits) - 1, [1.0 / len(logits)] * len(logits)]:
        zs = [Value(z) for z in logits]
        loss = cross_entropy(zs, target)
        loss.backward()
        t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        theirs_target = (
            torch.tensor([target]) if isinstance(target, int) else torch.tensor([target], dtype=torch.float64)
        )
        expected = torch.nn.functional.cross_entropy(t.unsqueeze(0), theirs_target)
        expected.backward()
        near = 4 * math.ulp(max(abs(z) for z in logits))  # lse - z cancels: a few ulps of the logits
        assert loss.data == pytest.approx(expected.item(), rel=1e-14, abs=near)
        assert [z.grad for z in zs] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=near)
    ours = [p.data for p in log_softmax(logits)]
    theirs = torch.log_softmax(torch.tensor(logits, dtype=torch.float64), 0).tolist()
    assert ours == pytest.approx(theirs, rel=1e-14, abs=4 * math.ulp(max(abs(z) for z in logits)))
    assert [p.data for p in softmax(logits)] == pytest.approx(torch.softmax(torch.tensor(logits), 0).tolist())


def test_cross_entropy_refuses_a_class_out_of_range_or_of_the_wrong_kind():
    with pytest.raises(ValueError, match=r"^cross_entropy: target class 3 is out of range for 3 logits$"):
        cross_entropy([Value(1.0)] * 3, 3)
    with pytest.raises(ValueError, match=r"^cross_entropy: target class -1 is out of range for 2 logits$"):
        cross_entropy([Value(1.0)] * 2, -1)
    with pytest.raises(
        TypeError, match=r"^cross_entropy: target must be a class index or a list of probabilities, got True$"
    ):
        cross_entropy([Value(1.0)] * 2, True)
    with pytest.raises(ValueError, match=r"^cross_entropy: 2 predictions but 3 targets; they must pair up$"):
        cross_entropy([Value(1.0)] * 2, [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match=r"^log_softmax: needs at least one logit, got none$"):
        softmax([])


@needs_torch
@pytest.mark.parametrize("logits", [[2.0, -1.0, 0.5], [30.0, -30.0, 3.0], [0.0], [7.5, 7.5, -2.25, 1e-3]])
def test_categorical_cross_entropy_of_softmax_is_pytorchs_cross_entropy_of_the_logits(logits):
    for target in [0, len(logits) - 1, [1.0 / len(logits)] * len(logits)]:
        zs = [Value(z) for z in logits]
        loss = categorical_cross_entropy(softmax(zs), target)
        loss.backward()
        t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        theirs = torch.tensor([target]) if isinstance(target, int) else torch.tensor([target], dtype=torch.float64)
        expected = torch.nn.functional.cross_entropy(t.unsqueeze(0), theirs)
        expected.backward()
        assert loss.data == pytest.approx(expected.item(), rel=1e-13, abs=1e-15)
        assert [z.grad for z in zs] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-15)


def test_categorical_cross_entropy_refuses_bad_targets_by_name():
    probabilities = [Value(0.25), Value(0.75)]
    with pytest.raises(ValueError, match=r"^categorical_cross_entropy: target class 2 is out of range for 2 outputs$"):
        categorical_cross_entropy(probabilities, 2)
    with pytest.raises(TypeError, match=r"^categorical_cross_entropy: target must be a class index or a list"):
        categorical_cross_entropy(probabilities, "1")
    with pytest.raises(ValueError, match=r"^categorical_cross_entropy: 2 predictions but 1 targets; they must pair"):
        categorical_cross_entropy(probabilities, [1.0])
    assert categorical_cross_entropy(probabilities, 1).data == -math.log(0.75)
    assert categorical_cross_entropy([0.25, 0.75], 1).data == -math.log(0.75)  # numbers as probabilities too


@needs_torch
@pytest.mark.parametrize("index", [1, "numpy"])
def test_a_class_index_may_be_any_integer_type(index):
    numpy = pytest.importorskip("numpy")
    target = numpy.int64(1) if index == "numpy" else index
    logits = [0.2, -1.3, 0.7]
    expected = torch.nn.functional.cross_entropy(torch.tensor([logits], dtype=torch.float64), torch.tensor([1])).item()
    assert cross_entropy([Value(z) for z in logits], target).data == pytest.approx(expected, rel=1e-15)
    probabilities = softmax([Value(z) for z in logits])
    assert categorical_cross_entropy(probabilities, target).data == pytest.approx(expected, rel=1e-14)


@needs_torch
def test_a_probability_that_underflows_counts_0_where_its_target_is_0_and_is_an_error_where_it_is_not():
    nets = [Value(0.0), Value(800.0), Value(1.0)]
    probabilities = softmax(nets)  # e^-800 is 0 in floats
    assert probabilities[0].data == 0.0
    loss = categorical_cross_entropy(probabilities, [0.0, 1.0, 0.0])
    loss.backward()
    z = torch.tensor([0.0, 800.0, 1.0], dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(z.unsqueeze(0), torch.tensor([1]))
    expected.backward()
    assert loss.data == pytest.approx(expected.item(), abs=1e-300) and math.isfinite(loss.data)
    assert [v.grad for v in nets] == pytest.approx(z.grad.tolist(), abs=1e-300)
    # log 0 where the target is not 0: the loss is infinite
    with pytest.raises(ValueError, match=r"^xlogy: y must be positive where x is not 0, got xlogy\(1\.0, 0\.0\)$"):
        categorical_cross_entropy(probabilities, 0)
    with pytest.raises(ValueError, match=r"^xlogy: y must be positive where x is not 0, got xlogy\(1\.0, 0\.0\)$"):
        categorical_cross_entropy(probabilities, [1.0, 0.0, 0.0])
