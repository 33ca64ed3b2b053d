"""The compiler: a traced graph (``trace``, ``trace_sum``) replayed as generated straight-line Python.

``tracing`` records what f builds, ``arguments`` reads the arguments' shapes and numbers, ``codegen``
writes the source from the op table's rules, and ``program`` and ``sample_sum`` run it.
"""

from autograd.compiler.program import Program, trace
from autograd.compiler.sample_sum import SampleSum, trace_sum
from autograd.compiler.tracing import TraceError

__all__ = ["Program", "SampleSum", "TraceError", "trace", "trace_sum"]
