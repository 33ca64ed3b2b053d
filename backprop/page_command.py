"""``backprop page NAME -o page.html``: one HTML page a learner clicks through, built from the walkthrough's
formulas, ``explain``'s chain-rule paths, the audit of a document's printed numbers and a short training run.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import Any

import nn
from autograd import Value
from backprop import sources
from backprop.audit import AuditRow, audit_parts
from backprop.claims import DocumentError
from backprop.command import EXIT_OK, BadInput, add_name_arguments, import_viz, max_nodes, output_stem, too_large
from backprop.explanation import explainer
from backprop.expressions import ExpressionExample
from backprop.practice import slips
from backprop.quantities import QuantityError, parse_quantity
from backprop.walkthrough import formula, reading_order

TRAIN_STEPS = 100
MOST_STEPS = 100_000  # a longer run would keep the command busy for minutes before it writes anything


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """NAME and --part, then where to write the page and how long its training view trains."""
    add_name_arguments(parser)
    parser.add_argument("-o", "--output", help="the HTML file to write (default NAME.html)")
    what = f"steps of the training view (default {TRAIN_STEPS}; 0: none)"
    parser.add_argument("--train", type=int, default=TRAIN_STEPS, metavar="N", help=what)
    most = "the most nodes the computation graph may have, each neuron one node if it must (default 2000)"
    parser.add_argument("--max-nodes", type=int, metavar="N", help=most)


def run(args: argparse.Namespace) -> int:
    """Build the page and write it."""
    if not 0 <= args.train <= MOST_STEPS:
        raise BadInput(f"--train must be between 0 and {MOST_STEPS:,}, got {args.train}")
    output = args.output or output_stem(args) + ".html"
    limit = max_nodes(args)
    viz = import_viz()
    try:
        text = page(args.name, args.part, train=args.train, max_nodes=limit)
        Path(output).write_text(text, encoding="utf-8")
    except viz.GraphvizNotFound as e:
        raise BadInput(str(e)) from None
    except viz.GraphTooLarge as e:
        raise too_large(e, views=False) from None
    except OSError as e:
        raise BadInput(f"cannot write {output}: {e.strerror}") from None
    print(f"wrote {output}")
    return EXIT_OK


def page(name: str | Value, part: int | None = None, *, train: int = TRAIN_STEPS, max_nodes: int | None = None) -> str:
    """The HTML page of NAME (a bundled example or document, a spec or claim file, or a Value's graph), as
    `backprop page` writes it.

    max_nodes: the computation graph's limit (viz.page's; None: its default)."""
    import viz  # only the drawings need graphviz: the rest of backprop works without it

    subject = sources.value_subject(name) if isinstance(name, Value) else sources.subject(name, part)
    example, pass_ = subject.computed()
    named = {v: n for n, v in pass_.values.items()}
    explained = explainer(pass_)
    document = None if isinstance(name, Value) else _document(name)
    rows = [] if document is None else audit_parts(document)[document.parts[(part or 1) - 1].id]
    first = _in_turn_from(document, part, example)
    # a document's own citation, not its network's: the page is about what the document printed
    source = document.citation if document is not None else example.source
    return viz.page(
        pass_.loss,
        title=example.heading if subject.title == example.name else f"{name}: {subject.title}",
        formula=lambda v: _formula(v),
        chain=lambda v: explained(named[v]) if v in named else None,
        audit=[_audit_line(r) for r in rows],
        training=_training(subject.make(), train, example, pass_, first) if train else None,
        notes=[*([f"Source: {source}"] if source else []), *example.notes],
        symbols=formula,
        learning_rate=example.learning_rate,
        **_trains(example, pass_),
        practice=slips(subject),
        walk=[pass_[n] for n in reading_order(example, pass_)],
        **({} if max_nodes is None else {"max_nodes": max_nodes}),
    )


def _trains(example: Any, pass_: Any) -> dict[str, Any]:
    """What the page's step takes: a network's optimizer, or gradient descent on an expression's leaves in this pass."""
    optimizer = getattr(example, "optimizer", None)  # an expression example has none: it steps its leaves
    return {"optimizer": optimizer} if optimizer is not None else {"trained": [pass_[n] for n in example.trainable]}


def _in_turn_from(document: Any, part: int | None, example: Any) -> int | None:
    """The sample a document's part trains from when it takes one step per sample in turn; None: it trains the batch."""
    if document is None:
        return None
    chosen = document.parts[(part or 1) - 1]
    if chosen.training != "in turn":
        return None
    return example.worked_sample if chosen.sample is None else chosen.sample


def _objective(shown: Any, pass_: Any, first: int | None) -> Any:
    """What the live page's step trains, as the training view does: None for one sample (the graph drawn), else the
    batch's loss or, in turn from sample first, one sample's pass that takes each sample's numbers in turn."""
    import viz

    samples = shown.samples
    if len(samples) == 1:
        return None
    drawn = f"the graph shows sample {pass_.index + 1}'s pass"
    turn = shown.forward(pass_.index if first is None else first)  # a batch's samples are its terms, in order
    leaves = [turn[n] for n in (*shown.network.input_names, *shown.target_names)]
    order = samples[first:] + samples[:first] if first is not None else samples
    turns = [dict(zip(leaves, (*s.inputs, *s.targets))) for s in order]
    if first is not None:
        says = f"Each step trains one sample, the {len(samples)} in turn from sample {first + 1}, as the document does"
        return viz.Objective(turn.loss, f"{says}; {drawn}.", turns, drawn=(pass_.index - first) % len(samples))
    mean = nn.losses.LOSSES[shown.loss].reduction == "mean"
    says = f"Each step trains the batch of {len(samples)} samples (their {shown.loss} together), as nn.train does"
    return viz.Objective(
        turn.loss, f"{says}; {drawn}.", turns, 1 / len(samples) if mean else 1.0, pass_.index % len(samples)
    )


def _formula(v: Any) -> str:
    symbols, numbers = formula(v), formula(v, numbers=True)
    return numbers if symbols == numbers else f"{symbols} = {numbers}"


def _document(name: str) -> Any:
    """The document or claim file NAME stands for; None for a worked example or a spec file."""
    if name in nn.examples():
        return None
    try:
        return sources.document(name)
    except DocumentError:
        return None  # a network spec file: nothing printed to audit


def _audit_line(row: AuditRow) -> Any:
    import viz

    try:
        quantity = parse_quantity(row.quantity)
        value = quantity.wrt if quantity.kind == "derivative" else quantity.of if quantity.kind == "value" else None
    except QuantityError:
        value = None
    step = f" after step {row.step}" if row.step else ""
    return viz.AuditLine(
        quantity=row.quantity + step,
        printed=row.printed,
        engine=f"{row.engine:.6g}",
        verdict=row.verdict + (f": {row.origin}" if row.origin else ""),
        explanation=row.explanation,
        where=row.where,
        value=value,
    )


def _training(example: Any, steps: int, shown: Any, pass_: Any, first: int | None) -> Any:
    """The training view of steps steps; a run that overflows stops there, and the view says so (see _train).

    shown: the example whose pass_ the page shows; its network, at two inputs, is the live page's model.
    first: the sample training in turn starts from (None: every step trains the batch)."""
    import viz

    if isinstance(example, ExpressionExample):  # descent on the leaves, if the expression has a learning rate
        return _descent(example, steps) if example.learning_rate is not None else None
    model, samples = example.network, example.samples
    history, stopped = _train(example, steps, first)
    objective = _objective(shown, pass_, first)
    if stopped or history.diverged is not None:  # the notes say why; runaway weights draw no boundary
        return viz.Training(history.losses, notes=history.notes, objective=objective)
    if len(model.input_names) != 2:
        return viz.Training(history.losses, objective=objective)
    inputs = [Value(0.0, name) for name in model.input_names]
    if nn.losses.LOSSES[example.loss].classifies:  # one output per class: the largest output is the class
        points = [(*s.inputs, s.targets.index(max(s.targets))) for s in samples]
        live = viz.Predictor((inputs[0], inputs[1]), shown.network.forward(inputs))
        return viz.Training(
            history.losses, lambda a, b: [o.data for o in model.forward([a, b])], points, live=live, objective=objective
        )
    points = [(*s.inputs, s.targets[0]) for s in samples]
    live = viz.Predictor((inputs[0], inputs[1]), shown.network.forward(inputs)[:1])
    return viz.Training(
        history.losses, lambda a, b: model.forward([a, b])[0].data, points, live=live, objective=objective
    )


def _descent(example: ExpressionExample, steps: int) -> Any:
    """The training view of an expression: its output over steps of gradient descent on its leaves."""
    import viz

    losses: list[float] = []
    try:
        for _ in range(steps):
            losses.append(example.step().loss.data)
    except (ArithmeticError, ValueError) as e:  # an overflow, or a step outside an op's domain
        return viz.Training(losses, notes=[f"step {len(losses) + 1}: {e}"])
    return viz.Training(losses)


def _train(example: Any, steps: int, first: int | None) -> tuple[nn.History, bool]:
    """The history of training example for steps steps (nn.train's on the batch; in turn from sample first, the
    document's step of each sample, as backprop.claims takes it), and whether a step overflowed and stopped it.

    A learning rate too large for the network is something to see, not a reason to lose the page: the
    view shows the losses up to the step that overflowed and nn.train's note, which names a smaller rate.
    """
    history = nn.History()
    with warnings.catch_warnings():  # a loss that runs away is noted in the history, which the page shows
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            if first is not None:
                for k in range(steps):
                    history.record(example.step((first + k) % len(example.samples)).loss.data, example.learning_rate)
            else:
                nn.train(
                    example.network,
                    example.samples,
                    steps=steps,
                    optimizer=example.optimizer,
                    loss=example.loss,
                    progress=False,
                    history=history,
                )
        except (ArithmeticError, ValueError) as e:  # an overflow, or a step outside an op's domain
            if str(e) not in history.notes:  # nn.train notes an overflow of the loss itself
                history.notes.append(str(e))
            return history, True
    return history, False
