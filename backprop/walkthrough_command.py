"""``backprop walkthrough NAME``: a document-style solution of a worked example, computed by the engine."""

from __future__ import annotations

import argparse
import sys

from backprop import sources
from backprop.command import EXIT_OK, BadInput, add_name_arguments, part_heading
from backprop.walkthrough import StepError, walkthrough

MAX_STEPS = 1_000  # about 10 MB of text for a 3-3-3 network


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """NAME and --part, then how many steps and in which format."""
    add_name_arguments(parser)
    parser.add_argument("--steps", type=int, default=1, help="gradient-descent steps (default 1, at most 1,000)")
    parser.add_argument("--format", choices=("text", "markdown"), default="text", help="text or Markdown with LaTeX")
    turn = "one step per sample, in turn (as tutorials that train one pattern at a time do); default: all on one"
    parser.add_argument("--in-turn", action="store_true", help=turn)


def run(args: argparse.Namespace) -> int:
    """Print the walkthrough of each worked example NAME stands for."""
    if not 1 <= args.steps <= MAX_STEPS:  # each step writes every number out: a billion never ended
        raise BadInput(f"--steps must be between 1 and {MAX_STEPS:,}, got {args.steps}")
    found = sources.subjects(args.name, args.part)
    markdown = args.format == "markdown"
    texts = [_walkthrough(s, args.steps, markdown, args.in_turn) for s in found]
    if len(found) > 1:  # each under its part's heading; a part that works the same numbers as one before says so
        first: dict[str, int] = {}  # each text, by the part that printed it first
        for i, (subject, text) in enumerate(zip(found, texts), 1):
            body = _same_as(first[text], args.name) if text in first else text
            first.setdefault(text, i)
            texts[i - 1] = f"{part_heading(args.name, subject.title)}\n\n{body}"
    sys.stdout.write("\n".join(texts))
    return EXIT_OK


def _walkthrough(subject: sources.Subject, steps: int, markdown: bool, in_turn: bool) -> str:
    """The subject's walkthrough; a DocumentError where a step's numbers cannot be computed."""
    example, _ = subject.computed()  # the first pass: an error there is the sample's
    try:
        return walkthrough(example, steps=steps, markdown=markdown, sample=subject.sample, in_turn=in_turn)
    except StepError as e:  # later passes follow from the updates
        raise subject.error(("learning_rate",), f"{e}; a smaller learning rate keeps the numbers finite") from None


def _same_as(part: int, name: str) -> str:
    return (
        f"The same worked example and numbers as part {part}: the parts differ only in the numbers the document "
        f"prints, which `backprop check {name}` audits.\n"
    )
