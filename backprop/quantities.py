"""What a document's names mean in an engine graph: named values, derivatives between them, small
expressions over them, and the same computations redone with some named values replaced.
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from autograd import OPS, Value, grad, topological_order
from inputfiles import names_near, quoted

# "dE_total/dw10": the derivative of one named value with respect to another.
_DERIVATIVE = re.compile(r"^d(?P<of>[^/\s@]+)/d(?P<wrt>[^/\s@]+)$")
_STEP = re.compile(r"@(\d+)\b")
# dE_total/dw5 (or dE_total/dw5@1) inside an expression: read as a call, DERIVATIVE(E_total, w5[, 1])
_DERIVATIVE_IN = re.compile(r"(?<![\w.])d([A-Za-z_]\w*)/d([A-Za-z_]\w*)(?:@(\d+))?\b")
DERIVATIVE = "__derivative__"
OPERATORS: dict[type, Callable[[Value, Value], Value]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


MAX_LENGTH = 200  # characters of a quantity
MAX_NEWTON_STEPS = 50  # an operand found for a printed value: Newton's method converges in a few
MAX_DEPTH = 20  # operators inside each other in an expression (a chain a + b - c + ... is one)
# operators that chain left to right at one precedence: a + b - c + d is a flat list of operands, not nesting
_CHAINS = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))


class QuantityError(ValueError):
    """A quantity that names no value of the network, or is not written in the quantity syntax."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: a named value, a derivative dA/dB, or an arithmetic expression over names."""

    text: str
    kind: str  # "value" | "derivative" | "expression"
    names: tuple[str, ...]  # every name it refers to (for a derivative: of, wrt)
    tree: ast.expr | None = None  # the expression's syntax tree (steps written name@k become name[k])
    steps: tuple[int, ...] = ()  # the k of every name@k in an expression

    @property
    def of(self) -> str:
        """The differentiated value of a derivative (its only name for a value)."""
        return self.names[0]

    @property
    def wrt(self) -> str:
        """The value a derivative is taken with respect to."""
        return self.names[1]


def parse_quantity(text: str) -> Quantity:
    """text as a Quantity, or a QuantityError saying what is wrong with it."""
    text = text.strip()
    if not text:
        raise QuantityError("empty quantity")
    if len(text) > MAX_LENGTH:
        raise QuantityError(f"{text[:20]!r}... is {len(text):,} characters; a quantity has at most {MAX_LENGTH}")
    match = _DERIVATIVE.match(text)
    if match:
        return Quantity(text, "derivative", (match["of"], match["wrt"]))
    if text.isidentifier():
        return Quantity(text, "value", (text,))
    tree, names, steps = parse_formula(text, steps=True)
    return Quantity(text, "expression", names, tree, steps)


def parse_formula(text: str, *, steps: bool = False) -> tuple[ast.expr, tuple[str, ...], tuple[int, ...]]:
    """text as an arithmetic expression over names and the op table's functions (tanh(n), exp(-x)).

    Returns its syntax tree, the names it uses (each once, in order) and, with steps, the k of every name@k
    (written name[k] in the tree). Anything else is a QuantityError saying what is allowed.
    """
    if "#" in text:  # Python would read the rest as a comment: "out_o#1" as out_o
        raise QuantityError(f"{quoted(text)}: '#' is not allowed in a quantity or an expression")
    if steps and "[" in text:  # name[k] is how name@k is parsed, not a syntax of its own
        raise QuantityError(f"{quoted(text)}: write a value at another step as name@step")
    if respelled := python_spelling(text):
        raise QuantityError(f"{quoted(text)}: {respelled}")
    try:
        tree = ast.parse(_STEP.sub(r"[\1]", _derivatives_as_calls(text)) if steps else text, mode="eval").body
    except SyntaxError as e:
        if e.msg == "too many nested parentheses":  # Python's parser's limit (200), far past MAX_DEPTH
            raise QuantityError(f"{text[:20]!r}...: too deeply nested for Python's parser") from None
        raise QuantityError(
            f"{quoted(text)} is not a name, a derivative dA/dB or an arithmetic expression over names"
        ) from None
    except (RecursionError, MemoryError):  # Python's own parser: a chain of operators thousands long
        raise QuantityError(f"{text[:20]!r}...: too deeply nested for Python's parser") from None
    names: list[str] = []
    found: list[int] = []
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise QuantityError(f"{quoted(text)}: nested more than {MAX_DEPTH} deep")
        _check_node(text, node, steps)
        if isinstance(node, ast.BinOp):  # a long flat sum is as deep as one +: its evaluation does not recurse
            first, rest = chain(node)
            children = [first, *(operand for _, operand in rest)]
        else:
            children = node.args if isinstance(node, ast.Call) else list(ast.iter_child_nodes(node))
        stack.extend((child, depth + 1) for child in reversed(children))  # names in order
        if isinstance(node, ast.Subscript):
            found.append(node.slice.value)  # type: ignore[attr-defined]
        if isinstance(node, ast.Call) and node.func.id == DERIVATIVE and len(node.args) == 3:  # type: ignore[attr-defined]
            found.append(node.args[2].value)  # type: ignore[attr-defined]
        if isinstance(node, ast.Name):
            names.append(node.id)
    return tree, tuple(dict.fromkeys(names)), tuple(found)


