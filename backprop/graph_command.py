"""``backprop graph NAME -o FILE.svg``: draw a worked example's computation graph or network."""

from __future__ import annotations

import argparse
import sys

import nn

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the graph subcommand's arguments to parser."""
    parser.add_argument("name", help="a worked example (see `backprop list`)")
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
    if args.name not in nn.examples():
        return _fail(f"no worked example named {args.name!r}; they are {', '.join(nn.examples())}")
    output = args.output or f"{args.name}-{args.view}.svg"
    options = {"precision": args.precision, "highlight": args.highlight}
    try:
        loss = nn.example(args.name).forward(args.sample).backward().loss
        if args.view == "network":
            drawing = viz.draw_network(loss, **options)
        else:
            drawing = viz.draw_graph(loss, collapse=args.collapse, **options)
        path = viz.render(drawing, output)
    except viz.GraphvizNotFound as e:
        return _fail(f"{e} Here: -o {args.name}.dot")
    except OSError as e:
        return _fail(f"cannot write {output}: {e.strerror}")
    except (ValueError, IndexError) as e:
        return _fail(str(e))
    print(f"wrote {path}")
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"backprop: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT
