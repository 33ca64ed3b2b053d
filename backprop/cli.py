"""The ``backprop`` command line: its table of subcommands, the parser made from it, and main."""

from __future__ import annotations

import argparse
import difflib
import io
import os
import re
import signal
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from backprop import (
    check_command,
    claims_command,
    explain_command,
    formats_command,
    graph_command,
    list_command,
    page_command,
    probe_command,
    walkthrough_command,
)
from backprop.claims import DocumentError
from backprop.command import EXIT_BAD_INPUT, BadInput, Command

COMMANDS = (
    Command(
        "list",
        "the bundled worked examples and documents, or a network's values by name",
        list_command.run,
        list_command.add_arguments,
    ),
    Command(
        "walkthrough",
        "a document-style solution computed by the engine",
        walkthrough_command.run,
        walkthrough_command.add_arguments,
    ),
    Command("check", "audit printed numbers against the engine", check_command.run, check_command.add_arguments),
    Command(
        "explain",
        "a parameter's gradient as a sum of chain-rule products",
        explain_command.run,
        explain_command.add_arguments,
    ),
    Command(
        "claims",
        "a claim file to fill in: every quantity of a spec, printed left empty",
        claims_command.run,
        claims_command.add_arguments,
    ),
    Command(
        "formats", "the file formats (network spec, expression spec, claim file), with examples", formats_command.run
    ),
    Command("graph", "draw a worked example's graph", graph_command.run, graph_command.add_arguments),
    Command(
        "page",
        "one HTML page to click through: drawings, steps, audit, training",
        page_command.run,
        page_command.add_arguments,
    ),
    Command(
        "probe",
        "check your own micrograd-style Value class, op by op",
        probe_command.run,
        probe_command.add_arguments,
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="backprop",
        description="Reproduce worked examples of backpropagation and audit hand-derived numbers.",
        epilog="The files these commands read (network specs, expression specs, claim files): backprop formats.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=AnyOrder)
    for command in COMMANDS:
        subparser = subparsers.add_parser(command.name, help=command.help)
        if command.add_arguments is not None:
            command.add_arguments(subparser)
    return parser


class AnyOrder(argparse.ArgumentParser):
    """A subcommand's parser that takes its options anywhere among its names: explain FILE --part 2 w1."""

    _mixing = False  # parse_known_intermixed_args calls parse_known_args: the inner calls parse as usual

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._mixing:
            return super().parse_known_args(args, namespace)
        self._mixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._mixing = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 fine, 1 disagreements found, 2 bad input)."""
    parser = build_parser()
    _check_command(parser, sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    command = next(c for c in COMMANDS if c.name == args.command)
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = VisibleText(sys.stdout), VisibleText(sys.stderr)  # text from files is shown, not obeyed
    try:
        return command.run(args)
    except (BadInput, DocumentError) as e:  # a DocumentError's message names the file and the line
        print(f"backprop: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader went away (backprop check | head): end quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), streams[0].fileno())  # the exit's flush then goes nowhere
        return EXIT_BROKEN_PIPE
    finally:
        sys.stdout, sys.stderr = streams


def _check_command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """Refuse a command there is none of, suggesting the closest (argparse only lists them): status 2."""
    word = next((a for a in argv if not a.startswith("-")), None)  # the only positional before the command's own
    names = [c.name for c in COMMANDS]
    if word is None or word in names:
        return
    typed = word.lower()
    closest = [n for n in names if typed and n.startswith(typed)] or difflib.get_close_matches(typed, names, 1)
    suggestion = f": did you mean {closest[0]!r}?" if closest else ""
    parser.error(f"no command {word!r}{suggestion} (the commands are {', '.join(names)})")


EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE  # the status of a Unix tool ended by SIGPIPE (141)
# Control characters (C0 but newline and tab, DEL, C1) and the invisible ones that reorder or hide text
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def visible(text: str) -> str:
    """text with every control character written as its escape (ESC as \\x1b): a terminal shows it, not obeys it."""
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


class VisibleText(io.TextIOBase):
    """A text stream that writes to another with control characters made visible (see visible)."""

    def __init__(self, stream: Any):
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(visible(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()


def _version() -> str:
    try:
        return version("scalar-backprop")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


if __name__ == "__main__":
    sys.exit(main())
