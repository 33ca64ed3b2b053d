"""One self-contained HTML page about a graph: both drawings, each value's numbers and story, the steps of
the forward and the backward pass, an audit beside the graph and a training view; it loads nothing.

The page is data plus a small script: each value's element carries its index (``data-value``, what the
script selects by) and its name (``data-name``), and ``page.html#w10`` opens with w10 selected. The same
input gives the same bytes.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Protocol
from urllib.parse import quote

from autograd import OPS, Value, topological_order
from autograd.script import AdamUpdate, Turns, Unreadable, graph, program, sgd
from viz.graph import draw_graph
from viz.labels import visible
from viz.network import draw_network
from viz.plots import CLASSES, GRID, boundary_plot, colours, extent, has_boundary, has_curve, loss_plot
from viz.render import render_svg
from viz.steps import walk as walk_of
from viz.structure import GraphTooLarge
from viz.style import kind

DIGITS = 6  # significant digits of the numbers in the text, as the walkthrough prints them
ROLES = {
    "parameter": "a parameter (trained)",
    "input": "an input",
    "target": "a target",
    "constant": "a constant: no gradient flows into it",
    "leaf": "a leaf value",
    "value": "a computed value",
    "output": "the output (the root)",
    "loss": "the loss",
}


class Chain(Protocol):
    """What the page reads from a chain-rule explanation (backprop.explain returns one)."""

    def lines(self) -> list[str]: ...


class Optimizer(Protocol):
    """What the page reads from an optimizer (nn's SGD, Adam, AdamW): its parameters, learning rate and step."""

    params: Sequence[Value]
    lr: float

    def script_update(self) -> Callable[..., Any] | AdamUpdate: ...


@dataclass(frozen=True)
class AuditLine:
    """One audited number beside the graph: the printed text, the engine's number, the verdict and why."""

    quantity: str
    printed: str
    engine: str
    verdict: str
    explanation: str
    where: str = ""
    value: str | None = None  # the label of the value that selecting this row selects


@dataclass(frozen=True)
class Predictor:
    """A model's graph at two inputs, which a live page runs to redraw the decision boundary as it trains: the two
    input leaves it varies and its output (a score) or outputs (a score per class, for points of class indices).

    Its leaves that are also the page graph's (the parameters) take the page's live numbers."""

    inputs: tuple[Value, Value]
    outputs: Sequence[Value]


@dataclass(frozen=True)
class Objective:
    """What a live page's step trains when the graph drawn is one sample's and training takes several: one sample's
    loss (its parameters the drawn graph's) and each sample's numbers for its leaves (its inputs and targets).

    turns: the samples' numbers, each a leaf's; a step takes the next in turn (from the first), or with batch all of
    them: the step's loss is batch times the sum of their losses (1/n: the mean, as nn.train's of a mean loss).
    says: what the step trains, as the side panel says it ("the batch of 4 samples").
    drawn: the turn whose sample the graph drawn is: an edit of one of its inputs or targets is the same edit of that
    turn's numbers (each of the turns' leaves is matched to the graph's leaf of its label); None: no turn's."""

    loss: Value
    says: str
    turns: Sequence[Mapping[Value, float]] = ()
    batch: float | None = None
    drawn: int | None = None


@dataclass(frozen=True)
class Training:
    """The training view: the loss at each step and, for a network with two inputs, its decision boundary."""

    losses: Sequence[float]
    # the trained network at (x1, x2): its output, or its outputs (one per class; see boundary_plot)
    predict: Callable[[float, float], float | Sequence[float]] | None = None
    points: Sequence[tuple[float, float, float]] = ()  # (x1, x2, target or class) of each training sample
    notes: Sequence[str] = ()  # what the run should say about itself: a loss that ran away, a step that overflowed
    live: Predictor | None = None  # the model as a graph: a live page redraws its boundary as it trains
    objective: Objective | None = None  # what the live page's step trains, if not the graph drawn


def page(
    root: Value,
    *,
    title: str = "",
    formula: Callable[[Value], str | None] | None = None,
    chain: Callable[[Value], Chain | None] | None = None,
    audit: Sequence[AuditLine] = (),
    training: Training | None = None,
    notes: Sequence[str] = (),
    max_nodes: int = 2000,
    symbols: Callable[[Value], str | None] | None = None,
    learning_rate: float | None = None,
    trained: Sequence[Value] = (),
    practice: Mapping[str, Any] | None = None,
    walk: Sequence[Value] | None = None,
    optimizer: Optimizer | None = None,
) -> str:
    """The HTML page of root's graph (run backward first for grads).

    formula(v): the text of the formula that made v, numbers filled in (else the op and operand names);
    chain(v): v's gradient as a sum over chain-rule paths (else the backward loop's own sum);
    max_nodes: the most nodes the computation graph's drawing may have, collapsed if it must (else GraphTooLarge);
    symbols(v): the formula that made v in names, which the page fills with its own numbers once one is edited;
    learning_rate, trained: gradient descent's step (the page's step button, window.backprop.step) and what it trains;
    practice: each named value's slips for practice mode (backprop.practice.slips; else answers are only judged);
    walk: the values the step mode steps, in the order a reader meets them (backprop.walkthrough.reading_order),
    every other one folded into the formula of those it feeds (else every value but the constants, inputs first);
    optimizer: the optimizer whose step the page takes instead (nn's SGD, Adam or AdamW, from its state now): it
    trains its parameters (give it or trained, not both) at its learning rate unless learning_rate is given.
    """
    if optimizer is not None:
        if trained:
            raise ValueError("page: give trained or optimizer (which trains its parameters), not both")
        trained = optimizer.params
        learning_rate = optimizer.lr if learning_rate is None else learning_rate
    order = topological_order(root)
    pictures = _drawings(root, max_nodes)  # a graph too large is refused before each value's text is made
    drawn = order[::-1]  # the values' order: inputs first
    rows = _audited(drawn, audit)
    values = _values(drawn, root, formula, chain, rows)
    names = [v["name"] for v in values]
    for entry, v in zip(values, drawn):  # in names, never numbers: practice hides them, an edit fills them in
        own = symbols(v) if symbols is not None and v.parents else None
        entry["symbols"] = own or (
            _in_names(v, [names[i] for i in entry["parents"]]) if v.parents else entry["forward"]
        )
    drawings = [(heading, _linked(svg, names)) for heading, svg in pictures]
    start = next((i for i, v in enumerate(drawn) if kind(v, root) == "input"), 0)  # where the drawings open
    data = {"values": values, "audit": [_audit_row(a) for a in audit], "root": len(order) - 1, "start": start}
    engine, why = _engine(drawn, trained, optimizer)
    data["practice"] = dict(practice or {})
    data["walk"] = walk_of(drawn, walk)
    boundary, predictor, unread = _live_boundary(training, drawn, trained) if engine else (None, "", "")
    data["boundary"] = boundary
    data["objective"], trainer, untrained = _objective(training, drawn, trained, optimizer, engine)
    data["lr"] = None if untrained else learning_rate  # no step: the graph drawn alone is not what training trains
    notes = [*notes, *(n for n in (why, unread, untrained) if n)]
    heading = title or f"The graph of {values[-1]['name']}"
    return _html(heading, drawings, data, audit, rows, training, notes, engine, predictor, trainer)


def _engine(drawn: list[Value], trained: Sequence[Value], optimizer: Optimizer | None) -> tuple[str, str]:
    """The graph's program in JavaScript (autograd.script), or "" and why the page cannot run it (it stays static)."""
    try:
        return _program(drawn, trained, optimizer), ""
    except Unreadable as e:
        return "", f"This page cannot recompute its numbers: {e}."


def _program(
    order: list[Value], trained: Sequence[Value], optimizer: Optimizer | None, turns: Turns | None = None
) -> str:
    """The program of values in order (parents first) that steps trained with optimizer's update (else SGD's)."""
    positions = {v: k for k, v in enumerate(order)}
    kept = [j for j, q in enumerate(trained) if q in positions]  # a parameter the graph does not use is left out
    update = sgd if optimizer is None else optimizer.script_update()
    if isinstance(update, AdamUpdate):
        update = update.taking(kept)
    return program(graph(order), [v.data for v in order], [positions[trained[j]] for j in kept], update, turns)


def _objective(
    training: Training | None, drawn: list[Value], trained: Sequence[Value], optimizer: Optimizer | None, engine: str
) -> tuple[dict[str, Any] | None, str, str]:
    """What the live step trains, if not the graph drawn: its data and program (autograd.script), or None, "" and why
    the page cannot train it (then it has no step: a step of the graph drawn would train another model).

    engine: the graph's program ("": a static page, which trains nothing)."""
    if not engine or training is None or training.objective is None:
        return None, "", ""
    objective = training.objective
    order = topological_order(objective.loss)[::-1]
    index = {v: k for k, v in enumerate(order)}
    leaves = list(objective.turns[0]) if objective.turns else []
    if any(v not in index or v.parents for v in leaves) or any(list(t) != leaves for t in objective.turns):
        raise ValueError("Objective.turns: each turn must set the same leaves of the objective's loss, in one order")
    if objective.batch is not None and not leaves:
        raise ValueError("Objective: a batch takes turns: each sample's numbers for the loss's inputs and targets")
    numbers = tuple(tuple(t.values()) for t in objective.turns)
    turns = Turns(tuple(index[v] for v in leaves), numbers, objective.batch) if leaves else None
    try:
        text = _program(order, trained, optimizer, turns)
    except Unreadable as e:
        return None, "", f"This page cannot train as its document does, so it takes no step: {e}."
    positions = {v: k for k, v in enumerate(drawn)}
    shared = [
        [index[v], positions[v]] for v in order if v in positions and not (v.parents or v.is_constant or v in leaves)
    ]
    edits = _edits(objective, drawn, leaves, {page for _, page in shared})
    reached = {page for _, page in shared} | {page for page, _ in edits}
    untrained = [k for k, v in enumerate(drawn) if not (v.parents or v.is_constant) and k not in reached]
    edited = " Edit its inputs or targets and that sample trains with its new numbers."
    says = objective.says + edited if edits else objective.says
    return {"shared": shared, "says": says, "turn": objective.drawn, "edits": edits, "untrained": untrained}, text, ""


def _edits(objective: Objective, drawn: list[Value], leaves: list[Value], shared: set[int]) -> list[list[int]]:
    """[position in the graph drawn, in the turn's numbers] of each leaf of the drawn turn, by label (see Objective)."""
    if objective.drawn is None:
        return []
    if not 0 <= objective.drawn < len(objective.turns):
        raise ValueError(f"Objective.drawn: no turn {objective.drawn}; there are {len(objective.turns)}")
    own: dict[Any, list[int]] = {}
    for k, v in enumerate(drawn):
        if not (v.parents or v.is_constant or k in shared):
            own.setdefault(v.label, []).append(k)
    turn = objective.turns[objective.drawn]
    edits = []
    for n, leaf in enumerate(leaves):
        found = own.get(leaf.label, [])
        if len(found) != 1:
            raise ValueError(f"Objective.drawn: the graph drawn has {len(found)} leaves labelled {leaf.label!r}, "
                             "not one to match the turns' leaf of that label")  # fmt: skip
        if drawn[found[0]].data != turn[leaf]:
            raise ValueError(f"Objective.drawn: turn {objective.drawn} gives {leaf.label!r} {turn[leaf]!r}, the graph "
                             f"drawn {drawn[found[0]].data!r}: it is not that turn's sample")  # fmt: skip
        edits.append([found[0], n])
    return edits


def _live_boundary(
    training: Training | None, drawn: list[Value], trained: Sequence[Value]
) -> tuple[dict[str, Any] | None, str, str]:
    """The live decision boundary's data and its model's program (autograd.script), or None, "" and why not."""
    if training is None or training.live is None or not has_boundary(training.points):
        return None, "", ""
    inputs, outputs = training.live.inputs, list(training.live.outputs)
    order = list(dict.fromkeys(v for out in outputs for v in topological_order(out)[::-1]))  # parents first
    index = {v: k for k, v in enumerate(order)}
    if len(inputs) != 2 or any(x not in index or x.parents for x in inputs):
        raise ValueError("Training.live: inputs must be two leaves the outputs are computed from")
    moving = set(trained or (v for v in drawn if not v.parents))  # what the page's steps, or else its edits, change
    if not any(v in moving for v in order):  # another model's copy: its boundary would stand still, said to be live
        what = "the values the page trains" if trained else "the page's leaves"
        raise ValueError(f"Training.live: the outputs use none of {what}: build them from the same parameters")
    classes = len(outputs) if len(outputs) > 1 else None
    targets = [t for *_, t in training.points]
    if classes and (classes > len(CLASSES) or any(t not in range(classes) for t in targets)):
        raise ValueError(f"Training.live: {classes} class scores: the points' classes must be whole numbers from 0 "
                         f"to {classes - 1}, and there may be at most {len(CLASSES)} classes")  # fmt: skip
    try:
        predictor = program(graph(order), [v.data for v in order])
    except Unreadable as e:
        return None, "", f"The decision boundary is not redrawn as the page trains: {e}."
    positions = {v: k for k, v in enumerate(drawn)}
    return (
        {
            "inputs": [index[x] for x in inputs],
            "outputs": [index[o] for o in outputs],
            "shared": [[index[v], positions[v]] for v in order if not v.parents and v in positions],
            "points": [list(p) for p in training.points],
            "extent": list(extent(training.points)),
            "grid": GRID,
            "middle": None if classes else (min(targets) + max(targets)) / 2,
            "colours": colours(classes),
        },
        predictor,
        "",
    )


def _audited(drawn: list[Value], audit: Sequence[AuditLine]) -> list[int | None]:
    """The value each audit row selects, by index (the first value with the row's label), or None."""
    first: dict[str, int] = {}
    for i, v in enumerate(drawn):
        if isinstance(v.label, str):
            first.setdefault(v.label, i)
    return [first.get(a.value) if a.value is not None else None for a in audit]


def _values(
    drawn: list[Value],
    root: Value,
    formula: Callable[[Value], str | None] | None,
    chain: Callable[[Value], Chain | None] | None,
    rows: list[int | None],
) -> list[dict[str, Any]]:
    """Each value's entry in the page's data, inputs first (the i-th is what the drawings link to as #v{i})."""
    index = {v: i for i, v in enumerate(drawn)}
    names = _unique_names(drawn)
    consumers: dict[Value, list[tuple[Value, float]]] = {}
    for v in drawn:
        for p, local in zip(v.parents, v.local_grads):
            consumers.setdefault(p, []).append((v, local))
    root_name = names[-1]
    entries = []
    for i, v in enumerate(drawn):
        made = formula(v) if formula is not None and v.parents else None
        explained = chain(v) if chain is not None and v is not root else None
        entries.append(
            {
                "name": names[i],
                "role": ROLES[kind(v, root)],
                "data": _number(v.data),
                "grad": _number(v.grad),
                "parents": [index[p] for p in v.parents],
                "leaf": not v.parents and not v.is_constant,
                "forward": _forward_text(v, names[i], made, [names[index[p]] for p in v.parents]),
                "backward": _backward_text(v, root, names, index, consumers.get(v, []), root_name, explained),
                "audit": [k for k, row in enumerate(rows) if row == i],
            }
        )
    return entries


def _unique_names(drawn: list[Value]) -> list[str]:
    """Each value's name as the page shows it and its address reads it: its label as the drawings show it
    (controls and lone surrogates as escapes, a long one cut), or v{i} without one; unique, since the
    address selects by name: a name already taken gets ~i (and more ~ while that is taken too).
    """
    shown = [visible(str(v.label)) if v.label not in (None, "") else f"v{i}" for i, v in enumerate(drawn)]
    taken = set(shown)
    names: list[str] = []
    given: set[str] = set()
    for i, name in enumerate(shown):
        if name in given:
            name = f"{name}~{i}"
            while name in taken:
                name += "~"
            taken.add(name)
        given.add(name)
        names.append(name)
    return names


def _forward_text(v: Value, name: str, made: str | None, operands: list[str]) -> str:
    if not v.parents:
        return f"{name} = {_number(v.data)}"
    written = made if made is not None else _in_names(v, operands)
    return f"{name} = {written} = {_number(v.data)}"


def _in_names(v: Value, operands: list[str]) -> str:
    """The formula that made v, its operands by name and no number: the op applied to them."""
    op = OPS.get(v.op)
    return f"{op.symbol if op else v.op}({', '.join(operands)})"


def _backward_text(
    v: Value,
    root: Value,
    names: list[str],
    index: dict[Value, int],
    consumers: list[tuple[Value, float]],
    root_name: str,
    explained: Chain | None,
) -> list[str]:
    mine = names[index[v]]
    if v is root:
        return [f"∂{root_name}/∂{root_name} = 1: backward starts here"]
    if v.is_constant:
        return [f"{mine} is a constant: it gets no gradient"]
    if explained is not None:
        return explained.lines()
    terms = [f"{_number(local)}·{_number(c.grad)}" for c, local in consumers]
    symbols = [f"∂{names[index[c]]}/∂{mine}·∂{root_name}/∂{names[index[c]]}" for c, _ in consumers]
    return [f"∂{root_name}/∂{mine} = {' + '.join(symbols)}", f"= {' + '.join(terms)} = {_number(v.grad)}"]


def _drawings(root: Value, max_nodes: int) -> list[tuple[str, str]]:
    """The network view (when the values carry neurons) and the computation graph (collapsed if large)."""
    found = []
    with contextlib.suppress(ValueError):  # no neurons, or too many: the graph view still shows every value
        found.append(("The network", render_svg(draw_network(root, links=True, legend=False))))
    try:
        graph = draw_graph(root, links=True, max_nodes=min(300, max_nodes))  # all of it while it is readable
    except GraphTooLarge:
        graph = draw_graph(root, links=True, collapse=True, max_nodes=max_nodes)
    found.append(("The computation graph", render_svg(graph)))
    return found


_ANCHOR = re.compile(r'<a xlink:href="#v(\d+)" xlink:title="[^"]*">(.*?)</a>', re.DOTALL)
_TEXT = re.compile(r"(<text [^>]*)>([^<]*)</text>")
# A number as viz.labels writes it, and Graphviz's SVG then (a minus as &#45;)
_SHOWN = re.compile(r"(data |grad )?(-|&#45;)?(\d[\d.]*(e(\+|-|&#45;)\d+)?|inf|nan)")


def _linked(svg: str, names: list[str]) -> str:
    """Graphviz's SVG without its XML prologue, each value's link carrying its index (data-value), name and #name;
    each number it shows is marked data-show="data" or "grad" (the page rewrites them when a number is edited)."""

    def mark(text: re.Match) -> str:
        number = _SHOWN.fullmatch(text.group(2))
        if not number:
            return text.group()
        return f'{text.group(1)} data-show="{"grad" if number.group(1) == "grad " else "data"}">{text.group(2)}</text>'

    def link(match: re.Match) -> str:
        i = int(match.group(1))
        name = escape(names[i])
        anchor = f'<a data-value="{i}" data-name="{name}" xlink:href="#{escape(quote(names[i]))}" xlink:title="{name}">'
        return f"{anchor}{_TEXT.sub(mark, match.group(2))}</a>"

    return _ANCHOR.sub(link, svg[svg.index("<svg") :])


def _audit_row(a: AuditLine) -> dict[str, Any]:
    return {"quantity": a.quantity, "value": a.value, "printed": a.printed, "engine": a.engine, "verdict": a.verdict}


def _number(x: float) -> str:
    return f"{x + 0.0:.{DIGITS}g}"


def _html(
    title: str,
    drawings: list[tuple[str, str]],
    data: dict[str, Any],
    audit: Sequence[AuditLine],
    rows: list[int | None],
    training: Training | None,
    notes: Sequence[str],
    engine: str,
    predictor: str,
    trainer: str,
) -> str:
    last = len(drawings) - 1  # the computation graph: it pans and zooms
    sections = [
        _drawing(heading, svg, fit=k == 0 and k < last, zoom=k == last) for k, (heading, svg) in enumerate(drawings)
    ]
    help_ = _HELP.replace("</p>", _HELP_LIVE) if engine else _HELP
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_asset('page.css')}</style></head><body>",
        f"<header><h1>{escape(title)}</h1>{_notes(notes)}{help_}</header>",
        # the audit and training beside the side panel too, so that a row and the panel explaining it are seen together
        f'<main><div class="drawings">{"".join(sections)}{_audit_table(audit, rows)}{_training(training)}</div>',
        f"{_SPLIT}{_side(engine, bool(predictor), (data['objective'] or {}).get('says', ''))}</main>",
        f'<script type="application/json" id="page-data">{payload}</script>',
        f"<script>const ENGINE = {engine or 'null'};</script>",
        f"<script>const PREDICT = {predictor};</script>" if predictor else "",
        f"<script>const OBJECTIVE = {trainer};</script>" if trainer else "",
        f"<script>{_asset('judge.js')}</script>",
        f"<script>{_asset('steps.js')}</script>",
        f"<script>{_asset('boundary.js')}</script>" if data["boundary"] else "",
        f"<script>{_asset('page.js')}</script></body></html>",
    ]
    # A lone surrogate (text no UTF-8 can hold) is written as its escape, so that any text can be saved;
    # in the data, "\ud800" is JSON's own escape and the script reads the same string back.
    return ("\n".join(p for p in parts if p) + "\n").encode("utf-8", "backslashreplace").decode("utf-8")