def python_spelling(text: str) -> str | None:
    """What is wrong with the first name in text that Python reads as another (ﬁ as fi: it reads names in Unicode's
    NFKC form), else None: a formula's names would not be the names the values were given."""
    for word in re.findall(r"\w+", text):
        read = unicodedata.normalize("NFKC", word)
        if word.isidentifier() and read != word:
            return f"the name {word!r} is read by Python as {read!r} (Unicode's NFKC form): write {read!r}"
    return None


def chain(node: ast.BinOp) -> tuple[ast.expr, list[tuple[ast.operator, ast.expr]]]:
    """a op b op c ... (+ and -, or * and /, left to right) as a and [(op, b), (op, c), ...]; else node's two sides."""
    family = next((ops for ops in _CHAINS if isinstance(node.op, ops)), ())
    rest: list[tuple[ast.operator, ast.expr]] = [(node.op, node.right)]
    left = node.left
    while family and isinstance(left, ast.BinOp) and isinstance(left.op, family):
        rest.append((left.op, left.right))
        left = left.left
    return left, rest[::-1]


def _check_node(text: str, node: ast.AST, steps: bool) -> None:
    """Nothing if node may be part of a formula, else a QuantityError saying what is allowed."""
    allowed = ast.BinOp | ast.UnaryOp | ast.Name | ast.Constant | ast.Call | ast.Load | ast.operator | ast.unaryop
    at_step = ", name@step" if steps else ""
    if not isinstance(node, allowed | ast.Subscript if steps else allowed):
        raise QuantityError(f"{quoted(text)}: only numbers, names{at_step}, functions, + - * / ** and ( ) are allowed")
    if isinstance(node, ast.BinOp) and type(node.op) not in OPERATORS:
        raise QuantityError(f"{quoted(text)}: only the operators + - * / ** are allowed")
    if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.USub | ast.UAdd):
        raise QuantityError(f"{quoted(text)}: the only unary operators are + and -")
    if isinstance(node, ast.Constant) and not _is_real_number(node.value):
        raise QuantityError(f"{quoted(text)}: {node.value!r} is not a number")
    if isinstance(node, ast.Constant) and not math.isfinite(node.value):  # type: ignore[arg-type]
        raise QuantityError(f"{quoted(text)}: a number in it is too large for a float")
    if isinstance(node, ast.Call):
        _check_call(text, node)
    if isinstance(node, ast.Subscript):
        step = node.slice.value if isinstance(node.slice, ast.Constant) else None
        if not isinstance(node.value, ast.Name) or not isinstance(step, int) or isinstance(step, bool):
            raise QuantityError(f"{quoted(text)}: write a value at another step as name@step")


def _derivatives_as_calls(text: str) -> str:
    """text with each derivative dA/dB[@k] in it written as a call DERIVATIVE(A, B[, k]), which Python can parse."""
    return _DERIVATIVE_IN.sub(lambda m: f"{DERIVATIVE}({m[1]}, {m[2]}{f', {m[3]}' if m[3] else ''})", text)


