"""Chain-rule explanations: a gradient as the sum, over the paths from the loss to a parameter, of
the products of local derivatives between named values; and an assertion built on them.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autograd import OPS, Value, grad
from backprop import notebook
from backprop.claims import number_decimals
from backprop.expressions import ExpressionExample
from backprop.quantities import replay
from inputfiles import names_near, quoted

MAX_PATHS = 20  # paths an explanation shows (the largest); the count and the total cover them all


@dataclass(frozen=True)
class Factor:
    """One local derivative ∂of/∂wrt between two named values, at the pass's numbers."""

    of: str
    wrt: str
    value: float
    weight: str | None = None  # the parameter this factor is, when it is ∂net/∂input = a weight

    def symbol(self) -> str:
        """The factor as ∂of/∂wrt."""
        return f"∂{self.of}/∂{self.wrt}"


@dataclass(frozen=True)
class ChainPath:
    """One path from the loss to a parameter: its local derivatives, loss side first."""

    factors: tuple[Factor, ...]

    @property
    def product(self) -> float:
        """The product of the path's factors."""
        return math.prod(f.value for f in self.factors)

    @property
    def nodes(self) -> tuple[str, ...]:
        """The named values along the path, from the loss to the parameter."""
        return (self.factors[0].of, *(f.wrt for f in self.factors))


@dataclass(frozen=True)
class Explanation:
    """∂loss/∂parameter as a sum over chain-rule paths, with the engine's own gradient."""

    loss: str
    parameter: str
    paths: tuple[ChainPath, ...]  # all of them, or the MAX_PATHS with the largest products
    gradient: float  # autograd.grad's value, computed independently of the paths
    count: int  # how many paths there are
    total: float  # the sum over every path of its product

    @property
    def symbol(self) -> str:
        """∂loss/∂parameter."""
        return f"∂{self.loss}/∂{self.parameter}"

    def lines(self, digits: int = 6) -> list[str]:
        """The explanation as text: one line per path, then the total for several paths."""
        if not self.paths:
            return [f"{self.symbol} = 0 ({self.loss} does not depend on {self.parameter})"]
        lines = []
        lead = f"{self.symbol} = "
        for n, path in enumerate(self.paths):
            symbols = " · ".join(f.symbol() for f in path.factors)
            values = " · ".join(_number(f.value, digits) for f in path.factors)
            prefix = lead if n == 0 else " " * (len(lead) - 2) + "+ "
            lines.append(f"{prefix}{symbols}")
            lines.append(f"{' ' * len(lead)}= {values} = {_number(path.product, digits)}")
        hidden = self.count - len(self.paths)
        if hidden:
            lines.append(f"{' ' * (len(lead) - 2)}+ {hidden:,} more paths (the {len(self.paths)} largest are shown)")
        if self.count > 1:
            lines.append(f"{' ' * (len(lead) - 2)}= {_number(self.total, digits)} (sum of {self.count:,} paths)")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        return notebook.explanation_html(self)


def explain(source: Any, parameter: str, *, of: str | None = None, max_paths: int = MAX_PATHS) -> Explanation:
    """∂of/∂parameter (of: the loss by default) for a Value, an nn pass or worked example, path by path.

    At most max_paths paths are kept, those with the largest products; count and total still cover every path.
    """
    return explainer(source, of=of, max_paths=max_paths)(parameter)


def explainer(source: Any, *, of: str | None = None, max_paths: int = MAX_PATHS) -> Callable[[str], Explanation]:
    """explain for one pass and any parameter name: the graph between its named values is read once, not per name."""
    pass_ = as_pass(source)
    values = pass_.values
    loss = values[of] if of is not None else pass_.loss
    graph = NamedGraph(loss)
    gradients: dict[Value, float] = {}  # every named value's, from one backward pass when first asked

    def explained(parameter: str) -> Explanation:
        if parameter not in values:
            raise KeyError(f"no value named {quoted(parameter)}; {names_near(values, parameter)}")
        target = values[parameter]
        if not gradients:
            named = list(dict.fromkeys(values.values()))
            gradients.update(zip(named, grad(loss, named)))
        return Explanation(
            loss=_name(loss),
            parameter=parameter,
            paths=tuple(graph.paths(target, max_paths)),
            gradient=gradients[target],
            count=graph.count(target),
            total=graph.path_sum(target),
        )

    return explained


