"""Computation graphs and networks drawn with Graphviz: SVG for people who would rather look than read."""

from viz.drawing import Drawing, GraphvizNotFound
from viz.graph import draw_dot, draw_graph
from viz.network import draw_network
from viz.notebook import register
from viz.page import AuditLine, Objective, Predictor, Training, page
from viz.plots import boundary_plot, loss_plot
from viz.render import render, render_svg
from viz.structure import GraphTooLarge

register()  # in Jupyter or IPython: Values display as their numbers and their graph

__all__ = [
    "AuditLine",
    "Drawing",
    "GraphTooLarge",
    "GraphvizNotFound",
    "Objective",
    "Predictor",
    "Training",
    "boundary_plot",
    "draw_dot",
    "draw_graph",
    "draw_network",
    "loss_plot",
    "page",
    "render",
    "render_svg",
]
