"""The compiler: a traced graph (``trace``, ``trace_sum``) replayed as generated straight-line Python.

``tracing`` records what f builds, ``arguments`` reads the arguments' shapes and numbers, ``codegen``
writes the source from the op table's rules (and an optimizer's, ``updates``), and ``program`` and
``sample_sum`` run it; ``higher`` replays Hessians and jvps.
"""

from autograd.compiler.higher import HessianProgram, JvpProgram, trace_hessian, trace_jvp
from autograd.compiler.program import Program, trace
from autograd.compiler.sample_sum import SampleSum, Trained, trace_sum
from autograd.compiler.tracing import TraceError
from autograd.compiler.updates import UpdateRule

__all__ = [
    "HessianProgram",
    "JvpProgram",
    "Program",
    "SampleSum",
    "TraceError",
    "Trained",
    "UpdateRule",
    "trace",
    "trace_hessian",
    "trace_jvp",
    "trace_sum",
]
