"""Trace once, replay fast: the graph a function of Values builds, compiled to straight-line Python.

The rule: a program replays the one graph f built while it was traced, so f must build the same
graph for every argument. Reading ``.data`` (or ``float()``, ``repr()``, ``.local_grads``,
``grad()``) of a Value that depends on an argument or a parameter, or a ``.grad`` that may differ
between calls, while f is traced raises TraceError, since a branch or a number taken from it would
be replayed unchanged; ``program.check(*args)`` re-traces f at other arguments and raises TraceError
if the graph differs. Numbers f gets from anywhere but its arguments are baked into the program;
parameters (the Values f uses that existed before the trace) are read afresh at every call.
"""

from __future__ import annotations

import math
import numbers
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any, NamedTuple

from autograd import graph, ops
from autograd import value as value_module
from autograd.graph import topological_order
from autograd.ops import OPS, Op
from autograd.value import CONSTANT, Value, as_finite_float, constant


class TraceError(RuntimeError):
    """f cannot be replayed as a fixed program, or a program got other shapes: use the dynamic engine."""


# ---- per-op source templates: the one place that says how generated code computes each op ----------


class Code(NamedTuple):
    """One op in generated code: its value and its local derivative per operand, as expressions."""

    value: str
    local_grads: tuple[str, ...]
    gate: str | None = None  # when this is false, every local derivative is exactly 0.0
    pair: bool = False  # value evaluates to the op's (value, local_grads); then local_grads read "{out}_d"


# What the generator may assume about an op's floats; the overflow checks and shortcuts rely on it.
ARITHMETIC = "arithmetic"  # an inf or nan operand gives inf or nan; may overflow silently; finite locals
SMOOTH = "smooth"  # finite operands give a finite value or an exception; finite local derivatives
SINGULAR = "singular"  # may overflow silently; a local derivative may be infinite (like 1/0)


@dataclass(frozen=True)
class Template:
    """An op's kind and its code: (out, *operands) -> Code, operands being names or literals."""

    kind: str
    code: Callable[..., Code]


# sum() adds floats left to right before Python 3.12 and compensates from 3.12: spell out the same adds.
_ADDS_IN_ORDER = sys.version_info < (3, 12)
_SIGMOID = "1.0 / (1.0 + exp(-{a})) if {a} >= 0.0 else exp({a}) / (1.0 + exp({a}))"  # as ops.sigmoid


def _adds(terms: Sequence[str]) -> str:
    """The expression sum(terms, 0.0) computes, float for float."""
    if not terms:
        return "0.0"
    if _ADDS_IN_ORDER and len(terms) <= 32:  # a longer chain would nest too deep for the compiler
        return " + ".join(("0.0", *terms))
    return f"sum(({', '.join(terms)},), 0.0)"


def _weighted_sum(out: str, *operands: str) -> Code:
    n = len(operands) // 2
    weights, inputs, bias = operands[:n], operands[n : 2 * n], operands[2 * n :]
    total = _adds([f"{w} * {x}" for w, x in zip(weights, inputs)])
    return Code(total + "".join(f" + {b}" for b in bias), (*inputs, *weights, *("1.0" for _ in bias)))


def _pow_const(out: str, a: str, b: str) -> Code:
    exponent = float(b.strip("()"))  # always a number, written as a literal
    if exponent.is_integer() and exponent >= 1.0:  # x ** 2: none of ops.pow_const's special cases
        return Code(f"{a} ** {b}", (f"{b} * {a} ** ({b} - 1.0)", "0.0"))
    return Code(f"pow_const({a}, {b})", (f"{out}_d[0]", f"{out}_d[1]"), pair=True)


