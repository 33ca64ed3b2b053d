"""Writing a drawing to a file or a string: SVG, PNG or PDF as viz.drawing.image draws it, or the DOT text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import graphviz  # type: ignore[import-untyped]

from autograd import Value
from viz.drawing import image
from viz.graph import draw_graph

FORMATS = {"svg": "svg", "png": "png", "pdf": "pdf", "dot": "dot", "gv": "dot"}


def render(graph: Value | graphviz.Digraph, path: str | Path, *, format: str | None = None, **options: Any) -> Path:
    """Write graph (a drawing, or a Value to draw with draw_graph and options) to path; return the path.

    The format comes from format or else path's suffix: svg, png, pdf, or dot/gv for the DOT text
    (which needs no program to draw it). PDF needs Graphviz's dot; SVG and PNG draw without it.
    """
    path = Path(path)
    fmt = _format(format if format is not None else path.suffix.lstrip("."), path)
    drawing = draw_graph(graph, **options) if isinstance(graph, Value) else graph
    path.write_bytes(drawing.source.encode() if fmt == "dot" else image(drawing, fmt))
    return path


def render_svg(graph: Value | graphviz.Digraph, **options: Any) -> str:
    """graph (a drawing, or a Value to draw with draw_graph and options) as SVG text."""
    drawing = draw_graph(graph, **options) if isinstance(graph, Value) else graph
    return image(drawing, "svg").decode()


def _format(name: str, path: Path) -> str:
    fmt = FORMATS.get(name.lower())
    if fmt is None:
        known = ", ".join(FORMATS)
        raise ValueError(f"render: cannot write {name!r} for {str(path)!r}; use a format (or suffix) of {known}")
    return fmt
