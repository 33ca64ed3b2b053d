"""Every op of ``autograd.OPS`` as a function, by its name, and the helpers the ops' rules are written with.

``from autograd.functions import exp`` gives the op ``exp`` itself: on numbers it computes a float,
on Values it makes a node, inside an op's rule it reads as source. Ops you define are here too.
"""

from __future__ import annotations

from typing import Any

from autograd import ops
from autograd.primitive import OPS

HELPERS = {f.__name__: f for f in (ops.where, ops.power, ops.power_slope, ops.exponent_slope, ops.ratio)}
HELPERS.update(log_or_zero=ops.log_or_zero, xdivy=ops.xdivy, total=ops.total, dot=ops.dot)


def __getattr__(name: str) -> Any:
    if name in OPS:
        return OPS[name]
    if name in HELPERS:
        return HELPERS[name]
    raise AttributeError(f"autograd.functions has no op or helper {name!r}; the ops are {', '.join(OPS)}")


def __dir__() -> list[str]:
    return sorted({*OPS, *HELPERS, "HELPERS"})
