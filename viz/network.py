"""The network view: inputs left, then each layer of neurons, the weights on the connections between them.

Read from value metadata alone (role, layer, neuron), so it draws any graph whose values carry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograd import OPS, Value
from viz import style
from viz.drawing import Drawing, Node, add_nodes
from viz.labels import html_text, number, table
from viz.scene import Scene, scene
from viz.structure import Unit, check_size, name, operand_paths, units
from viz.style import HIGHLIGHT, WEIGHT, fill

LISTED_WEIGHTS = 8  # a neuron with more inputs than this would list its weights in a column too tall to read
NO_NEURONS = (
    "draw_network: no value in the graph of {} carries neuron metadata "
    "(meta={{'layer': ..., 'neuron': ...}}), so there is no network to draw; "
    "nn's networks set it, and draw_graph draws any graph"
)


def draw_network(
    root: Value,
    *,
    precision: int = 4,
    rankdir: str = "LR",
    grads: bool | None = None,
    highlight: Value | str | None = None,
    legend: bool = True,
    max_nodes: int = 200,
    links: bool = False,
    list_weights: bool | None = None,
) -> Drawing:
    """The network that computed root (usually the loss): a node per neuron, laid out by layer, each
    connection named by its weight, whose value and grad the neuron it feeds lists. grads and links:
    as in draw_graph.

    list_weights=None lists them when no neuron has more than LISTED_WEIGHTS inputs (else each neuron
    shows its own values only and the connections go unnamed, so a wide network still fits a screen).
    """
    s = scene(root, precision=precision, highlight=highlight, grads=grads, links=links)
    net = _read(s)
    what = f"the network of {name(root, 'the root')}"
    count = len(net.members) + len(net.shared) + (net.loss is not None)
    check_size(count, max_nodes, "draw_network", what, "raise max_nodes")
    if list_weights is None:
        list_weights = all(len(ws) <= LISTED_WEIGHTS for ws in net.incoming.values())

    drawing = s.drawing(rankdir, "network")
    drawing.attr(ranksep="1.2", nodesep="0.35", remincross="false")  # keep the order of each layer
    nodes = [_neuron_node(s, net, u, list_weights) for u in net.ids]
    nodes += [_bias_node(s, net, p) for p in net.shared]
    nodes += [_loss_node(s, net)] if net.loss is not None else []
    softmax = _softmax_layers(s)
    add_nodes(drawing, nodes, lambda layer: _layer_title(layer, net.last, softmax), same_rank=True)
    _keep_columns(drawing, nodes, rankdir)
    _connect(drawing, s, net, list_weights)
    if legend:
        drawing.node("legend", style.legend(_kinds(s, net), [_WEIGHTS] if net.weights and list_weights else []))
    return drawing


_WEIGHTS = "a connection: the weight named on it,<BR/>listed with its value in the neuron it feeds"


@dataclass(frozen=True)
class _Network:
    """The network read from a graph's metadata: its nodes (neurons and inputs) and their connections."""

    members: dict[Unit, list[Value]]  # each node's values, inputs first
    ids: dict[Unit, str]  # each node's id, in the documents' order (h1 above h2)
    weights: dict[tuple[Unit, Unit, Value], None]  # (from, to, weight), an ordered set
    biases: dict[Value, dict[Unit, None]]  # each bias and the neurons it feeds
    into_loss: dict[Unit, None]  # the nodes the loss reads, in order
    incoming: dict[Unit, list[Value]]  # each neuron's weights, in the documents' order
    loss: Value | None  # the root, unless it is a neuron's own value
    paths: dict[Value, tuple[int, ...]]

    @property
    def own_bias(self) -> dict[Unit, Value]:
        """The biases of one neuron each, drawn inside it."""
        return {next(iter(to)): p for p, to in self.biases.items() if len(to) == 1}

    @property
    def shared(self) -> list[Value]:
        """The biases a layer's neurons share, drawn as nodes of their own, as the documents do."""
        return [p for p, to in self.biases.items() if len(to) > 1]

    @property
    def last(self) -> int | None:
        """The output layer's number."""
        return max((u[0] for u in self.members if isinstance(u[0], int)), default=None)


