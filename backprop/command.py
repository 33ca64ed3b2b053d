"""A subcommand of ``backprop`` (its entry in the CLI's table) and what every one shares: the exit statuses,
NAME and --part, the name of the file it writes, and bad input (a message on stderr and status 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

EXIT_OK, EXIT_DISAGREE, EXIT_BAD_INPUT = 0, 1, 2
NAME_HELP = "a worked example or document (see `backprop list`), or a network spec or claim file"


class BadInput(Exception):
    """Input a command cannot use: the CLI prints the message after "backprop: error: " and exits with status 2."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its name, its line in ``backprop --help``, what it runs and the arguments it takes."""

    name: str
    help: str
    run: Callable[[argparse.Namespace], int]  # the exit status; BadInput or DocumentError if it cannot run
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None  # None: no arguments


def add_name_arguments(parser: argparse.ArgumentParser) -> None:
    """NAME and --part, which every command that shows a worked example takes."""
    parser.add_argument("name", help=NAME_HELP)
    parser.add_argument("--part", type=int, metavar="N", help="for a document with several parts: only part N")


def part_heading(name: str, title: str) -> str:
    """The line over one part of a document with several: "# 002-hmkcode, part 1: The text's worked numbers"."""
    return f"# {name}, {title}"


def output_stem(args: argparse.Namespace) -> str:
    """How the file a command writes is named by default: NAME's stem, and -partN for --part N."""
    return Path(args.name).stem + (f"-part{args.part}" if args.part else "")


def max_nodes(args: argparse.Namespace) -> int | None:
    """--max-nodes, if given (None: the drawing's own default); BadInput if it is not at least 1."""
    if args.max_nodes is not None and args.max_nodes < 1:
        raise BadInput(f"--max-nodes must be at least 1, got {args.max_nodes}")
    return args.max_nodes


def too_large(refusal: Any, views: bool) -> BadInput:
    """viz's GraphTooLarge said with this command's options (views: it has --collapse and --view)."""
    ways = (
        [f"--collapse draws each neuron as one node ({refusal.collapsed} nodes)"] if views and refusal.collapsed else []
    )
    ways += ["--view network draws a node per neuron"] if views and refusal.network else []
    ways.append(f"{'or ' if ways else ''}--max-nodes {refusal.count} draws all of it")
    return BadInput(
        f"{refusal.what} would have {refusal.count} nodes, more than --max-nodes {refusal.max_nodes} allows: "
        + ", ".join(ways)
    )


def import_viz() -> ModuleType:
    """The viz package, or BadInput saying how to install graphviz (only the drawings need it)."""
    try:
        import viz
    except ImportError as e:
        raise BadInput(str(e)) from None
    return viz
