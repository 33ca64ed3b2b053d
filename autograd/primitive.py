"""What an op is: its rules, how they are written and checked, the registry of ops, and how a rule is read.

An op is called like a function, and its operands decide how the call is read, as in JAX's ``bind``:
numbers compute a float, ``Value``s make a graph node, ``Expr``s write Python source. A class takes part
by giving itself a ``reading(op, operands)`` static method (``Value`` and ``Expr`` do), so this module
knows neither. The engine's float rule of an op is its rules read as source once and compiled.
"""

from __future__ import annotations

import ast
import inspect
import math
import numbers
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from autograd.expressions import Expr, call, is_literal, literal_value, number

Result = tuple[float, tuple[float, ...]]

# What generated code may assume about an op's floats; the tracer's overflow checks rely on it.
ARITHMETIC = "arithmetic"  # an inf or nan operand gives inf or nan; may overflow silently; finite locals
SMOOTH = "smooth"  # finite operands give a finite value or an exception; finite local derivatives
SINGULAR = "singular"  # may overflow silently; a local derivative may be infinite (like 1/0)
KINDS = (ARITHMETIC, SMOOTH, SINGULAR)


@dataclass(frozen=True)
class Check:
    """A domain error: where condition (source over the operands) holds, raise error(message)."""

    condition: str
    error: type[Exception]
    message: str  # an f-string body over the operands, e.g. "log: operand must be positive, got log({a!r})"