def _read(s: Scene) -> _Network:
    """The network of s's graph; a ValueError if no value carries neuron metadata."""
    node_of = _nodes_of(s)
    members: dict[Unit, list[Value]] = {}
    for v, u in node_of.items():
        members.setdefault(u, []).append(v)
    if not members:
        raise ValueError(NO_NEURONS.format(name(s.root, "the root")))
    # Dicts as ordered sets: a loss over several samples reaches each connection once per sample.
    weights: dict[tuple[Unit, Unit, Value], None] = {}
    biases: dict[Value, dict[Unit, None]] = {}
    into_loss: dict[Unit, None] = {}
    for c in s.drawn:
        to = node_of.get(c)
        for j, p in enumerate(c.parents):
            if _role(p) == "parameter" and to is not None:
                partner = _partner(c, j)
                source = None if partner is None else node_of.get(partner)  # None: p is a bias
                if source is None:
                    biases.setdefault(p, {})[to] = None
                else:
                    weights[source, to, p] = None
            elif to is None and p in node_of:
                into_loss[node_of[p]] = None
    paths = operand_paths(s.order)
    incoming: dict[Unit, list[Value]] = {}
    for _, to, w in sorted(weights, key=lambda connection: paths[connection[2]]):
        incoming.setdefault(to, []).append(w)
    ordered = sorted(members, key=lambda u: min(paths[v] for v in members[u]))  # h1 above h2
    loss = None if s.root in node_of else s.root
    ids = {u: f"n{k}" for k, u in enumerate(ordered)}
    return _Network(members, ids, weights, biases, into_loss, incoming, loss, paths)


def _nodes_of(s: Scene) -> dict[Value, Unit]:
    """The network node each value is drawn in: its neuron's, or an input's own."""
    unit_of = units(s.order)
    node_of: dict[Value, Unit] = {}
    for i, v in enumerate(s.drawn):
        if _role(v) in ("parameter", "target", "loss") or v.is_constant:
            continue
        if v in unit_of and unit_of[v][1] is not None:
            node_of[v] = unit_of[v]
        elif _role(v) == "input":
            node_of[v] = ((v.meta or {}).get("layer", 0), name(v, f"input {i}"))
    return node_of


def _neuron_node(s: Scene, net: _Network, u: Unit, list_weights: bool) -> Node:
    """A neuron's (or an input's) table: its name, its weights and bias, then its own values."""
    values, bias = net.members[u], net.own_bias.get(u)
    parameters = (net.incoming.get(u, []) if list_weights else []) + ([bias] if bias is not None else [])
    row = _row(s.precision, s.show_grads)
    rows = [row(p, "w", HIGHLIGHT if p is s.target else WEIGHT) for p in parameters]
    own = _first_of_each_name(values)  # a loss over several samples computes each name once per sample
    listed = [*parameters, *own]
    rows += [row(v, u[1]) for v in own]
    if len(own) < len([v for v in values if v.label]):
        rows.append([f'<FONT POINT-SIZE="8">the first of {len(values) // max(len(own), 1)} samples</FONT>'])
        listed.append(own[0])
    if any(v.label != u[1] for v in values) or parameters:
        rows.insert(0, [f"<B>{html_text(u[1])}</B>"])
        listed.insert(0, values[-1])
    marked = any(v in s.path for v in values) or bias in s.path
    hrefs = [s.links[v] for v in listed] if s.links else None
    label = table(rows, fill=fill("input" if _is_input(values) else "neuron"), links=hrefs, **style.border(marked))
    return (u[0], None, net.ids[u], label, {})


def _bias_node(s: Scene, net: _Network, p: Value) -> Node:
    """A shared bias, in its layer's column below the neurons it feeds."""
    row = _row(s.precision, s.show_grads)
    hrefs = [s.links[p]] if s.links else None
    label = table([row(p, "bias")], fill=fill("parameter"), links=hrefs, **style.border(p in s.path))
    return ((p.meta or {}).get("layer"), None, f"b{net.shared.index(p)}", label, {})


