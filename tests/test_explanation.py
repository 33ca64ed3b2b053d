"""Chain-rule explanations: every path product against finite differences, and the assertion's message."""

from __future__ import annotations

import math

import pytest

import nn
from backprop import assert_gradient, explain


def finite_difference(name: str, example_name: str, parameter: str, h: float = 1e-6) -> float:
    """d loss / d parameter by central differences on fresh copies of the example."""
    values = []
    for sign in (1, -1):
        example = nn.example(example_name)
        example[parameter].data += sign * h
        values.append(example.forward().loss.data)
    return (values[0] - values[1]) / (2 * h)


@pytest.mark.parametrize("example_name", nn.examples())
def test_every_parameter_is_the_sum_of_its_path_products(example_name):
    example = nn.example(example_name)
    pass_ = example.forward()
    for parameter in example.network.parameters_by_name():
        explanation = explain(pass_, parameter)
        product_sum = math.fsum(math.prod(f.value for f in p.factors) for p in explanation.paths)
        numeric = finite_difference("", example_name, parameter)
        assert product_sum == pytest.approx(numeric, rel=1e-6, abs=1e-9), parameter
        assert explanation.total == pytest.approx(explanation.gradient, rel=1e-12, abs=1e-15)


def test_an_output_weight_has_the_documents_three_factors():
    explanation = explain(nn.example("russo-3-3-3"), "w10")
    (path,) = explanation.paths
    assert [f.symbol() for f in path.factors] == ["∂E_total/∂out_o1", "∂out_o1/∂net_o1", "∂net_o1/∂w10"]
    # out_o1 - target_o1, out_o1 (1 - out_o1), out_h1: the document's 0.76655, 0.11564, 0.59387
    assert [round(f.value, 5) for f in path.factors] == [0.76655, 0.11564, 0.59387]


def test_a_hidden_weight_sums_one_path_per_output():
    explanation = explain(nn.example("russo-3-3-3"), "w1")
    assert [p.nodes[1] for p in explanation.paths] == ["out_o1", "out_o2", "out_o3"]
    first = explanation.paths[0]
    # the document's dE_o1/dout_h1 = 0.057618 is the first three factors of the first path
    assert math.prod(f.value for f in first.factors[:3]) == pytest.approx(0.057618, abs=5e-7)
    weights = [f.weight for p in explanation.paths for f in p.factors if f.weight]
    assert weights == ["w10", "w13", "w16"]
    assert str(explanation).count("+ ∂E_total") == 2


def test_the_assertion_passes_at_the_printed_precision():
    example = nn.example("russo-3-3-3")
    assert_gradient(example, "w1", 0.00101)
    assert_gradient(example, "w1", "0.00101")
    assert_gradient(example, "w10", 0.0526, decimals=4)


def test_the_assertion_message_shows_both_numbers_and_the_factors():
    with pytest.raises(AssertionError) as failure:
        assert_gradient(nn.example("russo-3-3-3"), "w10", 0.05304)
    message = str(failure.value)
    assert message.splitlines()[0] == (
        "∂E_total/∂w10: expected 0.05304 (5 decimals), the engine gives 0.05264254 (difference +0.0003975)"
    )
    assert "∂E_total/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w10" in message
    assert "0.766554 · 0.115638 · 0.593873 = 0.0526425" in message


def test_explaining_needs_a_known_name_and_an_example_or_pass():
    with pytest.raises(KeyError, match="no value named 'w99'"):
        explain(nn.example("russo-3-3-3"), "w99")
    with pytest.raises(TypeError, match="expected a Value, an nn worked example or a pass, got int"):
        explain(3, "w1")


def wide(width: int, depth: int):
    layers = [{"size": width, "activation": "tanh"} for _ in range(depth)]
    return nn.load_spec(
        {
            "name": "wide",
            "inputs": 2,
            "learning_rate": 0.1,
            "layers": layers,
            "samples": [{"inputs": [0.3, -0.2], "targets": [0.1] * width}],
            "seed": 3,
        }
    )


def test_a_million_paths_are_counted_and_summed_but_only_the_largest_shown():
    example = wide(10, 7)
    explanation = explain(example, "w1_1_1")
    assert explanation.count == 10**6  # one neuron in each of the 6 layers above the first, 10 ways each
    assert len(explanation.paths) == 20
    numeric = finite_difference_spec(example, "w1_1_1")
    assert explanation.total == pytest.approx(numeric, rel=1e-6) and explanation.gradient == pytest.approx(numeric)
    lines = explanation.lines()
    assert lines[-2].strip() == "+ 999,980 more paths (the 20 largest are shown)"
    assert lines[-1].strip().endswith("(sum of 1,000,000 paths)")


def test_the_paths_shown_are_the_largest_in_operand_order():
    example = wide(3, 3)
    every = explain(example, "w1_2_1", max_paths=10**6).paths
    shown = explain(example, "w1_2_1", max_paths=4).paths
    assert len(every) == 9
    largest = sorted(every, key=lambda p: abs(p.product), reverse=True)[:4]
    assert list(shown) == [p for p in every if p in largest]


def finite_difference_spec(example, parameter: str, h: float = 1e-6) -> float:
    values = []
    for sign in (1, -1):
        example.reset()
        example[parameter].data += sign * h
        values.append(example.forward().loss.data)
    example.reset()
    return (values[0] - values[1]) / (2 * h)


def test_one_explainer_reads_the_named_graph_once_for_every_name(monkeypatch):
    from backprop import explanation

    pass_ = nn.example("swap-2-4-3-2").forward()
    replays = []
    real = explanation.replay
    monkeypatch.setattr(explanation, "replay", lambda node, *a: replays.append(node) or real(node, *a))
    explained = explanation.explainer(pass_)
    names = [n for n in pass_.names() if pass_[n].label == n]
    results = [explained(n) for n in names]
    assert len(replays) == len(set(replays)) <= len(names)  # each named value's local slopes, once
    assert [r.gradient for r in results] == [explanation.explain(pass_, n).gradient for n in names]
