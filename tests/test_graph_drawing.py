"""viz.draw_graph and draw_dot: rendered by Graphviz to SVG and read back as XML."""

from __future__ import annotations

import re

import graphviz
import pytest
from hand_built import mazur, micrograd_neuron
from programs import PROGRAMS, draw_with
from svg_reading import Picture

import nn
from autograd import OPS, Value, grad, topological_order
from viz import GraphTooLarge, draw_dot, draw_graph, draw_network, render_svg
from viz.structure import NOT_COMPUTED
from viz.style import HIGHLIGHT, KINDS


def picture(root: Value, **options) -> Picture:
    return Picture(render_svg(draw_graph(root, **options)))


def backward(root: Value) -> Value:
    root.backward()
    return root


# ---- nodes, ops and edges ----------------------------------------------------------------------


def test_a_node_per_value_numbered_by_topological_order_inputs_first():
    o = backward(micrograd_neuron())
    drawing = draw_graph(o)
    assert isinstance(drawing, graphviz.Digraph) and "rankdir=LR" in drawing.source
    pic = Picture(render_svg(drawing))
    for i, v in enumerate(reversed(topological_order(o))):
        node = pic.nodes[f"v{i}"]
        assert node.texts == [v.label, f"data {v.data:.4g}", f"grad {v.grad:.4g}"][0 if v.label else 1 :]
    assert pic.node("x1").texts == ["x1", "data 2", "grad -1.5"]


def test_precision_is_significant_digits():
    pic = picture(backward(micrograd_neuron()), precision=6)
    assert pic.node("b").texts == ["b", "data 6.88137", "grad 0.5"]
    assert pic.node("o").texts == ["o", "data 0.707107", "grad 1"]


@pytest.mark.parametrize("precision", [0, -1, 2.5, True, "4"])
def test_precision_must_be_a_positive_int(precision):
    with pytest.raises(ValueError, match=r"^precision must be a positive integer \(significant digits\), got "):
        draw_graph(Value(1.0), precision=precision)


def test_each_op_node_shows_the_ops_symbol_and_points_at_its_result():
    o = micrograd_neuron()
    pic = picture(o)
    drawn = list(reversed(topological_order(o)))
    for i, v in enumerate(drawn):
        if v.parents:
            assert pic.nodes[f"op{i}"].texts == [OPS[v.op].symbol]
            assert len(pic.edges_between(f"op{i}", f"v{i}")) == 1


def test_edges_carry_the_local_derivatives_unless_turned_off():
    o = micrograd_neuron()
    x1w1 = o.parents[0].parents[0].parents[0]  # ((x1*w1 + x2*w2) + b).tanh()
    ids = {v: i for i, v in enumerate(reversed(topological_order(o)))}
    x1, w1 = x1w1.parents
    op = f"op{ids[x1w1]}"
    pic = picture(o)
    assert [e.texts for e in pic.edges_between(f"v{ids[x1]}", op)] == [["-3"]]  # d(x1·w1)/dx1 = w1
    assert [e.texts for e in pic.edges_between(f"v{ids[w1]}", op)] == [["2"]]
    assert all(not e.texts for e in picture(o, local_grads=False).edges.values())


def test_an_edge_from_a_constant_carries_no_local_derivative():
    a = Value(3.0, "a")
    y = a**2 * 0.5
    y.label = "y"
    y.backward()
    ids = {v: i for i, v in enumerate(reversed(topological_order(y)))}
    pic = picture(y)
    constants = [v for v in ids if v.is_constant]
    assert {c.data for c in constants} == {2.0, 0.5}
    for c in constants:  # its local derivative, 0 or not, is no factor: nothing flows into a constant
        (consumer,) = [v for v in ids if c in v.parents]
        assert [e.texts for e in pic.edges_between(f"v{ids[c]}", f"op{ids[consumer]}")] == [[]]
    (square,) = [v for v in ids if v.op == "pow_const"]
    assert [e.texts for e in pic.edges_between(f"v{ids[a]}", f"op{ids[square]}")] == [["6"]]  # d(a²)/da = 2a


def test_an_operand_used_twice_gets_two_edges():
    a = Value(3.0, "a")
    b = a * a
    pic = picture(b)
    assert [e.texts for e in pic.edges_between("v0", "op1")] == [["3"], ["3"]]


def test_left_to_right_by_default_and_rankdir_can_change_it():
    assert "rankdir=TB" in draw_graph(Value(1.0), rankdir="TB").source
    with pytest.raises(ValueError, match=r"^rankdir must be one of LR, RL, TB, BT, got 'XY'$"):
        draw_graph(Value(1.0), rankdir="XY")


# ---- colours and legend ----------------------------------------------------------------------


