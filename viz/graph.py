"""The computation graph as a picture: a node per value and per op, the local derivatives on the edges.

Nodes are numbered by topological order, inputs first (``v0``, ``v1``, … and ``op3`` for the op that
made ``v3``), so the same graph always gives the same DOT text and the same SVG bytes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from autograd import OPS, Value, topological_order
from viz import style
from viz.drawing import Drawing, Node, add_nodes
from viz.labels import html_text, number, record_text, table
from viz.network import draw_network
from viz.scene import Scene, scene
from viz.structure import GraphTooLarge, Unit, check_size, name, operand_paths, units
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
    s = scene(root, precision=precision, highlight=highlight, grads=grads, links=links)
    unit_of = units(s.order)
    folded = _neurons(s.drawn, unit_of) if collapse else {}
    count = _count(s.drawn, folded)
    if count > max_nodes:
        raise _too_large(root, s.drawn, unit_of, collapse, (count, max_nodes))

    drawing = s.drawing(rankdir, "computation_graph")
    if folded:  # neurons of adjacent layers are densely connected: merge the parallel stretches of edges
        drawing.attr(concentrate="true", ranksep="0.8")
    parts = _Parts(s, unit_of, folded, local_grads, clusters)
    add_nodes(drawing, parts.nodes, _layer_title)
    drawing.attr(mclimit="0.01")  # keep the documents' order: dot's crossing minimiser swaps neurons it finds equal
    for (tail, head, _), attrs in parts.edges.items():
        drawing.edge(tail, head, **attrs)
    if legend:
        drawing.node("legend", style.legend(parts.kinds, _notes(s, local_grads)))
    return drawing


class _Parts:
    """The nodes and edges of a computation graph, each value's in the documents' order (h1, h2, h3)."""

    def __init__(
        self, s: Scene, unit_of: dict[Value, Unit], folded: dict[Value, Unit], local_grads: bool, clusters: bool
    ):
        self.s, self.unit_of, self.folded = s, unit_of, folded
        self.local_grads, self.clusters = local_grads, clusters
        self.ids = {v: f"v{i}" for i, v in enumerate(s.drawn)}
        unit_ids = {unit: f"u{k}" for k, unit in enumerate(dict.fromkeys(folded.values()))}
        self.keys = {v: unit_ids[folded[v]] if v in folded else self.ids[v] for v in s.drawn}
        self.representative: dict[Unit, Value] = {}  # each collapsed neuron's value nearest the root: its output
        for v in s.order:
            if v in folded:
                self.representative.setdefault(folded[v], v)
        self.sizes = Counter(unit_of.values())
        self.nodes: list[Node] = []
        self.edges: dict[tuple[str, str, str], dict[str, str]] = {}  # keyed so a collapsed edge appears once
        self.kinds: set[str] = set()
        paths = operand_paths(s.order)
        for v in sorted(s.drawn, key=paths.__getitem__):
            if v in folded:
                self.add_neuron(v)
            else:
                self.add_value(v)

    def place(self, v: Value) -> tuple[Any, Any]:
        """The (layer, neuron) clusters v's nodes go in: no neuron's for a lone or collapsed value."""
        if not self.clusters or v not in self.unit_of:
            return None, None
        layer, neuron = self.unit_of[v]
        return layer, neuron if self.sizes[self.unit_of[v]] > 1 and v not in self.folded else None

    def add_neuron(self, v: Value) -> None:
        """v, collapsed into its neuron's one node (drawn once, for the neuron's output)."""
        unit, marked = self.folded[v], v in self.s.path
        if self.representative[unit] is v:
            self.kinds.add("neuron")
            label = _neuron_label(unit, v, self.sizes[unit], self.s.precision, self.s.show_grads, marked)
            self.nodes.append((*self.place(v), self.keys[v], label, self.s.link(v)))
        for p in v.parents:
            if self.keys[p] != self.keys[v]:
                self.edges[self.keys[p], self.keys[v], ""] = _edge_style(p in self.s.path and marked)

    def add_value(self, v: Value) -> None:
        """v's node and, if an op made it, the op's node with an edge from each operand."""
        s, marked, kind_name = self.s, v in self.s.path, kind(v, self.s.root)
        self.kinds.add(kind_name)
        label = _value_label(v, kind_name, s.precision, s.show_grads, marked)
        self.nodes.append((*self.place(v), self.ids[v], label, s.link(v)))
        if not v.parents:
            return
        op = "op" + self.ids[v][1:]
        self.nodes.append((*self.place(v), op, _op_label(v), _op_style(marked) | s.link(v)))
        self.edges[op, self.ids[v], ""] = _edge_style(marked)
        for j, (p, local) in enumerate(zip(v.parents, v.local_grads)):
            attrs = _edge_style(p in s.path)
            if self.factor_shown(p):
                attrs["label"] = f"<{_factor(number(local, s.precision), p in s.path)}>"
                if s.links:  # which local derivative it shows, for a page that computes it again (viz.page)
                    attrs["id"] = f"local_{s.links[v].removeprefix('#v')}_{j}"
            self.edges[self.keys[p], op, str(j)] = attrs

    def factor_shown(self, p: Value) -> bool:
        """Whether an edge from operand p carries its local derivative: never a constant's (no gradient
        flows into it, so its factor would mislead), and a collapsed neuron's only from its output."""
        wanted = (self.local_grads or p in self.s.path) and not p.is_constant
        return wanted and (p not in self.folded or self.representative[self.folded[p]] is p)


def _notes(s: Scene, local_grads: bool) -> list[str]:
    """The legend's notes: what an edge's number is, and what the red paths lead to."""
    notes = []
    if local_grads or s.target is not None:
        notes.append("on an edge: the local derivative<BR/>∂ result / ∂ operand (chain-rule factor)")
    if s.target is not None:
        notes.append(
            f'<FONT COLOR="{HIGHLIGHT}">red: the paths from {html_text(name(s.root, "the root"))}'
            f"<BR/>to {html_text(name(s.target, 'the highlighted value'))}</FONT>"
        )
    return notes


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", *, max_nodes: int = 300) -> Drawing:
    """micrograd's draw_dot: a record (label | data | grad) per value, an op node before each result."""
    drawing = Drawing(format=format, graph_attr={"rankdir": rankdir})
    drawn = topological_order(root)[::-1]
    check_size(len(drawn), max_nodes, "draw_dot", f"the graph of {name(root, 'the root')}", _SMALLER)
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


def _too_large(
    root: Value, drawn: list[Value], unit_of: dict[Value, Unit], collapse: bool, sizes: tuple[int, int]
) -> GraphTooLarge:
    """The refusal of a graph of count nodes over most, with the views that fit instead (collapsed within
    most, a network within its own limit), worked out only now: trying the network view draws it."""
    count, most = sizes
    collapsed: int | None = _count(drawn, _neurons(drawn, unit_of))
    if collapse or not collapsed < len(drawn) or collapsed > most:
        collapsed = None
    try:
        draw_network(root, legend=False)
        network = True
    except ValueError:  # no neurons to draw, or too many (GraphTooLarge)
        network = False
    views = [f"pass collapse=True to draw each neuron as one node ({collapsed} nodes)"] if collapsed else []
    views += ["use draw_network for the network view (a node per neuron)"] if network else []
    advice = ", ".join([*views, "or raise max_nodes"]) if views else _SMALLER
    what = f"the graph of {name(root, 'the root')}"
    return GraphTooLarge("draw_graph", what, count, most, advice, collapsed=collapsed, network=network)


def _layer_title(layer: Any) -> str:
    return "inputs (layer 0)" if layer == 0 else f"layer {layer}"
