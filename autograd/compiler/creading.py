"""Generated Python read as C: the C reading of a program's ``run``, statement for statement.

The C is the generated Python statement for statement (``codegen`` writes it from the op table's rules),
so every sum is added in the same order; libm's functions are called as CPython's math module calls them,
and Python's float ``**`` and ``/`` are spelled as CPython computes them. Where the Python would raise,
the C sets an error flag instead. Functions the source calls are read from the op table: an op's ``c``
and each source function's C body.
"""

from __future__ import annotations

import ast
import inspect
import math
import sys
from typing import Any

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


ARRAYS = (
    "x",
    "p",
    "a",
    "s",
    "h",
)  # parameters of generated code that hold numbers; xs holds samples' numbers, one after another
SIGNATURES = {
    ("x", "p"): "forward, gradient",
    ("xs", "p", "a", "carried", "seed"): "a sample loop",
    ("steps", "x", "p"): "iterate's loop of steps: out is the stopping step (-1: none), the parameters, the values",
    ("steps", "xs", "p", "s", "h"): "a training loop: out is the stopping step (-1: none), the state, the losses",
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


def extension_source(python: str, outputs: int) -> str:
    """The C of a generated ``def run(x, p)`` as a CPython extension module ``program``: its run(x, p) takes
    lists of numbers and returns a list of outputs numbers, or raises ArithmeticError where the C flags an error.

    Called with METH_FASTCALL: no ctypes conversions, no arrays to make (~0.3 µs a call against ctypes' 2-6 µs).
    """
    function = ast.parse(python).body[0]
    sizes = {"x": 0, "p": 0}
    for s in function.body[:2]:  # x's and p's unpacking: how many numbers each holds
        if isinstance(s, ast.Assign) and isinstance(s.value, ast.Name) and isinstance(s.targets[0], ast.Tuple):
            sizes[s.value.id] = len(s.targets[0].elts)
    n, m = sizes["x"], sizes["p"]
    return f"#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n{c_source(python)}\n" + _EXTENSION % {
        "n": n, "m": m, "outputs": outputs, "size": n + m + outputs,
    }  # fmt: skip


_EXTENSION = r"""
static int numbers(PyObject *list, double *to, Py_ssize_t n, const char *name) {
    if (!PyList_Check(list) || PyList_GET_SIZE(list) != n) {
        PyErr_Format(PyExc_TypeError, "native program: %%s must be a list of %%zd numbers", name, n);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        to[i] = PyFloat_AsDouble(PyList_GET_ITEM(list, i));
        if (to[i] == -1.0 && PyErr_Occurred()) return -1;
    }
    return 0;
}

static PyObject *program_run(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    double small[256], *x = small;
    PyObject *result = NULL;
    (void)self;
    if (nargs != 2) return PyErr_Format(PyExc_TypeError, "native program: run(x, p) takes 2 arguments");
    if (%(size)d > 256 && !(x = PyMem_Malloc(%(size)d * sizeof(double)))) return PyErr_NoMemory();
    double *p = x + %(n)d, *out = p + %(m)d;
    if (numbers(args[0], x, %(n)d, "x") || numbers(args[1], p, %(m)d, "p")) goto done;
    if (run(x, p, out)) {
        PyErr_SetString(PyExc_ArithmeticError, "native program: the Python reading raises here");
        goto done;
    }
    if (!(result = PyList_New(%(outputs)d))) goto done;
    for (Py_ssize_t i = 0; i < %(outputs)d; i++) {
        PyObject *number = PyFloat_FromDouble(out[i]);
        if (!number) { Py_CLEAR(result); goto done; }
        PyList_SET_ITEM(result, i, number);
    }
done:
    if (x != small) PyMem_Free(x);
    return result;
}

static PyMethodDef methods[] = {{"run", (PyCFunction)(void (*)(void))program_run, METH_FASTCALL, NULL}, {NULL}};
static struct PyModuleDef definition = {PyModuleDef_HEAD_INIT, "program", NULL, 0, methods};
PyMODINIT_FUNC PyInit_program(void) { return PyModuleDef_Init(&definition); }
"""


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
            body = self.statements(s.body, indent)  # first: the handler may return names the body assigns
            handler = self.statements(s.handlers[0].body, inner)  # the errors the try catches set err here
            return f"{body}{indent}if (err) {{\n{handler}{indent}}}\n"
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
        if c_body(name) is None:
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


def c_body(name: str) -> str | None:
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
    return f"static double c_{name}({signature}, int *err) {{\n    double r;\n    (void)r;\n    {c_body(name)}\n}}\n"
