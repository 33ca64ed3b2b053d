"""The ``Value`` node: a scalar, its gradient, the op and operands that made it, and backward."""

from __future__ import annotations

import functools
import gc
import math
import numbers
import threading
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias, cast

from autograd import ops
from autograd.graph import topological_order, untrack, walked
from autograd.primitive import OPS, Op, note_error

Number = float | int
Operand: TypeAlias = "Value | float | int"

_LARGEST = 1.7976931348623157e308
CONSTANT = "const"  # the op of the leaf that stands for a number in an operation


class Value:
    """A scalar in a computation graph: its data, its gradient, and how it was computed."""

    # Slots keep a node small; local derivatives are stored as numbers when the node is made.
    __slots__ = ("_label", "_local_grads", "_meta", "data", "grad", "op", "parents")

    data: float
    grad: float  # a Value after backward(create_graph=True)
    parents: tuple[Value, ...]
    # local_grads as stored: a tuple, or the bare float of a one-operand op (a tuple costs 48 bytes of a node's ~230)
    _local_grads: tuple[float, ...] | float
    op: str
    _label: str | None  # a name to show and look up, e.g. the documents' "w10" or "net_o1"
    # Where the value sits in a network, set by nn and read by viz (which never imports nn):
    # {"role": "parameter" | "input" | "target" | "loss", "layer": int (0 = the inputs),
    #  "neuron": str (e.g. "h1")}; every key is optional.
    _meta: dict[str, Any] | None

    def __init__(self, data: Number, label: str | None = None, *, meta: dict[str, Any] | None = None):
        self.data = as_finite_float(data, "Value data")
        self.grad = 0.0
        self.parents = ()
        self._local_grads = ()
        self.op = ""
        self.label = label
        self.meta = meta

    @property
    def label(self) -> str | None:
        """The name it is shown and looked up by, e.g. the documents' "w10" or "net_o1"."""
        return self._label

    @label.setter
    def label(self, label: str | None) -> None:
        if label is not None and label.__class__ is not str:  # it may hold nodes that lead back to this one
            _walked_within(label)
        self._label = label

    @property
    def meta(self) -> dict[str, Any] | None:
        """Where the value sits in a network (see the class's fields)."""
        return self._meta

    @meta.setter
    def meta(self, meta: dict[str, Any] | None) -> None:
        if meta is not None:  # nn's names and numbers hold no node: only nodes held can close a cycle
            _walked_within(meta)
        self._meta = meta

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d self / d operand for each operand, the numbers recorded when the node was made."""
        local = self._local_grads
        return local if local.__class__ is tuple else (local,)  # type: ignore[return-value]

    @local_grads.setter
    def local_grads(self, value: tuple[float, ...]) -> None:
        self._local_grads = tuple(value)

    # ---- arithmetic: numbers on either side become constants ----------------------------------

    def __add__(self, other: Operand) -> Value:
        return _binary(ops.add, self, other)

    def __radd__(self, other: Operand) -> Value:
        return _binary(ops.add, other, self)

    def __sub__(self, other: Operand) -> Value:
        return _binary(ops.sub, self, other)

    def __rsub__(self, other: Operand) -> Value:
        return _binary(ops.sub, other, self)

    def __mul__(self, other: Operand) -> Value:
        return _binary(ops.mul, self, other)

    def __rmul__(self, other: Operand) -> Value:
        return _binary(ops.mul, other, self)

    def __truediv__(self, other: Operand) -> Value:
        return _binary(ops.div, self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return _binary(ops.div, other, self)

    def __pow__(self, other: Operand) -> Value:
        return _binary(ops.pow_ if isinstance(other, Value) else ops.pow_const, self, other)

    def __rpow__(self, other: Operand) -> Value:
        return _binary(ops.pow_, other, self)

    def __neg__(self) -> Value:
        return _unary(ops.neg, self)

    # ---- functions ---------------------------------------------------------------------------

    def exp(self) -> Value:
        """e to the power of this value."""
        return _unary(ops.exp, self)

    def log(self) -> Value:
        """Natural logarithm; the value must be positive."""
        return _unary(ops.log, self)

    def sqrt(self) -> Value:
        """Square root; the value must not be negative."""
        return _unary(ops.sqrt, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _unary(ops.tanh, self)

    def sigmoid(self) -> Value:
        """Logistic sigmoid 1 / (1 + e^-x), computed without overflow."""
        return _unary(ops.sigmoid, self)

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is 0, as in PyTorch."""
        return _unary(ops.relu, self)

    def softplus(self) -> Value:
        """log(1 + e^x), computed without overflow."""
        return _unary(ops.softplus, self)

    def abs(self) -> Value:
        """Absolute value; its derivative at 0 is 0, as in PyTorch."""
        return _unary(ops.abs_, self)

    def __abs__(self) -> Value:
        return _unary(ops.abs_, self)

    def sin(self) -> Value:
        """Sine."""
        return _unary(ops.sin, self)

    def cos(self) -> Value:
        """Cosine."""
        return _unary(ops.cos, self)

    def xlogy(self, y: Value | Number) -> Value:
        """self·log(y), and 0 where self is 0 (y may then be 0): a cross-entropy term that never takes log 0."""
        return apply(ops.xlogy, (self, y))

    def step(self) -> Value:
        """1 where x > 0, else 0: relu's derivative (its own derivative is 0)."""
        return _unary(ops.step, self)

    def sign(self) -> Value:
        """1, -1 or 0 (at 0): abs's derivative (its own derivative is 0)."""
        return _unary(ops.sign, self)

    @staticmethod
    def reading(op: Op, operands: Sequence[Value | Number]) -> Value:
        """An op applied to operands among which is a Value (autograd.primitive.Op.__call__): its node."""
        return apply(op, operands)

    def detach(self) -> Value:
        """A new leaf with this value's data (and label): what is computed from it records no path back."""
        return Value(self.data, self.label)

    # ---- gradients ---------------------------------------------------------------------------

    def backward(self, gradient: Number = 1.0, *, create_graph: bool = False) -> None:
        """Add d(self)/d(node) · gradient to the grad of every node self depends on.

        Each call adds exactly one pass: after k calls every grad is k times its one-call value.
        create_graph: the grads become Values computed by the engine, which can be differentiated
        again (as in PyTorch); without it they are floats and no graph is built.
        """
        seed = as_finite_float(gradient, "backward gradient")
        order = topological_order(self)
        with ACCUMULATING:
            previous = [node.grad for node in order]
            try:
                if create_graph:
                    for node, g in graph_gradients(order, seed).items():
                        kept = node.grad.__class__ is not float or node.grad != 0.0  # a Value grad of 0 has a graph
                        node.grad = g + node.grad if kept else g  # type: ignore[assignment]  # a Value, as in PyTorch
                        walked(node.grad)  # computed from node: a cycle the collector must see
                        walked(node)
                else:
                    _backward_pass(order, seed, any(previous), previous)
            except BaseException:  # nothing half-written: every grad as it was
                for node, grad in zip(order, previous):
                    node.grad = grad
                raise

    def _backward(self) -> None:
        """micrograd's chain-rule step at this node: add grad · d self / d operand to each operand's grad.

        Called on every node in reverse topological order after setting the root's grad to 1 (as
        micrograd's lecture does by hand), it adds what backward() adds; backward() does not call it.
        """
        g = self.grad
        grads: dict[Value, Any] = {}  # an operand used twice (a * a) gets both terms
        for parent, local in zip(self.parents, self.local_grads):
            if parent.__class__ is not Constant:  # numbers get no gradient
                grads[parent] = grads.get(parent, parent.grad) + local * g
        for parent, total in grads.items():  # nothing written unless every sum is finite
            if not math.isfinite(float(total)):
                raise FloatingPointError(_non_finite_gradient([self], parent, float(total)))
        for parent, total in grads.items():
            parent.grad = total
            if isinstance(total, Value):  # computed from parent: a cycle the collector must see
                walked(total)
                walked(parent)

    def zero_grad(self) -> None:
        """Set the grad of this node and of every node it depends on to 0."""
        for node in topological_order(self):
            node.grad = 0.0

    # ---- conversions and display ---------------------------------------------------------------

    def __float__(self) -> float:
        return self.data

    # ---- reading the number as a scalar tensor does: tests and comparisons (a trace refuses them) -----

    def __bool__(self) -> bool:
        return self.data != 0.0

    def __eq__(self, other: object) -> bool:
        """The same node (nodes are keys by identity), or data equal to a number: `v == 0` reads v as torch does."""
        if isinstance(other, Value):
            return self is other
        return self.data == other if isinstance(other, int | float) else NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, Value):
            return self is not other
        return self.data != other if isinstance(other, int | float) else NotImplemented

    __hash__ = object.__hash__

    def __lt__(self, other: object) -> bool:
        x = _compared(other)
        return NotImplemented if x is None else self.data < x

    def __le__(self, other: object) -> bool:
        x = _compared(other)
        return NotImplemented if x is None else self.data <= x

    def __gt__(self, other: object) -> bool:
        x = _compared(other)
        return NotImplemented if x is None else self.data > x

    def __ge__(self, other: object) -> bool:
        x = _compared(other)
        return NotImplemented if x is None else self.data >= x

    def __format__(self, spec: str) -> str:
        """With a format spec, the data's (as a scalar torch tensor's): f"{v:.3f}", also for a grad of create_graph."""
        return format(self.data, spec) if spec else repr(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label is not None else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    @property
    def is_constant(self) -> bool:
        """True for a number that an operation lifted into the graph."""
        return self.__class__ is Constant

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the set of operands."""
        return set(self.parents)

    @property
    def _op(self) -> str:
        """micrograd's name for the op's symbol ('' for a leaf)."""
        op = OPS.get(self.op)
        return op.symbol if op else ""


# One backward pass at a time: passes into shared nodes from several threads all add up, as in
# PyTorch (a pass runs from zero and then adds what was there, so two at once would lose one).
ACCUMULATING = threading.Lock()


def _compared(other: object) -> float | None:
    """The number a Value is compared with: another's data, or a number; None for anything else."""
    if isinstance(other, Value):
        return other.data
    return other if isinstance(other, int | float) else None  # type: ignore[return-value]


def _walked_within(held: Any) -> None:
    """Walk the nodes held (a label, a meta dict) reaches through dicts, lists, tuples and sets.

    A cycle through a label or a meta passes through the nodes it holds (the node itself, or one computed from
    it, above it): walking them, and what they depend on, lets the collector see it. Other objects are not
    looked into: their referents may lead over the whole heap (a module, a class). A node put into a meta
    dict after it was set is not seen (README: a cycle closed by hand).
    """
    if untrack is None:
        return
    seen: set[int] = set()
    stack = [held]
    while stack:
        obj = stack.pop()
        if isinstance(obj, Value):
            walked(obj)
        elif obj.__class__ in _CONTAINERS and gc.is_tracked(obj) and id(obj) not in seen:  # untracked: atoms only
            seen.add(id(obj))
            stack += gc.get_referents(obj)


_CONTAINERS = frozenset((dict, list, tuple, set, frozenset))


def _backward_pass(order: list[Value], seed: float, accumulated: bool, previous: list[float]) -> None:
    """One pass of backward over order (root first), added to the grads there were before."""
    if accumulated:  # run this pass from zero, then add what was there before
        for node in order:
            node.grad = 0.0
    order[0].grad = seed
    for node in order:
        g = node.grad
        if g - g:  # inf or nan: name where it came from instead of spreading it
            raise FloatingPointError(_non_finite_gradient(order, node))
        parents = node.parents
        if parents:  # skip building a zip for the many leaves
            local = node._local_grads
            if local.__class__ is tuple:
                for parent, d in zip(parents, local):
                    parent.grad += d * g
            else:  # one operand, its derivative kept bare
                parents[0].grad += local * g
    if accumulated:
        for node, grad in zip(order, previous):
            node.grad += grad
            if isinstance(grad, Value):  # a grad kept from create_graph: a cycle the collector must see
                walked(node.grad)
                walked(node)


def float_gradients(order: list[Value], seed: float = 1.0, caller: str = "backward") -> dict[Value, float]:
    """d root / d node as a float for every node of order (root first), leaving every .grad untouched.

    FloatingPointError, worded as backward's (for caller), at the first node whose gradient is inf or nan.
    """
    totals = {order[0]: seed}
    for node in order:
        g = totals.get(node, 0.0)
        if g - g:
            raise FloatingPointError(_non_finite_gradient(order, node, g, caller))
        for parent, local in zip(node.parents, node.local_grads):
            totals[parent] = totals.get(parent, 0.0) + local * g
    return totals


def graph_gradients(order: list[Value], seed: float = 1.0) -> dict[Value, Value]:
    """d root / d node as a Value, for every node of order (root first) that root depends on.

    Each local derivative is the op's derivative rule applied to the node's operands and result as
    Values, so the gradients are graphs of their own: a derivative of any order is one more pass.
    Inside a derivative, a value may overflow as it does in the float rule (1 / (1 + a·a) is 0.0 at
    a = 1e300); a gradient that ends up inf or nan raises FloatingPointError, as backward's does.
    """
    grads: dict[Value, Any] = {order[0]: constant(seed)}
    outer, _modes.derivative_graph = getattr(_modes, "derivative_graph", False), True
    try:
        for node in order:
            g = grads.get(node)
            if g is not None and node.parents:
                _add_local_terms(node, g, grads)
    finally:
        _modes.derivative_graph = outer
    for node, g in grads.items():
        if g.data - g.data:
            raise FloatingPointError(_non_finite_gradient(order, node, g.data))
    return grads


def _add_local_terms(node: Value, g: Value, grads: dict[Value, Any]) -> None:
    """Add g · d node / d parent, a Value, to the gradient of each of node's parents."""
    local = OPS[node.op].derivatives(*node.parents, node)
    for k, (parent, d, recorded) in enumerate(zip(node.parents, local, node.local_grads)):
        if parent.__class__ is Constant:
            continue  # numbers get no gradient
        number = d.data if isinstance(d, Value) else d
        if number != recorded and (number == number or recorded == recorded):  # (nan is nan's equal here)
            raise RuntimeError(_other_reading(node, k, number, recorded))
        if d.__class__ is float and d == 0.0:
            continue  # a zero adds nothing
        term = g if d.__class__ is float and d == 1.0 else d * g
        grads[parent] = term if parent not in grads else grads[parent] + term


def _other_reading(node: Value, k: int, number: float, recorded: float) -> str:
    """Why create_graph cannot go on: node's derivative rule now gives another number than the node recorded."""
    operands = ", ".join(repr(p.data) for p in node.parents)
    return (
        f"backward(create_graph=True): the derivative of {node.op}({operands}) with respect to operand {k} is "
        f"{number!r} by its rule read on Values, but {recorded!r} when the node was made: the op was redefined "
        "since, or its rule computes something else on Values than on numbers; build the graph again"
    )


def all_finite_floats(xs: list[Any] | tuple[Any, ...]) -> bool:
    """Whether every item is a plain float and finite: one sum says it (an inf sum of finite ones says no)."""
    if not _PLAIN_FLOAT.issuperset(map(type, xs)):
        return False
    total = sum(xs, 0.0)
    return total - total == 0.0


_PLAIN_FLOAT = {float}


def as_finite_float(x: object, what: str) -> float:
    """x as a plain float, or a TypeError/ValueError saying what was wrong with it."""
    if x.__class__ is float:
        pass
    elif isinstance(x, float):  # a subclass (NumPy's float64): its number, never its methods or repr
        x = float.__float__(x)
    elif isinstance(x, numbers.Real):  # int, bool, Fraction, other NumPy scalars
        try:
            x = float(x)
        except OverflowError:
            raise ValueError(f"{what} must be finite, got {x!r}, too large for a float") from None
    else:
        raise TypeError(f"{what} must be a real number (int or float), got {type(x).__name__}: {x!r}")
    if not -_LARGEST <= x <= _LARGEST:
        raise ValueError(f"{what} must be finite, got {x!r}")
    return x


class Constant(Value):
    """A number lifted into the graph: a shared leaf (op "const") that never changes or gets a gradient."""

    # Its own class, so one type check over a node's operands finds numbers and constants alike.
    __slots__ = ()

    def __init__(self, data: Number):
        fields: dict[str, Any] = {"data": as_finite_float(data, "operand"), "grad": 0.0, "parents": ()}
        fields.update(_local_grads=(), op=CONSTANT, _label=None, _meta=None)
        for name, value in fields.items():
            _set_past_guard(self, name, value)
        if untrack is not None:  # frozen, and it holds a number only
            untrack(self)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "grad" and isinstance(value, float | int) and value == 0.0:  # zero_grad over a graph
            return
        raise _frozen(self, name)

    def __delattr__(self, name: str) -> None:
        raise _frozen(self, name)

    def __reduce__(self) -> tuple[Any, ...]:
        """copy.deepcopy and pickle give the shared constant of the number, not a node made past the guard."""
        return constant, (self.data,)


def _frozen(node: Constant, name: str) -> AttributeError:
    return AttributeError(
        f"constant {node.data!r}: {name} cannot be changed: the node is shared by every graph that uses "
        "the number (and its grad is always 0.0)"
    )


_set_past_guard = object.__setattr__  # how a constant is made, past the guard


def constant(x: Number) -> Value:
    """The constant leaf for a number: it receives no gradient, as a number in PyTorch does not.

    Constants never change and get no gradient, so one node per number serves every graph: a
    bounded cache saves building (and later collecting) a node per use.
    """
    if x.__class__ is not float:  # look up and keep plain floats only: a subclass may lie in __eq__
        x = as_finite_float(x, "operand")
    node = _CONSTANTS.get(x) if x else None  # 0.0 == -0.0: keep zeros out of the cache
    if node is None:
        node = Constant(x)
        if x:
            if len(_CONSTANTS) >= 4096:
                _CONSTANTS.clear()
            _CONSTANTS[node.data] = node
    return node


_CONSTANTS: dict[float, Constant] = {}


def _overflow(op: Op, *operands: Value) -> Exception:
    """Why op's result is inf or nan: an operand that already was (its .data set by hand), or overflow."""
    values = ", ".join(repr(p.data) for p in operands)
    for k, p in enumerate(operands):
        if not -_LARGEST <= p.data <= _LARGEST:
            return note_error(
                ValueError(f"{op.name}: operand {k} of {op.name}({values}) is not finite; was its .data set by hand?")
            )
    return note_error(OverflowError(f"{op.name}: the result of {op.name}({values}) overflows a float"))


def _plain(op: Op, data: Any, parents: tuple[Value, ...]) -> float:
    """A rule's result as a float (an int's, a float subclass's), or TypeError naming an operand that is no number."""
    if isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    for k, p in enumerate(parents):
        if not isinstance(p.data, int | float) or isinstance(p.data, bool):
            raise TypeError(
                f"{op.name}: the .data of operand {k} is {type(p.data).__name__} {p.data!r}, not a number; after "
                "backward(create_graph=True) a grad is a Value: update with its number, p.data -= lr * float(p.grad)"
            )
    raise TypeError(f"{op.name}: its rule gave {type(data).__name__} {data!r}, not a number")


def make_node(op: Op, data: float, parents: tuple[Value, ...], local_grads: tuple[float, ...] | float) -> Value:
    """The node op made of parents: its data and local derivatives given (no graph inside no_grad).

    local_grads: one per parent, or for one parent its bare float (which saves the tuple).
    """
    if data.__class__ is not float:
        data = _plain(op, data, parents)
    if data - data and not getattr(_modes, "derivative_graph", False):  # inf - inf is nan: the result overflowed
        raise _overflow(op, *parents)
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    if _paused and not recording():
        parents = local_grads = ()
    node.parents = parents
    node._local_grads = local_grads
    node.op = op.name
    node._label = node._meta = None
    if untrack is not None:  # a new node holds no cycle: the cyclic collector need not walk it (graph.walked)
        untrack(node, parents)
    return node


_new = object.__new__


def apply(op: Op, operands: Sequence[Value | Number]) -> Value:
    """The node op makes of operands (numbers become constants): how any op, yours too, makes a node.

    The operators and methods above are this, specialised for speed.
    """
    parents = tuple(lift(x, f"{op.name}: each operand") for x in operands)
    if op.arity is not None and len(parents) != op.arity:
        raise TypeError(f"{op.name}: takes {op.arity} operand{'s' * (op.arity != 1)}, got {len(parents)}")
    data, local_grads = op.apply(*(p.data for p in parents))
    data = as_finite_float(data, f"{op.name}: the result") if data.__class__ is not float else data
    if len(local_grads) != len(parents):
        raise TypeError(f"{op.name}: its derivatives gave {len(local_grads)} for {len(parents)} operands")
    local_grads = tuple(d if d.__class__ is float else float(d) for d in local_grads)
    if set(map(type, parents)) != _JUST_VALUES:
        local_grads = _without_constants(parents, local_grads)
    return make_node(op, data, parents, local_grads)


# ---- no_grad: ops that record no graph ---------------------------------------------------------

_paused = 0  # how many no_grad blocks are open in any thread: while none is, ops pay one test
_modes = threading.local()
_PAUSING = threading.Lock()


class no_grad:
    """A block (or a decorated function) in which ops make leaves: no graph, so no gradient flows.

    As in PyTorch, it holds for the thread that enters it.
    """

    def __enter__(self) -> no_grad:
        global _paused
        with _PAUSING:
            _paused += 1
        _modes.depth = getattr(_modes, "depth", 0) + 1
        return self

    def __exit__(self, *exc: object) -> None:
        global _paused
        _modes.depth -= 1
        with _PAUSING:
            _paused -= 1

    def __call__(self, f: Any) -> Any:
        @functools.wraps(f)
        def paused(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return f(*args, **kwargs)

        return paused


def recording() -> bool:
    """False inside a no_grad block of this thread."""
    return not getattr(_modes, "depth", 0)


def _unary(op: Op, a: Value) -> Value:
    data, (local,) = op.apply(a.data)
    return make_node(op, data, (a,), local)


def _binary(op: Op, a: Any, b: Any) -> Value:
    if a.__class__ is not Value or b.__class__ is not Value:
        return _binary_with_number(op, a, b)
    data, local_grads = op.apply(a.data, b.data)
    if data.__class__ is not float:
        data = _plain(op, data, (a, b))
    if data - data and not getattr(_modes, "derivative_graph", False):  # inf - inf is nan: the result overflowed
        raise _overflow(op, a, b)
    node = _new(Value)  # make_node, inlined on this hot path
    node.data = data
    node.grad = 0.0
    if _paused and not recording():
        node.parents = node._local_grads = ()
    else:
        node.parents = (a, b)
        node._local_grads = local_grads
    node.op = op.name
    node._label = node._meta = None
    if untrack is not None:
        untrack(node, node.parents)
    return node


def _binary_with_number(op: Op, a: Any, b: Any) -> Value:
    """A binary op with a number on one side: the number becomes a constant and gets no gradient."""
    if isinstance(a, Value):
        if isinstance(b, Value):  # both are Values after all: constants, or other subclasses
            data, local_grads = op.apply(a.data, b.data)
            return make_node(op, data, (a, b), _without_constants((a, b), local_grads))
        b = _number_operand(op, b, a)
        data, (da, _) = op.apply(a.data, b.data)
        return make_node(op, data, (a, b), (0.0 if a.__class__ is Constant else da, 0.0))  # a may be a constant too
    a = _number_operand(op, a, b)
    data, (_, db) = op.apply(a.data, b.data)
    return make_node(op, data, (a, b), (0.0, 0.0 if b.__class__ is Constant else db))


def _number_operand(op: Op, x: Any, other: Value) -> Value:
    """The constant for the number x, or a TypeError naming op and x's type."""
    if x.__class__ is float or _is_real(x):
        return constant(x)
    raise TypeError(
        f"{op.name}: operands must be Values or real numbers, got {type(x).__name__}: {x!r} (with {other!r})"
    )


def _is_real(x: object) -> bool:
    return x.__class__ is float or isinstance(x, numbers.Real)


def lift(x: Value | Number, what: str = "operand") -> Value:
    """x itself if it is a Value, else the constant for the number x (what names x in errors)."""
    if isinstance(x, Value):
        return x
    if not _is_real(x):
        raise TypeError(f"{what} must be a Value or a real number, got {type(x).__name__}: {x!r}")
    return constant(x)


def xlogy(x: Value | Number, y: Value | Number) -> Value:
    """x·log(y), and 0 where x is 0 (PyTorch's torch.xlogy); numbers become constants."""
    return apply(ops.xlogy, (x, y))


def sum_values(values: Iterable[Value | Number]) -> Value:
    """Σ values as one node with an operand per value (numbers become constants)."""
    operands = tuple(lift(v, "sum_values: each value") for v in values)
    if not operands:
        raise ValueError("sum_values: needs at least one value, got none")
    data, local_grads = ops.sum_.apply(*[v.data for v in operands])
    if set(map(type, operands)) != _JUST_VALUES:
        local_grads = _without_constants(operands, local_grads)
    return make_node(ops.sum_, data, operands, local_grads)


def logsumexp(values: Iterable[Value | Number]) -> Value:
    """log Σ e^value as one node, stable for any values: the log of softmax's denominator."""
    operands = tuple(lift(v, "logsumexp: each value") for v in values)
    if not operands:
        raise ValueError("logsumexp: needs at least one value, got none")
    return apply(ops.logsumexp, operands)


def weighted_sum(
    weights: Sequence[Value | Number], inputs: Sequence[Value | Number], bias: Value | Number | None = None
) -> Value:
    """Σ w_i·x_i (+ bias) as one node: operands are the weights, then the inputs, then the bias."""
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs; they must pair up")
    n = len(weights)
    given = (*weights, *inputs) if bias is None else (*weights, *inputs, bias)
    operands = cast("tuple[Value, ...]", given)
    plain = set(map(type, given)) == _JUST_VALUES  # no numbers, no constants: a neuron's usual case
    if not plain:
        operands = tuple(
            lift(
                v,
                "weighted_sum: each weight"
                if i < n
                else "weighted_sum: each input"
                if i < 2 * n
                else "weighted_sum: the bias",
            )
            for i, v in enumerate(given)
        )
    data = [v.data for v in operands]
    value, local_grads = ops.weighted_sum.apply(*data)
    if not plain:
        local_grads = _without_constants(operands, local_grads)
    return make_node(ops.weighted_sum, value, operands, local_grads)


def _without_constants(operands: tuple[Value, ...], local_grads: tuple[float, ...]) -> tuple[float, ...]:
    """local_grads with 0.0 for every constant operand: numbers get no gradient."""
    return tuple(0.0 if v.__class__ is Constant else d for v, d in zip(operands, local_grads))


_JUST_VALUES = {Value}


def _non_finite_gradient(order: list[Value], node: Value, grad: float | None = None, caller: str = "backward") -> str:
    """Explain which local derivative made node's gradient (its grad, or the one given) inf or nan."""
    grad = node.grad if grad is None else grad
    name = node.label or f"a {node.op or 'leaf'} node with data {node.data!r}"
    for user in order:
        for parent, local in zip(user.parents, user.local_grads):
            if parent is node and not math.isfinite(local * 1.0):
                operands = ", ".join(repr(p.data) for p in user.parents)
                return (
                    f"{caller}: the gradient reaching {name} is {grad!r}: the local derivative "
                    f"of {user.op}({operands}) with respect to it is {local!r}"
                )
    return (
        f"{caller}: the gradient reaching {name} is {grad!r}: a product of finite local derivatives overflowed a float"
    )