TEMPLATES: dict[str, Template] = {
    "add": Template(ARITHMETIC, lambda out, a, b: Code(f"{a} + {b}", ("1.0", "1.0"))),
    "sub": Template(ARITHMETIC, lambda out, a, b: Code(f"{a} - {b}", ("1.0", "-1.0"))),
    "mul": Template(ARITHMETIC, lambda out, a, b: Code(f"{a} * {b}", (b, a))),
    "neg": Template(ARITHMETIC, lambda out, a: Code(f"-{a}", ("-1.0",))),
    "sum": Template(ARITHMETIC, lambda out, *xs: Code(_adds(xs), tuple("1.0" for _ in xs))),
    "weighted_sum": Template(ARITHMETIC, _weighted_sum),
    "div": Template(SINGULAR, lambda out, a, b: Code(f"{a} / {b}", (f"1.0 / {b}", f"-{out} / {b}"))),
    "log": Template(SINGULAR, lambda out, a: Code(f"log({a})", (f"1.0 / {a}",))),
    "sqrt": Template(SINGULAR, lambda out, a: Code(f"sqrt({a})", (f"0.5 / {out} if {out} else inf",))),
    "pow_const": Template(SINGULAR, _pow_const),
    "pow": Template(SINGULAR, lambda out, a, b: Code(f"pow_({a}, {b})", (f"{out}_d[0]", f"{out}_d[1]"), pair=True)),
    "exp": Template(SMOOTH, lambda out, a: Code(f"exp({a})", (out,))),
    "tanh": Template(SMOOTH, lambda out, a: Code(f"tanh({a})", (f"1.0 - {out} * {out}",))),
    "sigmoid": Template(SMOOTH, lambda out, a: Code(_SIGMOID.format(a=a), (f"{out} * (1.0 - {out})",))),
    "relu": Template(SMOOTH, lambda out, a: Code(f"{a} if {a} > 0.0 else 0.0", ("1.0",), gate=f"{a} > 0.0")),
    "softplus": Template(
        SMOOTH, lambda out, a: Code(f"max({a}, 0.0) + log1p(exp(-abs({a})))", (_SIGMOID.format(a=a),))
    ),
    "abs": Template(SMOOTH, lambda out, a: Code(f"abs({a})", (f"(1.0 if {a} > 0.0 else -1.0) if {a} else 0.0",))),
    "sin": Template(SMOOTH, lambda out, a: Code(f"sin({a})", (f"cos({a})",))),
    "cos": Template(SMOOTH, lambda out, a: Code(f"cos({a})", (f"-sin({a})",))),
}

NAMESPACE: dict[str, Any] = {  # the names generated code may use
    "exp": math.exp,
    "log": math.log,
    "log1p": math.log1p,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "inf": math.inf,
    "pow_": ops.pow_.apply,
    "pow_const": ops.pow_const.apply,
}


def apply(op: Op, operands: Sequence[float]) -> tuple[float, tuple[float, ...]]:
    """op's float rule on its operand values, listed in the order of a node's parents."""
    if op is ops.sum_:
        return op.apply(operands)
    if op is ops.weighted_sum:
        n = len(operands) // 2
        return op.apply(operands[:n], operands[n : 2 * n], operands[2 * n] if len(operands) % 2 else None)
    return op.apply(*operands)


# ---- tracing ------------------------------------------------------------------------------------

ARG, PARAM, MADE = "arg", "param", "made"  # leaf kinds besides CONSTANT (a number the engine lifted)


class Node(NamedTuple):
    """One node of a traced graph; a program lists them parents first."""

    op: str  # an op's name, or a leaf's kind: ARG, PARAM, CONSTANT or MADE (a Value f made from a number)
    parents: tuple[int, ...]  # positions in the program's list
    fixed: tuple[bool, ...]  # per parent: the engine fixed the local derivative at 0.0 (a number operand)
    data: float  # a CONSTANT's or MADE leaf's value, an ARG's or PARAM's position
    label: str | None


# The numbers a Value holds, each watched while f runs: f must not take them out or change them.
_SLOTS = {name: Value.__dict__[name] for name in ("data", "grad", "local_grads")}  # the slots' own descriptors
_WHAT = {"data": "the value", "grad": "the gradient", "local_grads": "the local derivatives"}
_ENGINE_FILES = {value_module.__file__, ops.__file__, graph.__file__, __file__}
# Engine functions that hand a Value's numbers to their caller: their reads count as the caller's.
_PASSING_ON = {Value.__float__.__code__, Value.__repr__.__code__, graph.grad.__code__}
_TRACING = threading.RLock()  # the watches replace Value's slots for the whole process: one trace at a time