class NamedGraph:
    """The graph between named values: each named value's named operands and the local derivatives."""

    def __init__(self, root: Value):
        self.root = root
        self._edges: dict[Value, list[tuple[Value, float, str | None]]] = {}
        self._order: list[Value] | None = None
        self._last: tuple[Value, list[tuple[Value, int, Value, float, str | None]]] | None = None

    def edges(self, node: Value) -> list[tuple[Value, float, str | None]]:
        """(named operand, ∂node/∂operand through unnamed nodes only, the weight it is if any)."""
        if node not in self._edges:
            below = named_operands(node)
            copies = replay(node, {m: m.data for m in below})
            slopes = grad(copies[node], [copies[m] for m in below]) if below else []
            self._edges[node] = [(m, s, _weight_of(node, m)) for m, s in zip(below, slopes)]
        return self._edges[node]

    def order(self) -> list[Value]:
        """The named values below the root, each after every value below it (read once)."""
        if self._order is None:
            finished: list[Value] = []
            seen = {self.root}
            stack = [(self.root, iter(self.edges(self.root)))]
            while stack:
                _, below = stack[-1]
                child = next((c for c, _, _ in below if c not in seen), None)
                if child is None:
                    finished.append(stack.pop()[0])
                else:
                    seen.add(child)
                    stack.append((child, iter(self.edges(child))))
            self._order = finished
        return self._order

    def on_paths(self, target: Value) -> list[tuple[Value, int, Value, float, str | None]]:
        """The edges (node, index in its edges, operand, slope, weight) on paths from the root to target.

        Every node's edges come after the edges into it, so one pass over them carries anything from the
        root down to target. The last target's edges are kept: paths, count and path_sum ask in turn.
        """
        if self._last is not None and self._last[0] is target:
            return self._last[1]
        finished = self.order()
        reaching = {target}
        for node in finished:
            if any(c in reaching for c, _, _ in self.edges(node)):
                reaching.add(node)
        found = [
            (node, i, child, slope, weight)
            for node in reversed(finished)
            if node is not target and node in reaching
            for i, (child, slope, weight) in enumerate(self.edges(node))
            if child in reaching
        ]
        self._last = (target, found)
        return found

    def count(self, target: Value) -> int:
        """How many paths lead from the root to target."""
        counts = {self.root: 1}
        for node, _, child, _, _ in self.on_paths(target):
            counts[child] = counts.get(child, 0) + counts[node]
        return counts.get(target, 0)

    def path_sum(
        self,
        target: Value,
        weights: Mapping[str, float] | None = None,
        factors: Mapping[tuple[Value, int], float] | None = None,
    ) -> float:
        """The sum over the paths to target of their products; a factor that is a weight in weights takes its number,
        and the factor of node's i-th edge (node, i) in factors takes that number."""
        weights, factors = weights or {}, factors or {}
        sums = {self.root: 1.0}
        for node, i, child, slope, weight in self.on_paths(target):
            factor = weights.get(weight, slope) if weight else slope
            factor = factors.get((node, i), factor)
            sums[child] = sums.get(child, 0.0) + sums[node] * factor
        return sums.get(target, 0.0)

    def paths(self, target: Value, limit: int | None = None) -> list[ChainPath]:
        """The paths from the root down to target as chain-rule factors, in operand order.

        With a limit, only that many: those with the largest products (a path's best start is among the
        limit best starts into each node it passes, so keeping that many per node is exact).
        """
        if target is self.root:
            return [ChainPath((Factor(_name(target), _name(target), 1.0),))]
        # a path so far: (|product|, the edge indices taken, its factors, the name its next factor starts at)
        Start = tuple[float, tuple[int, ...], tuple[Factor, ...], str]
        starts: dict[Value, list[Start]] = {self.root: [(1.0, (), (), _name(self.root))]}
        found: list[Start] = []
        for node, i, child, slope, weight in self.on_paths(target):
            into = found if child is target else starts.setdefault(child, [])
            for size, taken, factors, head in starts[node]:
                if child is not target and slope == 1.0 and _passes_gradient_on(node):
                    into.append((size, (*taken, i), factors, head))  # below a plain sum, a factor keeps its name
                else:
                    factor = Factor(head, _name(child), slope, weight)
                    into.append((size * abs(slope), (*taken, i), (*factors, factor), _name(child)))
            if limit is not None and len(into) > limit:
                into[:] = heapq.nlargest(limit, into, key=lambda start: start[0])
        return [ChainPath(factors) for _, _, factors, _ in sorted(found, key=lambda start: start[1])]


