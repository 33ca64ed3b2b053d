"""Rich display in Jupyter of autograd's Value (its numbers, and its graph when small) and of nn's History (its
loss plot), registered with IPython when viz is imported there: autograd and nn never import viz."""

from __future__ import annotations

import sys
from html import escape
from typing import Any

from autograd import OPS, Value, topological_order
from viz.drawing import GraphvizNotFound
from viz.graph import draw_graph
from viz.plots import has_curve, loss_plot
from viz.render import render_svg

SMALL = 30  # a value whose graph has at most this many values shows its drawing under its numbers


def value_html(value: Value) -> str:
    """A value's label, data, grad and op, and the drawing of its graph when that is small."""
    op = OPS.get(value.op)
    made = f"made by {escape(op.symbol if op else value.op)}" if value.parents else "a leaf"
    numbers = (
        f"<p><b>{escape(value.label or 'Value')}</b>: data <code>{value.data:.6g}</code>, "
        f"grad <code>{value.grad:.6g}</code> ({made})</p>"
    )
    size = len(topological_order(value))
    if not 1 < size <= SMALL:
        return f"<div>{numbers}</div>"
    try:
        svg = render_svg(draw_graph(value, legend=False))
    except GraphvizNotFound:
        return f"<div>{numbers}<p>(install graphviz-pure or Graphviz's dot to see its graph)</p></div>"
    return f"<div>{numbers}{svg[svg.index('<svg') :]}</div>"


def history_html(history: Any) -> str:
    """A training history (nn.History, read by duck typing): its one line over the plot of its loss at each step."""
    plot = loss_plot(history.losses) if has_curve(history.losses) else ""
    return f"<div><p>{escape(repr(history))}</p>{plot}</div>"


def register(shell: Any = None) -> bool:
    """Show Values and training histories richly in the running IPython (or shell); False when there is none."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    html = shell.display_formatter.formatters["text/html"]
    html.for_type(Value, value_html)
    html.for_type_by_name("nn.training", "History", history_html)  # by its name: viz does not import nn
    return True