class _Record:
    """What f did with Values while it was traced (in the tracing thread)."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.made: dict[Value, int] = {}  # the nodes made during the trace, in the order they were made
        self.reads: list[tuple[Value, str, str]] = []  # (node, slot, where) read from outside the engine
        self.writes: list[tuple[Value, str, str]] = []  # (node, slot, where) of data or local_grads set again
        self.grads_set: set[Value] = set()  # nodes whose grad changed after they were made


class _Watch:
    """Stands in for one of Value's number slots while f runs, noting reads and writes in the record."""

    def __init__(self, name: str, record: _Record) -> None:
        self.name, self.slot, self.record = name, _SLOTS[name], record

    def __get__(self, node: Value | None, owner: type | None = None) -> Any:
        if node is None:
            return self
        if threading.get_ident() == self.record.thread:
            where = _outside_engine(sys._getframe(1))
            if where:
                self.record.reads.append((node, self.name, where))
        return self.slot.__get__(node, owner)

    def __set__(self, node: Value, value: Any) -> None:
        record = self.record
        if threading.get_ident() == record.thread:
            try:
                self.slot.__get__(node)
            except AttributeError:  # the first write is the node's making
                if self.name == "data":
                    record.made[node] = len(record.made)
            else:
                if self.name == "grad":  # backward or zero_grad inside f, or f itself
                    record.grads_set.add(node)
                else:
                    where = _outside_engine(sys._getframe(1)) or "a line of the engine"
                    record.writes.append((node, self.name, where))
        self.slot.__set__(node, value)


def _outside_engine(frame: FrameType) -> str | None:
    """'file:line' of the code reading or writing a slot, or None for the engine's own reads."""
    if frame.f_code in _PASSING_ON and frame.f_back:  # float(x), repr(x), grad(y, xs): for their caller
        frame = frame.f_back
    if frame.f_code.co_filename in _ENGINE_FILES:
        return None
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


Shape = tuple["Shape | None", ...] | None  # None: one number; a tuple: a list, one shape per item


def trace(f: Callable[..., Value], *example_args: Any) -> Program:
    """Run f once on example_args (numbers, Values, or nested lists of them) and compile its graph."""
    shapes = tuple(_shape(arg, f"trace: args[{k}]") for k, arg in enumerate(example_args))
    items = list(_items(example_args, shapes))
    leaves = [
        Value(x.data, x.label) if isinstance(x, Value) else Value(as_finite_float(x, "trace: argument")) for x in items
    ]
    record = _Record()
    with _TRACING:
        outer = {name: Value.__dict__[name] for name in _SLOTS}
        for name in _SLOTS:
            setattr(Value, name, _Watch(name, record))
        try:
            root = f(*_nest(iter(leaves), shapes))
        finally:
            for name, descriptor in outer.items():
                setattr(Value, name, descriptor)
    if not isinstance(root, Value):
        raise TraceError(f"trace: f must return a Value, got {type(root).__name__}: {root!r}")
    return Program(f, shapes, *_nodes(root, leaves, record))


def _nodes(root: Value, args: list[Value], record: _Record) -> tuple[list[Node], list[Value], list[int]]:
    """The graph under root as Nodes, parents first; the parameters it reads; the order f made them in."""
    position = {id(leaf): k for k, leaf in enumerate(args)}
    for node, name, where in record.writes:
        raise TraceError(f"trace: f sets the {name} of {_name(node)} at {where}; a program cannot replay that")
    for node, name, where in record.reads:
        if _read_varies(node, name, position, record):
            raise TraceError(
                f"trace: f reads {_WHAT[name]} of {_name(node)} at {where}; a program replays one graph and "
                "cannot repeat branches or numbers taken from values. Use Value operations only, "
                "or the dynamic engine."
            )
    index: dict[int, int] = {}
    numbers: dict[str, int] = {}  # one node per constant number, however many nodes the engine made for it
    nodes: list[Node] = []
    params: list[Value] = []
    for node in topological_order(root)[::-1]:
        if node.op == CONSTANT:
            index[id(node)] = numbers.setdefault(float.__repr__(node.data), len(nodes))
            if index[id(node)] < len(nodes):
                continue
        index[id(node)] = len(nodes)
        parents = tuple(index[id(p)] for p in node.parents)
        if id(node) in position:
            nodes.append(Node(ARG, (), (), position[id(node)], node.label))
        elif node.op == CONSTANT or (not node.parents and node in record.made):
            nodes.append(Node(node.op or MADE, (), (), node.data, node.label))
        elif not node.parents:
            nodes.append(Node(PARAM, (), (), len(params), node.label))
            params.append(node)
        elif node not in record.made:
            raise TraceError(
                f"trace: f uses {_name(node)}, which was computed before the trace; a program would "
                "recompute it from its operands. Compute it inside f, or pass it as an argument."
            )
        elif node.op not in TEMPLATES:
            raise TraceError(f"trace: no template for the op {node.op!r}; add one to autograd.compiled")
        else:
            # A number operand's local derivative is fixed at 0.0 (numbers get no gradient).
            fixed = tuple(p.op == CONSTANT and d == 0.0 for p, d in zip(node.parents, node.local_grads))
            nodes.append(Node(node.op, parents, fixed, 0.0, node.label))
    made = {k: record.made[node] for node in record.made if (k := index.get(id(node))) is not None}
    creation = [k for k, node in enumerate(nodes) if not node.parents] + sorted(
        (k for k, node in enumerate(nodes) if node.parents), key=made.__getitem__
    )
    return nodes, params, creation


