"""``backprop claims SPEC``: a claim-file skeleton naming every quantity of a spec, each printed left to fill in."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import nn
from backprop import sources
from backprop.command import EXIT_OK, BadInput

HEADER = """\
# Claims about {spec}: each number a document (or you) worked out for it. Fill in printed as it is
# printed, as a string (printed = "0.5622"): a claim left at printed = "" is not checked, and
# a claim the document does not print can go. `backprop check {file}` audits it; `backprop formats`
# describes every field (where, decimals, from and rule for a number computed from others).
network = {network}
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The spec, and where to write the skeleton."""
    parser.add_argument("name", metavar="SPEC", help="a network or expression spec file, or a bundled worked example")
    parser.add_argument("-o", "--output", help="the claim file to write (default: print it)")


def run(args: argparse.Namespace) -> int:
    """Print the skeleton, or write it to --output."""
    path = Path(args.name)
    if args.name not in nn.examples() and not (path.is_file() and sources.spec_kind(path)):
        raise BadInput(f"{args.name}: not a spec file or a bundled worked example (`backprop list` names those)")
    example, pass_ = sources.subject(args.name).computed()
    output = Path(args.output) if args.output else None
    text = skeleton(example, pass_, _network(args.name, output), output.name if output else "FILE")
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise BadInput(f"cannot write {output}: {e.strerror}") from None
    print(f"wrote {output}")
    return EXIT_OK


def _network(name: str, output: Path | None) -> str:
    """How the claim file names the spec: a bundled name, or the file's path from where the claim file will be."""
    if name in nn.examples():
        return name
    base = output.resolve().parent if output else Path.cwd()
    return Path(os.path.relpath(Path(name).resolve(), base)).as_posix()


def skeleton(example: Any, pass_: nn.Pass, network: str, file: str = "FILE") -> str:
    """The claim file's text: a claim per forward value, per derivative of the loss, per updated parameter."""
    loss = example.loss_name
    computed = list({v: n for n, v in reversed(pass_.values.items()) if v.parents}.values())[::-1]
    gradients = [n for n in computed if n != loss] + list(example.trainable)
    sections = [
        ("the forward pass", [(n, 0) for n in computed]),
        ("the backward pass: the loss's derivatives", [(f"d{loss}/d{n}", 0) for n in gradients]),
    ]
    if example.learning_rate is not None:
        after = [(n, 1) for n in example.trainable] + [(loss, 1)]
        sections.append(("after one gradient-descent step: the updated parameters and the loss", after))
    spec = network if network in nn.examples() else Path(network).name
    lines = [HEADER.format(spec=spec, file=file, network=json.dumps(network))]
    for title, claims in sections:
        lines.append(f"# {title}")
        for quantity, step in claims:
            lines += ["[[claim]]", f"quantity = {json.dumps(quantity)}"]
            lines += [f"step = {step}"] if step else []
            lines += ['printed = ""', ""]
    return "\n".join(lines)
