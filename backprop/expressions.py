"""Any Value graph as a worked example (its named values, a forward pass, gradient-descent steps on its leaves),
and expression specs: TOML files of named leaves with values and named expressions over them.

A graph's names are its labels; an unlabelled intermediate is shown by its formula, an unlabelled leaf as its
number, an unlabelled root as "loss" (what the explanations call it).
"""

from __future__ import annotations

import ast
import importlib.resources
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nn
from autograd import OPS, Value, topological_order
from backprop.errors import DocumentError
from backprop.quantities import OPERATORS, QuantityError, chain, parse_formula, python_spelling, replay
from inputfiles import FieldReader, Path_, check_tree, names_near, parse_toml, quoted, read_text, shown

EXPRESSIONS_KEY = "expressions"  # a TOML file with top-level expressions is an expression spec
ROOT_NAME = "loss"  # an unlabelled root's name
FIELDS = ("name", "title", "source", "notes", "values", "expressions", "output", "learning_rate")
MAX_NAMES = 10_000  # values and expressions of one spec: every view lists each of them
MAX_LENGTH = 2_000  # characters of one expression: a sum of 200 terms a1 + ... + a200 fits
FORMAT = """\
An expression spec is TOML: named values and named expressions over them, e.g. Karpathy's
L = (a·b + c)·f. Fields (* = required):
  name           a name for it (default: the file's name without .toml)
  title, source  one line saying what it is; where it comes from
  notes          a string or a list of strings
  [values]*      name = number, one per leaf: a = 2.0
  [expressions]* name = "formula" over the other names, with + - * / ** ( ) and the op
                 table's functions (exp, log, tanh, sigmoid, relu, ...): e = "a * b", o = "tanh(n)"
  output         the expression the gradients are of (default: the last one)
  learning_rate  a gradient-descent step on the values: value − learning_rate · gradient
                 (without it, the walkthrough shows one forward and backward pass)
Names are Python identifiers; every value and expression must be used by the output.
"""


class ExpressionExample:
    """A Value graph as a worked example: its labelled leaves are what a gradient-descent step changes."""

    def __init__(
        self,
        root: Value,
        *,
        name: str = "expression",
        title: str | None = None,
        source: str = "",
        notes: Sequence[str] = (),
        learning_rate: float | None = None,
    ):
        if not isinstance(root, Value):
            raise TypeError(f"expected a Value, got {type(root).__name__}")
        self.root, self.name, self.title, self.source = root, name, title or name, source
        self.notes, self.learning_rate = tuple(notes), learning_rate
        self.named = _named(root)
        self.loss_name = root.label or ROOT_NAME
        self.trainable = tuple(n for n, v in self.named.items() if not v.parents)
        self.initial = {n: self.named[n].data for n in self.trainable}
        self.current = dict(self.initial)
        self.samples: tuple[nn.Sample, ...] = (nn.Sample((), ()),)
        self.worked_sample = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> ExpressionExample:
        """A copy whose steps leave this one as it is; the graph, which a step never changes, is shared."""
        twin = ExpressionExample.__new__(ExpressionExample)
        twin.__dict__.update(self.__dict__, current=dict(self.current))
        return twin

    def forward(self, sample: int | None = None) -> nn.Pass:
        """The graph recomputed from the leaves' current values, every named value looked up by name."""
        copies = replay(self.root, {self.named[n]: x for n, x in self.current.items()})
        values = {name: copies[node] for name, node in self.named.items()}
        for name in self.trainable:  # fresh leaves: marking them leaves the caller's graph alone
            values[name].meta = {"role": "parameter"}
        loss = copies[self.root]
        if loss is not self.root:
            loss.label, loss.meta = self.loss_name, {"role": "loss"}
        values[self.loss_name] = loss
        return nn.Pass(self.samples[0], 0, values, [loss], loss)

    def step(self, sample: int | None = None) -> nn.Pass:
        """One gradient-descent step on the leaves; returns the pass it was computed from, grads filled in."""
        if self.learning_rate is None:
            raise ValueError(f"{self.name} has no learning rate: it takes no gradient-descent step")
        pass_ = self.forward().backward()
        for name in self.trainable:
            self.current[name] -= self.learning_rate * pass_[name].grad
        return pass_

    def train(self, steps: int, sample: int | None = None) -> list[float]:
        """steps of step(): each step's loss, before its update."""
        return [self.step().loss.data for _ in range(steps)]

    def __getitem__(self, name: str) -> Value:
        """The leaf called name, at its current value."""
        return Value(self.current[name], name)

    def parameter_values(self) -> dict[str, float]:
        """Every leaf's current value by name."""
        return dict(self.current)

    def reset(self) -> None:
        """Every leaf back to its initial value."""
        self.current = dict(self.initial)

    @property
    def heading(self) -> str:
        """The name, then the title if it says more."""
        return self.name if self.title == self.name else f"{self.name}: {self.title}"

    def describe(self) -> str:
        """A few lines: what the expression is, where it comes from, and its notes."""
        rate = f"learning rate {self.learning_rate:g}" if self.learning_rate is not None else "no learning rate"
        lines = [self.heading, *([f"  source: {self.source}"] if self.source else [])]
        lines.append(f"  expression: {self.loss_name} of {', '.join(self.trainable)}; {rate}")
        return "\n".join(lines + [f"  note: {note}" for note in self.notes])

    def __repr__(self) -> str:
        return f"ExpressionExample({self.name!r}, output={self.loss_name!r}, leaves={list(self.trainable)!r})"


