"""Document-style solutions computed by the engine: forward pass, error, backward pass with its
chain-rule factors, the update, and the forward pass again, as text or as Markdown with LaTeX.
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Iterator
from typing import Any

from autograd import OPS, Value
from backprop.explanation import explainer
from backprop.expressions import ExpressionExample


def formula(node: Value, *, latex: bool = False, numbers: bool = False, digits: int = 6) -> str:
    """node's op applied to its named operands, e.g. "σ(net_h1)"; numbers=True puts in their values."""
    return _render(node, latex, numbers, digits, top=True)


def _render(node: Value, latex: bool, numbers: bool, digits: int, top: bool = False) -> str:
    if not top and (node.label is not None or not node.parents):
        if numbers or node.label is None:
            return _number(node.data, digits, latex)
        return latex_name(node.label) if latex else node.label
    op = OPS[node.op]
    template = op.latex if latex else op.text
    texts = [_render(p, latex, numbers, digits) for p in node.parents]
    if op.coefficient and node.parents[0].is_constant and node.parents[0].data == 0.5:
        return ("\\frac{1}{2}" if latex else "½") + _operand(texts[1], node.parents[1], latex, grouped=True, half=True)
    parts = [
        text if _enclosed(template, k) else _operand(text, p, latex, grouped=op.grouped)
        for k, (text, p) in enumerate(zip(texts, node.parents))
    ]
    if op.layout is not None:  # a weighted sum: each weight times its input, then the bias
        weights, inputs, bias = op.layout(parts)
        parts = [template.format(w, x) for w, x in zip(weights, inputs)] + ([] if bias is None else [bias])
    if op.join is not None:
        return op.join.join(parts)
    if "{*}" in template:  # an n-ary op written as a call of all its operands
        return template.replace("{*}", "{0}").format(", ".join(parts))
    return template.format(*parts)


def _operand(text: str, node: Value, latex: bool, *, grouped: bool, half: bool = False) -> str:
    """An operand's text, in brackets where it would not read as one: a negative number (0.5·(-2)), or a
    compound operand of an op that binds tighter than + (a call, f(x) or |x|, is one already)."""
    if node.label is not None or not node.parents:  # shown as a name or a number
        return _bracketed(text, latex) if text.startswith("-") else text
    if not grouped or _is_call(OPS[node.op].text):
        return text
    if half:  # ½ before a power: the power's own brackets are enough
        return f"\\,{text}" if latex else text
    return _bracketed(text, latex)


def _bracketed(text: str, latex: bool) -> str:
    return f"\\left({text}\\right)" if latex else f"({text})"


def _enclosed(template: str, k: int) -> bool:
    """Whether the op's template writes operand k in brackets of its own: σ({0}), |{0}|, \\frac{{{0}}}{{…}}."""
    return "{*}" in template or re.search(_ENCLOSING.format(k), template) is not None


# operand k's placeholder right inside brackets: ( ), | |, LaTeX's \left( \right) and { } (a group LaTeX does not show)
_ENCLOSING = r"(\(|\||\{{\{{)\{{{0}\}}(\)|\||\}}\}}|\\right[)|])"


def _is_call(template: str) -> bool:
    """Whether an op is written as a function of its operands, "f(...)" or "|x|": it needs no brackets."""
    return not template.startswith("{") and template.endswith((")", "|"))


def _number(x: float, digits: int, latex: bool = False) -> str:
    """x to digits significant digits, as it stands alone (-0.8, not (-0.8): an operand gets brackets where it sits)."""
    text = f"{x + 0.0:.{digits}g}"  # + 0.0: -0.0 shows as 0
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}" if latex else text
    return text


def _factor(x: float, digits: int, latex: bool = False) -> str:
    """x as a factor or a subtrahend: a negative number in brackets, 0.1·(-0.25)."""
    text = _number(x, digits, latex)
    return text if x >= 0 else _bracketed(text, latex)


def latex_name(name: str) -> str:
    """A name as LaTeX: w10 → w_{10}, net_h1 → \\mathrm{net}_{\\mathrm{h1}}, y_hat → \\hat{y}."""
    if name.endswith("_hat"):
        return f"\\hat{{{latex_name(name[:-4])}}}"
    head, _, tail = name.partition("_")
    if not tail:
        match = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
        head, tail = (match[1], match[2]) if match else (name, "")
    head_tex = head if len(head) == 1 else f"\\mathrm{{{head}}}"
    if not tail:
        return head_tex
    tail_tex = tail if tail.isdigit() or len(tail) == 1 else f"\\mathrm{{{tail.replace('_', ',')}}}"
    return f"{head_tex}_{{{tail_tex}}}"


