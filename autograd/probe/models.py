"""The classic bugs of a micrograd-style engine, each as a changed backward run on this engine's graph.

A bug matches when the changed backward gives exactly what the learner's class gave on every probe of
the op: the report can then name it ("`=` instead of `+=`") rather than guess from one number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd.graph import topological_order
from autograd.probe.forms import Form, Slip
from autograd.probe.graphs import Graph
from autograd.probe.outcomes import Outcome, run
from autograd.value import Value

NOT_WRAPPED = "the number is not made a Value: `other = other if isinstance(other, Value) else Value(other)`"
NO_ORDER = (
    "no topological order: backward() must call each node's _backward after every node that uses it "
    "(reversed(topo)), so that its grad is complete; here it {}"
)


@dataclass(frozen=True)
class Change:
    """How a backward differs from the engine's, for the nodes one form makes (or for the walk)."""

    form: str | None = None
    assign: tuple[int, ...] = ()  # the operands whose grad is set (=) rather than added to (+=)
    unscaled: tuple[int, ...] = ()  # the operands whose local derivative is not multiplied by the output's grad
    derivatives: Callable[[tuple[float, ...], Any, float], tuple[float, ...]] | None = None  # (operands, numbers, out)
    walk: str = "reversed topological order"
    reverse_operands: bool = False  # the walk takes a node's operands last first (a set's order is arbitrary)
    override: dict[str, Callable[..., Any]] = field(default_factory=dict)  # forms computed otherwise


@dataclass(frozen=True)
class Model:
    """A classic bug: its description and the changes that give it (any one of them)."""

    text: str
    changes: tuple[Change, ...]

    def explains(self, graphs: Sequence[Graph], received: Sequence[Outcome]) -> bool:
        """For every graph, one of the changes gives exactly what was received (a set's order may differ)."""
        return all(any(simulated(g, change).agrees(r) for change in self.changes) for g, r in zip(graphs, received))


def simulated(graph: Graph, change: Change) -> Outcome:
    """What a backward with change gives for graph, computed on this engine's graph of it."""
    built = graph.build(Value, change.override)
    made = {id(built[i]): node.numbers for i, node in enumerate(graph.nodes) if node.form and node.form == change.form}
    root = built[-1]
    grads: dict[Value, float] = {root: 1.0}
    for node in WALKS[change.walk](root, change.reverse_operands):
        g = grads.get(node, 0.0)
        numbers = made.get(id(node))
        local = node.local_grads if numbers is None else _changed(node, numbers, change)
        values = [k for k, p in enumerate(node.parents) if not p.is_constant]  # the form's Value operands
        for k, (parent, d) in enumerate(zip(node.parents, local)):
            operand = values.index(k) if numbers is not None and k in values else None
            term = d if operand in change.unscaled else d * g
            grads[parent] = term if operand in change.assign else grads.get(parent, 0.0) + term
    return Outcome(root.data, tuple(grads.get(built[i], 0.0) for i in graph.inputs))


def _changed(node: Value, numbers: tuple[float, ...], change: Change) -> tuple[float, ...]:
    """node's local derivatives as change has them, for each parent (0 for a number's)."""
    if change.derivatives is None:
        return node.local_grads
    values = [k for k, p in enumerate(node.parents) if not p.is_constant]
    wrong = change.derivatives(tuple(node.parents[k].data for k in values), numbers, node.data)
    local = [0.0] * len(node.parents)
    for k, d in zip(values, wrong):
        local[k] = float(d)
    return tuple(local)


def _reversed_topological(root: Value, _: bool) -> list[Value]:
    return topological_order(root)


def _leaves_first(root: Value, _: bool) -> list[Value]:
    return topological_order(root)[::-1]


def _operands(node: Value, reverse: bool) -> list[Value]:
    unique = list(dict.fromkeys(node.parents))  # micrograd's _prev is a set
    return unique[::-1] if reverse else unique


def _first_reached(root: Value, reverse: bool) -> list[Value]:
    """Depth first from the output, each node once, when first reached."""
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            order.append(node)
            stack.extend(_operands(node, not reverse))
    return order


def _per_path(root: Value, reverse: bool) -> Iterator[Value]:
    """A recursive backward that calls each node's _backward every time a path reaches it."""
    stack, count = [root], 0
    while stack and count < 10_000:
        node = stack.pop()
        count += 1
        yield node
        stack.extend(_operands(node, not reverse))


