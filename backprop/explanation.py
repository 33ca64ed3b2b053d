"""Chain-rule explanations: a gradient as the sum, over the paths from the loss to a parameter, of
the products of local derivatives between named values; and an assertion built on them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autograd import Value, grad
from backprop import display
from backprop.claims import number_decimals
from backprop.quantities import replay

# sum and difference nodes pass the gradient on unchanged: a path shows no factor of 1 for them
_PASS_THROUGH = ("sum", "add")


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
    paths: tuple[ChainPath, ...]
    gradient: float  # autograd.grad's value, computed independently of the paths

    @property
    def total(self) -> float:
        """The sum over the paths of their products."""
        return math.fsum(p.product for p in self.paths)

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
        if len(self.paths) > 1:
            lines.append(f"{' ' * (len(lead) - 2)}= {_number(self.total, digits)} (sum of {len(self.paths)} paths)")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        return display.explanation_html(self)


def explain(source: Any, parameter: str, *, of: str | None = None) -> Explanation:
    """∂of/∂parameter (of: the loss by default) for an nn pass or worked example, path by path."""
    pass_ = as_pass(source)
    values = pass_.values
    loss = values[of] if of is not None else pass_.loss
    if parameter not in values:
        raise KeyError(f"no value named {parameter!r}; the names are {', '.join(values)}")
    target = values[parameter]
    graph = NamedGraph(loss)
    return Explanation(
        loss=_name(loss),
        parameter=parameter,
        paths=tuple(graph.paths(target)),
        gradient=grad(loss, [target])[0],
    )


class NamedGraph:
    """The graph between named values: each named value's named operands and the local derivatives."""

    def __init__(self, root: Value):
        self.root = root
        self._edges: dict[Value, list[tuple[Value, float, str | None]]] = {}
        self._reaching: dict[Value, set[Value]] = {}

    def edges(self, node: Value) -> list[tuple[Value, float, str | None]]:
        """(named operand, ∂node/∂operand through unnamed nodes only, the weight it is if any)."""
        if node not in self._edges:
            below = named_operands(node)
            copies = replay(node, {m: m.data for m in below})
            slopes = grad(copies[node], [copies[m] for m in below]) if below else []
            self._edges[node] = [(m, s, _weight_of(node, m)) for m, s in zip(below, slopes)]
        return self._edges[node]

    def reaches(self, node: Value, target: Value) -> bool:
        """True if target is node or a named value below it."""
        memo = self._reaching.setdefault(target, set())
        if node is target or node in memo:
            return True
        stack, seen = [node], {node}
        found = False
        while stack and not found:
            for child, _, _ in self.edges(stack.pop()):
                if child is target or child in memo:
                    found = True
                    break
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        if found:
            memo.add(node)
        return found

    def paths(self, target: Value) -> list[ChainPath]:
        """Every path from the root down to target, as chain-rule factors."""
        found: list[ChainPath] = []
        if target is self.root:
            return [ChainPath((Factor(_name(target), _name(target), 1.0),))]
        stack: list[tuple[Value, tuple[Factor, ...], str]] = [(self.root, (), _name(self.root))]
        while stack:
            node, factors, head = stack.pop()
            for child, slope, weight in reversed(self.edges(node)):
                if not self.reaches(child, target):
                    continue
                top = head  # below a plain sum, the factor's top keeps the sum's name
                if child is target:
                    found.append(ChainPath((*factors, Factor(top, _name(child), slope, weight))))
                elif node.op in _PASS_THROUGH and slope == 1.0:
                    stack.append((child, factors, top))
                else:
                    stack.append((child, (*factors, Factor(top, _name(child), slope, weight)), _name(child)))
        return found


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
    if node.op != "weighted_sum":
        return None
    k = len(node.parents) // 2
    for i in range(k, 2 * k):
        if node.parents[i] is operand:
            return node.parents[i - k].label
    return None


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
    """source itself if it is a pass (named values and a loss), else a worked example's forward pass."""
    if hasattr(source, "forward") and hasattr(source, "samples"):  # a worked example
        source = source.forward()
    if isinstance(getattr(source, "values", None), Mapping) and isinstance(getattr(source, "loss", None), Value):
        return source
    raise TypeError(f"expected an nn worked example or pass, got {type(source).__name__}")


def _name(node: Value) -> str:
    return node.label if node.label is not None else "loss"


def _number(x: float, digits: int) -> str:
    return f"{x:.{digits}g}"
