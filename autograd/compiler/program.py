"""The replayed program: a traced graph compiled to straight-line Python, called at new arguments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd import primitive
from autograd import value as value_module
from autograd.compiler import native
from autograd.compiler.arguments import Shape, checked_items, flatten, nest, size
from autograd.compiler.codegen import defined, source_of
from autograd.compiler.errors import TraceError
from autograd.compiler.tracing import ARG, MADE, PARAM, Node, node_name, record
from autograd.expressions import Expr, number
from autograd.graph import collector_paused, topological_order
from autograd.script import Node as ScriptNode
from autograd.script import program as script_program
from autograd.value import CONSTANT, Value, as_finite_float


def trace(f: Callable[..., Value], *example_args: Any, native: bool | str = "auto") -> Program:
    """Run f once on example_args (numbers, Values, or nested lists of them) and compile its graph.

    native: its value and gradients also compiled to C, float for float the same (autograd.compiler.native):
    "auto" once the replay has run about as long as compiling takes, or at once from the disk cache; True at
    once; False never. Without a C compiler, the Python replay (with one warning).
    """
    if native not in (True, False, "auto"):
        raise ValueError(f"trace: native must be True, False or 'auto', got {native!r}")
    return Program(f, *record(f, *example_args), native=native)


class Program:
    """A traced graph compiled to straight-line Python: its value and gradients at new arguments."""

    def __init__(
        self,
        f: Callable[..., Value],
        shapes: tuple[Shape, ...],
        nodes: list[Node],
        params: list[Value],
        native: bool | str = "auto",
    ):
        self.f = f
        self.native = native
        self.nodes = nodes
        self.params = tuple(params)  # read at every call; backward adds to their grad
        self.shapes = shapes
        self.source = source_of(self.nodes, size(shapes))
        self._functions: dict[object, Callable[..., Any]] = {}
        self._redefinitions = primitive.redefinitions  # the code is the rules' as they were then

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
        return self._slow_value(x)  # the engine's own error, or a false alarm's same value

    def value_and_grad(self, *args: Any) -> tuple[float, list[Any]]:
        """f's value at args and its derivative with respect to each argument, shaped like args."""
        x = self._floats(args)
        value, arg_grads, _ = self._gradient(x, self._param_data())
        return value, nest(iter(arg_grads), self.shapes)

    def flat_value_and_grad(self, x: list[float]) -> tuple[float, list[float]]:
        """value_and_grad at x, the argument numbers flat (depth first): finite floats, as many as traced.

        For a caller that made x itself (autograd.compiler.higher): no shapes read, none made.
        """
        value, arg_grads, _ = self._gradient(x, self._param_data())
        return value, arg_grads

    def backward(self, *args: Any) -> float:
        """f's value at args; adds d f / d p to p.grad for each parameter, as f(*args).backward() would."""
        value, _, param_grads = self._gradient(self._floats(args), self._param_data())
        with value_module.ACCUMULATING:  # as backward does: concurrent calls all add up
            for q, g in zip(self.params, param_grads):
                q.grad += g
        return value

    def iterate(
        self, steps: int, update: Callable[[Any, Any], Any], *args: Any, params: Sequence[Value] | None = None
    ) -> list[float]:
        """Take steps of p = update(p, d f/d p) on params (default all) at args, in one generated loop; the values.

        update is written with arithmetic, like an op's rule, and read as source (``nn.SGD.descend`` gives
        gradient descent's). Float for float the loop f(*args), backward(), p.data = update(p.data, p.grad);
        each step's value is taken before its update. Only .data changes; no .grad is touched.
        """
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"iterate: steps must be a whole number >= 0, got {steps!r}")
        rule = _update_rule(update)
        trained = {id(q) for q in (self.params if params is None else params)}
        positions = tuple(k for k, q in enumerate(self.params) if id(q) in trained)
        x = self._floats(args)
        values: list[float] = []
        while len(values) < steps:
            loop = self._function(("iterate", positions, rule), update)
            count = loop.steps(steps - len(values)) if isinstance(loop, native.Tiered) else steps - len(values)
            done, p, failed = loop(count, x, self._param_data())
            values += done
            for q, data in zip(self.params, p):
                q.data = data
            if failed is not None:  # the engine raises its error, or repeats a false alarm's step
                values.append(self._step_again(x, list(p), positions, update, rule, len(values)))
        return values

    def _step_again(
        self, x: list[float], p: list[float], positions: tuple[int, ...], update: Callable[..., Any], rule: str, k: int
    ) -> float:
        """Step k of iterate by the engine: its error, or a false alarm's step; FloatingPointError on overflow."""
        value, _, grads = self._gradient(x, p, fast=False)
        updated = {j: float(update(p[j], grads[j])) for j in positions}
        for j, data in updated.items():
            if data - data:
                raise FloatingPointError(
                    f"iterate: step {k} makes {node_name(self.params[j])} {data!r} (data {p[j]!r}, grad "
                    f"{grads[j]!r}, update {rule}); the parameters are as before that step"
                )
        for j, data in updated.items():
            self.params[j].data = data
        return value

    def readings(self) -> dict[str, str]:
        """How each generated function called so far ("forward", "gradient", "iterate") runs now: "C" or "Python"."""
        return {
            which if isinstance(which, str) else which[0]: "C" if getattr(function, "is_native", False) else "Python"
            for which, function in self._functions.items()
        }

    def script(self, *args: Any, params: Sequence[Value] | None = None) -> str:
        """The program as JavaScript at args (autograd.script.program): forward, backward, SGD on params (or all)."""
        x, p = self._floats(args), self._param_data()
        trained = {id(q) for q in (self.params if params is None else params)}
        nodes, initial, trainable = [], [], []
        for k, node in enumerate(self.nodes):
            leaf = node.op in (ARG, PARAM, CONSTANT, MADE)
            nodes.append(ScriptNode(None if leaf else node.op, node.parents, node.fixed, node.label))
            initial.append(
                x[int(node.data)] if node.op == ARG else p[int(node.data)] if node.op == PARAM else node.data
            )
            if node.op == PARAM and id(self.params[int(node.data)]) in trained:
                trainable.append(k)
        return script_program(nodes, initial, trainable)

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
        if total.__class__ is not float or total - total:  # one sum finds a Value, an inf or nan (or an inf sum)
            for q in self.params:
                as_finite_float(q.data, f"program: the data of the parameter {node_name(q)}")
        return p

    def _floats(self, args: tuple[Any, ...]) -> list[float]:
        """The numbers in args, depth first; TraceError if args are not shaped like the example."""
        floats: list[float] = []
        if not flatten(args, self.shapes, floats):
            list(checked_items(args, self.shapes))  # raises, saying where the shapes differ
        return floats

    def _gradient(self, x: list[float], p: list[float], fast: bool = True) -> tuple[float, list[float], list[float]]:
        if fast:
            try:
                value, arg_grads, param_grads, check = self._function("gradient")(x, p)
                if not check - check:  # inf or nan somewhere: let the engine say where
                    return value, list(arg_grads), list(param_grads)
            except (ArithmeticError, ValueError):
                pass
        return self._slow_gradient(x)  # p is the parameters' data

    @collector_paused()  # the graph is built and dropped inside
    def _slow_value(self, x: list[float]) -> float:
        return self._dynamic(x)[0].data

    @collector_paused()
    def _slow_gradient(self, x: list[float]) -> tuple[float, list[float], list[float]]:
        """Value and gradients by the engine: backward's error, or a false alarm's same numbers."""
        root, args = self._dynamic(x)
        totals = value_module.float_gradients(topological_order(root))
        return root.data, [totals.get(a, 0.0) for a in args], [totals.get(q, 0.0) for q in self.params]

    def _dynamic(self, x: list[float]) -> tuple[Value, list[Value]]:
        """f itself called at x by the engine: the slow path, with f's own branches, try blocks and errors."""
        args = [Value(v) for v in x]
        root = self.f(*nest(iter(args), self.shapes))
        if not isinstance(root, Value):
            raise TypeError(f"program: f returned {type(root).__name__} at these arguments, not a Value")
        return root, args

    def _function(self, which: Any, update: Callable[..., Any] | None = None) -> Callable[..., Any]:
        """The compiled "forward", "gradient", or loop of iterate ("iterate", positions, update's rule)."""
        if self._redefinitions != primitive.redefinitions:  # an op was redefined: its new rules, not the old
            self.source, self._functions = source_of(self.nodes, self.source.n_args), {}
            self._redefinitions = primitive.redefinitions
        function = self._functions.get(which)
        if function is None:
            if which == "forward":
                text = self.source.forward()
            elif which == "gradient":
                text = self.source.gradient()
            else:
                text = self.source.iterate(which[1], update)  # type: ignore[arg-type]
            run = defined(text, f"<program of {getattr(self.f, '__name__', 'f')}>")
            function = self._functions[which] = self._tiered(which, run, text)
        return function

    def _tiered(self, which: Any, run: Callable[..., Any], text: str) -> Callable[..., Any]:
        """run, or for "forward" and "gradient" run until its native reading pays (see trace's native)."""
        n, m = self.source.n_args, len(self.params)
        if not self.native:
            return run
        if which == "forward":
            return native.Tiered(run, text, 2, tuple, self.native)
        if which != "gradient":  # iterate: out is the stopping step (-1: none), the parameters, a value per step
            values = lambda o: o[m + 1 :] if o[0] < 0 else o[m + 1 : m + 1 + int(o[0])]  # noqa: E731
            stopped = lambda o: (values(o), o[1 : m + 1], None if o[0] < 0 else int(o[0]))  # noqa: E731
            return native.Tiered(run, text, m + 1, stopped, self.native, compare=False)
        shape = lambda o: (o[0], o[1 : n + 1], o[n + 1 : n + m + 1], o[-1])  # noqa: E731
        return native.Tiered(run, text, n + m + 2, shape, self.native)


def _update_rule(update: Callable[[Any, Any], Any]) -> str:
    """update(p, g) read as source, e.g. "p - 0.1 * g"; TypeError if it is not arithmetic of p and g."""
    try:
        return number(update(Expr("p"), Expr("g"))).text
    except Exception as e:
        raise TypeError(f"iterate: update must be arithmetic of p and g, like lambda p, g: p - 0.1 * g ({e})") from None


def _describe(nodes: list[Node], k: int) -> str:
    if k >= len(nodes):
        return "no node"
    node = nodes[k]
    if node.op in (CONSTANT, MADE):
        return f"the number {node.data!r}"
    if node.op in (ARG, PARAM):
        return f"{node.op} {int(node.data)}"
    return f"{node.op} of nodes {list(node.parents)}"
