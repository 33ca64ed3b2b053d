"""Computation graphs and networks drawn with Graphviz: SVG for people who would rather look than read."""

from viz.drawing import Drawing, GraphvizNotFound
from viz.graph import draw_dot, draw_graph
from viz.network import draw_network
from viz.render import render, render_svg
from viz.structure import GraphTooLarge

__all__ = [
    "Drawing",
    "GraphTooLarge",
    "GraphvizNotFound",
    "draw_dot",
    "draw_graph",
    "draw_network",
    "render",
    "render_svg",
]