@dataclass(frozen=True, repr=False)
class Op:
    """A primitive: its value and derivative rules, its checks, how it is written, and its float rule.

    The value is either a rule over the operands (``value``: arithmetic, ``where`` and other ops) or a
    float function (``function``, such as ``math.exp``) that generated code calls by the op's name.
    ``derivatives(*operands, out)`` gives one local derivative per operand, in terms of the operands
    and the result, as PyTorch's derivatives.yaml states them. A rule must:

    - mean the same on floats, Values and source: arithmetic, other ops (``exp(a)``, ``step(a)``) and
      the helpers of ``autograd.ops`` only; no ``if`` on an operand (use ``where`` in a value rule and
      ``step``/``sign`` in a derivative, which is read on Values too);
    - build its derivatives from ops, so that they can be differentiated again (create_graph);
    - leave its domain to ``checks``: the float and source readings raise exactly where they fail.
    """

    name: str
    derivatives: Callable[..., Sequence[Any]]
    value: Callable[..., Any] | None = None
    function: Callable[..., float] | None = None
    script: str = ""  # the float function in JavaScript (autograd.script), e.g. "Math.exp"; "": the page cannot run it
    kind: str = SINGULAR
    checks: tuple[Check, ...] = ()
    gate: Callable[..., Any] | None = None  # where this is false every local derivative is exactly 0
    # How it is drawn and written: its node's label (micrograd's _op), the walkthrough's text and LaTeX
    # ({0}, {1} the operands; {*} all of them; None: name({0}, ...)).
    symbol: str = ""
    text: str = ""
    latex: str = ""
    grouped: bool = False  # binds tighter than +: a compound operand is written in brackets
    join: str | None = None  # an n-ary op written as its operands with this between them (a sum: " + ")
    coefficient: bool = False  # the constant 0.5 as its first operand is written ½ (the documents' ½(t − o)²)
    layout: Callable[[Sequence[Any]], tuple[Sequence[Any], Sequence[Any], Any]] | None = None  # (weights, inputs, bias)
    pairs: Callable[[Sequence[Any], int], Any] | None = None  # the operand that operand j multiplies, or None
    normaliser: bool = False  # softmax's normaliser: the values it is computed from are coupled
    # The float function's body in C, for the native reading of programs (autograd.compiler.creading): over
    # double operands named as the rules name them (an n-ary op: int n and const double *name), setting *err
    # where the function raises (math1(f, x, err) calls libm's f as the math module does); "": read in Python.
    c: str = ""
    operands: tuple[str, ...] = field(init=False)  # the rules' parameter names
    arity: int | None = field(init=False)  # None: any number of operands
    apply: Callable[..., Result] = field(init=False, repr=False, compare=False)  # value and local derivatives of floats

    def __post_init__(self) -> None:
        if (self.value is None) == (self.function is None):
            raise TypeError(f"{self.name}: give the op a value rule or a float function, not both or neither")
        names, arity = _operands(self)
        written = _default_writing(self.name, names, arity)
        for name, default in zip(("symbol", "text", "latex"), (self.name, *written)):
            if not getattr(self, name):
                _initialise(self, name, default)
        _initialise(self, "operands", names)
        _initialise(self, "arity", arity)
        _initialise(self, "apply", self._compile_and_apply)  # compiled at first use: rules may name later ops

    def __call__(self, *operands: Any) -> Any:
        """This op applied to operands, read by their kind: numbers give a float, Values a node, Exprs source."""
        for x in operands:
            reading = getattr(x.__class__, "reading", None)
            if reading is not None:
                return reading(self, operands)
            if not isinstance(x, numbers.Real):
                raise TypeError(f"{self.name}: operands must be Values or real numbers, got {type(x).__name__}: {x!r}")
        return self.apply(*map(float, operands))[0]

    def __repr__(self) -> str:
        count = "any number of operands" if self.arity is None else f"operands {', '.join(self.operands)}"
        return f"<op {self.name}: {count}>"

    def source(self, *operands: Any) -> Expr:
        """The op's value as source over operand expressions."""
        if self.function is not None or not self.compiled:
            return call(self.name, *operands)
        return number(self.value(*map(number, operands)))  # type: ignore[misc]

    def code(self, out: str, *operands: str) -> tuple[str, tuple[str, ...], str | None]:
        """The rules as source over operand expressions: (value, local derivatives, gate or None)."""
        args = [Expr(a) for a in operands]
        value = call(self.name, *args) if self.function is not None else number(self.value(*args))  # type: ignore[misc]
        local = tuple(number(d).text for d in self.derivatives(*args, Expr(out)))
        return value.text, local, number(self.gate(*args)).text if self.gate else None

    def formulas(self) -> tuple[str, ...]:
        """Each local derivative as a formula over the operands and ``out``, e.g. ("1.0 - out * out",)."""
        return self.code("out", *self._names())[1]

    @property
    def compiled(self) -> bool:
        """Whether the rules can be read as source, and so compiled (else the float rule calls them as they are)."""
        readable = self.__dict__.get("_readable")
        if readable is None:
            _initialise(self, "_readable", True)  # meanwhile, for rules that use each other
            try:
                self.code("out", *self._names())
            except Exception:  # e.g. math.exp or a branch on an operand: only floats can run these rules
                _initialise(self, "_readable", False)
        return self.__dict__["_readable"]

    @property
    def passes_gradient_on(self) -> bool:
        """Whether every local derivative is exactly 1 (a sum): the gradient passes through unchanged."""
        try:
            return all(d == "1.0" for d in self.formulas())
        except Exception:  # rules only floats can run
            return False

    def _names(self) -> tuple[str, ...]:
        return self.operands if self.arity is not None else ("x0", "x1")

    def _compile_and_apply(self, *xs: float) -> Result:
        self._compile()
        return self.apply(*xs)

    def _compile(self) -> None:
        if not self.compiled:
            apply = _calling(self)
        else:
            apply = _per_count(self) if self.arity is None else _compile(self, _parameters(self, len(self.operands)))
        _initialise(self, "apply", apply)


_initialise = object.__setattr__  # a frozen Op's derived fields, set by the Op itself

OPS: dict[str, Op] = {}  # every op by name: the engine's own and yours (autograd.define_op)
SOURCE_FUNCTIONS: dict[str, Any] = {"inf": math.inf, "log1p": math.log1p}  # what rules' source may call
SCRIPT_FUNCTIONS: dict[str, str] = {"log1p": "Math.log1p"}  # the same in JavaScript (autograd.script)
# Python's own functions that generated code calls: no op or helper may take their names.
PYTHON_NAMES = frozenset({"abs", "max", "min", "sum", "float", "round", "len", "range"})