def _named(root: Value) -> dict[str, Value]:
    """The labelled nodes of root's graph by label, in the order they are first used (operands left to right)."""
    named: dict[str, Value] = {}
    for node in _in_order(root):
        if node.label:  # micrograd's unlabelled is "", this engine's None
            if node.label in named:
                raise ValueError(f"two values of the graph are labelled {node.label!r}; a name must say which")
            named[node.label] = node
    if ROOT_NAME in named and not root.label:
        raise ValueError(f"a value is labelled {ROOT_NAME!r}, the name of the unlabelled output; label the output")
    return named


def _in_order(root: Value) -> list[Value]:
    """Every node of root's graph once, each after its operands, operands first to last (no recursion)."""
    order: list[Value] = []
    seen = {root}
    stack = [(root, iter(root.parents))]
    while stack:
        _, parents = stack[-1]
        parent = next((p for p in parents if p not in seen), None)
        if parent is None:
            order.append(stack.pop()[0])
        else:
            seen.add(parent)
            stack.append((parent, iter(parent.parents)))
    return order


def examples() -> list[str]:
    """The names of the bundled expressions (a lecture's, worked by hand)."""
    return sorted(p.name.removesuffix(".toml") for p in _bundled().iterdir() if p.name.endswith(".toml"))


def example(name: str) -> ExpressionExample:
    """A fresh copy of the bundled expression called name."""
    if name not in examples():
        raise KeyError(f"no bundled expression named {name!r}; they are {', '.join(examples())}")
    with importlib.resources.as_file(_bundled() / f"{name}.toml") as path:
        return load_expressions(path)


def _bundled() -> Any:
    return importlib.resources.files("backprop.lectures")


def load_expressions(spec: str | Path | Mapping[str, Any], *, where: str | None = None) -> ExpressionExample:
    """The expression a TOML spec describes: a path to a .toml file, or a parsed table (errors: DocumentError)."""
    if not isinstance(spec, str | Path):
        reader = _Reader(where or "<expressions>", "", "expression")
        check_tree(spec, reader.fail)
        return reader.example(spec)
    path = Path(spec)
    text = read_text(path, "expression spec", DocumentError)
    return _Reader(str(path), text, path.stem).example(parse_toml(text, str(path), DocumentError))


