"""Tracing: running f once with every Value's numbers watched, and the graph it built as a list of Nodes.

The rule: a program replays the one graph f built while it was traced, so f must build the same graph
for every argument. Reading ``.data``, ``.grad`` or ``.local_grads`` (or ``float()``, ``repr()``, a truth test, a
comparison, ``autograd.grad``) of a Value that depends on an argument or a parameter while f is traced raises
TraceError, since a branch or a number taken from it would be replayed unchanged. Numbers f gets from
anywhere but its arguments are baked in; parameters (the Values f uses that existed before the
trace) are read afresh at every call.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable
from types import FrameType
from typing import Any, NamedTuple

from autograd import expressions, graph, ops, primitive, transforms
from autograd import value as value_module
from autograd.compiler.arguments import Shape, checked_items, nest, shape_of
from autograd.compiler.errors import TraceError
from autograd.graph import topological_order
from autograd.primitive import OPS, noting_errors
from autograd.value import CONSTANT, Value, as_finite_float

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
_ENGINE = (value_module, primitive, ops, graph, transforms, expressions)  # the modules whose own reads are the engine's
# Engine functions that hand a Value's numbers to their caller: their reads count as the caller's.
_PASSING_ON = {
    *(
        getattr(Value, name).__code__
        for name in ("__bool__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__")
    ),
    Value.__float__.__code__,
    Value.__format__.__code__,
    Value.__repr__.__code__,
    Value.detach.__code__,
    transforms.grad.__code__,
    value_module.float_gradients.__code__,
}
_TRACING = threading.RLock()  # the watches replace Value's slots for the whole process: one trace at a time


class _Record:
    """What f did with Values while it was traced (in the tracing thread)."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.engine = engine_code()
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
            where = _outside_engine(sys._getframe(1), self.record.engine)
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
                    where = _outside_engine(sys._getframe(1), record.engine) or "a line of the engine"
                    record.writes.append((node, self.name, where))
        self.slot.__set__(node, value)


def _outside_engine(frame: FrameType, engine: frozenset[types.CodeType]) -> str | None:
    """'file:line' of the code reading or writing a slot, or None for the engine's own reads."""
    while frame.f_code in _PASSING_ON and frame.f_back:  # float(x), f"{x}", repr(x), grad(y, xs): their caller's
        frame = frame.f_back
    if frame.f_code in engine:
        return None
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def engine_code() -> frozenset[types.CodeType]:
    """The code objects of the engine's functions (methods, lambdas and the ops' float rules too).

    A read is the engine's when the function reading is one of these: which code, not which file. Found
    again only when the ops changed (an op defined or redefined) since the last time.
    """
    key = (primitive.redefinitions, tuple(map(id, OPS.values())))
    codes = _ENGINE_CODE.get(key)
    if codes is None:
        codes = frozenset(_engine_code())
        _ENGINE_CODE.clear()
        _ENGINE_CODE[key] = codes
    return codes


_ENGINE_CODE: dict[tuple[Any, ...], frozenset[types.CodeType]] = {}  # by the ops' identities: the code found


def _engine_code() -> set[types.CodeType]:
    """engine_code's walk over the engine's modules and the ops' functions."""
    names = {m.__name__ for m in _ENGINE}
    stack: list[Any] = [obj for m in _ENGINE for obj in vars(m).values()]
    stack += [
        f
        for op in list(OPS.values())
        if op.compiled
        for f in (op.value, op.function, op.derivatives, op.apply, op.gate)
    ]
    codes: set[types.CodeType] = set()
    while stack:
        obj = stack.pop()
        if isinstance(obj, property):
            stack += [obj.fget, obj.fset]
        elif isinstance(obj, type) and obj.__module__ in names:
            stack += list(vars(obj).values())
        elif isinstance(obj, types.FunctionType) and (obj.__module__ in names or obj.__module__ is None):
            stack.append(obj.__code__)
        elif isinstance(obj, types.CodeType) and obj not in codes:
            codes.add(obj)
            stack += [c for c in obj.co_consts if isinstance(c, types.CodeType)]
    return codes