def _read_varies(node: Value, name: str, args: dict[int, int], record: _Record) -> bool:
    """Whether the number f read could differ at other arguments or parameter values."""
    if name == "grad":  # a gradient never set during the trace is 0.0 on every call; others are not
        fresh = node in record.made or id(node) in args
        return not node.is_constant and (node in record.grads_set or not fresh)
    return any(_varies(leaf, args, record) for leaf in graph.leaves(node))


def _varies(leaf: Value, args: dict[int, int], record: _Record) -> bool:
    return id(leaf) in args or (leaf.op != CONSTANT and leaf not in record.made)


def _name(node: Value) -> str:
    return repr(node.label) if node.label else f"a {node.op or 'leaf'} node"


def _shape(x: Any, where: str) -> Shape:
    if isinstance(x, list | tuple):
        return tuple(_shape(item, f"{where}[{k}]") for k, item in enumerate(x))
    if isinstance(x, Value | numbers.Real):
        return None
    raise TypeError(f"{where} must be a number, a Value or a list of them, got {type(x).__name__}: {x!r}")


def _items(args: Any, shapes: tuple[Shape, ...], where: str = "args") -> Iterator[Any]:
    """The numbers and Values in args, depth first, checked against shapes."""
    if len(args) != len(shapes):
        raise TraceError(f"program: {where} has {len(args)} items; the traced example had {len(shapes)}")
    for k, (x, shape) in enumerate(zip(args, shapes)):
        is_list = isinstance(x, list | tuple)
        if shape is None and not is_list:
            yield x
        elif shape is not None and is_list:
            yield from _items(x, shape, f"{where}[{k}]")
        else:
            got = f"a list of {len(x)}" if is_list else "a number"
            wanted = "a number" if shape is None else f"a list of {len(shape)}"
            raise TraceError(f"program: {where}[{k}] is {got}; the traced example had {wanted}")


def _flatten(args: Any, shapes: tuple[Shape, ...], floats: list[float]) -> bool:
    """Append the numbers in args to floats; False if args are not shaped like shapes."""
    if len(args) != len(shapes):
        return False
    for x, shape in zip(args, shapes):
        if shape is not None:
            if not (isinstance(x, list | tuple) and _flatten(x, shape, floats)):
                return False
        elif x.__class__ is float and x - x == 0.0:
            floats.append(x)
        elif isinstance(x, Value):
            floats.append(x.data)
        elif isinstance(x, list | tuple):
            return False
        else:
            floats.append(as_finite_float(x, "program: argument"))
    return True


def _size(shapes: tuple[Shape, ...]) -> int:
    """How many numbers args shaped like shapes hold."""
    return sum(1 if shape is None else _size(shape) for shape in shapes)


def _nest(flat: Iterator[Any], shapes: tuple[Shape, ...]) -> list[Any]:
    """flat's items in lists shaped like shapes."""
    return [next(flat) if shape is None else _nest(flat, shape) for shape in shapes]


# ---- the compiled program -------------------------------------------------------------------------