def _check_call(text: str, node: ast.Call) -> None:
    """A call of one of the op table's functions by name, with as many operands as it takes."""
    name = node.func.id if isinstance(node.func, ast.Name) else None
    if name == DERIVATIVE:  # made by _derivatives_as_calls: names, and a step
        return
    if name not in OPS or node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        called = ast.unparse(node.func)
        raise QuantityError(f"{quoted(text)}: {called} is not a function; the functions are {', '.join(functions())}")
    arity = OPS[name].arity
    if arity is None and not node.args:
        raise QuantityError(f"{quoted(text)}: {name} takes at least one operand")
    if arity is not None and len(node.args) != arity:
        raise QuantityError(f"{quoted(text)}: {name} takes {arity} operand{'s' * (arity > 1)}, got {len(node.args)}")


def functions() -> list[str]:
    """The op table's functions an expression may call by name (its operators are written + - * / **)."""
    return [name for name, op in OPS.items() if name not in _WRITTEN_ASOPERATORS]


_WRITTEN_ASOPERATORS = ("add", "sub", "mul", "div", "neg", "pow", "pow_const", "scaled_power", "weighted_sum")


def split_step(reference: str) -> tuple[str, int | None]:
    """'w10@1' as ('w10', 1); a reference without a step as (reference, None)."""
    match = re.fullmatch(r"(.*?)@(\d+)", reference.strip())
    if match:
        return match[1], int(match[2])
    return reference.strip(), None


Stages = Callable[[int], Mapping[str, Value]]  # step k → the named values of the pass after k steps


def evaluate(
    quantity: Quantity,
    stages: Stages,
    step: int,
    overrides: Mapping[str, float] | None = None,
) -> float:
    """The quantity's value at step, with the named values in overrides replaced by their numbers.

    A replaced value is a fresh leaf: what depends on it is recomputed, a derivative with respect
    to it is taken at the new number, and nothing below it matters any more, except to a derivative
    through it, which still flows along it (replay's through): dout/dnet from a printed out.
    """
    overrides = overrides or {}
    values = stages(step)
    if quantity.kind == "derivative":
        of, wrt = _lookup(values, quantity.of), _lookup(values, quantity.wrt)
        copies = replay(of, _nodes(values, overrides), through=wrt)
        return grad(copies[of], [copies.get(wrt, wrt)])[0]
    if quantity.kind == "value":
        return _value(values, quantity.of, overrides)

    def walk(node: ast.expr) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            return _value(values, node.id, overrides)
        if isinstance(node, ast.Subscript):
            return _value(stages(int(node.slice.value)), node.value.id, {})  # type: ignore[attr-defined]
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand) if isinstance(node.op, ast.USub) else walk(node.operand)
        if isinstance(node, ast.Call) and node.func.id == DERIVATIVE:  # type: ignore[attr-defined]
            of, wrt, *at = node.args
            derivative = Quantity(quantity.text, "derivative", (of.id, wrt.id))  # type: ignore[attr-defined]
            at_step = at[0].value if at else step  # type: ignore[attr-defined]
            return evaluate(derivative, stages, at_step, overrides if at_step == step else {})
        if isinstance(node, ast.Call):
            return OPS[node.func.id](*(Value(walk(a)) for a in node.args)).data  # type: ignore[attr-defined]
        assert isinstance(node, ast.BinOp)
        first, rest = chain(node)
        result = walk(first)
        for op, operand in rest:
            # the right operand a plain number: (t - out) ** 2 of a negative t - out is a square, not a^b with b a Value
            result = OPERATORS[type(op)](Value(result), walk(operand)).data  # type: ignore[arg-type]
        return result

    return walk(quantity.tree)  # type: ignore[arg-type]


def check_names(quantity: Quantity, known: Mapping[str, Value]) -> None:
    """Nothing if every name of quantity is a value of the network, else a QuantityError listing them."""
    for name in quantity.names:
        _lookup(known, name)


