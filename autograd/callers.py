"""Warnings said at the user's line: at the first frame outside this distribution's packages, however deep in them
the warning is made (a fixed stacklevel points into the engine when the call path changes)."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the distribution's packages (setup.cfg), and contextlib, whose frames a decorator like collector_paused() adds
_INSIDE = (
    *(os.path.join(_ROOT, package) + os.sep for package in ("autograd", "nn", "viz", "backprop", "inputfiles")),
    contextlib.__file__,
)


def warn_at_caller(message: str, category: type[Warning]) -> None:
    """warnings.warn(message, category) at the line that called into this distribution."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_INSIDE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
