"""Code generation: Python source for a traced graph, one statement per node, forward then backward.

How each op is computed comes from its one definition in ``autograd.ops``: its value and derivative
rules, read as source (``Op.code``).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from autograd import primitive
from autograd.compiler.tracing import ARG, MADE, PARAM, Node
from autograd.compiler.updates import UpdateRule, code_shape, update_lines
from autograd.expressions import Expr, literal, number
from autograd.primitive import ARITHMETIC, OPS, SINGULAR, SMOOTH, Op
from autograd.value import CONSTANT


class Code(NamedTuple):
    """One op in generated code: its value and its local derivative per operand, as expressions."""

    value: str
    local_grads: tuple[str, ...]
    gate: str | None = None  # when this is false, every local derivative is exactly 0.0
    pair: bool = False  # value evaluates to the op's (value, local_grads); then local_grads read "{out}_d"


def code(op: Op, out: str, *operands: str) -> Code:
    """op at operands (names or literals) in generated code; out names its result."""
    if not op.compiled:  # rules only floats can run: the program calls the op's float rule
        call = f"op_{op.name}({', '.join(operands)})"
        return Code(call, tuple(f"{out}_d[{i}]" for i in range(len(operands))), pair=True)
    value, local, gate = op.code(out, *operands)
    return Code(value, local, gate)


def namespace() -> dict[str, Any]:
    """The names generated code may use: the functions of the ops' rules, and each op's float rule."""
    names = primitive.namespace()
    names.update({f"op_{op.name}": op.apply for op in list(OPS.values()) if not op.compiled})
    return names


def defined(text: str, filename: str) -> Callable[..., Any]:
    """The function run that generated text defines, in namespace(): compiled once per text, defined anew."""
    names = namespace()
    exec(_compiled(text, filename), names)
    return names["run"]


@functools.lru_cache(maxsize=64)  # a program traced again (each nn.train traces its loss) is not compiled again
def _compiled(text: str, filename: str) -> Any:
    return compile(text, filename, "exec")


def source_of(nodes: list[Node], n_args: int, *, per_sample: bool = False) -> Source:
    """Source(nodes, n_args, per_sample=per_sample): the same one for a graph of the same structure traced again
    (each nn.train traces its loss anew; its numbers live in the parameters, not in the source)."""
    shape = tuple((n.op, n.parents, n.fixed, repr(n.data), n.label) for n in nodes)  # repr: -0.0 is not 0.0
    key = (primitive.redefinitions, n_args, per_sample, shape)
    with _SOURCES_LOCK:
        found = _SOURCES.pop(key, None)
    if found is None:
        found = Source(nodes, n_args, per_sample=per_sample)
    with _SOURCES_LOCK:
        _SOURCES[key] = found  # the most recently used last
        while len(_SOURCES) > 16:
            del _SOURCES[next(iter(_SOURCES))]
    return found


_SOURCES: dict[tuple[Any, ...], Source] = {}
_SOURCES_LOCK = threading.Lock()
_USE = re.compile(r"\bv(\d+)\b")
_SIMPLE = re.compile(r"[\w.]+")
_MAX_INLINE = 40  # parentheses an inlined expression may nest (the parser allows 200)
_MAX_GATES = 20  # if-blocks a backward statement may nest in (the tokenizer allows 100 indents)


class Source:
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

    def __init__(self, nodes: list[Node], n_args: int, *, per_sample: bool = False):
        self.nodes = nodes
        self.n_args = n_args
        # per_sample: the graph of one sample, replayed for each (see sample_loop): the root's grad is
        # `seed`, parameter grads add up over the samples, and no argument needs a grad.
        self.per_sample = per_sample
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
        self._loops: dict[tuple[Any, ...], str] = {}  # training loops' texts, by their rule's shape

    def _name(self, k: int) -> str:
        node = self.nodes[k]
        return literal(node.data) if node.op in (CONSTANT, MADE) else f"v{k}"

    def _code(self, k: int, operands: list[str]) -> Code:
        node = self.nodes[k]
        return code(OPS[node.op], f"v{k}", *(operands[p] for p in node.parents))

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
                and OPS[self.nodes[user].op].kind == ARITHMETIC
                and str(k) in _USE.findall(self.codes[user].value)
            ):
                expressions[k] = f"({code.value})"
                continue
            depth[k] = 0
            lines.append(f"v{k}, v{k}_d = {code.value}" if code.pair else f"v{k} = {code.value}")
            if OPS[node.op].kind != SMOOTH:
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
        grads[root] = "seed" if self.per_sample else "1.0"
        paths_in: list[list[tuple[int, ...]]] = [[] for _ in nodes]
        gates: dict[int, str] = {}
        inits, statements, checks = [], [], []
        for k in range(root, -1, -1):
            node = nodes[k]
            if not node.parents:
                if grads[k] is not None and grads[k] != "1.0":
                    checks.append(f"g{k}")
                continue
            code, kind, g = self.codes[k], OPS[node.op].kind, grads[k]
            assert g is not None  # every user of a node comes before it
            path = () if k == root or kind == SINGULAR else _common_prefix(paths_in[k])
            gate = code.gate if len(path) < _MAX_GATES else None
            if gate or all(node.fixed):  # a gradient that may stop here (only numbers below) must be finite
                statements.append((path, f"check += {g}"))
            if gate:
                gates[k] = gate
                path += (k,)
            for p, local, fixed in zip(node.parents, code.local_grads, node.fixed):
                if fixed or (self.per_sample and nodes[p].op == ARG):
                    continue
                if code.gate and not gate:
                    local = f"({local} if {code.gate} else 0.0)"
                term = _term(local, g)
                paths_in[p].append(path)
                statement = self._pass_to(p, term, path, incoming[p], grads, inits)
                if statement:
                    statements.append((path, statement))
        return inits, _nested(statements, gates), grads, checks

    def _pass_to(
        self, p: int, term: str, path: tuple[int, ...], incoming: int, grads: list[str | None], inits: list[str]
    ) -> str | None:
        """The statement adding term to operand p's grad (None: the grad is term itself); grads[p] names it."""
        node = self.nodes[p]
        single = incoming == 1 and node.parents and not (OPS[node.op].kind == SINGULAR and path)
        if single and _SIMPLE.fullmatch(term):
            grads[p] = term  # a name or a number: no variable needed
            return None
        if single:
            grads[p] = f"g{p}"
            return f"g{p} = {term}"
        if grads[p] is not None:
            return f"g{p} += {term}"
        grads[p] = f"g{p}"
        if self.per_sample and node.op == PARAM:  # set to 0.0 once, before the first sample
            return f"g{p} += {term}"
        if path:  # later statements may add to it even if this one is skipped
            inits.append(f"g{p} = 0.0")
            return f"g{p} += {term}"
        if node.op in (ARG, PARAM):  # from 0.0, as the engine: a gradient is never -0.0
            return f"g{p} = 0.0 + {_group(term)}"
        return f"g{p} = {term}"  # a zero's sign inside changes no other number

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
            "check = 0.0",
            *self.inits,
            *self.backward_lines,
            f"return {self.root_value}, ({''.join(g + ', ' for g in arg_grads)}), "
            f"({''.join(g + ', ' for g in params)}), {self._check(True)}",
        ]
        return "def run(x, p):\n" + "".join(f"    {line}\n" for line in body)

    def sample_loop(self) -> str:
        """def run(xs, p, a, carried, seed) -> (root value after the last sample, parameter grads, check).

        The graph is one sample's, made with per_sample=True; argument 0 carries the root's value from
        one sample to the next (carried before the first), and each x in xs holds a sample's other
        argument numbers. Parameter grads start at a and add seed · d root / d p sample by sample.
        """
        names = ["_"] * self.n_args
        for k, node in enumerate(self.nodes):
            if node.op == ARG:
                names[int(node.data)] = f"v{k}"
        params = [k for k, n in enumerate(self.nodes) if n.op == PARAM]
        grads = "".join(f"g{k}, " for k in params)
        sample = [f"{', '.join(names[1:])}, = x"] if self.n_args > 1 else []
        step = [*sample, *self.forward_lines, *self.inits, *self.backward_lines, f"check = {self._check(False)}"]
        body = [
            *([f"{''.join(f'v{k}, ' for k in params)}= p", f"{grads}= a"] if params else []),
            f"{names[0]} = carried",
            "check = 0.0",
            "for x in xs:",
            *(f"    {line}" for line in step),
            f"    {names[0]} = {self.root_value}",
            f"return {names[0]}, ({grads}), {self._check(True, [names[0]])}",
        ]
        return "def run(xs, p, a, carried, seed):\n" + "".join(f"    {line}\n" for line in body)

    def training_loop(self, rule: UpdateRule, scaled: bool, trained: tuple[int, ...]) -> str:
        """_training_loop's text, written once per rule's shape (see it)."""
        key = (*code_shape(rule), scaled, trained)
        text = self._loops.get(key)
        if text is None:
            text = self._loops[key] = self._training_loop(rule, scaled, trained)
        return text

    def _training_loop(self, rule: UpdateRule, scaled: bool, trained: tuple[int, ...]) -> str:
        """def run(steps, xs, p, s, h) -> (losses, (parameters, state, t, grads), failed step or None).

        Steps of training on the samples xs (as sample_loop's, from per_sample=True): each step sums the
        loss over xs with grads seeded by seed (times seed too if scaled), then the parameters at positions
        trained take rule's update. s holds each state slot's numbers (the trained parameters'), the steps taken
        t, then the grads of the parameters not trained, which add up step after step as a grad nobody zeroes
        does; h the rule's settings, then seed. A step that raises or makes an inf or nan stops the loop before
        its update, returning its index; the grads come back in the parameters' order.
        """
        names = ["_"] * self.n_args
        for k, node in enumerate(self.nodes):
            if node.op == ARG:
                names[int(node.data)] = f"v{k}"
        params = [k for k, n in enumerate(self.nodes) if n.op == PARAM]
        stepped = [params[j] for j in trained]
        kept = [k for k in params if k not in stepped]
        grads = [f"g{k}" for k in params]
        updates, assigned, checked = update_lines(rule, stepped, [f"g{k}" for k in stepped])
        slots = [f"s{j}_{k}" for j in range(len(rule.state)) for k in stepped]
        out = [f"g{k}" if k in stepped else f"a{k}" for k in params]
        state = f"({''.join(f'{name}, ' for name in [*(f'v{k}' for k in params), *slots, 't', *out])})"
        sample = [f"{', '.join(names[1:])}, = x"] if self.n_args > 1 else []
        step = [*sample, *self.forward_lines, *self.inits, *self.backward_lines, f"check = {self._check(False)}"]
        settings = [f"h{i}" for i in range(len(rule.settings))]
        body = [
            *([f"{''.join(f'v{k}, ' for k in params)}= p"] if params else []),
            f"{''.join(f'{name}, ' for name in [*slots, 't', *(f'a{k}' for k in kept)])}= s",
            f"{''.join(f'{name}, ' for name in settings)}seed, = h",
            "values = []",
            "for step in range(steps):",
            "    try:",
            *(f"        {g} = 0.0" for g in grads),
            f"        {names[0]} = 0.0",
            "        check = 0.0",
            "        for x in xs:",
            *(f"            {line}" for line in step),
            f"            {names[0]} = {self.root_value}",
            f"        loss = {names[0]} * seed" if scaled else f"        loss = {names[0]}",
            *(f"        {line}" for line in updates),
            "    except (ArithmeticError, ValueError):",
            f"        return values, {state}, step",
            f"    check = {self._check(True, [names[0], *checked])}",
            "    if check - check:",
            f"        return values, {state}, step",
            "    values.append(loss)",
            *(f"    {line}" for line in assigned),
            *(f"    a{k} = a{k} + g{k}" for k in kept),
            f"return values, {state}, None",
        ]
        return "def run(steps, xs, p, s, h):\n" + "".join(f"    {line}\n" for line in body)

    def iterate(self, positions: tuple[int, ...], update: Callable[[Expr, Expr], Any]) -> str:
        """def run(steps, x, p) -> (values, parameters, failed step or None): each step p = update(p, grad)."""
        params = [k for k, n in enumerate(self.nodes) if n.op == PARAM]
        state = f"({''.join(f'v{k}, ' for k in params)})"
        step = [*self.forward_lines, "check = 0.0", *self.inits, *self.backward_lines]
        trained = [params[j] for j in positions]
        # Each update goes to u first and joins the check: no parameter becomes inf or nan unnoticed.
        updates = [
            f"u{k} = {number(update(Expr(f'v{k}'), Expr(_group(self.grads[k] or '0.0')))).text}" for k in trained
        ]
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
        return "def run(steps, x, p):\n" + "".join(f"    {line}\n" for line in body)


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
