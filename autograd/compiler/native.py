"""The native reading of a program: its generated Python read once more, as C, compiled and called through ctypes.

The C is the generated Python statement for statement (``codegen`` writes it from the op table's rules),
so every sum is added in the same order; libm's functions are called as CPython's math module calls them,
and Python's float ``**`` and ``/`` are spelled as CPython computes them. Where the Python would raise,
the C sets an error flag instead, and the program takes its slow path (the engine says why). Functions
the source calls are read from the op table: an op's ``c`` and each source function's C body.
Compiled with ``-O2 -fno-fast-math -ffp-contract=off -fno-builtin``: no reassociation, no fused multiply-add,
no compile-time folding of libm calls.
"""

from __future__ import annotations

import ast
import ctypes
import hashlib
import inspect
import math
import sys
import time
from array import array
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Any

from autograd.compiler import libraries
from autograd.primitive import OPS, SOURCE_C, SOURCE_FUNCTIONS

_PRELUDE = r"""#include <errno.h>
#include <math.h>

/* libm's f at x as CPython's math module calls it: *err where the module raises */
static double math1(double (*f)(double), double x, int *err) {
    errno = 0;
    double r = f(x);
    if (!isfinite(x) || isnan(r) || isinf(r) || (errno && !(errno == ERANGE && fabs(r) < 1.5))) *err = 1;
    return r;
}

/* Python's float a ** b (CPython's float_pow) into *r: 0, or 1 where it raises OverflowError, else 2 */
static int py_pow(double iv, double iw, double *r) {
    int negate = 0;
    if (iw == 0.0) { *r = 1.0; return 0; }
    if (!isfinite(iv) || !isfinite(iw)) { *r = NAN; return 2; }
    if (iv == 0.0) {
        if (iw < 0.0) { *r = NAN; return 2; }
        *r = fmod(fabs(iw), 2.0) == 1.0 ? iv : 0.0;
        return 0;
    }
    if (iv < 0.0) {
        if (iw != floor(iw)) { *r = NAN; return 2; }
        iv = -iv;
        negate = fmod(fabs(iw), 2.0) == 1.0;
    }
    if (iv == 1.0) { *r = negate ? -1.0 : 1.0; return 0; }
    errno = 0;
    double x = pow(iv, iw);
    if (errno == 0 && isinf(x)) errno = ERANGE;
    else if (errno == ERANGE && x == 0.0) errno = 0;
    *r = negate ? -x : x;
    return errno == 0 ? 0 : errno == ERANGE ? 1 : 2;
}

static double power_op(double a, double b, int *err) {
    double r;
    if (py_pow(a, b, &r)) *err = 1;
    return r;
}

static double divide(double a, double b, int *err) {
    if (b == 0.0) *err = 1;
    return a / b;
}
"""

_COMPARE = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!="}
_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
_ADDS_IN_ORDER = sys.version_info < (3, 12)  # sum() of floats: left to right before 3.12, compensated from 3.12


class Unreadable(Exception):
    """The generated Python holds something the C reading does not know: the program replays in Python."""


ARRAYS = ("x", "p", "a")  # parameters of generated code that hold numbers; xs holds samples' numbers, one after another
SIGNATURES = {
    ("x", "p"): "forward, gradient",
    ("xs", "p", "a", "carried", "seed"): "a sample loop",
    ("steps", "x", "p"): "iterate's loop of steps: out is the stopping step (-1: none), the parameters, the values",
}


