"""How the drawings tell values apart: a kind per value, a colour per kind, and the legend naming them."""

from __future__ import annotations

from typing import Any

from autograd import Value
from viz.labels import html_text

# kind: (fill colour, what the legend calls it); the legend lists the kinds in this order.
KINDS = {
    "parameter": ("#c6dcff", "parameter"),
    "input": ("#c9efc9", "input"),
    "target": ("#fff1a8", "target"),
    "constant": ("#e4e4e4", "constant"),
    "leaf": ("#fde0c2", "leaf (no role)"),
    "value": ("#ffffff", "computed value"),
    "neuron": ("#fff8e1", "neuron"),
    "output": ("#e8d5f7", "output (the root)"),
    "loss": ("#ffc9c9", "loss"),
}
BORDER = "#555555"
HIGHLIGHT = "#d62728"
EDGE = "#777777"
WEIGHT = "#3d6fb6"
FONT = "Helvetica,Arial,sans-serif"

GRAPH_ATTR = {"fontname": FONT, "fontsize": "11", "nodesep": "0.2", "ranksep": "0.35", "labelloc": "b"}
NODE_ATTR = {"fontname": FONT, "fontsize": "10", "shape": "plain"}
EDGE_ATTR = {"fontname": FONT, "fontsize": "8", "fontcolor": "#444444", "color": EDGE, "arrowsize": "0.6"}
CLUSTER_ATTR = {
    "labelloc": "t",
    "labeljust": "l",
    "style": "rounded,dashed",
    "color": "#aaaaaa",
    "fontcolor": "#666666",
    "fontsize": "10",
}


def kind(value: Value, root: Value) -> str:
    """The value's kind: its meta role, else constant, output (the root), leaf or computed value."""
    role = (value.meta or {}).get("role")
    if role in KINDS:
        return role
    if value.is_constant:
        return "constant"
    if value is root:
        return "output"
    return "value" if value.parents else "leaf"


def fill(kind_name: str) -> str:
    """The fill colour of a kind."""
    return KINDS[kind_name][0]


def border(marked: bool) -> dict[str, Any]:
    """The table border arguments of a node: thick and red if it is on a highlighted path."""
    return {"border": HIGHLIGHT, "width": 3} if marked else {"border": BORDER, "width": 1}


def legend(kinds: set[str], notes: list[str]) -> str:
    """An HTML-like label: a swatch and name for each kind present, then the notes (already escaped)."""
    rows = ['<TR><TD COLSPAN="2"><B>legend</B></TD></TR>']
    for name, (colour, text) in KINDS.items():
        if name in kinds:
            rows.append(
                f'<TR><TD BGCOLOR="{colour}" BORDER="1" WIDTH="14"> </TD><TD ALIGN="LEFT">{html_text(text)}</TD></TR>'
            )
    rows += [f'<TR><TD COLSPAN="2" ALIGN="LEFT">{note}</TD></TR>' for note in notes]
    return f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2" COLOR="#999999">{"".join(rows)}</TABLE>>'