class Program:
    """A traced graph compiled to straight-line Python: its value and gradients at new arguments."""

    def __init__(
        self,
        f: Callable[..., Value],
        shapes: tuple[Shape, ...],
        nodes: list[Node],
        params: list[Value],
        creation: list[int],
    ):
        self.f = f
        self.nodes = nodes
        self.creation = creation  # node positions in the order f made them: rebuilt so, f's first error is raised
        self.params = tuple(params)  # read at every call; backward adds to their grad
        self.shapes = shapes
        self.source = _Source(self.nodes, _size(shapes))
        self._functions: dict[object, Callable[..., Any]] = {}

    def __repr__(self) -> str:
        name = getattr(self.f, "__name__", "f")
        sizes = f"{len(self.nodes)} nodes, {self.source.n_args} argument numbers, {len(self.params)} parameters"
        return f"<Program of {name}: {sizes}>"

    def __call__(self, *args: Any) -> float:
        """f's value at args (shaped like the traced example), with the parameters' current data."""
        x, p = self._floats(args), self._param_data()
        try:
            value, check = self._function("forward")(x, p)
            if not check - check:  # inf or nan somewhere: let the engine say where
                return value
        except (ArithmeticError, ValueError):
            pass
        return self._rebuild(x, p)[0].data  # the engine's own error, or a false alarm's same value

    def value_and_grad(self, *args: Any) -> tuple[float, list[Any]]:
        """f's value at args and its derivative with respect to each argument, shaped like args."""
        x = self._floats(args)
        value, arg_grads, _ = self._gradient(x, self._param_data())
        return value, _nest(iter(arg_grads), self.shapes)

    def backward(self, *args: Any) -> float:
        """f's value at args; adds d f / d p to p.grad for each parameter, as f(*args).backward() would."""
        value, _, param_grads = self._gradient(self._floats(args), self._param_data())
        with value_module.ACCUMULATING:  # as backward does: concurrent calls all add up
            for q, g in zip(self.params, param_grads):
                q.grad += g
        return value

    def descend(self, steps: int, lr: float, *args: Any, params: Sequence[Value] | None = None) -> list[float]:
        """Take steps of gradient descent p -= lr·d f/d p on params (default all) at args; the values.

        Float for float the loop f(*args), zero the grads, backward(), p.data -= lr * p.grad; each
        step's value is taken before its update. Only .data changes; no .grad is touched.
        """
        if not isinstance(steps, int) or steps < 0:
            raise ValueError(f"descend: steps must be a whole number >= 0, got {steps!r}")
        lr = as_finite_float(lr, "descend: lr")
        trained = {id(q) for q in (self.params if params is None else params)}
        positions = tuple(k for k, q in enumerate(self.params) if id(q) in trained)
        x = self._floats(args)
        values: list[float] = []
        while len(values) < steps:
            done, p, failed = self._function(positions)(steps - len(values), lr, x, self._param_data())
            values += done
            for q, data in zip(self.params, p):
                q.data = data
            if failed is not None:  # the engine raises its error, or repeats a false alarm's step
                value, _, grads = self._gradient(x, list(p), fast=False)
                updated = {k: p[k] - lr * grads[k] for k in positions}
                for k, data in updated.items():
                    if data - data:
                        raise FloatingPointError(
                            f"descend: step {len(values)} makes {_name(self.params[k])} {data!r} (data "
                            f"{p[k]!r}, grad {grads[k]!r}, lr {lr!r}); the parameters are as before that step"
                        )
                values.append(value)
                for k, data in updated.items():
                    self.params[k].data = data
        return values

    def check(self, *args: Any) -> None:
        """Trace f again at args: TraceError if it builds another graph there than the one replayed."""
        self._floats(args)
        other = trace(self.f, *args)
        mine = [(n.op, n.parents, n.fixed, repr(n.data)) for n in self.nodes]
        theirs = [(n.op, n.parents, n.fixed, repr(n.data)) for n in other.nodes]
        same_params = len(self.params) == len(other.params) and all(a is b for a, b in zip(self.params, other.params))
        if mine != theirs or not same_params:
            k = next((k for k, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
            raise TraceError(
                f"check: at these arguments f builds another graph than the traced one (node {k}: "
                f"{_describe(self.nodes, k)} traced, {_describe(other.nodes, k)} now): its control flow "
                "or its numbers depend on values. Use the dynamic engine for f."
            )

    def _param_data(self) -> list[float]:
        """The parameters' data; ValueError naming one whose .data was set to inf or nan by hand."""
        p = [q.data for q in self.params]
        total = sum(p, 0.0)
        if total - total:  # one sum finds an inf or nan (or finite numbers that add up to inf)
            for q in self.params:
                as_finite_float(q.data, f"program: the data of the parameter {_name(q)}")
        return p

    def _floats(self, args: tuple[Any, ...]) -> list[float]:
        """The numbers in args, depth first; TraceError if args are not shaped like the example."""
        floats: list[float] = []
        if not _flatten(args, self.shapes, floats):
            list(_items(args, self.shapes))  # raises, saying where the shapes differ
        return floats

    def _gradient(self, x: list[float], p: list[float], fast: bool = True) -> tuple[float, list[float], list[float]]:
        if fast:
            try:
                value, arg_grads, param_grads, check = self._function("gradient")(x, p)
                if not check - check:  # inf or nan somewhere: let the engine say where
                    return value, list(arg_grads), list(param_grads)
            except (ArithmeticError, ValueError):
                pass
        root, args, params = self._rebuild(x, p)
        root.backward()  # the engine's own error, or a false alarm's same gradients
        return root.data, [0.0 if a is None else a.grad for a in args], [q.grad for q in params]

    def _rebuild(self, x: list[float], p: list[float]) -> tuple[Value, list[Value | None], list[Value]]:
        """The traced graph built again by the engine at x and p: the slow path, with its errors."""
        built: list[Value] = [None] * len(self.nodes)  # type: ignore[list-item]
        args: list[Value | None] = [None] * len(x)
        params = []
        for k in self.creation:
            node = self.nodes[k]
            if node.op == ARG:
                v = args[int(node.data)] = Value(x[int(node.data)], node.label)
            elif node.op == PARAM:
                v = Value(p[int(node.data)], node.label)
                params.append(v)
            elif node.op == CONSTANT:
                v = constant(node.data)
            elif node.op == MADE:
                v = Value(node.data, node.label)
            else:
                operands = tuple(built[k] for k in node.parents)
                data, local_grads = apply(OPS[node.op], [q.data for q in operands])
                local_grads = tuple(0.0 if fixed else d for d, fixed in zip(local_grads, node.fixed))
                v = value_module._node(OPS[node.op], data, operands, local_grads)
                v.label = node.label
            built[k] = v
        return built[-1], args, params

    def _function(self, which: object) -> Callable[..., Any]:
        """The compiled "forward", "gradient", or descent loop training the params at positions which."""
        function = self._functions.get(which)
        if function is None:
            if which == "forward":
                text = self.source.forward()
            elif which == "gradient":
                text = self.source.gradient()
            else:
                text = self.source.descend(which)  # type: ignore[arg-type]
            namespace = dict(NAMESPACE)
            exec(compile(text, f"<program of {getattr(self.f, '__name__', 'f')}>", "exec"), namespace)
            function = self._functions[which] = namespace["run"]
        return function


def _describe(nodes: list[Node], k: int) -> str:
    if k >= len(nodes):
        return "no node"
    node = nodes[k]
    if node.op in (CONSTANT, MADE):
        return f"the number {node.data!r}"
    if node.op in (ARG, PARAM):
        return f"{node.op} {int(node.data)}"
    return f"{node.op} of nodes {list(node.parents)}"


# ---- the generator --------------------------------------------------------------------------------

_USE = re.compile(r"\bv(\d+)\b")
_SIMPLE = re.compile(r"[\w.]+")
_MAX_INLINE = 40  # parentheses an inlined expression may nest (the parser allows 200)
_MAX_GATES = 20  # if-blocks a backward statement may nest in (the tokenizer allows 100 indents)


class _Source:
    """Python source for a traced graph: one local variable per node, forward then backward.

    Forward: an op's expression is written into its one user instead of a variable when nothing else
    reads it and the user is ARITHMETIC (so an inf inside still shows in the user's value).
    Backward: nodes in the engine's order, each adding local · grad to its operands' grads in the
    engine's order, so every sum is the engine's. A grad that one operand passes on unchanged is
    the same variable. Behind a closed relu every gradient is exactly ±0, which adds nothing: those
    statements sit under `if` (only through ops with finite local derivatives). Values of ops that
    may overflow, and the grads where gradients end, are summed into one check: inf or nan there sends
    the call to the engine, which raises its own error (or, on a false alarm, repeats the result).
    """

    def __init__(self, nodes: list[Node], n_args: int):
        self.nodes = nodes
        self.n_args = n_args
        self.root = len(nodes) - 1
        names = [self._name(k) for k in range(len(nodes))]
        codes = {k: self._code(k, names) for k, node in enumerate(nodes) if node.parents}
        uses = [0] * len(nodes)
        uses[self.root] += 1
        for code in codes.values():
            for text in (code.value, *code.local_grads, code.gate or ""):
                for k in _USE.findall(text):
                    uses[int(k)] += 1
        self.codes = codes  # backward reads every operand by name
        self.forward_lines, self.value_checks = self._forward(names, uses)
        self.inits, self.backward_lines, self.grads, self.grad_checks = self._backward()
        self.root_value = names[self.root]

    def _name(self, k: int) -> str:
        node = self.nodes[k]
        return literal(node.data) if node.op in (CONSTANT, MADE) else f"v{k}"

    def _code(self, k: int, operands: list[str]) -> Code:
        node = self.nodes[k]
        return TEMPLATES[node.op].code(f"v{k}", *(operands[p] for p in node.parents))

    def _forward(self, names: list[str], uses: list[int]) -> tuple[list[str], list[str]]:
        """The forward statements, and the values the overflow check adds up."""
        users = {p: k for k, node in enumerate(self.nodes) for p in node.parents}
        lines, checks = [], []
        expressions = list(names)  # a node's name, or its expression when written into its user
        depth = [0] * len(self.nodes)  # how deep its expression nests
        for k, node in enumerate(self.nodes):
            if not node.parents:
                continue
            code = self._code(k, expressions)
            depth[k] = 1 + max(depth[p] for p in node.parents)
            user = users.get(k)
            if (
                uses[k] == 1
                and user is not None
                and not code.pair
                and depth[k] < _MAX_INLINE
                and TEMPLATES[self.nodes[user].op].kind == ARITHMETIC
                and str(k) in _USE.findall(self.codes[user].value)
            ):
                expressions[k] = f"({code.value})"
                continue
            depth[k] = 0
            lines.append(f"v{k}, v{k}_d = {code.value}" if code.pair else f"v{k} = {code.value}")
            if TEMPLATES[node.op].kind != SMOOTH:
                checks.append(f"v{k}")
        return lines, checks

    def _backward(self) -> tuple[list[str], list[str], list[str | None], list[str]]:
        """Initial grads, the backward statements, each node's grad expression, the leaf grads to check."""
        nodes, root = self.nodes, self.root
        incoming = [0] * len(nodes)
        for node in nodes:
            for p, fixed in zip(node.parents, node.fixed):
                incoming[p] += not fixed
        grads: list[str | None] = [None] * len(nodes)
        grads[root] = "1.0"
        paths_in: list[list[tuple[int, ...]]] = [[] for _ in nodes]
        gates: dict[int, str] = {}
        inits, statements, checks = [], [], []
        for k in range(root, -1, -1):
            node = nodes[k]
            if not node.parents:
                if grads[k] is not None and grads[k] != "1.0":
                    checks.append(f"g{k}")
                continue
            code, kind, g = self.codes[k], TEMPLATES[node.op].kind, grads[k]
            assert g is not None  # every user of a node comes before it
            path = () if k == root or kind == SINGULAR else _common_prefix(paths_in[k])
            gate = code.gate if len(path) < _MAX_GATES else None
            if gate or all(node.fixed):  # a gradient that may stop here (only numbers below) must be finite
                statements.append((path, f"check += {g}"))
            if gate:
                gates[k] = gate
                path += (k,)
            for p, local, fixed in zip(node.parents, code.local_grads, node.fixed):
                if fixed:
                    continue
                if code.gate and not gate:
                    local = f"({local} if {code.gate} else 0.0)"
                term = _term(local, g)
                paths_in[p].append(path)
                single = (
                    incoming[p] == 1 and nodes[p].parents and not (TEMPLATES[nodes[p].op].kind == SINGULAR and path)
                )
                if single and _SIMPLE.fullmatch(term):
                    grads[p] = term  # a name or a number: no variable needed
                elif single:
                    grads[p] = f"g{p}"
                    statements.append((path, f"g{p} = {term}"))
                else:
                    if grads[p] is not None:
                        statements.append((path, f"g{p} += {term}"))
                        continue
                    grads[p] = f"g{p}"
                    if path:  # later statements may add to it even if this one is skipped
                        inits.append(f"g{p} = 0.0")
                        statements.append((path, f"g{p} += {term}"))
                    elif nodes[p].op in (ARG, PARAM):  # from 0.0, as the engine: a gradient is never -0.0
                        statements.append((path, f"g{p} = 0.0 + {_group(term)}"))
                    else:  # a zero's sign inside changes no other number
                        statements.append((path, f"g{p} = {term}"))
        return ["check = 0.0", *inits], _nested(statements, gates), grads, checks

    def _check(self, grads: bool, more: Sequence[str] = ()) -> str:
        items = [*self.value_checks, *(self.grad_checks if grads else []), *more]
        if len(items) <= 64:  # adds are cheaper than a tuple for sum(); they nest, so not too many
            return " + ".join(("check", *items))
        return f"sum(({', '.join(items)},), check)"

    def _unpack(self) -> list[str]:
        args = ["_"] * self.n_args
        for k, node in enumerate(self.nodes):
            if node.op == ARG:
                args[int(node.data)] = f"v{k}"
        params = [f"v{k}" for k, n in enumerate(self.nodes) if n.op == PARAM]
        lines = []
        if args:
            lines.append(f"{', '.join(args)}, = x")
        if params:
            lines.append(f"{', '.join(params)}, = p")
        return lines

    def forward(self) -> str:
        """def run(x, p) -> (value, check): x the arguments' numbers, p the parameters'."""
        body = [*self._unpack(), "check = 0.0", *self.forward_lines, f"return {self.root_value}, {self._check(False)}"]
        return "def run(x, p):\n" + "".join(f"    {line}\n" for line in body)

    def gradient(self) -> str:
        """def run(x, p) -> (value, argument grads, parameter grads, check)."""
        arg_grads = ["0.0"] * self.n_args
        params = []
        for k, node in enumerate(self.nodes):
            if node.op == ARG:
                arg_grads[int(node.data)] = self.grads[k] or "0.0"
            elif node.op == PARAM:
                params.append(self.grads[k] or "0.0")
        body = [
            *self._unpack(),
            *self.forward_lines,
            *self.inits,
            *self.backward_lines,
            f"return {self.root_value}, ({''.join(g + ', ' for g in arg_grads)}), "
            f"({''.join(g + ', ' for g in params)}), {self._check(True)}",
        ]
        return "def run(x, p):\n" + "".join(f"    {line}\n" for line in body)

    def descend(self, positions: tuple[int, ...]) -> str:
        """def run(steps, lr, x, p) -> (values, parameters, failed step or None)."""
        params = [k for k, n in enumerate(self.nodes) if n.op == PARAM]
        state = f"({''.join(f'v{k}, ' for k in params)})"
        step = [*self.forward_lines, *self.inits, *self.backward_lines]
        trained = [params[j] for j in positions]
        # Each update goes to u first and joins the check: no parameter becomes inf or nan unnoticed.
        updates = [f"u{k} = v{k} - lr * {self.grads[k]}" for k in trained]
        body = [
            *self._unpack(),
            "values = []",
            "for step in range(steps):",
            "    try:",
            *(f"        {line}" for line in step),
            "    except (ArithmeticError, ValueError):",
            f"        return values, {state}, step",
            *(f"    {line}" for line in updates),
            f"    check = {self._check(True, [f'u{k}' for k in trained])}",
            "    if check - check:",
            f"        return values, {state}, step",
            f"    values.append({self.root_value})",
            *(f"    v{k} = u{k}" for k in trained),
            f"return values, {state}, None",
        ]
        return "def run(steps, lr, x, p):\n" + "".join(f"    {line}\n" for line in body)


def literal(x: float) -> str:
    """x as Python source that can stand as an operand anywhere: (-2.0) for -2.0."""
    text = float.__repr__(x)  # a float's own digits: never a user object's repr
    return f"({text})" if math.copysign(1.0, x) < 0 else text


def _common_prefix(paths: list[tuple[int, ...]]) -> tuple[int, ...]:
    if not paths:
        return ()
    first = paths[0]
    n = len(first)
    for path in paths[1:]:
        n = min(n, len(path))
        while first[:n] != path[:n]:
            n -= 1
    return first[:n]


def _term(local: str, g: str) -> str:
    """local · g as an expression (x · 1.0 is x, and x · -1.0 is -x, exactly)."""
    if local == "1.0":
        return g
    if g == "1.0":
        return local
    if local == "-1.0":
        return f"-{g}"
    return f"{_group(local)} * {g}"


def _group(expression: str) -> str:
    return expression if _SIMPLE.fullmatch(expression) else f"({expression})"


def _nested(statements: list[tuple[tuple[int, ...], str]], gates: dict[int, str]) -> list[str]:
    """The statements in order, each inside an if-block per gate on its path."""
    lines: list[str] = []
    open_: tuple[int, ...] = ()
    for path, statement in statements:
        n = len(_common_prefix([open_, path]))
        open_ = open_[:n]
        for gate in path[n:]:
            lines.append("    " * len(open_) + f"if {gates[gate]}:")
            open_ += (gate,)
        lines.append("    " * len(open_) + statement)
    return lines
