"""``backprop explain NAME [PARAMETER ...]``: a parameter's gradient as a sum of chain-rule products."""

from __future__ import annotations

import argparse
from typing import Any

from backprop import sources
from backprop.command import EXIT_OK, BadInput, add_name_arguments, part_heading
from backprop.explanation import explainer
from inputfiles import names_near, quoted


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """NAME and --part, then the parameters to explain."""
    add_name_arguments(parser)
    parser.add_argument("parameters", nargs="*", metavar="PARAMETER", help="parameter names (default: all)")


def run(args: argparse.Namespace) -> int:
    """Print the explanation of each parameter asked for (all, if none is) in each example NAME stands for."""
    passes = [(s.title, s.computed()[1]) for s in sources.subjects(args.name, args.part)]
    for title, pass_ in passes:
        missing = [n for n in args.parameters if n not in pass_.values]
        if missing:
            where = f"{args.name} ({title})" if len(passes) > 1 else args.name
            known = names_near(_parameters(pass_), missing[0], "its parameters")
            raise BadInput(f"{where} has no value named {quoted(missing[0])}; {known}")
    for title, pass_ in passes:
        if len(passes) > 1:
            print(part_heading(args.name, title) + "\n")
        explained = explainer(pass_)
        for name in args.parameters or _parameters(pass_):
            print(explained(name))
            print()
    return EXIT_OK


def _parameters(pass_: Any) -> list[str]:
    return [name for name, v in pass_.values.items() if (v.meta or {}).get("role") == "parameter"]
