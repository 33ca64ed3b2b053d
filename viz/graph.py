"""The computation graph as a picture: a node per value and per op, the local derivatives on the edges.

Nodes are numbered by topological order, inputs first (``v0``, ``v1``, … and ``op3`` for the op that
made ``v3``), so the same graph always gives the same DOT text and the same SVG bytes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from autograd import OPS, Value, topological_order
from viz import style
from viz.drawing import Drawing, Node, add_nodes, new_drawing
from viz.labels import check_precision, html_text, number, record_text, table
from viz.network import draw_network
from viz.structure import Unit, anchors, caption, check_size, find, name, on_paths, operand_paths, units
from viz.style import HIGHLIGHT, KINDS, fill, kind

_SMALLER = "raise max_nodes, or draw a value nearer the inputs (a smaller part of the graph)"


def draw_graph(
    root: Value,
    *,
    precision: int = 4,
    rankdir: str = "LR",
    local_grads: bool = True,
    grads: bool | None = None,
    highlight: Value | str | None = None,
    clusters: bool = True,
    collapse: bool = False,
    legend: bool = True,
    max_nodes: int = 300,
    links: bool = False,
) -> Drawing:
    """The computation graph of root as a graphviz Digraph (it displays inline in Jupyter).

    grads=None shows grads once backward has run, i.e. when some value in the graph has a non-zero
    grad (after backward the root's own grad is the seed, 1); True or False decides it outright.
    links: each node links to its value's structure.anchors address (what viz.page reads).
    """
    precision = check_precision(precision)
    order = topological_order(root)
    drawn = order[::-1]  # inputs first: the i-th value here is node v{i}
    unit_of = units(order)
    folded = _neurons(drawn, unit_of) if collapse else {}
    check_size(
        _count(drawn, folded),
        max_nodes,
        f"draw_graph: the graph of {name(root, 'the root')}",
        _advice(root, drawn, unit_of, collapse, max_nodes),
    )
    target = None if highlight is None else find(order, highlight, "highlight")
    path = on_paths(order, target) if target is not None else set()
    show_grads = any(v.grad for v in order) if grads is None else grads

    drawing = new_drawing(rankdir, caption(root, order, target, show_grads, precision), "computation_graph")
    if folded:  # neurons of adjacent layers are densely connected: merge the parallel stretches of edges
        drawing.attr(concentrate="true", ranksep="0.8")

    ids = {v: f"v{i}" for i, v in enumerate(drawn)}
    unit_ids = {unit: f"u{k}" for k, unit in enumerate(dict.fromkeys(folded.values()))}
    keys = {v: unit_ids[folded[v]] if v in folded else ids[v] for v in drawn}
    representative: dict[Unit, Value] = {}  # each collapsed neuron's value nearest the root: its output
    for v in order:
        if v in folded:
            representative.setdefault(folded[v], v)
    sizes = Counter(unit_of.values())
    href = anchors(order) if links else {}

    def link(v: Value) -> dict[str, str]:
        return {"href": href[v]} if links else {}

    def place(v: Value) -> tuple[Any, Any]:
        if not clusters or v not in unit_of:
            return None, None
        layer, neuron = unit_of[v]
        return layer, neuron if sizes[unit_of[v]] > 1 and v not in folded else None

    nodes: list[Node] = []
    edges: dict[tuple[str, str, str], dict[str, str]] = {}  # keyed so a collapsed edge appears once
    kinds = set()
    paths = operand_paths(order)
    for v in sorted(drawn, key=paths.__getitem__):  # in the documents' order: h1, h2, h3; i1, i2, i3
        marked = v in path
        if v in folded:
            unit = folded[v]
            if representative[unit] is v:
                kinds.add("neuron")
                label = _neuron_label(unit, v, sizes[unit], precision, show_grads, marked)
                nodes.append((*place(v), keys[v], label, link(v)))
            for p in v.parents:
                if keys[p] != keys[v]:
                    edges[keys[p], keys[v], ""] = _edge_style(p in path and marked)
            continue
        kinds.add(kind(v, root))
        nodes.append((*place(v), ids[v], _value_label(v, kind(v, root), precision, show_grads, marked), link(v)))
        if not v.parents:
            continue
        op = "op" + ids[v][1:]
        nodes.append((*place(v), op, _op_label(v), _op_style(marked) | link(v)))
        edges[op, ids[v], ""] = _edge_style(marked)
        for j, (p, local) in enumerate(zip(v.parents, v.local_grads)):
            # a constant gets no gradient: its 0 would read as a chain-rule factor
            shown = (local_grads or p in path) and not p.is_constant
            shown = shown and (p not in folded or representative[folded[p]] is p)
            attrs = _edge_style(p in path)
            if shown:
                attrs["label"] = f"<{_factor(number(local, precision), p in path)}>"
            edges[keys[p], op, str(j)] = attrs

    add_nodes(drawing, nodes, _layer_title)
    drawing.attr(mclimit="0.01")  # keep that order: dot's crossing minimiser would swap neurons it finds equal
    for (tail, head, _), attrs in edges.items():
        drawing.edge(tail, head, **attrs)
    if legend:
        notes = []
        if local_grads or target is not None:
            notes.append("on an edge: the local derivative<BR/>∂ result / ∂ operand (chain-rule factor)")
        if target is not None:
            notes.append(
                f'<FONT COLOR="{HIGHLIGHT}">red: the paths from {html_text(name(root, "the root"))}'
                f"<BR/>to {html_text(name(target, 'the highlighted value'))}</FONT>"
            )
        drawing.node("legend", style.legend(kinds, notes))
    return drawing


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", *, max_nodes: int = 300) -> Drawing:
    """micrograd's draw_dot: a record (label | data | grad) per value, an op node before each result."""
    drawing = Drawing(format=format, graph_attr={"rankdir": rankdir})
    drawn = topological_order(root)[::-1]
    check_size(len(drawn), max_nodes, f"draw_dot: the graph of {name(root, 'the root')}", _SMALLER)
    ids = {v: f"v{i}" for i, v in enumerate(drawn)}
    for i, v in enumerate(drawn):
        label = f"{{ {record_text(v.label or '')} | data {v.data:.4f} | grad {v.grad:.4f} }}"
        drawing.node(ids[v], label=label, shape="record")
        if v.parents:
            drawing.node(f"op{i}", label=record_text(_symbol(v)))
            drawing.edge(f"op{i}", ids[v])
            for p in v.parents:
                drawing.edge(ids[p], f"op{i}")
    return drawing


def _symbol(v: Value) -> str:
    op = OPS.get(v.op)
    return op.symbol if op else v.op


def _value_label(v: Value, kind_name: str, precision: int, show_grads: bool, marked: bool) -> str:
    cells = [f"<B>{html_text(v.label)}</B>"] if v.label else []
    cells.append(f"data {number(v.data, precision)}")
    if show_grads:
        cells.append(f"grad {number(v.grad, precision)}")
    return table([cells], fill=fill(kind_name), **style.border(marked))


def _neuron_label(unit: Unit, out: Value, size: int, precision: int, show_grads: bool, marked: bool) -> str:
    layer, neuron = unit
    row = [html_text(name(out, "out")), f"data {number(out.data, precision)}"]
    if show_grads:
        row.append(f"grad {number(out.grad, precision)}")
    where = f", layer {html_text(layer)}" if layer is not None else ""
    note = f'<FONT POINT-SIZE="8">{size} values collapsed{where}</FONT>'
    return table([[f"<B>{html_text(neuron)}</B>"], row, [note]], fill=KINDS["neuron"][0], **style.border(marked))


def _op_label(v: Value) -> str:
    return f"<{html_text(_symbol(v))}>"


def _op_style(marked: bool) -> dict[str, str]:
    attrs = {"shape": "ellipse", "margin": "0.03,0.01", "width": "0.3", "height": "0.25"}
    if marked:
        attrs.update(color=HIGHLIGHT, fontcolor=HIGHLIGHT, penwidth="2.5")
    return attrs


def _edge_style(marked: bool) -> dict[str, str]:
    return {"color": HIGHLIGHT, "penwidth": "2.5"} if marked else {}


def _factor(text: str, marked: bool) -> str:
    return f'<FONT COLOR="{HIGHLIGHT}" POINT-SIZE="10"><B>{text}</B></FONT>' if marked else text


def _neurons(drawn: list[Value], unit_of: dict[Value, Unit]) -> dict[Value, Unit]:
    """The values that collapse into a node per neuron: those of a neuron with more than one value,
    inputs excepted (a loss over several samples has several inputs tagged alike)."""
    sizes = Counter(unit_of.values())
    return {
        v: unit_of[v]
        for v in drawn
        if v in unit_of and unit_of[v][1] is not None and sizes[unit_of[v]] > 1 and not _is_input(v)
    }


def _is_input(v: Value) -> bool:
    return (v.meta or {}).get("role") == "input"


def _count(drawn: list[Value], folded: dict[Value, Unit]) -> int:
    return len(drawn) - len(folded) + len(set(folded.values()))


def _advice(root: Value, drawn: list[Value], unit_of: dict[Value, Unit], collapse: bool, most: int) -> str:
    """What to do instead: only the views that fit (collapsed within max_nodes, a network within its own)."""
    views = []
    collapsed = _count(drawn, _neurons(drawn, unit_of))
    if not collapse and collapsed < len(drawn) and collapsed <= most:
        views.append(f"pass collapse=True to draw each neuron as one node ({collapsed} nodes)")
    try:
        draw_network(root, legend=False)
        views.append("use draw_network for the network view (a node per neuron)")
    except ValueError:  # no neurons to draw, or too many (GraphTooLarge)
        pass
    return ", ".join([*views, "or raise max_nodes"]) if views else _SMALLER


def _layer_title(layer: Any) -> str:
    return "inputs (layer 0)" if layer == 0 else f"layer {layer}"