def named_operands(node: Value) -> list[Value]:
    """The named values node is computed from directly (through unnamed nodes), in operand order."""
    found: list[Value] = []
    seen: set[Value] = set()
    stack = list(reversed(node.parents))
    while stack:
        parent = stack.pop()
        if parent in seen:
            continue
        seen.add(parent)
        if parent.label is not None:
            found.append(parent)
        elif parent.parents:
            stack.extend(reversed(parent.parents))
    return found


def _weight_of(node: Value, operand: Value) -> str | None:
    """The weight paired with operand in node's weighted sum, if operand is one of its inputs."""
    layout = OPS[node.op].layout if node.parents else None
    if layout is None:
        return None
    weights, inputs, _ = layout(node.parents)
    return next((w.label for w, x in zip(weights, inputs) if x is operand), None)


def assert_gradient(
    source: Any, parameter: str, expected: float | str, *, decimals: int | None = None, of: str | None = None
) -> None:
    """Raise AssertionError unless expected equals the engine's ∂loss/∂parameter at its precision.

    The precision is expected's decimal places as written (0.05304 → 5) unless decimals is given;
    the failure message shows both numbers and the chain-rule factors of every path.
    """
    explanation = explain(source, parameter, of=of)
    text = expected if isinstance(expected, str) else repr(float(expected))
    number = float(text.replace(",", "."))
    places = number_decimals(text) if decimals is None else decimals
    engine = explanation.gradient
    if abs(number - engine) <= 0.5 * 10.0**-places * (1 + 1e-9) + 1e-15:
        return
    lines = [
        f"{explanation.symbol}: expected {text} ({places} decimals), "
        f"the engine gives {engine:.{places + 3}f} (difference {number - engine:+.{places + 2}f})",
        *("  " + line for line in explanation.lines()),
    ]
    raise AssertionError("\n".join(lines))


def as_pass(source: Any) -> Any:
    """source itself if it is a pass (named values and a loss), else a worked example's or a Value graph's pass."""
    if isinstance(source, Value):  # any expression: its labels are its names
        source = ExpressionExample(source)
    if hasattr(source, "forward") and hasattr(source, "samples"):  # a worked example
        source = source.forward()
    if isinstance(getattr(source, "values", None), Mapping) and isinstance(getattr(source, "loss", None), Value):
        return source
    raise TypeError(f"expected a Value, an nn worked example or a pass, got {type(source).__name__}")


def _passes_gradient_on(node: Value) -> bool:
    """Whether node's op is a sum, which passes the gradient on unchanged: a path shows no factor of 1 for it."""
    return bool(node.parents) and OPS[node.op].passes_gradient_on


def _name(node: Value) -> str:
    return node.label if node.label is not None else "loss"


def _number(x: float, digits: int) -> str:
    return f"{x + 0.0:.{digits}g}"  # + 0.0: a product with a zero factor shows 0, never -0
