"""The ``backprop`` command: list the worked examples, walk through one, audit documents' numbers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from backprop import graph_command
from backprop.audit import DISAGREE, audit_document, format_audit
from backprop.claims import DocumentError, bundled, bundled_document, load_document
from backprop.explanation import explain
from backprop.walkthrough import walkthrough

EXIT_OK, EXIT_DISAGREE, EXIT_BAD_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="backprop",
        description="Reproduce worked examples of backpropagation and audit hand-derived numbers.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("list", help="the bundled worked examples and documents")
    walk = commands.add_parser("walkthrough", help="a document-style solution computed by the engine")
    walk.add_argument("name", help="a worked example (see `backprop list`)")
    walk.add_argument("--steps", type=int, default=1, help="gradient-descent steps (default 1)")
    walk.add_argument("--format", choices=("text", "markdown"), default="text", help="text or Markdown with LaTeX")
    check = commands.add_parser("check", help="audit printed numbers against the engine")
    check.add_argument(
        "files", nargs="*", metavar="FILE", help="claim files or bundled document names (default: all bundled)"
    )
    why = commands.add_parser("explain", help="a parameter's gradient as a sum of chain-rule products")
    why.add_argument("name", help="a worked example (see `backprop list`)")
    why.add_argument("parameters", nargs="*", metavar="PARAMETER", help="parameter names (default: all)")
    graph_command.add_arguments(commands.add_parser("graph", help="draw a worked example's graph"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 fine, 1 disagreements found, 2 bad input)."""
    args = build_parser().parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "walkthrough":
        return _walkthrough(args)
    if args.command == "check":
        return _check(args.files)
    if args.command == "explain":
        return _explain(args)
    return graph_command.run(args)


def _list() -> int:
    import nn

    examples = [(name, nn.example(name).title) for name in nn.examples()]
    documents = [(name, bundled_document(name).title) for name in bundled()]
    for heading, rows in (
        ("Worked examples (backprop walkthrough NAME)", examples),
        ("Documents (backprop check NAME)", documents),
    ):
        print(heading)
        width = max(len(n) for n, _ in rows)
        for name, title in rows:
            print(f"  {name.ljust(width)}  {title}")
        print()
    return EXIT_OK


def _example(name: str):
    import nn

    if name not in nn.examples():
        raise DocumentError(f"no worked example named {name!r}; they are {', '.join(nn.examples())}")
    return nn.example(name)


def _walkthrough(args: argparse.Namespace) -> int:
    if args.steps < 1:
        return _fail(f"--steps must be at least 1, got {args.steps}")
    try:
        example = _example(args.name)
    except DocumentError as e:
        return _fail(str(e))
    sys.stdout.write(walkthrough(example, steps=args.steps, markdown=args.format == "markdown"))
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    try:
        example = _example(args.name)
    except DocumentError as e:
        return _fail(str(e))
    pass_ = example.forward()
    names = args.parameters or list(example.network.parameters_by_name())
    for name in names:
        if name not in pass_.values:
            known = ", ".join(example.network.parameters_by_name())
            return _fail(f"{args.name} has no value named {name!r}; its parameters are {known}")
    for name in names:
        print(explain(pass_, name))
        print()
    return EXIT_OK


def _check(files: Sequence[str]) -> int:
    try:  # read and check every file before printing anything
        documents = [_document(f) for f in files] if files else [bundled_document(n) for n in bundled()]
    except DocumentError as e:
        return _fail(str(e))
    audits = [audit_document(d) for d in documents]
    for audit in audits:
        sys.stdout.write(format_audit(audit) + "\n")
    print("Summary")
    for audit in audits:
        print("  " + audit.summary())
    return EXIT_DISAGREE if any(a.count(DISAGREE) for a in audits) else EXIT_OK


def _document(name: str):
    if name in bundled() and not Path(name).exists():
        return bundled_document(name)
    return load_document(name)


def _fail(message: str) -> int:
    print(f"backprop: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
