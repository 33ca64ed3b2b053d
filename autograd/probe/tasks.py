"""The probes a child process runs on the learner's class, one task each: what the class has, each op alone
and combined with others, backward() over shared nodes, random expressions, a deep chain, backward()'s rules.

Each compares the class with this engine on expression graphs and returns a report row.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from autograd.graph import topological_order
from autograd.probe.forms import BY_NAME, FORMS, HELPERS, Form
from autograd.probe.graphs import NICE, Graph, Node, random_graph, shrunk
from autograd.probe.models import NOT_WRAPPED, Model, form_models, graph_models, walk_models
from autograd.probe.outcomes import PROBLEMS, Outcome, close, describe, learner_frame, run
from autograd.probe.report import AGREE, NOTE, WRONG, Failure, Row
from autograd.value import Value


class InputError(Exception):
    """The class cannot be probed: it is not there, or it cannot be built from a float."""


@dataclass(frozen=True)
class Api:
    """What of micrograd's API the class has: the forms it has and has not (some with why), and zero_grad."""

    found: tuple[str, ...]
    absent: tuple[str, ...]
    zero_grad: bool


def discover(cls: Any, subject: str) -> Api:
    """The forms cls has; InputError if it cannot be built from a float, or lacks .data, .grad or backward()."""
    value = _built(cls, subject)
    found, absent = [], []
    for form in FORMS:
        refused = run(Graph.of(form, form.points[0]), cls).error if form.tried else None
        if not hasattr(type(value), form.needs) or refused:
            absent.append(f"{form.name} ({refused.split(' (in ')[0]})" if refused else form.name)
        else:
            found.append(form.name)
    if not found:
        raise InputError(
            f"{subject}: {cls.__name__} has none of micrograd's operators and methods (+, *, **, relu()...)"
        )
    return Api(tuple(found), tuple(absent), callable(getattr(value, "zero_grad", None)))


def _built(cls: Any, subject: str) -> Any:
    """cls(1.5), or InputError saying why the probe cannot use it."""
    if not isinstance(cls, type):
        raise InputError(f"{subject} is {type(cls).__name__} {cls!r:.60}, not a class")
    made = f"{subject}: {cls.__name__}(1.5)"
    try:
        value = cls(1.5)
    except PROBLEMS as e:
        raise InputError(f"{made} raised {describe(e)}; the probe builds each input from a float") from None
    for attribute in ("data", "grad", "backward"):
        if not hasattr(value, attribute):
            raise InputError(f"{made} has no .{attribute}: the probe needs .data, .grad and backward()")
    if not isinstance(value.data, int | float) or value.data != 1.5:
        raise InputError(f"{made}.data is {value.data!r:.60}, not 1.5: the probe reads a number from .data")
    return value


def alone(cls: Any, name: str) -> Row:
    """The form by itself at each of its points."""
    form = BY_NAME[name]
    return _form_row(cls, form, [Graph.of(form, point) for point in form.points])


def combined(cls: Any, name: str, helpers: Sequence[str]) -> Row:
    """The form alone, times another input (so its output's grad is not 1), and with an input used twice."""
    form = BY_NAME[name]
    point = form.points[0]
    inputs, numbers = tuple(Node(value=x) for x in point[: form.arity]), tuple(point[form.arity :])
    step, n = Node(name, tuple(range(form.arity)), numbers), form.arity
    graphs = [Graph.of(form, p) for p in form.points]
    if "a * b" in helpers:  # f(a) * c: the output's grad is c
        graphs.append(Graph((*inputs, Node(value=3.0), step, Node("a * b", (n + 1, n)))))
    if form.arity == 2:  # f(a, a)
        graphs.append(Graph((inputs[0], Node(name, (0, 0), numbers))))
    join = next((h for h in HELPERS if h in helpers), None)
    if join:  # f(a, b) + a: a reaches the output by two paths
        graphs += [Graph((*inputs, step, Node(join, (n, k)))) for k in range(n)]
    return _form_row(cls, form, graphs)


def _form_row(cls: Any, form: Form, graphs: list[Graph]) -> Row:
    """The form's row: agree, or the smallest failing graph and the classic bug that gives what was received."""
    expected = [run(g, Value) for g in graphs]
    received = [run(g, cls) for g in graphs]
    kinks = [_alone(form, g) and g.nodes[0].value in form.kinks for g in graphs]
    notes, failing = [], []
    for g, e, r, kink in zip(graphs, expected, received, kinks):
        if kink and r.error is None and close(e.value, r.value) and not r.agrees(e):
            notes.append(
                f"at {g.point()}, a kink, d/da is {r.grads[0]:g}; PyTorch and this engine give {e.grads[0]:g} "
                "(any value between the slopes on either side is a subgradient)"
            )
        elif not r.agrees(e):
            failing.append((g, e, r))
    if not failing:
        return Row(form.name, AGREE, note="\n".join(notes))
    g, e, r = min(failing, key=lambda t: t[0].size()[:3])  # the fewest ops and inputs; then the plainest point
    plain = [(g, e, r) for g, e, r, kink in zip(graphs, expected, received, kinks) if not kink]
    bug = _bug(form, plain)
    return Row(form.name, WRONG, Failure(g.text(), g.point(), tuple(g.names()), e, r, bug), "\n".join(notes))


