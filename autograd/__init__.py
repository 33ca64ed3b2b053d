"""A scalar reverse-mode autograd engine: ``Value`` nodes, their ops, backward and gradcheck."""

from autograd.compiled import Program, TraceError, trace
from autograd.gradcheck import GradcheckError, gradcheck
from autograd.graph import grad, leaves, topological_order
from autograd.ops import OPS, Op
from autograd.value import Constant, Value, constant, sum_values, weighted_sum

__all__ = [
    "OPS",
    "Constant",
    "GradcheckError",
    "Op",
    "Program",
    "TraceError",
    "Value",
    "constant",
    "grad",
    "gradcheck",
    "leaves",
    "sum_values",
    "topological_order",
    "trace",
    "weighted_sum",
]