def test_roles_are_told_apart_by_colour_and_named_in_the_legend():
    pic = picture(backward(mazur()))
    expected = {
        "w1": "parameter",
        "b1": "parameter",
        "i1": "input",
        "target_o1": "target",
        "E_total": "loss",
        "net_h1": "value",
    }
    for label, kind in expected.items():
        assert KINDS[kind][0] in pic.node(label).fills, label
    constants = [n for n in pic.nodes.values() if n.texts and n.texts[0] == "data 0.5"]
    assert KINDS["constant"][0] in constants[0].fills
    legend = pic.nodes["legend"]
    for kind in ("parameter", "input", "target", "constant", "computed value", "loss"):
        assert kind in legend.texts
    assert "leaf (no role)" not in legend.texts and "output (the root)" not in legend.texts


def test_without_roles_leaves_and_the_root_get_their_own_colours():
    pic = picture(micrograd_neuron())
    assert KINDS["leaf"][0] in pic.node("x1").fills
    assert KINDS["output"][0] in pic.node("o").fills
    assert not any(text in pic.nodes["legend"].texts for text in ("parameter", "loss"))
    assert "legend" not in picture(micrograd_neuron(), legend=False).nodes


# ---- grads not computed ---------------------------------------------------------------------


def test_before_backward_the_drawing_says_grads_are_not_computed_instead_of_showing_zeros():
    root = mazur()
    pic = picture(root)
    assert pic.caption == NOT_COMPUTED
    assert not any("grad" in text for n in pic.nodes.values() if n.title != "legend" for text in n.texts)
    assert pic.node("w5").texts == ["w5", "data 0.4"]
    after = picture(backward(root))
    assert NOT_COMPUTED not in after.caption and after.node("w5").texts == ["w5", "data 0.4", "grad 0.08217"]
    root.zero_grad()
    assert picture(root).caption == NOT_COMPUTED


def test_grads_can_be_shown_or_hidden_outright():
    root = mazur()
    assert picture(root, grads=True).node("w5").texts == ["w5", "data 0.4", "grad 0"]
    backward(root)
    assert picture(root, grads=False).node("w5").texts == ["w5", "data 0.4"]


# ---- highlight --------------------------------------------------------------------------------


@pytest.mark.parametrize("by_value", [False, True])
def test_highlight_marks_the_paths_from_the_root_to_a_parameter_with_their_factors(by_value):
    root = backward(mazur())
    order = topological_order(root)
    w5 = next(v for v in order if v.label == "w5")
    pic = picture(root, highlight=w5 if by_value else "w5", local_grads=False)
    for label in ("w5", "net_o1", "out_o1", "E_o1", "E_total"):
        assert HIGHLIGHT in pic.node(label).strokes, label
    for label in ("w6", "net_o2", "out_h1", "E_o2", "i1"):
        assert HIGHLIGHT not in pic.node(label).strokes, label
    marked = [e for e in pic.edges.values() if HIGHLIGHT in e.strokes]
    labelled = [e.texts[0] for e in marked if e.texts]
    assert sorted(labelled) == sorted(["0.5933", "0.1868", "-1", "-1.483", "0.5", "1"])  # out_h1, σ′, …, 1
    assert not any(e.texts for e in pic.edges.values() if HIGHLIGHT not in e.strokes)
    (g,) = grad(root, [w5])
    assert pic.caption == (f"∂E_total / ∂w5 = {g:.4g}: the product of the factors along the highlighted path")


def test_highlight_counts_the_paths_it_sums_over():
    pic = picture(backward(mazur()), highlight="w1")
    assert "the sum over the 2 highlighted paths of the product of the factors along each" in pic.caption
    assert "red: the paths from E_total" in pic.nodes["legend"].texts


def test_highlight_errors_name_what_is_wrong():
    root = mazur()
    with pytest.raises(ValueError, match=r"^highlight: no value is labelled 'w99'; the labels are: E_o1, E_o2, "):
        draw_graph(root, highlight="w99")
    twice = Value(1.0, "x") + Value(2.0, "x")
    with pytest.raises(ValueError, match=r"^highlight: 2 values are labelled 'x'; pass the Value itself$"):
        draw_graph(twice, highlight="x")
    with pytest.raises(ValueError, match=r"^highlight: Value\(data=5.0, grad=0.0, label='y'\) is not in the graph"):
        draw_graph(root, highlight=Value(5.0, "y"))
    with pytest.raises(ValueError, match=r"^highlight: no value is labelled 'x'; the labels are: \(none\)$"):
        draw_graph(Value(1.0) + 2.0, highlight="x")


# ---- clusters, size limit and collapse ----------------------------------------------------------


def test_values_are_grouped_into_clusters_by_layer_and_neuron():
    pic = picture(mazur())
    titles = sorted(c.texts[0] for c in pic.clusters.values() if c.texts)  # a layer's loose values: an unseen box
    assert titles == ["h1", "h2", "inputs (layer 0)", "layer 1", "layer 2", "o1", "o2"]
    assert not picture(mazur(), clusters=False).clusters