def c_source(python: str) -> str:
    """The C for a generated ``def run(...)`` (see SIGNATURES): int run(parameters..., double *out) -> error flag.

    An array parameter is a const double *, xs is const double *xs, long count (count samples); the others
    are doubles. out receives the returned numbers, nested tuples flattened. Unreadable for anything else.
    """
    function = ast.parse(python).body[0]
    if not isinstance(function, ast.FunctionDef) or tuple(a.arg for a in function.args.args) not in SIGNATURES:
        raise Unreadable("not a generated run(...)")
    reader = _Reader()
    if function.args.args[0].arg == "steps":  # iterate: its parameters are returned second
        reader.state = len(function.body[-1].value.elts[1].elts)  # type: ignore[attr-defined]
    body = reader.statements(function.body, "    ")
    names = sorted(reader.assigned - {a.arg for a in function.args.args})
    declared = [f"    double {', '.join(names[i : i + 16])};\n" for i in range(0, len(names), 16)]
    functions = "".join(_function(name) for name in sorted(reader.called))
    parameters = [_parameter(a.arg) for a in function.args.args]
    head = f"int run({', '.join(parameters)}, double *out) {{\n    int err = 0;\n"
    return f"{_PRELUDE}\n{functions}\n{head}{''.join(declared)}{body}}}\n"


def _parameter(name: str) -> str:
    if name == "steps":
        return "long steps"
    if name in ARRAYS:
        return f"const double *{name}"
    return "const double *xs, long count" if name == "xs" else f"double {name}"


