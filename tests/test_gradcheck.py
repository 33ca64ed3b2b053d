"""gradcheck: PyTorch's defaults, and proof that it can fail, with a readable table."""

from __future__ import annotations

import inspect

import pytest

from autograd import GradcheckError, Value, gradcheck


def test_defaults_are_pytorchs():
    torch = pytest.importorskip("torch", reason="compares with torch.autograd.gradcheck's signature")
    theirs = inspect.signature(torch.autograd.gradcheck).parameters
    ours = inspect.signature(gradcheck).parameters
    for name in ("eps", "atol", "rtol", "raise_exception"):
        assert ours[name].default == theirs[name].default


def test_passes_on_correct_derivatives():
    assert gradcheck(lambda x, y: (x * y).tanh() + x.exp() / y - (x**y).log(), [0.3, 1.2])
    assert gradcheck(lambda x: x.sigmoid() * x.softplus(), [Value(-0.7)])


def wrong_square(x: Value) -> Value:
    """x², with its recorded local derivative deliberately wrong (x instead of 2x)."""
    y = x**2
    y.local_grads = (x.data, 0.0)
    return y


def test_fails_on_a_wrong_derivative_with_a_table():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(wrong_square, [Value(1.5, label="w")])
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        "gradcheck: backward's gradients disagree with central differences (eps=1e-06, atol=1e-05, rtol=0.001)"
    )
    assert lines[1].split() == [
        "input",
        "|",
        "value",
        "|",
        "analytic",
        "|",
        "numeric",
        "|",
        "difference",
        "|",
        "2nd",
        "backward",
        "|",
        "problem",  # every column is named
    ]
    row = lines[3].split("|")
    name, value, analytic, numeric = (cell.strip() for cell in row[:4])
    assert (name, value, analytic) == ("w", "1.5", "1.5")
    assert float(numeric) == pytest.approx(3.0)
    assert row[-1].strip() == "wrong"
    assert gradcheck(wrong_square, [1.5], raise_exception=False) is False


def test_fails_with_a_far_too_large_eps():
    assert gradcheck(Value.exp, [1.0])
    with pytest.raises(GradcheckError, match=r"eps=1,"):
        gradcheck(Value.exp, [1.0], eps=1.0)


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"^gradcheck: f must return a Value, got float$"):
        gradcheck(lambda x: x.data, [1.0])
    with pytest.raises(ValueError, match=r"^gradcheck: eps must be positive, got 0$"):
        gradcheck(Value.exp, [1.0], eps=0)
    with pytest.raises(TypeError, match=r"^gradcheck input 0 must be a real number"):
        gradcheck(Value.exp, ["1.0"])