def record(f: Callable[..., Value], *example_args: Any) -> tuple[tuple[Shape, ...], list[Node], list[Value]]:
    """Run f once on example_args (numbers, Values, or nested lists of them): the arguments' shapes,
    the graph as Nodes (parents first) and the parameters it reads."""
    shapes = tuple(shape_of(arg, f"trace: args[{k}]") for k, arg in enumerate(example_args))
    items = list(checked_items(example_args, shapes))
    leaves = [
        Value(x.data, x.label) if isinstance(x, Value) else Value(as_finite_float(x, "trace: argument")) for x in items
    ]
    seen = _Record()
    with _TRACING:
        outer = {name: Value.__dict__[name] for name in _SLOTS}
        for name in _SLOTS:
            setattr(Value, name, _Watch(name, seen))
        try:
            with noting_errors() as errors:
                root = f(*nest(iter(leaves), shapes))
        finally:
            for name, descriptor in outer.items():
                setattr(Value, name, descriptor)
    if errors:
        raise TraceError(
            f"trace: f went on after an op's {type(errors[0]).__name__} ({errors[0]}), which it caught; a program "
            "cannot replay a branch taken on an error. Use the dynamic engine."
        )
    if not isinstance(root, Value):
        raise TraceError(f"trace: f must return a Value, got {type(root).__name__}: {root!r}")
    return (shapes, *_nodes(root, leaves, seen))


def _nodes(root: Value, args: list[Value], record: _Record) -> tuple[list[Node], list[Value]]:
    """The graph under root as Nodes, parents first, and the parameters it reads."""
    position = {id(leaf): k for k, leaf in enumerate(args)}
    _check_reads_and_writes(position, record)
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
        elif not node.parents and node in record.made and node.op not in ("", CONSTANT):
            raise TraceError(
                f"trace: f computes {node_name(node)} inside no_grad(), which keeps its value but not how it was "
                "computed; a program cannot replay that. Compute it outside f, or use the dynamic engine."
            )
        elif node.op == CONSTANT or (not node.parents and node in record.made):
            nodes.append(Node(node.op or MADE, (), (), node.data, node.label))
        elif not node.parents:
            nodes.append(Node(PARAM, (), (), len(params), node.label))
            params.append(node)
        elif node not in record.made:
            raise TraceError(
                f"trace: f uses {node_name(node)}, which was computed before the trace; a program would "
                "recompute it from its operands. Compute it inside f, or pass it as an argument."
            )
        elif node.op not in OPS:
            raise TraceError(f"trace: {node_name(node)} was made by {node.op!r}, which is not an op of autograd.OPS")
        else:
            # A number operand's local derivative is fixed at 0.0 (numbers get no gradient).
            fixed = tuple(p.op == CONSTANT and d == 0.0 for p, d in zip(node.parents, node.local_grads))
            nodes.append(Node(node.op, parents, fixed, 0.0, node.label))
    return nodes, params


def _check_reads_and_writes(position: dict[int, int], record: _Record) -> None:
    """TraceError for a number f set, or read where it could differ at other arguments or parameters."""
    for node, name, where in record.writes:
        raise TraceError(f"trace: f sets the {name} of {node_name(node)} at {where}; a program cannot replay that")
    for node, name, where in record.reads:
        if _read_varies(node, name, position, record):
            raise TraceError(
                f"trace: f reads {_WHAT[name]} of {node_name(node)} at {where}; a program replays one graph and "
                "cannot repeat branches or numbers taken from values. Use Value operations only, "
                "or the dynamic engine."
            )


def _read_varies(node: Value, name: str, args: dict[int, int], record: _Record) -> bool:
    """Whether the number f read could differ at other arguments or parameter values."""
    if name == "grad":  # a gradient never set during the trace is 0.0 on every call; others are not
        fresh = node in record.made or id(node) in args
        return not node.is_constant and (node in record.grads_set or not fresh)
    return any(_varies(leaf, args, record) for leaf in graph.leaves(node))


def _varies(leaf: Value, args: dict[int, int], record: _Record) -> bool:
    return id(leaf) in args or (leaf.op != CONSTANT and leaf not in record.made)


def node_name(node: Value) -> str:
    """How errors name a node: its label, or its op."""
    return repr(node.label) if node.label else f"a {node.op or 'leaf'} node"