class _Reader:
    """Statements and expressions of generated Python as C; notes the names assigned and the functions called."""

    def __init__(self) -> None:
        self.assigned: set[str] = {"carried", "seed"}  # the parameters read as numbers
        self.called: set[str] = set()
        self.state = 0  # iterate's parameters, written to out after the stopping step

    def statements(self, body: list[ast.stmt], indent: str) -> str:
        return "".join(self.statement(s, indent) for s in body)

    def statement(self, s: ast.stmt, indent: str) -> str:
        special = self.loop_statement(s, indent) if self.state else None
        if special is not None:
            return special
        if isinstance(s, ast.Assign) and len(s.targets) == 1:
            target = s.targets[0]
            if isinstance(target, ast.Tuple) and isinstance(s.value, ast.Name) and s.value.id in ARRAYS:
                return self.unpack(target, s.value.id, indent)
            return f"{indent}{self.target(target)} = {self.expression(s.value)};\n"
        if isinstance(s, ast.AugAssign) and isinstance(s.op, ast.Add):
            return f"{indent}{self.target(s.target)} += {self.expression(s.value)};\n"
        if isinstance(s, ast.If) and not s.orelse:
            return f"{indent}if ({self.expression(s.test)}) {{\n{self.statements(s.body, indent + '    ')}{indent}}}\n"
        if isinstance(s, ast.For) and ast.unparse(s.target) == "x" and ast.unparse(s.iter) == "xs" and not s.orelse:
            return self.sample_loop(s.body, indent)
        if isinstance(s, ast.Return) and s.value is not None:
            values = list(_flattened(s.value))
            lines = [f"{indent}out[{k}] = {self.expression(v)};\n" for k, v in enumerate(values)]
            return "".join(lines) + f"{indent}return err;\n"
        raise Unreadable(f"a statement the C reading does not know: {ast.unparse(s)[:80]}")

    def loop_statement(self, s: ast.stmt, indent: str) -> str | None:
        """A statement of iterate's loop of steps: values, the loop over steps, its try, append and returns."""
        inner = indent + "    "
        if isinstance(s, ast.Assign) and ast.unparse(s) == "values = []":
            return f"{indent}double *values = out + {1 + self.state};\n"
        if isinstance(s, ast.For) and ast.unparse(s.target) == "step" and ast.unparse(s.iter) == "range(steps)":
            return f"{indent}for (long step = 0; step < steps; step++) {{\n{self.statements(s.body, inner)}{indent}}}\n"
        if isinstance(s, ast.Try) and len(s.handlers) == 1 and not (s.orelse or s.finalbody):
            handler = self.statements(s.handlers[0].body, inner)  # the errors the try catches set err here
            return f"{self.statements(s.body, indent)}{indent}if (err) {{\n{handler}{indent}}}\n"
        if isinstance(s, ast.Expr) and ast.unparse(s.value).startswith("values.append("):
            return f"{indent}values[step] = {self.expression(s.value.args[0])};\n"  # type: ignore[attr-defined]
        if isinstance(s, ast.Return) and isinstance(s.value, ast.Tuple) and ast.unparse(s.value.elts[0]) == "values":
            _, state, stop = s.value.elts
            lines = [f"{indent}out[{k + 1}] = {self.name(e.id)};\n" for k, e in enumerate(state.elts)]  # type: ignore[attr-defined]
            stopped = "step" if ast.unparse(stop) == "step" else "-1"
            return "".join(lines) + f"{indent}out[0] = {stopped};\n{indent}return 0;\n"
        return None

    def sample_loop(self, body: list[ast.stmt], indent: str) -> str:
        """for x in xs: the samples' numbers lie one after another in xs, as many each as the loop unpacks."""
        first = body[0]
        unpacked = isinstance(first, ast.Assign) and ast.unparse(first.value) == "x"
        width = len(first.targets[0].elts) if unpacked and isinstance(first.targets[0], ast.Tuple) else 0  # type: ignore[attr-defined]
        inner = indent + "    "
        head = f"{indent}for (long i = 0; i < count; i++) {{\n{inner}const double *x = xs + i * {width};\n"
        return f"{head}{inner}(void)x;\n{self.statements(body, inner)}{indent}}}\n"

    def unpack(self, target: ast.Tuple, source: str, indent: str) -> str:
        lines = []
        for k, element in enumerate(target.elts):
            if not (isinstance(element, ast.Name) and element.id == "_"):
                lines.append(f"{indent}{self.target(element)} = {source}[{k}];\n")
        return "".join(lines)

    def target(self, node: ast.expr) -> str:
        if not isinstance(node, ast.Name) or node.id in (*ARRAYS, "xs", "count", "i", "out", "err", "run"):
            raise Unreadable(f"an assignment the C reading does not know: {ast.unparse(node)}")
        self.assigned.add(node.id)
        return node.id

    def expression(self, e: ast.expr) -> str:
        if isinstance(e, ast.Constant) and isinstance(e.value, int | float) and not isinstance(e.value, bool):
            return _double(float(e.value))
        if isinstance(e, ast.Name):
            return "INFINITY" if e.id == "inf" and e.id not in self.assigned else self.name(e.id)
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
            return f"(-{self.expression(e.operand)})"
        if isinstance(e, ast.BinOp):
            return self.binary(e)
        if isinstance(e, ast.Compare) and len(e.ops) == 1 and type(e.ops[0]) in _COMPARE:
            symbol = _COMPARE[type(e.ops[0])]
            return f"({self.expression(e.left)} {symbol} {self.expression(e.comparators[0])})"
        if isinstance(e, ast.IfExp):  # lazy, as Python's: the branch not taken sets no error
            return f"({self.expression(e.test)} ? {self.expression(e.body)} : {self.expression(e.orelse)})"
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and not e.keywords:
            return self.call(e.func.id, e.args)
        raise Unreadable(f"an expression the C reading does not know: {ast.unparse(e)[:80]}")

    def name(self, name: str) -> str:
        if name not in self.assigned:
            raise Unreadable(f"a name the C reading does not know: {name}")
        return name

    def binary(self, e: ast.BinOp) -> str:
        a, b = self.expression(e.left), self.expression(e.right)
        if type(e.op) in _ARITHMETIC:
            return f"({a} {_ARITHMETIC[type(e.op)]} {b})"
        if isinstance(e.op, ast.Div):
            return f"divide({a}, {b}, &err)"
        if isinstance(e.op, ast.Pow):
            return f"power_op({a}, {b}, &err)"
        raise Unreadable(f"an operator the C reading does not know: {ast.unparse(e)[:80]}")

    def call(self, name: str, args: list[ast.expr]) -> str:
        if name == "abs" and len(args) == 1:
            return f"fabs({self.expression(args[0])})"
        if name == "sum" and _ADDS_IN_ORDER and len(args) == 2 and isinstance(args[0], ast.Tuple):
            return f"({' + '.join(self.expression(a) for a in [args[1], *args[0].elts])})"  # left to right
        if _c_body(name) is None:
            raise Unreadable(f"a function with no C reading: {name}")
        self.called.add(name)
        values = [self.expression(a) for a in args]
        if _parameters(name) is None:  # an n-ary op: its operands as an array
            return f"c_{name}({len(values)}, (const double[]){{{', '.join(values)}}}, &err)"
        return f"c_{name}({', '.join(values)}, &err)"