class _Reader(FieldReader[DocumentError]):
    """Checks an expression spec field by field: ``file:line: field: message``."""

    error = DocumentError

    def __init__(self, source: str, text: str, stem: str):
        super().__init__(source, text)
        self.stem = stem

    def example(self, spec: Mapping[str, Any]) -> ExpressionExample:
        for key in spec:
            if key not in FIELDS:
                raise self.fail((key,), f"unknown field; the fields are {', '.join(FIELDS)}")
        values = self.values(self.get(spec, ("values",), (dict,)))
        formulas = self.formulas(self.get(spec, (EXPRESSIONS_KEY,), (dict,)), values)
        output = self.get(spec, ("output",), (str,), next(reversed(formulas), ""))
        if output not in formulas:
            known = names_near(formulas, output, "the expressions")
            raise self.fail(("output",), f"no expression named {quoted(output)}; {known}")
        nodes = self.built(values, formulas)
        self.all_used(nodes, output, formulas)
        notes = self.get(spec, ("notes",), (str, list), [])
        notes = [notes] if isinstance(notes, str) else notes
        for i, note in enumerate(notes):
            if not isinstance(note, str):
                raise self.fail(("notes", i), f"expected a string, got {shown(note)}")
        rate = self.get(spec, ("learning_rate",), (int, float), None)
        if rate is not None and (isinstance(rate, bool) or not (math.isfinite(rate) and rate > 0)):
            raise self.fail(("learning_rate",), f"must be a positive number, got {shown(rate)}")
        return ExpressionExample(
            nodes[output],
            name=self.get(spec, ("name",), (str,), self.stem),
            title=self.get(spec, ("title",), (str,), None),
            source=self.get(spec, ("source",), (str,), ""),
            notes=notes,
            learning_rate=None if rate is None else float(rate),
        )

    def name(self, name: str, path: Path_) -> None:
        if not name.isidentifier():
            raise self.fail(path, f"{name!r} is not a name: use letters, digits and _, not starting with a digit")
        if name in OPS:
            raise self.fail(path, f"{name!r} is the name of a function; call the value something else")
        if respelled := python_spelling(name):  # a formula naming it would be read as another name
            raise self.fail(path, respelled)

    def values(self, table: Mapping[str, Any]) -> dict[str, float]:
        if not table:
            raise self.fail(("values",), "needs at least one value, e.g. a = 2.0")
        found = {}
        for name, x in table.items():
            self.name(name, ("values", name))
            if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
                raise self.fail(("values", name), f"expected a finite number, got {shown(x)}")
            found[name] = float(x)
        return found

    def formulas(self, table: Mapping[str, Any], values: Mapping[str, float]) -> dict[str, tuple[ast.expr, str]]:
        """Each expression's tree and text, in an order where each comes after the expressions it uses."""
        if not table:
            raise self.fail((EXPRESSIONS_KEY,), 'needs at least one expression, e.g. e = "a * b"')
        if len(values) + len(table) > MAX_NAMES:
            raise self.fail((EXPRESSIONS_KEY,), f"{len(values) + len(table):,} names; a spec has at most {MAX_NAMES:,}")
        parsed = {}
        for name, text in table.items():
            path = (EXPRESSIONS_KEY, name)
            self.name(name, path)
            if name in values:
                raise self.fail(path, f"{name!r} is a value too; a name is a value or an expression")
            if not isinstance(text, str) or len(text) > MAX_LENGTH:
                raise self.fail(path, f"expected a formula as a string of at most {MAX_LENGTH} characters")
            try:
                tree, names, _ = parse_formula(text)
            except QuantityError as e:
                raise self.fail(path, str(e)) from None
            if not names:
                raise self.fail(path, f"{quoted(text)} uses no name: a number belongs in [values]")
            for used in names:
                if used not in values and used not in table:
                    known = names_near([*values, *table], used)
                    raise self.fail(path, f"{quoted(text)}: unknown name {used!r}; {known}")
            parsed[name] = (tree, text, names)
        return {n: parsed[n][:2] for n in self.ordered({n: p[2] for n, p in parsed.items()}, values)}

    def ordered(self, uses: Mapping[str, Sequence[str]], values: Mapping[str, float]) -> list[str]:
        """The expressions each after those it uses, in the file's order where it can; a cycle is an error."""
        order: list[str] = []
        state: dict[str, int] = {}  # 1: being placed, 2: placed
        for start in uses:
            stack = [(start, iter(uses[start]))]
            state.setdefault(start, 1)
            while stack and state[start] == 1:
                name, below = stack[-1]
                used = next((u for u in below if u in uses and state.get(u) != 2), None)
                if used is None:
                    state[name] = 2
                    order.append(stack.pop()[0])
                elif state.get(used) == 1:
                    path = [n for n, _ in stack]
                    cycle = [*path[path.index(used) :], used]
                    raise self.fail((EXPRESSIONS_KEY, used), f"a cycle: {' → '.join(cycle)}")
                else:
                    state[used] = 1
                    stack.append((used, iter(uses[used])))
        return order

    def built(self, values: Mapping[str, float], formulas: Mapping[str, tuple[ast.expr, str]]) -> dict[str, Value]:
        """Every named value as a node of the engine's graph, each expression labelled with its name."""
        nodes = {name: Value(x, name) for name, x in values.items()}
        for name, (tree, text) in formulas.items():
            try:
                node = _evaluated(tree, nodes)
            except (ArithmeticError, ValueError, TypeError) as e:  # the engine's errors name the op and its operands
                raise self.fail((EXPRESSIONS_KEY, name), f"{quoted(text)} cannot be computed: {e}") from None
            if node.label is not None:  # "d = e" or "d = +e": the node is e's
                itself = f"{quoted(text)} is {node.label} itself; use the name {node.label}"
                raise self.fail((EXPRESSIONS_KEY, name), itself)
            node.label = name
            nodes[name] = node
        return nodes

    def all_used(self, nodes: Mapping[str, Value], output: str, formulas: Mapping[str, Any]) -> None:
        """Refuse a value or expression the output does not use: it would have no gradient to show."""
        used = {node for node in topological_order(nodes[output])}
        for name, node in nodes.items():
            if node not in used:
                field = EXPRESSIONS_KEY if name in formulas else "values"
                raise self.fail((field, name), f"{output} does not use {name}; leave it out or use it")