def register(op: Op, *, replace: bool = False) -> Op:
    """Add op to OPS and return it; a ValueError if its name is taken (replace: redefine an op of your own)."""
    taken = op.name in OPS and not (replace and op.name not in _BUILTIN)
    called_by_name = op.function is not None and op.name in PYTHON_NAMES  # generated code would call Python's
    if taken or op.name in SOURCE_FUNCTIONS or called_by_name:
        raise ValueError(f"an op named {op.name!r} exists already; the ops are {', '.join(OPS)}")
    if op.kind not in KINDS:
        raise ValueError(f"{op.name}: kind must be one of {', '.join(KINDS)}, got {op.kind!r}")
    if op.name.startswith("_"):  # the compiled rules' own names begin with _
        raise ValueError(f"an op's name must not begin with _, got {op.name!r}")
    clash = set(op.operands) & (set(SOURCE_FUNCTIONS) | set(OPS) | PYTHON_NAMES | {"out", op.name})
    if op.checks and clash:  # its checks are compiled over its operands' own names
        raise ValueError(f"{op.name}: an op with checks cannot name an operand {sorted(clash)[0]!r}")
    if op.name in OPS:  # replaced: code generated from the old rules must be generated again
        global redefinitions
        redefinitions += 1
    OPS[op.name] = op
    return op


redefinitions = 0  # how many ops have been redefined (define_op's replace=True) since the engine started


def seal_builtins() -> tuple[str, ...]:
    """Mark the ops registered so far as the engine's own, which nothing may redefine; their names."""
    _BUILTIN.update(OPS)
    return tuple(OPS)


_BUILTIN: set[str] = set()


def source_function(*, script: str, c: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator registering f under its name as a function the rules' source may call, with its other readings.

    script: its JavaScript (autograd.script); c: its C body for the native reading of programs, statements over
    f's parameters as doubles, setting *err where f raises (as an op's ``c``).
    """

    def registered(f: Callable[..., Any]) -> Callable[..., Any]:
        SOURCE_FUNCTIONS[f.__name__], SCRIPT_FUNCTIONS[f.__name__], SOURCE_C[f.__name__] = f, script, c
        return f

    return registered


SOURCE_C: dict[str, str] = {"log1p": "return math1(log1p, x, err);"}  # the C body of each source function


def namespace() -> dict[str, Any]:
    """The names generated code may call: the helpers, and each op whose source is a call of its float rule."""
    names = dict(SOURCE_FUNCTIONS)
    for op in list(OPS.values()):  # a snapshot: another thread may define an op meanwhile
        if op.function is not None or not op.compiled:
            names[op.name] = op.function or _value_of(op)
    return names


def settle_reading(op: Op, points: Sequence[tuple[float, ...]]) -> None:
    """Keep op's compiled float rule only if it gives what its rules called on floats give at every point.

    The same numbers, or an error of the same type; where they differ, the rules are called as they are.
    """
    if not op.compiled:
        return
    calling = _calling(op)
    for point in points:
        if _outcome(op.apply, point) != _outcome(calling, point):
            _initialise(op, "_readable", False)
            _initialise(op, "apply", calling)
            return


def _outcome(rule: Callable[..., Result], point: tuple[float, ...]) -> object:
    """What rule gives at point, comparable across readings: its floats (repr, so nan equals nan) or error type."""
    try:
        value, local = rule(*point)
        return repr((float(value), tuple(map(float, local))))
    except Exception as error:
        return type(error)


def _value_of(op: Op) -> Callable[..., float]:
    def value(*xs: float) -> float:
        return op.apply(*xs)[0]

    value.__name__ = op.name
    return value


def _operands(op: Op) -> tuple[tuple[str, ...], int | None]:
    """The operands' names and their number (None: any), read off the value rule or else the derivative rule."""
    if op.value is not None:
        return _signature(op.name, op.value)
    names, arity = _signature(op.name, op.derivatives)
    return (names, None) if arity is None else (names[:-1], arity - 1)  # derivatives(*operands, out)


def _signature(name: str, value: Callable[..., Any]) -> tuple[tuple[str, ...], int | None]:
    try:
        parameters = list(inspect.signature(value).parameters.values())
    except (TypeError, ValueError):
        raise TypeError(f"{name}: value must be a function of the operands, got {value!r}") from None
    if len(parameters) == 1 and parameters[0].kind is inspect.Parameter.VAR_POSITIONAL:
        return (parameters[0].name,), None
    plain = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)  # math.exp's x is the latter
    if not parameters or any(p.kind not in plain for p in parameters):
        raise TypeError(f"{name}: value must take the operands as plain parameters, like lambda a, b: ...")
    return tuple(p.name for p in parameters), len(parameters)


def _default_writing(name: str, operands: tuple[str, ...], arity: int | None) -> tuple[str, str]:
    """name(operands) as the walkthrough's text and LaTeX, for an op that gives no notation of its own."""
    args = "{*}" if arity is None else ", ".join("{" + str(i) + "}" for i in range(len(operands)))
    return f"{name}({args})", "\\mathrm{{" + name + "}}\\left(" + args + "\\right)"