def _breadth_first(root: Value, reverse: bool) -> list[Value]:
    order, seen = [root], {root}
    for node in order:
        for parent in _operands(node, reverse):
            if parent not in seen:
                seen.add(parent)
                order.append(parent)
    return order


WALKS: dict[str, Callable[[Value, bool], Any]] = {
    "reversed topological order": _reversed_topological,
    "goes through topo leaves first (topo, not reversed(topo))": _leaves_first,
    "calls each node's _backward once, as first reached from the output": _first_reached,
    "recurses through _prev, calling _backward once for every path to a node": _per_path,
    "calls each node's _backward once, breadth first from the output": _breadth_first,
}


def walk_models() -> list[Model]:
    """Backward without a topological order, each way a learner walks the graph instead."""
    return [
        Model(NO_ORDER.format(walk), tuple(Change(walk=walk, reverse_operands=r) for r in (False, True)))
        for walk in list(WALKS)[1:]
    ]


ASSIGNED = "{} instead of `+=` in _backward: an input used twice keeps one path's gradient"
UNSCALED = (
    "the gradient passed to {} is not multiplied by the output's (`* out.grad` missing in _backward): "
    "right alone, wrong inside a larger expression"
)
REFLECTED = "{} computes {}: the reflected method must put the number first"
SWAPPED = "a wrong local derivative: each operand gets the other's (d/da and d/db swapped)"


def form_models(form: Form, factors: dict[int, float]) -> list[Model]:
    """The classic bugs of one form, most specific first; factors: an operand's gradient over the right one."""
    models = []
    if form.reflected:
        text, apply = form.reflected
        models.append(Model(REFLECTED.format(form.name, text), (Change(override={form.name: apply}),)))
    models += _chain_models(form)
    models += [_slip_model(form.name, slip) for slip in form.slips]
    return models + _local_models(form, factors)


def graph_models(forms: Sequence[Form]) -> list[Model]:
    """The bugs a graph of forms can show when each form agrees alone: in the walk, or in how grads add up."""
    return walk_models() + [model for form in forms for model in _chain_models(form)]


def _chain_models(form: Form) -> list[Model]:
    """`=` for `+=`, or no `* out.grad`, for all of the form's operands, then for each."""
    who = ("self", "other")[: form.arity]
    operands = [(tuple(range(form.arity)), who)] + ([((k,), (w,)) for k, w in enumerate(who)] if form.arity > 1 else [])
    assigned = [
        Model(ASSIGNED.format(" and ".join(f"`{w}.grad = …`" for w in ws)), (Change(form.name, ks),))
        for ks, ws in operands
    ]
    unscaled = [Model(UNSCALED.format(" and ".join(ws)), (Change(form.name, unscaled=ks),)) for ks, ws in operands]
    return assigned + unscaled


def _slip_model(name: str, slip: Slip) -> Model:
    rule = slip.rule
    change = Change(name, derivatives=lambda xs, numbers, out: rule(*xs, *numbers, out))
    return Model(f"a wrong local derivative: {slip.text}", (change,))


def _local_models(form: Form, factors: dict[int, float]) -> list[Model]:
    """Wrong local derivatives any op can have: none, the wrong sign, a wrong factor, the operands' swapped."""
    models = []
    for k, x in enumerate("ab"[: form.arity]):
        wrong = [
            (f"no gradient reaches {x}: _backward never adds to its grad", 0.0),
            (f"a wrong local derivative: d/d{x} has the wrong sign", -1.0),
        ]
        if k in factors:
            wrong.append((f"a wrong local derivative: d/d{x} is {factors[k]:.6g} times the right one", factors[k]))
        models += [Model(text, (Change(form.name, derivatives=_scaled(form, k, scale)),)) for text, scale in wrong]
    if form.arity == 2:
        models.append(Model(SWAPPED, (Change(form.name, derivatives=_swapped(form)),)))
    return models


def _right(form: Form, xs: tuple[float, ...], numbers: tuple[Any, ...]) -> tuple[float, ...]:
    """form's right local derivatives at xs, from this engine."""
    return run(Graph.of(form, (*xs, *numbers)), Value).grads


def _scaled(form: Form, k: int, scale: float) -> Callable[..., tuple[float, ...]]:
    def derivatives(xs: tuple[float, ...], numbers: tuple[Any, ...], out: float) -> tuple[float, ...]:
        right = list(_right(form, xs, numbers))
        right[k] *= scale
        return tuple(right)

    return derivatives


def _swapped(form: Form) -> Callable[..., tuple[float, ...]]:
    return lambda xs, numbers, out: _right(form, xs, numbers)[::-1]
