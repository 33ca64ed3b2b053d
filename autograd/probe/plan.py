"""The order of the probes: what the class has, each op alone, each op combined with the ones that agree,
then whole graphs over the ops that agree, and what backward() does when called twice."""

from __future__ import annotations

from typing import Any

from autograd.probe.forms import HELPERS
from autograd.probe.report import AGREE, NOT_RUN, WRONG, EngineReport, Row
from autograd.probe.tasks import Api, InputError
from autograd.probe.worker import MEMORY_LIMITED, Worker

CHAIN = 5000  # ops in the deep chain: five times Python's default recursion limit


def probe(target: Any, subject: str, seconds: float, megabytes: float, count: int, seed: int) -> EngineReport:
    """The report on target (a class, "FILE.py:CLASS" or "package.module:CLASS"); InputError if it cannot be probed."""
    with Worker(target, seconds, megabytes) as worker:
        api = _discovered(worker, subject)
        alone = {name: _row(worker, name, "alone") for name in api.found}
        helpers = tuple(h for h in HELPERS if h in alone and alone[h].status == AGREE)
        rows = {
            name: _row(worker, name, "combined", helpers) if row.status == AGREE else row for name, row in alone.items()
        }
        agreeing = [name for name, row in rows.items() if row.status == AGREE]
        whole = _whole_graphs(worker, api, agreeing, count, seed)
    memory = f"{megabytes:g} MB of memory" if MEMORY_LIMITED else "no memory limit on this platform"
    limits = f"limits: {seconds:g} s a probe, {memory}"
    return EngineReport(subject, api.found, api.absent, (*rows.values(), *whole), limits)


def _discovered(worker: Worker, subject: str) -> Api:
    kind, result = worker.call("discover", subject)
    if kind == "done":
        return result
    if kind == "input":
        raise InputError(result)
    raise InputError(f"{subject}: importing and building the class {result}")


def _row(worker: Worker, name: str, task: str, *args: Any) -> Row:
    """The task's row; a timeout or crash is a wrong row saying so, the probe's own failure a row not run."""
    kind, result = worker.call(task, name, *args)
    if kind == "done":
        return result
    return Row(name, WRONG if kind == "stopped" else NOT_RUN, note=str(result))


def _whole_graphs(worker: Worker, api: Api, agreeing: list[str], count: int, seed: int) -> list[Row]:
    """The probes of whole graphs, each over ops that agree (not run, saying why, where there are none)."""
    both, either = all(h in agreeing for h in HELPERS), next((h for h in HELPERS if h in agreeing), None)
    multiply = "a * b" in agreeing
    planned = [
        ("backward(): a node used twice", both, "needs a + b and a * b to agree", ("shared_nodes",)),
        (
            "random expressions",
            agreeing,
            "no op agrees",
            ("random_expressions", agreeing, count, seed, worker.seconds / 2),
        ),
        (f"a chain of {CHAIN} ops", either, "needs a + b or a * b to agree", ("deep_chain", either, CHAIN)),
        ("backward() twice", multiply, "needs a * b to agree", ("backward_twice",)),
    ]
    if api.zero_grad:
        planned.append(("zero_grad()", multiply, "needs a * b to agree", ("zero_grad",)))
    return [
        _row(worker, name, task, *args) if runs else Row(name, NOT_RUN, note=why)
        for name, runs, why, (task, *args) in planned
    ]