def _drawing(heading: str, svg: str, *, fit: bool, zoom: bool = False) -> str:
    """A drawing's section; fit: at the page's width first (its button toggles it); zoom: it pans and zooms."""
    button = f'<button type="button" class="fit" aria-pressed="{str(fit).lower()}">'
    button += ("actual size" if fit else "fit to width") + "</button>"
    if zoom:
        button = _ZOOM
    pane = f'<div class="pane{" fit" if fit else ""}{" zoom" if zoom else ""}">{svg}</div>'
    return f'<section class="drawing"><h2>{escape(heading)} {button}</h2>{pane}</section>'


_ZOOM = (
    '<button type="button" class="zoom" data-zoom="in" title="zoom in (+)">+</button>'
    '<button type="button" class="zoom" data-zoom="out" title="zoom out (−)">−</button>'
    '<button type="button" class="zoom" data-zoom="fit" title="the whole graph (0)">whole graph</button>'
)
_SPLIT = (
    '<div id="split" role="separator" aria-orientation="vertical" tabindex="0" '
    'title="drag (or ← →) to share the width between the drawings and the side panel"></div>'
)
_HELP = (
    '<p class="help">Click or tab to any value to see where it came from and how its gradient is made. '
    "Step through the forward pass, then the backward pass, with the buttons or the keys "
    "<kbd>→</kbd> next, <kbd>←</kbd> previous, <kbd>P</kbd> play or pause: each number shows once the passes "
    "reach it (<kbd>Esc</kbd> shows them all). The computation graph pans (drag it) and "
    "zooms (the wheel, or <kbd>+</kbd> <kbd>−</kbd>, <kbd>0</kbd> for the whole graph).</p>"
)
_HELP_LIVE = (
    " <kbd>E</kbd> edits the selected number (an input, weight, bias or target: type it, then <kbd>Enter</kbd>; "
    "<kbd>↑</kbd> <kbd>↓</kbd> nudge it), and every number on the page is computed again. <b>practise</b> hides "
    "the gradients (and, with values too, the computed values): type one in the side panel and press "
    "<kbd>Enter</kbd> to have it checked.</p>"
)
_LIVE = (
    '<div id="live"><label>learning rate <input id="lr" class="number" size="8" spellcheck="false"></label>'
    '<button type="button" id="train" title="one step of gradient descent">step</button>'
    '<button type="button" id="run" title="train: gradient descent step after step">▶ train</button>'
    '<button type="button" id="reset" title="the document\'s numbers">reset</button>'
    '<button type="button" id="practise" aria-pressed="false" title="hide the gradients and work them out">'
    'practise</button><label><input type="checkbox" id="hide-values"> values too</label>'
    '<span id="lr-error" class="error" role="alert"></span><p id="edited" hidden>Edited: the numbers on screen are '
    "not the document's; the audit's verdicts are about the document's.</p>"
    '<figure id="curve" hidden><svg viewBox="0 0 240 64" width="240" height="64" role="img" aria-label="the loss">'
    '<polyline fill="none" stroke="#b3261e" stroke-width="1.5" points=""/></svg>'
    '<figcaption id="trained"></figcaption></figure></div>'
)
_BOUNDARY = (  # at the end of _LIVE, when the page has a live decision boundary
    '<figure id="boundary" hidden><canvas width="216" height="216" role="img" aria-label="the decision boundary">'
    "</canvas><figcaption>the decision boundary, live: the model's output over the inputs' plane, the samples as "
    "dots</figcaption></figure>"
)
_SIDE = (
    '<aside id="side" aria-live="polite">' + _LIVE + '<div class="steps">'
    '<button type="button" id="back" title="previous step (←)" aria-keyshortcuts="ArrowLeft">◀ previous</button>'
    '<button type="button" id="play" title="play or pause (P)" aria-keyshortcuts="P">▶ play</button>'
    '<button type="button" id="next" title="next step (→)" aria-keyshortcuts="ArrowRight">next ▶</button>'
    '<button type="button" id="walk" aria-pressed="false" aria-keyshortcuts="Escape" '
    'title="step mode: each number shows once the passes reach it (Escape: all of them)">step mode</button></div>'
    '<div id="step" role="status"></div>'
    '<div id="detail"><p class="hint">No value selected.</p></div></aside>'
)


