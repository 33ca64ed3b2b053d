"""An op's rules read as JavaScript, and a graph's forward pass, backward pass and update as one script.

The rules' Python source (``Op.code``) is spelled again in JavaScript, construct by construct, with
Python's float semantics where JavaScript's differ (autograd/script.js: a ZeroDivisionError instead of
an infinity, nan is true, Python's repr in messages); the float functions (``math.exp``) and the
rules' helpers give their JavaScript beside their Python (``Op.script``, ``source_function``). So the
op table stays the one definition, and a page runs the engine without Python.
"""

from __future__ import annotations

import ast
import importlib.resources
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from autograd.expressions import Expr, number
from autograd.primitive import OPS, SCRIPT_FUNCTIONS, Op

_COMPARE = {ast.Eq: "===", ast.NotEq: "!==", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
_PYTHON = {"abs": "Math.abs"}  # Python's own functions the rules' source may call (and sum(terms, 0.0))


class Unreadable(TypeError):
    """A rule, a check or an update that cannot be read as JavaScript."""


@dataclass(frozen=True)
class AdamUpdate:
    """torch.optim.Adam's update (AdamW's when decoupled) for program(): its settings and the state it starts from.

    The moments are the trainable values', in program()'s trainable order (empty: zeros, as before a first step).
    """

    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    decoupled: bool = False
    amsgrad: bool = False
    name: str = "Adam"  # as its errors say it
    step: int = 0
    exp_avg: tuple[float, ...] = ()
    exp_avg_sq: tuple[float, ...] = ()
    max_exp_avg_sq: tuple[float, ...] = ()

    def taking(self, kept: Sequence[int]) -> AdamUpdate:
        """The same update with only the moments at positions kept (the trainable values a graph holds)."""
        picked = [tuple(m[k] for k in kept) if m else () for m in (self.exp_avg, self.exp_avg_sq, self.max_exp_avg_sq)]
        return replace(self, exp_avg=picked[0], exp_avg_sq=picked[1], max_exp_avg_sq=picked[2])

    def state(self, count: int) -> list[float]:
        """What program() keeps after the values: the first moments, the second, their maxima, the step count."""
        moments = [tuple(m) or (0.0,) * count for m in (self.exp_avg, self.exp_avg_sq, self.max_exp_avg_sq)]
        for m, what in zip(moments, ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")):
            if len(m) != count:
                raise ValueError(f"{self.name}: {what} has {len(m)} moments for {count} trainable values")
        return [float(x) for m in moments for x in m] + [float(self.step)]

    def settings(self) -> dict[str, Any]:
        """The settings as the script reads them."""
        return {
            "name": self.name,
            "betas": [float(b) for b in self.betas],
            "eps": float(self.eps),
            "weight_decay": float(self.weight_decay),
            "decoupled": self.decoupled,
            "amsgrad": self.amsgrad,
        }


@dataclass(frozen=True)
class Turns:
    """Samples for program()'s train, each the numbers its leaves at positions take: one step per sample in turn (step k
    takes turn k mod their count, as tutorials that train one sample at a time do: the count is kept in v after the
    optimizer's state), or with batch, one step per batch: its loss is batch times the sum of every sample's root
    (1/n: their mean, as nn.train's batch loss of a mean loss), and so is its gradient. The program's turn(t, numbers)
    gives turn t new numbers (a sample edited on the page)."""

    positions: tuple[int, ...]
    numbers: tuple[tuple[float, ...], ...]
    batch: float | None = None

    def settings(self, size: int) -> dict[str, Any]:
        """The turns as the script reads them, checked against a graph of size values."""
        if not self.numbers or any(len(n) != len(self.positions) for n in self.numbers):
            raise ValueError(f"Turns: each of {len(self.numbers)} turns must give {len(self.positions)} numbers")
        if any(not 0 <= k < size for k in self.positions):
            raise ValueError(f"Turns: a position is outside the graph's {size} values: {list(self.positions)}")
        numbers = [[float(x) for x in n] for n in self.numbers]
        return {"positions": list(self.positions), "numbers": numbers, "batch": self.batch}


def sgd(p: Any, g: Any, lr: Any) -> Any:
    """Gradient descent's update, p − lr·g: program()'s default."""
    return p - lr * g


class Node(NamedTuple):
    """One value of a graph for its script: its op (None: a leaf), its operands' positions, which are numbers."""

    op: str | None
    parents: tuple[int, ...] = ()
    fixed: tuple[bool, ...] = ()  # per operand: a number (a constant), which gets no gradient
    label: str | None = None


def javascript(source: str, names: Callable[[str], str] | None = None, *, test: bool = False) -> str:
    """A Python expression of the rules' source as JavaScript; names(n) spells a variable n (default $n).

    test: the expression is a condition, true as Python finds a number true (nan too)."""
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as e:
        raise Unreadable(f"not an expression: {source!r}") from e
    writer = _Writer(names or _variable)
    return writer.test(tree) if test else writer.write(tree)


class _Writer:
    """Writes one expression tree as JavaScript, every compound operand in brackets."""

    def __init__(self, names: Callable[[str], str]):
        self.names = names

    def write(self, node: ast.expr) -> str:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise Unreadable(f"{ast.unparse(node)!r} has no JavaScript reading ({type(node).__name__})")
        return method(node)

    def test(self, node: ast.expr) -> str:
        """node as a condition: Python's truth of a number (nan is true), JavaScript's of a comparison."""
        boolean = isinstance(node, ast.Compare | ast.BoolOp) or (
            isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
        )
        return self.write(node) if boolean else f"truth({self.write(node)})"

    def _Constant(self, node: ast.Constant) -> str:
        if node.value.__class__ is not float:
            raise Unreadable(f"{node.value!r} is not a float")
        return repr(node.value)

    def _Name(self, node: ast.Name) -> str:
        return "Infinity" if node.id == "inf" else self.names(node.id)

    def _UnaryOp(self, node: ast.UnaryOp) -> str:
        if isinstance(node.op, ast.Not):
            return f"(!{self.test(node.operand)})"
        if isinstance(node.op, ast.USub):
            return f"(-{self.write(node.operand)})"
        raise Unreadable(f"{ast.unparse(node)!r} has no JavaScript reading")

    def _BinOp(self, node: ast.BinOp) -> str:
        a, b = self.write(node.left), self.write(node.right)
        if isinstance(node.op, ast.Div):
            return f"div({a}, {b})"
        if isinstance(node.op, ast.Pow):
            return f"floatpow({a}, {b})"
        if type(node.op) not in _ARITHMETIC:
            raise Unreadable(f"{ast.unparse(node)!r} has no JavaScript reading")
        return f"({a} {_ARITHMETIC[type(node.op)]} {b})"

    def _Compare(self, node: ast.Compare) -> str:
        if len(node.ops) != 1:
            raise Unreadable(f"{ast.unparse(node)!r}: a chain of comparisons")
        return f"({self.write(node.left)} {_COMPARE[type(node.ops[0])]} {self.write(node.comparators[0])})"

    def _BoolOp(self, node: ast.BoolOp) -> str:
        joint = " && " if isinstance(node.op, ast.And) else " || "
        return "(" + joint.join(self.test(v) for v in node.values) + ")"

    def _IfExp(self, node: ast.IfExp) -> str:
        return f"({self.test(node.test)} ? {self.write(node.body)} : {self.write(node.orelse)})"

    def _Tuple(self, node: ast.Tuple) -> str:
        return "[" + ", ".join(self.write(e) for e in node.elts) + "]"

    def _Call(self, node: ast.Call) -> str:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name == "sum" and len(node.args) == 2 and ast.unparse(node.args[1]) == "0.0":
            return f"pysum({self.write(node.args[0])})"
        if name is None or node.keywords or name == "sum" or name not in (*_PYTHON, *SCRIPT_FUNCTIONS, *OPS):
            raise Unreadable(f"{ast.unparse(node)!r}: a call the script does not know")
        if name in _PYTHON:
            function = _PYTHON[name]
        elif name in SCRIPT_FUNCTIONS:
            function = f"S.{name}"
        elif OPS[name].function is not None and OPS[name].script:
            function = f"F.{name}"
        else:
            raise Unreadable(f"{name}: an op whose float rule has no JavaScript (give it script=)")
        return f"{function}({', '.join(self.write(a) for a in node.args)})"


def message(body: str, names: Callable[[str], str]) -> str:
    """A check's message (an f-string body over the operands) as a JavaScript string expression."""
    tree = ast.parse("f" + repr(body), mode="eval").body
    parts = []
    for piece in tree.values:  # type: ignore[attr-defined]
        if isinstance(piece, ast.Constant):
            parts.append(_json(piece.value))
        elif piece.format_spec is None and piece.conversion in (-1, ord("r"), ord("s")):
            parts.append(f"repr({javascript(ast.unparse(piece.value), names)})")  # str() of a float is its repr
        else:
            raise Unreadable(f"a check's message {body!r} formats in a way the script does not know")
    return " + ".join(parts) or '""'


def rule(op: Op, count: int) -> str:
    """op's float rule as a JavaScript function of count operands: its checks, then [value, [local derivatives]]."""
    if not op.compiled:
        raise Unreadable(f"{op.name}: its rules can only run on floats in Python, so the page cannot run them")
    operands = op.operands if op.arity is not None else tuple(f"x{i}" for i in range(count))
    value, local, _ = op.code("out", *operands)
    lines = []
    for check in op.checks:
        words = message(check.message, _variable)
        lines.append(
            f"  if ({javascript(check.condition, _variable, test=True)}) fail({check.error.__name__!r}, {words});"
        )
    lines.append(f"  const $out = {javascript(value)};")
    lines.append(f"  return [$out, [{', '.join(javascript(d) for d in local)}]];")
    return f"function ({', '.join(map(_variable, operands))}) {{\n" + "\n".join(lines) + "\n}"


def _variable(name: str) -> str:
    return "$" + name


def runtime() -> str:
    """The script's helpers: script.js, Python's sum, the rules' helpers (S) and the ops' float functions (F)."""
    helpers = ",\n".join(f"  {name}: {text}" for name, text in SCRIPT_FUNCTIONS.items())
    scripted = [op for op in list(OPS.values()) if op.function is not None and op.script]
    functions = ",\n".join(f"  {op.name}: {op.script}" for op in scripted)
    summing = "sumInOrder" if sys.version_info < (3, 12) else "sumCompensated"
    return "\n".join(
        [
            importlib.resources.files("autograd").joinpath("script.js").read_text(encoding="utf-8"),
            f"const pysum = {summing};",
            f"const S = {{\n{helpers}\n}};",
            f"const F = {{\n{functions}\n}};",
        ]
    )


def program(
    nodes: Sequence[Node],
    initial: Sequence[float],
    trainable: Sequence[int] = (),
    update: Callable[..., Any] | AdamUpdate = sgd,
    turns: Turns | None = None,
) -> str:
    """A graph (parents first, the root last) as a JavaScript expression: an object whose forward(v) computes
    every value from the leaves' in v, backward(v) gives every gradient, update(v, g, lr) takes a step of
    update(p, g, lr) (default SGD's), or Adam's, on the trainable positions and train(v, lr, n) takes n steps,
    as the engine. An optimizer's state (Adam's moments and step count) is kept in v after the values, and then,
    with turns, the count of steps taken (train steps on the turns' samples: see Turns).

    initial: each value's number (the leaves' are used). Errors are the engine's, named as Python's exceptions.
    """
    rules = {(n.op, len(n.parents)) for n in nodes if n.op is not None}
    table = ",\n".join(f"  {json.dumps(f'{op}/{count}')}: {rule(OPS[op], count)}" for op, count in sorted(rules))
    if isinstance(update, AdamUpdate):  # program.js takes Adam's step; its state follows the values in v
        adam, state, sgd_step = update.settings(), update.state(len(trainable)), []
    else:
        adam, state, sgd_step = None, [], [f"function stepOf($p, $g, $lr) {{ return {_step(update)}; }}"]
    data = {
        "op": [n.op or "" for n in nodes],
        "parents": [list(n.parents) for n in nodes],
        "labels": [n.label or "" for n in nodes],
        "initial": [float(x) for x in initial] + state + ([0.0] if turns else []),
        "trainable": list(trainable),
        "adam": adam,
        "rule": None if update is sgd else update.name if isinstance(update, AdamUpdate) else "the optimizer",
        "turns": turns.settings(len(nodes)) if turns else None,
    }
    return "\n".join(
        [
            "(function () {",
            '"use strict";',
            runtime(),
            f"const RULES = {{\n{table}\n}};",
            f"const GRAPH = {_json(data)};",
            *sgd_step,
            "function forward(v, d) {",
            "  let r;",
            *_forward(nodes),
            "}",
            "function backward(v, d, g) {",
            f"  g.fill(0.0); g[{len(nodes) - 1}] = 1.0;",
            *_backward(nodes),
            "}",
            _program_js(),
            "})()",
        ]
    )


def _step(update: Callable[..., Any]) -> str:
    """update(p, g, lr) as a JavaScript expression over $p, $g and $lr."""
    return javascript(number(update(Expr("p"), Expr("g"), Expr("lr"))).text)


def _json(x: Any) -> str:
    """x as JavaScript, safe inside an HTML script element (no </script>, no <!--)."""
    return json.dumps(x, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _forward(nodes: Sequence[Node]) -> list[str]:
    """Each value's statement: its rule at its operands, its local derivatives kept, inf or nan an error."""
    lines = []
    for k, n in enumerate(nodes):
        if n.op is None:
            continue
        operands = ", ".join(f"v[{p}]" for p in n.parents)
        lines.append(
            f"  r = RULES[{json.dumps(f'{n.op}/{len(n.parents)}')}]({operands}); v[{k}] = r[0]; d[{k}] = r[1];"
        )
        lines.append(f"  if (v[{k}] - v[{k}] !== 0) overflow({json.dumps(n.op)}, [{operands}]);")
    return lines


def _backward(nodes: Sequence[Node]) -> list[str]:
    """The engine's backward pass: from the root down, each value's gradient checked, then passed to its operands."""
    lines = []
    for k in range(len(nodes) - 1, -1, -1):
        lines.append(f"  if (g[{k}] - g[{k}] !== 0) gradientError({k}, v, d, g);")
        n = nodes[k]
        for j, (p, fixed) in enumerate(zip(n.parents, n.fixed or (False,) * len(n.parents))):
            if not fixed:  # a number gets no gradient
                lines.append(f"  g[{p}] += d[{k}][{j}] * g[{k}];")
    return lines


def _program_js() -> str:
    return importlib.resources.files("autograd").joinpath("program.js").read_text(encoding="utf-8")


def graph(order: Sequence[Any]) -> list[Node]:
    """Values, parents first (topological_order(root)[::-1]), as the nodes of program(); a leaf's op is None."""
    index = {v: k for k, v in enumerate(order)}
    return [
        Node(v.op if v.parents else None, tuple(index[p] for p in v.parents), tuple(p.is_constant for p in v.parents),
             v.label if isinstance(v.label, str) else None)
        for v in order
    ]  # fmt: skip