def test_computed_values_without_metadata_join_their_consumers_neuron():
    pic = Picture(render_svg(draw_graph(mazur(binary=True), collapse=True)))
    assert "w1" not in [n.texts[0] for n in pic.nodes.values() if n.texts]
    h1 = pic.node("h1")
    assert h1.texts == ["h1", "out_h1", "data 0.5933", "8 values collapsed, layer 1"]
    assert KINDS["neuron"][0] in h1.fills


def test_a_graph_over_the_node_limit_is_refused_with_what_to_do():
    root = mazur(binary=True)
    count = len(topological_order(root))
    with pytest.raises(
        GraphTooLarge,
        match=(
            rf"^draw_graph: the graph of E_total would have {count} nodes, more than max_nodes=20; pass "
            r"collapse=True to draw each neuron as one node \(20 nodes\), use draw_network for the network "
            r"view \(a node per neuron\), or raise max_nodes$"
        ),
    ):
        draw_graph(root, max_nodes=20)
    assert draw_graph(root, max_nodes=20, collapse=True)
    with pytest.raises(GraphTooLarge, match=r"max_nodes=19; use draw_network for the network view \(a node"):
        draw_graph(root, max_nodes=19)  # collapsed, it would have 20: not a view that fits
    with pytest.raises(
        GraphTooLarge,
        match=(
            r"^draw_graph: the graph of E_total would have 20 nodes, more than max_nodes=10; use draw_network "
            r"for the network view \(a node per neuron\), or raise max_nodes$"
        ),
    ):
        draw_graph(root, max_nodes=10, collapse=True)


@pytest.mark.parametrize("program", PROGRAMS)  # Graphviz 2.42 (Debian's dot) and later ones order clusters apart
@pytest.mark.parametrize("example", ["russo-3-3-3", "swap-2-4-3-2", "hmkcode-2-2-1"])
def test_neurons_inputs_and_errors_are_drawn_in_the_documents_order(example, program, monkeypatch, tmp_path):
    draw_with(program, monkeypatch, tmp_path)
    pass_ = nn.example(example).forward().backward()
    pic = picture(pass_.loss)
    tops = {n.texts[0]: n.top for n in pic.nodes.values() if n.texts}
    network = nn.example(example).network
    columns = [network.input_names, *([n.out_name for n in layer.neurons] for layer in network.layers)]
    columns.append([name for name in pass_.names() if name.startswith("E_") and name != "E_total"])
    for column in columns:
        assert sorted(column, key=tops.__getitem__) == list(column), "top to bottom as the document numbers them"


def test_a_graph_without_neurons_is_told_to_draw_less():
    x = Value(0.5, "x")
    for _ in range(12):
        x = x.tanh()
    with pytest.raises(GraphTooLarge, match=r"max_nodes=10; raise max_nodes, or draw a value nearer the inputs"):
        draw_graph(x, max_nodes=10)


def test_the_views_suggested_for_a_2_16_16_1_mlp_fit():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = nn.training.batch_loss(model, nn.moons(32, seed=0), "hinge")
    loss.backward()
    with pytest.raises(GraphTooLarge) as refused:
        draw_graph(loss)
    suggested = re.search(r"collapse=True to draw each neuron as one node \((\d+) nodes\)", str(refused.value))
    assert suggested and int(suggested[1]) <= 300
    assert "use draw_network for the network view" in str(refused.value)
    width, height = svg_size(render_svg(draw_network(loss)))
    assert width < 1600 and height < 2500, "the network view fits a few screens, not 13,000 pixels"
    assert svg_size(render_svg(draw_graph(loss, collapse=True)))


def svg_size(svg: str) -> tuple[float, float]:
    width, height = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(width), float(height)


def test_a_deep_chain_draws_without_recursion():
    x = Value(1.0, "x")
    for _ in range(5000):
        x = x + 1.0
    source = draw_graph(x, max_nodes=10_000).source
    assert "v5001" in source
    with pytest.raises(GraphTooLarge, match=r"the root would have 5002 nodes, more than max_nodes=300; raise"):
        draw_graph(x)


# ---- determinism and literal text ----------------------------------------------------------------


def test_the_same_graph_gives_the_same_svg_bytes():
    first, second = backward(mazur()), backward(mazur())
    assert render_svg(draw_graph(first, highlight="w1")) == render_svg(draw_graph(second, highlight="w1"))
    assert render_svg(draw_graph(first, collapse=True)) == render_svg(draw_graph(second, collapse=True))
    assert render_svg(draw_dot(first)) == render_svg(draw_dot(second))


TRICKY = ["<b>x</b>", "a & b", 'say "hi"', "it's", "{x}", "a|b", "back\\slash \\N \\n", "tab\there", "<<>>"]


