"""``backprop graph NAME -o FILE.svg``: draw a worked example's computation graph or network."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backprop import sources
from backprop.claims import DocumentError

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the graph subcommand's own arguments (NAME and --part are the CLI's) to parser."""
    parser.add_argument("-o", "--output", help="the file to write: .svg, .png, .pdf or .dot (default NAME-VIEW.svg)")
    parser.add_argument("--view", choices=("graph", "network"), default="graph", help="what to draw (default graph)")
    parser.add_argument("--highlight", metavar="NAME", help="a value (e.g. w1) whose paths from the loss stand out")
    parser.add_argument("--sample", type=int, help="which training sample (default: the one the document works)")
    parser.add_argument("--precision", type=int, default=4, help="significant digits shown (default 4)")
    parser.add_argument("--collapse", action="store_true", help="graph view: each neuron as one node")


def run(args: argparse.Namespace) -> int:
    """Draw the example and write the file; the exit status (2 and a message on stderr if it cannot)."""
    try:
        import viz  # only this subcommand needs graphviz: the rest of the CLI works without it
    except ImportError as e:
        return _fail(str(e))
    try:
        found = sources.subjects(args.name, args.part)
    except DocumentError as e:
        return _fail(str(e))
    if len(found) > 1:
        return _fail(f"{args.name} has {len(found)} parts; choose one with --part 1 to {len(found)}")
    subject = found[0]
    stem = Path(args.name).stem + (f"-part{args.part}" if args.part else "")
    output = args.output or f"{stem}-{args.view}.svg"
    options = {"precision": args.precision, "highlight": args.highlight}
    try:
        loss = subject.make().forward(subject.sample if args.sample is None else args.sample).backward().loss
        if args.view == "network":
            drawing = viz.draw_network(loss, **options)
        else:
            drawing = viz.draw_graph(loss, collapse=args.collapse, **options)
        path = viz.render(drawing, output)
    except viz.GraphvizNotFound as e:
        return _fail(f"{e} Here: -o {stem}.dot")
    except OSError as e:
        return _fail(f"cannot write {output}: {e.strerror}")
    except (ValueError, IndexError) as e:
        return _fail(str(e))
    print(f"wrote {path}")
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"backprop: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT
