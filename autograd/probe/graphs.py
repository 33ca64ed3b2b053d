"""Expression graphs over the forms: built with either engine, written as Python, drawn at random, shrunk."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from autograd.probe.forms import BY_NAME, Form

NICE = (1.0, 2.0, -1.0, 0.5, -2.0, 1.5, 3.0, -0.5)  # the values a shrunk expression is tried at, plainest first


@dataclass(frozen=True)
class Node:
    """An input (form None, with its value) or a form applied to earlier nodes (by index) and numbers."""

    form: str | None = None
    args: tuple[int, ...] = ()
    numbers: tuple[float, ...] = ()
    value: float = 0.0


@dataclass(frozen=True)
class Graph:
    """Nodes in order, inputs first; the last is the output. Inputs are named a, b, c…"""

    nodes: tuple[Node, ...]

    @staticmethod
    def of(form: Form, point: Sequence[float]) -> Graph:
        """form alone at point (its Value operands, then its numbers)."""
        inputs = tuple(Node(value=x) for x in point[: form.arity])
        return Graph((*inputs, Node(form.name, tuple(range(form.arity)), tuple(point[form.arity :]))))

    @staticmethod
    def over(values: Sequence[float], *steps: tuple[str, tuple[int, ...]]) -> Graph:
        """Inputs at values, then each (form, argument indices) in turn."""
        return Graph((*(Node(value=x) for x in values), *(Node(form, args) for form, args in steps)))

    @property
    def inputs(self) -> list[int]:
        return [i for i, node in enumerate(self.nodes) if node.form is None]

    def names(self) -> list[str]:
        """The inputs' names, in order."""
        return [chr(ord("a") + k) for k in range(len(self.inputs))]

    def build(self, make: Callable[[float], Any], override: dict[str, Callable[..., Any]] | None = None) -> list[Any]:
        """Every node's value in the engine whose leaves make makes; override runs some forms differently."""
        built: list[Any] = []
        for node in self.nodes:
            if node.form is None:
                built.append(make(node.value))
            else:
                apply = (override or {}).get(node.form) or BY_NAME[node.form].apply
                built.append(apply(*(built[i] for i in node.args), *node.numbers))
        return built

    def text(self) -> str:
        """The expression as Python over a, b, c…; a node used twice gets a name: "t = a * b; t + t * c"."""
        names = dict(zip(self.inputs, self.names()))
        uses = [0] * len(self.nodes)
        for node in self.nodes:
            for i in node.args:
                uses[i] += 1
        shared = [i for i, node in enumerate(self.nodes[:-1]) if node.form and uses[i] > 1]
        lines = []
        for k, i in enumerate(shared, 1):
            name = "t" if len(shared) == 1 else f"t{k}"
            lines.append(f"{name} = {self._written(i, names)}")
            names[i] = name
        return "; ".join([*lines, self._written(len(self.nodes) - 1, names)])

    def _written(self, i: int, names: dict[int, str]) -> str:
        node = self.nodes[i]
        text = BY_NAME[node.form].text
        operands = [names.get(j) or self._written(j, names) for j in node.args]
        operands = [  # brackets around an operand, unless it is a name or a call, or the form has its own: abs(a + b)
            x if j in names or f"({{{k}}})" in text or BY_NAME[self.nodes[j].form].text.endswith(")") else f"({x})"
            for k, (j, x) in enumerate(zip(node.args, operands))
        ]
        return text.format(*operands, *node.numbers)

    def point(self) -> str:
        """The inputs' values: "a = 1.5, b = -0.5"."""
        return ", ".join(f"{n} = {self.nodes[i].value!r}" for n, i in zip(self.names(), self.inputs))

    def size(self) -> tuple[int, ...]:
        """What shrinking makes smaller: steps, inputs, references to steps, then how plain the values are."""
        steps = [node for node in self.nodes if node.form]
        to_steps = sum(self.nodes[i].form is not None for node in steps for i in node.args)
        plain = sum(_plainness(self.nodes[i].value) for i in self.inputs)
        return (len(steps), len(self.inputs), to_steps, plain)


def _plainness(x: float) -> int:
    return NICE.index(x) if x in NICE else len(NICE) + len(repr(x))


def pruned(nodes: Sequence[Node], out: int) -> Graph:
    """The graph of what node out depends on, renumbered, with out last."""
    kept, stack = {out}, [out]
    while stack:
        for i in nodes[stack.pop()].args:
            if i not in kept:
                kept.add(i)
                stack.append(i)
    order = sorted(kept)
    new = {old: k for k, old in enumerate(order)}
    return Graph(tuple(replace(nodes[i], args=tuple(new[j] for j in nodes[i].args)) for i in order))


def random_graph(rng: random.Random, forms: Sequence[Form], inputs: int = 3, steps: int = 5) -> Graph:
    """A random graph of 2 to steps forms over inputs inputs; later nodes reuse earlier ones often."""
    nodes = [Node(value=round(rng.uniform(-2.0, 2.0), 1) or 1.0) for _ in range(inputs)]
    for _ in range(rng.randint(2, steps)):
        form = rng.choice(forms)
        args = tuple(rng.randrange(len(nodes)) for _ in range(form.arity))
        nodes.append(Node(form.name, args, rng.choice(form.numbers)))
    return pruned(nodes, len(nodes) - 1)


def smaller(graph: Graph) -> Iterator[Graph]:
    """Graphs one change smaller than graph: a sub-expression, a step skipped, a step replaced by an input,
    or an input at a plainer value."""
    nodes, out = graph.nodes, len(graph.nodes) - 1
    steps = [i for i, node in enumerate(nodes) if node.form]
    for k in steps[:-1]:
        yield pruned(nodes, k)
    for k in steps:
        for j in dict.fromkeys(nodes[k].args):
            yield pruned(
                [replace(n, args=tuple(j if i == k else i for i in n.args)) for n in nodes], j if k == out else out
            )
    for k in steps:
        for p, arg in enumerate(nodes[k].args):
            for i in graph.inputs if nodes[arg].form else ():
                args = (*nodes[k].args[:p], i, *nodes[k].args[p + 1 :])
                yield pruned([*nodes[:k], replace(nodes[k], args=args), *nodes[k + 1 :]], out)
    for i in graph.inputs:
        for x in NICE[: _plainness(nodes[i].value)]:
            yield Graph((*nodes[:i], replace(nodes[i], value=x), *nodes[i + 1 :]))


def shrunk(graph: Graph, fails: Callable[[Graph], bool], budget: int = 400) -> Graph:
    """The smallest graph, one change at a time from graph, for which fails holds (at most budget tries)."""
    better = True
    while better and budget > 0:
        better = False
        for candidate in smaller(graph):
            if candidate.size() >= graph.size():
                continue
            budget -= 1
            if fails(candidate):
                graph, better = candidate, True
                break
            if budget <= 0:
                break
    return graph