@pytest.mark.parametrize("text", TRICKY)
def test_any_label_text_renders_literally(text):
    v = Value(1.0, text, meta={"layer": 1, "neuron": text}) * 2.0
    v.meta = v.parents[0].meta  # a neuron of two values gets a cluster named after it
    pic = picture(v, highlight=v.parents[0])
    shown = text.replace("\t", " ")
    assert pic.nodes["v0"].texts[0] == shown
    assert shown in [c.texts[0] for c in pic.clusters.values()]
    assert "∂root / ∂" + shown in pic.caption
    dot = Picture(render_svg(draw_dot(v)))
    assert dot.nodes["v0"].texts[0] == shown


def test_a_newline_in_a_label_breaks_the_line_and_control_characters_show_as_escapes():
    v = Value(1.0, "two\nlines\r\nthree\x01")
    assert picture(v).nodes["v0"].texts[:3] == ["two", "lines", "three\\x01"]
    assert Picture(render_svg(draw_dot(v))).nodes["v0"].texts[:3] == ["two", "lines", "three\\x01"]


HOSTILE = {  # label: what the picture shows instead
    "a\ufffeb\uffff": "a\\ufffeb\\uffff",  # XML forbids them: dot refused the label, or wrote broken SVG
    "lone \ud800": "lone \\ud800",  # a surrogate cannot be encoded as UTF-8 at all
    "c1 \x85 \ufdd0": "c1 \\x85 \\ufdd0",  # allowed by XML, but draws nothing
}


@pytest.mark.parametrize("label", HOSTILE)
def test_characters_xml_forbids_show_as_escapes_and_the_svg_is_well_formed(label):
    v = Value(1.0, label, meta={"layer": 1, "neuron": label}) * 2.0
    v.meta = v.parents[0].meta
    pic = picture(v, highlight=v.parents[0])  # Picture parses the SVG as XML
    shown = HOSTILE[label]
    assert pic.nodes["v0"].texts[0] == shown
    assert shown in [c.texts[0] for c in pic.clusters.values()]
    assert "∂root / ∂" + shown in pic.caption
    assert Picture(render_svg(draw_dot(v))).nodes["v0"].texts[0] == shown


@pytest.mark.parametrize("text", ["&" * 20_000, "x" * 10_000, "\n" * 10_000])
def test_a_long_label_is_shortened_visibly_and_still_draws(text):
    v = Value(1.0, text, meta={"layer": 1, "neuron": text}) * 2.0
    v.meta = v.parents[0].meta
    shown = [line for line in (text[:50] + "…" + text[-20:] + f" ({len(text):,} characters)").split("\n") if line]
    pic = picture(v, highlight=v.parents[0])
    assert pic.nodes["v0"].texts[: len(shown)] == shown
    assert Picture(render_svg(draw_dot(v))).nodes["v0"].texts[: len(shown)] == shown


def test_draw_dot_has_draw_graphs_node_limit():
    x = Value(1.0, "x")
    for _ in range(400):
        x = x + 1.0
    with pytest.raises(
        GraphTooLarge,
        match=(
            r"^draw_dot: the graph of the root would have 402 nodes, more than max_nodes=300; raise max_nodes, "
            r"or draw a value nearer the inputs \(a smaller part of the graph\)$"
        ),
    ):
        draw_dot(x)
    assert "v401" in draw_dot(x, max_nodes=402).source


# ---- draw_dot -------------------------------------------------------------------------------------


def test_draw_dot_is_micrographs_records_left_to_right():
    o = backward(micrograd_neuron())
    drawing = draw_dot(o)
    assert isinstance(drawing, graphviz.Digraph) and drawing.format == "svg" and "rankdir=LR" in drawing.source
    assert "shape=record" in drawing.source
    pic = Picture(render_svg(drawing))
    assert pic.node("x1").texts == ["x1", "data 2.0000", "grad -1.5000"]
    assert pic.node("o").texts == ["o", "data 0.7071", "grad 1.0000"]
    ops = sorted(n.texts[0] for n in pic.nodes.values() if n.title.startswith("op"))
    assert ops == ["*", "*", "+", "+", "tanh"]
    assert draw_dot(o, format="png", rankdir="TB").format == "png"


@pytest.mark.parametrize("bias", ["shared", "neuron", "none"])
def test_a_hidden_softmax_layer_draws_with_any_bias(bias):
    # a shared bias (fed into the sums) and the layer's logsumexp (fed by them) are both the layer's own
    model = nn.MLP(2, [3, 2], activation=["softmax", "sigmoid"], bias=[bias, "neuron"], seed=0)
    loss = nn.mse(model.forward([0.5, -0.2]), [0.0, 1.0])
    loss.backward()
    svg = render_svg(draw_graph(loss))
    assert svg.count("logΣexp") == 1 and "out_n1_3" in svg
