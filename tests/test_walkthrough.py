"""backprop.walkthrough: the document-style solution, its numbers against plain-float arithmetic, its formulas."""

from __future__ import annotations

import math
import re

import pytest

import nn
from autograd import OPS, Value
from autograd.ops import BUILTIN
from autograd.value import apply
from backprop import explain, walkthrough
from backprop.walkthrough import formula, latex_name


def one_neuron_by_hand(steps: int) -> list[tuple[float, float, float, float]]:
    """(w, b, y_hat, L) before each step and after the last: document 001's neuron in plain floats."""
    x, y, w, b, lr = 0.5, 1.5, 0.3, 0.1, 0.1
    rows = []
    for _ in range(steps + 1):
        y_hat = 1 / (1 + math.exp(-(w * x + b)))
        rows.append((w, b, y_hat, 0.5 * (y - y_hat) ** 2))
        delta = -(y - y_hat) * y_hat * (1 - y_hat)
        w, b = w - lr * delta * x, b - lr * delta
    return rows


def test_each_step_prints_the_numbers_plain_floats_give():
    text = walkthrough(nn.example("one-neuron"), steps=3)
    rows = one_neuron_by_hand(3)
    for step, (w, b, y_hat, loss) in enumerate(rows[:3], 1):
        section = text.split(f"Step {step}: forward pass")[1]
        assert f"z     = w·x + b = {w:.6g}·0.5 + {b:.6g} = {w * 0.5 + b:.6g}" in section
        assert f"= {y_hat:.6g}\n" in section and f"= {loss:.6g}\n" in section
        new_w = rows[step][0]
        assert f"w ← w − η·∂L/∂w = {w:.6g} − 0.1·" in section and f" = {new_w:.6g}\n" in section
    after = text.split("After 3 steps: forward pass again")[1]
    assert after.rstrip().endswith(f"= {rows[3][3]:.6g}")


def test_the_example_is_left_as_it_was():
    ex = nn.example("russo-3-3-3")
    ex.forward().backward()
    before = {n: (p.data, p.grad) for n, p in ex.network.parameters_by_name().items()}
    walkthrough(ex, steps=2)
    assert {n: (p.data, p.grad) for n, p in ex.network.parameters_by_name().items()} == before
    assert explain(ex.forward(), "w10").lines()[1].endswith("= 0.0526425")  # the document's first pass


def test_markdown_writes_latex_equations():
    text = walkthrough(nn.example("hmkcode-2-2-1"), markdown=True)
    assert text.startswith("# hmkcode-2-2-1: ")
    assert text.count("$$") % 2 == 0 and text.count("\\begin{aligned}") == text.count("\\end{aligned}")
    assert "\\frac{\\partial \\mathrm{Error}}{\\partial w_{5}}" in text


def test_a_spec_without_a_source_prints_no_source_line():
    ex = nn.load_spec(
        {
            "name": "bare",
            "inputs": ["x"],
            "learning_rate": 0.5,
            "layers": [{"size": 1, "activation": "linear", "weights": [[1.0]]}],
            "samples": [{"inputs": [1.0], "targets": [0.0]}],
        }
    )
    lines = walkthrough(ex).splitlines()
    assert lines[3] == "Network 1-1, loss half_squared_error, learning rate η = 0.5."
    assert not any(line.startswith("Source") for line in lines)


@pytest.mark.parametrize(
    ("name", "tex"),
    [
        ("w10", "w_{10}"),
        ("net_h1", "\\mathrm{net}_{\\mathrm{h1}}"),
        ("y_hat", "\\hat{y}"),
        ("E_total", "E_{\\mathrm{total}}"),
        ("b", "b"),
        ("out_o1_x", "\\mathrm{out}_{\\mathrm{o1,x}}"),
    ],
)
def test_latex_names(name, tex):
    assert latex_name(name) == tex


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_every_op_is_written_with_its_operands(name):
    op = OPS[name]
    operands = [Value(0.25 * (i + 1), f"x{i}") for i in range(op.arity or 3)]
    text, tex = formula(apply(op, operands)), formula(apply(op, operands), latex=True)
    assert all(f"x{i}" in text and f"x_{{{i}}}" in tex for i in range(len(operands))), (text, tex)


