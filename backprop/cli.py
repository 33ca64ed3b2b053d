"""The ``backprop`` command: list the worked examples, walk through one, audit documents' numbers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from backprop import graph_command, page_command, sources
from backprop.audit import DISAGREE, audit_document, format_audit
from backprop.claims import DocumentError, bundled, bundled_document
from backprop.explanation import explainer
from backprop.walkthrough import walkthrough

EXIT_OK, EXIT_DISAGREE, EXIT_BAD_INPUT = 0, 1, 2
NAME_HELP = "a worked example or document (see `backprop list`), or a network spec or claim file"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="backprop",
        description="Reproduce worked examples of backpropagation and audit hand-derived numbers.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("list", help="the bundled worked examples and documents")
    walk = commands.add_parser("walkthrough", help="a document-style solution computed by the engine")
    add_name_arguments(walk)
    walk.add_argument("--steps", type=int, default=1, help="gradient-descent steps (default 1)")
    walk.add_argument("--format", choices=("text", "markdown"), default="text", help="text or Markdown with LaTeX")
    check = commands.add_parser("check", help="audit printed numbers against the engine")
    check.add_argument(
        "files", nargs="*", metavar="FILE", help="claim files or bundled document names (default: all bundled)"
    )
    why = commands.add_parser("explain", help="a parameter's gradient as a sum of chain-rule products")
    add_name_arguments(why)
    why.add_argument("parameters", nargs="*", metavar="PARAMETER", help="parameter names (default: all)")
    graph = commands.add_parser("graph", help="draw a worked example's graph")
    add_name_arguments(graph)
    graph_command.add_arguments(graph)
    page = commands.add_parser("page", help="one HTML page to click through: drawings, steps, audit, training")
    add_name_arguments(page)
    page_command.add_arguments(page)
    return parser


def add_name_arguments(parser: argparse.ArgumentParser) -> None:
    """NAME and --part, which every command that shows a worked example takes."""
    parser.add_argument("name", help=NAME_HELP)
    parser.add_argument("--part", type=int, metavar="N", help="for a document with several parts: only part N")


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
    if args.command == "page":
        return page_command.run(args)
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


def _walkthrough(args: argparse.Namespace) -> int:
    if args.steps < 1:
        return _fail(f"--steps must be at least 1, got {args.steps}")
    try:
        found = sources.subjects(args.name, args.part)
    except DocumentError as e:
        return _fail(str(e))
    texts = [
        walkthrough(s.make(), steps=args.steps, markdown=args.format == "markdown", sample=s.sample) for s in found
    ]
    sys.stdout.write("\n".join(texts))
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    try:
        passes = [(s.title, s.make().forward(s.sample)) for s in sources.subjects(args.name, args.part)]
    except DocumentError as e:
        return _fail(str(e))
    for title, pass_ in passes:
        missing = [n for n in args.parameters if n not in pass_.values]
        if missing:
            where = f"{args.name} ({title})" if len(passes) > 1 else args.name
            known = ", ".join(_parameters(pass_))
            return _fail(f"{where} has no value named {missing[0]!r}; its parameters are {known}")
    for title, pass_ in passes:
        if len(passes) > 1:
            print(f"# {args.name}, {title}\n")
        explained = explainer(pass_)
        for name in args.parameters or _parameters(pass_):
            print(explained(name))
            print()
    return EXIT_OK


def _parameters(pass_: Any) -> list[str]:
    return [name for name, v in pass_.values.items() if (v.meta or {}).get("role") == "parameter"]


def _check(files: Sequence[str]) -> int:
    try:  # read and check every file before printing anything
        documents = [sources.document(f) for f in files] if files else [bundled_document(n) for n in bundled()]
    except DocumentError as e:
        return _fail(str(e))
    audits = [audit_document(d) for d in documents]
    for audit in audits:
        sys.stdout.write(format_audit(audit) + "\n")
    print("Summary")
    for audit in audits:
        print("  " + audit.summary())
    return EXIT_DISAGREE if any(a.count(DISAGREE) for a in audits) else EXIT_OK


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scalar-backprop")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def _fail(message: str) -> int:
    print(f"backprop: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
