"""An optimizer's update of its parameters as one rule: computed on floats by its step(), read as source by loops.

The rule is written with arithmetic and the ops' functions (``autograd.functions``), like an op's rule, so that
the same lines run on floats in Python and, called with ``Expr`` operands, become the statements of a generated
loop of training steps (``codegen``), which the native reading turns into C: one source, float for float.
"""

from __future__ import annotations

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
    settings = tuple(Expr(f"h{i}") for i in range(len(rule.settings)))
    shared = rule.per_step(Expr("t1"), settings)
    lines = ["t1 = t + 1.0", *(f"c{i} = {number(e).text}" for i, e in enumerate(shared))]
    names = tuple(Expr(f"c{i}") for i in range(len(shared)))
    assigned, checked = ["t = t1"], []
    for k, grad in zip(params, grads):
        state = tuple(Expr(f"s{j}_{k}") for j in range(len(rule.state)))
        new = rule.update(Expr(f"v{k}"), Expr(grad), state, settings, names)
        lines.append(f"u{k} = {number(new[0]).text}")
        lines += [f"n{j}_{k} = {number(e).text}" for j, e in enumerate(new[1:])]
        assigned.append(f"v{k} = u{k}")
        assigned += [f"s{j}_{k} = n{j}_{k}" for j in range(len(rule.state))]
        checked += [f"u{k}", *(f"n{j}_{k}" for j in range(len(rule.state)))]
    return lines, assigned, checked


def stepper(rule: UpdateRule) -> Callable[..., list[tuple[float, ...]]]:
    """rule's step as a Python function compiled from its source: (t, p, g, state, settings) -> for every
    parameter (new p, *new state), p and g lists over the parameters and state a list per slot."""
    key = (rule.key, rule.update.__code__, rule.per_step.__code__, len(rule.settings), len(rule.state))
    function = _STEPPERS.get(key)
    if function is None:
        settings = tuple(Expr(f"h{i}") for i in range(len(rule.settings)))
        shared = rule.per_step(Expr("t"), settings)
        slots = [f"s{j}" for j in range(len(rule.state))]
        new = rule.update(
            Expr("v"), Expr("g"), tuple(map(Expr, slots)), settings, tuple(Expr(f"c{i}") for i in range(len(shared)))
        )
        lines = [
            f"{''.join(f'{h}, ' for h in settings)}= settings" if settings else "",
            *(f"c{i} = {number(e).text}" for i, e in enumerate(shared)),
            f"return [({''.join(number(e).text + ', ' for e in new)}) for v, g, {''.join(f'{s}, ' for s in slots)}in zip(p, g, *state)]",
        ]
        text = "def run(t, p, g, state, settings):\n" + "".join(f"    {line}\n" for line in lines if line)
        names = primitive.namespace()
        exec(compile(text, f"<update of {rule.key[0]}>", "exec"), names)
        function = _STEPPERS[key] = names["run"]
    return function


_STEPPERS: dict[tuple[Any, ...], Callable[..., Any]] = {}  # by what shapes an update's code