def _bug(form: Form, checks: list[tuple[Graph, Outcome, Outcome]]) -> str | None:
    """The classic bug that gives exactly what the class gave on every check, if one does."""
    errors = [r.error for _, _, r in checks if r.error]
    if errors:
        written = any(c.isdigit() for c in form.text)  # a number written in the form: a + 2, 2 - a
        unwrapped = written and any("object has no attribute 'data'" in e for e in errors)
        return NOT_WRAPPED if unwrapped else None
    factors: dict[int, float] = {}
    for g, e, r in checks:
        if _alone(form, g):  # the gradients are the local derivatives
            for k, (want, got) in enumerate(zip(e.grads, r.grads)):
                if want and not close(want, got):
                    factors.setdefault(k, got / want)
    models = form_models(form, factors) + walk_models()
    return _explaining(models, [g for g, _, _ in checks], [r for _, _, r in checks])


def _alone(form: Form, graph: Graph) -> bool:
    return len(graph.nodes) == form.arity + 1


def _explaining(models: list[Model], graphs: list[Graph], received: list[Outcome]) -> str | None:
    return next((m.text for m in models if m.explains(graphs, received)), None)


def _wrong(cls: Any, name: str, graph: Graph, outcomes: tuple[Outcome, Outcome], models: list[Model]) -> Row:
    """The row of a graph that fails: the bug must also give what cls gives for it at other points."""
    expected, received = outcomes
    others = [g for g in _elsewhere(graph) if _valid(g) is not None]
    graphs, given = [graph, *others], [received, *(run(g, cls) for g in others)]
    bug = None if any(r.error for r in given) else _explaining(models, graphs, given)
    return Row(name, WRONG, Failure(graph.text(), graph.point(), tuple(graph.names()), expected, received, bug))


def _elsewhere(graph: Graph) -> list[Graph]:
    """graph with one input at another plain value, for each input and value."""
    nodes = graph.nodes
    return [
        Graph((*nodes[:i], replace(nodes[i], value=x), *nodes[i + 1 :]))
        for i in graph.inputs
        for x in NICE[:4]
        if x != nodes[i].value
    ]


SHARED = (  # t = a * b; t + (t * c)  and  t = a + b; (t * c) * t
    Graph.over((1.5, -0.5, 3.0), ("a * b", (0, 1)), ("a * b", (3, 2)), ("a + b", (3, 4))),
    Graph.over((1.5, -0.5, 3.0), ("a + b", (0, 1)), ("a * b", (3, 2)), ("a * b", (4, 3))),
)


def shared_nodes(cls: Any, name: str) -> Row:
    """backward() through an intermediate node that two others use: it must wait for both."""
    models = graph_models([BY_NAME[h] for h in HELPERS])
    for graph in SHARED:
        expected, received = run(graph, Value), run(graph, cls)
        if not received.agrees(expected):
            return _wrong(cls, name, graph, (expected, received), models)
    return Row(name, AGREE, note="  and  ".join(g.text() for g in SHARED))


def random_expressions(cls: Any, name: str, names: Sequence[str], count: int, seed: int, seconds: float) -> Row:
    """count random graphs over the forms named, the first that fails shrunk to the smallest that still fails."""
    forms, rng, start, tried = [BY_NAME[n] for n in names], random.Random(seed), time.monotonic(), 0
    failed: dict[Graph, tuple[Outcome, Outcome]] = {}  # what a graph gave when it failed, kept: a set's order
    for _ in range(count * 20):  # can make a class give other gradients each time. Most draws are valid: this
        if tried == count or time.monotonic() - start > seconds:  # bounds the loop, not the count
            break
        graph = random_graph(rng, forms)
        if _valid(graph) is None:
            continue
        tried += 1
        if _fails(graph, cls, failed):
            small = shrunk(graph, lambda g: _fails(g, cls, failed))
            used = dict.fromkeys(node.form for node in small.nodes if node.form)
            return _wrong(cls, name, small, failed[small], graph_models([BY_NAME[f] for f in used]))
    note = f"{tried} expressions of 2 to 5 ops over the {len(names)} ops that agree"
    return Row(name, AGREE, note=note + (" (all there was time for)" if tried < count else ""))


def _fails(graph: Graph, cls: Any, failed: dict[Graph, tuple[Outcome, Outcome]]) -> bool:
    """graph is valid and cls disagrees on it; if so, both outcomes are kept in failed."""
    expected = _valid(graph)
    if expected is None:
        return False
    received = run(graph, cls)
    if not received.agrees(expected):
        failed[graph] = (expected, received)
    return graph in failed


