"""What an engine gives for an expression graph: the output's value and each input's gradient, or the error."""

from __future__ import annotations

import math
import os
import sysconfig
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograd.probe.graphs import Graph

PROBLEMS = (Exception, SystemExit)  # what the learner's code may raise (a probe's time running out is not one)
_OURS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autograd/: frames that are not the learner's
_PYTHON = sysconfig.get_paths()["stdlib"]  # Python's library, but for the packages installed inside it
_INSTALLED = tuple({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})


@dataclass(frozen=True)
class Outcome:
    """The output's value and each input's gradient (after backward), or the error that stopped them."""

    value: float | None = None
    grads: tuple[float, ...] = ()
    error: str | None = None

    def agrees(self, other: Outcome) -> bool:
        """Both ran, to the same value and gradients (up to rounding)."""
        return (
            self.error is None
            and other.error is None
            and close(self.value, other.value)
            and len(self.grads) == len(other.grads)
            and all(map(close, self.grads, other.grads))
        )


def close(x: float | None, y: float | None) -> bool:
    """x and y agree to 6 significant digits, or both are within 1e-9 of 0."""
    return x is not None and y is not None and math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9)


def run(graph: Graph, make: Callable[[float], Any], override: dict[str, Callable[..., Any]] | None = None) -> Outcome:
    """graph built with make's Values, then backward() on its output: the value and the inputs' grads."""
    try:
        built = graph.build(make, override)
        out = built[-1]
        if not (hasattr(out, "data") and hasattr(out, "backward")):
            raise TypeError(f"{graph.text()} gave {type(out).__name__} {_short(out)}, not a Value")
        value = _number(out, "data", "out")
        out.backward()
        grads = tuple(_number(built[i], "grad", name) for i, name in zip(graph.inputs, graph.names()))
    except PROBLEMS as e:
        return Outcome(error=describe(e))
    return Outcome(value, grads)


def _number(value: Any, attribute: str, name: str) -> float:
    x = getattr(value, attribute)
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"{name}.{attribute} is {type(x).__name__} {_short(x)}, not a number") from None


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(error: BaseException) -> str:
    """The error's type and message, and where in the learner's code it was raised: "(in __add__, mine.py:12)"."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if isinstance(error, MemoryError):
        text += " (out of the probe's memory)"
    text = text if len(text) <= 200 else text[:197] + "..."
    where = learner_frame(error)
    return f"{text} (in {where})" if where else text


def learner_frame(error: BaseException) -> str | None:
    """The innermost frame of error's traceback in neither this package nor Python's library: "f, file.py:3"."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _learners(f.filename)]
    return f"{frames[-1].name}, {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else None


def _learners(filename: str) -> bool:
    path = os.path.abspath(filename)
    python = path.startswith(_PYTHON) and not path.startswith(_INSTALLED)
    return not (path.startswith(_OURS) or python or filename.startswith("<frozen"))