def _side(engine: str, boundary: bool, trains: str) -> str:
    """The side panel: the live controls if the page has an engine, the decision boundary among them if it has one,
    and what a step trains if that is not the graph drawn."""
    if not engine:
        return _SIDE.replace(_LIVE, "")
    live = (
        _LIVE.replace('<span id="lr-error"', f'<p id="trains">{escape(trains)}</p><span id="lr-error"')
        if trains
        else _LIVE
    )
    return _SIDE.replace(_LIVE, live.replace("</div>", _BOUNDARY + "</div>") if boundary else live)


def _notes(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return f'<details class="notes"><summary>Notes on this example ({len(notes)})</summary><ul>{items}</ul></details>'


def _audit_table(audit: Sequence[AuditLine], selects: list[int | None]) -> str:
    if not audit:
        return ""
    rows = []
    for k, (a, i) in enumerate(zip(audit, selects)):
        verdict = escape(a.verdict)
        value = "" if i is None else f' data-value="{i}"'
        rows.append(
            f'<tr tabindex="0" data-row="{k}"{value} class="v-{_verdict_class(a)}">'
            f"<td>{escape(a.quantity)}</td><td>{escape(a.printed)}</td><td>{escape(a.engine)}</td>"
            f"<td>{verdict}</td><td>{escape(a.explanation)}</td><td>{escape(a.where)}</td></tr>"
        )
    head = "<tr><th>quantity</th><th>printed</th><th>engine</th><th>verdict</th><th>why</th><th>where</th></tr>"
    return (
        '<section id="audit"><h2>The audit: each printed number against the engine</h2>'
        f'<table class="audit"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _verdict_class(a: AuditLine) -> str:
    return re.sub(r"\W.*", "", a.verdict)


def _training(training: Training | None) -> str:
    if training is None or not (training.losses or training.notes):
        return ""
    # a picture that says nothing (one loss, one sample's boundary) is left out, and so is a section of none
    plots = [loss_plot(training.losses)] if has_curve(training.losses) else []
    if training.predict is not None and has_boundary(training.points):
        plots.append(boundary_plot(training.predict, training.points, title="decision boundary after training"))
    if not plots and not training.notes:
        return ""
    figures = "".join(f"<figure>{svg}</figure>" for svg in plots)
    heading = f"<h2>Training: {len(training.losses)} steps</h2>"
    notes = "".join(f'<p class="note">{escape(n)}</p>' for n in training.notes)
    return f'<section id="training">{heading}{notes}<div class="plots">{figures}</div></section>'


def _asset(name: str) -> str:
    return importlib.resources.files("viz").joinpath(name).read_text(encoding="utf-8")