def _valid(graph: Graph) -> Outcome | None:
    """This engine's outcome for graph, or None where the graph is a poor test: out of an op's domain, at a
    kink (relu at 0), or with values so large that float rounding differs between correct engines."""
    try:
        built = graph.build(Value)
    except PROBLEMS:
        return None
    for node, value in zip(graph.nodes, built):
        kinks = BY_NAME[node.form].kinks if node.form else ()
        if abs(value.data) > 50 or any(built[i].data in kinks for i in node.args):
            return None
    outcome = run(graph, Value)
    return outcome if outcome.error is None and all(abs(g) < 1e4 for g in outcome.grads) else None


RECURSION = (
    "backward() raised RecursionError{}: it recurses once per node, and Python stops at {} frames. Fix: "
    "build the topological order with a loop and a list as a stack (as autograd/graph.py does); "
    "sys.setrecursionlimit only moves the limit, and a deep enough graph then crashes Python"
)


def deep_chain(cls: Any, name: str, helper: str, depth: int) -> Row:
    """t = a, then t = t + b depth times (or t * b with b = 1): backward() must not recurse once per node."""
    apply = BY_NAME[helper].apply
    expected = _chain(Value, apply, depth)
    try:
        received = _chain(cls, apply, depth)
    except RecursionError as e:
        where = learner_frame(e)
        return Row(name, NOTE, note=RECURSION.format(f" in {where}" if where else "", sys.getrecursionlimit()))
    except PROBLEMS as e:
        received = Outcome(error=describe(e))
    if received.agrees(expected):
        return Row(name, AGREE)
    text = f"t = a; then t = {BY_NAME[helper].text.format('t', 'b')} {depth} times"
    return Row(name, WRONG, Failure(text, "a = 0.5, b = 1.0", ("a", "b"), expected, received))


def _chain(make: Any, apply: Any, depth: int) -> Outcome:
    a, b = make(0.5), make(1.0)
    t = a
    for _ in range(depth):
        t = apply(t, b)
    t.backward()
    return Outcome(float(t.data), (float(a.grad), float(b.grad)))


TWICE = Graph.over((1.5, -0.5, 3.0), ("a * b", (0, 1)), ("a * b", (3, 2)))  # (a * b) * c


def backward_twice(cls: Any, name: str) -> Row:
    """What a second backward() does, against micrograd's rule (every node keeps its grad) and PyTorch's (+1 pass)."""
    one, micrograd = run(TWICE, Value).grads[0], _micrograd_twice(TWICE)
    try:
        built = TWICE.build(cls)
        built[-1].backward()
        built[-1].backward()
        twice = float(built[0].grad)
    except PROBLEMS as e:
        return Row(name, NOTE, note=f"{TWICE.text()}: calling backward() twice raised {describe(e)}")
    said = f"{TWICE.text()}: after two calls a.grad is {twice / one:g} times one call's"
    if close(twice, micrograd):
        rule = (
            "as in micrograd: every node keeps its grad, so the second call passes the first call's on again "
            "through t; PyTorch and this engine add exactly one pass per call (2 times). Set the grads to 0 "
            "between calls"
        )
    elif close(twice, 2 * one):
        rule = "as in PyTorch and this engine: each call adds one pass"
    else:
        rule = f"(micrograd's rule gives {micrograd / one:g} times, PyTorch's 2 times)"
    return Row(name, NOTE, note=f"{said}, {rule}")


def _micrograd_twice(graph: Graph) -> float:
    """a's grad after two of micrograd's backward(): each sets the output's grad to 1 and adds to every other."""
    built = graph.build(Value)
    root, grads = built[-1], {}
    order = topological_order(root)
    for _ in range(2):
        grads[root] = 1.0
        for node in order:
            for parent, d in zip(node.parents, node.local_grads):
                grads[parent] = grads.get(parent, 0.0) + d * grads.get(node, 0.0)
    return grads[built[0]]


def zero_grad(cls: Any, name: str) -> Row:
    """What out.zero_grad() zeroes, and whether backward() after it gives one pass again."""
    one = run(TWICE, Value).grads[0]
    try:
        a, _, _, t, out = TWICE.build(cls)
        out.backward()
        out.zero_grad()
        kept = [n for n, v in (("a", a), ("t", t), ("out", out)) if float(v.grad) != 0.0]
        out.backward()
        again = float(a.grad)
    except PROBLEMS as e:
        return Row(name, NOTE, note=f"{TWICE.text()}: backward(), out.zero_grad(), backward() raised {describe(e)}")
    if close(again, one):
        return Row(name, NOTE, note=f"{TWICE.text()}: out.zero_grad() then backward() gives one pass again")
    return Row(
        name,
        NOTE,
        note=f"{TWICE.text()}: out.zero_grad() leaves the grad of {' and '.join(kept) or 'no node'}, so backward() "
        f"after it gives a.grad = {again:g}, not one pass's {one:g}: what it leaves is passed on again",
    )


TASKS = {
    f.__name__: f
    for f in (discover, alone, combined, shared_nodes, random_expressions, deep_chain, backward_twice, zero_grad)
}
