"""viz.draw_network: neurons by layer with weighted connections, on hand-built graphs and nn's examples."""

from __future__ import annotations

import re

import pytest
from hand_built import mazur, micrograd_neuron
from svg_reading import Picture

import nn
from autograd import Value
from viz import GraphTooLarge, draw_graph, draw_network, render_svg
from viz.structure import NOT_COMPUTED
from viz.style import HIGHLIGHT, KINDS


def picture(root: Value, **options) -> Picture:
    return Picture(render_svg(draw_network(root, **options)))


def backward(root: Value) -> Value:
    root.backward()
    return root


@pytest.mark.parametrize("binary", [False, True], ids=["weighted sums", "binary ops"])
def test_a_node_per_neuron_and_input_laid_out_by_layer_in_the_documents_order(binary):
    pic = picture(backward(mazur(binary)))
    names = {n.texts[0] for n in pic.nodes.values() if n.title != "legend"}
    assert names == {"i1", "i2", "b1", "h1", "h2", "b2", "o1", "o2", "E_total"}
    top = {name: pic.node(name).top for name in names}
    assert top["i1"] < top["i2"] and top["h1"] < top["h2"] < top["b1"] and top["o1"] < top["o2"] < top["b2"]
    titles = sorted(c.texts[0] for c in pic.clusters.values())
    assert titles == ["inputs", "layer 1 (hidden)", "layer 2 (output)"]


def test_a_shared_bias_is_drawn_in_its_own_layers_box():
    pic = picture(nn.example("russo-3-3-3").forward().backward().loss)
    boxes = {c.texts[0]: c for c in pic.clusters.values()}
    for bias, box in (("b1", "layer 1 (hidden)"), ("b2", "layer 2 (output)")):
        assert inside(pic.node(bias), boxes[box]), f"{bias} is drawn inside {box}"
    assert not inside(pic.node("b2"), boxes["layer 1 (hidden)"])


def test_weights_are_listed_in_the_neurons_unless_a_neuron_has_too_many_inputs():
    loss = nn.example("russo-3-3-3").forward().backward().loss
    assert "w10" in picture(loss).node("o1").texts
    hidden = picture(loss, list_weights=False)
    assert "w10" not in hidden.node("o1").texts and not any("w10" in e.texts for e in hidden.edges.values())
    wide = nn.MLP(9, [2], seed=0)
    out = wide([0.1] * 9)[0]
    out.backward()
    texts = [" ".join(n.text for n in picture(out, **o).nodes.values()) for o in ({}, {"list_weights": True})]
    assert "w1_1_9" not in texts[0] and "w1_1_9" in texts[1]


def corners(shape) -> tuple[float, float, float, float]:
    """The bounding box (left, top, right, bottom) of a shape's outlines (polygons and paths)."""
    numbers = []
    for element in shape.element.iter():
        numbers += [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", element.get("points") or element.get("d") or "")]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def inside(node, cluster) -> bool:
    (l1, t1, r1, b1), (l2, t2, r2, b2) = corners(node), corners(cluster)
    return l2 <= l1 and t2 <= t1 and r1 <= r2 and b1 <= b2


@pytest.mark.parametrize("binary", [False, True], ids=["weighted sums", "binary ops"])
def test_each_connection_is_named_by_its_weight_and_listed_with_its_value_in_the_neuron_it_feeds(binary):
    pic = picture(backward(mazur(binary)))
    ids = {n.texts[0]: title for title, n in pic.nodes.items() if n.texts}
    connections = {
        "w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
        "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2"),
    }  # fmt: skip
    for weight, (tail, head) in connections.items():
        (edge,) = [e for e in pic.edges_between(ids[tail], ids[head]) if e.texts]
        assert edge.texts == [weight]
    assert pic.node("h1").texts == [
        "h1",
        *("w1", "0.15", "grad 0.0004386", "w2", "0.2", "grad 0.0008771"),
        *("net_h1", "0.3775", "grad 0.008771", "out_h1", "0.5933", "grad 0.03635"),
    ]
    # a shared bias is a node of its own feeding each neuron of its layer, as the documents draw it
    assert pic.node("b1").texts == ["b1", "0.35", "grad 0.01873"]
    assert len(pic.edges_between(ids["b1"], ids["h1"])) == len(pic.edges_between(ids["b1"], ids["h2"])) == 1
    assert pic.node("E_total").texts[:3] == ["E_total", "0.2984", "grad 1"]
    assert "target_o1" in pic.node("E_total").texts