def _flattened(value: ast.expr) -> Any:
    """The expressions of a returned tuple, nested tuples flattened in order."""
    if isinstance(value, ast.Tuple):
        for element in value.elts:
            yield from _flattened(element)
    else:
        yield value


def _double(x: float) -> str:
    """x as an exact C literal (hexadecimal: no decimal rounding in between)."""
    if math.isinf(x):
        return "INFINITY" if x > 0 else "(-INFINITY)"
    return f"({x.hex()})" if x < 0 or math.copysign(1.0, x) < 0 else x.hex()


def _c_body(name: str) -> str | None:
    """The C body of a function generated code calls by name: an op's float function, or a source function."""
    op = OPS.get(name)
    if op is not None:
        return op.c if op.function is not None and op.c else None
    return SOURCE_C.get(name) or None


def _parameters(name: str) -> list[str] | None:
    """The parameter names of the function called name; None for an n-ary op."""
    op = OPS.get(name)
    if op is not None:
        return None if op.arity is None else list(op.operands)
    return list(inspect.signature(SOURCE_FUNCTIONS[name]).parameters)


def _function(name: str) -> str:
    """The C definition of c_<name> from its body."""
    parameters = _parameters(name)
    if parameters is None:
        signature = f"int n, const double *{OPS[name].operands[0]}"
    else:
        signature = ", ".join(f"double {p}" for p in parameters)
    return f"static double c_{name}({signature}, int *err) {{\n    double r;\n    (void)r;\n    {_c_body(name)}\n}}\n"


def reading(
    python: str, outputs: int, shape: Callable[[list[float]], Any], build: bool = True
) -> Callable[..., Any] | None:
    """The native reading of a generated ``run(...)``, called as it is: its outputs numbers shaped by shape.

    None: the source has something the C reading does not know, no compiler is found (noted once), or
    (build=False) the cache does not hold it yet. The native run raises ArithmeticError where the Python
    would raise (an error flag), so that the caller's slow path runs.
    """
    bodies = sorted(f"{name}:{_c_body(name)}" for name in {*OPS, *SOURCE_C})
    try:
        library = libraries.load((python, _READER, *bodies), lambda: c_source(python), build)
    except Unreadable:
        return None
    if library is None:
        return None
    names = python[python.index("(") + 1 : python.index(")")].split(", ")
    run = library.run
    run.argtypes = [t for name in names for t in _C_TYPES.get(name, (ctypes.c_double,))] + [ctypes.c_void_p]
    run.restype = ctypes.c_int

    zeros = bytes(8 * outputs)
    if names == ["steps", "x", "p"]:  # iterate: out holds a value per step besides

        def native(steps: int, x: list[float], p: list[float]) -> Any:
            xs, ps, out = array("d", x), array("d", p), array("d", bytes(8 * (outputs + steps)))
            if run(steps, xs.buffer_info()[0], ps.buffer_info()[0], out.buffer_info()[0]):
                raise ArithmeticError("native program: the Python reading raises here")
            return shape(out.tolist())

    elif names == ["x", "p"]:  # forward and gradient: the usual call, spelled out

        def native(x: list[float], p: list[float]) -> Any:
            xs, ps, out = array("d", x), array("d", p), array("d", zeros)
            if run(xs.buffer_info()[0], ps.buffer_info()[0], out.buffer_info()[0]):
                raise ArithmeticError("native program: the Python reading raises here")
            return shape(out.tolist())

    else:

        def native(*args: Any) -> Any:
            held = [array("d", zeros)]  # out, then the arrays handed over: alive until the call returns
            numbers: list[Any] = []
            for name, value in zip(names, args):
                if name == "xs":
                    held.append(array("d", chain.from_iterable(value)))
                    numbers += [held[-1].buffer_info()[0], len(value)]
                elif name in ARRAYS:
                    held.append(array("d", value))
                    numbers.append(held[-1].buffer_info()[0])
                else:
                    numbers.append(value)
            if run(*numbers, held[0].buffer_info()[0]):
                raise ArithmeticError("native program: the Python reading raises here")
            return shape(held[0].tolist())

    native.library = library  # type: ignore[attr-defined]  # loaded while the function lives
    return native


