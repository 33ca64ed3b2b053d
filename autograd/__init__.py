"""A scalar reverse-mode autograd engine: ``Value`` nodes, their ops, backward and gradcheck."""

from autograd import functions
from autograd.compiler import (
    HessianProgram,
    JvpProgram,
    Program,
    SampleSum,
    TraceError,
    trace,
    trace_hessian,
    trace_jvp,
    trace_sum,
)
from autograd.custom import define_op
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd.graph import collector_paused, leaves, topological_order
from autograd.primitive import OPS, Op
from autograd.transforms import grad, hessian, jvp
from autograd.value import Constant, Value, constant, logsumexp, no_grad, sum_values, weighted_sum, xlogy

__all__ = [
    "OPS",
    "Constant",
    "GradcheckError",
    "HessianProgram",
    "JvpProgram",
    "Op",
    "Program",
    "SampleSum",
    "TraceError",
    "Value",
    "collector_paused",
    "constant",
    "define_op",
    "functions",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "hessian",
    "jvp",
    "leaves",
    "logsumexp",
    "no_grad",
    "sum_values",
    "topological_order",
    "trace",
    "trace_hessian",
    "trace_jvp",
    "trace_sum",
    "weighted_sum",
    "xlogy",
]