def test_colours_and_legend():
    pic = picture(backward(mazur()))
    assert KINDS["input"][0] in pic.node("i1").fills
    assert KINDS["neuron"][0] in pic.node("h1").fills
    assert KINDS["parameter"][0] in pic.node("b1").fills
    assert KINDS["loss"][0] in pic.node("E_total").fills
    assert [t for t in pic.nodes["legend"].texts if t in ("parameter", "input", "neuron", "loss")] == [
        "parameter",
        "input",
        "neuron",
        "loss",
    ]


def test_highlight_marks_the_weights_connection_and_the_neurons_on_its_paths():
    pic = picture(backward(mazur()), highlight="w1")
    for name in ("h1", "o1", "o2", "E_total"):
        assert HIGHLIGHT in pic.node(name).strokes, name
    for name in ("h2", "i1", "b1"):
        assert HIGHLIGHT not in pic.node(name).strokes, name
    marked = sorted(e.texts[0] for e in pic.edges.values() if HIGHLIGHT in e.strokes and e.texts)
    assert marked == ["w1", "w5", "w7"]
    assert "∂E_total / ∂w1 = 0.0004386: the sum over the 2 highlighted paths" in pic.caption


def test_before_backward_grads_are_said_to_be_not_computed():
    pic = picture(mazur())
    assert pic.caption == NOT_COMPUTED
    assert pic.node("b1").texts == ["b1", "0.35"]


def test_a_graph_without_neuron_metadata_has_no_network_to_draw():
    with pytest.raises(
        ValueError,
        match=(
            r"^draw_network: no value in the graph of o carries neuron metadata \(meta=\{'layer': \.\.\., "
            r"'neuron': \.\.\.\}\), so there is no network to draw; "
            r"nn's networks set it, and draw_graph draws any graph$"
        ),
    ):
        draw_network(micrograd_neuron())


def test_the_node_limit():
    with pytest.raises(
        GraphTooLarge,
        match=(r"^draw_network: the network of E_total would have 9 nodes, more than max_nodes=5; raise max_nodes$"),
    ):
        draw_network(mazur(), max_nodes=5)


def test_the_same_network_gives_the_same_svg_bytes():
    assert render_svg(draw_network(backward(mazur()), highlight="w6")) == render_svg(
        draw_network(backward(mazur()), highlight="w6")
    )


@pytest.mark.parametrize("name", nn.examples())
def test_every_bundled_example_draws_both_views_with_every_parameter(name):
    example = nn.example(name)
    loss = example.forward().backward().loss
    network = picture(loss)
    shown = {text for n in network.nodes.values() for text in n.texts}
    shown |= {text for e in network.edges.values() for text in e.texts}
    assert set(example.network.parameters_by_name()) <= shown
    graph = Picture(render_svg(draw_graph(loss)))
    labels = {n.texts[0] for n in graph.nodes.values() if n.texts}
    assert set(example.network.parameters_by_name()) <= labels


def test_a_hostile_weight_name_is_escaped_and_shortened_visibly():
    ex = nn.example("russo-3-3-3")
    weight = ex.network.parameters()[0]
    weight.label = "w\uffff" + "<" * 20_000  # dot refused U+FFFF, and a label over 16,384 characters
    pic = picture(ex.forward().backward().loss, highlight=weight)
    shown = "w\\uffff" + "<" * 48 + "…" + "<" * 20 + " (20,002 characters)"
    assert shown in [text for edge in pic.edges.values() for text in edge.texts]


def test_a_softmax_layer_is_titled_as_one_softmax_over_its_neurons():
    from hand_built import softmax_example

    pic = picture(backward(softmax_example().forward().loss))
    titles = sorted(c.texts[0] for c in pic.clusters.values())
    assert titles == ["inputs", "layer 1 (hidden)", "layer 2 (output, softmax over its neurons)"]
    assert {"y1", "y2", "y3"} <= {n.texts[0] for n in pic.nodes.values()}