def _evaluated(tree: ast.expr, nodes: Mapping[str, Value]) -> Any:
    """The formula's tree computed by the engine: a node over the named values (a number where it uses none)."""
    if isinstance(tree, ast.Name):
        return nodes[tree.id]
    if isinstance(tree, ast.Constant):
        return float(tree.value)  # type: ignore[arg-type]
    if isinstance(tree, ast.UnaryOp):
        operand = _evaluated(tree.operand, nodes)
        return -operand if isinstance(tree.op, ast.USub) else operand
    if isinstance(tree, ast.Call):
        return OPS[tree.func.id](*(_evaluated(a, nodes) for a in tree.args))  # type: ignore[attr-defined]
    assert isinstance(tree, ast.BinOp)
    first, rest = chain(tree)  # a1 + a2 + ... + a200 in a loop, not 200 calls deep
    result = _evaluated(first, nodes)
    for op, operand in rest:
        result = OPERATORS[type(op)](result, _evaluated(operand, nodes))
        if isinstance(result, complex):  # numbers alone, (-8) ** (1/3): the engine's pow would refuse it
            raise ValueError("a negative number to a fractional power is not a real number")
    return result


def is_expression_spec(table: Mapping[str, Any]) -> bool:
    """Whether a parsed TOML table is an expression spec (a network spec has layers)."""
    return EXPRESSIONS_KEY in table
