"""``backprop graph NAME -o FILE.svg``: draw a worked example's computation graph or network."""

from __future__ import annotations

import argparse

from backprop import sources
from backprop.command import EXIT_OK, BadInput, add_name_arguments, import_viz, max_nodes, output_stem, too_large


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """NAME and --part, then what to draw, how and where."""
    add_name_arguments(parser)
    parser.add_argument("-o", "--output", help="the file to write: .svg, .png, .pdf or .dot (default NAME-VIEW.svg)")
    parser.add_argument("--view", choices=("graph", "network"), default="graph", help="what to draw (default graph)")
    parser.add_argument("--highlight", metavar="NAME", help="a value (e.g. w1) whose paths from the loss stand out")
    parser.add_argument("--sample", type=int, help="which training sample (default: the one the document works)")
    parser.add_argument("--precision", type=int, default=4, help="significant digits shown (default 4)")
    parser.add_argument("--collapse", action="store_true", help="graph view: each neuron as one node")
    most = "the most nodes the drawing may have (default 300 for the graph view, 200 for the network view)"
    parser.add_argument("--max-nodes", type=int, metavar="N", help=most)


def run(args: argparse.Namespace) -> int:
    """Draw the example and write the file."""
    viz = import_viz()
    subject = sources.subject(args.name, args.part)
    stem = output_stem(args)
    output = args.output or f"{stem}-{args.view}.svg"
    options = {"precision": args.precision, "highlight": args.highlight}
    if max_nodes(args) is not None:  # else each view's own default
        options["max_nodes"] = args.max_nodes
    try:
        loss = subject.computed(args.sample)[1].loss
        if args.view == "network":
            drawing = viz.draw_network(loss, **options)
        else:
            drawing = viz.draw_graph(loss, collapse=args.collapse, **options)
        path = viz.render(drawing, output)
    except viz.GraphvizNotFound as e:
        raise BadInput(f"{e} Here: -o {stem}.dot") from None
    except viz.GraphTooLarge as e:
        raise too_large(e, views=True) from None
    except OSError as e:
        raise BadInput(f"cannot write {output}: {e.strerror}") from None
    except (ValueError, IndexError) as e:
        raise BadInput(str(e)) from None
    print(f"wrote {path}")
    return EXIT_OK