def walkthrough(
    example: Any, *, steps: int = 1, markdown: bool = False, sample: int | None = None, in_turn: bool = False
) -> str:
    """The document-style solution of steps gradient-descent steps on the example, computed by the engine.

    example: an nn worked example, an ExpressionExample, or a Value (its graph, named by its labels; without
    a learning rate, one forward and backward pass). Every step is on sample (default: the worked one), or with
    in_turn one step per sample, from that one on. The steps are taken on a copy: example keeps its values.
    """
    if isinstance(example, Value):
        example = ExpressionExample(example)
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if example.learning_rate is None and steps > 1:
        raise ValueError(f"{example.name} has no learning rate: it takes no gradient-descent steps")
    example = copy.deepcopy(example)
    count = len(example.samples)
    first = (example.worked_sample if sample is None else sample) % count
    out = _Writer(markdown)
    out.title(example.heading)
    out.para(_summary(example))
    if count > 1:
        out.para(_samples_line(first, count, in_turn))
    for note in example.notes:
        out.para(f"Note: {note}")
    for step in range(1, steps + 1):
        with _descending(step, example):
            _step(out, example, step, (first + (step - 1) * in_turn) % count)
    if example.learning_rate is None:
        return out.text()
    with _descending(steps + 1, example):
        pass_ = example.forward(first)
    on = f" on sample {first + 1}" if count > 1 else ""
    out.heading(f"After {steps} step{'s' if steps > 1 else ''}: forward pass again{on}")
    _forward(out, example, pass_)
    if not isinstance(example, ExpressionExample):
        _errors(out, example, pass_)
    return out.text()


def _samples_line(first: int, count: int, in_turn: bool) -> str:
    """Which sample each step uses, when there are several (counted from 1, as `backprop list` does)."""
    if in_turn:
        return f"{count} samples: one step per sample, in turn, from sample {first + 1}."
    return f"{count} samples: every step uses sample {first + 1} (one step per sample in turn: --in-turn)."


def _summary(example: Any) -> str:
    """The line under the title: the source, the network or expression, and the learning rate."""
    source = f"Source: {example.source}. " if example.source else ""
    if isinstance(example, ExpressionExample):
        rate = example.learning_rate
        steps = f"learning rate η = {rate:g}" if rate is not None else "no learning rate: one forward and backward pass"
        return f"{source}Expression {example.loss_name} of {', '.join(example.trainable)}, {steps}."
    sizes = "-".join(map(str, example.network.sizes))
    return f"{source}Network {sizes}, loss {example.loss}, learning rate η = {example.learning_rate:g}."


class StepError(ArithmeticError):
    """A gradient-descent step whose numbers overflow or leave an op's domain: which step, and the engine's error."""

    def __init__(self, step: int, learning_rate: float, error: Exception):
        super().__init__(f"gradient-descent step {step} with learning rate {learning_rate:g}: {error}")
        self.step = step


@contextlib.contextmanager
def _descending(step: int, example: Any) -> Iterator[None]:
    """The engine's errors inside a step as a StepError (step steps + 1: the forward pass after the last)."""
    try:
        yield
    except (ArithmeticError, ValueError) as e:  # the engine's errors name the op and its operands
        raise StepError(step, example.learning_rate, e) from None


def _step(out: _Writer, example: Any, step: int, sample: int) -> None:
    """One step of gradient descent, written out: forward pass, error, backward pass, update."""
    pass_ = example.forward(sample)
    if step == 1:
        out.heading("Given values")
        out.equations([(n, None, pass_[n].data) for n in _given(example)])
    stepping = example.learning_rate is not None
    prefix = f"Step {step}: " if stepping else ""  # without a learning rate, the one pass there is
    on = f" on sample {sample + 1}" if len(example.samples) > 1 else ""
    out.heading(f"{prefix}forward pass{on}" if step == 1 else f"{prefix}forward pass{on} with the updated parameters")
    _forward(out, example, pass_)
    if not isinstance(example, ExpressionExample):  # an expression's output is its last row already
        out.heading(f"{prefix}error")
        _errors(out, example, pass_)
    out.heading(f"{prefix}backward pass")
    gradients = _backward(out, example, pass_)
    if stepping:
        out.heading(f"{prefix}update")
        _update(out, example, {name: gradients[name] for name in example.trainable})
        example.step(sample)


def _given(example: Any) -> list[str]:
    """The values a pass starts from: an expression's leaves; a network's inputs, parameters and targets."""
    if isinstance(example, ExpressionExample):
        return list(example.trainable)
    return [*example.network.input_names, *example.network.parameters_by_name(), *example.target_names]


def _forward(out: _Writer, example: Any, pass_: Any) -> None:
    out.equations([(name, pass_[name], pass_[name].data) for name in _computed(example, pass_)])


def _computed(example: Any, pass_: Any) -> list[str]:
    """The computed named values of a pass in the document's order: a network's neurons layer by layer, net
    before out (a neuron without an activation has one value); an expression's as it uses them."""
    if isinstance(example, ExpressionExample):
        return [name for name, node in pass_.values.items() if node.parents]
    names = []
    for layer in example.network.layers:
        for neuron in layer.neurons:
            for name in dict.fromkeys((neuron.net_name, neuron.out_name)):
                node = pass_[name]
                if node.parents and node.label == name:
                    names.append(name)
    return names