def _lookup(values: Mapping[str, Value], name: str) -> Value:
    node = values.get(name)
    if node is None:
        known = names_near(values, name, "the network's names")
        raise QuantityError(f"unknown name {quoted(name)}; {known}")
    return node


def _nodes(values: Mapping[str, Value], overrides: Mapping[str, float]) -> dict[Value, float]:
    return {_lookup(values, name): number for name, number in overrides.items()}


def _value(values: Mapping[str, Value], name: str, overrides: Mapping[str, float]) -> float:
    if name in overrides:
        return overrides[name]
    node = _lookup(values, name)
    return replay(node, _nodes(values, overrides))[node].data if overrides else node.data


def replay(root: Value, overrides: Mapping[Value, float], *, through: Value | None = None) -> dict[Value, Value]:
    """root's graph recomputed with each node in overrides replaced by a fresh leaf holding its number.

    Returns old node → new node for root and everything it depends on; untouched parts are shared.
    With through (the value a derivative is taken with respect to), a replaced node that depends on it
    stays joined to its operands, so that the derivative still flows through it: the document's
    dout/dnet = out·(1 − out) from its printed out (see pinned).
    """
    copies: dict[Value, Value] = {}
    joined = {through} if through is not None else set()
    for node in reversed(topological_order(root)):  # every node after its parents
        if through is not None and node is not through and any(p in joined for p in node.parents):
            joined.add(node)
        if node in overrides and node in joined and node is not through:
            copies[node] = pinned(node, tuple(copies[p] for p in node.parents), overrides[node])
        elif node in overrides:
            copies[node] = Value(overrides[node], node.label, meta=node.meta)
        elif not node.parents:
            copies[node] = node
        else:
            parents = tuple(copies[p] for p in node.parents)
            same = all(a is b for a, b in zip(parents, node.parents))
            copies[node] = node if same else rebuild(node, parents)
    return copies


def rebuild(node: Value, parents: tuple[Value, ...]) -> Value:
    """A node made by node's op from new parents, with node's label and meta."""
    data, local_grads = OPS[node.op].apply(*(p.data for p in parents))
    copy = Value(data, node.label, meta=node.meta)
    # a constant operand gets no gradient, as when the engine makes the node (its grad is shared and stays 0)
    local_grads = tuple(0.0 if p.is_constant else g for p, g in zip(parents, local_grads))
    copy.parents, copy.local_grads, copy.op = parents, local_grads, node.op
    return copy


def pinned(node: Value, parents: tuple[Value, ...], number: float) -> Value:
    """A node made by node's op from parents but holding number, with the local derivatives the op has where it
    gives number: σ' = out·(1 − out) of the printed out, as a document computes it from its own printed value.

    The one operand that is not a constant is moved to where the op gives number (Newton's method on the op's
    own derivative, from where it is); an op of several varying operands keeps their values.
    """
    data = [p.data for p in parents]
    varying = [i for i, p in enumerate(parents) if not p.is_constant]
    if len(varying) == 1:
        data[varying[0]] = _operand_giving(node.op, data, varying[0], number)
    local_grads = OPS[node.op].apply(*data)[1]
    copy = Value(number, node.label, meta=node.meta)
    copy.parents, copy.op = parents, node.op
    copy.local_grads = tuple(0.0 if p.is_constant else g for p, g in zip(parents, local_grads))
    return copy


def _operand_giving(op: str, data: list[float], i: int, target: float) -> float:
    """Operand i moved until op gives target; where it was if the op cannot give target near there."""
    x = data[i]
    for _ in range(MAX_NEWTON_STEPS):
        try:
            value, local_grads = OPS[op].apply(*data[:i], x, *data[i + 1 :])
        except (ArithmeticError, ValueError):
            break
        if abs(value - target) <= 4 * math.ulp(target):
            return x
        if not local_grads[i] or not math.isfinite(local_grads[i]):
            break
        x -= (value - target) / local_grads[i]
    return data[i]


def _is_real_number(x: object) -> bool:  # of an ast.Constant's value: 2 and 0.5 are; True, 1j and "2" are not
    return isinstance(x, int | float) and not isinstance(x, bool)
