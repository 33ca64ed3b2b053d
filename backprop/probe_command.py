"""``backprop probe FILE.py:CLASS``: check your own micrograd-style Value class against this engine, op by op."""

from __future__ import annotations

import argparse

from autograd.testing import EngineInputError, check_engine
from backprop.command import EXIT_DISAGREE, EXIT_OK, BadInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The class, the limits each probe runs under, and the random expressions."""
    parser.add_argument("engine", metavar="FILE.py:CLASS", help="your Value class (or package.module:CLASS)")
    parser.add_argument(
        "--time-limit", type=positive, default=10.0, metavar="SECONDS", help="each probe's (default: 10)"
    )
    parser.add_argument(
        "--memory-limit",
        type=positive,
        default=1024,
        metavar="MB",
        help="how much more memory the probes' process may take, on Linux (default: 1024)",
    )
    parser.add_argument("--graphs", type=count, default=100, metavar="N", help="random expressions (default: 100)")
    parser.add_argument("--seed", type=int, default=0, help="which random expressions (default: 0)")


def positive(text: str) -> float:
    x = float(text)  # a ValueError becomes argparse's "invalid positive value"
    if not 0 < x < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return x


def count(text: str) -> int:
    n = int(text)
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return n


def run(args: argparse.Namespace) -> int:
    """Print the report; status 1 if any op's value or gradient differs from this engine's."""
    try:
        report = check_engine(
            args.engine, time_limit=args.time_limit, memory_limit=args.memory_limit, graphs=args.graphs, seed=args.seed
        )
    except (EngineInputError, ValueError) as e:
        raise BadInput(str(e)) from None
    print(report)
    return EXIT_OK if report.ok else EXIT_DISAGREE