def _calling(op: Op) -> Callable[..., Result]:
    value, derivatives = op.value or op.function, op.derivatives

    def apply(*xs: float) -> Result:
        try:
            out = value(*xs)  # type: ignore[misc]
            return out, tuple(derivatives(*xs, out))
        except (ArithmeticError, ValueError) as error:
            note_error(error)
            raise

    return apply


_watch = threading.local()  # per thread: the list the op errors of a trace are noted in, or None


def note_error(error: Exception) -> Exception:
    """error (an op's, about to be raised), noted for a trace running in this thread."""
    errors = getattr(_watch, "errors", None)
    if errors is not None:
        errors.append(error)
    return error


@contextmanager
def noting_errors() -> Iterator[list[Exception]]:
    """The errors ops raise in this thread inside the block: a trace must know of those f caught."""
    outer = getattr(_watch, "errors", None)
    _watch.errors = errors = []
    try:
        yield errors
    finally:
        _watch.errors = outer


COMPILED_OPERANDS = 64  # an n-ary op's rule is compiled for up to this many operands, else called


def _per_count(op: Op) -> Callable[..., Result]:
    """An n-ary op's float rule: compiled for each number of operands the first time it is met."""
    rules: dict[int, Callable[..., Result]] = {}
    calling = _calling(op)

    def apply(*xs: float) -> Result:
        rule = rules.get(len(xs))
        if rule is None:
            if len(xs) > COMPILED_OPERANDS:  # a long sum: its source would cost more than it saves
                return calling(*xs)
            rule = rules[len(xs)] = _compile(op, _parameters(op, len(xs)))
        return rule(*xs)

    return apply


def _parameters(op: Op, count: int) -> tuple[str, ...]:
    """The compiled rule's parameter names: the op's own where its checks name them, else _0, _1, ...

    Positional names cannot meet anything the rules' source uses (an operand called out, exp or inf).
    """
    if not op.checks:
        return tuple(f"_{i}" for i in range(count))
    return op.operands if op.arity is not None else tuple(f"x{i}" for i in range(count))


def _compile(op: Op, operands: tuple[str, ...]) -> Callable[..., Result]:
    """def apply(operands): the checks, out = value, return out and the local derivatives."""
    out = "out" if op.checks else "_out"
    value, local, _ = op.code(out, *operands)
    lines = []
    for check in op.checks:
        lines += [f"if {check.condition}:", f"    raise {check.error.__name__}(f{check.message!r})"]
    names = namespace()
    names.update({e.__name__: e for e in (ValueError, ZeroDivisionError, OverflowError)}, NOTE=note_error)
    choice = _literal_choice(local)
    if all(is_literal(Expr(d)) for d in local):  # a shared tuple: the node allocates nothing for it
        names["LOCAL"] = tuple(literal_value(Expr(d)) for d in local)
        lines += [f"return {value}, LOCAL"]
    elif choice:  # one of two shared tuples (relu's 1 or 0)
        condition, names["THEN"], names["ELSE"] = choice
        lines += [f"return {value}, (THEN if {condition} else ELSE)"]
    else:
        lines += [f"{out} = {value}", f"return {out}, ({', '.join(local)},)"]
    # The try costs nothing until an error, which a trace must hear of (a branch on it cannot be replayed).
    body = [f"def apply({', '.join(operands)}):", "    try:", *(f"        {line}" for line in lines)]
    body += ["    except (ArithmeticError, ValueError) as error:", "        NOTE(error)", "        raise"]
    exec(compile("\n".join(body) + "\n", f"<float rule of {op.name}>", "exec"), names)
    return names["apply"]


def _literal_choice(local: tuple[str, ...]) -> tuple[str, tuple[float], tuple[float]] | None:
    """(condition, (x,), (y,)) if the one local derivative is ``x if condition else y`` of numbers."""
    if len(local) != 1:
        return None
    tree = ast.parse(local[0], mode="eval").body
    if not (isinstance(tree, ast.IfExp) and is_literal(Expr(ast.unparse(tree.body)))):
        return None
    if not is_literal(Expr(ast.unparse(tree.orelse))):
        return None
    pick = (literal_value(Expr(ast.unparse(tree.body))),), (literal_value(Expr(ast.unparse(tree.orelse))),)
    return ast.unparse(tree.test), *pick
