"""An optimizer's update of its parameters as one rule: computed on floats by its step(), read as source by loops.

The rule is written with arithmetic and the ops' functions (``autograd.functions``), like an op's rule, so that
the same lines run on floats in Python and, called with ``Expr`` operands, become the statements of a generated
loop of training steps (``codegen``), which the native reading turns into C: one source, float for float.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from autograd import primitive
from autograd.expressions import Expr, number


class UpdateRule(NamedTuple):
    """An optimizer's update and its state, as a loop of steps takes them over and hands them back.

    per_step(t, settings) -> the numbers every parameter's update shares at step t (counted from 1);
    update(p, g, state, settings, shared) -> (new p, *new state) for one parameter, state one number per slot.
    Both are arithmetic of their operands (no branch on them: ``where``), so that they read as source too.
    """

    key: tuple[Any, ...]  # what shapes the update's code (its options): a new key makes a new loop
    settings: tuple[float, ...]  # the numbers that may change between runs (lr, betas, ...)
    count: int  # the steps taken so far: t of the next step is count + 1
    state: tuple[list[float], ...]  # per slot, the number of every parameter, in the optimizer's order
    per_step: Callable[[Any, tuple[Any, ...]], tuple[Any, ...]]
    update: Callable[[Any, Any, tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]], tuple[Any, ...]]


def update_lines(rule: UpdateRule, params: list[int], grads: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The statements of one step of rule on the parameters v<k> (k in params) with grads: the step count t1,
    the shared numbers c<i>, each new parameter u<k> and state n<j>_<k>; their assignments; what to check.

    Settings are h<i>, the steps taken t, each parameter's state s<j>_<k>; nothing is assigned before the check.
    """
    shared, general = _read(rule, "t1", "v", "g", [f"s{j}" for j in range(len(rule.state))])
    lines, assigned, checked = ["t1 = t + 1.0", *(f"c{i} = {e}" for i, e in enumerate(shared))], ["t = t1"], []
    for k, grad in zip(params, grads):
        slots = [f"s{j}_{k}" for j in range(len(rule.state))]
        names = {"v": f"v{k}", "g": grad, **{f"s{j}": slot for j, slot in enumerate(slots)}}
        names.update({f"n{j}": f"n{j}_{k}" for j in range(len(slots))})
        new = [_NAMES.sub(lambda found, names=names: names[found[0]], e) for e in general]  # read once, renamed
        lines += [f"n{j}_{k} = {e}" for j, e in enumerate(new[1:])]
        lines.append(f"u{k} = {new[0]}")
        assigned += [f"v{k} = u{k}", *(f"{slot} = n{j}_{k}" for j, slot in enumerate(slots))]
        checked += [f"u{k}", *(f"n{j}_{k}" for j in range(len(slots)))]
    return lines, assigned, checked


def code_shape(rule: UpdateRule) -> tuple[Any, ...]:
    """What shapes rule's code (its options, its functions, how many settings and state slots), not its numbers."""
    return (rule.key, rule.update.__code__, rule.per_step.__code__, len(rule.settings), len(rule.state))


def stepper(rule: UpdateRule) -> Callable[..., tuple[list[float], list[list[float]]]]:
    """rule's step as a Python function compiled from its source: (t, params, g, state, settings) -> (new data,
    new state), params (Values), g (their grads as floats; read from params if there is no state) and new data
    lists over the parameters, state and new state a list per slot."""
    key = code_shape(rule)
    function = _STEPPERS.get(key)
    if function is None:
        slots = "".join(f"s{j}, " for j in range(len(rule.state)))
        shared, new = _read(rule, "t", "v", "g", [f"s{j}" for j in range(len(rule.state))])
        lists = [f"n{j}s" for j in range(len(rule.state))]
        # No state (the documents' gradient descent): one comprehension over the Values; else a loop.
        alone = "" if lists else _NAMES.sub(lambda found: {"v": "q.data", "g": "q.grad"}[found[0]], new[0])
        loop = [
            f"new, {''.join(f'{n}, ' for n in lists)}= [], {'[], ' * len(lists)}",
            f"for q, g, {slots}in zip(params, g, *state):",
            "    v = q.data",
            *(f"    n{j} = {e}" for j, e in enumerate(new[1:])),
            f"    new.append({new[0]})",
            *(f"    {n}.append(n{j})" for j, n in enumerate(lists)),
            f"return new, [{', '.join(lists)}]",
        ]
        lines = [
            f"{''.join(f'h{i}, ' for i in range(len(rule.settings)))}= settings" if rule.settings else "",
            *(f"c{i} = {e}" for i, e in enumerate(shared)),
            *(loop if lists else [f"return [{alone} for q in params], []"]),
        ]
        text = "def run(t, params, g, state, settings):\n" + "".join(f"    {line}\n" for line in lines if line)
        names = primitive.namespace()
        exec(compile(text, f"<update of {rule.key[0]}>", "exec"), names)
        function = _STEPPERS[key] = names["run"]
    return function


_NAMES = re.compile(r"\b(?:v|g|s\d+|n\d+)\b")  # the parameter's names in its update read as source
_STEPPERS: dict[tuple[Any, ...], Callable[..., Any]] = {}  # by what shapes an update's code


def _read(rule: UpdateRule, t: str, p: str, g: str, slots: list[str]) -> tuple[list[str], list[str]]:
    """rule read as source at step t, settings h<i>: the shared numbers (named c<i> after), (new p, *new state)."""
    settings = tuple(Expr(f"h{i}") for i in range(len(rule.settings)))
    shared = rule.per_step(Expr(t), settings)
    names = tuple(Expr(f"c{i}") for i in range(len(shared)))
    texts = [number(e).text for e in rule.update(Expr(p), Expr(g), tuple(map(Expr, slots)), settings, names)]
    return [number(e).text for e in shared], _reusing_state(texts)


def _reusing_state(texts: list[str]) -> list[str]:
    """(new p, *new state) as source, where a later one repeats a new state's expression in brackets, reading
    it as n<j> (computed first): the same numbers (a bracketed expression is a whole one), computed once."""
    states = texts[1:]
    named = []
    for text in [*states, texts[0]]:
        for j in reversed(range(len(named))):  # the later states first: they may hold the earlier ones
            text = text.replace(f"({states[j]})", f"(n{j})")
        named.append(text)
    return [named[-1], *named[:-1]]
