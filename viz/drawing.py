"""The Digraph that viz returns, and the program that draws it: Graphviz's ``dot`` when it is installed, else
graphviz-pure (a port of ``dot`` that comes from PyPI with scalar-backprop); with neither, saying what to install."""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import sysconfig
from collections.abc import Callable, Iterable, Iterator
from typing import Any

try:
    import graphviz  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "viz needs the graphviz Python package, a dependency of scalar-backprop: pip install graphviz"
    ) from None

from viz.labels import html_text
from viz.style import CLUSTER_ATTR, EDGE_ATTR, FONT, GRAPH_ATTR, NODE_ATTR

RANKDIRS = ("LR", "RL", "TB", "BT")

PURE = "graphviz-pure"  # the program pip installs for the graphviz-pure package (it installs no `dot`)
PURE_FONT = FONT.split(",")[0]  # graphviz-pure sizes text by a font's built-in metrics, found by one name, not a list

GRAPHVIZ = (
    "Graphviz: `apt-get install graphviz` (Debian, Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or see https://graphviz.org/download/ ."
)
INSTALL = (
    "Neither Graphviz's `dot` program (on PATH) nor graphviz-pure was found; one of them draws the picture. "
    f"graphviz-pure comes with scalar-backprop: `pip install graphviz-pure`; or install {GRAPHVIZ} "
    "The DOT text is still available: the drawing's .source, or render to a .dot file."
)
NO_PDF = (
    "PDF needs Graphviz's `dot` program, which was not found on PATH: graphviz-pure, which draws here without it, "
    f"writes SVG and PNG but not PDF. Install {GRAPHVIZ}"
)
DOT_ONLY = (
    "graphviz's own rendering (Digraph.render, or pipe with options beyond format and encoding) runs Graphviz's "
    "`dot` program, which was not found on PATH; viz.render(drawing, path) and drawing.pipe(format) draw without it "
    f"(with graphviz-pure). Install {GRAPHVIZ}"
)


class GraphvizNotFound(RuntimeError):
    """No program can draw what was asked; ``source`` holds the DOT text that was to be drawn."""

    def __init__(self, source: str, message: str = INSTALL):
        super().__init__(message)
        self.source = source


class Drawing(graphviz.Digraph):
    """A graphviz.Digraph drawn as image() draws it (Jupyter display included), with or without Graphviz's dot."""

    def pipe(self, format: str | None = None, *args: Any, encoding: str | None = None, **kwargs: Any) -> Any:
        """The drawing in format (default its .format) as bytes, or as text given an encoding."""
        if args or kwargs:  # graphviz's further options (renderer, formatter, engine, ...): its pipe, which runs dot
            with _needs_dot(self):
                return super().pipe(format, *args, encoding=encoding, **kwargs)
        data = image(self, format or self.format)
        return data if encoding is None else data.decode(encoding)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """graphviz's render (writes files next to the DOT file), which runs dot; viz.render draws without it."""
        with _needs_dot(self):
            return super().render(*args, **kwargs)


@contextlib.contextmanager
def _needs_dot(drawing: graphviz.Digraph) -> Iterator[None]:
    try:
        yield
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(drawing.source, DOT_ONLY) from None


def renderer() -> tuple[str, str] | None:
    """What draws, as (name, path): Graphviz's dot when on PATH, else graphviz-pure; None if neither is found."""
    dot = shutil.which("dot")
    if dot:
        return "dot", dot
    # pip puts graphviz-pure beside the Python it installs into, which need not be on PATH (a venv's, run by path)
    pure = shutil.which(PURE, path=sysconfig.get_path("scripts")) or shutil.which(PURE)
    return (PURE, pure) if pure else None


def image(drawing: graphviz.Digraph, format: str) -> bytes:
    """Any Digraph drawn in format (svg, png, pdf) by renderer(); GraphvizNotFound if nothing can draw it."""
    found = renderer()
    if found is None:
        raise GraphvizNotFound(drawing.source)
    name, program = found
    source = drawing.source
    if name == PURE:
        if format == "pdf":
            raise GraphvizNotFound(source, NO_PDF)
        source = source.replace(f'fontname="{FONT}"', f'fontname="{PURE_FONT}"')
    command = [program, f"-K{drawing.engine}", f"-T{format}"]
    # stderr is kept for a failure: on success it holds only warnings (graphviz-pure's about Greek letters' widths)
    done = subprocess.run(command, input=source.encode(drawing.encoding), capture_output=True, check=False)
    if done.returncode:
        raise graphviz.CalledProcessError(done.returncode, command, output=done.stdout, stderr=done.stderr)
    return done.stdout


def reverses_clusters(rankdir: str) -> bool:
    """Whether what draws puts a cluster's nodes in reverse reading order (Graphviz 2.42 under TB, later ones LR)."""
    found = renderer()
    return found is not None and _reverses_clusters(found[1], rankdir)


@functools.cache
def _reverses_clusters(program: str, rankdir: str) -> bool:
    """Asked of program itself, which draws a cluster of two nodes: no version number tells it."""
    probe = f"digraph {{ rankdir={rankdir} subgraph cluster_0 {{ a b }} }}"
    plain = subprocess.run([program, "-Tplain"], input=probe.encode(), capture_output=True, check=True).stdout
    lines = [line.split() for line in plain.decode().splitlines()]
    where = {f[1]: (float(f[2]), -float(f[3])) for f in lines if f and f[0] == "node"}  # plain's y grows upward
    across = 1 if rankdir in ("LR", "RL") else 0
    return where["a"][across] > where["b"][across]


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
    reverses = reverses_clusters(drawing.graph_attr["rankdir"])
    for a, (layer, neurons) in enumerate(tree.items()):
        inside = reverses and layer is not None  # a cluster's members go in reversed to a program that reverses them
        with _cluster(drawing, f"cluster_{a}", layer, layer_title) as outer:
            boxed = layer is not None and any(n is not None for n in neurons)
            for b, (neuron, members) in _drawn_order(enumerate(neurons.items()), inside):
                # a layer's loose nodes each go in an unseen box: beside boxed neurons, dot reverses their order;
                # one box for all would span ranks between them (a shared bias, a softmax's logsumexp) and break dot
                loose = neuron is None and boxed and not same_rank
                column = same_rank and layer is not None and neuron is None  # ordered by edges (network.py)
                for c, group in _drawn_order(enumerate([[m] for m in members] if loose else [members]), inside):
                    name = f"cluster_{a}_{b}" + (f"_{c}" if c else "")
                    box = _unboxed(outer, name) if loose else _cluster(outer, name, neuron, str)
                    _add_members(box, _drawn_order(group, inside and not column), column)


def _drawn_order(items: Iterable[Any], reverse: bool) -> list[Any]:
    """items as a list, reversed if reverse: for a program that draws a cluster's members in reverse."""
    return list(items)[::-1] if reverse else list(items)


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