def _loss_node(s: Scene, net: _Network) -> Node:
    """The loss, with the errors and targets it is made of."""
    assert net.loss is not None
    roles = ("loss", "target")
    others = sorted((v for v in s.drawn if _role(v) in roles and v is not s.root), key=net.paths.__getitem__)
    row = _row(s.precision, s.show_grads)
    rows = [row(v, _role(v) or "loss") for v in (net.loss, *others)]
    hrefs = [s.links[v] for v in (net.loss, *others)] if s.links else None
    label = table(rows, fill=fill(style.kind(net.loss, s.root)), links=hrefs, **style.border(bool(s.path)))
    return (None, None, "loss", label, {})


def _keep_columns(drawing: Drawing, nodes: list[Node], rankdir: str) -> None:
    """Invisible edges that keep each layer's nodes in the order listed, top to bottom."""
    columns: dict[Any, list[str]] = {}
    for layer, _, node_id, _, _ in nodes:
        columns.setdefault(layer, []).append(node_id)
    for layer, column in columns.items():
        for above, below in zip(column, column[1:]) if layer is not None else ():
            # dot lays out LR by turning a TB layout, which puts a flat edge's tail below its head
            drawing.edge(*((below, above) if rankdir in ("LR", "RL") else (above, below)), style="invis")


def _connect(drawing: Drawing, s: Scene, net: _Network, list_weights: bool) -> None:
    """The connections: each weight's (named, if listed), each shared bias's, and those into the loss."""
    for source, to, w in net.weights:
        marked = w is s.target or any(v in s.path for v in net.members[source])
        text = f'<FONT COLOR="{HIGHLIGHT if marked else WEIGHT}">{html_text(name(w, "w"))}</FONT>'
        attrs = {"label": f"<{text}>"} if list_weights else {}
        drawing.edge(net.ids[source], net.ids[to], **attrs, **_edge(marked), **s.link(w))
    for k, p in enumerate(net.shared):
        for to in net.biases[p]:
            drawing.edge(f"b{k}", net.ids[to], **_edge(p in s.path))
    for source in net.into_loss if net.loss is not None else ():
        drawing.edge(net.ids[source], "loss", **_edge(any(v in s.path for v in net.members[source])))


def _kinds(s: Scene, net: _Network) -> set[str]:
    """The kinds the legend names: inputs, neurons, parameters and the loss's."""
    kinds = {"input" if _is_input(values) else "neuron" for values in net.members.values()}
    if net.weights or net.shared:
        kinds.add("parameter")
    if net.loss is not None:
        kinds.add(style.kind(net.loss, s.root))
    return kinds


def _is_input(values: list[Value]) -> bool:
    return all(_role(v) == "input" for v in values)


def _first_of_each_name(values: list[Value]) -> list[Value]:
    """The first value of each label, in order, and the last value if it has none (a neuron's output)."""
    first: dict[str, Value] = {}
    for v in values:
        if v.label:
            first.setdefault(v.label, v)
    unnamed = [] if values[-1].label else [values[-1]]
    return [*first.values(), *unnamed]


def _role(v: Value) -> Any:
    return (v.meta or {}).get("role")


def _partner(c: Value, j: int) -> Value | None:
    """The value that operand j of c (a weight) multiplies, or None if it multiplies nothing (a bias)."""
    pairs = OPS[c.op].pairs if c.parents else None
    return None if pairs is None else pairs(c.parents, j)


def _row(precision: int, show_grads: bool) -> Any:
    def row(v: Value, fallback: str, colour: str | None = None) -> list[str]:
        cells = [html_text(name(v, fallback)), number(v.data, precision)]
        cells += [f"grad {number(v.grad, precision)}"] if show_grads else []
        return [f'<FONT COLOR="{colour}">{c}</FONT>' for c in cells] if colour else cells

    return row


def _edge(marked: bool) -> dict[str, str]:
    return {"color": HIGHLIGHT, "penwidth": "2.5"} if marked else {"color": "#8aa6cf"}


def _layer_title(layer: Any, last: int | None, softmax: set[Any]) -> str:
    if layer == 0:
        return "inputs"
    kind = ("output" if layer == last else "hidden") + (", softmax over its neurons" if layer in softmax else "")
    return f"layer {layer} ({kind})"


def _softmax_layers(s: Scene) -> set[Any]:
    """The layers whose outputs one softmax couples: those with a logsumexp node of their own (nn's layers)."""
    normalisers = (v for v in s.drawn if v.parents and OPS[v.op].normaliser)
    return {(v.meta or {}).get("layer") for v in normalisers} - {None}
