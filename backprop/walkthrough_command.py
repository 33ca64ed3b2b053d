"""``backprop walkthrough NAME``: a document-style solution of a worked example, computed by the engine."""

from __future__ import annotations

import argparse
import sys

from backprop import sources
from backprop.command import EXIT_OK, BadInput, add_name_arguments
from backprop.walkthrough import StepError, walkthrough


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """NAME and --part, then how many steps and in which format."""
    add_name_arguments(parser)
    parser.add_argument("--steps", type=int, default=1, help="gradient-descent steps (default 1)")
    parser.add_argument("--format", choices=("text", "markdown"), default="text", help="text or Markdown with LaTeX")


def run(args: argparse.Namespace) -> int:
    """Print the walkthrough of each worked example NAME stands for."""
    if args.steps < 1:
        raise BadInput(f"--steps must be at least 1, got {args.steps}")
    texts = [_walkthrough(s, args.steps, args.format == "markdown") for s in sources.subjects(args.name, args.part)]
    sys.stdout.write("\n".join(texts))
    return EXIT_OK


def _walkthrough(subject: sources.Subject, steps: int, markdown: bool) -> str:
    """The subject's walkthrough; a DocumentError where a step's numbers cannot be computed."""
    example, _ = subject.computed()  # the first pass: an error there is the sample's
    try:
        return walkthrough(example, steps=steps, markdown=markdown, sample=subject.sample)
    except StepError as e:  # later passes follow from the updates
        raise subject.error(("learning_rate",), f"{e}; a smaller learning rate keeps the numbers finite") from None