# an opening bracket (or a LaTeX group) right inside another, before a number: "σ((-0.75))", "|(-0.75)|"
DOUBLE = re.compile(r"(\(|\||\{|\\left\(|\\left\|)(\(|\\left\()-0\.75")


@pytest.mark.parametrize("name", sorted(BUILTIN))
@pytest.mark.parametrize("latex", [False, True], ids=["text", "latex"])
def test_a_negative_number_is_written_in_one_pair_of_brackets_at_most(name, latex):
    op = OPS[name]
    operands = [Value(0.25 * (i + 1), f"x{i}") for i in range(op.arity or 3)]
    node = apply(op, operands)
    for x in operands:
        x.data = -0.75  # shown where it sits: in a call, a product, a power, a fraction, …
    text = formula(node, numbers=True, latex=latex)
    assert text.count("-0.75") == len(operands) and not DOUBLE.search(text), text


def test_a_negative_number_is_bracketed_where_it_would_not_read_as_one_operand():
    x, w = Value(-2.0, "x"), Value(-0.5, "w")
    assert formula((w * x).sigmoid(), numbers=True) == "σ((-0.5)·(-2))"
    assert formula(x.sigmoid(), numbers=True) == "σ(-2)"
    assert formula(0.5 * x**2, numbers=True) == "½(-2)^2"
    assert formula(w.xlogy(x.abs()), numbers=True) == "(-0.5)·log(|-2|)"
    assert formula(w / x, numbers=True, latex=True) == "\\frac{-0.5}{-2}"


def test_formulas_name_operands_and_fill_in_numbers():
    x, w = Value(2.0, "x"), Value(-0.5, "w")
    node = (w * x).sigmoid()
    assert formula(node) == "σ(w·x)"
    assert formula(node, numbers=True) == "σ((-0.5)·2)"
    assert formula(node, latex=True) == "\\sigma\\left(w \\cdot x\\right)"


def test_steps_must_be_positive():
    with pytest.raises(ValueError, match=re.escape("steps must be at least 1, got 0")):
        walkthrough(nn.example("one-neuron"), steps=0)


def test_markdown_says_how_many_paths_it_leaves_out():
    spec = {
        "name": "wide",
        "inputs": [f"x{i}" for i in range(6)],
        "learning_rate": 0.1,
        "seed": 1,
        "layers": [{"size": 6, "activation": "tanh"}] * 3 + [{"size": 1, "activation": "linear"}],
        "samples": [{"inputs": [0.1] * 6, "targets": [1.0]}],
    }
    text = walkthrough(nn.load_spec(spec), markdown=True)
    assert "\\text{16 more paths}" in text  # 6·6 paths from the loss to a first-layer weight, 20 shown


def test_a_softmax_layer_s_outputs_are_written_through_logsumexp_and_its_jacobian_is_on_the_paths():
    from hand_built import softmax_example

    text = walkthrough(softmax_example())
    assert "  out_y1 = exp(net_y1 − logsumexp(net_y1, net_y2, net_y3)) = " in text
    assert "E_total = −(target_y1·log(out_y1) + target_y2·log(out_y2) + target_y3·log(out_y3))" in text
    p = [math.exp(z) for z in (0.0735898, 0.803521, -0.503459)]
    p = [x / sum(p) for x in p]
    assert "∂E_total/∂out_y1 · ∂out_y1/∂net_y2 · ∂net_y2/∂b2_2\n" in text
    assert f"= 0 · {-p[0] * p[1]:.6g} · 1 = 0\n" in text  # ∂out_i/∂net_j = −p_i·p_j: a zero, never -0
    assert f"b2_2   ← b2_2 − η·∂E_total/∂b2_2 = 0 − 0.5·({p[1] - 1:.6g})" in text  # out − target
