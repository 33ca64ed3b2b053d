"""The network view: inputs left, then each layer of neurons, the weights on the connections between them.

Read from value metadata alone (role, layer, neuron), so it draws any graph whose values carry it.
"""

from __future__ import annotations

from typing import Any

from autograd import Value, topological_order
from viz import style
from viz.drawing import Drawing, Node, add_nodes, new_drawing
from viz.labels import check_precision, html_text, number, table
from viz.structure import Unit, anchors, caption, check_size, find, name, on_paths, operand_paths, units
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
    precision = check_precision(precision)
    order = topological_order(root)
    drawn = order[::-1]
    unit_of = units(order)
    node_of: dict[Value, Unit] = {}  # the network node each value is drawn in: its neuron's, or an input's own
    for i, v in enumerate(drawn):
        if _role(v) in ("parameter", "target", "loss") or v.is_constant:
            continue
        if v in unit_of and unit_of[v][1] is not None:
            node_of[v] = unit_of[v]
        elif _role(v) == "input":
            node_of[v] = ((v.meta or {}).get("layer", 0), name(v, f"input {i}"))
    members: dict[Unit, list[Value]] = {}
    for v, u in node_of.items():
        members.setdefault(u, []).append(v)
    if not members:
        raise ValueError(NO_NEURONS.format(name(root, "the root")))

    # Dicts as ordered sets: a loss over several samples reaches each connection once per sample.
    weights: dict[tuple[Unit, Unit, Value], None] = {}  # (from, to, weight)
    biases: dict[Value, dict[Unit, None]] = {}  # each bias and the neurons it feeds
    into_loss: dict[Unit, None] = {}  # the neurons the loss reads, in order
    for c in drawn:
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
    own_bias = {next(iter(to)): p for p, to in biases.items() if len(to) == 1}  # drawn inside its neuron
    shared = [p for p, to in biases.items() if len(to) > 1]  # drawn as a node, as the documents do
    loss = None if root in node_of else root
    what = f"draw_network: the network of {name(root, 'the root')}"
    check_size(len(members) + len(shared) + (loss is not None), max_nodes, what, "raise max_nodes")

    target = None if highlight is None else find(order, highlight, "highlight")
    path = on_paths(order, target) if target is not None else set()
    show_grads = any(v.grad for v in order) if grads is None else grads
    drawing = new_drawing(rankdir, caption(root, order, target, show_grads, precision), "network")
    drawing.attr(ranksep="1.2", nodesep="0.35", remincross="false")  # keep the order of each layer
    row = _row(precision, show_grads)
    href = anchors(order)
    paths = operand_paths(order)
    by_operands = sorted(members, key=lambda u: min(paths[v] for v in members[u]))  # h1 above h2
    ids = {u: f"n{k}" for k, u in enumerate(by_operands)}
    bias_ids = {p: f"b{k}" for k, p in enumerate(shared)}
    last = max((u[0] for u in members if isinstance(u[0], int)), default=None)

    nodes: list[Node] = []
    kinds = set()
    incoming: dict[Unit, list[Value]] = {}
    for _, to, w in sorted(weights, key=lambda connection: paths[connection[2]]):
        incoming.setdefault(to, []).append(w)
    if list_weights is None:
        list_weights = all(len(ws) <= LISTED_WEIGHTS for ws in incoming.values())
    for u in by_operands:
        values, bias = members[u], own_bias.get(u)
        parameters = (incoming.get(u, []) if list_weights else []) + ([bias] if bias is not None else [])
        is_input = all(_role(v) == "input" for v in values)
        kinds.add("input" if is_input else "neuron")
        rows = [row(p, "w", HIGHLIGHT if p is target else WEIGHT) for p in parameters]
        own = _first_of_each_name(values)  # a loss over several samples computes each name once per sample
        listed = [*parameters, *own]
        rows += [row(v, u[1]) for v in own]
        if len(own) < len([v for v in values if v.label]):
            rows.append([f'<FONT POINT-SIZE="8">the first of {len(values) // max(len(own), 1)} samples</FONT>'])
            listed.append(own[0])
        if any(v.label != u[1] for v in values) or parameters:
            rows.insert(0, [f"<B>{html_text(u[1])}</B>"])
            listed.insert(0, values[-1])
        marked = any(v in path for v in values) or bias in path
        hrefs = [href[v] for v in listed] if links else None
        label = table(rows, fill=fill("input" if is_input else "neuron"), links=hrefs, **style.border(marked))
        nodes.append((u[0], None, ids[u], label, {}))
    for p in shared:
        kinds.add("parameter")
        layer = (p.meta or {}).get("layer")
        hrefs = [href[p]] if links else None
        label = table([row(p, "bias")], fill=fill("parameter"), links=hrefs, **style.border(p in path))
        nodes.append((layer, None, bias_ids[p], label, {}))  # in its layer's column, below its neurons
    if loss is not None:
        kinds.add(style.kind(loss, root))
        others = sorted((v for v in drawn if _role(v) in ("loss", "target") and v is not root), key=paths.__getitem__)
        rows = [row(v, _role(v) or "loss") for v in (loss, *others)]
        hrefs = [href[v] for v in (loss, *others)] if links else None
        label = table(rows, fill=fill(style.kind(loss, root)), links=hrefs, **style.border(bool(path)))
        nodes.append((None, None, "loss", label, {}))
    add_nodes(drawing, nodes, lambda layer: _layer_title(layer, last), same_rank=True)
    columns: dict[Any, list[str]] = {}
    for layer, _, node_id, _, _ in nodes:
        columns.setdefault(layer, []).append(node_id)
    for layer, column in columns.items():  # keep each layer's order as listed: top to bottom
        for above, below in zip(column, column[1:]) if layer is not None else ():
            # dot lays out LR by turning a TB layout, which puts a flat edge's tail below its head
            drawing.edge(*((below, above) if rankdir in ("LR", "RL") else (above, below)), style="invis")
    for source, to, w in weights:
        marked = w is target or any(v in path for v in members[source])
        text = f'<FONT COLOR="{HIGHLIGHT if marked else WEIGHT}">{html_text(name(w, "w"))}</FONT>'
        attrs = {"label": f"<{text}>"} if list_weights else {}
        drawing.edge(ids[source], ids[to], **attrs, **_edge(marked), **({"href": href[w]} if links else {}))
    for p in shared:
        for to in biases[p]:
            drawing.edge(bias_ids[p], ids[to], **_edge(p in path))
    for source in into_loss if loss is not None else ():
        drawing.edge(ids[source], "loss", **_edge(any(v in path for v in members[source])))
    if legend:
        if weights:
            kinds.add("parameter")
        notes = (
            ["a connection: the weight named on it,<BR/>listed with its value in the neuron it feeds"]
            if weights and list_weights
            else []
        )
        drawing.node("legend", style.legend(kinds, notes))
    return drawing


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
    if c.op == "mul":
        return c.parents[1 - j]
    if c.op == "weighted_sum":
        n = len(c.parents) // 2  # weights, then as many inputs, then perhaps a bias
        return c.parents[n + j] if j < n else None
    return None


def _row(precision: int, show_grads: bool) -> Any:
    def row(v: Value, fallback: str, colour: str | None = None) -> list[str]:
        cells = [html_text(name(v, fallback)), number(v.data, precision)]
        cells += [f"grad {number(v.grad, precision)}"] if show_grads else []
        return [f'<FONT COLOR="{colour}">{c}</FONT>' for c in cells] if colour else cells

    return row


def _edge(marked: bool) -> dict[str, str]:
    return {"color": HIGHLIGHT, "penwidth": "2.5"} if marked else {"color": "#8aa6cf"}


def _layer_title(layer: Any, last: int | None) -> str:
    if layer == 0:
        return "inputs"
    return f"layer {layer} (output)" if layer == last else f"layer {layer} (hidden)"