_C_TYPES = {
    "xs": (ctypes.c_void_p, ctypes.c_long),
    "steps": (ctypes.c_long,),
    **{n: (ctypes.c_void_p,) for n in ARRAYS},
}
_READER = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()  # this reading: a new one makes new entries


class Tiered:
    """A generated run(...) in Python until its native reading pays, then native; called as run is.

    mode True: native at once; False: Python always. "auto" (ski rental): the Python runs until it has
    taken as long as building the library is estimated to take (from the builds measured so far), then the
    library is built (at once if the cache holds it), and the next call times both readings and keeps the
    faster: a short run never waits for the compiler, a long one spends at most about as long in Python as
    it then saves, and a program too small to gain from C (the call through ctypes costs ~2 µs) stays Python.
    """

    def __init__(
        self,
        python: Callable[..., Any],
        source: str,
        outputs: int,
        shape: Callable[..., Any],
        mode: bool | str,
        compare: bool = True,
    ):
        self.python = self.run = python
        self.reading = (source, outputs, shape)
        self.compare = compare  # False: a native reading is taken untimed (a loop of steps: it always wins)
        self.chunk = 8  # steps per call of a loop of steps while counting, doubling
        self.left: float | None = None  # seconds of Python before building, while counting
        self.trial: Callable[..., Any] | None = None  # a native reading to time against the Python at the next call
        if mode is True:
            self.run = self._native(build=True) or python
        elif mode == "auto":
            self.trial = self._native(build=False)
            self.left = 0.0 if self.trial else build_seconds(source)

    def __call__(self, *args: Any) -> Any:
        if self.left is None:
            return self.run(*args)
        if self.trial is not None:
            return self._choose(args)
        start = time.perf_counter()
        try:
            return self.python(*args)
        finally:
            self.left -= time.perf_counter() - start
            if self.left <= 0.0:
                self.trial = self._native(build=True)
                if self.trial is None:
                    self.left = None

    @property
    def is_native(self) -> bool:
        """Whether calls run the native reading."""
        return self.run is not self.python

    def _choose(self, args: tuple[Any, ...]) -> Any:
        """The Python's result at args, after timing both readings there and keeping the faster for later calls."""
        native, self.trial, self.left = self.trial, None, None
        if not self.compare:
            self.run = native
            return native(*args)
        python = min(_seconds(self.python, args) for _ in range(3))
        if min(_seconds(native, args) for _ in range(3)) < python:
            self.run = native
        return self.python(*args)

    def steps(self, remaining: int) -> int:
        """How many of the remaining steps of a loop of steps to ask for in the next call: all once settled."""
        if self.left is None:
            return remaining
        self.chunk *= 2
        return min(remaining, self.chunk // 2)

    def _native(self, build: bool) -> Callable[..., Any] | None:
        source, outputs, shape = self.reading
        start = time.perf_counter()
        native = reading(source, outputs, shape, build)
        if native is not None and build:  # a measured build (or a cache hit, cheaper still): estimate in proportion
            SPEED[0] = min(10.0, max(0.01, (time.perf_counter() - start) / build_seconds(source, measured=False)))
        return native


def _seconds(run: Callable[..., Any], args: tuple[Any, ...]) -> float:
    """How long run(*args) takes (inf if it raises: the slow path would follow)."""
    start = time.perf_counter()
    try:
        run(*args)
    except (ArithmeticError, ValueError):
        return math.inf
    return time.perf_counter() - start


def build_seconds(source: str, measured: bool = True) -> float:
    """How long building source's library is estimated to take: gcc's time on this machine, scaled by the last build."""
    lines = source.count("\n")
    seconds = 0.1 + (2e-4 if lines <= libraries.OPTIMISED_LINES else 1.8e-4) * lines
    return seconds * SPEED[0] if measured else seconds


SPEED = [1.0]  # the last build's time over its estimate