def reading_order(example: Any, pass_: Any) -> list[str]:
    """The named values of a pass in the order the walkthrough writes them: the given values, then the forward
    pass (each layer's neurons in order, net before out), then the errors and the loss."""
    errors = [] if isinstance(example, ExpressionExample) else [*example.error_names, example.loss_name]
    return [*_given(example), *_computed(example, pass_), *errors]


def _errors(out: _Writer, example: Any, pass_: Any) -> None:
    names = [*example.error_names, example.loss_name]
    out.equations([(n, pass_[n], pass_[n].data) for n in names])


def _backward(out: _Writer, example: Any, pass_: Any) -> dict[str, float]:
    """Each gradient as its chain-rule paths: an expression's every named value from the output down (as the
    lecture fills them in), a network's trainable parameters."""
    names = example.trainable
    if isinstance(example, ExpressionExample):
        names = [n for n in reversed(pass_.values) if n != example.loss_name]
    gradients = {}
    explained = explainer(pass_)
    for name in names:
        explanation = explained(name)
        gradients[name] = explanation.gradient
        out.chain(explanation)
    return gradients


def _update(out: _Writer, example: Any, gradients: dict[str, float]) -> None:
    eta = example.learning_rate
    out.updates([(name, example[name].data, eta, g) for name, g in gradients.items()], example.loss_name)


class _Writer:
    """Lines of text or of Markdown with LaTeX."""

    def __init__(self, markdown: bool):
        self.markdown = markdown
        self.lines: list[str] = []

    def text(self) -> str:
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    def title(self, text: str) -> None:
        self.lines += [f"# {text}", ""] if self.markdown else [text, "=" * len(text), ""]

    def heading(self, text: str) -> None:
        text = text[:1].upper() + text[1:]
        self.lines += [f"## {text}" if self.markdown else text, *([] if self.markdown else ["-" * len(text)]), ""]

    def para(self, text: str) -> None:
        self.lines += [text, ""]

    def equations(self, rows: list[tuple[str, Value | None, float]]) -> None:
        if self.markdown:
            body = []
            for name, node, value in rows:
                parts = [latex_name(name)]
                if node is not None:
                    parts += [formula(node, latex=True), formula(node, latex=True, numbers=True)]
                parts.append(_number(value, 6, latex=True))
                body.append(" &= ".join([parts[0], " = ".join(parts[1:])]) + " \\\\")
            self.lines += ["$$", "\\begin{aligned}", *body, "\\end{aligned}", "$$", ""]
            return
        cells = []
        for name, node, value in rows:
            middle = [formula(node), formula(node, numbers=True)] if node is not None else []
            cells.append((name, " = ".join([*middle, f"{value:.6g}"])))
        width = max((len(n) for n, _ in cells), default=0)
        self.lines += [f"  {n.ljust(width)} = {rest}" for n, rest in cells] + [""]

    def chain(self, explanation: Any) -> None:
        if not self.markdown:
            self.lines += ["  " + line for line in explanation.lines()] + [""]
            return
        loss, param = latex_name(explanation.loss), latex_name(explanation.parameter)
        lhs = f"\\frac{{\\partial {loss}}}{{\\partial {param}}}"
        terms, values = [], []
        for path in explanation.paths:
            terms.append(
                " \\cdot ".join(
                    f"\\frac{{\\partial {latex_name(f.of)}}}{{\\partial {latex_name(f.wrt)}}}" for f in path.factors
                )
            )
            values.append(" \\cdot ".join(_factor(f.value, 6, latex=True) for f in path.factors))
        hidden = explanation.count - len(explanation.paths)
        if hidden > 0:  # only the largest paths are listed
            terms.append(f"\\text{{{hidden:,} more paths}}")
            values.append("\\ldots")
        self.lines += [
            "$$",
            "\\begin{aligned}",
            f"{lhs} &= " + " \\\\\n&\\quad + ".join(terms) + " \\\\",
            "&= " + " \\\\\n&\\quad + ".join(values) + " \\\\",
            f"&= {explanation.gradient:.6g}",
            "\\end{aligned}",
            "$$",
            "",
        ]

    def updates(self, rows: list[tuple[str, float, float, float]], loss: str) -> None:
        if self.markdown:
            body = []
            for name, value, eta, g in rows:
                new = value - eta * g
                n, grad_tex = (
                    latex_name(name),
                    f"\\frac{{\\partial {latex_name(loss)}}}{{\\partial {latex_name(name)}}}",
                )
                body.append(
                    f"{n}^{{+}} &= {n} - \\eta \\cdot {grad_tex} = {_number(value, 6, True)} - "
                    f"{_number(eta, 6, True)} \\cdot {_factor(g, 6, True)} = {_number(new, 6, True)} \\\\"
                )
            self.lines += ["$$", "\\begin{aligned}", *body, "\\end{aligned}", "$$", ""]
            return
        width = max(len(r[0]) for r in rows)
        for name, value, eta, g in rows:
            rule = f"{name} − η·∂{loss}/∂{name}"
            numbers = f"{value:.6g} − {eta:g}·{_factor(g, 6)} = {value - eta * g:.6g}"
            self.lines.append(f"  {name.ljust(width)} ← {rule} = {numbers}")
        self.lines.append("")
