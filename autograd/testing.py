"""Checking your own micrograd-style engine against this one, for your tests and notebooks.

``check_engine(Value)`` probes each op your ``Value`` class has, alone and combined, then random expression
graphs, a deep chain and backward() called twice, each against ``autograd.Value``, in a child process
with a time limit per probe and a memory limit; it returns the report (shown as a table in Jupyter).
``assert_engine_matches(Value)`` raises AssertionError with the report when any op is wrong.
"""

from __future__ import annotations

from typing import Any

from autograd.probe.plan import probe
from autograd.probe.report import EngineReport
from autograd.probe.tasks import InputError
from autograd.probe.worker import check_spec


class EngineInputError(ValueError):
    """The class cannot be probed: no such file, module or class, or it cannot be built from a float."""


def check_engine(
    engine: Any, *, time_limit: float = 10.0, memory_limit: float = 1024, graphs: int = 100, seed: int = 0
) -> EngineReport:
    """The report on engine: a micrograd-style Value class, or "FILE.py:CLASS" / "package.module:CLASS".

    time_limit: seconds for each probe; memory_limit: megabytes the child process may grow by (Linux);
    graphs: how many random expression graphs; seed: which. EngineInputError if it cannot be probed.
    """
    if not time_limit > 0 or not memory_limit > 0 or graphs < 0:
        raise ValueError(
            f"check_engine: the limits must be positive and graphs at least 0, got time_limit={time_limit!r}, "
            f"memory_limit={memory_limit!r}, graphs={graphs!r}"
        )
    try:
        if isinstance(engine, str):
            check_spec(engine)
        return probe(engine, _subject(engine), time_limit, memory_limit, graphs, seed)
    except InputError as e:
        raise EngineInputError(str(e)) from None


def assert_engine_matches(engine: Any, **limits: Any) -> EngineReport:
    """The report on engine if every op agrees with this engine, else AssertionError whose message is the report."""
    report = check_engine(engine, **limits)
    if not report.ok:
        raise AssertionError(f"\n{report}")
    return report


def _subject(engine: Any) -> str:
    if isinstance(engine, str):
        return engine
    return f"{getattr(engine, '__module__', '?')}.{getattr(engine, '__qualname__', repr(engine))}"
