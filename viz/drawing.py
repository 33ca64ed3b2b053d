"""The Digraph that viz returns: graphviz's own, but a missing ``dot`` program says what to install."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

try:
    import graphviz  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "viz needs the graphviz Python package, a dependency of scalar-backprop: pip install graphviz"
    ) from None

from viz.labels import html_text
from viz.style import CLUSTER_ATTR, EDGE_ATTR, GRAPH_ATTR, NODE_ATTR

RANKDIRS = ("LR", "RL", "TB", "BT")

INSTALL = (
    "Graphviz's `dot` program was not found on PATH; it draws the picture. Install Graphviz: "
    "`apt-get install graphviz` (Debian, Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or see https://graphviz.org/download/ . "
    "The DOT text is still available: the drawing's .source, or render to a .dot file."
)


class GraphvizNotFound(RuntimeError):
    """Graphviz's dot program is missing; ``source`` holds the DOT text that was to be drawn."""

    def __init__(self, source: str):
        super().__init__(INSTALL)
        self.source = source


class Drawing(graphviz.Digraph):
    """A graphviz.Digraph whose rendering (Jupyter display included) explains a missing dot program."""

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """Render with dot and return the output; GraphvizNotFound if dot is missing."""
        with _needs_dot(self):
            return super().pipe(*args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """graphviz's render (writes files); GraphvizNotFound if dot is missing."""
        with _needs_dot(self):
            return super().render(*args, **kwargs)


@contextlib.contextmanager
def _needs_dot(drawing: graphviz.Digraph) -> Iterator[None]:
    try:
        yield
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(drawing.source) from None


def image(drawing: graphviz.Digraph, format: str) -> bytes:
    """Any Digraph drawn by dot in format (svg, png, pdf); GraphvizNotFound if dot is missing."""
    with _needs_dot(drawing):
        return drawing.pipe(format=format)


# A node to add: (layer, neuron, name, label, attributes); layer and neuron pick its clusters (None: none).
Node = tuple[Any, Any, str, str, dict[str, str]]


def new_drawing(rankdir: str, caption: str | None, name: str) -> Drawing:
    """An empty Drawing in viz's style, laid out in direction rankdir, with an escaped caption below."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    graph_attr = {**GRAPH_ATTR, "rankdir": rankdir}
    if caption:
        graph_attr["label"] = f"<{caption}>"
    return Drawing(name, graph_attr=graph_attr, node_attr=NODE_ATTR, edge_attr=EDGE_ATTR)


def add_nodes(
    drawing: Drawing, nodes: list[Node], layer_title: Callable[[Any], str], *, same_rank: bool = False
) -> None:
    """Add nodes in order, inside a cluster per layer and, within it, a cluster per neuron.

    same_rank: each layer's nodes in one column (one row if top to bottom), in the order given.
    """
    tree: dict[Any, dict[Any, list[tuple[str, str, dict[str, str]]]]] = {}
    for layer, neuron, name, label, attrs in nodes:
        tree.setdefault(layer, {}).setdefault(neuron, []).append((name, label, attrs))
    for a, (layer, neurons) in enumerate(tree.items()):
        with _cluster(drawing, f"cluster_{a}", layer, layer_title) as outer:
            boxed = layer is not None and any(n is not None for n in neurons)
            for b, (neuron, members) in enumerate(neurons.items()):
                # a layer's loose nodes each go in an unseen box: beside boxed neurons, dot reverses their order;
                # one box for all would span ranks between them (a shared bias, a softmax's logsumexp) and break dot
                loose = neuron is None and boxed and not same_rank
                column = same_rank and layer is not None and neuron is None
                for c, group in enumerate([[m] for m in members] if loose else [members]):
                    name = f"cluster_{a}_{b}" + (f"_{c}" if c else "")
                    box = _unboxed(outer, name) if loose else _cluster(outer, name, neuron, str)
                    _add_members(box, group, column)


def _add_members(box: Any, members: list[tuple[str, str, dict[str, str]]], column: bool) -> None:
    """members' nodes in box; column: all in one rank."""
    with box as inner, inner.subgraph(graph_attr={"rank": "same"}) if column else contextlib.nullcontext(inner) as g:
        for name, label, attrs in members:
            g.node(name, label, **attrs)


def _unboxed(parent: Drawing, name: str) -> Any:
    return parent.subgraph(name=name, graph_attr={"peripheries": "0", "label": ""})


def _cluster(parent: Drawing, name: str, key: Any, title: Callable[[Any], str]) -> Any:
    if key is None:
        return contextlib.nullcontext(parent)
    return parent.subgraph(name=name, graph_attr={**CLUSTER_ATTR, "label": f"<{html_text(title(key))}>"})
